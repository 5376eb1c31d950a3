"""A patch to another test suite's own files is a fix to the test, not to the kernel.

Round 12-fs's confident wrong answer: Petr Vorel's LTP fanotify15 patch (its diffstat lists only
``testcases/kernel/syscalls/fanotify/fanotify15.c``, and it has a ``Fixes:`` tag to an LTP
commit) was read as "the author's patch changes only the kernel" because the path has
``kernel/`` in it - kernel-bug for a test that broke instead of skipping on exfat/ntfs. LTP's
``testcases/``, ``runtest/`` and ``lib/tst_*``, and xfstests' ``tests/<fs>/NNN`` and
``common/`` are test-suite files like ``tools/testing/selftests/``.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage_read

ROOT = Path(__file__).parent / "fixtures"


def triage(path: Path, tmp_path: Path) -> dict:
    return triage_read(tmp_path, path.read_text())


def causes(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


def test_an_ltp_patch_that_says_its_test_fails_is_the_tests_fix(tmp_path):
    # Jan Stancek, ltp list, 2021-09-21: "The test intermittently fails on ppc64le, when heap
    # happens to overlap with segment that the test is trying to attach at 1GB boundary. Let
    # the kernel find suitable address." - a patch to testcases/kernel/mem/hugetlb/ only
    # (unknown before: a patch outside tools/testing/selftests was no test fix).
    report = triage(ROOT / "classes/ltp-hugeshmat04-attach-address-patch.txt", tmp_path)
    assert report["verdict"] == "test-bug"
    assert causes(report) == {("test-bug", "selftest-logic-bug")}


def test_the_ltp_fanotify15_fix_is_not_a_kernel_fix(tmp_path):
    report = triage(ROOT / "reports/ltp-fanotify15-exfat-ntfs-eopnotsupp-patch.txt", tmp_path)
    assert report["verdict"] == "test-bug"
    assert ("kernel-bug", "kernel-behaviour-fail") not in causes(report)
