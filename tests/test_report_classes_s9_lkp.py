"""Round 18-lkp's classes (the kernel test robot's LTP mails), each tested on a real public
text: a tool's own error line inside an LTP test's output belongs to that test, and LTP's probe
of the filesystems it could test names no filesystem the run used. Texts are excerpts of the
mails, unmodified line by line."""
from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import triage_read

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def failing(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["status"] not in ("pass", "skip")]


def test_a_tools_error_in_a_runltp_block_is_that_tests_failure(tmp_path):
    # ltp.lists.linux.it, 2019-07-25, <20190725110944.GA22106@shao2-debian>: the robot's
    # "56cbb429d9: ltp.fs_fill.fail" - mkfs.vfat's own EBUSY line, then the old library's
    # "BROK:" without T, inside runltp's tag=fs_fill block
    text = (REPORTS / "lkp-ltp-fs-fill-mkfs-vfat-ebusy-mount-leak.txt").read_text()
    report = triage_read(tmp_path, text)
    bad = failing(report)
    assert bad and {r["suite"] for r in bad} == {"fs_fill"}
    assert any("Device or resource busy" in r["message"] or r.get("errno") == "EBUSY"
               for r in bad)


# linux-fsdevel, 2025-09-16, <arfepejkmgi63wepbkfhl2jjbhleh5degel7i3o7htgwjsayqg@z3pjoszloxni>:
# Jan Kara's reply to LKFT's "next-20250915: LTP chdir01 df01_sh stat04 tst_device.c:97: TBROK:
# Could not stat loop device 0"; the quoted LTP log of the run on tmpfs (lines 1-23 of the
# quoted test log, quote marks kept)
LKFT_CHDIR01 = """\
> ## Test log
> <8>[   53.655971] <LAVA_SIGNAL_STARTTC chdir01>
> tst_buffers.c:57: TINFO: Test is using guarded buffers
> tst_tmpdir.c:316: TINFO: Using /tmp/LTP_chdm4pHJb as tmpdir (tmpfs filesystem)
> tst_device.c:98: TINFO: Found free device 0 '/dev/loop0'
> tst_test.c:1953: TINFO: LTP version: 20250530
> tst_supported_fs_types.c:97: TINFO: Kernel supports btrfs
> tst_supported_fs_types.c:62: TINFO: mkfs.btrfs does exist
> tst_supported_fs_types.c:105: TINFO: Skipping bcachefs because of FUSE blacklist
> tst_supported_fs_types.c:97: TINFO: Kernel supports vfat
> tst_supported_fs_types.c:62: TINFO: mkfs.vfat does exist
> tst_supported_fs_types.c:128: TINFO: Filesystem exfat is not supported
> tst_supported_fs_types.c:132: TINFO: FUSE does support ntfs
> tst_supported_fs_types.c:62: TINFO: mkfs.ntfs does exist
> tst_supported_fs_types.c:97: TINFO: Kernel supports tmpfs
> tst_supported_fs_types.c:49: TINFO: mkfs is not needed for tmpfs
> tst_test.c:1888: TINFO: === Testing on ext2 ===
> tst_device.c:391: TWARN: Failed to clear 512k block on /dev/loop0
> tst_test.c:1217: TBROK: tst_clear_device() failed
> Summary:
> passed   0
> failed   0
> broken   1
"""


def test_ltps_filesystem_probe_names_no_filesystem_of_the_run(tmp_path):
    report = triage_read(tmp_path, LKFT_CHDIR01)
    assert report["environment"].get("fs") in (None, "unknown")
    assert not any("fuse" in n.lower() for n in report["environment"].get("notes", []))
    assert failing(report)  # the TWARN/TBROK are still chdir01's failures


def test_the_same_probe_in_the_robots_mail_leaves_the_fs_unset(tmp_path):
    # the fs_fill mail's own probe: "tst_supported_fs_types.c:92: INFO: FUSE does support exfat"
    text = (REPORTS / "lkp-ltp-fs-fill-mkfs-vfat-ebusy-mount-leak.txt").read_text()
    assert "FUSE does support exfat" in text
    report = triage_read(tmp_path, text)
    assert report["environment"].get("fs") in (None, "unknown")


def test_an_expected_failure_in_a_reply_is_the_tests_to_change():
    from tests.test_report_classes import conclude

    # ltp.lists.linux.it, 2024-03-15, Christian Brauner's answer to the robot's
    # "[pidfd] cb12fd8e0d: ltp.readahead01.fail"
    # (<20240315-...@brauner>, quoted in round 18-lkp's readahead01 sidecar)
    first = conclude("On Fri, Mar 15, 2024 at 04:16:33PM +0800, kernel test robot wrote:\n"
                     "Yes, this is an expected failure.\n"
                     "Before moving pidfds to pidfs they were based on anonymous inodes.\n")
    # ltp.lists.linux.it, 2026-02-14, <20260214-ausformuliert-aufgearbeitet-7b45890e036a@brauner>:
    # his answer to "[mount] 4f5ba37ddc: ltp.fsmount02.fail", the phrase wrapped over two lines
    second = conclude("Ah, very good to know. Adding Mark so he's aware that this is an\n"
                      "expected failure.\n")
    for c in (first, second):
        assert c is not None and (c.category, c.cause) == ("test-bug", "selftest-logic-bug")
    assert conclude("This is not an expected failure, it's a regression.\n") is None
    assert conclude("Is this an expected failure?\n") is None


# linux-fsdevel/ltp, 2025-09-16, Jan Kara's reply (see LKFT_CHDIR01): the same LKFT log quoted
# with its LAVA test-case signals; the loop device's failures are chdir01's and stat04's
LKFT_CHDIR01_LAVA = """\
> ## Test log
> <8>[   53.655971] <LAVA_SIGNAL_STARTTC chdir01>
> tst_buffers.c:57: TINFO: Test is using guarded buffers
> tst_tmpdir.c:316: TINFO: Using /tmp/LTP_chdm4pHJb as tmpdir (tmpfs filesystem)
> tst_device.c:98: TINFO: Found free device 0 '/dev/loop0'
> tst_test.c:1888: TINFO: === Testing on ext2 ===
> tst_device.c:391: TWARN: Failed to clear 512k block on /dev/loop0
> tst_test.c:1217: TBROK: tst_clear_device() failed
> Summary:
> passed   0
> failed   0
> broken   1
> skipped  0
> warnings 1
> tst_device.c:283: TWARN: open(/dev/loop0) failed: ENOENT (2)
> <8>[   53.679564] <LAVA_SIGNAL_ENDTC chdir01>
> <8>[   53.708246] <LAVA_SIGNAL_TESTCASE TEST_CASE_ID=chdir01 RESULT=fail>
> 
> <8>[   53.933883] <LAVA_SIGNAL_STARTTC stat04>
> tst_buffers.c:57: TINFO: Test is using guarded buffers
> tst_tmpdir.c:316: TINFO: Using /tmp/LTP_staPDxElt as tmpdir (tmpfs filesystem)
> tst_device.c:97: TBROK: Could not stat loop device 0
> Summary:
> passed   0
> failed   0
> broken   1
> skipped  0
> warnings 0
> <8>[   53.947889] <LAVA_SIGNAL_ENDTC stat04>
"""


def test_lavas_test_case_signals_name_the_ltp_test_of_a_library_line(tmp_path):
    report = triage_read(tmp_path, LKFT_CHDIR01_LAVA)
    bad = failing(report)
    assert bad and {r["suite"] for r in bad} <= {"chdir01", "stat04"}
    assert "chdir01" in {r["suite"] for r in bad}
