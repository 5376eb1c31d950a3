"""Classes held-out round 7 (kernel-list mails, tests/fixtures/reports/README.md) got wrong:

- a hugetlb memfd case skipped because memfd_create() failed with ENOMEM is the hugetlb pool
  (no page of that size reserved), not an unexplained skip; a failure for the same setup
  error is not the environment's to explain (a reporting change made those skips "not ok");
- a CONFIG_ option named only as the condition of a skip ("it skips if e.g. CONFIG_X is not
  specified") is no missing option behind a failure the text states.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.main import main


def triage(tmp_path: Path, text: str) -> dict:
    log = tmp_path / "report.txt"
    log.write_text(text)
    out = tmp_path / "report.json"
    main(["triage", str(log), "--json", str(out)])
    return json.loads(out.read_text())


# Lorenzo Stoakes' "before" run, pasted alone (lore.kernel.org/all/
# a76fc252-0fe3-4d4b-a9a1-4a2895c2680d@lucifer.local, 2025-06-05, linux-kselftest).
BEFORE = """\
# [RUN] R/O longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd hugetlb (2048 kB)
ok 39 # SKIP memfd_create() failed (Cannot allocate memory)
# [RUN] R/O longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd hugetlb (1048576 kB)
ok 40 # SKIP memfd_create() failed (Cannot allocate memory)
"""

# Mark Brown's answer, which quotes only the "after" run (lore.kernel.org/all/
# 722628a8-f3fd-4fb9-ae04-2313a52ffb36@sirena.org.uk, 2025-06-05), decoded (quoted-printable).
AFTER_QUOTED = """\
On Thu, Jun 05, 2025 at 05:00:49PM +0100, Lorenzo Stoakes wrote:

> This seems to be causing tests to fail rather than be skipped if hugetlb
> isn't configured. I bisected the problem to this patch so it's definitely
> changed how things are handled (though of course it might just be
> _revealing_ some previously existing bug in this test...).

> Using a couple of tests as an example:

> Before this patch:

> # [RUN] R/O longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd hugetlb (2048 kB)
> # memfd_create() failed (Cannot allocate memory)
> not ok 39 R/O longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd hugetlb (2048 kB)
> # [RUN] R/O longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd hugetlb (1048576 kB)
> # memfd_create() failed (Cannot allocate memory)
> not ok 40 R/O longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd \
hugetlb (1048576 kB)

That's the thing with memfd being special and skipping on setup failure
that David mentioned, I've got a patch as part of the formatting series
I was going to send after the merge window.
"""


def test_a_hugetlb_memfd_skipped_on_enomem_is_the_hugetlb_pool(tmp_path):
    report = triage(tmp_path, BEFORE)
    skips = [r for r in report["results"] if r["status"] == "skip"]
    assert len(skips) == 2
    assert {(r["category"], r["cause"]) for r in skips} == {("env", "hugetlb-pages-short")}
    assert report["verdict"] == "env"


def test_the_same_setup_error_reported_as_a_failure_is_not_the_pool(tmp_path):
    report = triage(tmp_path, AFTER_QUOTED)
    fails = [r for r in report["results"] if r["status"] == "fail"]
    assert fails and all(r["cause"] != "hugetlb-pages-short" for r in fails)
    assert report["verdict"] != "env"


# Lorenzo Stoakes, "[PATCH] selftests/mm: remove virtual_address_range test" (lore.kernel.org/
# all/20260116132053.857887-1-lorenzo.stoakes@oracle.com, 2026-01-16): its first paragraphs.
REMOVAL = """\
This self test is asserting internal implementation details and is highly
vulnerable to internal kernel changes as a result.

It is currently failing locally from at least v6.17, and it seems that it
may have been failing for longer in many configurations/hardware as it
skips if e.g. CONFIG_ANON_VMA_NAME is not specified.
"""


def test_a_config_option_named_as_a_skip_condition_is_no_missing_option(tmp_path):
    report = triage(tmp_path, REMOVAL)
    assert report["results"], "a stated failure is read, not refused"
    assert all(r["cause"] != "kernel-config-missing" for r in report["results"])
    assert report["verdict"] != "config"


def test_a_config_option_the_failure_needs_is_still_the_configuration(tmp_path):
    # A constructed control: a skip line that names the option the test needs still is config.
    text = "not ok 3 madv_populate # SKIP CONFIG_MEMORY_FAILURE is not set\n"
    report = triage(tmp_path, text)
    assert {r["cause"] for r in report["results"]} == {"kernel-config-missing"}


CLASSES = Path(__file__).parent / "fixtures" / "classes"


def test_a_reply_whose_only_run_is_quoted_is_not_clean_when_it_says_a_test_fails(tmp_path):
    # "Then if you configure a kernel that _does_ support this, it fails with a / test
    # assertion." - wrapped; the only run in the mail is quoted from the message answered.
    text = (CLASSES / "virtual-address-range-assertion-reply.txt").read_text()
    report = triage(tmp_path, text)
    stated = [r for r in report["results"] if r["status"] == "fail"]
    assert stated and "fails with a" in stated[0]["message"]
    assert report["verdict"] == "unknown"


def test_a_bisect_the_text_says_could_not_be_done_is_no_bisect(tmp_path):
    # The same mail: "I couldn't even bisect to a working one", "not being able to bisect it".
    text = (CLASSES / "virtual-address-range-assertion-reply.txt").read_text()
    report = triage(tmp_path, text)
    assert all(r["cause"] != "kernel-regression" for r in report["results"])
    assert report["verdict"] != "kernel-bug"


def test_a_review_reply_quoting_a_passing_run_stays_clean(tmp_path):
    # David Hildenbrand answering a review: "Yeah, copy and past error." is about the code.
    text = (CLASSES / "pfnmap-review-copy-paste-error-reply.txt").read_text()
    assert triage(tmp_path, text)["verdict"] == "clean"


# Pankaj Raghav, "[PATCH v3] selftests/mm: use asm volatile to not optimize mmap read variable"
# (lore.kernel.org/all/20240606203619.677276-1-kernel@pankajraghav.com, 2024-06-06): the commit
# message, notes and diffstat: the first 24 lines of the decoded body (the diff left out).
ASM_VOLATILE = """\
From: Pankaj Raghav <p.raghav@samsung.com>

create_pagecache_thp_and_fd() in split_huge_page_test.c used the
variable dummy to perform mmap read.

However, this test was skipped even on XFS which has large folio
support. The issue was compiler (gcc 13.2.0) was optimizing out the
dummy variable, therefore, not creating huge page in the page cache.

Use asm volatile() trick to force the compiler not to optimize out
the loop where we read from the mmaped addr. This is similar to what is
being done in other tests (cow.c, etc)

As the variable is now used in the asm statement, remove the unused
attribute.

Signed-off-by: Pankaj Raghav <p.raghav@samsung.com>
---
Changes since v2:
- Use the asm volatile trick to force the compiler to not optimize the
  read into dummy variable. (David)

 tools/testing/selftests/mm/split_huge_page_test.c | 3 ++-
 1 file changed, 2 insertions(+), 1 deletion(-)
"""


def test_a_patch_that_says_its_test_was_skipped_by_its_own_bug_is_a_test_bug(tmp_path):
    report = triage(tmp_path, ASM_VOLATILE)
    assert report["results"], "a skip told in words is read, not refused"
    assert {(r["status"], r["category"], r["cause"]) for r in report["results"]} == {
        ("skip", "test-bug", "selftest-logic-bug")}


# Sun Jian, "[PATCH v2] selftests/mm: run_vmtests.sh: fail if invoked from the wrong directory"
# (lore.kernel.org/all/20260109172833.2989-1-sun.jian.kdev@gmail.com, 2026-01-09): the commit
# message and diffstat, the first 8 lines of the decoded body (the diff left out). The reply
# that showed the class is tests/fixtures/reports/run-vmtests-wrong-cwd-false-failures-reply.
WRONG_DIRECTORY = """\
run_vmtests.sh assumes it is invoked from tools/testing/selftests/mm.
When run from another working directory, relative paths can lead to
confusing failures. Detect this case and abort with a clear message.

Signed-off-by: Sun Jian <sun.jian.kdev@gmail.com>
---
 tools/testing/selftests/mm/run_vmtests.sh | 7 +++++++
 1 file changed, 7 insertions(+)
"""


def test_a_runner_started_from_another_directory_is_how_it_was_run(tmp_path):
    report = triage(tmp_path, WRONG_DIRECTORY)
    assert {(r["category"], r["cause"]) for r in report["results"]} == {
        ("env", "runner-wrong-directory")}
    assert report["verdict"] == "env"


def test_a_path_resolved_against_the_cwd_is_no_failure_dealt_with(tmp_path):
    text = (Path(__file__).parent / "fixtures" / "reports"
            / "run-vmtests-wrong-cwd-false-failures-reply.txt").read_text()
    report = triage(tmp_path, text)
    assert report["results"], "'results in false failures because relative paths being " \
        "resolved' states a failure"
    assert report["verdict"] == "env"


# Gerald Schaefer, "[PATCH] selftests: vm: use 1 MB hugepage size for s390" (lore.kernel.org/
# all/20221025152610.3439102-1-gerald.schaefer@linux.ibm.com, 2022-10-25): the commit message
# and diffstat, the first 12 lines of the decoded body (the diff left out). Its first paragraph
# is one sentence-run of 5 lines that the unwrapper joins into one long line.
S390_HUGEPAGE = """\
hugepage-vmemmap test fails for s390 because it assumes a hugepagesize
of 2 MB, while we have 1 MB on s390. This results in iterating over two
hugepages. If they are consecutive in memory, check_page_flags() will
stumble over the additional head page. Otherwise, it will stumble over
non-huge pageflags, after crossing the first 1 MB hugepage.

Fix this by using 1 MB MAP_LENGTH for s390.

Signed-off-by: Gerald Schaefer <gerald.schaefer@linux.ibm.com>
---
 tools/testing/selftests/vm/hugepage-vmemmap.c | 7 +++++++
 1 file changed, 7 insertions(+)
"""


def test_a_failure_stated_in_a_long_commit_message_paragraph_is_read(tmp_path):
    report = triage(tmp_path, S390_HUGEPAGE)
    assert {(r["category"], r["cause"]) for r in report["results"]} == {
        ("test-bug", "selftest-logic-bug")}
    assert "fails for s390" in report["results"][0]["message"]


# Zhansaya Bagdauletkyzy, "[PATCH v2 4/4] selftests: vm: add KSM merging across nodes test"
# (<071c17b5b04ebb0dfeba137acc495e5dd9d2a719.1626252248.git.zhansayabagdaulet@gmail.com>),
# 2021-07-14, linux-kselftest: the first 15 lines; a new test, its skip by design: no report.
NEW_TEST = """\
Add check_ksm_numa_merge() function  to test that pages in different NUMA
nodes are being handled properly. First, two duplicate pages are allocated
in two separate NUMA nodes using the libnuma library. Since there is one
unique page in each node, with merge_across_nodes = 0, there won't be any
shared pages. If merge_across_nodes is set to 1, the pages will be
treated as usual duplicate pages and will be merged. If NUMA config is
not enabled or the number of NUMA nodes is less than two, then the test
is skipped. The test is run as follows: ./ksm_tests -N

Signed-off-by: Zhansaya Bagdauletkyzy <zhansayabagdaulet@gmail.com>
---
 tools/testing/selftests/vm/Makefile       |  2 +
 tools/testing/selftests/vm/ksm_tests.c    | 88 ++++++++++++++++++++++-
 tools/testing/selftests/vm/run_vmtests.sh | 32 +++++++++
 3 files changed, 119 insertions(+), 3 deletions(-)
"""


def test_a_skip_a_patch_describes_as_conditional_is_no_stated_skip(tmp_path):
    log = tmp_path / "report.txt"
    log.write_text(NEW_TEST)
    assert main(["triage", str(log), "--json", str(tmp_path / "r.json")]) == 2


# Edward Liaw, "[PATCH] selftests/mm: import strings.h for ffsl" (<20240329174236.2278217-1-
# edliaw@google.com>, 2024-03-29): a build fix that changes only a selftest header; the test
# is the suite. Round 7c's protection_keys powerpc fix (pkey-powerpc.h) showed the class.
HEADER_ONLY = """\
Got a compilation error for ffsl after 91b80cc5b39f ("selftests: mm: fix
map_hugetlb failure on 64K page size systems") imported vm_util.h.

Fixes: af605d26a8f2 ("selftests/mm: merge util.h into vm_util.h")
Signed-off-by: Edward Liaw <edliaw@google.com>
---
 tools/testing/selftests/mm/vm_util.h | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)
"""


def test_a_build_fix_to_a_selftest_header_fails_the_suite(tmp_path):
    report = triage(tmp_path, HEADER_ONLY)
    assert {(r["suite"], r["category"], r["cause"]) for r in report["results"]} == {
        ("mm", "test-bug", "selftest-logic-bug")}


# Two patches whose "error" is code, no failure: Colin Ian King's "Fix spelling mistake
# 'priviledge' -> 'privilege'" (<20230414081506.1678998-1-colin.i.king@gmail.com>) and Ding
# Xiang's "Fix resource leak when return error" (<20220615093629.1330809-1-dingxiang@
# cmss.chinamobile.com>): commit messages and diffstats.
NOT_FAILURES = ["""\
There is a spelling mistake in an error message string. Fix it.

Signed-off-by: Colin Ian King <colin.i.king@gmail.com>
---
 tools/testing/selftests/mm/uffd-common.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)
""", """\
When return on an error path, file handle need to be closed
to prevent resource leak

Signed-off-by: Ding Xiang <dingxiang@cmss.chinamobile.com>
---
 tools/testing/selftests/vm/ksm_tests.c | 2 ++
 1 file changed, 2 insertions(+)
"""]


def test_an_error_message_string_or_error_path_is_code_not_a_failure(tmp_path):
    for i, text in enumerate(NOT_FAILURES):
        log = tmp_path / f"patch{i}.txt"
        log.write_text(text)
        assert main(["triage", str(log), "--json", str(tmp_path / f"r{i}.json")]) == 2
