"""Triage by scenario: each rule fires on its evidence and not on its look-alikes.

Fixtures are real output of gup_longterm/cow (6.12.117 sources) captured on this machine, in
QEMU guests or on the host with faults injected by strace; their headers say how.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.model import Category, Environment, LogLine, Status
from harness.readers.ingest import parse_file, parse_lines
from harness.triage.engine import triage

LOGS = Path(__file__).parent / "fixtures" / "logs"


def run(log: str, strace: str | None = None, **env: object):
    parsed = [parse_file(str(LOGS / log))]
    straces = [parse_file(str(LOGS / strace))] if strace else []
    return triage(parsed, Environment(**env), straces)


def causes(report) -> dict[str, tuple[str, int, str]]:
    return {f.cause: (f.category.value, f.count, f.confidence) for f in report.findings}


def by_cause(report, cause: str):
    return [r for r in report.results if r.diagnosis and r.diagnosis.cause == cause]


def test_clean_tmpfs_run_has_only_config_and_env_skips():
    report = run("host-tmpfs-gup_longterm.log", fs="tmpfs")
    assert report.verdict == "config"
    assert set(causes(report)) == {"gup-test-missing", "hugetlb-not-reserved"}
    assert report.summary.by_status == {"pass": 6, "skip": 44}


def test_9p_local_tmpfile_failures_are_env_with_strace_evidence():
    report = run("lead-strace-inject-9p-local-tmpfile.log",
                 "lead-strace-inject-9p-local-tmpfile.strace", fs="9p")
    assert causes(report)["9p-unlinked-file"] == ("env", 10, "high")
    failing = by_cause(report, "9p-unlinked-file")
    assert {r.config for r in failing} == {"local tmpfile"}
    assert all(r.errno == "ENOENT" and r.syscall == "ftruncate" for r in failing)
    evidence = [e.text for e in failing[0].diagnosis.evidence]
    assert any("ftruncate(3, 4096)" in t and "ENOENT" in t for t in evidence)
    assert any(t.startswith("not ok 3 ftruncate() failed") for t in evidence)
    # env for the 9p failures, but gup_test's absence (config) is the most severe category here
    assert report.verdict == "config"


def test_same_failure_on_memfd_is_not_blamed_on_9p():
    # ftruncate fails on every file, memfd included: that is not what a 9p server does.
    report = run("host-strace-inject-ftruncate-enoent.log",
                 "host-strace-inject-ftruncate-enoent.strace", fs="9p")
    assert "9p-unlinked-file" not in causes(report)
    local = [r for r in report.results if r.config == "local tmpfile"]
    assert all(r.diagnosis.category is Category.UNKNOWN for r in local)
    assert "memfd" in local[0].diagnosis.explanation
    assert report.verdict == "unknown"


def test_without_fs_or_strace_a_9p_looking_failure_stays_unknown():
    report = run("lead-strace-inject-9p-local-tmpfile.log")
    assert "9p-unlinked-file" not in causes(report)
    assert report.verdict == "unknown"


def test_without_fs_strace_unlink_sequence_gives_a_low_confidence_hypothesis():
    # Without --fs the unlink-then-fail sequence points at a filesystem that resolves files by
    # name - a 9p server among others (FUSE daemons, sandboxes): the general cause, not 9p's.
    report = run("lead-strace-inject-9p-local-tmpfile.log",
                 "lead-strace-inject-9p-local-tmpfile.strace")
    assert causes(report)["fs-unlinked-open-file"] == ("env", 10, "low")
    assert "9p-unlinked-file" not in causes(report)
    with_fs = run("lead-strace-inject-9p-local-tmpfile.log",
                  "lead-strace-inject-9p-local-tmpfile.strace", fs="9p")
    assert "9p-unlinked-file" in causes(with_fs)
    assert "fs-unlinked-open-file" not in causes(with_fs)


def test_fs_hint_supplies_the_errno_when_the_log_has_none():
    report = run("lead-strace-inject-9p-local-tmpfile.log", fs="9p")
    failing = by_cause(report, "9p-unlinked-file")
    assert len(failing) == 10
    assert failing[0].errno == "ENOENT" and failing[0].syscall_source == "fs hint"
    assert failing[0].diagnosis.confidence == "medium"


def test_nfs_fallocate_on_mainline_format():
    report = run("written-mainline-gup_longterm.log", fs="nfs")
    (r,) = by_cause(report, "nfs-no-fallocate")
    assert (r.number, r.errno, r.syscall_source) == (8, "EOPNOTSUPP", "diagnostic")
    assert r.diagnosis.confidence == "high"


def test_mainline_dodgy_fs_skip_is_9p_env():
    report = run("written-mainline-gup_longterm.log", fs="9p")
    (r,) = by_cause(report, "9p-dodgy-fs-skip")
    assert r.number == 3 and r.diagnosis.confidence == "high"
    # #8's fallocate EOPNOTSUPP on 9p: 9P2000.L has no allocate message, so v9fs has no
    # fallocate at all - the fs lacks the call, whatever the file's state
    assert "fs-no-fallocate" in causes(report)


def test_fallocate_eopnotsupp_on_every_file_is_not_nfs():
    report = run("host-strace-inject-fallocate-eopnotsupp.log",
                 "host-strace-inject-fallocate-eopnotsupp.strace", fs="nfs")
    assert "nfs-no-fallocate" not in causes(report)
    assert report.verdict == "unknown"


def test_fstatfs_failure_makes_unknown_filesystem_skips():
    report = run("host-strace-inject-fstatfs-eopnotsupp.log",
                 "host-strace-inject-fstatfs-eopnotsupp.strace")
    assert causes(report)["unknown-filesystem"][0] == "env"


def test_cow_on_a_host_without_swap_gup_test_or_hugepages():
    report = run("host-tmpfs-cow.log", swap_kb=0, gup_test=False)
    got = causes(report)
    assert got["swap-missing"] == ("env", got["swap-missing"][1], "high")
    assert got["gup-test-missing"][2] == "high"
    assert report.verdict == "config"


def test_gup_test_present_contradicts_the_skip_message():
    report = run("host-tmpfs-gup_longterm.log", gup_test=True)
    assert "gup-test-missing" not in causes(report)
    skipped = [r for r in report.results if r.message == "gup_test not available"]
    assert skipped and all(r.diagnosis.category is Category.UNKNOWN for r in skipped)
    assert "gup_test existed" in skipped[0].diagnosis.explanation


def test_free_hugepages_contradict_need_more_free_huge_pages():
    env = {"hugepages": {"2048kB": {"nr_hugepages": 64, "free_hugepages": 64},
                         "1048576kB": {"nr_hugepages": 0, "free_hugepages": 0}}}
    report = run("host-tmpfs-gup_longterm.log", **env)
    two_mb = [r for r in report.results if "(2048 kB)" in r.config and r.status is Status.SKIP]
    one_gb = [r for r in report.results if "(1048576 kB)" in r.config and r.status is Status.SKIP]
    assert all(r.diagnosis.category is Category.UNKNOWN for r in two_mb)
    assert all(r.diagnosis.cause == "hugetlb-not-reserved" and r.diagnosis.confidence == "high"
               for r in one_gb)


def test_kernel_oops_mid_test_is_a_kernel_bug():
    text = ("TAP version 13\n1..2\n# [RUN] Basic COW after fork() ... with THP (2048 kB)\n"
            "[   33.1] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
            "[   33.1] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
            "[   33.1] RIP: 0010:folio_add_anon_rmap+0x10\n")
    lines = [LogLine(i, t, "console.log") for i, t in enumerate(text.splitlines(), 1)]
    report = triage([parse_lines(lines, "console.log", "cow")], Environment(fs="xfs"))
    assert report.verdict == "kernel-bug"
    crashed = [r for r in report.results if r.status is Status.CRASH]
    assert crashed and crashed[0].diagnosis.cause == "kernel-crash"
    oops = [f for f in report.findings if f.cause == "kernel-oops"]
    assert oops and "NULL pointer" in oops[0].evidence[0].text


def test_truncated_output_is_not_called_env():
    text = ("TAP version 13\n1..3\n"
            "# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd\n"
            "ok 1 # SKIP gup_test not available\n"
            "# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with tmpfile\n")
    lines = [LogLine(i, t, "cut.log") for i, t in enumerate(text.splitlines(), 1)]
    report = triage([parse_lines(lines, "cut.log")], Environment())
    assert causes(report)["output-truncated"][0] == "kernel-bug"


def test_plan_mismatch_after_totals_is_a_test_bug():
    text = ("TAP version 13\n1..3\nok 1 a\nok 2 b\n# Planned tests != run tests (3 != 2)\n"
            "# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n")
    lines = [LogLine(i, t, "p.log") for i, t in enumerate(text.splitlines(), 1)]
    report = triage([parse_lines(lines, "p.log", "cow")], Environment())
    assert report.verdict == "test-bug"
    assert "plan-mismatch" in causes(report)


def test_hugetlb_vmsplice_xfail_is_a_known_issue():
    text = ("1..1\n# [RUN] vmsplice() + unmap in child ... with hugetlb (2048 kB)\n"
            "ok 1 # XFAIL Leak from parent into child\n"
            "# Totals: pass:0 fail:0 xfail:1 xpass:0 skip:0 error:0\n")
    lines = [LogLine(i, t, "x.log") for i, t in enumerate(text.splitlines(), 1)]
    report = triage([parse_lines(lines, "x.log", "cow")], Environment())
    assert causes(report) == {"hugetlb-vmsplice-cow": ("known-issue", 1, "high")}
    assert report.verdict == "known-issue"


def test_the_same_leak_on_anonymous_memory_is_not_the_known_issue():
    text = ("1..1\n# [RUN] vmsplice() + unmap in child ... with base page\n"
            "not ok 1 Leak from parent into child\n"
            "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n")
    lines = [LogLine(i, t, "x.log") for i, t in enumerate(text.splitlines(), 1)]
    report = triage([parse_lines(lines, "x.log", "cow")], Environment())
    assert report.verdict == "kernel-bug"  # a COW check failed: the kernel's, not the known issue
    assert causes(report) == {"kernel-behaviour-fail": ("kernel-bug", 1, "medium")}


def test_plain_strace_excerpt_without_tap(tmp_path):
    excerpt = tmp_path / "mail.txt"
    excerpt.write_text(
        'openat(AT_FDCWD, "gup_longterm.c_tmpfile_BLboOt", O_RDWR|O_CREAT|O_EXCL, 0600) = 3\n'
        'unlinkat(AT_FDCWD, "gup_longterm.c_tmpfile_BLboOt", 0) = 0\n'
        "fstatfs(3, 0xffffe505a840)              = -1 EOPNOTSUPP (Operation not supported)\n"
        "ftruncate(3, 4096)                      = -1 ENOENT (No such file or directory)\n")
    from harness.cli.main import main

    out = tmp_path / "r.json"
    assert main(["triage", str(excerpt), "--fs", "9p", "--json", str(out)]) == 0
    import json

    data = json.loads(out.read_text())
    assert {r["cause"] for r in data["results"]} == {"9p-unlinked-file"}
    assert {r["syscall"] for r in data["results"]} == {"fstatfs", "ftruncate"}


@pytest.mark.parametrize("log", sorted(p.name for p in LOGS.glob("*.log")))
def test_every_fixture_triages_and_explains_every_non_pass(log):
    report = run(log)
    for r in report.results:
        if r.status is not Status.PASS:
            assert r.diagnosis is not None and r.diagnosis.explanation


def test_unexplained_failure_on_an_older_kernel_names_the_version_gap():
    lines = [LogLine(1, "1..1", "o.log"),
             LogLine(2, "# [RUN] Basic COW after fork() ... with base page", "o.log"),
             LogLine(3, "not ok 1 Leak from parent into child", "o.log")]
    env = Environment(kernel_version="6.1.158", selftests_version="6.12.117")
    report = triage([parse_lines(lines, "o.log", "cow")], env)
    (r,) = report.results
    assert r.diagnosis.category is Category.UNKNOWN
    assert "newer than the kernel (6.1.158)" in r.diagnosis.explanation
    same = triage([parse_lines(lines, "o.log", "cow")],
                  Environment(kernel_version="6.12.117", selftests_version="6.12.117"))
    assert "newer than the kernel" not in same.results[0].diagnosis.explanation


def test_fs_evidence_quotes_the_mount_of_the_test_directory_only():
    mounts = [{"source": "tmpfs", "target": "/dev/shm", "fstype": "tmpfs", "options": "rw"},
              {"source": "harness9p", "target": "/mnt/harness", "fstype": "9p",
               "options": "rw,trans=virtio,cache=mmap"},
              {"source": "tmpfs", "target": "/tmp", "fstype": "tmpfs", "options": "rw"}]
    report = run("lead-strace-inject-9p-local-tmpfile.log", fs="9p", tmp_fs="tmpfs", mounts=mounts,
                 facts={"workdir": "/mnt/harness"})
    local = by_cause(report, "9p-unlinked-file")[0]
    quoted = [e.text for e in local.diagnosis.evidence if e.source == "/proc/mounts"]
    assert quoted == ["harness9p /mnt/harness 9p rw,trans=virtio,cache=mmap"]
    skipped = by_cause(report, "gup-test-missing")[0]
    assert not [e for e in skipped.diagnosis.evidence if e.source == "/proc/mounts"]


def test_an_unexplained_skip_is_said_in_the_headline_and_the_mail():
    from harness.report.mail import render_mail
    from harness.report.terminal import render_terminal

    lines = [LogLine(i, t, "s.log") for i, t in enumerate([
        "1..2", "# [RUN] Basic COW after fork() ... with THP (2048 kB)",
        "ok 1 No leak from parent into child",
        "# [RUN] Basic COW after fork() when collapsing before fork()",
        "ok 2 # SKIP MADV_COLLAPSE failed: Invalid argument"], 1)]
    report = triage([parse_lines(lines, "s.log", "cow")], Environment(fs="9p"))
    assert "1 skip unexplained" in render_terminal(report).splitlines()[0]
    assert "could hide a kernel problem: cow 2" in " ".join(render_mail(report).split())


def test_rules_remembered_per_kind_of_result_give_the_same_diagnosis_as_all_rules():
    """engine.RulesFor: results of one kind try the rules' patterns once; a result that
    differs in what a rule reads (here its diagnostic line) gets its own set, each set is
    exactly the rules that fit the result, and the 9p result is still explained."""
    from harness.model import Result
    from harness.triage.checks import RunIndex
    from harness.triage.engine import RulesFor, diagnose, fits_result
    from harness.triage.rules import About, load_rules

    rules = tuple(r for r in load_rules() if r.about is About.RESULT)
    name = "R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd hugetlb (2048 kB)"
    plain = [Result("gup_longterm", n, name, "memfd hugetlb (2048 kB)", Status.SKIP,
                    "need more free huge pages") for n in (1, 2)]
    traced = Result("gup_longterm", 3, name.replace("memfd hugetlb (2048 kB)", "tmpfile"),
                    "tmpfile", Status.FAIL, "ftruncate() failed",
                    diagnostics=[LogLine(9, "# ftruncate() failed: No such file or directory")],
                    syscall="ftruncate", errno="ENOENT")
    fitting = RulesFor(rules)
    assert fitting(plain[0]) is fitting(plain[1])  # one kind, tried once
    assert fitting(traced) != fitting(plain[0])
    env = Environment(fs="9p", tmp_fs="9p")
    index = RunIndex.build(plain + [traced], set())
    for r in plain + [traced]:
        assert fitting(r) == tuple(rule for rule in rules if fits_result(rule, r))
    assert diagnose(traced, env, fitting(traced), index).category is Category.ENV


@pytest.mark.parametrize("line", [
    # gup_test.c since 5.11 (perror, later ksft_print_msg "failed to open %s: %s")
    "failed to open /sys/kernel/debug/gup_test: No such file or directory",
    "# # failed to open /sys/kernel/debug/gup_test: No such file or directory",
])
def test_gup_test_file_missing_is_config_gup_test_in_every_wording(line, tmp_path):
    from tests.test_report_classes import triage_read

    report = triage_read(tmp_path, f"$ sudo ./gup_test -u\n{line}\n")
    assert {r["cause"] for r in report["results"] if r["status"] != "pass"} == {
        "gup-test-missing"}


def test_an_strace_whose_calls_all_succeeded_but_read_back_nothing_is_not_clean(tmp_path):
    """Round 15-final: an annotated strace whose failure is an empty read ('read(5, "", 8192)
    = 0 ... THIS IS BAD, NO CONTENTS', a 9p /tmp in vmtest, a kernel bug) was called clean.
    Since round 20-strace the empty read after a write is the failure itself: the write lost
    by the filesystem's kernel client (rule stale-read-after-write), said in a note."""
    from tests.test_report_classes import triage_read

    fixture = (Path(__file__).parent / "fixtures" / "reports"
               / "vmtest-9p-tmp-read-after-write-empty-strace-reply.txt")
    report = triage_read(tmp_path, fixture.read_text())
    assert report["verdict"] == "kernel-bug"
    assert {f["cause"] for f in report["findings"]} == {"kernel-behaviour-fail"}
    assert any("came back empty" in n for n in report["environment"]["notes"])
