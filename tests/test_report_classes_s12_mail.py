"""Classes round 22-mail (LTP list mails where the maintainers diagnosed a failure as something
other than a kernel regression) missed before any change:

- a reply that refuses a patch gating the test off old kernels: "IMHO this is wrong. Older
  kernels are broken, and this would hide they are buggy." (LTP splice07, 2025) - the old
  kernel's bug, even though the reply quotes a patch that changes only the test; the same rule
  in other words: "AFAIK LTP should not try to hide bugs, report missing fix." (fsnotify, 2024);
- a CI taking the test's fix in: "we will update ltp testsuite when your patch merged" (the
  kernel test robot on listmount04, 2025) - an intended kernel change the test catches up with;
- "That's on the test because DRAIN doesn't punt to worker threads anymore" (io_uring02, 2021)
  under quoted kernel-side words ("didn't cause any regression?"): a single reply's own verdict
  answers the words it quotes;
- a patch whose commit message says the test passes only on a newer kernel ("This test passes
  only after kernel commit 4bed843b1000 (...), i.e. kernel version 6.11", run on 6.8) and raises
  min_kver: a test newer than the kernel (test-wrong-feature-probe), not the test's logic;
- (last session's held-out misses) a reply naming the version an interface came with ("Looks
  like SHM_STAT_ANY was added to kernel 4.17", LTP shmctl04 on stable 4.14, 2020): compared
  with the kernel that ran - older is the test using what the kernel lacks
  (test-wrong-feature-probe), as new or newer explains nothing (``feature_since.py``);
- an old build of the test suite: "Whatever LTP version this was, it did not have the
  ioctl_sg01 max_runtime patch applied." (LKFT's ioctl_sg01 timeout, 2022), "it looks like you
  were running an old LTP version" (Li Wang on move_pages12, 2019) - not "uses old LTP API".

- (mini-round 22-mail-b) an LTP patch announced with its link: "Martin Doucha has prepared a
  fix [1] [2]" and the footnotes "[1] https://lore.kernel.org/ltp/..." (LKFT's ioctl_sg01,
  2022), "LTP patch:" with a patchwork.ozlabs.org/project/ltp link on the next line (Wei Gao on
  the robot's listmount04 report, 2025) - the test is being fixed in LTP;
- (mini-round 22-mail-b) a guess at the test with the kernel's side asked: "This looks
  _probably_ to be a problem in the test rather than the kernel." and "could you confirm if
  this needs an actual change in the kernel? If not the test should be changed." (the robot's
  memfd_create03, 2024 - the kernel was changed) is left open (unknown), not test-bug; a
  condition opened on the line before ("...? If" / "not the test should be changed.") is a
  condition all the same.

Second texts: the kernel-verdict family on the fsnotify line, the old-build family on the
move_pages12 line; the CI's "we will update", "on the test", the min_kver patch and the
feature version are checked on the round's and the corpus's own reports only (no second real
text found in the time).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report_classes import triage_file

from harness.model import LogLine
from harness.readers.feature_since import feature_since
from harness.readers.test_verdicts import says_kernel_at_fault, says_test_to_change

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


@pytest.mark.parametrize(("name", "category", "cause", "args"), [
    ("ltp-splice07-kernel-5.9-require-5.10-rejected-old-kernel-broken-reply", "kernel-bug",
     "kernel-behaviour-fail", ("--kernel-version", "5.9")),
    ("lkp-ltp-listmount04-mnt-id-req-spare-ltp-patch-reply", "test-bug", "selftest-logic-bug",
     ()),
    ("ltp-io-uring02-cve-2020-29373-drain-on-the-test-reply", "test-bug", "selftest-logic-bug",
     ()),
    ("ltp-listmount04-kernel-6.8-require-6.11-patch", "test-bug", "test-wrong-feature-probe",
     ("--kernel-version", "6.8.0")),
])
def test_a_maintainers_verdict_in_a_mail_decides_the_side(name, category, cause, args):
    report = triage_file(REPORTS / f"{name}.txt", *args)
    assert (category, cause) in _findings(report)
    assert report["verdict"] == category


def test_old_kernels_are_broken_is_the_kernels_side():
    assert says_kernel_at_fault("IMHO this is wrong. Older kernels are broken, and this would "
                                "hide they are buggy.")
    assert says_kernel_at_fault("AFAIK LTP should not try to hide bugs, report missing fix.")
    # a policy named and set aside is no verdict
    assert not says_kernel_at_fault("FYI we have in LTP policy to not hide kernel bugs. But "
                                    "given 4bed843b1000 has not been merged to stable kernels")


def test_a_ci_updating_its_ltp_is_the_tests_side():
    assert says_test_to_change("thanks a lot for information! we will update ltp testsuite "
                               "when your patch")
    assert not says_test_to_change("we will update the report when the bisect is done")


SHMCTL04 = REPORTS / "lkft-ltp-shmctl04-stable-4.14-shm-stat-any-4.17-thread.mbox"


def test_a_feature_newer_than_the_kernel_that_ran_is_the_tests():
    report = triage_file(SHMCTL04, "--kernel-version", "4.14.204-rc1")
    assert ("test-bug", "test-wrong-feature-probe") in _findings(report)
    # the kernel release the report's own text gives is compared the same way
    assert ("test-bug", "test-wrong-feature-probe") in _findings(triage_file(SHMCTL04))


def test_a_feature_the_kernel_that_ran_has_explains_nothing():
    report = triage_file(SHMCTL04, "--kernel-version", "5.4.0")
    assert report["verdict"] == "unknown"


def test_a_version_of_a_fix_is_no_feature():
    line = LogLine(1, "", "")
    found = feature_since("Looks like SHM_STAT_ANY was added to kernel 4.17, that would explain",
                          line)
    assert found is not None and found.version == (4, 17)
    assert feature_since("The fix for MADV_FREE was merged in 5.10", line) is None


def test_an_old_build_of_the_test_suite_is_the_tests_side():
    report = triage_file(REPORTS / "lkft-ltp-ioctl-sg01-cve-2018-1000204-timeout-old-ltp-max-"
                         "runtime-reply.txt", "--kernel-version", "5.18.19")
    assert ("test-bug", "selftest-logic-bug") in _findings(report)
    assert says_test_to_change("And, from your test log, it looks like you were running an old "
                               "LTP")
    assert not says_test_to_change("Since only umount2_02 uses old ltp api, I think we can "
                                   "convert it into")
    assert not says_test_to_change("if tested, they don't use newest LTP.")


CLASSES = Path(__file__).parent / "fixtures" / "classes"


@pytest.mark.parametrize("path", [
    REPORTS / "lkft-ltp-ioctl-sg01-2a7734f-probably-timeout-ltp-fix-prepared-reply.txt",
    CLASSES / "lkp-ltp-listmount04-ltp-patch-link-reply.txt",
])
def test_an_ltp_patch_announced_by_its_link_is_the_tests_fix(path):
    report = triage_file(path)
    assert ("test-bug", "selftest-logic-bug") in _findings(report)


def test_a_guess_at_the_test_with_the_kernel_side_asked_stays_open():
    report = triage_file(REPORTS / "lkp-ltp-memfd-create03-munmap-enomem-probably-test-kernel-"
                         "fixed-reply.txt")
    assert report["verdict"] == "unknown"
    assert not any(c == "test-bug" for c, _ in _findings(report))
