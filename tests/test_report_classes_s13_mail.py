"""Classes round 23-mail (mail excerpts with a diagnosis) and last session's held-out mail
misses (round 22-final), each a class with a second real text worded differently:

- a kernel crash or warning beside the commit the report says brought it, in words other than
  "bisect": "The BUG_ON was introduced by following commit with next-20220511" (LTP
  mmapstress03 on Power10, 2022), "Regression was introduced by below patch, as WARN_ON is not
  seen when reverted" (an SR-IOV DLPAR warning, linuxppc-dev 2023); also "regressed by commit",
  "triggered by this patch" - the named commit's regression (kernel-regression), not a bare
  kernel-oops / kernel-warning;
- a failure that comes and goes with how the test binary is compiled: "I was able to run
  mremap_test without errors when compiling it without the -no-pie flag" (linux-kselftest
  2021, a segfault stated in prose only; fixed in the selftest), "Compiling hugemmap34 with
  CFLAGS='-fstack-clash-protection' causes gcc to insert additional stack address validation
  checks" (LTP 2025) - the test's own code, not the kernel (the kernel's own build options are
  not this: CONFIG_ options stay the configuration's);
- a question about the commit wrapped before its "?" ("Just to confirm, so is failing of
  fcntl27 test caused by this commit, or" / "is it something that needs to be fixed in the
  kernel code?", LTP 2024) names no commit that caused it;
- (22-final) a limit the report blames on a knob the test's own setup lines say it set
  ("mem.c:817: INFO: set overcommit_memory to 2", "set max_map_count to 65536" under "This
  looks like max_map_count failure again.", CKI 2020) is the test's own choice, not the
  machine's limit; and LTP max_map_count's short count under the overcommit_memory=2 it set
  itself is the LTP bug fixed by b45d82cfbabc (rule ltp-max-map-count-overcommit-never); the
  test's name is no knob either ("Hi, I see max_map_count failed on ppc64le"). No second text
  of a blamed knob the test set was found in the time: the min_free_kbytes mails of the same
  library (LTP 2020) show the same setup lines, and the rule is checked against the report
  without its setup line;
- (22-final) SIGSEGV si_code=SEGV_PKUERR in a program that made memory execute-only itself
  ("mprotect(..., PROT_EXEC) = 0") and used no protection key: the kernel's execute-only key
  refused the test's read of its own exec-only pages (LTP mprotect04 on Power8, 2018: a test
  bug) - rule pkey-exec-only-read; the trace lines' wordings checked on strace's own samples
  (strace/strace #210: "mprotect(0x7f137374b000, 4096, PROT_EXEC) = 0" and
  "pkey_mprotect(..., 3) = 0");
- a sentence that points back at a failure already stated ("The error happens during the
  execution of the following test case", "The seg fault happens on line 145") says where it
  happened: no second failure.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage_file

from harness.readers.diagnosis import BUILD_FLAG_ONLY
from harness.readers.paste import EXEC_ONLY, OWN_SETUP, PKEY_CALL

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLASSES = Path(__file__).parent / "fixtures" / "classes"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


def test_an_oops_beside_the_commit_that_introduced_it_is_that_commits_regression():
    report = triage_file(REPORTS / "powerpc-ltp-mmapstress03-exit-mmap-bug-3233-vma-list-"
                         "removal-mail.txt")
    assert report["verdict"] == "kernel-bug"
    assert _findings(report) == {("kernel-bug", "kernel-regression")}


def test_a_warning_introduced_by_below_patch_is_that_patchs_regression():
    report = triage_file(CLASSES / "ppc-sriov-dlpar-iommu-warning-introduced-by-below-"
                         "patch.txt")
    assert ("kernel-bug", "kernel-regression") in _findings(report)
    assert ("kernel-bug", "kernel-warning") not in _findings(report)


def test_a_segfault_gone_with_another_compile_flag_is_the_tests():
    report = triage_file(REPORTS / "mremap-test-segfault-no-pie-text-remapped-prose-mail.txt")
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}
    # one failure, stated once: the "The seg fault happens on line 145" line is the same one
    assert len(report["results"]) == 1


def test_compile_flag_wordings():
    said = [("I was able to run mremap_test without errors when compiling it without the "
             "-no-pie flag."),
            ("Compiling hugemmap34 with CFLAGS='-fstack-clash-protection' causes gcc to insert "
             "additional stack address validation checks during alloca calls."),
            "The test passes when built with -O0.",
            "It runs fine when I build with -fno-pie"]
    assert all(BUILD_FLAG_ONLY.search(s) for s in said)
    assert not BUILD_FLAG_ONLY.search("the kernel works when compiled without CONFIG_FOO")
    assert not BUILD_FLAG_ONLY.search("The test passes on x86 but fails on arm64.")


def test_a_wrapped_question_about_the_commit_is_no_bisect():
    report = triage_file(REPORTS / "ltp-fcntl27-nfs-setlease-einval-after-test-rewrite-open-"
                         "thread.mbox")
    assert report["verdict"] == "unknown"


MAX_MAP_COUNT = REPORTS / "cki-stable-5.4.12-rc1-ltp-max-map-count-65273-entries-reply.txt"


def test_a_short_max_map_count_under_the_tests_own_overcommit_never_is_the_tests(tmp_path):
    report = triage_file(MAX_MAP_COUNT)
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}
    # without the test's own setup line nothing says it set overcommit_memory=2: no test-bug,
    # and the prose's "max_map_count failure" names the test, no limit of the machine
    text = MAX_MAP_COUNT.read_text().replace("mem.c:817: INFO: set overcommit_memory to 2\n", "")
    path = tmp_path / "max_map_count.txt"
    path.write_text(text)
    assert triage_file(path)["verdict"] != "test-bug"


def test_a_tests_name_that_is_also_a_knob_is_no_limit():
    report = triage_file(REPORTS / "cki-ltp-max-map-count-overcommit-never-committed-as-"
                         "analysis-reply.txt")
    assert not any(c == "env" for c, _ in _findings(report))


def test_own_setup_lines():
    for line in ("mem.c:817: INFO: set overcommit_memory to 2",
                 "mem.c:817: INFO: set min_free_kbytes to 11441",
                 "tst_test.c:1215: TINFO: Set /proc/sys/vm/overcommit_memory to 1"):
        assert OWN_SETUP.search(line), line
    assert not OWN_SETUP.search("please set overcommit_memory to 1 before running")


PKEY = REPORTS / "linuxppc-ltp-mprotect04-segv-pkuerr-strace-issue.txt"


def test_segv_pkuerr_after_the_test_made_its_memory_exec_only_is_the_tests(tmp_path):
    report = triage_file(PKEY)
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}
    # pages the program did not make execute-only: the key fault says nothing of the test
    path = tmp_path / "pkey.txt"
    path.write_text(PKEY.read_text().replace("131072, PROT_EXEC)", "131072, PROT_READ|PROT_EXEC)"))
    assert triage_file(path)["verdict"] != "test-bug"


def test_exec_only_and_pkey_trace_lines():
    assert EXEC_ONLY.search("mprotect(0x7f137374b000, 4096, PROT_EXEC) = 0")
    assert EXEC_ONLY.search("mprotect(0x7fffaed00000, 131072, PROT_EXEC) = 0")
    assert not EXEC_ONLY.search("mprotect(0x7f137374b000, 4096, PROT_READ|PROT_EXEC) = 0")
    assert not EXEC_ONLY.search("mprotect(0x7f137374b000, 4096, PROT_EXEC) = -1 EACCES")
    assert PKEY_CALL.search("pkey_mprotect(0x7f3f20662000, 4096, PROT_READ|PROT_WRITE, 3) = 0")
