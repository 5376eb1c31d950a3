"""Causes stated only in the maintainers' prose (held-out round 12-prose,
tests/fixtures/reports/README.md): a sentence with a causal marker ("caused by", "because",
"due to", "it means that", "looks like" ...), not a question, hypothetical or negated, whose
cause side names a cause the rules know, becomes the cause of the failures it explains
(harness/readers/diagnosis.py). Each class is tested on real public texts worded differently
from the round's reports; the source is in the comment above each text.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage_read as triage

from harness.model import LogLine
from harness.readers.statements import Conclusion, scan_lines

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def conclude(text: str) -> Conclusion | None:
    return scan_lines([LogLine(i, t, "text") for i, t in enumerate(text.splitlines(), 1)]
                      ).conclusion()


# openjdk/jdk pull request #3286 (2021, "TestDockerMemoryMetrics.java fails due to swapping not
# working"), Severin Gehwolf's review comment as the search service stores it.
JDK_SWAP = """\
**jerboaa**:
Please explain what "swapping not working" actually means in this comment. One version of it \
is already handled via JDK-8250984. Suggestion: "On some systems there is no swap space \
enabled. On those systems running `java -version`??? with a memory limit fails due to swap \
space size being 0". Or something like that.
"""


def test_a_machine_without_swap_said_in_prose_is_the_swap_rules_cause():
    stated = conclude(JDK_SWAP)
    assert stated is not None
    assert (stated.cause, stated.category, stated.reported) == (
        "diagnosis-env", "env", "swap-missing")
    assert "due to swap space size being 0" in stated.line.text


# shadps4-emu/shadPS4 issue #1680 (2024): the reporter's own diagnosis under the assertion.
SHADPS4 = """\
After https://github.com/shadps4-emu/shadPS4/pull/1640/commits/7276853b enabled userfaultfd \
by default on Linux, I'm hitting an assertion failure:

```
[Debug] <Critical> page_manager.cpp:operator():36: Assertion Failed!
Operation not permitted
```

This is because `vm.unprivileged_userfaultfd` is disabled on my distro (NixOS):
"""


def test_a_disabled_sysctl_for_userfaultfd_is_the_configuration_not_a_limit():
    stated = conclude(SHADPS4)
    assert stated is not None
    assert (stated.category, stated.reported) == ("config", "userfaultfd-unavailable")


# cloud-hypervisor issue #8582 (2026): the reporter asks; a question states no cause.
CLOUD_HYPERVISOR = """\
Could this perhaps be because I'm using a kernel with 16K pages?  I don't really get what \
these tests are doing.
"""

# libfuse issue #499 (2020), wording unlike the round's libfuse thread: the maintainer's answer
# to a guessed cause, on its own.
LIBFUSE_DENIAL = """\
Thanks for the report! No, this wouldn't be caused by not having FUSE support in the kernel \
(the test would be skipped or you'd get an entirely different error).
"""


def test_a_question_or_a_denied_cause_states_nothing():
    assert conclude(CLOUD_HYPERVISOR) is None
    assert conclude(LIBFUSE_DENIAL) is None


# util-linux issue #3765 (2025): kernel options named as what differs - enabled, not missing.
UTIL_LINUX = """\
This same test doesn't seem to fail on an Ubuntu distribution and the difference seems to be \
due to which kernel options were enabled.
"""

# ComplianceAsCode/content pull request #13408 (2025): a sysctl named, not a limit.
COMPLIANCE = """\
Disable templated test scenario wrong_runtime.fail.sh for selected rules using the sysctl \
template. The reason is that these rules configure sysctl value that can't be changed using \
the `sysctl -w` command which causes that the test scenario fails to configure the virtual \
machine in the expected way and consequently the oscap scan unexpectedly passes.
"""


def test_a_named_option_or_sysctl_that_is_not_missing_is_no_configuration_cause():
    for text in (UTIL_LINUX, COMPLIANCE):
        stated = conclude(text)
        assert stated is None or stated.reported not in (
            "kernel-config-missing", "sysctl-limit"), stated


# FD.io JIRA TLDK (csit-tldk-ci-no-free-hugepages-panic in the corpus, 2017): the request says
# why the application failed ("fails due to huge pages being not available") above DPDK's log,
# where only "Cannot get hugepage information" fails; worded unlike the round's iommufd reply.
def test_the_reporters_stated_cause_over_a_log_no_rule_reads_is_the_hugetlb_pool(tmp_path):
    report = triage(tmp_path, (REPORTS / "csit-tldk-ci-no-free-hugepages-panic.txt").read_text())
    assert report["verdict"] == "env"
    # before: "Cannot get hugepage information" stayed an unexplained failure beside the pool
    assert {r["cause"] for r in report["results"] if r["status"] == "fail"} == {
        "hugetlb-pages-short"}
    assert {f["cause"] for f in report["findings"]} == {"hugetlb-pages-short"}


# Vlastimil Babka's hmm-tests report (hmm-tests-exclusive-ebusy in the corpus, 2022): "(the
# skip:1 is due to test 9 ... Huge page could not be allocated which is probably a
# misconfiguration on my part ...)" explains the skip, not the three failures beside it.
def test_a_diagnosis_of_a_skip_is_not_the_cause_of_the_failures(tmp_path):
    report = triage(tmp_path, (REPORTS / "hmm-tests-exclusive-ebusy.txt").read_text())
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert len(failed) == 3
    assert all(r["cause"] != "hugetlb-pages-short" for r in failed)
    assert report["verdict"] != "env"


# A constructed control (cow's own skip wording, a diagnosis sentence after it): a cause only
# the test's own message suggests ("is swap enabled?") gives way to the diagnosis in prose; a
# failed call with its errno would not.
WEAK_HINT = """\
# [RUN] Basic COW after fork() ... with swapped-out, PTE-mapped THP (2048 kB)
# [INFO] MADV_PAGEOUT did not work, is swap enabled?
ok 37 # SKIP MADV_PAGEOUT did not work, is swap enabled?

Swap is enabled on that machine. It turns out the test does not check whether the THP was
split before it asks for the page-out.
"""


def test_the_tests_own_hint_gives_way_to_the_stated_diagnosis(tmp_path):
    report = triage(tmp_path, WEAK_HINT)
    assert [(f["category"], f["cause"]) for f in report["findings"]] == [
        ("test-bug", "selftest-logic-bug")]
    hinted = WEAK_HINT.split("\n\n")[0] + "\n"  # without the prose: the swap rule's
    assert [f["cause"] for f in triage(tmp_path, hinted)["findings"]] == ["swap-missing"]


# Round 12-prose-b's class: the test's fault stated without a causal marker ("Several tests
# appear to assume a 4 KiB filesystem allocation granularity", uutils #13716); here kata-containers
# pull request #11849 (2025), another wording of the same family.
KATA = """\
- Test was failing on ppc64le due to larger system page size (e.g., 65536 bytes)
- Original test used a hardcoded 4097-byte string assuming 4KB page size
"""

# ... and the page size named as the cause in other words: etcd-io/bbolt issue #322 (2022),
# pmem/pmdk pull request #4421 (2020), jnwatson/py-lmdb issue #295 (2021, the maintainer).
PAGE_SIZE_CAUSES = (
    "the test cases are failing due to page size different between power and x86.",
    ("The test was broken on ppc64le because of a missing pad field present only on platforms "
     "with page size bigger than 4096."),
    ("With some effort, I am able to duplicate your problem. Some initial investigation reveals "
     "the core problem is the page size. The page size of ppc64le on Debian and others is 64K."),
)


def test_a_test_that_assumes_4k_pages_is_the_tests_fault_however_it_is_worded():
    for text in (KATA, *PAGE_SIZE_CAUSES):
        stated = conclude(text)
        assert stated is not None, text
        assert (stated.category, stated.cause) == ("test-bug", "selftest-logic-bug"), text


# A constructed control: a machine cause beside the writer's own "regression" is not settled
# (a kernel that leaks huge pages empties the pool too): nothing is stated, the log decides.
def test_a_machine_cause_beside_a_stated_regression_states_nothing():
    text = ("This is a regression in 6.8: the hugetlb tests now fail because no free huge "
            "pages are left after the first test.\n")
    assert conclude(text) is None
    assert conclude(text.replace("This is a regression in 6.8: the", "The")) is not None


# libhugetlbfs issue (libhugetlbfs-shm-perms-segment-size-64k-pages in the corpus, 2024): "Due to
# CONFIG_ARM64_64K_PAGES=y we get 512MB as default hugepage size, however the test sets the
# maximum size of a shmem segment (SHMMAX) too low" - an option that is set, and a huge page
# size the test did not expect: the test's fault, not a missing option (an honest unknown before).
def test_a_set_option_that_changes_the_huge_page_size_is_the_tests_assumption(tmp_path):
    text = (REPORTS / "libhugetlbfs-shm-perms-segment-size-64k-pages.txt").read_text()
    report = triage(tmp_path, text)
    [failed] = [r for r in report["results"] if r["status"] == "fail"]
    assert "causing this check to trip" in failed["message"]
    assert (failed["category"], failed["cause"]) == ("test-bug", "selftest-logic-bug")
