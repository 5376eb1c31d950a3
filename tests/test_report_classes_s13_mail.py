"""Classes round 23-mail (mail excerpts with a diagnosis) and last session's held-out mail
misses (round 22-final), each a class with a second real text worded differently:

- a kernel crash or warning beside the commit the report says brought it, in words other than
  "bisect": "The BUG_ON was introduced by following commit with next-20220511" (LTP
  mmapstress03 on Power10, 2022), "Regression was introduced by below patch, as WARN_ON is not
  seen when reverted" (an SR-IOV DLPAR warning, linuxppc-dev 2023); also "regressed by commit",
  "triggered by this patch" - the named commit's regression (kernel-regression), not a bare
  kernel-oops / kernel-warning;
- a failure that comes and goes with how the test binary is compiled: "I was able to run
  mremap_test without errors when compiling it without the -no-pie flag" (linux-kselftest
  2021, a segfault stated in prose only; fixed in the selftest), "Compiling hugemmap34 with
  CFLAGS='-fstack-clash-protection' causes gcc to insert additional stack address validation
  checks" (LTP 2025) - the test's own code, not the kernel (the kernel's own build options are
  not this: CONFIG_ options stay the configuration's);
- a question about the commit wrapped before its "?" ("Just to confirm, so is failing of
  fcntl27 test caused by this commit, or" / "is it something that needs to be fixed in the
  kernel code?", LTP 2024) names no commit that caused it;
- a sentence that points back at a failure already stated ("The error happens during the
  execution of the following test case", "The seg fault happens on line 145") says where it
  happened: no second failure.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage_file

from harness.readers.diagnosis import BUILD_FLAG_ONLY

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLASSES = Path(__file__).parent / "fixtures" / "classes"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


def test_an_oops_beside_the_commit_that_introduced_it_is_that_commits_regression():
    report = triage_file(REPORTS / "powerpc-ltp-mmapstress03-exit-mmap-bug-3233-vma-list-"
                         "removal-mail.txt")
    assert report["verdict"] == "kernel-bug"
    assert _findings(report) == {("kernel-bug", "kernel-regression")}


def test_a_warning_introduced_by_below_patch_is_that_patchs_regression():
    report = triage_file(CLASSES / "ppc-sriov-dlpar-iommu-warning-introduced-by-below-"
                         "patch.txt")
    assert ("kernel-bug", "kernel-regression") in _findings(report)
    assert ("kernel-bug", "kernel-warning") not in _findings(report)


def test_a_segfault_gone_with_another_compile_flag_is_the_tests():
    report = triage_file(REPORTS / "mremap-test-segfault-no-pie-text-remapped-prose-mail.txt")
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}
    # one failure, stated once: the "The seg fault happens on line 145" line is the same one
    assert len(report["results"]) == 1


def test_compile_flag_wordings():
    said = [("I was able to run mremap_test without errors when compiling it without the "
             "-no-pie flag."),
            ("Compiling hugemmap34 with CFLAGS='-fstack-clash-protection' causes gcc to insert "
             "additional stack address validation checks during alloca calls."),
            "The test passes when built with -O0.",
            "It runs fine when I build with -fno-pie"]
    assert all(BUILD_FLAG_ONLY.search(s) for s in said)
    assert not BUILD_FLAG_ONLY.search("the kernel works when compiled without CONFIG_FOO")
    assert not BUILD_FLAG_ONLY.search("The test passes on x86 but fails on arm64.")


def test_a_wrapped_question_about_the_commit_is_no_bisect():
    report = triage_file(REPORTS / "ltp-fcntl27-nfs-setlease-einval-after-test-rewrite-open-"
                         "thread.mbox")
    assert report["verdict"] == "unknown"
