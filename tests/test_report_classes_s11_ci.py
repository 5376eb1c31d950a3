"""Round 21-ci's classes (CI reports answered by a maintainer: LKFT, the kernel test robot).

1. A bisect (or a first-bad/last-good range) over a kernel change the test has already been
   brought in line with: "This is fixed in LTP. Please update your LTP setup to avoid this
   issue." (Damien Le Moal, the bisected commit's author, on LKFT's ioprio_set03 bisect, 2024;
   round 21-ci's confident wrong kernel-regression). The second real wording, put in that
   reply's place: "Again, this error has been fixed in LTP master in 538a44741" (Petr Vorel on
   LKFT's 32-bit/compat failures, 2023). A question, or a fix "in the kernel", keeps the bisect.
2. An intended kernel change read by the reply: "I found a description in <link> which indicates
   that this is expected" (Arnd Bergmann) and "We even have in-flight patch from Jeff to fix the
   test with fine-grained timestamps in LTP" (Cyril Hrubis), LKFT's statx06 under multigrain
   timestamps, 2023 (round 21-ci's other confident wrong: an earlier reply's guess at a kernel
   commit had made it kernel-behaviour-fail). Either final word alone puts it on the test; the
   second real wording of the patch family: "I can rework this patch, or send additional ones to
   adjust the tests" (LTP list, 2024). Not "If you haven't got the bugfixes, then it's expected
   that the test fails" (the kernel lacking its fixes).
3. The emulator's own bug as the answer: "Your qemu is buggy, 6.2 has a known issue which has
   subsequently been fixed." (Mark Brown on LKFT's arm64 MTE failures under QEMU 7.2, 2023) -
   its "known issue" is QEMU's, not a kernel one. Second real wording: "This is a bug in
   qemu-user and already fixed there on master." (nolibc's mmap_munmap_good under
   qemu-loongarch64 8.1.2, 2023). Not "I'm a bit reluctant to say that this is a qemu bug".
4. A failure answered as already known, side unnamed (known-issue): "your GCC run suffered the
   very intermittent glitch which we've been aware of for a while" (Mark Brown on LKFT's
   fp-stress gcc-13 report, 2024) and "It is a known intermittent failure due to test running
   more than expected time" (LKFT's own answer on proc-uptime-001, 5.10.80-rc2 review, 2021: the
   second real text, whole). Not a known issue with a kernel fix beside it ("Yes, this is a known
   issue. Upstream kernel fix is currently being reviewed", LTP list 2020), nor another tool's
   ("This is a known issue with checkpatch").
5. A reply that names a kernel patch, by its link, as the fix of LTP failures: "Should be fixed
   by:" and a netdevbpf patchwork link (Ido Schimmel on LKFT's netns_breakns TBROK, 2022); the
   second real wording: "Should be fixed by https://lore.kernel.org/linux-fsdevel/..." (Cyril
   Hrubis on the robot's writev07 report, 2023). A link to LTP's own patchwork, or a question,
   is no kernel fix.
6. LKFT's tuxrun reproducer ("... --timeouts boot=30 --overlay\nhttps://storage.tuxboot.com/...
   ltp.tar.xz") names no filesystem: the ioprio_set03 reply was read as run on overlayfs; the
   second real text is LKFT's cfs_bandwidth01 oops report (2023), same reproducer.

7. A test-side verdict under a condition states nothing (mini-round 21-ci-b's confident wrong):
   "If you think it is not supported on 32bit the test should SKIP instead of fail." (LKFT on
   clone3_clear_sighand, 2022); the second real text: "If this is an expected change, we will need
   to update the testcases." (a reporter's bisect mail on the LTP list, answered "That is not
   intentional").

Left open (no second real text found): a kernel tree's author reproducing the failure with his
tree ("Confirmed, I can reproduce this with the folio tree", LTP readahead02, 2022); a runner
timeout the maintainer puts on a slow emulated machine ("your system appears to be unusually slow
even for an emulated one"), and a robot's bisect to a selftest commit whose author traces the
failure to the test's own buffer size.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_report_classes import cause_ids as _causes
from tests.test_report_classes import conclude, triage_mbox, triage_read

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLASSES = Path(__file__).parent / "fixtures" / "classes"


IOPRIO = REPORTS / "lkft-ltp-ioprio-set03-bisect-ioprio-cleanup-fixed-in-ltp-reply.txt"
FIXED_IN_LTP = "This is fixed in LTP. Please update your LTP setup to avoid this issue."


@pytest.mark.parametrize("instead", [
    FIXED_IN_LTP,
    ('Again, this error has been fixed in LTP master in\n538a44741 ("syscalls/ioctl03: add '
     'IFF_NO_CARRIER flag")'),
])
def test_a_test_already_fixed_answers_the_bisect(tmp_path, instead):
    text = IOPRIO.read_text()
    assert FIXED_IN_LTP in text and "first faulty commit" in text
    report = triage_read(tmp_path, text.replace(FIXED_IN_LTP, instead))
    assert report["verdict"] == "test-bug"
    assert _causes(report) == {"selftest-logic-bug"}


@pytest.mark.parametrize("instead", [
    "Is this fixed in LTP already?",  # a question
    "This is fixed in the kernel by the next patch of the series.",
    "",
])
def test_without_the_tests_fix_the_bisect_stands(tmp_path, instead):
    report = triage_read(tmp_path, IOPRIO.read_text().replace(FIXED_IN_LTP, instead))
    assert report["verdict"] == "kernel-bug"
    assert "kernel-regression" in _causes(report)


STATX = REPORTS / "lkft-ltp-statx06-mtime-after-multigrain-expected-thread.mbox"
EXPECTED = "which indicates that this is expected."
IN_FLIGHT = "We even have in-flight patch from Jeff to fix the test with fine-grained"


def test_the_final_word_on_an_intended_change_outweighs_an_earlier_commit_guess(tmp_path):
    text = STATX.read_text()
    assert EXPECTED in text and IN_FLIGHT in text and "I am pretty sure this is caused by" in text
    report = triage_mbox(tmp_path, text)
    assert report["verdict"] == "test-bug"
    assert _causes(report) == {"selftest-logic-bug"}


@pytest.mark.parametrize("keep, drop, instead", [
    (EXPECTED, IN_FLIGHT, "We even have"),
    (IN_FLIGHT, EXPECTED, "which says nothing more."),
    ("", EXPECTED, "which says nothing more."),
])
def test_either_final_word_alone_is_the_tests(tmp_path, keep, drop, instead):
    text = STATX.read_text().replace(drop, instead)
    if not keep:  # the second real wording of the patch family, in Cyril Hrubis' place
        text = text.replace(IN_FLIGHT, "I can rework this patch, or send additional ones to "
                                       "adjust the tests")
    report = triage_mbox(tmp_path, text)
    assert report["verdict"] == "test-bug"


def test_without_a_final_word_the_commit_guess_stays(tmp_path):
    text = STATX.read_text().replace(EXPECTED, "which says nothing more.")
    report = triage_mbox(tmp_path, text.replace(IN_FLIGHT, "We even have"))
    assert report["verdict"] != "test-bug"


@pytest.mark.parametrize("line", [
    "If you haven't got the bugfixes, then it's expected that the test fails,",
    "the test has been updated to cover the new flag",
])
def test_what_is_no_intended_change(line):
    assert conclude(line) is None


MTE = REPORTS / "lkft-kselftest-arm64-mte-failures-qemu-7.2-buggy-thread.mbox"
QEMU_BUGGY = "Your qemu is buggy, 6.2 has a known issue which has subsequently been\nfixed."


@pytest.mark.parametrize("instead", [
    QEMU_BUGGY,
    "This is a bug in qemu-user and already fixed there on master.",
])
def test_the_emulators_own_bug_is_the_environment(tmp_path, instead):
    text = MTE.read_text()
    assert QEMU_BUGGY in text
    report = triage_mbox(tmp_path, text.replace(QEMU_BUGGY, instead))
    assert report["verdict"] == "env"
    assert _causes(report) == {"emulator-too-old"}


def test_a_doubted_emulator_bug_states_nothing(tmp_path):
    text = MTE.read_text().replace(
        QEMU_BUGGY, "I'm a bit reluctant to say that this is a qemu bug.")
    report = triage_mbox(tmp_path, text)
    assert report["verdict"] == "unknown"


FP_STRESS = REPORTS / "lkft-kselftest-arm64-fp-stress-gcc13-known-glitch-thread.mbox"
PROC_UPTIME = CLASSES / "lkft-stable-5.10-proc-uptime-known-intermittent-reply.txt"


def test_a_known_glitch_is_a_known_issue(tmp_path):
    text = FP_STRESS.read_text()
    assert "the very intermittent glitch which\nwe've been aware of for a while" in text
    report = triage_mbox(tmp_path, text)
    assert report["verdict"] == "known-issue"
    assert _causes(report) == {"known-issue-stated"}


def test_a_known_intermittent_failure_is_a_known_issue(tmp_path):
    text = PROC_UPTIME.read_text()
    assert "It is a known intermittent failure" in text
    report = triage_read(tmp_path, text)
    assert report["verdict"] == "known-issue"
    assert _causes(report) == {"known-issue-stated"}


@pytest.mark.parametrize("line", [
    "Yes, this is a known issue. Upstream kernel fix is currently being reviewed:",
    "This is a known issue with checkpatch and function names with",
    "Is this a known issue?",
])
def test_what_is_no_bare_known_issue(line):
    found = conclude(line)
    assert found is None or found.category != "known-issue"


def test_a_bare_known_issue_line_is_one():
    found = conclude("This is a known issue.")
    assert found is not None and found.category == "known-issue"


NETNS = REPORTS / "lkft-ltp-netns-breakns-ip-link-add-unknown-rtnetlink-fix-reply.txt"
IDO = ("Should be fixed by:\n\nhttps://patchwork.kernel.org/project/netdevbpf/patch/"
       "20220419125151.15589-1-florent.fourcot@wifirst.fr/")


@pytest.mark.parametrize("instead", [
    IDO,
    ("Should be fixed by https://lore.kernel.org/linux-fsdevel/20230714085124.548920-1-hch@lst.de"
     "/T/#t"),
])
def test_a_kernel_patch_link_fixes_ltp_failures(tmp_path, instead):
    text = NETNS.read_text()
    assert IDO in text and "TBROK" in text
    report = triage_read(tmp_path, text.replace(IDO, instead))
    assert report["verdict"] == "kernel-bug"
    assert _causes(report) == {"kernel-behaviour-fail"}


@pytest.mark.parametrize("instead", [
    ("Should be fixed by:\n\nhttps://patchwork.ozlabs.org/project/ltp/patch/"
     "20220419125151.15589-1-someone@example.org/"),
    ("Should this be fixed by https://lore.kernel.org/linux-fsdevel/"
     "20230714085124.548920-1-hch@lst.de/T/#t ?"),
])
def test_a_link_to_the_tests_fix_or_a_question_is_no_kernel_fix(tmp_path, instead):
    report = triage_read(tmp_path, NETNS.read_text().replace(IDO, instead))
    assert report["verdict"] != "kernel-bug"


@pytest.mark.parametrize("path", [IOPRIO, CLASSES / "lkft-ltp-cfs-bandwidth01-null-deref-tuxrun-"
                                  "overlay.txt"])
def test_tuxruns_overlay_option_names_no_filesystem(tmp_path, path):
    text = path.read_text()
    assert "--overlay" in text
    report = triage_read(tmp_path, text)
    assert report["environment"].get("fs") in (None, "unknown")


CLONE3 = REPORTS / "lkft-kselftest-clone3-clear-sighand-32bit-bail-out-no-verdict-thread.mbox"
IF_YOU_THINK = "If you think it is not supported on 32bit the test should SKIP instead of fail."


def test_a_test_side_verdict_under_a_condition_states_nothing(tmp_path):
    # mini-round 21-ci-b's confident wrong: the reporter's conditional read as the verdict
    text = CLONE3.read_text()
    assert IF_YOU_THINK in text
    report = triage_mbox(tmp_path, text)
    assert report["verdict"] == "unknown"
    # without the condition the same words are a verdict
    report = triage_mbox(tmp_path, text.replace(IF_YOU_THINK, "It is not supported on 32bit, "
                                                "so the test should SKIP instead of fail."))
    assert report["verdict"] == "test-bug"


@pytest.mark.parametrize("line", [
    IF_YOU_THINK,
    # a bisect report's own conditional, answered "That is not intentional" (LTP diotest, 2024)
    "If this is an expected change, we will need to update the testcases.",
])
def test_conditional_wordings_are_no_verdict(line):
    assert conclude(line) is None
