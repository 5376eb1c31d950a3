"""Known mm selftest bugs, named from the failure they print - and only where their wording and
their versions fit (harness/triage/rules/*.toml with [version] / [[version]] data).

Each entry is tested on the real text that quoted the failure (its source in a comment), in its
version range (named), outside it (not named: the result stays what it was without the entry),
and without a version in the input (a deliberate choice per entry: named one confidence level
lower, or by a fingerprint that needs no version).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report_classes import triage_read as triage

from harness.errors import RuleError
from harness.model import Environment
from harness.triage.versions import Versions

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def failed(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["status"] == "fail" and r["number"]]


# Baolin Wang, "[PATCH v2 1/2] selftests: khugepaged: fix the shmem collapse failure",
# linux-kselftest 2025-06-13, Message-ID
# <d8502fc50d0304c2afd27ced062b1d636b7a872e.1749779183.git.baolin.wang@linux.alibaba.com>
# (lfdr.de mirror commit aacf3eec42): the output its commit message quotes, lines 4-13 of the
# decoded body, unmodified. Fixes: 2b0f922323cc; reviewed by Zi Yan.
KHUGEPAGED_SHMEM = """\
Run test: collapse_full (khugepaged:shmem)
Collapse multiple fully populated PTE table.... Fail
...
Run test: collapse_single_pte_entry (khugepaged:shmem)
Collapse PTE table with single PTE entry present.... Fail
...
Run test: collapse_full_of_compound (khugepaged:shmem)
Allocate huge page... OK
Split huge page leaving single PTE page table full of compound pages... OK
Collapse PTE table full of compound pages.... Fail
"""


def test_khugepaged_shmem_collapse_fail_in_range_is_the_selftest_bug(tmp_path):
    report = triage(tmp_path, KHUGEPAGED_SHMEM, "--kernel-version", "6.15.2")
    fails = failed(report)
    assert [r["name"] for r in fails] == [
        "Collapse multiple fully populated PTE table",
        "Collapse PTE table with single PTE entry present",
        "Collapse PTE table full of compound pages"]
    assert {r["config"] for r in fails} == {"khugepaged:shmem"}
    assert {(r["category"], r["cause"], r["confidence"]) for r in fails} == {
        ("test-bug", "selftest-logic-bug", "medium")}
    assert report["verdict"] == "test-bug"
    text = fails[0]["explanation"]
    assert "2b0f922323cc" in text and "khugepaged-shmem-nohugepage-refault" in text
    assert "Known in kernels from 6.12" in text and "selftests until 6.17" in text
    assert "this run: kernel 6.15.2" in text


def test_khugepaged_shmem_on_the_stable_series_the_change_reached(tmp_path):
    fails = failed(triage(tmp_path, KHUGEPAGED_SHMEM, "--kernel-version", "6.11.6"))
    assert {(r["cause"], r["confidence"]) for r in fails} == {("selftest-logic-bug", "medium")}
    assert "(stable: in 6.11.6)" in fails[0]["explanation"]
    # a 6.11 kernel whose stable release is not said: named, less sure, and said why
    fails = failed(triage(tmp_path, KHUGEPAGED_SHMEM, "--kernel-version", "6.11"))
    assert {(r["cause"], r["confidence"]) for r in fails} == {("selftest-logic-bug", "low")}
    assert "does not say which 6.11 stable release ran" in fails[0]["explanation"]


def test_khugepaged_shmem_without_a_version_is_named_less_sure(tmp_path):
    fails = failed(triage(tmp_path, KHUGEPAGED_SHMEM))
    assert {(r["cause"], r["confidence"]) for r in fails} == {("selftest-logic-bug", "low")}
    assert "the input does not say which kernel ran" in fails[0]["explanation"]


@pytest.mark.parametrize("versions", [
    ("--kernel-version", "6.11.5"),  # before 2b0f922323cc: the refault still maps the PMD
    ("--kernel-version", "6.6.60"),  # a series it did not reach (as far as known)
    ("--kernel-version", "6.17.1"),  # selftests of the same tree have the fix
    ("--kernel-version", "6.15", "--selftests-version", "6.17"),
])
def test_khugepaged_shmem_collapse_fail_out_of_range_is_not_named(tmp_path, versions):
    fails = failed(triage(tmp_path, KHUGEPAGED_SHMEM, *versions))
    assert len(fails) == 3
    assert {(r["category"], r["cause"]) for r in fails} == {("unknown", "unexplained-fail")}
    assert "shmem collapse cases fail on the refault" in fails[0]["explanation"]  # ruled out


# Mario Casquero, "Re: [PATCH 1/2] selftests: khugepaged: fix the shmem collapse failure",
# linux-kselftest 2025-06-20 (lfdr.de mirror commit 6f94cfb31d): the same cases passing with
# the fix, lines 3-18 of the decoded body, unmodified.
KHUGEPAGED_SHMEM_FIXED = """\
# ./khugepaged khugepaged:shmem
Save THP and khugepaged settings... OK
Allocate huge page on fault... OK
Split huge PMD on MADV_DONTNEED... OK

Run test: collapse_full (khugepaged:shmem)
Collapse multiple fully populated PTE table.... OK

Run test: collapse_single_pte_entry (khugepaged:shmem)
Collapse PTE table with single PTE entry present.... OK

Run test: collapse_full_of_compound (khugepaged:shmem)
Allocate huge page... OK
Split huge page leaving single PTE page table full of compound pages... OK
Collapse PTE table full of compound pages.... OK
Restore THP and khugepaged settings... OK
"""


def test_khugepaged_shmem_passing_is_clean(tmp_path):
    report = triage(tmp_path, KHUGEPAGED_SHMEM_FIXED, "--kernel-version", "6.16")
    assert report["verdict"] == "clean" and not report["findings"]
    assert {r["suite"] for r in report["results"]} == {"khugepaged"}
    assert {r["config"] for r in report["results"] if r["name"].startswith("Collapse")} == {
        "khugepaged:shmem"}


def test_khugepaged_fail_without_its_shmem_header_is_not_named(tmp_path):
    # Kirill A. Shutemov's reply to Zi Yan (2020, tests/fixtures/reports/khugepaged-2020-...):
    # "Collapse fully populated PTE table.... Fail" with no "Run test: ... (khugepaged:shmem)".
    text = (REPORTS / "khugepaged-2020-mangled-source-hypothesis.txt").read_text()
    fails = failed(triage(tmp_path, text, "--kernel-version", "6.15"))
    assert fails and {r["cause"] for r in fails} == {"unexplained-fail"}


# Donet Tom, "Re: [PATCH] selftests/mm: hugetlb_dio: Check for initial conditions to skip in the
# start", linux-kselftest 2024-11-08, Message-ID <13a96176-1bfa-4567-8ce5-a2b75b110afc@linux.
# ibm.com> (tests/fixtures/reports/hugetlb-dio-free-count-test-regression.txt, lines 87-101,
# his re-paste): the selftest's own bug - it no longer read the free count before the test.
DIO_UNREAD = "\n".join(
    (REPORTS / "hugetlb-dio-free-count-test-regression.txt").read_text().splitlines()[86:101])
# Donet Tom, "[PATCH] selftests: mm: Add a test for hugetlb_dio" (2024-05-23, tests/fixtures/
# reports/hugetlb-dio-bio-release-leak.txt): the same verdict from the kernel's real leak
# (1b151e2435fc, fixed by 38b43539d64b) - "before 7, after 6".
DIO_LEAK = (REPORTS / "hugetlb-dio-bio-release-leak.txt").read_text().split(
    "Fail Scenario (Without the fix)")[1].split("Test Result  PASS")[0]


def test_hugetlb_dio_not_freed_from_an_unread_count_is_the_selftest_bug(tmp_path):
    assert DIO_UNREAD.startswith("TAP version 13") and "Totals: pass:0 fail:4" in DIO_UNREAD
    report = triage(tmp_path, DIO_UNREAD)
    fails = failed(report)
    assert len(fails) == 4
    # a bare TAP paste: its Totals line's 4 failures are the 4 shown, not 4 more "not shown"
    assert report["verdict"] == "test-bug" and len(report["findings"]) == 1
    assert {(r["category"], r["cause"], r["confidence"]) for r in fails} == {
        ("test-bug", "selftest-logic-bug", "high")}
    assert "hugetlb-dio-free-count-unread" in fails[0]["explanation"]


def test_hugetlb_dio_real_leak_is_still_the_kernels(tmp_path):
    assert "not ok 4 : Huge pages not freed!" in DIO_LEAK
    fails = failed(triage(tmp_path, DIO_LEAK))
    assert [(r["number"], r["category"], r["cause"]) for r in fails] == [
        (4, "kernel-bug", "kernel-behaviour-fail")]


def test_several_version_ranges_must_all_hold():
    versions = Versions.from_toml([
        {"of": "kernel", "introduced": "6.12", "unnamed": "lower"},
        {"of": "selftests", "fixed": "6.16"}], "t")
    assert versions is not None
    inside = Environment(kernel_version="6.14.3")
    assert versions.excludes(inside) == "" and versions.unsure(inside) == []
    assert "predates 6.12" in versions.excludes(Environment(kernel_version="6.6.1"))
    newer = Environment(kernel_version="6.14.3", selftests_version="6.17")
    assert "are 6.16 or later" in versions.excludes(newer)
    assert versions.ran(newer) == "kernel 6.14.3, selftests 6.17"
    assert versions.unsure(Environment()) == [(
        "the input does not say which kernel ran (this is known in kernels from 6.12 and not "
        "fixed)")]
    assert versions.describe() == "kernels from 6.12 and not fixed and selftests until 6.16"


def test_bad_version_data_is_refused():
    with pytest.raises(RuleError, match="unnamed must be"):
        Versions.from_toml({"fixed": "6.2", "unnamed": "maybe"}, "t")
    with pytest.raises(RuleError, match="table or an array of tables"):
        Versions.from_toml(["6.2"], "t")  # type: ignore[list-item]


# Breno Leitao, "[PATCH v2 2/2] selftests/mm: Add a new test for madv and hugetlb", linux-
# kselftest 2023-10-05 (tests/fixtures/reports/hugetlb-fault-after-madv-sigbus.txt): run_vmtests'
# view of the process killed by SIGBUS, on a kernel without Rik van Riel's fix.
BRENO = (REPORTS / "hugetlb-fault-after-madv-sigbus.txt").read_text()
# David Hildenbrand, "[PATCH v1 2/2] selftests/mm: hugetlb_fault_after_madv: improve test
# output", linux-kselftest 2024-09-26, Message-ID <20240926152044.2205129-3-david@redhat.com>
# (lfdr.de mirror commit a4f05d4f99): the wording since then (the test catches SIGBUS), lines
# 14-18 of the decoded body ("On a failure:"), unmodified.
DAVID_FAILURE = """\
  $ ./hugetlb_fault_after_madv
  TAP version 13
  1..1
  not ok 1 SIGBUS behavior
  Bail out! 1 out of 1 tests failed
"""
# ... and its lines 6-11 ("With unsuitable hugetlb page count:": a skip, nothing to name).
DAVID_SKIP = """\
  $ ./hugetlb_fault_after_madv
  TAP version 13
  1..1
  # [INFO] detected default hugetlb page size: 2048 KiB
  ok 2 # SKIP This test needs one and only one page to execute. Got 0
  # Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0
"""


def crashed_or_failed(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["status"] in ("fail", "crash") and r["number"]]


@pytest.mark.parametrize("text", [BRENO, DAVID_FAILURE], ids=["bus-error", "sigbus-behavior"])
def test_hugetlb_fault_after_madv_sigbus_is_the_race_on_kernels_before_6_6(tmp_path, text):
    before = crashed_or_failed(triage(tmp_path, text, "--kernel-version", "6.5.13"))
    assert [(r["suite"], r["category"], r["cause"], r["confidence"]) for r in before] == [
        ("hugetlb_fault_after_madv", "kernel-bug", "kernel-behaviour-fail", "medium")]
    assert "hugetlb-madv-dontneed-fault-race" in before[0]["explanation"]
    assert "Known in kernels until 6.6" in before[0]["explanation"]
    unnamed = crashed_or_failed(triage(tmp_path, text))  # no version: named, less sure
    assert [(r["cause"], r["confidence"]) for r in unnamed] == [("kernel-behaviour-fail", "low")]
    after = crashed_or_failed(triage(tmp_path, text, "--kernel-version", "6.6.1"))
    assert len(after) == 1 and after[0]["category"] == "unknown"  # a new bug, not this one
    assert "MADV_DONTNEED vs page fault race" in after[0]["explanation"]  # ruled out, said


def test_hugetlb_fault_after_madv_skip_is_not_named(tmp_path):
    report = triage(tmp_path, DAVID_SKIP, "--kernel-version", "6.5")
    assert [r["status"] for r in report["results"]] == ["skip"]
    assert report["results"][0]["cause"] != "kernel-behaviour-fail"


def test_stable_series_are_decided_by_their_patch_level():
    fix = Versions.from_toml({"of": "kernel", "fixed": "6.13", "fixed_in_stable": ["6.12.11"],
                              "required": True}, "t")
    assert fix is not None
    assert fix.excludes(Environment(kernel_version="6.12.10")) == ""
    assert fix.excludes(Environment(kernel_version="6.12.11")) == (
        "the kernel (6.12.11) is 6.12.11 or later, where this was fixed in the 6.12 stable series")
    assert fix.excludes(Environment(kernel_version="6.6.70")) == ""  # a series not listed
    assert "is 6.13 or later" in fix.excludes(Environment(kernel_version="6.13.2"))
    # Debian's ABI release says nothing of the stable patch level
    debian = Environment(kernel_release="6.12.0-31-amd64", kernel_version="6.12.0")
    assert fix.excludes(debian) == "the input does not say which 6.12 stable release ran"
    assert Versions.from_toml({"fixed": "6.13", "fixed_in_stable": ["6.12.11"]}, "t").unsure(
        debian) == [("the input does not say which 6.12 stable release ran (this is known in "
                     "kernels until 6.13 (stable: fixed in 6.12.11))")]
    with pytest.raises(RuleError, match="must list stable releases"):
        Versions.from_toml({"fixed": "6.13", "fixed_in_stable": ["6.12"]}, "t")


# Chunyu Hu, "[PATCH v3 3/3] selftests/mm: fix va_high_addr_switch.sh failure on x86_64",
# linux-kselftest 2025-09-12, Message-ID <20250912013711.3002969-4-chuhu@redhat.com> (lfdr.de
# mirror commit 08ccf0cdcd): the run_vmtests.sh output its commit message quotes, lines 4-31 of
# the decoded body, unmodified (x86_64 with la57; Fixes: cc92882ee218).
VA_HUGETLB_HINT = """\
  # running bash ./va_high_addr_switch.sh
  # -------------------------------------
  # mmap(addr_switch_hint - pagesize, pagesize): 0x7f55b60fa000 - OK
  # mmap(addr_switch_hint - pagesize, (2 * pagesize)): 0x7f55b60f9000 - OK
  # mmap(addr_switch_hint, pagesize): 0x800000000000 - OK
  # mmap(addr_switch_hint, 2 * pagesize, MAP_FIXED): 0x800000000000 - OK
  # mmap(NULL): 0x7f55b60f9000 - OK
  # mmap(low_addr): 0x40000000 - OK
  # mmap(high_addr): 0x1000000000000 - OK
  # mmap(high_addr) again: 0xffff55b6136000 - OK
  # mmap(high_addr, MAP_FIXED): 0x1000000000000 - OK
  # mmap(-1): 0xffff55b6134000 - OK
  # mmap(-1) again: 0xffff55b6132000 - OK
  # mmap(addr_switch_hint - pagesize, pagesize): 0x7f55b60fa000 - OK
  # mmap(addr_switch_hint - pagesize, 2 * pagesize): 0x7f55b60f9000 - OK
  # mmap(addr_switch_hint - pagesize/2 , 2 * pagesize): 0x7f55b60f7000 - OK
  # mmap(addr_switch_hint, pagesize): 0x800000000000 - OK
  # mmap(addr_switch_hint, 2 * pagesize, MAP_FIXED): 0x800000000000 - OK
  # mmap(NULL, MAP_HUGETLB): 0x7f55b5c00000 - OK
  # mmap(low_addr, MAP_HUGETLB): 0x40000000 - OK
  # mmap(high_addr, MAP_HUGETLB): 0x1000000000000 - OK
  # mmap(high_addr, MAP_HUGETLB) again: 0xffff55b5e00000 - OK
  # mmap(high_addr, MAP_FIXED | MAP_HUGETLB): 0x1000000000000 - OK
  # mmap(-1, MAP_HUGETLB): 0x7f55b5c00000 - OK
  # mmap(-1, MAP_HUGETLB) again: 0x7f55b5a00000 - OK
  # mmap(addr_switch_hint - pagesize, 2*hugepagesize, MAP_HUGETLB): 0x800000000000 - FAILED
  # mmap(addr_switch_hint , 2*hugepagesize, MAP_FIXED | MAP_HUGETLB): 0x800000000000 - OK
  # [FAIL]
"""


def test_va_high_addr_switch_hugetlb_hint_in_range_is_the_selftest_bug(tmp_path):
    report = triage(tmp_path, VA_HUGETLB_HINT, "--kernel-version", "6.16.3")
    fails = failed(report)
    assert [(r["name"], r["category"], r["cause"], r["confidence"]) for r in fails] == [(
        "mmap(addr_switch_hint - pagesize, 2*hugepagesize, MAP_HUGETLB)", "test-bug",
        "selftest-logic-bug", "medium")]
    assert "cc92882ee218" in fails[0]["explanation"]
    # the runner's [FAIL] on the script is these checks' verdict, not one more failure
    assert report["verdict"] == "test-bug"
    fails = failed(triage(tmp_path, VA_HUGETLB_HINT))
    assert [(r["cause"], r["confidence"]) for r in fails] == [("selftest-logic-bug", "low")]


@pytest.mark.parametrize("versions", [
    ("--kernel-version", "6.12.40"),  # x86's own hugetlb_get_unmapped_area() rounded down
    ("--kernel-version", "6.16", "--selftests-version", "6.18"),  # the test has the fix
])
def test_va_high_addr_switch_hugetlb_hint_out_of_range_is_not_named(tmp_path, versions):
    fails = failed(triage(tmp_path, VA_HUGETLB_HINT, *versions))
    assert [(r["category"], r["cause"]) for r in fails] == [("unknown", "unexplained-fail")]


# David Hildenbrand, "[PATCH v2 ...] mm/ksm: fix KSM COW breaking with userfaultfd-wp via
# FAULT_FLAG_UNSHARE", linux-mm/linux-kselftest 2022-10-21 (tests/fixtures/reports/ksm-unmerge-
# uffd-wp-kernel-fix-patch.txt): ksm_functional_tests' "not ok 3 Pages were unmerged" under
# "[RUN] test_unmerge_uffd_wp", on the kernel the patch fixes.
KSM_UFFD_WP = (REPORTS / "ksm-unmerge-uffd-wp-kernel-fix-patch.txt").read_text()


@pytest.mark.parametrize(("versions", "answer"), [
    # a 6.1.y kernel (no backport) with newer selftests: the old kernel's known limitation
    (("--kernel-version", "6.1.150", "--selftests-version", "6.12"),
     ("known-issue", "kernel-predates-ksm-uffd-wp-unmerge")),
    # 6.2 has the fix: a failure there is the kernel's
    (("--kernel-version", "6.2.1", "--selftests-version", "6.12"),
     ("kernel-bug", "kernel-behaviour-fail")),
    # selftests and kernel from one tree (the developer's report): the kernel's bug
    ((), ("kernel-bug", "kernel-behaviour-fail")),
    (("--kernel-version", "6.1.150"), ("kernel-bug", "kernel-behaviour-fail")),
])
def test_ksm_uffd_wp_unmerge_on_a_kernel_before_6_2(tmp_path, versions, answer):
    fails = failed(triage(tmp_path, KSM_UFFD_WP, *versions))
    assert [(r["name"], r["category"], r["cause"]) for r in fails] == [
        ("test_unmerge_uffd_wp", *answer)]
