"""Classes the held-out round 14-thread (whole threads as mbox, tests/fixtures/reports/README.md)
got wrong, each tested on a second real text worded differently from the thread that showed it:

- LTP's own result lines (``getxattr05.c:97: TFAIL: ...``, ``TPASS``, ``TBROK``) are results;
- a selftest's compile errors are one build failure of that program, a test bug when a name
  is undeclared, never "may point at the kernel"; a quoted ``git show`` is no build of this run;
- a commit named by id and title (a ``git log --oneline`` listing) is no kernel crash;
- a bisect told as its outcome ("The bad commit points to") or a revert that made the failure
  go away is a bisect, also when a reply without a log says it; a test's segfault so bisected
  is a kernel regression;
- in a thread, a prose line of a reply is no second failure beside another message's kernel
  splat, and the --mail reply answers the message with the log, within 72 columns.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_report_classes import triage, triage_read

from harness.cli.main import main
from harness.readers.paste import BISECTED
from harness.readers.statements import BISECT_DISPUTED
from harness.readers.thread_input import read_thread_input
from harness.readers.unread_failures import states_failure

REPORTS = Path(__file__).parent / "fixtures" / "reports"

# Naresh Kamboju, "[next]: LTP: getxattr05.c:97: TFAIL: unshare(CLONE_NEWUSER) failed: ENOSPC
# (28)", linux-next 12 Jan 2022, <CA+G9fYsMHhXJCgO-ykR0oO1kVdusGnthgj6ifxEKaGPHZJ-ZCw@mail.
# gmail.com>: lines 4-9 of the body.
LTP_GETXATTR05 = """\
tst_test.c:1365: TINFO: Timeout per run is 0h 15m 00s
getxattr05.c:87: TPASS: Got same data when acquiring the value of
system.posix_acl_access twice
getxattr05.c:97: TFAIL: unshare(CLONE_NEWUSER) failed: ENOSPC (28)
tst_test.c:391: TBROK: Invalid child (13545) exit value 1
"""


def test_ltp_result_lines_are_results(tmp_path):
    # the TFAIL line's failed call (unshare -> ENOSPC) is the result, named for the LTP test
    report = triage_read(tmp_path, LTP_GETXATTR05)
    failing = [(r["suite"], r["errno"]) for r in report["results"] if r["status"] != "pass"]
    assert failing == [("getxattr05", "ENOSPC")]
    # without a failed call the LTP lines themselves are the results; the library's
    # tst_test.c line belongs to the test whose lines came before it
    text = LTP_GETXATTR05.replace(" failed: ENOSPC (28)", "")
    report = triage_read(tmp_path, text)
    status = [(r["suite"], r["status"]) for r in report["results"]]
    assert status == [("getxattr05", "pass"), ("getxattr05", "fail"), ("getxattr05", "fail")]


# Naresh Kamboju, "selftests: mm: mremap_dontunmap.c:53:6: error: use of undeclared identifier
# 'MREMAP_DONTUNMAP'", linux-kselftest 25 Jul 2023, <CA+G9fYvV-71XqpCr_jhdDfEtN701fBdG3q+=
# bafaZiGwUXy_aA@mail.gmail.com>, lines of the body (fixed in the selftest: "selftests/mm:
# include mman header to access MREMAP_DONTUNMAP identifier", Oct 2023).
CLANG_UNDECLARED = """\
selftests:mm: mremap_dontunmap build failed with clang-16 due to below
warnings / errors on Linux next-20230725 ( or older kernels ).

mremap_dontunmap.c vm_util.c -lrt -lpthread -o
/home/tuxbuild/.cache/tuxmake/builds/1/build/kselftest/mm/mremap_dontunmap
mremap_dontunmap.c:53:6: error: use of undeclared identifier 'MREMAP_DONTUNMAP'
                   MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0);
                   ^
mremap_dontunmap.c:108:6: error: use of undeclared identifier 'MREMAP_DONTUNMAP'
                   MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL);
                   ^
6 errors generated.
make[4]: Leaving directory 'tools/testing/selftests/mm'
"""


def test_an_undeclared_name_is_a_selftest_build_bug_not_the_kernel(tmp_path):
    report = triage_read(tmp_path, CLANG_UNDECLARED)
    assert [(r["suite"], r["status"]) for r in report["results"]] == [
        ("mremap_dontunmap", "fail")]  # one missing name, told once
    assert report["verdict"] == "test-bug"
    assert [f["cause"] for f in report["findings"]] == ["selftest-logic-bug"]
    assert "did not build" in report["findings"][0]["explanation"]


def test_a_quoted_git_show_is_not_this_build(tmp_path):
    # David Hildenbrand's reply in the cow.c thread (linux-kselftest, 10 Jan 2023) quotes the
    # commit that fixed userfaultfd.c the same way; its compiler output is that commit's
    thread = REPORTS / "cow-madv-pageout-undeclared-old-glibc-build-thread.mbox"
    read = read_thread_input(str(thread))
    shown = {m.index: [r.suite for r in ri.parsed.results] for m, _, ri in read.inputs}
    assert shown == {1: ["cow"]}


# kernel.org's post-receive notification for rafael/linux-pm (19 Jun 2026,
# <178189550669.2451580.12390792991522304209@gitolite.kernel.org>), lines of its revlist.
GIT_LOG_LISTING = (
    "tst_test.c:1250: TINFO: Timeout per run is 0h 05m 00s\n"
    "7c2ebe0fe06e84a5a1fcbc358111735080bdb141 kasan/test: only do kmalloc_double_kzfree for "
    "generic mode\n"
    "6cbdd9726fb50d749b06ab45a8ef81dff02e69b8 mm/mglru: use folio_mark_accessed to replace "
    "folio_set_active\n"
    "62f272d2fbffa7494e4d01c35a3a7b30d71b30a1 mm/page_alloc: remove VM_BUG_ON()s from pindex "
    "helpers\n"
    "7bc5e747bba29d5b77b2278e8c696eea0c796706 userfaultfd: merge fs/userfaultfd.c into "
    "mm/userfaultfd.c\n"
    "madvise08.c:203: TFAIL: No sequence in dump after MADV_DODUMP.\n")


def test_a_commit_title_naming_vm_bug_on_is_no_kernel_crash(tmp_path):
    # (the first and last lines are LTP's, from the madvise08 thread of this round, so the
    # text has a result to judge; the listing between them is the real revlist's)
    code, report = triage(tmp_path, GIT_LOG_LISTING)
    assert code == 1
    assert not [f for f in report["findings"] if f["category"] == "kernel-bug"]
    assert [r["status"] for r in report["results"]] == ["fail"]


def test_the_outcome_of_a_bisect_and_a_revert_that_cured_it_are_bisects():
    said = [
        "The bad commit points to,",  # LKFT, mmstress thread (the first text)
        # Sachin Sant, linuxppc-dev 21 Sep 2022 (the avocado THP thread)
        "Reverting the patch allows the test to run successfully.",
        # Naresh Kamboju, linux-next 25 Jan 2021 (the madvise08 thread)
        "This suspecting commit reverted and tested and the test case PASS.",
        # Gerald Schaefer and Alex Shi, linux-s390 23-24 Sep 2020 (the dirtyc0w thread)
        "Still, I think I found the culprit, merge commit b25d1dc9474e \"Merge",
        "yes, after revert this commit, the BUG disappears.",
    ]
    assert all(BISECTED.search(s) for s in said)
    # Guenter Roeck, linux-next 1 Sep 2019 (<20190901182226.GA20315@roeck-us.net>): a revert
    # that did not help; Muhammad Usama Anjum's soft-dirty reply: a fix reverted on purpose
    not_said = [
        ("Reverting the fixup patch as well as the offending patch (plus a context patch) alone "
         "does not help either."),
        "Yeah, it did after I reverted the patch and fixed build errors because",
    ]
    assert not any(BISECTED.search(s) for s in not_said)
    # Qian Cai, linux-arm-kernel 17 Jun 2019: a bisect its author withdrew
    assert BISECT_DISPUTED.search("so the previous bisection was totally wrong where it assume")


def test_a_bisect_in_a_reply_without_a_log_is_the_threads():
    # madvise08 (linux-next, Jan 2021): the revert that made it pass is message 3, no log in it
    thread = REPORTS / "ltp-madvise08-coredump-dodump-revert-next-thread.mbox"
    read = read_thread_input(str(thread))
    assert read.bisected is not None and "reverted" in read.bisected.text


def test_a_bisected_test_segfault_is_a_kernel_regression(tmp_path):
    # LTP's mm stress tests segfaulting on KASAN kernels (linux-next, Oct 2020): the kernel's
    # segfault lines in the report, the bisect in a reply (no second real thread was found in
    # the time; the thread is the round's own)
    out = tmp_path / "r.json"
    thread = REPORTS / "ltp-mmstress-kasan-put-user-segfault-bisected-thread.mbox"
    assert main(["triage", str(thread), "--json", str(out)]) == 1
    report = json.loads(out.read_text())
    assert report["verdict"] == "kernel-bug"
    assert {f["cause"] for f in report["findings"]} == {"kernel-regression"}
    assert "d55564cfc222" in report["findings"][0]["explanation"]


def reply_body(thread: Path, tmp_path: Path) -> tuple[str, str]:
    out = tmp_path / "reply.txt"
    main(["triage", str(thread), "--mail", str(out)])
    head, body = out.read_text().split("\n\n", 1)
    return head, body


def test_a_reply_answers_the_message_with_the_log_not_a_later_prose_line(tmp_path):
    # mmstress (18 messages): the segfaults are in message 1; Linus's analysis, a build error
    # of a proposed fix and "the reported error not found" in replies are no failures
    mmstress = REPORTS / "ltp-mmstress-kasan-put-user-segfault-bisected-thread.mbox"
    head, body = reply_body(mmstress, tmp_path)
    assert "<CA+G9fYvHze+hKROmiB0uL90S8h9ppO9S9Xe7RWwv808QwOd_Yw@mail.gmail.com>" in head
    assert "inconsistent operand constraints" not in body and "decode of" not in body
    # the unshare_test thread (the first text): a kernel WARNING in message 1, a bisect reply
    unshare = REPORTS / "unshare-test-kvmalloc-warning-bisect-to-selftest-thread.mbox"
    head, body = reply_body(unshare, tmp_path)
    assert "In-Reply-To: <CA+G9fYvcBvbabg+m7brKfpGCGZUcK+KHHTFX7hFvW6GmN2XF0g@mail.gmail.com>" \
        in head
    assert "failure handling" not in body and "unexplained" not in body


def test_quoted_log_lines_stay_within_72_columns_without_orphans(tmp_path):
    # hugemmap05 (linux-arm-kernel 2019) quotes a long git log line cut with "[...]"; the
    # unshare_test thread a wrapped module list - both once broke a word onto its own line
    for name in ("ltp-hugemmap05-arm64-shmget-hung-task-thread.mbox",
                 "unshare-test-kvmalloc-warning-bisect-to-selftest-thread.mbox"):
        _, body = reply_body(REPORTS / name, tmp_path)
        rows = [r for r in body.splitlines() if not r.startswith(">")]  # quoted as written
        assert all(len(r) <= 72 for r in rows), name
        assert not [r for r in rows if r.strip() in (".]", "s", "]")], name


def test_a_missing_proc_sys_knob_is_the_kernel_config(tmp_path):
    # LTP PR #1335 (linux-test-project/ltp, Jul 2026), its quoted TBROK: read as LTP's line it
    # must keep the answer the prose gave (CONFIG_COMPACTION not enabled), not a "limit"
    text = ("tst_hugepage.c:50: TBROK: Failed to open FILE '/proc/sys/vm/compact_memory' for "
            "writing: ENOENT (2)\n")
    report = triage_read(tmp_path, text)
    assert report["verdict"] == "config"
    assert [f["cause"] for f in report["findings"]] == ["kernel-config-missing"]


def test_a_commit_named_with_its_title_states_no_failure():
    # Jan Stancek's 'LTP mmap03 stuck ... after c46241a370a6 ("powerpc/pkeys: Check vma before
    # returning key fault error to the user")' (linuxppc-dev 2020) showed it; the second text is
    # Sasha Levin's bisect reply in the unshare_test thread (linux-kselftest, Jan 2025)
    assert not states_failure('c46241a370a6 ("powerpc/pkeys: Check vma before returning key '
                              'fault')
    assert not states_failure('on: 611fbeb44a77 ("selftests:core: test coverage for dup_fd() '
                              'failure')
    assert states_failure("The first process_vm_readv call (on line 35) now fails with EFAULT.")


def test_a_revert_that_cured_the_failure_is_a_regression_not_a_fix_reverted(tmp_path):
    # madvise08 (linux-next 2021): "This suspecting commit reverted and tested and the test case
    # PASS." - a regression of the reverted commit
    out = tmp_path / "r.json"
    main(["triage", str(REPORTS / "ltp-madvise08-coredump-dodump-revert-next-thread.mbox"),
          "--json", str(out)])
    assert [f["cause"] for f in json.loads(out.read_text())["findings"]] == ["kernel-regression"]
    # the other direction (soft-dirty, linux-kselftest 2023): a kernel fix reverted to show the
    # new test catches the bug stays a kernel behaviour the test checks
    report = triage_read(tmp_path, (REPORTS / "soft-dirty-reverted-tlb-fix-reply.txt").read_text())
    assert "kernel-behaviour-fail" in [f["cause"] for f in report["findings"]]
    assert "kernel-regression" not in [f["cause"] for f in report["findings"]]


def test_the_replys_conclusion_names_the_cause_of_its_finding_and_no_message_number(tmp_path):
    # madvise08: the conclusion first said "(kernel-behaviour-fail): ... on message 1" above a
    # kernel-regression finding; the results passed in Al Viro's reply made it name the run
    _, body = reply_body(REPORTS / "ltp-madvise08-coredump-dodump-revert-next-thread.mbox",
                         tmp_path)
    conclusion = body.split("\n\n")[1]
    assert "(kernel-regression)" in conclusion and "message 1" not in body
