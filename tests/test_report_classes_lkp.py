"""Classes of real reports held-out round 12-lkp (the kernel test robot, 0-DAY CI / LKP, on the
vm/mm selftests) got wrong, each tested on a second real robot text worded or laid out
differently from the report that showed it (tests/fixtures/reports/README.md, "Round 12-lkp";
the texts are in tests/fixtures/classes/, their sources in its README):

- `dmesg --decode`'s "kern  :warn  : " in front of the kernel lines the robot quotes is a
  capture prefix, and lockdep's/RCU's own headers ("WARNING: suspicious RCU usage", "WARNING:
  bad unlock balance detected!") are kernel crash lines like "WARNING: CPU: N";
- the commit the robot names ("we noticed ... due to commit", "kernel test robot noticed "..."
  on:", "[topic] <sha>: <stat>" in the Subject) is its bisect - unless that commit changes only
  a selftest;
- its statistics are results: `kernel-selftests.<group>.<test>.fail` in the Subject or the
  "noticed" line, the fail:runs comparison tables and the older "| stat | parent | commit |"
  table, whose kernel-log rows (BUG:..., WARNING:at_...) new on the commit are the crash.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.main import main

CLASSES = Path(__file__).parent / "fixtures" / "classes"


def triage(tmp_path: Path, name: str) -> dict:
    source = CLASSES / name
    text = tmp_path / name  # a copy: the report is written beside it, never into fixtures/
    text.write_bytes(source.read_bytes())
    out = tmp_path / "report.json"
    out.unlink(missing_ok=True)
    assert main(["triage", str(text), "--json", str(out)]) in (0, 1)
    return json.loads(out.read_text())


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


def test_dmesg_decode_prefix_is_taken_off_the_kernel_lines(tmp_path):
    # Oliver Sang's report on "mm: report per-page metadata information" v5 (kernel-selftests
    # group mm, <202311171013.fb3e52d3-oliver.sang@intel.com>, 2023-11-17): the WARNING is
    # quoted behind "kern :warn : " (spaces squeezed) and named with the robot's newer
    # 'kernel test robot noticed "..." on:' line.
    report = triage(tmp_path, "lkp-vmstat-warning-kmsg-decode.txt")
    assert report["verdict"] == "kernel-bug"
    crash = next(f for f in report["findings"] if f["category"] == "kernel-bug")
    assert crash["cause"] == "kernel-regression"  # the robot named the commit: its bisect
    quoted = " ".join(e["text"] for e in crash["evidence"])
    assert "WARNING: CPU: 30 PID: 16422 at mm/vmstat.c:393" in quoted
    assert "kern :warn :" not in quoted


def test_lockdep_headers_are_kernel_crash_lines(tmp_path):
    # The robot on Khalid Aziz's "mm/ptshare: Add page fault handling ..." RFC v2
    # (<202304292108.f44daa45-oliver.sang@intel.com>, 2023-04-29): "WARNING: bad unlock
    # balance detected!" from the userfaultfd selftest, printk stamps with a thread id.
    report = triage(tmp_path, "lkp-ptshare-bad-unlock-balance.txt")
    assert report["verdict"] == "kernel-bug"
    assert causes(report) == {"kernel-regression"}


def test_the_robots_old_parent_commit_table_is_its_crash_and_bisect(tmp_path):
    # Rong Chen's 0-DAY report on "mm: rework non-root kmem_cache lifecycle management" v4
    # (<20190523005858.GJ19312@shao2-debian>, 2019-05-23), the table without the console:
    # BUG:sleeping_function_called_... in 0 boots of the parent, 560 of the commit.
    report = triage(tmp_path, "lkp-slab-lifecycle-pipe-table.txt")
    assert report["verdict"] == "kernel-bug"
    assert causes(report) == {"kernel-regression"}
    crash = report["findings"][0]
    assert "BUG:sleeping_function_called_from_invalid_context_at_mm/slab.h" in \
        crash["evidence"][0]["text"]
    # rows already counted on the parent (boot failures, soft lockups) are not the commit's
    assert not any("soft_lockup" in e["text"] for e in crash["evidence"])


def test_a_fail_runs_table_row_is_a_result_and_a_selftest_commit_no_kernel_bisect(tmp_path):
    # Javier Carrasco's reply quoting the robot on "selftests: uevent filtering: fix return on
    # error in uevent_listener" (<415694cb-5041-41d7-9ff3-eb93a7730622@gmail.com>, 2023-10-26),
    # cut before the TAP output: ":50  30%  15:50  kernel-selftests.uevent...fail".
    report = triage(tmp_path, "lkp-uevent-fail-runs-quoted.txt")
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [(r["suite"], r["name"]) for r in failed] == [("uevent", "uevent_filtering")]
    assert "15 of 50 runs" in failed[0]["message"]
    # the commit the robot names changes only a selftest: its bisect is no kernel regression
    assert report["verdict"] != "kernel-bug"
    assert "kernel-regression" not in causes(report)


def test_a_stat_in_the_subject_is_a_result(tmp_path):
    # Ryan Roberts's first reply to the robot's "[linus:master] [selftests] 58e2847ad2:
    # kernel-selftests.openat2.resolve_test.fail" (<2a503271-0d44-40ae-8d13-65aba0345d4a@arm.com>,
    # 2023-09-12): no log at all, the statistic in the Subject and the quoted "noticed" line
    # (one failure, not two); the commit is "selftests: line buffer test program's stdout".
    report = triage(tmp_path, "lkp-openat2-subject-stat-reply.eml")
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [(r["suite"], r["name"]) for r in failed] == [("openat2", "resolve_test")]
    assert report["verdict"] == "unknown" and "kernel-regression" not in causes(report)


def test_a_robot_bisect_to_a_selftest_commit_does_not_make_a_crash_a_kernel_regression(
        tmp_path):
    # Jeff Xu's reply (2023-04-01) quoting the robot on "selftests/memfd: add tests for
    # MFD_NOEXEC_SEAL MFD_EXEC": run_fuse_test.sh aborted (exit=134) because memfd_test left
    # vm.memfd_noexec set - the test's bug. The crashed test stays a crashed process.
    report = triage(tmp_path, "lkp-memfd-selftest-commit-reply.txt")
    assert "kernel-regression" not in causes(report)
    assert report["verdict"] != "kernel-bug"
    assert any(r["status"] == "crash" for r in report["results"])
