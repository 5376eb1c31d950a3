"""The classes session 12's tracker round (22-trk) fixed, each tested on a second real text
worded differently from the round's:

- under WSL 1 shown by strong evidence (its tracker label wsl1 or fixed-in-wsl2, the issue
  form's ticked "[X] WSL 1", a 4.4.0-N-Microsoft release, "WSL1" named) a failure of any kind
  is the layer's, not the Linux kernel's: WSL 1 runs no Linux kernel (rule wsl1-program-fails,
  low confidence, after every rule that names the errno); on a Linux kernel the same failure
  stays unexplained;
- a filesystem's lack of shared mappings said in a gerund or a participle ('caused by "vboxfs
  not supporting mmap properly"', "mmap not working on vboxsf"), or as a refusal ("VirtualBox
  shared folders have been observed to refuse writable mmaps", capnproto #635);
- a cause's own words in parentheses when the rest of the cause side names none ("due to
  filesystem type not being supported (mmap not working on vboxsf)");
- the files moved off the shared place and the trouble gone ("I moved the mjolnir directory out
  of shared folder, the problem solved"), in a text about mapping files: the share's mappings
  (fs-no-shared-mmap), not only "works elsewhere"; Vagrant's "shared/synced directory" and "a
  directory that is not synched" name the shared place and the local one;
- WSL 2, where it works, set against WSL 1 in one breath ("could be used in WSL2 but NOT in WSL1
  environment", libmdbx's note) shows WSL 1; "segfaults on WSL 2 but not on WSL 1" does not;
- a test told to race ("suffers races", "is racy") states a failure, so a tracker issue with
  no log is never refused; "the test should be reworked", "the test should be fixed instead"
  put it on the test (and a kernel fix's regression that was reverted is no kernel-side word);
- a test's children's segfault lines ("mmap18[32160]: segfault at ... error 6") that the text's
  own prose calls expected ("the segfault is expected") are the test working: passing results,
  no crash; "the segfault is not expected" leaves them crashes;
- a short sentence beside a link is still prose ("`vboxsf` cannot handle `MAP_SHARED`:
  https://www.virtualbox.org/ticket/819", osquery #3408): four words are a sentence, a label
  ("See also:") is not.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import cause_ids, triage, triage_file
from test_report_classes_s11_trk import _layer

from harness.model import LogLine
from harness.readers.diagnosis import _diagnosis, _without_marker
from harness.readers.statements import TEST_SIDE, _sentence_left

CLASSES = Path(__file__).parent / "fixtures" / "classes"


def test_any_failure_under_wsl1_shown_by_its_label_and_form_is_the_layers(tmp_path):
    # microsoft/WSL #11119 (msbit, 2024): mmap with a hint address and a page-size offset gets
    # ENOMEM under WSL 1; label wsl1, the form's "[X] WSL 1"
    report = triage_file(CLASSES / "wsl1-mmap-hint-addr-page-offset-enomem-label-issue.txt")
    assert report["verdict"] == "env"
    assert "emulator-too-old" in cause_ids(report)


def test_the_same_failure_on_a_linux_kernel_stays_unexplained(tmp_path):
    text = (CLASSES / "wsl1-mmap-hint-addr-page-offset-enomem-label-issue.txt").read_text()
    text = text.replace("labels: wsl1\n", "").replace("- [X] WSL 1", "- [ ] WSL 1")
    _, report = triage(tmp_path, text)
    assert "emulator-too-old" not in cause_ids(report)
    assert report["verdict"] != "env"


def _cause(sentence: str) -> str | None:
    found = _diagnosis(sentence, LogLine(1, sentence))
    return found.cause.cause if found else None


def test_a_share_refusing_writable_mmaps_lacks_shared_mappings():
    # capnproto/capnproto #635 (Kenton Varda, 2018)
    sentence = ("In particular, VirtualBox shared folders have been observed to refuse "
                "writable mmaps.")
    found = _without_marker(sentence)
    assert found is not None and found.cause == "fs-no-shared-mmap"
    assert _without_marker("The server refused the connection.") is None


def test_a_gerund_or_participle_lack_of_mmap_is_the_cause():
    assert _cause('someone has given the information that this is caused by "vboxfs not '
                  'supporting mmap properly".') == "fs-no-shared-mmap"
    assert _cause("The database fails because mmap is not supported on vboxsf.") \
        == "fs-no-shared-mmap"
    assert _cause("It fails because the mmap is not being freed.") is None


def test_the_cause_in_parentheses_counts_when_the_rest_names_none():
    assert _cause("only to find that mongod crashes due to filesystem type not being supported "
                  "(mmap not working on vboxsf).") == "fs-no-shared-mmap"
    # an aside that only names a thing is no cause (libhugetlbfs shm-perms on 64K pages, 2018)
    assert _cause("Due to CONFIG_ARM64_64K_PAGES=y we get 512MB as default hugepage size, however "
                  "the test sets the maximum size of a shmem segment (SHMMAX) too low: 64MB, "
                  "causing this check to trip:") != "sysctl-limit"


def test_moving_off_the_shared_folder_fixed_it():
    sentence = "I moved the mjolnir directory out of shared folder, the problem solved."
    assert _cause(sentence) == "only-on-fs"  # alone: works elsewhere; with mmap: the mappings
    assert _cause("I moved the directory out of the way, the problem solved.") is None


def test_a_short_sentence_beside_a_link_is_prose():
    assert _sentence_left("`vboxsf` cannot handle `MAP_SHARED`:")
    assert not _sentence_left("See also:")
    assert not _sentence_left("Link:")


def test_wsl2_where_it_works_against_wsl1_shows_wsl1():
    # libmdbx's README, quoted in paradigmxyz/reth #3609 (2023)
    assert _layer(">libmdbx could be used in WSL2 but NOT in WSL1 environment. This is a "
                  "consequence of the fundamental shortcomings of WSL1") == "WSL 1"
    # microsoft/WSL #6515's title (2021): WSL 2 is the one that fails
    assert _layer("# mprotect segfaults on WSL 2 but not on WSL 1") is None


# linux-test-project/ltp #855 (hongyuni, Cyril Hrubis, 2021): shmat01's 32-bit binary on a
# 64-bit kernel; the maintainer calls the segfault expected.
LTP_855 = (
    "linux-test-project/ltp · issue #855 · closed · C\n"
    "# LTP syscalls shmat01 (32-bit binary) segfault error 6 in shmat01 on 64-bit Linux OS setup"
    "\n\nhongyuni · description · 2021-07-20\nHi\n\nbased on LTP version 20210524-184-g18800c0de,"
    " Linux Kernel v5.13,\n\nthere is following segfault met during LTP shmat01 (32-bit binary) "
    "running on 64-bit Linux OS setup:\n\nshmat01[32859]: segfault at f7f6c000 ip 000000000804ae0a "
    "sp 00000000ffaeac04 error 6 in shmat01[8048000+27000]\n\nis there anything not expected by "
    "LTP test?\n\nmetan-ucw · comment · 2021-07-20\nSame here, the segfault is expected and it's "
    "easy to figure it out from the test source code.\n")


def test_segfault_lines_the_text_calls_expected_are_no_crash(tmp_path):
    _, report = triage(tmp_path, LTP_855)
    assert report["verdict"] == "clean"
    assert "process-segfault" not in cause_ids(report)


def test_segfault_lines_not_called_expected_stay_a_crash(tmp_path):
    text = LTP_855.replace("the segfault is expected", "the segfault is not expected")
    _, report = triage(tmp_path, text)
    assert report["verdict"] != "clean"


def test_a_test_told_to_be_reworked_is_the_tests_side():
    assert TEST_SIDE.search("test should be reworked to verify the page contents is on disk")
    assert TEST_SIDE.search("he thinks the test should be fixed instead")
    assert not TEST_SIDE.search("the kernel should be fixed instead")


# rpm-software-management/rpm #3106 (Panu Matilainen, 2024): a test told racy in words, no log,
# is a failure to answer, not a text to refuse.
def test_a_race_told_in_words_is_never_refused(tmp_path):
    text = ("rpm-software-management/rpm · issue #3106 · closed · C++\nlabels: test\n"
            "# Test 85 is racy\n\npmatilai · comment · 2024-06-27\nThe recently added "
            "\"urlhelper missing\" test is also racy, I've seen a couple of similar failures on "
            "that locally.\n")
    code, report = triage(tmp_path, text)
    assert code in (0, 1)
    assert report["verdict"] == "unknown"
