"""Round 16-ltp's classes (CI summaries of LTP: the kernel test robot's and LKFT's mails), each
tested on a second real public text worded or laid out differently from the round's report
that showed the class. The texts are excerpts of the mails, unmodified line by line."""
from __future__ import annotations

from tests.test_report_classes import triage_read


def failing(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["status"] not in ("pass", "skip")]


# ltp.lists.linux.it, 2023-11-03, <202311031548.66780ff5-oliver.sang@intel.com>: the robot's
# "[linux-next:master] [mm/ksm] 5e924ff54d: ltp.ksm01_1.fail" (runltp's block; every result
# line is libltpmem's mem.c)
KSM01_1 = """\
kernel test robot noticed "ltp.ksm01_1.fail" on:

commit: 5e924ff54d088828794d9f1a4d5bf17808f7270e ("mm/ksm: add smart page scanning mode")
https://git.kernel.org/cgit/linux/kernel/git/next/linux-next.git master

Running tests.......
<<<test_start>>>
tag=ksm01_1 stime=1698967074
cmdline="ksm01 -u 128"
contacts=""
analysis=exit
<<<test_output>>>
mem.c:255: TPASS: run is 1.
mem.c:255: TPASS: pages_shared is 2.
mem.c:255: TPASS: pages_sharing is 98302.
mem.c:252: TFAIL: pages_volatile is not 0 but 1.     <-----
mem.c:252: TFAIL: pages_unshared is not 1 but 0.     <-----
mem.c:255: TPASS: sleep_millisecs is 0.

Summary:
passed   40
failed   2
broken   0
skipped  0
warnings 0
incrementing stop
<<<execution_status>>>
initiation_status="ok"
duration=8 termination_type=exited termination_id=1 corefile=no
<<<test_end>>>
"""


def test_ltp_results_are_named_by_the_runltp_tag_not_the_library_file(tmp_path):
    report = triage_read(tmp_path, KSM01_1)
    assert {r["suite"] for r in report["results"]} == {"ksm01_1"}
    assert [r["name"] for r in failing(report)] == [
        "pages_volatile is not 0 but 1.     <-----", "pages_unshared is not 1 but 0.     <-----"]


# ltp.lists.linux.it, 2024-08-31, <202408312155.fd26a58c-oliver.sang@intel.com>: the robot's
# "[linux-next:master] [mm/vma] c2eb22189b: ltp.mseal01.fail" (TST_EXP_FAIL's line)
MSEAL01 = """\
kernel test robot noticed "ltp.mseal01.fail" on:

commit: c2eb22189bbc4f0c4ddcd3ee3ceb3ee2e2b04d9d ("mm/vma: inline munmap operation in \
mmap_region()")
https://git.kernel.org/cgit/linux/kernel/git/next/linux-next.git master

<<<test_start>>>
tag=mseal01 stime=1725009411
cmdline="mseal01"
<<<test_output>>>
mseal01.c:132: TINFO: Testing munmap() availability from child
mseal01.c:134: TPASS: sys_mseal(mem_addr + mem_offset, mem_alignment) passed
mseal01.c:77: TPASS: munmap(mem_addr, mem_size) : EPERM (1)
mseal01.c:132: TINFO: Testing mmap() protection change
mseal01.c:134: TPASS: sys_mseal(mem_addr + mem_offset, mem_alignment) passed
mseal01.c:100: TFAIL: mmap(mem_addr, mem_size, PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE | \
MAP_FIXED, -1, 0) expected EPERM: ENOMEM (12)
"""


def test_an_errno_expectation_keeps_the_errno_the_call_gave(tmp_path):
    report = triage_read(tmp_path, MSEAL01)
    [fail] = failing(report)
    assert (fail["suite"], fail["syscall"], fail["errno"]) == ("mseal01", "mmap", "ENOMEM")


def test_the_robots_bisect_explains_an_ltp_failure_in_its_own_mail_only(tmp_path):
    report = triage_read(tmp_path, MSEAL01)
    [fail] = failing(report)
    assert (fail["category"], fail["cause"]) == ("kernel-bug", "kernel-regression")
    quoted = "".join(f"> {line}\n" for line in MSEAL01.splitlines())
    attribution = "On Sat, Aug 31, 2024 the robot wrote:\n"
    # the same mail pasted as a mail client quoted it, with no words of the user's own, is
    # still the robot's report (whole_quote.py)
    [fail] = failing(triage_read(tmp_path, attribution + quoted))
    assert (fail["category"], fail["cause"]) == ("kernel-bug", "kernel-regression")
    # quoted under a reply's own words, the robot's bisect is someone else's claim
    reply = "I can reproduce this here too, looking.\n\n"
    report = triage_read(tmp_path, reply + attribution + quoted)
    assert all(r["cause"] != "kernel-regression" for r in failing(report))


# ltp.lists.linux.it, 2019-10-08, <20191008090051.GC9415@shao2-debian>: "[mm/swap] 67d8662d2d:
# ltp.madvise01.fail" - 2019's library printed the types without the T
MADVISE01 = """\
FYI, we noticed the following commit (built with gcc-7):

commit: 67d8662d2db619257554cef5b464014895102b95 ("mm/swap: Access struct pagevec remotely")

<<<test_start>>>
tag=madvise01 stime=1570467354
cmdline="madvise01"
<<<test_output>>>
tst_test.c:1118: INFO: Timeout per run is 0h 05m 00s
madvise01.c:112: PASS: madvise test for MADV_DOFORK PASSED
madvise01.c:109: FAIL: madvise test for MADV_HWPOISON failed with return = -1, errno = 16 : ???
madvise01.c:112: PASS: madvise test for MADV_MERGEABLE PASSED
"""


def test_2019s_types_without_the_t_are_results_and_info_lines_are_not(tmp_path):
    report = triage_read(tmp_path, MADVISE01)
    assert [(r["suite"], r["status"]) for r in report["results"]] == [
        ("madvise01", "pass"), ("madvise01", "fail"), ("madvise01", "pass")]


# ltp.lists.linux.it, 2025-11-25, <202511251629.ccc5680d-lkp@intel.com>: "[linus:master]
# [fs/namespace] 78f0e33cd6: ltp.listmount04.fail" - kirk's summary, no LTP line (the colour
# codes as the mail has them)
LISTMOUNT04 = """\
kernel test robot noticed "ltp.listmount04.fail" on:

commit: 78f0e33cd6c939a555aa80dbed2fec6b333a7660 ("fs/namespace: correctly handle errors \
returned by grab_requested_mnt_ns")

Starting suite: temp_single_test
---------------------------------
\x1b[1;37mlistmount04: \x1b[0m\x1b[1;31mfail\x1b[0m  (0.016s)

Execution time: 0.085s

\tSuite:       temp_single_test
\tTotal runs:  1
\tPassed:      7
\tFailed:      1
"""


def test_kirks_summary_line_is_the_tests_result(tmp_path):
    report = triage_read(tmp_path, LISTMOUNT04)
    assert [(r["suite"], r["status"]) for r in failing(report)] == [("listmount04", "fail")]


# linux-kselftest, 2025-07-03,
# <CA+G9fYvD1A12WE36NjELe5cD-LbPsmwJnH5aUAcufBZ7ndt2Hw@mail.gmail.com>: LKFT's "LTP syscalls
# mseal02 and shmctl03 fails on compat mode" - Gmail wrapped the TFAIL line
MSEAL02 = """\
## Test log
tst_test.c:1774: TINFO: Overall timeout per run is 0h 21m 36s
mseal02.c:45: TPASS: mseal(0xf7a8e000, 4096, 4294967295) : EINVAL (22)
mseal02.c:45: TPASS: mseal(0xf7a8e001, 4096, 0) : EINVAL (22)
mseal02.c:45: TFAIL: mseal(0xf7a8e000, 4294963201, 0) expected EINVAL:
ENOMEM (12)
mseal02.c:45: TPASS: mseal(0xf7a90000, 8192, 0) : ENOMEM (12)
"""


def test_a_wrapped_ltp_line_is_joined_and_passing_errnos_are_no_failures(tmp_path):
    report = triage_read(tmp_path, MSEAL02)
    assert [r["status"] for r in report["results"]] == ["pass", "pass", "fail", "pass"]
    [fail] = failing(report)
    assert (fail["suite"], fail["errno"]) == ("mseal02", "ENOMEM")


# linux-next, 2021-01-25 (tests/fixtures/reports/ltp-madvise08-coredump-dodump-revert-next-
# thread.mbox's first message): LKFT's "LTP: madvise08.c:203: TFAIL: No sequence in dump after
# MADV_DODUMP." with its BAD/GOOD builds in the other order
MADVISE08 = """\
LTP syscalls madvise08 test case failed on all devices from
Linux next 20210118 to till day.
strace log attached to this email and link provided below.

BAD: next-20210118
GOOD: next-20210115

This failure is easily reproducible on Linux next tag 20210118 above.

tst_test.c:1250: TINFO: Timeout per run is 0h 15m 00s
madvise08.c:112: TINFO: Dump file should be dump-10109
madvise08.c:196: TPASS: madvise(..., MADV_DONTDUMP)
madvise08.c:112: TINFO: Dump file should be dump-10110
madvise08.c:203: TFAIL: No sequence in dump after MADV_DODUMP.
"""


def test_lkfts_good_and_bad_builds_over_ltp_lines_are_a_kernel_range(tmp_path):
    report = triage_read(tmp_path, MADVISE08)
    [fail] = failing(report)
    assert (fail["suite"], fail["cause"]) == ("madvise08", "kernel-regression")
    # one end of the range only is no range
    report = triage_read(tmp_path, MADVISE08.replace("GOOD: next-20210115\n", ""))
    assert failing(report)[0]["cause"] != "kernel-regression"


# ltp.lists.linux.it, 2021-06-07, <20210607032512.GA16270@xsang-OptiPlex-9020>: "[loop]
# 1da9d8fdd7: ltp.uevent01.fail" - the only failure is the library's TWARN (ltp-pan's FAIL)
UEVENT01 = """\
<<<test_start>>>
tag=uevent01 stime=1622863131
cmdline="uevent01"
<<<test_output>>>
uevent.h:140: TPASS: Got expected UEVENT
uevent01.c:26: TINFO: Detaching device /dev/loop0
uevent.h:140: TPASS: Got expected UEVENT
tst_device.c:213: TWARN: ioctl(/dev/loop0, LOOP_CLR_FD, 0) no ENXIO for too long

Summary:
passed   2
failed   0
broken   0
skipped  0
warnings 1
<<<execution_status>>>
initiation_status="ok"
duration=2 termination_type=exited termination_id=4 corefile=no
<<<test_end>>>
"""


def test_a_twarn_of_the_library_is_the_tests_failure(tmp_path):
    report = triage_read(tmp_path, UEVENT01)
    assert [(r["suite"], r["status"]) for r in report["results"]] == [
        ("uevent01", "pass"), ("uevent01", "pass"), ("uevent01", "fail")]
