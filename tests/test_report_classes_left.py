"""Issue 7's leftovers, each a class with a real text:

- /tmp's filesystem: a 'tmpfile' case's file is in /tmp, not in the working directory. With
  only --fs given, /tmp is taken to be on it too (a 9p- or NFS-root machine), unless the run
  shows otherwise; an unexplained 'tmpfile' failure says that --tmp-fs is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.main import main

LOGS = Path(__file__).parent / "fixtures" / "logs"
REPORTS = Path(__file__).parent / "fixtures" / "reports"
# harness run --fs 9p --fs-scope root: / (and so /tmp) on the 9p share, 20 ftruncate failures
NINEP_ROOT = LOGS / "qemu-x86_64-9p-root-gup_longterm.log"


def triage_file(tmp_path: Path, log: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    out.unlink(missing_ok=True)
    code = main(["triage", str(log), "--json", str(out), *args])
    return code, json.loads(out.read_text())


def triage_text(tmp_path: Path, text: str, *args: str) -> tuple[int, dict]:
    log = tmp_path / "report.txt"
    log.write_text(text)
    return triage_file(tmp_path, log, *args)


def causes(report: dict, config: str) -> set[str]:
    return {r["cause"] for r in report["results"] if r["config"] == config
            and r["status"] == "fail"}


def test_a_9p_root_run_with_only_fs_names_the_9p_cause_for_the_tmpfile_cases_too(tmp_path):
    code, report = triage_file(tmp_path, NINEP_ROOT, "--fs", "9p")
    assert code == 0 and report["verdict"] == "env"
    assert causes(report, "tmpfile") == causes(report, "local tmpfile") == {"9p-unlinked-file"}
    assert len([r for r in report["results"] if r["status"] == "fail"]) == 20
    # the assumption is said, not hidden
    assert report["environment"]["facts"]["tmp_fs_assumed"] == "9p"
    assert any("/tmp taken to be on 9p" in n for n in report["environment"]["notes"])
    tmpfile = next(r for r in report["results"] if r["config"] == "tmpfile")
    assert "--tmp-fs" in tmpfile["explanation"] and tmpfile["confidence"] == "low"


def test_an_excerpt_of_tmpfile_failures_with_only_fs_9p_is_9p_and_says_so_in_the_reply(tmp_path):
    lines = NINEP_ROOT.read_text().splitlines()
    start = lines.index("# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with tmpfile")
    excerpt = "\n".join(lines[start:start + 2]) + "\n"  # '... with tmpfile' / 'not ok 2 ...'
    code, report = triage_text(tmp_path, excerpt, "--fs", "9p")
    assert code == 0 and causes(report, "tmpfile") == {"9p-unlinked-file"}
    mail = tmp_path / "reply.txt"
    main(["triage", str(tmp_path / "report.txt"), "--fs", "9p", "--mail", str(mail)])
    assert "/tmp is taken to be on it too" in " ".join(mail.read_text().split())


def test_without_any_filesystem_the_unknown_says_which_option_is_missing(tmp_path):
    lines = NINEP_ROOT.read_text().splitlines()
    start = lines.index("# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with tmpfile")
    code, report = triage_text(tmp_path, "\n".join(lines[start:start + 4]) + "\n")
    assert code == 1
    finding = next(f for f in report["findings"] if f["category"] == "unknown")
    assert "pass --tmp-fs" in finding["explanation"] and "pass --fs" in finding["explanation"]


def test_a_passing_local_tmpfile_case_says_tmp_is_elsewhere_and_keeps_it_unknown(tmp_path):
    # the seed thread's attachment (FVP, 9p work dir): 'local tmpfile' failed, 'tmpfile' passed
    seed = (REPORTS / "gup-longterm-fvp-9p-run-vmtests-attachment.txt").read_text()
    code, report = triage_text(tmp_path, seed, "--fs", "9p")
    assert code == 0 and causes(report, "local tmpfile") == {"9p-unlinked-file"}
    assert "tmp_fs_assumed" not in report["environment"].get("facts", {})
    # the same test's 'tmpfile' case failing where its 'local tmpfile' case on 9p passed:
    # /tmp is not the 9p share, and nothing says what it is
    text = ("# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with tmpfile\n"
            "not ok 2 ftruncate() failed\n"
            "# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile\n"
            "ok 3 Should have worked\n")
    code, report = triage_text(tmp_path, text, "--fs", "9p")
    assert code == 1 and causes(report, "tmpfile") == {"unexplained-fail"}
    explanation = next(r for r in report["results"] if r["number"] == 2)["explanation"]
    assert "pass --tmp-fs" in explanation and "(#3), on 9p, passed" in explanation
    assert any("pass --tmp-fs" in n for n in report["environment"]["notes"])  # the terminal's
    # and --tmp-fs decides
    code, report = triage_text(tmp_path, text, "--fs", "9p", "--tmp-fs", "9p")
    assert code == 0 and causes(report, "tmpfile") == {"9p-unlinked-file"}


# Sun Jian's reply (linux-kselftest, 2026-01-09; the corpus's
# run-vmtests-wrong-cwd-false-failures-reply.txt): his client broke the sentence at 80
# columns; a 72-column wrap on the way cuts "resolved" off on a line of its own.
WRONG_CWD_WRAPPED = """\
This currently results in false failures because relative paths being
resolved
against the caller's cwd instead of the script directory.
"""


def test_a_short_tail_cut_by_a_second_wrap_does_not_end_the_writers_line(tmp_path):
    code, report = triage_text(tmp_path, WRONG_CWD_WRAPPED)
    assert code == 0  # was refused: "being resolved" read as a failure dealt with
    [failed] = [r for r in report["results"] if r["status"] == "fail"]
    assert failed["message"].endswith("resolved against the caller's cwd instead of the "
                                      "script directory.")
    assert failed["cause"] == "runner-wrong-directory"
    # a table's row under a joined line ("... ENOENT (2) Summary:" / "passed   0" /
    # "failed   0", LTP's cachestat03 pull request, 2026) is no wrap's tail: the rows stay apart
    code, report = triage_file(tmp_path, REPORTS / "ltp-cachestat03-no-compaction-tbrok.txt")
    assert code == 0 and report["verdict"] == "config"
    # a tail that ends with ':' still ends the line: the line under it stays its own
    _, report = triage_text(tmp_path, "The two binaries below fail to start on the new rootfs "
                            "image we built\ntoday:\n  cow: error while loading shared "
                            "libraries: libc.so.6\n")
    assert [r["message"] for r in report["results"]] == [
        "cow: error while loading shared libraries: libc.so.6"]


def test_a_crash_finding_quotes_the_kernels_words_without_console_stamps(tmp_path):
    # 0-day's dmesg (kern  :warn  : [  181.942648] WARNING: ...) and a console's printk stamp
    _, report = triage_file(tmp_path, REPORTS / "lkp-hmm-tests-hugetlb-walk-rcu-warning.txt")
    [finding] = report["findings"]
    assert "'WARNING: suspicious RCU usage'" in finding["explanation"]
    _, report = triage_file(tmp_path,
                            REPORTS / "pagemap-ioctl-hugetlb-uffd-wp-warning-thread.mbox")
    warning = next(f for f in report["findings"] if f["cause"] == "kernel-warning")
    assert "'WARNING: CPU: 0 PID: 175 at" in warning["explanation"]
    assert "10.087758" not in warning["explanation"]
    # the evidence keeps the lines as they were
    assert any("10.087758" in e["text"] for e in warning["evidence"])


# A TCG boot's int3, as the harness's console shows it before it boots again (the lines of
# tests/test_console.py's boot crash; README "Oops: int3 in sched_clock_tick").
TCG_INT3 = """\
[    2.913001] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI
[    2.913512] CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.12.118+deb12-amd64 #1
[    2.914020] RIP: 0010:sched_clock_cpu+0x5/0x10
TAP version 13
1..2
ok 1 Should have worked
ok 2 Should have worked
"""


def test_a_tcg_boot_int3_the_run_went_past_is_the_emulator_not_the_kernel(tmp_path):
    from harness.model import Environment
    from harness.readers.ingest import parse_file
    from harness.triage.engine import triage

    log = tmp_path / "console.log"
    log.write_text(TCG_INT3)
    for accel, category in (("tcg", "env"), ("kvm", "kernel-bug"), (None, "kernel-bug")):
        report = triage([parse_file(str(log), "gup_longterm")], Environment(accel=accel))
        assert report.verdict.value == category, accel
        [finding] = report.findings
        assert finding.cause == ("tcg-boot-int3" if accel == "tcg" else "kernel-oops")
    # an int3 that ended the run (no result after it) stays the kernel's, TCG or not
    log.write_text(TCG_INT3.split("TAP version")[0])
    report = triage([parse_file(str(log), "gup_longterm")], Environment(accel="tcg"))
    assert {f.cause for f in report.findings} == {"kernel-oops"}


def test_a_failure_in_the_process_the_kernel_warned_in_says_so(tmp_path):
    # Muhammad Usama Anjum's pagemap_ioctl run (linux-mm, 2023-03-23): 'not ok 4 Hugetlb mem
    # testing ...' and, in the same message, the kernel's WARNING with 'Comm: pagemap_ioctl'
    _, report = triage_file(tmp_path, REPORTS / "pagemap-ioctl-hugetlb-uffd-wp-warning-thread.mbox")
    [failed] = [r for r in report["results"] if r["status"] == "fail"]
    assert failed["category"] == "unknown"
    assert "While it ran, the kernel reported 'WARNING: CPU: 0 PID: 175 at" \
        in failed["explanation"]
    # a warning in another process is not that test's
    other = (REPORTS / "pagemap-ioctl-hugetlb-uffd-wp-warning-thread.mbox").read_text() \
        .replace("Comm: pagemap_ioctl", "Comm: kworker/0:1")
    log = tmp_path / "other.mbox"
    log.write_text(other)
    _, report = triage_file(tmp_path, log)
    [failed] = [r for r in report["results"] if r["status"] == "fail"]
    assert "While it ran" not in failed["explanation"]
