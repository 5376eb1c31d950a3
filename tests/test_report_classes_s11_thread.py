"""Classes of whole threads (mbox) that the engine missed in the held-out round 21-thread
(tests/fixtures/reports/README.md), each tested on the round's text and a real text worded
differently where one was found:

- a report's own range of kernel changes: a pasted ``git log --oneline <good>..<bad>`` (the
  command with its range, or a bare ``# git log --oneline`` with the range on the next line),
  and a last-good/first-bad pair whose build carries its metadata key ("BAD: git_sha:
  cdeffe87f790...", "GOOD:   git_sha: babf0bb978e3..."), is the range a kernel crash came
  with: the crash is that range's regression (``lkft_mail.GIT_LOG``, ``REV_RANGE``,
  ``GOOD_BAD``) - LKFT's zram Oops on qemu-arm (2022, the round's) and LKFT's access01 BUG on
  i386 (2020, session 10's miss, worded as the command with its range on one line);
- a maintainer saying the bisected kernel commit broke what the test assumed ("I'm suspecting
  that the changes in 6b008640db73 (...) broke the heuristics in stack_clash.c", Andrew Morton
  on LTP's cve-2017-1000364, 2025), hedged or not, disputes the bisect as a kernel bug: the
  bisect (and the revert that cured it, and LTP's "HINT: You _MAY_ be missing kernel fixes"
  block quoted with it) no longer makes the failure a kernel regression; the test may be at
  fault and nobody concluded, so the answer is an honest unknown (``statements.
  BISECT_DISPUTED``). No second thread in these words was found in the archives searched
  (LTP, linux-kselftest, linux-next, 2019-2026); the test checks other real wordings of the
  same sentence family at the pattern;
- the last line of an Oops's wrapped "Modules linked in:" list ("fuse [last unloaded:
  test_user_copy]", LKFT's zram Oops, 2022; "scsi_transport_srp fuse [last unloaded:
  scsi_debug]", IBM's Power CI on generic/451, 2025), and every unstamped continuation of a
  printk-stamped "Modules linked in:" line (IBM's migrate-swap Oops, 2025), is the kernel's
  record, not prose: the "fuse" module names no filesystem the tests ran on
  (``paste.MODULE_LIST``, and the stamped line starting the list).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.model import LogLine
from harness.readers import lkft_mail
from harness.readers.statements import BISECT_DISPUTED
from tests.test_report_classes import triage_file as triage

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def bad_build(text: str) -> LogLine | None:
    """The line the LKFT reader takes as the range's bad end (None without both ends)."""
    reader = lkft_mail.Reader()
    for i, t in enumerate(text.splitlines(), 1):
        reader.feed(LogLine(i, t, "mail"))
    return reader.bad_build()


# Naresh Kamboju, linux-kselftest 2 Jun 2022, "qemu-arm: zram: mkfs.ext4 : Unable to handle
# kernel NULL pointer dereference at virtual address 00000140" (Message-ID
# <CA+G9fYtVOfWWpx96fa3zzKzBPKiNu1w3FOD4j++G8MOG3Vs0EA@mail.gmail.com>), lines 6-16.
ZRAM_RANGE = """\
Started noticing from kernel crash from
BAD: git_sha: cdeffe87f790dfd1baa193020411ce9a538446d7
GOOD:   git_sha: babf0bb978e3c9fce6c4eba6b744c8754fd43d8e

# git log  --oneline
babf0bb978e3c9fce6c4eba6b744c8754fd43d8e..cdeffe87f790dfd1baa193020411ce9a538446d7
  -- drivers/block/
98931dd95fd4 Merge tag 'mm-stable-2022-05-25' of
git://git.kernel.org/pub/scm/linux/kernel/git/akpm/mm
6140ae41effe zram: fix Kconfig dependency warning
"""
# Naresh Kamboju, LTP list 24 Nov 2020, "kernel BUG at mm/highmem.c:417! invalid opcode: 0000
# EIP: zero_user_segments" (Message-ID
# <CA+G9fYuKZGaHVvAv=ZwOL_p6UM3YhOHy0DcJRRM_DOLGYXg1Dw@mail.gmail.com>).
ACCESS01_RANGE = """\
git short log:
----------------
git log --oneline next-20201120..next-20201124 -- mm/highmem.c
d9927d46febf Merge branch 'akpm-current/current'
72d22a0d0e86 mm: support THPs in zero_user_segments
"""


def test_a_pasted_git_log_range_or_a_keyed_good_bad_pair_is_the_reports_range():
    pair, command = ZRAM_RANGE.split("\n\n", 1)
    assert bad_build(pair) is not None and "git_sha" in bad_build(pair).text
    # the bare command with its range on the next line, alone
    said = bad_build(command)
    assert said is not None and ".." in said.text
    said = bad_build(ACCESS01_RANGE)
    assert said is not None and said.text.startswith("git log --oneline next-20201120..")
    # a git log without a range, or a range that is no git log's, names nothing
    assert bad_build("git log --oneline -- mm/highmem.c\n72d22a0d0e86 mm: support THPs") is None
    assert bad_build("# git log --oneline\nsee the tests 1..10 below") is None
    assert bad_build("The tests 1..10 passed") is None


@pytest.mark.parametrize("name, version", [
    ("lkft-kselftest-zram-qemu-arm-zsmalloc-lockdep-null-deref-git-log-range-thread", "5.18.0"),
    ("lkft-ltp-access01-i386-highmem-zero-user-segments-bug-thread",
     "5.10.0-rc5-next-20201124"),
])
def test_a_kernel_crash_in_a_reports_own_range_is_its_regression(name: str, version: str):
    report = triage(REPORTS / f"{name}.mbox", "--kernel-version", version)
    assert report["verdict"] == "kernel-bug"
    causes = {f["cause"] for f in report["findings"] if f["category"] == "kernel-bug"}
    assert causes == {"kernel-regression"}


# Andrew Morton, LTP list 4 Feb 2025, "Re: [Bug 219750] New: Unexpected result from the
# stack_clash test for CVE 2017-1000364" (Message-ID
# <20250204183709.3db159f63a99a8dc25b7d342@linux-foundation.org>), as his mail wrapped it.
STACK_CLASH_SUSPECT = (
    "Thanks.  I'm suspecting that the changes in 6b008640db73 (\"mm: move "
    "'mmap_min_addr' logic from callers into vm_unmapped_area()\") broke the "
    "heuristics in stack_clash.c.  Let's cc the LTP team and ask whether")


def test_a_bisected_commit_that_broke_the_tests_assumptions_disputes_the_bisect():
    assert BISECT_DISPUTED.search(STACK_CLASH_SUSPECT)
    # the same sentence family in other words
    assert BISECT_DISPUTED.search("That commit invalidates the assumptions of the test.")
    assert BISECT_DISPUTED.search("The test relied on the old behaviour of mremap().")
    # a kernel change breaking something of the kernel's, or a test breaking, is no dispute
    assert not BISECT_DISPUTED.search("This commit broke the heuristics in the allocator.")
    assert not BISECT_DISPUTED.search("The commit breaks the test on arm64.")


def test_a_bisect_the_maintainer_puts_on_the_tests_heuristics_is_no_regression():
    name = "ltp-stack-clash-cve-2017-1000364-hint-bisect-akpm-suspects-heuristics-thread"
    report = triage(REPORTS / f"{name}.mbox", "--kernel-version", "6.12.10")
    assert report["verdict"] == "unknown"
    assert not any(f["cause"] == "kernel-regression" for f in report["findings"])


@pytest.mark.parametrize("name", [
    "lkft-kselftest-zram-qemu-arm-zsmalloc-lockdep-null-deref-git-log-range-thread.mbox",
    "ibm-fstests-generic-451-ext4-list-add-bug-next.txt",
    "ibm-mainline-migrate-swap-task-oops.txt",
])
def test_a_wrapped_module_lists_fuse_names_no_filesystem(name: str):
    report = triage(REPORTS / name)
    env = report["environment"]
    assert env.get("fs") is None
    assert not any("taken from the text" in n for n in env.get("notes", []))
