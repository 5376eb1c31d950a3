"""Classes round 24-mail (mail excerpts with a diagnosis) and last session's held-out mail
misses (round 23-final), each a class with a second real text worded differently:

- a reviewer's verdict on a patch to the TESTS under review, over its run: "It looks like this
  patch breaks testing on TMPDIR on tmpfs" (LTP swap series, 2024), "Once I replace the
  blk_size with page_size, all tests get passed." (its author, 2024), "unfortunately this
  commit breaks fanotify09 and fanotify10 on SLES15 based kernels" (LTP 2023), "When I shift to
  use CLOCK_MONOTONIC_COARSE then test gets passed on all my platforms" (setitimer01, 2022),
  "This patch causes the test to fail on my Xeon workstation" (ptrace07, 2022): the failure is
  the test patch's (test-bug) - when the text shows only test files, or none on the LTP list
  naming no kernel commit. "swapon03 with this patch still fails" is no such verdict;
- the same words about a KERNEL patch are the kernel's: "We have confirmed this patch caused
  the LTP syscalls inotify06 test failure" over the ucounts diff (LKFT 2021) names the commit
  that brought the failure (kernel-regression), as "Adding this change makes the test pass"
  over a SUNRPC patch stays the kernel's;
- a note over a quoted message ("Any idea?", "Thanks", "+1", "Reviewed-by:", a signature)
  says nothing against it: the quoted message is read as the message itself, so its statement
  counts as a quoted bisect does (the top-posted variants of the epoll_ctl04 and uffd refactor
  replies); a quoted patch's "show no regression" under a "Reviewed-by:" is no regression;
- the writer's own run on a kernel without the kernel's fix: "FAIL on kernel reverts that
  fix-commit", "(with dropping that fix commit), it also could be reproduced" (swapping01,
  2021) - the test catching the kernel bug it exists for, not the test's false positive its
  quoted patch speaks of (kernel-bug); not a policy under a condition ("if this really fixes a
  kernel bug it's okay that the test will fail on older kernels without this fix", LTP 2022);
- a test patch's stated effect on the test, the old test's unreliability: "As a result, the test
  becomes more stable, deterministic, and easier to reproduce" (LTP mmap22, 2025, quoted under a
  reviewer's "+1"), "Make fanotify23 evictable marks tests more reliable" (2023), "shrink to 3
  MADV_WILLNEED pages to stabilize the test" (madvise06, 2022) - test-side words;
- the writer owning up to the kernel change: "something went wrong with my backports here. Let
  me go revert them all" (Greg Kroah-Hartman on 6.6.37's vfree() oops, 2024) - that change's
  regression, not a bare oops.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage_file

from harness.readers.review_verdicts import UNFIXED_KERNEL_RUN, review_verdict
from harness.readers.statements import WENT_WRONG
from harness.readers.test_verdicts import TEST_NATURE

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLASSES = Path(__file__).parent / "fixtures" / "classes"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"] if f["category"] != "unknown"}


def _top_posted(path: Path, tmp_path: Path, note: str) -> Path:
    quoted = "\n".join("> " + line for line in path.read_text().split("\n"))
    out = tmp_path / path.name
    out.write_text(f"{note}\n\nOn Mon, 2 Dec 2024 at 10:00, Jane Doe <jane@example.org> wrote:\n"
                   + quoted)
    return out


def test_a_review_saying_the_test_patch_breaks_testing_is_the_tests():
    for path in (REPORTS / "ltp-swapoff01-all-filesystems-patch-small-tmpfs-tbrok-insufficient-"
                 "space-reply.txt",
                 REPORTS / "ltp-swapoff01-swapon03-ppc64le-all-filesystems-failed-create-swapfile-"
                 "page-size-reply.txt",
                 CLASSES / "ltp-fanotify09-commit-breaks-sles15-review-reply.txt",
                 CLASSES / "ltp-setitimer01-shift-clock-test-gets-passed-reply.txt",
                 REPORTS / "ltp-ptrace07-xstate-cpuid-patch-causes-failure-reply.txt"):
        report = triage_file(path)
        assert report["verdict"] == "test-bug", path.name
        assert _findings(report) == {("test-bug", "selftest-logic-bug")}, path.name


def test_review_verdict_wordings():
    for said in ("It looks like this patch breaks testing on TMPDIR on tmpfs",
                 "Once I replace the blk_size with page_size, all tests get passed.",
                 "Jan, unfortunately this commit breaks fanotify09 and fanotify10 on SLES15",
                 "When I shift to use `CLOCK_MONOTONIC_COARSE` then test gets passed on all",
                 "This patch causes the test to fail on my Xeon workstation.",
                 "actually with this patch it fails"):
        assert review_verdict(said), said
    for said in ("FYI swapon03 with this patch still fails on SLES 12-SP5",
                 "this patch breaks the ABI", "this patch breaks nothing on my side"):
        assert not review_verdict(said), said


def test_a_patch_that_still_fails_is_no_verdict_on_it():
    report = triage_file(CLASSES / "ltp-swapon03-still-fails-with-patch-sles12-reply.txt")
    assert report["verdict"] == "unknown"


def test_a_kernel_patch_that_caused_the_test_failure_is_the_kernels():
    report = triage_file(REPORTS / "lkft-ltp-inotify06-ucounts-max-user-instances-einval-"
                         "confirmed-reply.txt")
    assert report["verdict"] == "kernel-bug"
    assert _findings(report) == {("kernel-bug", "kernel-regression")}
    report = triage_file(CLASSES / "ltp-acct02-sunrpc-kernel-change-makes-test-pass-reply.txt")
    assert report["verdict"] == "kernel-bug"


def test_a_note_over_a_quoted_verdict_reads_the_quote_as_the_message(tmp_path):
    for name in ("lkft-stable-6.12-ltp-epoll-ctl04-known-issue-test-update-reply",
                 "uffd-unit-tests-refactor-munmap-einval-tested-reply"):
        for note in ("Any idea?", "Thanks!", "+1", "Tested-by: Jane Doe <jane@example.org>"):
            report = triage_file(_top_posted(REPORTS / f"{name}.txt", tmp_path, note))
            assert report["verdict"] == "test-bug", (name, note)
            assert ("test-bug", "selftest-logic-bug") in _findings(report), (name, note)
    # a reply's own answer is no note: the quoted statement stays someone else's
    report = triage_file(_top_posted(
        REPORTS / "uffd-unit-tests-refactor-munmap-einval-tested-reply.txt", tmp_path,
        "No, this is a kernel bug: the munmap() EINVAL comes from the VMA code."))
    assert report["verdict"] != "test-bug"


def test_a_reviewed_by_over_a_quoted_test_patch_keeps_its_answer():
    report = triage_file(CLASSES / "kselftest-va-high-addr-switch-6-hugepages-reviewed-by-"
                         "reply.txt")
    assert report["verdict"] == "test-bug"
    report = triage_file(CLASSES / "kselftest-uffd-shmem-static-address-reviewed-by-no-"
                         "regression-reply.txt")
    assert report["verdict"] != "kernel-bug"  # "show no regression" is none


def test_a_run_on_a_kernel_without_the_fix_is_the_kernels():
    report = triage_file(REPORTS / "ltp-swapping01-heavy-swapping-reverted-fix-commit-reply.txt")
    assert report["verdict"] == "kernel-bug"
    assert _findings(report) == {("kernel-bug", "kernel-behaviour-fail")}
    for said in ("FAIL on kernel reverts that fix-commit",
                 ("I tried on kernel-3.2.0 (with dropping that fix commit), it also could be "
                  "reproduced"), "Reproduced on an unfixed kernel: it fails every time"):
        assert UNFIXED_KERNEL_RUN.search(said), said
    assert not UNFIXED_KERNEL_RUN.search("it fails on a kernel with the fix as well")
    # a policy under a condition is no run: "So if this really fixes a kernel bug it's okay that
    # the test will fail on older kernels without this fix"
    report = triage_file(CLASSES / "ltp-keyctl09-policy-fail-on-kernels-without-fix-reply.txt")
    assert report["verdict"] != "kernel-bug"


def test_a_maintainer_owning_up_to_his_backports_is_their_regression():
    report = triage_file(REPORTS / "ltp-bpf-prog-ppc64le-6.6.37-vfree-bad-address-backports-"
                         "revert-reply.txt")
    assert report["verdict"] == "kernel-bug"
    assert ("kernel-bug", "kernel-regression") in _findings(report)
    assert WENT_WRONG.search("I messed up the backport to 6.1.y")
    for said in ("something went wrong with the test setup", "Maybe I messed up the rebase."):
        assert not WENT_WRONG.search(said), said


def test_a_test_patch_that_makes_the_test_more_stable_says_the_test_was_unreliable():
    report = triage_file(REPORTS / "ltp-mmap22-map-droppable-unreliable-test-patch-plus-one-"
                         "reply.txt")
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}
    for said in ("As a result, the test becomes more stable, deterministic, and easier",
                 "[PATCH v2] fanotify23: Make evictable marks tests more reliable",
                 "madvise06: shrink to 3 MADV_WILLNEED pages to stabilize the test"):
        assert TEST_NATURE.search(said), said
    for said in ("the kernel becomes more stable", "this makes the kernel more robust"):
        assert not TEST_NATURE.search(said), said
