"""Classes the held-out round 16-thread (whole threads as mbox, tests/fixtures/reports/README.md)
and round 15-final's three missed threads showed, each tested on a second real text worded
differently from the thread that showed it (texts in tests/fixtures/classes/, see its README):

- a maintainer's own "the test needs to be fixed/adjusted/updated", "I'll send an ltp patch",
  "all good from a kernel perspective", "a race in this testcase" is the thread's test-side
  conclusion, and it outweighs the robot's earlier words (``harness/readers/test_verdicts.py``);
- a later "I think this test is correct" takes an earlier "the test needs adjustment" back;
- the kind of cause comes from the message that states it, not from the report's "rootfs over
  NFS" quoted again;
- a reply that posts a diff to the test's own files only (an LTP testcase, a selftest) is the
  test being fixed;
- a bisect the thread answers later with a test-side conclusion, or a bisect to a selftests
  commit, is no kernel regression.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.main import main
from harness.model import Environment, LogLine, Result, Status
from harness.readers.statements import scan_lines
from harness.readers.test_verdicts import TEST_IS_RIGHT, says_test_to_change
from harness.readers.thread_input import _overrules_bisect, read_thread_input
from harness.triage.checks import Support, bisected

CLASSES = Path(__file__).parent / "fixtures" / "classes"
REPORTS = Path(__file__).parent / "fixtures" / "reports"


def triage_thread(tmp_path: Path, mbox: Path) -> dict:
    out = tmp_path / "report.json"
    assert main(["triage", str(mbox), "--json", str(out)]) in (0, 1)
    return json.loads(out.read_text())


def test_the_test_needs_changing_family():
    said = [
        # Cyril Hrubis, LTP list 27 Apr 2020, "[fs] ce436509a8: ltp.openat203.fail"
        ("This could be safely ignored for now, if the patch gets merged the test needs to be "
         "updated."),
        # Kees Cook, LTP list 4 Jun 2020, "[exec] 166d03c9ec: ltp.execveat02.fail"
        "this just means the test needs adjustment because it's trying to",
        # Murphy Zhou, LTP list 1 Sep 2021, "[fs] f7e33bdbd6: ltp.ftruncate04_64.fail"
        "This testcase needs some tweaking to have an accurate verdict about manlock.",
        # Christian Brauner, linux-kselftest 24 Sep 2020 (pidfd_wait hangs on linux next)
        "Ok, this is a simple race in the selftests, that I overlooked and which",
        # (net selftests, linux-kselftest 30 Jan 2024, "Repair RST passive reset selftest")
        "Currently, the test is racy and seems to not pass anymore.",
    ]
    assert all(says_test_to_change(s) for s in said)
    not_said = [
        # the kernel to be fixed, a test to be written, a question
        "The kernel needs to be fixed first, then the test will pass.",
        "We should add a test for this.",
        "Thanks for the report - I'm looking into this now and will get back to you once",
    ]
    assert not any(says_test_to_change(s) for s in not_said)


def test_a_later_test_needs_adjusting_outweighs_the_robot(tmp_path):
    # The kernel test robot's fsmount02 report (linux-next, 12 Feb 2026) and Cyril Hrubis's
    # answer "The test needs to be adjusted if/once the patch hits mainline."
    report = triage_thread(tmp_path, CLASSES / "lkp-ltp-fsmount02-test-to-adjust-thread.mbox")
    assert report["verdict"] == "test-bug"
    finding = report["findings"][0]
    assert finding["cause"] == "selftest-logic-bug"
    # the later of the two test-side replies is quoted: Cyril's "The test needs to be
    # adjusted" (message 2), or Christian Brauner's "this is an expected failure" after it
    # (message 3, read since session 9)
    said = finding["explanation"]
    assert ("The test needs to be adjusted" in said and "message 2" in said) or (
        "expected failure" in said and "message 3" in said)


def test_a_race_in_the_selftest_is_its_logic_not_the_reports_nfs(tmp_path):
    # Naresh Kamboju's LKFT report ("These devices are using NFS mounted rootfs.") and
    # Christian Brauner's "this is a simple race in the selftests" with his pidfd_wait.c fix;
    # the later replies quote the report's NFS line again
    mbox = CLASSES / "lkft-pidfd-wait-race-in-selftests-thread.mbox"
    conclusion = read_thread_input(str(mbox)).conclusion
    assert conclusion is not None
    assert (conclusion.category, conclusion.cause) == ("test-bug", "selftest-logic-bug")
    assert conclusion.line.text.startswith("Ok, this is a simple race in the selftests")
    assert conclusion.line.source.startswith("message 3 (Christian Brauner")
    report = triage_thread(tmp_path, mbox)
    assert report["verdict"] == "test-bug"
    assert {f["cause"] for f in report["findings"]} == {"selftest-logic-bug"}


def test_a_later_this_test_is_correct_takes_it_back():
    # Kees Cook's two replies to the execveat02 report (LTP list, 4 Jun 2020): first "the test
    # needs adjustment", hours later "tl;dr: I think this test is correct"
    mbox = CLASSES / "ltp-execveat02-test-is-correct-replies.mbox"
    assert read_thread_input(str(mbox)).conclusion is None
    assert TEST_IS_RIGHT.search("tl;dr: I think this test is correct, and I think I see a way")
    # the first reply alone does say it
    first = read_thread_input(str(mbox)).messages[0]
    lines = [LogLine(i, t, first.label) for label, full in first.full_parts
             for i, t in enumerate(full, 1)]
    alone = scan_lines(lines).conclusion()
    assert alone is not None and alone.category == "test-bug"


def test_a_replys_patch_to_the_testcase_only_is_the_tests_fix():
    # Cyril Hrubis's hugemmap24 question (LTP list, 8 Mar 2023, prose only) and Jan Stancek's
    # reply with his diff to testcases/kernel/mem/hugetlb/hugemmap/hugemmap24.c ("With so
    # large hugepages it underflows mmap address, so I'd increase it"), no "it passes" words
    mbox = CLASSES / "ltp-hugemmap24-reply-patch-to-testcase.mbox"
    conclusion = read_thread_input(str(mbox)).conclusion
    assert conclusion is not None
    assert (conclusion.category, conclusion.cause) == ("test-bug", "selftest-logic-bug")
    assert "its patch changes only testcases/kernel/mem/hugetlb/hugemmap/hugemmap24.c" in (
        conclusion.why)
    # (Jan quotes Li Wang's "Test passed from my side with patch:" too; his own diff alone is
    # the reply's patch to the testcase)
    thread = read_thread_input(str(mbox))
    scanner = scan_lines([LogLine(i, t, m.label) for m in thread.messages
                          for label, full in m.full_parts for i, t in enumerate(full, 1)])
    assert scanner._reply_test_patch()
    assert scanner.own_patched == ["testcases/kernel/mem/hugetlb/hugemmap/hugemmap24.c"]
    # the same diff in the report itself is no reply's fix
    first = [LogLine(i, t, "mail") for m in thread.messages[1:]
             for label, full in m.full_parts for i, t in enumerate(full, 1)]
    assert not scan_lines(first)._reply_test_patch()


def test_a_bisect_the_thread_answers_with_the_tests_fault_is_no_regression(tmp_path):
    # round 15-final's Arm CI thread (split_huge_page_test bisected to the patch that added
    # its page-cache cases; "I will send a fixup to skip the page cache split test when the
    # mount is not ready")
    mbox = REPORTS / "split-huge-page-thp-fs-mount-missing-arm-ci-thread.mbox"
    thread = read_thread_input(str(mbox))
    assert thread.bisected is not None and thread.bisect_overruled is not None
    assert thread.bisect_overruled.source.startswith("message 5")
    report = triage_thread(tmp_path, mbox)
    assert report["verdict"] == "test-bug"
    assert "kernel-regression" not in {f["cause"] for f in report["findings"]}
    # a conclusion from the same message as the bisect, or a kernel-side one, overrules none
    assert thread.conclusion is not None
    same = LogLine(1, "x", thread.bisected.source)
    assert _overrules_bisect(thread.conclusion, same) is not None
    assert _overrules_bisect(thread.conclusion, thread.conclusion.line) is None


def test_a_bisect_to_a_selftests_commit_is_not_the_kernels():
    # the bisect lines as Sasha Levin's and the robot's mails give them (linux-kselftest:
    # unshare_test bisected to 611fbeb44a77; the robot's openat2 report on 58e2847ad2)
    r = Result("unshare_test", 1, "unshare_test", "", Status.FAIL)
    for said in (('on: 611fbeb44a77 ("selftests:core: test coverage for dup_fd() failure '
                  'handling in unshare_fd()")'),
                 ("commit: 58e2847ad2e6322a25dedf8b4549ff924baf8395 (\"selftests: line buffer "
                  "test program's stdout\")")):
        env = Environment(facts={"bisected": said})
        assert bisected(r, env, None, True).support is Support.CONTRADICTS  # type: ignore[arg-type]
    env = Environment(facts={"bisected": 'commit: b28dd7507f2d ("mm/migrate: convert '
                                          'add_page_for_migration() to folio_walk")'})
    assert bisected(r, env, None, True).support is not Support.CONTRADICTS  # type: ignore[arg-type]


def test_update_ltp_and_fix_the_test_family():
    # round 16-thread-b showed "you will need to update LTP" (ioprio_set03) and "help me to fix
    # the test" (ptrace08); second texts: Jeff Layton to the robot, LTP list 25 Aug 2021
    # ("[fs] f7e33bdbd6: ltp.ftruncate04_64.fail"), and Cyril Hrubis, LTP list 5 Dec 2019
    # ("[f*xattr] ab91fe640f: ltp.open13.fail")
    assert says_test_to_change(
        "Oliver, you may need to update the expected test output for this test.")
    assert says_test_to_change("We will fix the test if/once this patch gets upstreamed.")
    # fixing a test's failure may be the kernel's fix
    assert not says_test_to_change("We need to fix the test failure in the kernel first.")
