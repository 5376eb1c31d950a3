"""Classes the held-out round 18-thread (whole LTP-list threads as mbox, see
tests/fixtures/reports/README.md) showed, each tested on a second real text worded differently
from the thread that showed it:

- LTP's value check of a /proc/sys knob (``TST_ASSERT_ULONG``: "/proc/sys/kernel/shmmax !=
  2147483647 got 4294967295") is the kernel's answer differing from the knob, not a system
  limit that stopped the test (``sysctl-limit`` no longer takes it);
- a reply's definite "this is a (minor) kernel bug" is the thread's kernel-side conclusion
  (``test_verdicts.says_kernel_at_fault``, rule ``kernel-bug-stated``), over a patch to the
  test posted before it; a guess ("My guess would be kernel bug") concludes nothing, and a
  later "the test needs to be fixed" overrules it;
- the machine told as short of memory ("running the tests on a system with too little memory",
  "the machine only has 4GB memory") and the setup named as the fault ("more of the system
  problem", "a problem with your environment") are environment diagnoses without a causal
  marker (``diagnosis.SHORT_OF_MEMORY``, ``SETUP_VERDICT``);
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from harness.cli.main import main
from harness.model import LogLine
from harness.readers.diagnosis import _diagnosis
from harness.readers.statements import scan_lines
from harness.readers.test_verdicts import says_kernel_at_fault
from tests.test_report_classes import triage_read

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def triage_thread(mbox: Path) -> dict:
    """The JSON report of a thread (written to stdout)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["triage", str(mbox), "--json", "-"]) in (0, 1)
    return json.loads(out.getvalue())

# LKFT's report, Naresh Kamboju, LTP list 3 Jul 2025, "LTP syscalls mseal02 and shmctl03 fails
# on compat mode 64-bit kernel on 32-bit rootfs" (Message-ID
# <CA+G9fYvD1A12WE36NjELe5cD-LbPsmwJnH5aUAcufBZ7ndt2Hw@mail.gmail.com>), its test log section.
LKFT_SHMCTL03_COMPAT = """\
## Test log
tst_test.c:1953: TINFO: LTP version: 20250530
tst_test.c:1956: TINFO: Tested kernel: 6.16.0-rc3-next-20250627 #1 SMP
PREEMPT @1751015729 aarch64
tst_kconfig.c:88: TINFO: Parsing kernel config '/proc/config.gz'
tst_kconfig.c:676: TINFO: CONFIG_TRACE_IRQFLAGS kernel option detected
which might slow the execution
tst_test.c:1774: TINFO: Overall timeout per run is 0h 21m 36s
shmctl03.c:31: TPASS: shmmin = 1
shmctl03.c:33: TFAIL: /proc/sys/kernel/shmmax != 2147483647 got 4294967295
shmctl03.c:34: TPASS: /proc/sys/kernel/shmmni = 4096
shmctl03.c:35: TFAIL: /proc/sys/kernel/shmall != 4278190079 got 4294967295
"""


def test_a_value_check_of_a_proc_sys_knob_is_no_system_limit(tmp_path: Path):
    report = triage_read(tmp_path, LKFT_SHMCTL03_COMPAT)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert len(failed) == 2 and all(r["suite"] == "shmctl03" for r in failed)
    # the kernel's answer differs from the knob: nothing says the machine's limit was too low
    assert all(r["cause"] != "sysctl-limit" and r["category"] != "env" for r in failed)
    # a limit the test could not raise is still one (thuge-gen's bail-out, round 3's report)
    text = (REPORTS / "thuge-gen-shmmax-too-small-patch.txt").read_text()
    limit = triage_read(tmp_path, text)
    assert any(r["cause"] == "sysctl-limit" for r in limit["results"])


def _conclude(*messages: str):
    """The conclusion of a thread given as its messages' texts, in order."""
    return scan_lines([LogLine(i, t, f"message {n}")
                       for n, text in enumerate(messages, 1)
                       for i, t in enumerate(text.splitlines(), 1)]).conclusion()


# Dylan Jhong's patch and Richard Palethorpe's answer, LTP list 25-26 Aug 2022, "[PATCH]
# syscalls/semctl03: Solve kernel panic in semctl03" (Message-IDs
# <20220825105204.953388-1-dylan@andestech.com>, <87k06v1pwp.fsf@suse.de>), their own lines.
SEMCTL03_PATCH = """\
When using semctl() through glibc and __IPC_TIME64 is defined, glibc will
call a converted semun64_to_ksemun64() function[*1]. If the parameter of
this function is NULL, it will cause a NULL pointer dereference kernel
panic.

Signed-off-by: Dylan Jhong <dylan@andestech.com>
---
 testcases/kernel/syscalls/ipc/semctl/semctl03.c | 10 ++++++++++
 1 file changed, 10 insertions(+)
"""
SEMCTL03_REPLY = """\
Hello,

Dylan Jhong <dylan@andestech.com> writes:

This is a kernel bug. Generally speaking, we shouldn't be able to create
kernel panics from user land. The kernel should return EFAULT if we pass
an invalid pointer.

If this test causes a kernel panic then it should be kept as-is. If it
is not testing what it was originally intended to, then another test can
be created to do that.
"""


def test_a_reply_saying_it_is_the_kernels_bug_is_the_threads_conclusion():
    said = [
        SEMCTL03_REPLY.splitlines()[4],
        # Richard Palethorpe's next reply in the same thread
        "a null pointer dereference? This is a serious kernel bug that may be exploitable.",
    ]
    assert all(says_kernel_at_fault(s) for s in said)
    guessed = [
        # Jan Stancek, LTP list 17 Feb 2020, min_free_kbytes on RISC-V (no diagnosis followed)
        "on write to allocated area via memset(). My guess would be kernel bug.",
        "I suspect it's a kernel bug, but I haven't bisected it yet.",
        "It looks like this is a kernel regression to me",
        "This is not a kernel bug, the test is racy.",
    ]
    assert not any(says_kernel_at_fault(s) for s in guessed)
    # the reviewer's verdict overrules the patch to the test that came before it
    stated = _conclude(SEMCTL03_PATCH, SEMCTL03_REPLY)
    assert stated is not None and stated.category == "kernel-bug"
    assert stated.line.source == "message 2"
    # ... and a later message fixing the test overrules the verdict
    later = _conclude(SEMCTL03_REPLY, "The test needs to be fixed, I'll send an ltp patch.")
    assert later is not None and later.category == "test-bug"
    # a guess alone concludes nothing
    hedged = _conclude("memset() crashes in the child.", "My guess would be kernel bug.")
    assert hedged is None or hedged.category != "kernel-bug"


def test_a_machine_said_to_be_short_of_memory_is_the_environment():
    said = [
        # Richard Purdie, LTP list 26 May 2020, "Memory requirements for ltp" (round 18-thread)
        ("Its also clear we are running the tests on a system with too little memory (512MB) "
         "as there is OOM killer activity all over the logs"),
        # uweigand, dotnet/runtimelab PR #892 (2021), a test OOM-killed on s390x
        ("Given that the s390x machine currently only has 4GB memory + 4GB swap, it is easy to "
         "see how the test can bring it to its limits."),
        # mychris, openjdk/jdk PR #2507 (2021), TestDynShrinkHeap killed by the OOM killer
        "This happened on a Raspberry PI 2, which has only 1G of memory available.",
    ]
    for sentence in said:
        found = _diagnosis(sentence, LogLine(1, sentence, "mail"))
        assert found is not None and found.cause.cause == "memory-short", sentence
    not_said = [
        "The machine has 64GB of memory and 8 CPUs.",
        "If the VM only has 512MB of RAM the test will fail.",
    ]
    assert not any(_diagnosis(s, LogLine(1, s, "mail")) for s in not_said)


def test_the_setup_named_as_the_fault_is_the_environment():
    said = [
        # Cyril Hrubis, LTP list 20 Feb 2020, ksm03 with cgroups mounted over /dev/cgroup
        ("That's more of the system problem than anything else, kernel itself does not mount "
         "cgroups anywhere, that's usually done it the boot process"),
        # grke, grke/burp #798 (2019), test_self failing for a user
        ("So it seems most likely to me that it is a problem with your environment."),
    ]
    for sentence in said:
        found = _diagnosis(sentence, LogLine(1, sentence, "mail"))
        assert found is not None and found.cause.category == "env", sentence
    not_said = [
        # the same burp reply, one sentence earlier: a list of possibilities
        ("That could be a bug in burp, it could be a bug in the test, it could be a problem "
         "with the environment that you ran it in, not enough disk space, bad memory"),
        "This is not a setup problem, the kernel is at fault.",
        "This is a kernel configuration problem.",
    ]
    assert not any(_diagnosis(s, LogLine(1, s, "mail")) for s in not_said)
    # the whole ksm03 thread: env, where it was an honest unknown
    report = triage_thread(REPORTS / "ltp-ksm03-cgroup-mounted-at-dev-cgroup-thread.mbox")
    assert report["verdict"] == "env"
