"""Every shipped rule fires on its evidence and not on a look-alike (minimal inputs written from
the messages in gup_longterm.c / cow.c / kselftest.h of linux 6.12)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from harness.model import Environment, LogLine
from harness.readers.ingest import parse_lines
from harness.triage.engine import triage
from harness.triage.rules import RuleError, load_rules, parse_rule


def cause_of(tap: str, suite: str = "cow", **env: object) -> str | None:
    lines = [LogLine(i, t, "r.log") for i, t in enumerate(tap.strip().splitlines(), 1)]
    report = triage([parse_lines(lines, "r.log", suite)], Environment(**env))
    diagnosed = [r for r in report.results if r.diagnosis]
    return diagnosed[0].diagnosis.cause if diagnosed else None


def one(run: str, result: str) -> str:
    return (f"1..1\n# [RUN] {run}\n{result}\n"
            "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n")


CASES = [
    # (name, TAP, suite, env, expected cause)
    ("io_uring missing", one("io_uring fixed buffer with MAP_SHARED file mapping ... with memfd",
                             "ok 1 # SKIP io_uring_queue_init() failed"), "gup_longterm", {},
     "io-uring-unavailable"),
    ("THP missing", one("Basic COW after fork() ... with THP (2048 kB)",
                        "ok 1 # SKIP Did not get a THP populated"), "cow", {}, "thp-unavailable"),
    ("madvise ENOSYS", one("Basic COW after fork() ... with swapped out base page",
                           "# MADV_PAGEOUT failed (Function not implemented)\n"
                           "not ok 1 Basic COW after fork() ... with swapped out base page"),
     "cow", {}, "madvise-enosys"),
    ("no swap", one("Basic COW after fork() ... with swapped out base page",
                    "ok 1 # SKIP MADV_PAGEOUT did not work, is swap enabled?"), "cow",
     {"swap_kb": 0}, "swap-missing"),
    ("swap present: not swap-missing", one(
        "Basic COW after fork() ... with swapped out base page",
        "ok 1 # SKIP MADV_PAGEOUT did not work, is swap enabled?"),
     "cow", {"swap_kb": 1048576}, "pageout-failed-with-swap"),
    ("fallocate on virtiofs", one(
        "R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile",
        "# fallocate() failed (Operation not supported)\n"
        "not ok 1 R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile"),
     "gup_longterm", {"fs": "virtiofs"}, "fs-no-fallocate"),
    ("fallocate EOPNOTSUPP on xfs is not the fs", one(
        "R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile",
        "# fallocate() failed (Operation not supported)\n"
        "not ok 1 R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile"),
     "gup_longterm", {"fs": "xfs"}, "unexplained-fail"),
    ("timeout", ("1..1\n# [RUN] Basic COW after fork() ... with base page\n"
                 "not ok 1 # TIMEOUT 45 seconds\n"),
     "cow", {}, "test-timeout"),
    ("bail out", "1..3\nBail out! opening pagemap failed\n", "cow", {}, "bail-out"),
    ("ENOSPC on hugetlb fallocate", one(
        "R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd hugetlb (2048 kB)",
        "ok 1 # SKIP need more free huge pages"), "gup_longterm", {},
     "hugetlb-not-reserved"),
    ("Unknown filesystem", one(
        "R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile",
        "ok 1 # SKIP Unknown filesystem"), "gup_longterm", {}, "unknown-filesystem"),
    ("NFS fallocate on 9p is 9p's lack of fallocate (9P2000.L has none)", one(
        "R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile",
        "# fallocate() failed (Operation not supported)\n"
        "not ok 1 R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile"),
     "gup_longterm", {"fs": "9p"}, "fs-no-fallocate"),
    ("ftruncate ENOENT on tmpfs is no environment", one(
        "R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile",
        "# ftruncate() failed (No such file or directory)\n"
        "not ok 1 R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile"),
     "gup_longterm", {"fs": "tmpfs"}, "unexplained-fail"),
]


@pytest.mark.parametrize(("tap", "suite", "env", "cause"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_rule(tap, suite, env, cause):
    assert cause_of(tap, suite, **env) == cause


def test_every_shipped_rule_has_a_reference_and_loads():
    rules = load_rules()
    assert len(rules) >= 15
    assert all(r.reference and r.action and r.explanation for r in rules)


def test_bad_rule_file_is_reported_with_its_name(tmp_path):
    (tmp_path / "x.toml").write_text('id = "x"\ncategory = "nonsense"\n')
    with pytest.raises(RuleError, match="x.toml"):
        load_rules(tmp_path)
    with pytest.raises(RuleError, match="unknown \\[when\\] keys"):
        parse_rule({"id": "y", "category": "env", "title": "t", "explanation": "e", "action": "a",
                    "reference": "r", "when": {"colour": "blue"}}, "y.toml")


def test_a_new_known_issue_needs_only_a_toml_file(tmp_path):
    (tmp_path / "mine.toml").write_text(
        'id = "my-cause"\ncategory = "known-issue"\ntitle = "t"\nreference = "https://example.org/1"\n'
        'explanation = "The {count_phrase} hit my issue."\naction = "wait"\n'
        '[when]\nstatus = ["fail"]\nmessage = "Leak from"\n')
    lines = [LogLine(1, "1..1", "m"), LogLine(2, "not ok 1 Leak from parent into child", "m")]
    report = triage([parse_lines(lines, "m", "cow")], Environment(), rules=load_rules(tmp_path))
    assert report.results[0].diagnosis.cause == "my-cause"
    assert report.verdict == "known-issue"


@pytest.mark.parametrize(("required", "env", "cause"), [
    (False, {}, "my-cause"),  # no version in the input: an ordinary range does not rule out
    (True, {}, "kernel-behaviour-fail"),  # ... a required one does
    (True, {"kernel_version": "6.1.0"}, "my-cause"),
    (True, {"kernel_version": "6.2.0"}, "kernel-behaviour-fail"),
])
def test_a_required_version_range_needs_the_version_in_the_input(tmp_path, required, env, cause):
    from harness.triage.versions import VersionRange

    shipped = Path(__file__).parents[1] / "harness" / "triage" / "rules"
    (tmp_path / "kbf.toml").write_text((shipped / "kernel-behaviour-fail.toml").read_text())
    (tmp_path / "mine.toml").write_text(
        'id = "my-cause"\ncategory = "known-issue"\ntitle = "t"\npriority = 50\n'
        'reference = "https://example.org/1"\nexplanation = "The {count_phrase} hit it."\n'
        'action = "wait"\n[when]\nstatus = ["fail"]\nmessage = "Leak from"\n'
        f'[version]\nfixed = "6.2"\nrequired = {str(required).lower()}\n')
    lines = [LogLine(1, "1..1", "m"), LogLine(2, "not ok 1 Leak from parent into child", "m")]
    report = triage([parse_lines(lines, "m", "cow")], Environment(**env),
                    rules=load_rules(tmp_path))
    assert report.results[0].diagnosis.cause == cause
    why = VersionRange(fixed="6.2", required=required).excludes(Environment(**env))
    assert why == ("the input does not say which kernel ran" if required and not env else
                   "the kernel (6.2.0) is 6.2 or later, where this was fixed" if env.get(
                       "kernel_version") == "6.2.0" else "")


def test_io_uring_skip_is_not_config_when_io_uring_worked_elsewhere():  # on tmpfs it should work
    tap = ("1..2\n# [RUN] io_uring fixed buffer with MAP_PRIVATE file mapping ... with memfd\n"
           "ok 1 Should have worked\n"
           "# [RUN] io_uring fixed buffer with MAP_SHARED file mapping ... with local tmpfile\n"
           "ok 2 # SKIP io_uring_register_buffers() failed\n")
    lines = [LogLine(i, t, "u.log") for i, t in enumerate(tap.splitlines(), 1)]
    report = triage([parse_lines(lines, "u.log", "gup_longterm")], Environment(fs="tmpfs"))
    skipped = report.results[1]
    assert skipped.diagnosis.cause == "unexplained-skip"
    explanation = skipped.diagnosis.explanation
    assert "#1" in explanation and "passed in the same run" in explanation


def test_io_uring_skip_on_xfs_shared_mapping_is_the_stale_errno_test_bug():
    tap = ("1..2\n# [RUN] io_uring fixed buffer with MAP_SHARED file mapping ... with memfd\n"
           "ok 1 Should have worked\n"
           "# [RUN] io_uring fixed buffer with MAP_SHARED file mapping ... with local tmpfile\n"
           "ok 2 # SKIP io_uring_register_buffers() failed\n")
    lines = [LogLine(i, t, "u.log") for i, t in enumerate(tap.splitlines(), 1)]
    report = triage([parse_lines(lines, "u.log", "gup_longterm")], Environment(fs="xfs"))
    assert report.results[1].diagnosis.cause == "iouring-stale-errno"
    assert report.verdict == "test-bug"
    on_tmpfs = triage([parse_lines(lines, "u.log", "gup_longterm")], Environment(fs="tmpfs"))
    assert on_tmpfs.results[1].diagnosis.cause == "unexplained-skip"


def test_madv_collapse_einval_on_a_fully_shared_range_is_the_known_limitation():
    tap = one("Basic COW after fork() when collapsing after fork() (fully shared)",
              "ok 1 # SKIP MADV_COLLAPSE failed: Invalid argument")
    assert cause_of(tap, "cow") == "madv-collapse-readonly"
    other = one("Basic COW after fork() when collapsing before fork()",
                "ok 1 # SKIP MADV_COLLAPSE failed: Invalid argument")
    assert cause_of(other, "cow") != "madv-collapse-readonly"


def test_every_rule_file_is_named_after_its_id():
    from importlib import resources

    folder = resources.files("harness.triage").joinpath("rules")
    for path in folder.iterdir():
        if path.name.endswith(".toml"):
            assert parse_rule(tomllib.loads(path.read_text()), path.name).id + ".toml" == path.name


def test_one_result_reads_singular_and_a_group_plural():
    tap = ("1..2\n# [RUN] Basic COW after fork() ... with swapped out base page\n"
           "ok 1 # SKIP MADV_PAGEOUT did not work, is swap enabled?\n"
           "# [RUN] Basic COW after fork() ... with swapped out THP (2048 kB)\n"
           "ok 2 # SKIP MADV_PAGEOUT did not work, is swap enabled?\n")
    lines = [LogLine(i, t, "s.log") for i, t in enumerate(tap.splitlines(), 1)]
    report = triage([parse_lines(lines, "s.log", "cow")], Environment(swap_kb=0))
    one = report.results[0].diagnosis.explanation
    assert one.startswith("The cow test #1 (Basic COW after fork() ... with swapped out base "
                          "page) was skipped because MADV_PAGEOUT")
    group = next(f for f in report.findings if f.cause == "swap-missing")
    assert group.explanation.startswith("The 2 cow tests were skipped because MADV_PAGEOUT")


def test_anomaly_and_crash_findings_come_from_rules(tmp_path):
    """A --rules directory of result rules only still reports the crash and the broken output,
    with the shipped rules for those."""
    (tmp_path / "mine.toml").write_text(
        'id = "my-cause"\ncategory = "known-issue"\ntitle = "t"\nreference = "r"\n'
        'explanation = "e"\naction = "a"\n[when]\nstatus = ["fail"]\n')
    tap = ("TAP version 13\n1..3\nok 1 first\nok 1 again\n"
           "BUG: kernel NULL pointer dereference, address: 0000000000000008\n")
    lines = [LogLine(i, t, "c.log") for i, t in enumerate(tap.splitlines(), 1)]
    report = triage([parse_lines(lines, "c.log", "cow")], Environment(), rules=load_rules(tmp_path))
    causes = {f.cause: f for f in report.findings}
    assert "output-duplicate-number" in causes and "kernel-oops" in causes
    assert causes["output-duplicate-number"].explanation == "cow: a test number repeats."
    assert causes["kernel-oops"].explanation.startswith(
        "The kernel reported 'BUG: kernel NULL pointer dereference, address: 0000000000000008'")


def test_a_segfault_is_the_process_rule_not_the_kernel_one():
    tap = "1..1\ncow[123]: segfault at 0 ip 0000 sp 0000 error 4 in cow\n"
    lines = [LogLine(i, t, "p.log") for i, t in enumerate(tap.splitlines(), 1)]
    report = triage([parse_lines(lines, "p.log", "cow")], Environment())
    assert [f.cause for f in report.findings if f.cause.startswith(("process", "kernel"))] == [
        "process-segfault"]
