"""Classes of whole threads (mbox) that the engine missed: session 13's held-out thread miss,
the corpus's confident wrong threads, and the held-out round 24-thread
(tests/fixtures/reports/README.md), each tested on the corpus's thread and on a real text worded
differently:

- a kernel crash a reply quotes under a CI report whose failed entry has no log: the entry on
  the crash's architecture failed because of it (``triage.crash_ci_ties``). CKI's "❌ LTP" on
  s390x with Jan Stancek's quoted "addressing exception: 0005 ilc:2 [#1] SMP ... Comm: read_all"
  and "Fix has already been posted" (stable-queue 5.5.7, 2020); CKI's "❌ LTP lite" on x86_64
  with "general protection fault: 0000 [#1] SMP PTI ... Comm: read_all" under "@CKI: You should
  update your LTP, in new one this test skips debugfs" (mainline 5.4.0-rc7, 2019). The fix's
  wording does not matter: neither a posted kernel fix nor a workaround in a newer test makes
  the kernel's crash anything but the kernel's, and the CI's waiver of another entry does not
  make the crashed one a known issue. An entry of another architecture (the ppc64le boot test
  in the same report) is not tied.
- a cgroup controller the root's cgroup.subtree_control does not enable, said with the words
  of a missing kernel option ("If the 'memory' controller isn't set, all test cases will be
  failed", test_memcontrol, 2019; "the memory controller may not be enabled in the test root
  cgroup's subtree_control", test_hugetlb_memcg, 2026), is a setting the selftest makes itself,
  not the kernel's configuration (``statements.RUNTIME_SETTING``).
- the kernel's panic out of memory with nothing it could kill ("Kernel panic - not syncing:
  System is deadlocked on memory", LTP oom02 on a vendor 4.19 whose maintainer would not call
  it "a Kernel or LTP defect", 2023; a Pi 3 A+ booting pislide-os, 2026; "Out of memory and no
  killable processes") is the memory load against the machine, not a crash of the kernel's code:
  unknown (rule ``oom-panic``), never kernel-oops.
"""

from __future__ import annotations

from pathlib import Path

from harness.model import LogLine
from harness.readers.statements import NOT_ENABLED, RUNTIME_SETTING
from harness.triage.crash_ci_ties import crash_arch
from tests.test_report_classes import triage_file as triage

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLASSES = Path(__file__).parent / "fixtures" / "classes"


def failed(report: dict, name: str, arch: str) -> list[tuple[str, str]]:
    return [(r["category"], r["cause"]) for r in report["results"]
            if r["name"] == name and r["config"].startswith(arch) and r["status"] != "pass"]


def test_a_quoted_oops_under_a_ci_report_is_its_failed_entrys_with_the_fix_posted():
    report = triage(REPORTS / "cki-stable-queue-5.5.7-ltp-s390x-read-all-psi-oops-thread.mbox",
                    "--kernel-version", "5.5.7")
    assert failed(report, "LTP", "s390x") == [("kernel-bug", "kernel-oops")]
    # the boot test that failed on ppc64le is not the s390x crash's
    assert ("kernel-bug", "kernel-oops") not in failed(report, "Boot test", "ppc64le")
    # the crash is told once: as the entry's, not again between tests
    oops = [f for f in report["findings"] if f["cause"] == "kernel-oops"]
    assert len(oops) == 1 and oops[0]["tests"] != ["(between tests)"]


def test_a_quoted_gpf_under_a_ci_report_stays_the_kernels_when_a_newer_test_avoids_it():
    report = triage(REPORTS / "cki-mainline-5.4.0-rc7-ltp-read-all-debugfs-component-gpf-"
                    "thread.mbox", "--kernel-version", "5.4.0")
    assert failed(report, "LTP lite", "x86_64") == [("kernel-bug", "kernel-oops")]
    assert report["verdict"] == "kernel-bug"


def lines(*texts: str) -> list[LogLine]:
    return [LogLine(i, t, "message 2") for i, t in enumerate(texts, 1)]


def test_the_crashs_architecture_is_read_from_its_register_dump():
    # s390x (Jan Stancek, 2020), x86_64 (Murphy Zhou's bfq oops, CKI 5.5.11, 2020), arm64
    # (LKFT's loop_free_idle_workers, next-20250214)
    assert crash_arch(lines("[  437.397497] Krnl PSW : 0704e00180000000 00000000bbf4e508 "
                            "(collect_percpu_times+0xd0/0x240)")) == "s390"
    assert crash_arch(lines("[  247.675506] RIP: 0010:bfq_bfqq_move+0x21/0x160")) == "x86_64"
    assert crash_arch(lines("<4>[  224.424677] pc : loop_free_idle_workers "
                            "(include/linux/list.h:195")) == "aarch64"
    assert crash_arch(lines("[  247.649292] CPU: 2 PID: 1897 Comm: kworker/2:40")) == ""


def test_a_cgroup_controller_not_enabled_is_the_tests_setup_not_a_kernel_option():
    # Alex Shi's test_memcontrol fix (2019): "If the 'memory' controller isn't set, all test
    # cases will be failed as following:" - the selftest then enables it itself
    assert verdict("cgroup-test-memcontrol-root-subtree-control-unset-selftest-fix-thread") == (
        "test-bug", "selftest-logic-bug")
    # test_hugetlb_memcg (2026): "the memory controller may not be enabled in the test root
    # cgroup's subtree_control"
    report = triage(CLASSES / "cgroup-test-hugetlb-memcg-memory-controller-not-in-subtree-"
                    "control-thread.mbox")
    assert report["verdict"] == "test-bug"
    # a kernel feature the build left out stays a kernel option ("If uprobes are not enabled,
    # the test currently fails with:")
    found = NOT_ENABLED.search("If uprobes are not enabled, the test currently fails with:")
    assert found and not RUNTIME_SETTING.search(found.group(0))
    found = NOT_ENABLED.search("If the 'memory' controller isn't set, all test cases will be "
                               "failed as following:")
    assert found and RUNTIME_SETTING.search(found.group(0))


def verdict(name: str) -> tuple[str, str]:
    report = triage(REPORTS / f"{name}.mbox")
    worst = report["findings"][0]
    return worst["category"], worst["cause"]


def test_a_panic_out_of_memory_with_nothing_to_kill_is_no_kernel_oops():
    report = triage(REPORTS / "ltp-oom02-kernel-restart-oom-reaper-mlock-thread.mbox")
    assert report["verdict"] == "unknown"
    assert {f["cause"] for f in report["findings"]} == {"oom-panic"}
    report = triage(CLASSES / "pislide-os-pi3-boot-deadlocked-on-memory-issue.txt")
    assert report["verdict"] == "unknown"
    assert "kernel-oops" not in {f["cause"] for f in report["findings"]}
