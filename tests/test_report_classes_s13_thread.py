"""Classes of whole threads (mbox) that the engine missed: session 12's held-out thread misses
and the held-out round 23-thread (tests/fixtures/reports/README.md), each tested on the corpus's
thread and on a real text worded differently:

- the last word of the kernel's maintainers after a first guess at the test: the kernel's own
  patch, posted in the thread, crediting the failure's reporter ("Reported-by: Jan Stancek" in
  Will Deacon's arm64 untagged_addr() fix for CKI's open_posix mlock/8-1, 2019) fixes what the
  thread reports (``statements.REPORTED_BY``); a CI's own "Reported-by:" line in its report
  carries no patch and counts for nothing. When the thread calls the change an ABI break ("It is
  an ABI break as the man page clearly states ...", Catalin Marinas; "This looks like an
  unintended userspace ABI breakage.", Florian Weimer on LTP's clone(CLONE_IO) EBADF, 2020),
  the kernel's fix is of a regression (``statements.ABI_BREAK``, engine
  ``abi_break_regressions``);
- LTP's library short of the hugetlb pages a test asked for: "tst_hugepage.c:46: BROK:
  nr_hugepages = 171, but expect 255" (hugemmap06 on s390x, 2020; "pkey01.c:69: BROK:
  nr_hugepages = 0, but expect 1", Li Wang 2020; the TCONF since 2022) is the pool the machine
  could not grow (rule ``hugetlb-pages-short``);
- a call LTP reports as failed with errno 0 ("move_pages12.c:91: FAIL: move_pages failed:
  SUCCESS", LTP #388, 2018; "preadv203.c:257: TBROK: write(...) failed: SUCCESS (0)", LTP 2022)
  did not fail: it returned a value the test does not accept - in the cases found, an intended
  kernel change (move_pages() returning the pages it could not move) or a short write the test
  took for an error; test-bug at low confidence (rule ``call-failed-errno-zero``);
- the test to take the kernel's new answer: "I *think* we are fine with just adjusting the test
  to accept the new world order" (Jan Kara on LKFT's ioctl_pidfd05 after pidfs returned ENOTTY,
  2025; "Improve the test to accept both.", Jan Kara on git's t6002, 2008; "I updated the test
  to accept both `[]` and `null`") is the test's to change (``test_verdicts.FOLLOWS_KERNEL``);
  LKFT's own tag "[Not a kernel regression]" is no kernel-side word (``statements.KERNEL_SIDE``),
  and a kernel commit shown as ``git show`` prints it (commit, Author:, its diff: the change
  that broke the test) is no patch the thread proposes (``statements.SHOWN_COMMIT``);
- the machine short of memory for the test's process count, said as the memory each process is
  left: "that leaves us about 125kB per process (aprox: 8 * 1024 * 1024 / 64000) which is
  likely too low" (Cyril Hrubis on LTP msgstress03's failed forks, 2021;
  ``diagnosis.SHORT_OF_MEMORY``). No second text in these words was found in the time left.

Mini-round 23-thread-b (4 more threads, measured after the fixes above: 2/4 right, 0 confident
wrong): a maintainer's advice to set the option ("you should check your kernel config and set
"CONFIG_TUN=y/m"", Yang Xu on LTP netns_netlink, 2020; "Yes, you need to enable
CONFIG_ARM_IMX8M_DDRC_DEVFREQ in order to test this.", a devfreq review, 2019) is a missing
kernel option (``diagnosis.OPTION_NEEDED``). Left: signal06's disputed FPU bisect (kernel-bug
with the cause unsaid) stays unknown; so do sched_rr_get_interval's "cgroup that has zero
cpu.rt_runtime_us" theory and cpuset_regression_test's hand-run without LTP's PATH (no result
line at all).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.model import LogLine
from harness.readers.diagnosis import OPTION_NEEDED, SHORT_OF_MEMORY
from harness.readers.statements import ABI_BREAK, KERNEL_SIDE, scan_lines
from harness.readers.test_verdicts import says_test_to_change
from tests.test_report_classes import triage_file as triage

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def verdict(name: str, *args: str) -> tuple[str, str]:
    """The corpus's thread: its verdict's worst finding's category and cause."""
    report = triage(REPORTS / f"{name}.mbox", *args)
    worst = report["findings"][0] if report["findings"] else {"category": "unknown",
                                                              "cause": "-"}
    return worst["category"], worst["cause"]


def lines(*texts: str, source: str = "message 1") -> list[LogLine]:
    return [LogLine(i, t, source) for i, t in enumerate(texts, 1)]


def test_the_kernels_own_patch_crediting_the_report_after_an_abi_break_is_a_regression():
    assert verdict("cki-stable-next-arm64-ltp-openposix-mlock-8-1-untagged-addr-einval-thread",
                   "--kernel-version", "5.4.0-rc2") == ("kernel-bug", "kernel-regression")
    # Florian Weimer on LTP's clone(CLONE_IO) EBADF after ef2c41cf38a7 (LTP list, 2020)
    assert ABI_BREAK.search("But the kernel uses unsigned long for clone_flags.  This looks "
                            "like an unintended userspace ABI breakage.")
    assert not ABI_BREAK.search("There is no ABI break here, the errno was never documented.")


def test_a_ci_reports_own_reported_by_line_is_no_kernel_fix():
    # LKFT's report asks the fixer to credit it; no patch of the writer's is in the text
    report = lines("LTP syscalls epoll_ctl02 is failing on Linux next master.",
                   "Reported-by: Linux Kernel Functional Testing <lkft@linaro.org>",
                   "We are investigating this regression.")
    assert scan_lines(report).kernel_fix() is None
    # the same line in the writer's own kernel-only patch (its diffstat) is the fix
    patch = lines("Sign-extending TTBR1 addresses when converting to an untagged address",
                  "breaks the documented POSIX semantics for mlock() in some obscure error",
                  "Reported-by: Jan Stancek <jstancek@redhat.com>",
                  "Signed-off-by: Will Deacon <will@kernel.org>",
                  "---",
                  " arch/arm64/include/asm/memory.h | 10 ++++++----")
    found = scan_lines(patch).kernel_fix()
    assert found is not None and found.category == "kernel-bug"


def test_ltp_short_of_the_hugetlb_pages_it_asked_for_is_the_pool():
    assert verdict("cki-stable-queue-5.6.14-ltp-s390x-hugemmap06-nr-hugepages-short-tconf-thread",
                   "--kernel-version", "5.6.14") == ("env", "hugetlb-pages-short")


@pytest.mark.parametrize("line", [
    # Li Wang's pkey01 patch (LTP list, 2020-02-08, <20200208092014.24824-2-liwang@redhat.com>)
    "pkey01.c:69: BROK: nr_hugepages = 0, but expect 1",
    # Li Wang, 'hugetlb: move nr_opt to tst_hugepage.h' (2020-04-06)
    "tst_hugepage.c:40: BROK: nr_hugepages = 5, but expect 22",
])
def test_ltp_hugepage_reservation_short_in_other_tests(tmp_path, line):
    log = tmp_path / "run.txt"
    log.write_text("tst_test.c:1215: INFO: Timeout per run is 0h 05m 00s\n" + line + "\n")
    report = triage(log)
    assert report["findings"][0]["cause"] == "hugetlb-pages-short"


def test_a_call_failed_with_errno_zero_is_the_tests_reading_of_its_return():
    report = triage(REPORTS / "ltp-move-pages12-power9-move-pages-positive-return-strace-"
                    "issue.txt", "--kernel-version", "4.18.0")
    worst = report["findings"][0]
    assert (worst["category"], worst["cause"], worst["confidence"]) == (
        "test-bug", "selftest-logic-bug", "low")


def test_a_short_write_taken_for_a_failure_is_the_same_class(tmp_path):
    # Jan Stancek, 'syscalls/preadv203: don't treat short write() as failure' (LTP list, 2022)
    log = tmp_path / "run.txt"
    log.write_text("tst_test.c:1064: TINFO: Formatting /dev/loop0 with xfs opts='' extra opts=''\n"
                   "preadv203.c:257: TBROK: write(501,0x3fff4ef7d15,4123) failed: SUCCESS (0)\n")
    worst = triage(log)["findings"][0]
    assert (worst["category"], worst["cause"]) == ("test-bug", "selftest-logic-bug")
    # a TFAIL printing errno 0 beside a value it compared names no failed call
    log.write_text("listmount04.c:128: TFAIL: invalid mnt_id_req.param invalid retval 20: "
                   "SUCCESS (0)\n")
    assert triage(log)["findings"][0]["cause"] != "selftest-logic-bug"


@pytest.mark.parametrize("sentence", [
    # Jan Kara on LKFT's ioctl_pidfd05 (LTP list, 2025-10-21), the wrapped lines joined
    ("EINVAL for that case. I *think* we are fine with just adjusting the test to accept the "
     "new world order but wanted your opinion"),
    # Jan Kara on git's t6002-rev-list-bisect.sh (git list, 2008)
    ("Test 2 from t6002-rev-list-bisect.sh expects 'c2' as the bisection point but b2 is an "
    "equivalent choice. Improve the test to accept both."),
    # Jan Stancek on LKFT's setns01 after 303cc571d107 changed EINVAL to EBADF (LTP list, 2020)
    ("This appears to fit more current man page, so I think we need to fix test to accept "
     "both. (I'm looking into that)"),
    # go-go-goja's notes: a module returning a nil slice
    ("I updated the test to accept both `[]` and `null` for the empty-table case rather than "
    "changing the upstream DB module behavior in this task."),
])
def test_the_test_to_accept_the_kernels_new_answer(sentence):
    assert says_test_to_change(sentence)


def test_the_intended_errno_change_thread_is_the_tests():
    assert verdict("lkft-ltp-ioctl-pidfd05-enotty-pidfs-return-changed-thread",
                   "--kernel-version", "6.18.0-rc1") == ("test-bug", "selftest-logic-bug")
    assert not KERNEL_SIDE.search("[Not a kernel regression]")
    assert KERNEL_SIDE.search("This is a kernel regression.")


def test_the_memory_each_process_is_left_said_too_low_is_the_machine():
    assert verdict("ltp-msgstress03-msgmni-fork-failed-8gb-ram-thread",
                   "--kernel-version", "5.10.19") == ("env", "memory-short")
    assert SHORT_OF_MEMORY.search("that leaves us about 125kB per process (aprox: 8 * 1024 * "
                                  "1024 / 64000) which is likely too low.")
    assert not SHORT_OF_MEMORY.search("The test allocates 64MB per process and frees it.")


@pytest.mark.parametrize("sentence", [
    # Yang Xu on LTP netns_netlink (LTP list, 2020)
    ("It looks like your environment misses /dev/net/tun devfile, you should check your kernel "
     'config and set "CONFIG_TUN=y/m".'),
    # a devfreq driver review (linux-arm-kernel, 2019)
    "Yes, you need to enable CONFIG_ARM_IMX8M_DDRC_DEVFREQ in order to test this.",
])
def test_advice_to_set_a_kernel_option_is_the_configuration(sentence):
    assert OPTION_NEEDED.search(sentence)


def test_the_option_advice_thread_is_config():
    assert verdict("ltp-netns-netlink-riscv-ip-tuntap-no-dev-net-tun-config-thread",
                   "--kernel-version", "5.4.3") == ("config", "kernel-config-missing")
    # the reporter's own setting is no advice
    assert not OPTION_NEEDED.search("I have set CONFIG_TUN=y and it still fails.")
