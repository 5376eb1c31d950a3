"""The old LTP layout wrapped by a mail client; a program's WARNING in a capture stamped on every
line (session 13, the lead).

Before LTP's new library (runltp's ``name  N  TFAIL  :  file.c:155: ...`` lines), a failed or
passed check printed its errno after the message: ``... failed as expected:
TEST_ERRNO=EACCES(13): Permission denied``. Such lines are long; a mail client wraps them at 72
columns, and the errno lands on a line of its own. That line is the rest of the result above it
- what the check expected and what it got - not a line of its own: "failed unexpectedly,
expected EBADF" is what makes a robot's bisect an intended change the test has to follow.

A capture tool that stamps every line ("[   12.004936] ") stamps the program's own output too:
those stamps are the capture's, and only the kernel's own messages keep theirs. A kernel
warning starts its line ("WARNING: CPU: 24 PID: ... at fs/iomap/buffered-io.c:75"); a
program's "libhugetlbfs: WARNING: get_huge_pages: New region mapping failed" is the program's
line, read as the program's failed call.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import triage_file
from tests.test_report_classes_s8_ltp import failing
from tests.test_report_variants import printk_stamps, rewrap

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


def _stamped(tmp_path: Path, name: str) -> Path:
    stamped = tmp_path / f"{name}.txt"
    stamped.write_text(printk_stamps((REPORTS / f"{name}.txt").read_text()))
    assert stamped.read_text().startswith("[ ")
    return stamped


def test_a_programs_warning_in_a_stamped_capture_is_the_programs_failed_call(tmp_path):
    # nvme-cli #626: "libhugetlbfs: WARNING: get_huge_pages: New region mapping failed (flags:
    # 0x1): Cannot allocate memory", every line stamped
    report = triage_file(_stamped(tmp_path, "nvme-cli-fw-download-libhugetlbfs-region-enomem"))
    [fail] = failing(report)
    assert (fail["category"], fail["cause"]) == ("env", "hugetlb-pages-short")


def test_a_kernel_warning_in_a_stamped_capture_stays_the_kernels(tmp_path):
    # IBM's xfstests generic/475 on next: "WARNING: CPU: 24 PID: 2463718 at
    # fs/iomap/buffered-io.c:75 iomap_page_release", every line stamped
    name = "ibm-xfstests-generic-475-iomap-page-release-warning-next"
    report = triage_file(_stamped(tmp_path, name))
    assert ("kernel-bug", "kernel-warning") in {
        (f["category"], f["cause"]) for f in report["findings"]}
