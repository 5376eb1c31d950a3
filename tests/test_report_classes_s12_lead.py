"""A robot's bisect to a commit that widens what the kernel accepts (session 12, the lead).

The kernel test robot's LTP mails alone are a coin flip between a kernel regression and a test
that has not caught up with an intended change (tests/fixtures/reports/README.md, round
18-lkp). One family the mail does show: the bisected commit's subject widens what the kernel
accepts (a new flag, field or mode, a relaxed check: "Allow user.* xattr", "allow O_PATH
descriptors") and the failing check says a call the test expected refused went through or was
refused otherwise ("passed unexpectedly", "failed unexpectedly, expected EBADF"). That is the
test's to follow, at low confidence. The same wording under a commit that widens nothing stays
the commit's regression.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import triage_file
from tests.test_report_classes_s8_ltp import failing

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def test_a_call_that_went_through_after_a_commit_allowing_it_is_the_tests_to_follow():
    # "xattr: Allow user.* xattr on symlink/special files ...": setxattr02 "passed unexpectedly"
    report = triage_file(REPORTS / "lkp-ltp-setxattr02-user-xattr-special-files-allowed-rfc.txt")
    fails = failing(report)
    assert len(fails) == 4
    assert {(r["category"], r["cause"]) for r in fails} == {("test-bug", "selftest-logic-bug")}
    assert {r["confidence"] for r in fails} == {"low"}


def test_another_errno_after_a_commit_allowing_the_call_is_the_tests_to_follow():
    # "f*xattr: allow O_PATH descriptors": open13 "failed unexpectedly, expected EBADF: ...
    # EOPNOTSUPP" (the old LTP layout)
    report = triage_file(REPORTS / "lkp-ltp-open13-fgetxattr-o-path-allowed-errno.txt")
    [fail] = failing(report)
    assert (fail["category"], fail["cause"]) == ("test-bug", "selftest-logic-bug")


def test_the_same_wording_under_a_commit_that_widens_nothing_stays_its_regression():
    # "exec: Relocate S_ISREG() check": execveat02 "fails unexpectedly, expected: ELOOP: EACCES";
    # the author found the test correct
    report = triage_file(REPORTS / "lkp-ltp-execveat02-relocate-s-isreg-eloop-eacces.txt")
    causes = {(r["category"], r["cause"]) for r in failing(report)}
    assert ("kernel-bug", "kernel-regression") in causes
    assert ("test-bug", "selftest-logic-bug") not in causes
