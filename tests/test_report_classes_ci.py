"""Classes of CI summaries held-out round 8 got wrong (tests/fixtures/reports/README.md,
"Round 8"), each with a second real example worded differently from the report that showed it:

- die()'s own header on x86 and s390 ('invalid opcode: 0000 [#1] PREEMPT SMP', 'illegal
  operation: 0001 ilc:1 [#1] SMP') is a kernel crash, also without a 'BUG:' or 'Oops:' line;
- a markdown paragraph (one line of many sentences) is read sentence by sentence by the last
  fallback, and /dev/userfaultfd that the user may not open, said in words ("root-only",
  "doesn't have access to read/write", "not accessible by users other than root"), is
  userfaultfd-unavailable;
- a CI tool's hugepage shortage ("requested 4096 hugepages but 3814 could be allocated",
  "Insufficient hugepages-1Mi", "inadequate hugepages") is hugetlb-pages-short, and a sentence
  that introduces the failing lines ("... and fails the test:") is their caption, not a second
  failure;
- (round 8b) a machine that "run out of huge pages" or had "too low number of free huge pages"
  is the pool; an issue template's markdown headings ("## Execution failed at") name sections,
  not failures, and a link on the failure's line hides nothing;
- Avocado's job summary (`` (2/6) <test id>:  ERROR: <why> (39.80 s)``) is one result per test,
  not text for the mail unwrapper to join; make's "make: *** vm: No such file or directory" is
  a runner naming a selftests directory the tree lacks, and an errored test whose message is
  CPython's exception about None is the runner's own code (both test-bug);
- a reply that reports a failure in its own words over the passing run of the patch it quotes
  is that failure, never "clean" (``quoted_run``, round 7): also "errors when building this
  test", a failure tied to the test by what the reply was doing.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage

from harness.cli.main import main


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


# The console excerpt of "[PATCH net] s390/qeth: Fix kernel panic after setting hsuid"
# (Alexandra Winter, linux-s390, 2024-04-30, <20240430091004.2265683-1-wintera@linux.ibm.com>),
# lines 1-5 and 15-19 of its log, unmodified: s390's die() header, no 'BUG:', 'Oops' or panic.
S390_DIE = """\
[ 2057.572696] illegal operation: 0001 ilc:1 [#1] SMP
[ 2057.572739] CPU: 6 PID: 60182 Comm: stress_client Kdump: loaded Not tainted \
4.18.0-541.el8.s390x #1
[ 2057.572742] Hardware name: IBM 3931 A01 704 (LPAR)
[ 2057.572744] Krnl PSW : 0704f00180000000 0000000000000002 (0x2)
[ 2057.572748]            R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:0 AS:3 CC:3 PM:0 RI:0 EA:3
[ 2057.572800] Call Trace:
[ 2057.572801] ([<00000000ec639700>] 0xec639700)
[ 2057.572803]  [<00000000913183e2>] net_rx_action+0x2ba/0x398
[ 2057.572809]  [<0000000091515f76>] __do_softirq+0x11e/0x3a0
[ 2057.572813]  [<0000000090ce160c>] do_softirq_own_stack+0x3c/0x58
"""


def test_a_die_header_is_a_kernel_crash_on_every_architecture(tmp_path):
    code, report = triage(tmp_path, S390_DIE)
    assert code == 1 and report["verdict"] == "kernel-bug"
    assert "kernel-oops" in causes(report)
    # the same header behind the kselftest runner's '# ' and among test output (the LKFT form)
    text = ("# selftests: memfd: run_hugetlbfs_test.sh\n"
            "[  111.892484] invalid opcode: 0000 [#1] PREEMPT SMP\n"
            "ok 3 selftests: memfd: run_hugetlbfs_test.sh\n")
    _, report = triage(tmp_path, text)
    assert report["verdict"] == "kernel-bug" and "kernel-oops" in causes(report)


def test_a_count_in_brackets_is_no_crash(tmp_path):
    # a result line and prose with '[#N]' and four hex digits, but no trap name before them
    text = ("# selftests: mm: cow\n"
            "# [RUN] fork: 0000 [#1] item list\n"
            "ok 1 selftests: mm: cow\n")
    _, report = triage(tmp_path, text)
    assert report["verdict"] == "clean", report["findings"]


# bytecodealliance/userfaultfd-rs issue #68 ("Falling back to syscall on EACCES", XanClic,
# 2024-07-23), the first two paragraphs of its description as the search service stores them.
UFFD_NOT_ACCESSIBLE = """\
Hi,

I wonder why `UffdBuilder::open_file_descriptor()` falls back to the syscall only if opening \
the device file failed with `ENOENT`. On both of the main systems I use for work, \
*/dev/userfaultfd* is not accessible by users other than root (mode `rw-------`, owner \
`root:root`), and I can\u2019t remember having it explicitly configured this way, so I assume \
this is the default. Opening */dev/userfaultfd* thus returns `EPERM`, which leads to \
`open_file_descriptor()` just failing instead of trying the syscall as well. One of my systems \
has 1 in */proc/sys/vm/unprivileged_userfaultfd*, so the syscall would work if we were to use \
it\u2014but we never do, because the device file is there, just not accessible.
"""


def test_dev_userfaultfd_not_open_to_the_user_said_in_a_paragraph(tmp_path):
    _, report = triage(tmp_path, UFFD_NOT_ACCESSIBLE)
    assert report["verdict"] == "config"
    assert causes(report) == {"userfaultfd-unavailable"}


def test_a_long_paragraph_without_a_failure_is_still_no_failure(tmp_path):
    text = ("We run the userfaultfd tests in two lanes. " * 12
            + "The root lane opens /dev/userfaultfd and every test passes there.\n")
    code, _ = triage_code(tmp_path, text)
    assert code == 2  # nothing states a failure: refused, not made up


def triage_code(tmp_path: Path, text: str) -> tuple[int, str]:
    log = tmp_path / "report.txt"
    log.write_text(text)
    return main(["triage", str(log)]), ""


# spdk/spdk issue #1991 ("[clang-vg-autotest] could not allocate hugepages", peluse,
# 2021-06-10), the description's two log lines with the CI log's time column, unmodified.
SPDK_NODE0 = """\
00:07:01.815  ## ERROR: requested 4096 hugepages but 3814 could be allocated on node0.
00:07:01.815  ## Memory might be heavily fragmented. Please try flushing the system cache, or \
reboot the machine.
"""
# kata-containers/tests issue #4575, the Kubernetes event alone (the fixture has the prose).
K8S_EVENT = ("Warning  FailedScheduling  3s    default-scheduler  0/1 nodes are available: "
             "1 Insufficient hugepages-1Mi.\n")


def test_a_ci_tools_hugepage_shortage_is_the_pool(tmp_path):
    for text in (SPDK_NODE0, K8S_EVENT):
        _, report = triage(tmp_path, text)
        assert report["verdict"] == "env", text
        assert causes(report) == {"hugetlb-pages-short"}, text


def test_a_caption_ending_in_a_colon_is_not_a_second_failure(tmp_path):
    text = ("This happens occasionally on our CI and fails the test:\n\n"
            "## ERROR: requested 4096 hugepages but only 3738 could be allocated.\n")
    _, report = triage(tmp_path, text)
    assert [r["status"] for r in report["results"]] == ["fail"]
    assert report["verdict"] == "env"


# avocado-framework-tests/avocado-misc-tests PR #1979 ("kselftest.py: Fixes and enhancements for
# SuSE", harish-24, comment of 2020-12-16): its job summary as the search service stores it, the
# third test's long message cut by the store ("...") as there.
AVOCADO_SUSE = """\
```
 (1/6) /home/harish/avocado-misc-tests/kernel/kselftest.py:kselftest.test;\
run-setup-component-vm-run_type-distro-b755:  FAIL: Testcase failed during selftests (204.17 s)
 (2/6) /home/harish/avocado-misc-tests/kernel/kselftest.py:kselftest.test;\
run-setup-component-vm-run_type-upstream-fa5d:  FAIL: Testcase failed during selftests (132.46 s)
 (3/6) /home/harish/avocado-misc-tests/kernel/kselftest.py:kselftest.test;\
run-setup-component-power-run_type-distro-68d6:  ERROR: Command 'make summary=1 -C powerpc \
run_tests' failed.\\nstdout: b'make: Entering directory \\'/usr/src/linux-5.3.18-39/tools/\
testing/selftests/powerpc\\'\\nBUILD_TARGET=/usr/src/linux-5.3.18-39/tools/testing/selftests/\
powerpc/alignment; mkdir -p $BUILD_TARGET;... (5.54 s)
 (4/6) /home/harish/avocado-misc-tests/kernel/kselftest.py:kselftest.test;\
run-setup-component-power-run_type-upstream-448c:  FAIL: Testcase failed during selftests \
(776.12 s)
 (5/6) /home/harish/avocado-misc-tests/kernel/kselftest.py:kselftest.test;\
run-setup-component-mem_plug-run_type-distro-65c5:  PASS (6.96 s)
 (6/6) /home/harish/avocado-misc-tests/kernel/kselftest.py:kselftest.test;\
run-setup-component-mem_plug-run_type-upstream-9527:  PASS (89.99 s)
RESULTS    : PASS 2 | ERROR 1 | FAIL 3 | SKIP 0 | WARN 0 | INTERRUPT 0 | CANCEL 0
```
"""


def test_an_avocado_job_summary_is_one_result_per_test(tmp_path):
    code, report = triage(tmp_path, AVOCADO_SUSE)
    got = [(r["suite"], r["number"], r["status"]) for r in report["results"]]
    assert got == [("vm", 1, "fail"), ("vm", 2, "fail"), ("power", 3, "error"),
                   ("power", 4, "fail"), ("mem_plug", 5, "pass"), ("mem_plug", 6, "pass")]
    # a failure without a reason is unexplained (exit 1), never a crash and never clean
    assert code == 1 and report["verdict"] == "unknown"
    assert not {r["status"] for r in report["results"]} & {"crash", "missing"}


def test_make_without_the_selftests_directory_and_a_runner_exception_are_the_runner(tmp_path):
    lines = (" (1/2) kselftest.py:kselftest.test;run-component-vm-run_type-distro-9ddb:  ERROR: "
             "'NoneType' object has no attribute 'split' (0.52 s)\n"
             " (2/2) kselftest.py:kselftest.test;run-component-vm-run_type-upstream-5fab:  "
             "ERROR: Command 'make -C vm' failed.\\nstdout: b''\\nstderr: b'make: *** vm: No "
             "such file or directory.  Stop.\\n'\\nadditional_info: None (39.80 s)\n")
    _, report = triage(tmp_path, lines)
    assert report["verdict"] == "test-bug"
    assert causes(report) == {"runner-python-error", "selftest-dir-missing"}
    # the same make error from a selftest that FAILED, not errored, is still the runner's
    # directory; a FAIL whose message is a Python exception is not the runner's own code
    failed = lines.replace("ERROR: 'NoneType'", "FAIL: 'NoneType'")
    _, report = triage(tmp_path, failed)
    assert "runner-python-error" not in causes(report)


# Zong Li's reply to "[PATCH v6 33/33] kselftest/riscv: kselftest for user mode cfi"
# (linux-kselftest, 2024-10-11,
# <CANXhq0pXVS2s-hZNusPLoQ4qPkyi1S2BTQ-FyAvcz=cDctKQng@mail.gmail.com>),
# lines 1-64 (the quoted commit message with the author's passing run, the diffstat, the first
# diff and the second's new-file header) and 195-212 (a quoted piece of the diff and the
# reply's own words), unmodified.
RISCV_CFI_REPLY = """\
On Wed, Oct 9, 2024 at 7:46 AM Deepak Gupta <debug@rivosinc.com> wrote:
>
> Adds kselftest for RISC-V control flow integrity implementation for user
> mode. There is not a lot going on in kernel for enabling landing pad for
> user mode. cfi selftest are intended to be compiled with zicfilp and
> zicfiss enabled compiler. Thus kselftest simply checks if landing pad and
> shadow stack for the binary and process are enabled or not. selftest then
> register a signal handler for SIGSEGV. Any control flow violation are
> reported as SIGSEGV with si_code = SEGV_CPERR. Test will fail on receiving
> any SEGV_CPERR. Shadow stack part has more changes in kernel and thus there
> are separate tests for that
>
> - Exercise `map_shadow_stack` syscall
> - `fork` test to make sure COW works for shadow stack pages
> - gup tests
>   Kernel uses FOLL_FORCE when access happens to memory via
>   /proc/<pid>/mem. Not breaking that for shadow stack.
> - signal test. Make sure signal delivery results in token creation on
>   shadow stack and consumes (and verifies) token on sigreturn
> - shadow stack protection test. attempts to write using regular store
>   instruction on shadow stack memory must result in access faults
>
> Test outut
> ==========
>
> \"\"\"
> TAP version 13
> 1..5
>   This is to ensure shadow stack is indeed enabled and working
>   This is to ensure shadow stack is indeed enabled and working
> ok 1 shstk fork test
> ok 2 map shadow stack syscall
> ok 3 shadow stack gup tests
> ok 4 shadow stack signal tests
> ok 5 memory protections of shadow stack memory
> \"\"\"
>
> Signed-off-by: Deepak Gupta <debug@rivosinc.com>
> ---
>  tools/testing/selftests/riscv/Makefile             |   2 +-
>  tools/testing/selftests/riscv/cfi/.gitignore       |   3 +
>  tools/testing/selftests/riscv/cfi/Makefile         |  10 +
>  tools/testing/selftests/riscv/cfi/cfi_rv_test.h    |  84 +++++
>  tools/testing/selftests/riscv/cfi/riscv_cfi_test.c |  78 +++++
>  tools/testing/selftests/riscv/cfi/shadowstack.c    | 373 +++++++++++++++++++++
>  tools/testing/selftests/riscv/cfi/shadowstack.h    |  37 ++
>  7 files changed, 586 insertions(+), 1 deletion(-)
>
> diff --git a/tools/testing/selftests/riscv/Makefile b/tools/testing/selftests/riscv/Makefile
> index 7ce03d832b64..6e142fe004ab 100644
> --- a/tools/testing/selftests/riscv/Makefile
> +++ b/tools/testing/selftests/riscv/Makefile
> @@ -5,7 +5,7 @@
>  ARCH ?= $(shell uname -m 2>/dev/null || echo not)
>
>  ifneq (,$(filter $(ARCH),riscv))
> -RISCV_SUBTARGETS ?= hwprobe vector mm sigreturn
> +RISCV_SUBTARGETS ?= hwprobe vector mm sigreturn cfi
>  else
>  RISCV_SUBTARGETS :=
>  endif
> diff --git a/tools/testing/selftests/riscv/cfi/.gitignore b/tools/testing/selftests/riscv/cfi\
/.gitignore
> new file mode 100644
> index 000000000000..82545863bac6
> +void sigsegv_handler(int signum, siginfo_t *si, void *uc)
> +{
> +       struct ucontext *ctx = (struct ucontext *) uc;
> +
> +       if (si->si_code == SEGV_CPERR) {

Hi Deepak,
I got some errors when building this test, I suppose they should be
fixed in the next version.

riscv_cfi_test.c: In function 'sigsegv_handler':
riscv_cfi_test.c:17:28: error: 'SEGV_CPERR' undeclared (first use in
this function); did you mean 'SEGV_ACCERR'?
   17 |         if (si->si_code == SEGV_CPERR) {
      |                            ^~~~~~~~~~
      |                            SEGV_ACCERR


"""


def test_a_reply_reporting_errors_over_a_quoted_passing_run_is_not_clean(tmp_path):
    _, report = triage(tmp_path, RISCV_CFI_REPLY)
    # what the failure was is not this class's to say (the whole mail, whose patch adds new
    # test files, reads 'unknown'; this excerpt of it a selftests patch): only never 'clean'
    assert report["verdict"] != "clean"
    said = [r["message"] for r in report["results"] if r["status"] == "fail"]
    assert any("I got some errors when building this test" in m for m in said)
    assert any("the reply's own words say a test failed" in n
               for n in report["environment"]["notes"])


def test_a_quoted_passing_run_alone_is_still_clean(tmp_path):
    # the same reply without its own report ("Thanks, tested here.") keeps the quoted result
    lines = RISCV_CFI_REPLY.split("\n")
    quiet = "\n".join(lines[:64] + ["", "Thanks, tested here.", ""])
    _, report = triage(tmp_path, quiet)
    assert report["verdict"] == "clean"


# FDio/csit issue #1461 ("[CSIT-1911] 3n-alt: hugepage leak", vvalderrv, 2025-01-30), its
# description as the search service stores it (HTML paragraph tags kept).
CSIT_LEAK = ("<p>An unknown scenario leads to huge pages not being released. When there is too "
             "low number of free huge pages, vhost tests start failing. Investigate what "
             "scenario leaks and fix the cause.</p>\n")
# spdk/spdk issue #1332 ("Not enough huge pages on CI machine"), the description: the
# statement and the job link, which a mail-style unwrapper joins into one line.
SPDK_RUN_OUT = ("One of the machines run out of huge pages:\n"
                "https://10.102.17.111:8080/job/vhost-initiator-autotest/9181/console\n")


def test_a_machine_short_of_huge_pages_in_words_is_the_pool(tmp_path):
    for text in (CSIT_LEAK, SPDK_RUN_OUT):
        _, report = triage(tmp_path, text)
        assert report["verdict"] == "env", text
        assert causes(report) == {"hugetlb-pages-short"}, text


# spdk/spdk issue #2118 ("[crypto-autotest] ERROR: requested 2560 hugepages but 2471 could be
# allocated", krish-reddy, 2021-08-20): the template's headings and the backtrace's first lines.
SPDK_TEMPLATE = """\
# CI Intermittent Failure

00:04:19.311  ************************************
00:04:19.311  START TEST spdkcli_tcp
00:04:19.311  ************************************

## Link to the failed CI build

https://ci.spdk.io/results/autotest-per-patch/builds/56542/archive/crypto-autotest/build.log

## Execution failed at

00:04:19.551  ========== Backtrace start: ==========
"""


def test_an_issue_templates_headings_are_no_failures(tmp_path):
    _, report = triage(tmp_path, SPDK_TEMPLATE)
    said = " | ".join(r["message"] for r in report["results"])
    assert "## Link to the failed CI build" not in said and "## Execution failed at" not in said
    assert "Intermittent Failure" in said  # the one line that says what happened
