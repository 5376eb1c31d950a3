"""The old LTP layout wrapped by a mail client (session 13, the lead).

Before LTP's new library (runltp's ``name  N  TFAIL  :  file.c:155: ...`` lines), a failed or
passed check printed its errno after the message: ``... failed as expected:
TEST_ERRNO=EACCES(13): Permission denied``. Such lines are long; a mail client wraps them at 72
columns, and the errno lands on a line of its own. That line is the rest of the result above it
- what the check expected and what it got - not a line of its own: "failed unexpectedly,
expected EBADF" is what makes a robot's bisect an intended change the test has to follow.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import triage_file
from tests.test_report_classes_s8_ltp import failing
from tests.test_report_variants import rewrap

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLASSES = Path(__file__).parent / "fixtures" / "classes"


def test_a_wrapped_result_keeps_what_it_expected_and_the_verdict_it_gives(tmp_path):
    # the robot's open13 mail ("f*xattr: allow O_PATH descriptors") wrapped at 72 columns:
    # "... fgetxattr(2) failed unexpectedly," / "expected EBADF: TEST_ERRNO=EOPNOTSUPP(95): ..."
    text = (REPORTS / "lkp-ltp-open13-fgetxattr-o-path-allowed-errno.txt").read_text()
    wrapped = tmp_path / "open13.txt"
    wrapped.write_text(rewrap(text))
    assert "\nexpected EBADF: TEST_ERRNO=EOPNOTSUPP(95)" in wrapped.read_text()
    [fail] = failing(triage_file(wrapped))
    assert "expected EBADF: TEST_ERRNO=EOPNOTSUPP(95)" in fail["message"]
    assert (fail["category"], fail["cause"]) == ("test-bug", "selftest-logic-bug")


def test_an_errno_alone_on_the_next_line_belongs_to_the_check_above_it():
    # LKFT's "LTP: syscalls: regression on mainline - ioctl_loop01 mknod07 setns01" (LTP list,
    # 2020-06-04), wrapped by Gmail: "mknod07  1  TPASS  :  mknod failed as expected:" /
    # "TEST_ERRNO=EACCES(13): Permission denied"
    report = triage_file(CLASSES / "ltp-syscalls-mainline-mknod07-wrapped-test-errno.eml")
    mknod = [r for r in report["results"] if r["suite"] == "mknod07"]
    assert len(mknod) == 6
    passed = [r["message"] for r in mknod if r["status"] == "pass"]
    assert len(passed) == 5
    assert all("TEST_ERRNO=E" in m for m in passed), passed
    assert [r["message"] for r in mknod if r["status"] == "fail"] == [
        "mknod07.c:155: mknod succeeded unexpectedly"]
