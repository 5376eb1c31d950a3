"""Known kernel and selftest regressions across (stable) versions, named from what a report
shows and only where the kernel the report names is in the known range (held-out round
12-stable, tests/fixtures/reports/README.md).

Each class is tested on a second real text beside the corpus report that showed it, in its
version range, outside it (a stable release with the backport included), and without a
version.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report_classes import triage_read as triage

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def one(report: dict, status: str) -> dict:
    picked = [r for r in report["results"] if r["status"] == status]
    assert len(picked) == 1, picked
    return picked[0]


# --- cow's PTE-mapped THP page-out skip: 07e8c82b5eff (6.3) to 2f406263e3e9 (6.5, 6.4.13) ---

# The corpus report: David Hildenbrand, linux-mm 2023-07-14,
# <d024fa03-ca51-632b-9a01-bbdc75543f5d@redhat.com>.
DAVID = (REPORTS / "cow-pte-mapped-thp-pageout-skip-mapcount-regression.txt").read_text()

# The second text: Yin Fengwei's reply of 2023-07-17 (linux-kernel, In-Reply-To
# <6C3EFBC6-DC59-4167-B51A-7231A55FE1D5@nvidia.com>, Zi Yan's reply to David; lfdr.de mirror
# read through the search tool), where David's run is quoted two levels deep: its two
# attribution lines and the quoted paragraph with the run and the commit, unmodified (the
# quotes of the older messages between them and the rest of the mail left out).
YIN_QUOTE = """\
On 7/14/2023 10:41 PM, Zi Yan wrote:
> On 14 Jul 2023, at 3:31, David Hildenbrand wrote:
>> Adding to the discussion, currently the COW selftest always skips a PTE-mapped THP.
>>
>>
>> For example:
>>
>> # [INFO] Anonymous memory tests in private mappings
>> # [RUN] Basic COW after fork() ... with base page
>> ok 1 No leak from parent into child
>> # [RUN] Basic COW after fork() ... with swapped out base page
>> ok 2 No leak from parent into child
>> # [RUN] Basic COW after fork() ... with THP
>> ok 3 No leak from parent into child
>> # [RUN] Basic COW after fork() ... with swapped-out THP
>> ok 4 No leak from parent into child
>> # [RUN] Basic COW after fork() ... with PTE-mapped THP
>> ok 5 No leak from parent into child
>> # [RUN] Basic COW after fork() ... with swapped-out, PTE-mapped THP
>> ok 6 # SKIP MADV_PAGEOUT did not work, is swap enabled?
>> ...
>>
>>
>> The commit that introduced that change is:
>>
>> commit 07e8c82b5eff8ef34b74210eacb8d9c4a2886b82
>> Author: Vishal Moola (Oracle) <vishal.moola@gmail.com>
>> Date:   Wed Dec 21 10:08:46 2022 -0800
>>
>>     madvise: convert madvise_cold_or_pageout_pte_range() to use folios
"""


@pytest.mark.parametrize("text", [DAVID, YIN_QUOTE], ids=["report", "quoted-twice"])
def test_pte_mapped_thp_pageout_skip_with_the_commit_named_is_the_regression(tmp_path, text):
    report = triage(tmp_path, text)
    skip = one(report, "skip")
    assert "PTE-mapped THP" in skip["name"]
    assert (skip["category"], skip["cause"], skip["confidence"]) == (
        "kernel-bug", "kernel-regression", "medium")
    assert report["verdict"] == "kernel-bug"
    assert "07e8c82b5eff" in skip["explanation"] and "2f406263e3e9" in skip["explanation"]


@pytest.mark.parametrize("version", ["6.3.9", "6.4.12"])
def test_pte_mapped_thp_pageout_skip_in_range(tmp_path, version):
    skip = one(triage(tmp_path, YIN_QUOTE, "--kernel-version", version), "skip")
    assert skip["cause"] == "kernel-regression"
    assert f"this run: {version}" in skip["explanation"]
    assert "fixed in 6.4.13" in skip["explanation"]


@pytest.mark.parametrize("version", ["6.1.50", "6.4.13", "6.5.3", "6.6.10"])
def test_pte_mapped_thp_pageout_skip_out_of_range_is_not_named(tmp_path, version):
    # 6.1 predates the conversion; 6.4.13 and 6.5 have the fix: swap works (the base page and
    # PMD THP cases were swapped out), so the kernel is still suspected, without a name
    skip = one(triage(tmp_path, YIN_QUOTE, "--kernel-version", version), "skip")
    assert (skip["category"], skip["cause"]) == ("unknown", "pageout-failed-with-swap")


def test_pte_mapped_thp_pageout_skip_without_commit_or_version_is_not_named(tmp_path):
    run = YIN_QUOTE.split(">> The commit that introduced")[0]
    skip = one(triage(tmp_path, run), "skip")
    assert (skip["category"], skip["cause"]) == ("unknown", "pageout-failed-with-swap")


# --- migration's "Didn't migrate N pages": one transient failure failed the test (< 6.12) ---

# The corpus report: Alistair Popple's reply quoting Ryan Roberts' run and bisect log
# (linux-mm, 2023-07-28, <87pm4cx2qs.fsf@nvdebian.thelocal>); the bisect log's first
# "# bad: [...] Linux 6.5-rc3" is the kernel the failure was seen on.
ALISTAIR = (REPORTS / "migration-shared-anon-move-pages-return-reply.txt").read_text()

# The second text: David Hildenbrand, "Re: Race condition observed between page migration and
# page fault handling on arm64 machines", linux-kernel 2024-08-01,
# <6486a2b1-45ef-44b6-bd84-d402fc121373@redhat.com> (lfdr.de mirror read through the search
# tool): the run after his rmap.c experiment, lines "On x86:" to "It fails all of the time!" of
# the text/plain body (format=flowed, the assertion wrapped as sent), unmodified.
DAVID_X86 = """\
On x86:

# ./migration
TAP version 13
1..1
# Starting 1 tests from 1 test cases.
#  RUN           migration.shared_anon ...
Didn't migrate 1 pages
# migration.c:170:shared_anon:Expected migrate(ptr, self->n1, self->n2) 
(-2) == 0 (0)
# shared_anon: Test terminated by assertion
#          FAIL  migration.shared_anon
not ok 1 migration.shared_anon


It fails all of the time!
"""


def test_migration_failure_bisected_to_the_move_pages_fix_is_the_selftest_bug(tmp_path):
    report = triage(tmp_path, ALISTAIR)
    assert report["environment"]["kernel_release"] == "6.5-rc3"  # from the bisect log
    fail = one(report, "fail")
    assert (fail["category"], fail["cause"]) == ("test-bug", "selftest-logic-bug")
    assert "migration-single-failure" in fail["explanation"]
    assert report["verdict"] == "test-bug"


@pytest.mark.parametrize("version,cause", [
    ("6.10.3", "selftest-logic-bug"), ("6.1.100", "selftest-logic-bug"),
    ("6.12", "unexplained-fail"), ("6.15.1", "unexplained-fail")])
def test_migration_single_failure_only_before_the_relaxed_test(tmp_path, version, cause):
    # 6.12's migration.c fails only after 100 failures in a row, with the same words: not this
    fail = one(triage(tmp_path, DAVID_X86, "--kernel-version", version), "fail")
    assert fail["cause"] == cause


def test_migration_single_failure_needs_the_version(tmp_path):
    fail = one(triage(tmp_path, DAVID_X86), "fail")
    assert (fail["category"], fail["cause"]) == ("unknown", "unexplained-fail")


def test_a_harness_tests_own_output_is_its_diagnostic():
    from harness.readers.ktap import KselftestParser

    parser = KselftestParser()
    results = []
    for number, text in enumerate(DAVID_X86.splitlines(), 1):
        results += parser.feed_text(number, text)
    results += parser.finish()
    fail = [r for r in results if r.name == "migration.shared_anon" or
            r.message == "migration.shared_anon"]
    assert fail and "Didn't migrate 1 pages" in [d.text for d in fail[0].diagnostics]


# --- the kernel version of a stable review mail ---

@pytest.mark.parametrize("name,release", [
    ("stable-6.11-review-hugetlb-dio-free-count-patch.txt", "6.11"),
    ("charge-reserved-hugetlb-umount-busy-stable.txt", "5.10"),  # "5.10-stable review patch."
    ("stable-6.1.11-rc1-hugetlb-madvise-build-drop-patch-thread.mbox", "6.1.11"),
])
def test_stable_review_layouts_name_the_kernel(tmp_path, name, release):
    from harness.cli.main import main

    out = tmp_path / "report.json"
    assert main(["triage", str(REPORTS / name), "--json", str(out)]) in (0, 1)
    assert json.loads(out.read_text())["environment"]["kernel_release"] == release


# --- hugetlb_dio's leaked huge page: 1b151e2435fc (6.8; 6.1.75, 6.6.14, 6.7.2) to 38b43539d64b
# (6.9; 6.1.84, 6.6.24, 6.7.12, 6.8.3) ---

# The corpus report: Donet Tom's first hugetlb_dio patch (linux-kselftest, 2024-05-23).
DONET = (REPORTS / "hugetlb-dio-bio-release-leak.txt").read_text()

# The second text: Muhammad Usama Anjum's review of v3 (linux-kselftest 2024-06, In-Reply-To
# <20240607055046.138650-1-donettom@linux.ibm.com>; lfdr.de mirror read through the search
# tool), quoting v3's failing run: its attribution line and the quoted "Fail Scenario" block,
# unmodified.
USAMA_QUOTE = """\
On 6/7/24 10:50 AM, Donet Tom wrote:
> Test Result  Fail Scenario (Without the fix)
> --------------------------------------------------------
> []# ./hugetlb_dio
> TAP version 13
> 1..4
> No. Free pages before allocation : 7
> No. Free pages after munmap : 7
> ok 1 : Huge pages freed successfully !
> No. Free pages before allocation : 7
> No. Free pages after munmap : 7
> ok 2 : Huge pages freed successfully !
> No. Free pages before allocation : 7
> No. Free pages after munmap : 7
> ok 3 : Huge pages freed successfully !
> No. Free pages before allocation : 7
> No. Free pages after munmap : 6
> not ok 4 : Huge pages not freed!
> Totals: pass:3 fail:1 xfail:0 xpass:0 skip:0 error:0
"""


@pytest.mark.parametrize("text", [DONET, USAMA_QUOTE], ids=["report", "quoted"])
@pytest.mark.parametrize("version", ["6.1.80", "6.6.20", "6.7.5", "6.8.2"])
def test_hugetlb_dio_leak_in_range_is_the_block_layer_regression(tmp_path, text, version):
    report = triage(tmp_path, text, "--kernel-version", version)
    fail = [r for r in report["results"] if r["status"] == "fail" and r["number"] == 4]
    assert len(fail) == 1
    fail = fail[0]
    assert (fail["category"], fail["cause"], fail["confidence"]) == (
        "kernel-bug", "kernel-behaviour-fail", "medium")
    assert "hugetlb-dio-bio-release-leak" in fail["explanation"]
    assert f"this run: {version}" in fail["explanation"]


@pytest.mark.parametrize("version", ["6.1.70", "6.1.84", "6.6.24", "6.7.12", "6.8.3", "6.9.1",
                                     "6.5.3"])
def test_hugetlb_dio_leak_out_of_range_stays_an_unnamed_kernel_failure(tmp_path, version):
    fail = one(triage(tmp_path, USAMA_QUOTE, "--kernel-version", version), "fail")
    assert (fail["category"], fail["cause"]) == ("kernel-bug", "kernel-behaviour-fail")
    assert "hugetlb-dio-bio-release-leak" not in fail["explanation"]


def test_hugetlb_dio_leak_without_a_version_is_named_less_sure(tmp_path):
    fail = one(triage(tmp_path, USAMA_QUOTE), "fail")
    assert (fail["cause"], fail["confidence"]) == ("kernel-behaviour-fail", "low")
    assert "hugetlb-dio-bio-release-leak" in fail["explanation"]


def test_hugetlb_dio_zero_count_before_is_still_the_selftest_bug(tmp_path):
    # Donet Tom's November 2024 fixup mail (corpus): "before allocation : 0", in the range too
    text = (REPORTS / "hugetlb-dio-free-count-test-regression.txt").read_text()
    report = triage(tmp_path, text, "--kernel-version", "6.6.20")
    fails = [r for r in report["results"] if r["status"] == "fail"]
    assert fails and {(r["category"], r["cause"]) for r in fails} == {
        ("test-bug", "selftest-logic-bug")}


# --- a stable-review reply that gives only its CI's counts (Jon Hunter's Tegra replies) ---

# Three replies to Greg's reviews on the stable list (lfdr.de mirror read through the search
# tool), their text from "... for Tegra ..." on (the quoted review above left out; the first
# one up to its "Linux version:" line), unmodified (tabs written as \t): 6.6.101-rc1 (all
# passing), 6.7.3-rc1 ("No new regressions", 1 known failure, Tested-by) and 6.6.90-rc1
# ("Failures detected", 7 failures).
TEGRA_PASS = """\
All tests passing for Tegra ...

Test results for stable-v6.6:
    10 builds:\t10 pass, 0 fail
    28 boots:\t28 pass, 0 fail
    120 tests:\t120 pass, 0 fail

Linux version:\t6.6.101-rc1-g1a25720a319a
"""
TEGRA_KNOWN = """\
No new regressions for Tegra ...

Test results for stable-v6.7:
     10 builds:\t10 pass, 0 fail
     26 boots:\t26 pass, 0 fail
     116 tests:\t115 pass, 1 fail

Linux version:\t6.7.3-rc1-g7c05c677b6ca
Boards tested:\ttegra124-jetson-tk1, tegra186-p2771-0000,
                 tegra194-p2972-0000, tegra194-p3509-0000+p3668-0000,
                 tegra20-ventana, tegra210-p2371-2180,
                 tegra210-p3450-0000, tegra30-cardhu-a04

Test failures:\ttegra186-p2771-0000: pm-system-suspend.sh

Tested-by: Jon Hunter <jonathanh@nvidia.com>

Jon

-- 
nvpublic

"""
TEGRA_FAILED = """\
Failures detected for Tegra ...

Test results for stable-v6.6:
    10 builds:\t10 pass, 0 fail
    28 boots:\t28 pass, 0 fail
    116 tests:\t109 pass, 7 fail

Linux version:\t6.6.90-rc1-gaa44cc8c73c5
Boards tested:\ttegra124-jetson-tk1, tegra186-p2771-0000,
                tegra186-p3509-0000+p3636-0001, tegra194-p2972-0000,
                tegra194-p3509-0000+p3668-0000, tegra20-ventana,
                tegra210-p2371-2180, tegra210-p3450-0000,
                tegra30-cardhu-a04

Test failures:\ttegra186-p2771-0000: cpu-hotplug
                tegra186-p2771-0000: pm-system-suspend.sh
                tegra194-p2972-0000: pm-system-suspend.sh
                tegra210-p2371-2180: cpu-hotplug
                tegra210-p3450-0000: cpu-hotplug


Jon

"""


@pytest.mark.parametrize("text,release", [(TEGRA_PASS, "6.6.101-rc1-g1a25720a319a"),
                                          (TEGRA_KNOWN, "6.7.3-rc1-g7c05c677b6ca")])
def test_ci_counts_without_new_failures_are_clean(tmp_path, text, release):
    report = triage(tmp_path, text)
    assert report["verdict"] == "clean"
    assert report["environment"]["kernel_release"] == release  # "Linux version:<TAB>..."
    assert [r["name"] for r in report["results"]] == ["builds", "boots", "tests"]


def test_ci_counts_with_failures_detected_are_unexplained_failures(tmp_path):
    report = triage(tmp_path, TEGRA_FAILED)
    fail = one(report, "fail")
    assert (fail["name"], fail["category"]) == ("tests", "unknown")
    assert fail["message"] == "tests: 109 pass, 7 fail"
    assert report["environment"]["kernel_release"] == "6.6.90-rc1-gaa44cc8c73c5"
