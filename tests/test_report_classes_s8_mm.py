"""Classes of mm selftest output that round 16-mm's held-out reports showed unread: a build log a
reply quotes (the compiler's error lines behind `> `), and kselftest_harness's failed-assertion
lines after a RUN line with no verdict (the test looped on its asserts, or the paste stops
there). Each test uses a real public text other than the corpus report that showed the class."""

from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import triage_read

# David Hildenbrand's Acked-by reply (linux-kselftest, 2024-06-14, Message-ID
# <56effc69-b7c6-4e89-8cd3-e344f673d750@redhat.com>) to John Hubbard's "[PATCH v2 5/6]
# selftests/mm: kvm, mdwe fixes to avoid requiring "make headers"": clang's wording ("use of
# undeclared identifier 'X'") quoted under the reply's `> `; the fix added the prctl names to
# the selftests' own headers. Lines 1-12 of the decoded body.
QUOTED_CLANG_ERRORS = """\
On 14.06.24 04:30, John Hubbard wrote:
> On Ubuntu 23.04, the kvm and mdwe selftests/mm build fails due to
> missing a few items that are found in prctl.h. Here is an excerpt of the
> build failures:
> \n\
> ksm_tests.c:252:13: error: use of undeclared identifier 'PR_SET_MEMORY_MERGE'
> ...
> mdwe_test.c:26:18: error: use of undeclared identifier 'PR_SET_MDWE'
> mdwe_test.c:38:18: error: use of undeclared identifier 'PR_GET_MDWE'
> \n\
> Fix these errors by adding the missing items to vm_util.h, and include
> vm_util.h from mdwe_test.c.
"""


def test_a_quoted_build_log_is_read_as_the_build_that_failed(tmp_path: Path):
    report = triage_read(tmp_path, QUOTED_CLANG_ERRORS)
    builds = {(r["suite"], r["status"]) for r in report["results"]}
    assert builds == {("ksm_tests", "fail"), ("mdwe_test", "fail")}
    assert len(report["results"]) == 3  # three distinct missing names
    # the quote marks are not part of the compiler's line the rule reads
    assert all(r["message"].startswith(("ksm_tests.c:", "mdwe_test.c:"))
               for r in report["results"])
    assert {r["cause"] for r in report["results"]} == {"selftest-logic-bug"}
    assert report["verdict"] == "test-bug"


# David Hildenbrand's reply (linux-kselftest, 2023-08-09, Message-ID
# <9be602c1-d627-6302-be1c-66c8068c7ecf@redhat.com>) quoting Ayush Jain's "[PATCH]
# selftests/mm: FOLL_LONGTERM need to be updated to 0x100": the harness's RUN line and its
# failed assertions, quoted and indented, and no FAIL/OK verdict (the test looped). Lines 1-16
# of the decoded body.
QUOTED_ASSERT_LOOP = """\
On 08.08.23 14:43, Ayush Jain wrote:
> After commit 2c2241081f7d ("mm/gup: move private gup FOLL_ flags to internal.h")
> FOLL_LONGTERM flag value got updated from 0x10000 to 0x100 at
> include/linux/mm_types.h.
> As hmm.hmm_device_private.hmm_gup_test uses FOLL_LONGTERM
> Updating same here as well.
> \n\
> Before this change test goes in an infinite assert loop in
> hmm.hmm_device_private.hmm_gup_test
> ==========================================================
>   RUN           hmm.hmm_device_private.hmm_gup_test ...
> hmm-tests.c:1962:hmm_gup_test:Expected HMM_DMIRROR_PROT_WRITE..
> ..(2) == m[2] (34)
> hmm-tests.c:157:hmm_gup_test:Expected ret (-1) == 0 (0)
> hmm-tests.c:157:hmm_gup_test:Expected ret (-1) == 0 (0)
> ...
"""


def test_failed_assertions_after_a_run_line_without_a_verdict_are_its_failure(tmp_path: Path):
    report = triage_read(tmp_path, QUOTED_ASSERT_LOOP)
    [result] = report["results"]
    assert result["status"] == "fail"
    assert result["suite"] == "hmm-tests"
    assert result["name"] == "hmm.hmm_device_private.hmm_gup_test"
    assert result["message"].startswith("hmm-tests.c:1962:hmm_gup_test:Expected")
    # an excerpt of one case, not a crash
    assert not any(r["status"] in ("crash", "missing") for r in report["results"])


# Kuniyuki Iwashima's reply "Re: [TEST] net/bind_wildcard flakiness" (netdev, 2025-05-16,
# Message-ID <20250516174435.70447-1-kuniyu@amazon.com>) quoting Jakub Kicinski's netdev CI
# report: the harness's assertion, "Test terminated by assertion" and the FAIL verdict (with
# the CI's time stamps) - each case is one failed result, read from its verdict, not once more
# from its assertion.
QUOTED_VERDICTS = """\
> One does:
> \n\
> # 0.21 [+0.00] # bind_wildcard.c:768:reuseaddr:Expected ret (-1) == 0 (0)
> # 0.21 [+0.00] # reuseaddr: Test terminated by assertion
> # 0.21 [+0.00] #          FAIL  bind_wildcard.v6_any_only_v6_v4mapped_any.reuseaddr
> \n\
> The other:
> \n\
> # 0.25 [+0.00] # bind_wildcard.c:775:plain:Expected ret (-1) == 0 (0)
> # 0.25 [+0.00] # plain: Test terminated by assertion
> # 0.25 [+0.00] #          FAIL  bind_wildcard.v6_local_v6_v4mapped_any.plain
"""


def test_assertions_under_a_verdict_are_not_counted_twice(tmp_path: Path):
    report = triage_read(tmp_path, QUOTED_VERDICTS)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert len(failed) == 2


# Barry Song's fix (linux-mm, 2025-06-09, inside his reply to Ryan Roberts; lore
# 671f8164-...@arm.com is the report it closes): the commit message quotes the one
# kselftest_harness assertion line Ryan saw, indented and wrapped, and nothing else of the run.
# Lines of the decoded body from "From: Barry Song" to the diffstat.
FIX_QUOTING_ONE_ASSERTION = """\
From: Barry Song <v-songbaohua@oppo.com>
Date: Mon, 9 Jun 2025 22:42:13 +1200
Subject: [PATCH] mm: madvise: revert the walk_page_range_vma change for
 MADV_GUARD_INSTALL

Fix the broken MADV_GUARD_INSTALL reported by Ryan.
 # guard-regions.c:719:split_merge:Expected madvise(ptr, 10 * page_size,
 MADV_GUARD_INSTALL) (-1) == 0 (0)

Reported-by: Ryan Roberts <ryan.roberts@arm.com>
Closes: https://lore.kernel.org/linux-mm/671f8164-a90b-48d7-9446-359eb9493500@arm.com/
Signed-off-by: Barry Song <v-songbaohua@oppo.com>
---
 mm/madvise.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)
"""


def test_an_assertion_line_alone_is_its_tests_failure(tmp_path: Path):
    report = triage_read(tmp_path, FIX_QUOTING_ONE_ASSERTION)
    [result] = report["results"]
    assert (result["suite"], result["name"], result["status"]) == (
        "guard-regions", "split_merge", "fail")
    assert result["message"].startswith("guard-regions.c:719:split_merge:Expected madvise(")


# David Hildenbrand's reply "Re: [kvm-unit-tests PATCH] lib: use an argument which doesn't
# require default argument promotion" (kvm list, 2019-10-11, Message-ID
# <986a6fc2-ef7b-4df4-8d4e-a4ab94238b32@redhat.com>): "This patch breaks the selftest on
# s390x", with the run's FAIL lines. The patch is the tests' own library (lib/report.c), not the
# kernel: no kernel regression is named. Lines from the quoted lib/report.c diff to
# "EXIT: STATUS=3".
TEST_LIBRARY_PATCH_BREAKS = (Path(__file__).parent / "fixtures" / "classes"
                             / "kvm-unit-tests-report-patch-breaks-selftest.txt")


def test_a_test_library_patch_that_breaks_tests_is_no_kernel_regression(tmp_path: Path):
    report = triage_read(tmp_path, TEST_LIBRARY_PATCH_BREAKS.read_text())
    causes = {f["cause"] for f in report["findings"]}
    assert "kernel-regression" not in causes
    assert report["verdict"] != "kernel-bug"
    assert any(r["status"] == "fail" for r in report["results"])
