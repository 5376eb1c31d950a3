"""The classes session 13's tracker round (23-trk) and the held-out misses of round 22 fixed,
each tested on a second real text worded differently:

- a pull request to a test suite's own repository (LTP, the kselftests, xfstests,
  libhugetlbfs) whose title fixes one of its tests ("testcases: fix mmapstress08 test", ltp
  #205; "Fix memcontrol03 testcase failure on powerpc.", ltp #1297; "tests: Fix bug in paranoid
  bug", libhugetlbfs #85, mini-round 23-trk-c) is the diagnosis: the test
  is changed (selftest-logic-bug); not an issue's title, not a pull request to another tree
  (a library OS patching its copy of a test around its own bug);
- a maintainer explaining a time out or a failure by the test's own parameters on a machine
  with big pages: "No wonder that this timeouts for 512MB pages" (ltp #387), "Obviously the
  test does not work with 512MB hugepages on aarch64" (ltp #1022), "the test takes too long",
  "the timeout is too short": test-side, and the runner's kill or the test's own SIGSEGV gives
  way to it;
- the translation layer's own kernel named as what differs: "This is a known issue where NT has
  different semantics around mapping a file of size 0" (microsoft/WSL #658) is the emulator's
  known issue (emulator-too-old), not a known failure of the test; "functionality that the
  Windows kernel does not support" (microsoft/WSL #3451);
- a memory call told in words not to do its job ("ftruncate does not truncate mmap'd files",
  microsoft/WSL #11302 and #902) states a failure, so a tracker issue with only a repro program
  is read, not refused; "mmap doesn't fail" states none;
- Python's "[Errno N]" names the errno by its number when the excerpt ends inside the strerror
  ("OSError: [Errno 19] No suc", kata-containers #5634);
- a program's own words for a failed mapping ("Map file error: No such device", JayXon/Leanify
  #79; "Failed to mmap. Could not write data: Invalid argument", nodegit #1115) are a failed
  mmap with that errno;
- a shared place said to stop the work, or the work impossible when the file is on it ("VirtualBox
  shared folders and NFS shares prevent LLD linking", "We cannot link when the output file is
  located on a shared filesystem", osquery #3414), in a text about mapping files, is the
  share's lack of shared mappings; about hard links it is not;
- (mini-round 23-trk-b) the folder shared with the host, in a sentence that names the VM
  ("from within a Linux VirtualBox by opening a local Realm file stored on the folder shared
  with the host OS", realm-studio #237), is VirtualBox's shared folder (vboxsf);
- a test said to need revisiting ("msync01：testcase need revisit", ltp #1259) is the test's,
  and a result told unreliable ("The test result can't be expected to be always successful",
  "does not always pass") states a failure, so an analysis-only issue is read.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import cause_ids, triage, triage_file

from harness.readers.command_output import MAP_FAILED_WORDS, _python_errno
from harness.readers.diagnosis import EMULATOR_OLD, KNOWN, LACKS_MMAP, _without_marker
from harness.readers.paste import FS_WORDS, fs_family
from harness.readers.statements import TEST_FIX_TITLE, TEST_SIDE
from harness.readers.test_verdicts import says_test_to_change
from harness.readers.unread_failures import states_failure

FIXTURES = Path(__file__).parent / "fixtures"
CLASSES = FIXTURES / "classes"
REPORTS = FIXTURES / "reports"


def _failing(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["status"] != "pass"]


def test_a_test_suites_pull_request_fixing_the_test_is_the_diagnosis():
    # linux-test-project/ltp #1297 (2026): "Fix memcontrol03 testcase failure on powerpc."
    report = triage_file(CLASSES / "ltp-memcontrol03-powerpc-64k-oom-testcase-fix-pr.txt")
    assert report["verdict"] == "test-bug"
    assert "selftest-logic-bug" in cause_ids(report)


def test_the_same_title_as_an_issue_or_in_another_tree_states_nothing(tmp_path):
    text = (CLASSES / "ltp-memcontrol03-powerpc-64k-oom-testcase-fix-pr.txt").read_text()
    for changed in (text.replace("· pull request #1297", "· issue #1297"),
                    text.replace("linux-test-project/ltp · pull", "lsds/sgx-lkl · pull")):
        _, report = triage(tmp_path, changed)
        assert report["verdict"] != "test-bug"
        assert "selftest-logic-bug" not in cause_ids(report)


def test_pull_request_titles_that_fix_a_test():
    # real LTP pull request titles: #205, #1297, #465 fix tests; #744 fixes a typo in a message
    for title in ("testcases: fix mmapstress08 test",
                  "Fix memcontrol03 testcase failure on powerpc.",
                  "fix bugs found in net.tcp_cmds test",
                  "tests: Fix bug in paranoid bug"):
        assert TEST_FIX_TITLE.search(title), title
    assert not TEST_FIX_TITLE.search("docs: fix simple typo, failiure -> failure")


def test_the_tests_own_parameters_explain_its_failure_on_big_pages():
    # ltp #1022 (2023): hugemmap24 killed by SIGSEGV with 512MB hugepages; Cyril Hrubis:
    # "Obviously the test does not work with 512MB hugepages on aarch64"
    name = "ltp-hugemmap24-aarch64-512m-slice-boundary-sigsegv-strace-issue.txt"
    report = triage_file(REPORTS / name)
    assert report["verdict"] == "test-bug"
    assert "selftest-logic-bug" in cause_ids(report)
    # ... and ltp #387's "No wonder that this timeouts for 512MB pages" over the runner's kill
    report = triage_file(REPORTS / "ltp-move-pages12-aarch64-512m-hugepages-timeout-tracker-issue"
                                   ".txt", "--kernel-version", "4.18.0")
    assert report["verdict"] == "test-bug"


def test_without_the_maintainers_word_the_kill_stays_unexplained(tmp_path):
    text = (REPORTS / "ltp-move-pages12-aarch64-512m-hugepages-timeout-tracker-issue.txt"
            ).read_text().replace("No wonder that this timeouts for 512MB pages.", "")
    _, report = triage(tmp_path, text)
    assert report["verdict"] != "test-bug"


def test_timeout_wordings_on_the_tests_side():
    for sentence in ("No wonder that this timeouts for 512MB pages.",
                     "Obviously the test does not work with 512MB hugepages on aarch64",
                     "the test simply takes too long with 1GB pages",
                     "The default timeout is just too short for 64k pages."):
        assert TEST_SIDE.search(sentence), sentence
    for sentence in ("No idea why this times out.", "the kernel does not work with 512MB pages"):
        assert not TEST_SIDE.search(sentence), sentence


def test_the_translation_layers_own_kernel_named_as_the_difference():
    # microsoft/WSL #3451 (Ben Hillis, 2018) and #658 (2016)
    report = triage_file(CLASSES / "wsl-mmap-zero-length-windows-kernel-does-not-support-issue.txt")
    assert report["verdict"] == "env"
    assert "emulator-too-old" in cause_ids(report)
    sentence = ("I've looked into this and #902 and they share the commonality that both rely on "
                "functionality that the Windows kernel does not support which makes the scope "
                "of this fix a bit larger.")
    assert _without_marker(sentence) is EMULATOR_OLD
    known = ("This is a known issue where NT has different semantics around mapping a file "
             "of size 0.")
    assert _without_marker(known) is EMULATOR_OLD
    assert _without_marker("This is a known issue.") is KNOWN


def test_a_memory_call_told_not_to_do_its_job_is_a_stated_failure():
    # microsoft/WSL #902 (2016): "ftruncate does not truncate mmap'd files while they are
    # mmap'd", a repro program and no output
    report = triage_file(CLASSES / "wsl-ftruncate-mmapd-file-build-14393-template-issue.txt")
    assert report["verdict"] == "env"
    assert any("ftruncate does not truncate" in (r["message"] or "") for r in _failing(report))
    assert states_failure("msync doesn't flush the mapping")
    assert not states_failure("so mmap doesn't fail here")


def test_pythons_errno_number_names_a_cut_strerror():
    assert _python_errno("19", "No suc") == "ENODEV"
    assert _python_errno("2", "No such file or directory") == "ENOENT"
    assert _python_errno("19", "No such file") == ""  # not the start of ENODEV's strerror
    assert _python_errno("19", "No") == ""  # too short to say


def test_a_programs_own_words_for_a_failed_mapping():
    # JayXon/Leanify #79 (2022) and nodegit #1115 (2016)
    m = MAP_FAILED_WORDS.match("Map file error: No such device")
    assert m and m.group("err") == "No such device"
    m = MAP_FAILED_WORDS.match("Failed to mmap. Could not write data: Invalid argument")
    assert m and m.group("err") == "Invalid argument"
    assert not MAP_FAILED_WORDS.match("Processing: /dockerbind/test.jpg")


def test_a_shared_place_said_to_stop_the_work_in_a_text_about_mapping():
    sentence = ("We cannot link when the output file is located on a shared filesystem. We use "
                "LLVM 4.0 to perform ThinLTO linking and there is required `mmap` with "
                "`MAP_SHARED`")
    assert _without_marker(sentence) is LACKS_MMAP
    # kubos-linux-build #203 (2019): hard links, not mappings
    hard_links = ("do not use a shared folder for the kubos-linux-build or buildroot "
                  "directories, as the build process uses hardlinks that error with vagrant's "
                  "shared folders")
    assert _without_marker(hard_links) is not LACKS_MMAP


def test_the_folder_shared_with_the_host_of_a_named_vm_is_its_shared_folder():
    sentence = ("This can be reproduced from within a Linux VirtualBox by opening a local Realm "
                "file stored on the folder shared with the host OS.")
    m = FS_WORDS.search(sentence)
    assert m and fs_family(m.group(1)) == "vboxsf"
    m = FS_WORDS.search("the same in VMware: the directory shared with the host fails")
    assert m and fs_family(m.group(1)) == "vmhgfs"
    m = FS_WORDS.search("a folder shared with the host by QEMU's 9p export")
    assert m and fs_family(m.group(1)) == "9p"  # not a VM's shared folder


def test_a_test_to_revisit_and_a_result_told_unreliable():
    assert says_test_to_change("msync01：testcase need revisit")
    assert says_test_to_change("the test needs rework")
    assert states_failure("The test result can't be expected to be always successful.")
    assert states_failure("the test does not always pass on arm64")
    assert not states_failure("msync is expected to succeed here.")
