"""The classes round 18-trk (tracker issues: errno failures on shared or unusual filesystems and
under emulators) missed, each tested on a second real text worded differently:

- a filesystem (share, mount, volume) said to lack an operation, no causal marker: "your fs
  doesn't do fs-verity", "the target FS doesn't support them", "Shared folders ... cant create
  symlinks" -> the filesystem's unsupported operation (fallocate, O_DIRECT, O_TMPFILE by name);
- a program said not to work on a shared place ("does not work for shared volumes between vm and
  its host", "is a no-go on NFS"), and mmap named as the restriction ("This is a mmap issue
  (restriction)") where the text names a shared place -> the place lacks shared mappings;
- an emulator said to lack a call ("it is not implemented by qemu", "the version of qemu in
  Ubuntu 16.04 does not support `getrandom`"), and the emulator's own line ("qemu: Unsupported
  syscall: 384") -> the environment, not the kernel;
- a file lock refused with ENOSYS/EOPNOTSUPP/ENOLCK (strace fcntl F_SETLK, flock): fcntl exists
  in every kernel, so the filesystem has no locks - not a kernel without the call;
- maintainers saying the test must turn an unsupported answer into a skip ("EOPNOTSUPP should
  endup as TCONF", "We just need to add the ENOTSUPP as well") -> the test's feature probe;
- EOPNOTSUPP on FAT/exFAT/NTFS/ZFS and the hypervisors' shared folders is the filesystem's
  answer, as on FUSE, NFS and 9p; --fs takes the names people use (sshfs, fuse.sshfs, 9p2000.L).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report_classes import triage_read

from harness.readers.diagnosis import _without_marker
from harness.readers.environment import normalise_fs

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


def _thread(literal: str) -> str:
    """A thread as the search service's copy stores it (a JSON string, unmodified)."""
    return json.loads(literal) + "\n"


# npm/npm #9247 (mhammerschmidt, 2015-08-12/13, "npm install error"), the thread as the search
# service's copy keeps it.
NPM_9247 = _thread(
    r'''"npm/npm · issue #9247 · closed\n# npm install error\n\nmhammerschmidt · description · '''
    r'''2015-08-12\nWhen I run npm install following errors occur.\n\nhttps://gist.github.com/'''
    r'''mhammerschmidt/0922b6ce72119a5f2917\n(errors, package.json & npm-shrinkwrap.json in gist)'''
    r'''\n\nmhammerschmidt · comment · 2015-08-13\nFound the problem.\nShared folders on from '''
    r'''Vagrant(Linux) to Windows cant create symlinks. With mount it works."''')


def test_a_filesystem_said_to_lack_an_operation_is_the_filesystems_unsupported_operation(
        tmp_path):
    texts = [(REPORTS / f"{name}.txt").read_text() for name in (
        "composefs-rs-ci-fs-verity-os-error-95-pr", "xcp-copy-to-exfat-xattr-os-error-95-issue")]
    for text in [*texts, NPM_9247]:
        report = triage_read(tmp_path, text)
        assert _findings(report) == {("env", "fs-unsupported-operation")}, text[:60]


def test_the_operation_named_picks_the_rule_and_the_tests_assumption_stays_the_tests():
    assert _without_marker("Lack of support in 9pfs for fallocate() and FS_IOC_FIEMAP")\
        .cause == "fs-no-fallocate"
    assert _without_marker("O_TMPFILE is not supported on NFS").cause == "fs-no-tmpfile"
    assert _without_marker("the share does not support O_DIRECT").cause == "fs-no-direct-io"
    # the test's own assumption, said of the same lack, is read as the test's (later)
    assumed = _without_marker("The test assumes fallocate, which tmpfs doesn't support.")
    assert assumed is None or assumed.category != "env"
    # a question or a supposition states nothing
    assert _without_marker("Maybe the fs does not support xattrs") is None


# pantsbuild/pants #14599 (jsirois, 2022-02-25): LMDB on NFS, its first comment as stored.
PANTS_14599 = _thread(
    r'''"pantsbuild/pants · issue #14599 · open · Python\nlabels: bug\n# Placeholder: Various '''
    r'''(potentially NFS) filesystem-related bugs\n\njsirois · comment · 2022-02-25\nFor the '''
    r'''last, it appears LMDB is a no-go on NFS, which makes sense. See \"Caveats\" here: '''
    r'''http://www.lmdb.tech/doc/. In particular the `...when several processes can use a '''
    r'''database concurrently:` section:\n\n* Do not use LMDB databases on remote filesystems, '''
    r'''even between processes on the same host. This breaks flock() on some OSes, possibly '''
    r'''memory map sync, and certainly sync between programs on different hosts."''')


def test_a_program_said_not_to_work_on_a_shared_place_is_the_place(tmp_path):
    etcd = (REPORTS / "etcd-vm-shared-volume-bolt-mmap-invalid-argument-issue.txt").read_text()
    report = triage_read(tmp_path, etcd)
    assert _findings(report) == {("env", "fs-no-shared-mmap")}
    report = triage_read(tmp_path, PANTS_14599)
    assert {c for c, _ in _findings(report)} == {"env"}
    assert _findings(report) == {("env", "only-on-fs")}


def test_mmap_named_as_the_restriction_needs_a_shared_place_in_the_text(tmp_path):
    report = triage_read(tmp_path, "ERROR: cannot open the database: invalid argument\n\n"
                                   "This is a mmap issue (restriction), see the docs.\n")
    assert ("env", "fs-no-shared-mmap") not in _findings(report)


# Mbed-TLS/mbedtls #1212 (randombit, 2017-12-15): the description as stored.
MBEDTLS_1212 = _thread(
    r'''"Mbed-TLS/mbedtls · issue #1212 · open · C\n# mbedtls fails to initialize if run under '''
    r'''qemu which does not support getrandom\n\nrandombit · description · 2017-12-15\n- Type: '''
    r'''Bug\n- OS: Linux (Ubuntu 16.04)\n- Mbed TLS version 2.6.0\n\n**Expected behavior**   \n'''
    r'''\nThat it is possible to run an application using mbedtls under qemu.\n\n**Actual '''
    r'''behavior**  \n\n```\nqemu: Unsupported syscall: 384\ncurl: (51) Failed - mbedTLS: '''
    r'''ctr_drbg_init returned (-0x0034) CTR_DRBG - The entropy source failed\n```\n\nThe '''
    r'''problem is that the version of qemu in Ubuntu 16.04 does not support `getrandom` '''
    r'''syscall. But mbedtls expects that as long as the uname is at least 3.17 then '''
    r'''`getrandom` must work, and just fails when qemu returns an error. Instead, it should '''
    r'''fall back to trying ``/dev/random``, which works fine under qemu."''')
# jedisct1/libsodium #532 (oberstet, 2017-04-21): the test's log as the reporter pasted it.
LIBSODIUM_532 = """\
Here is `sodium_utils3.log`:

```console
/ # cat /tmp/pip-build-aoFoIb/pynacl/build/temp.linux-aarch64-2.7/test/default/sodium_utils3.log
qemu: Unsupported syscall: 278
```
"""


def test_an_emulator_lacking_a_call_is_the_environment(tmp_path):
    m68k = (REPORTS / "qemu-m68k-user-unsupported-syscall-352-getrandom-issue.txt").read_text()
    for text in (m68k, MBEDTLS_1212, LIBSODIUM_532):
        report = triage_read(tmp_path, text)
        assert _findings(report) == {("env", "emulator-too-old")}, text[:60]


def test_a_file_lock_refused_is_the_filesystem_not_a_missing_call(tmp_path):
    portal = (REPORTS / "flatpak-document-portal-fuse-sqlite-fcntl-setlk-enosys-issue.txt"
              ).read_text()
    for args in ((), ("--fs", "fuse")):
        report = triage_read(tmp_path, portal, *args)
        assert _findings(report) == {("env", "fs-unsupported-operation")}
        assert {r["syscall"] for r in report["results"]} == {"fcntl"}
    # (no second real strace of a refused lock was found; the flock form)
    report = triage_read(tmp_path, "flock(3, LOCK_EX) = -1 EOPNOTSUPP (Operation not supported)\n")
    assert _findings(report) == {("env", "fs-unsupported-operation")}
    # ENOLCK is a remote locking protocol failing, not a filesystem without locks: LTP
    # nfslock01's lockd and a 6.12 nfsd regression (session 14) - an honest unknown
    report = triage_read(tmp_path, "flock(3, LOCK_EX) = -1 ENOLCK (No locks available)\n")
    assert _findings(report) == {("unknown", "nfs-lock-protocol-failed")}
    # a lock held by another process is ordinary, and a missing call stays one
    held = ("fcntl(3, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = -1 "
            "EAGAIN (Resource temporarily unavailable)\n")
    assert ("env", "fs-unsupported-operation") not in _findings(triage_read(tmp_path, held))
    memfd = 'memfd_create("x", MFD_CLOEXEC) = -1 ENOSYS (Function not implemented)\n'
    assert _findings(triage_read(tmp_path, memfd)) == {("config", "syscall-not-implemented")}


# linux-test-project/ltp #81 (olerem and Cyril Hrubis, 2016-08-22), the thread as stored.
LTP_81 = _thread(
    r'''"linux-test-project/ltp · issue #81 · closed · C\n# perf_event_open01.c:158: '''
    r'''perf_event_open failed unexpectedly: TEST_ERRNO=EOPNOTSUPP(95): Operation not '''
    r'''supported\n\nolerem · description · 2016-08-22\nFor some reason this test is always '''
    r'''failing.\n\nroot@mx6q:/opt/ltp# ./testcases/bin/perf_event_open01\nperf_event_open01'''
    r'''    1  TFAIL  :  perf_event_open01.c:158: perf_event_open failed unexpectedly: '''
    r'''TEST_ERRNO=EOPNOTSUPP(95): Operation not supported\n\nAt same time perf_event_open02 '''
    r'''seems to work properly.\nroot@mx6q:/opt/ltp# ./testcases/bin/perf_event_open02\n'''
    r'''perf_event_open02    0  TINFO  :  overall task clock: 254455926\nperf_event_open02    '''
    r'''0  TINFO  :  hw sum: 1800001050, task clock sum: 1525280694\nperf_event_open02    0  '''
    r'''TINFO  :  ratio: 5.994282\nperf_event_open02    1  TPASS  :  test passed\n\nIMO, if '''
    r'''perf_event_open01 filed becouse this operation is not supported, then it should return '''
    r'''32 instead of 1.\n\nmetan-ucw · comment · 2016-08-22\nThe reason why '''
    r'''```perf_event_open01``` fails is likely because it tries bunch of different event '''
    r'''types, while the ```perf_event_open02``` uses just two of them.\n\nLooking into the '''
    r'''```perf_event_open01``` we already handle ```EINVAL``` (which means that kernel is too '''
    r'''old and does not know the requested event type) and return ```TCONF```. We just need '''
    r'''to add the ```ENOTSUPP``` as well. And we should really print which event type is not '''
    r'''supported in the ```tst_brkm(TFAIL, ...)``` branch as well.\n\nolerem · comment · '''
    r'''2016-08-22\nYes, it is old kernel: 3.14"''')


def test_an_unsupported_answer_the_test_must_skip_is_its_feature_probe(tmp_path):
    io_uring = (REPORTS / "ltp-io-uring02-setup-eopnotsupp-should-tconf-issue.txt").read_text()
    for text in (io_uring, LTP_81):
        report = triage_read(tmp_path, text)
        assert _findings(report) == {("test-bug", "test-wrong-feature-probe")}, text[:60]


@pytest.mark.parametrize("name,family", [
    ("fuse.sshfs", "fuse"), ("sshfs", "fuse"), ("rclone", "fuse"), ("mergerfs", "fuse"),
    ("9p2000.L", "9p"), ("virtio-fs", "virtiofs"), ("nfs4.2", "nfs"), ("smbfs", "cifs"),
    ("exfat", "exfat"), ("9p-fvp", "9p")])
def test_fs_names_people_use_are_known(name, family):
    assert normalise_fs(name) == family


def test_eopnotsupp_on_a_feature_poor_local_filesystem_is_the_filesystems(tmp_path):
    text = ("Copying a file from a btrfs source to an exfat destination fails with the error:\n\n"
            "`Error: Operation not supported (os error 95)`\n")  # xcp #26's description
    report = triage_read(tmp_path, text, "--fs", "exfat")
    assert _findings(report) == {("env", "fs-unsupported-operation")}


# Mini-round 18-trk-b's classes (0/4 before these; two refused):
# - a hang or a missing thing told in words ("the program hangs", "blocks forever", "special
#   device ... does not exist") is a failure a person reads, not a text to refuse;
# - the filesystem's missing lock manager ("go-nfs has no lock manager" under "## Cause", "Using
#   `nolock` solved this": a stated fix names what was wrong) is its missing locks;
# - the machine's memory said to be cut or short ("reset the RAM allocation of this VM back to
#   the default of 2GB", "you're running out of RAM") is too little memory.

# zopefoundation/zc.lockfile #26 (cosminc98, 2023-04-04), the description as stored.
ZC_LOCKFILE_26 = _thread(
    r'''"zopefoundation/zc.lockfile · issue #26 · open · Python\n# Creating a lock on NFS '''
    r'''(network file system) volume hangs the python process\n\ncosminc98 · description · '''
    r'''2023-04-04\n## BUG/PROBLEM REPORT\n\nCreating a lock on NFS (network file system) volume '''
    r'''hangs the python process.\n\n```python\nimport zc.lockfile\nzc.lockfile.LockFile('''
    r''''/nfs_mountpoint/')\n```\nAnd then the process hangs and cannot be interruped. I '''
    r'''understand there probably is some operation that is incompatible with NFS but isn't '''
    r'''there a way to verify this before it least make for easier debugging?\n\nAlmaLinux '''
    r'''release 8.6 (Sky Tiger)\nPython 3.9.7\nzc.lockfile==3.0.post1"''')


def test_a_hang_or_a_missing_device_told_in_words_is_read_not_refused(tmp_path):
    wsl2 = (REPORTS / "wsl2-9p-mount-virtio-no-channels-trans-tcp-issue.txt").read_text()
    for text in (ZC_LOCKFILE_26, wsl2):
        report = triage_read(tmp_path, text)
        assert any(r["status"] == "fail" for r in report["results"]), text[:60]
    # "Changing it to tcp solves the issue" names no cause: nothing is made up
    assert {f["category"] for f in triage_read(tmp_path, wsl2)["findings"]} == {"unknown"}
    # (no diagnosis in zc.lockfile #26's description: an honest unknown)
    assert {f["category"] for f in triage_read(tmp_path, ZC_LOCKFILE_26)["findings"]} == {
        "unknown"}


def test_a_missing_lock_manager_or_a_nolock_fix_is_the_filesystems_locks(tmp_path):
    for name in ("go-nfs-flock-hangs-nfs-mount-nolock-issue",
                 "e2b-envd-volume-flock-hangs-no-nlm-nolock-issue"):
        report = triage_read(tmp_path, (REPORTS / f"{name}.txt").read_text())
        assert _findings(report) == {("env", "fs-unsupported-operation")}, name


# ablab/spades #610 (alienzj and asl, 2020-11-25), the thread as stored.
SPADES_610 = _thread(
    r'''"ablab/spades · issue #610 · closed · C++\n# mmap failed\n\nalienzj · description · '''
    r'''2020-11-25\nAlways mmap failed.\n\n[spades.log](https://github.com/ablab/spades/files/'''
    r'''5593830/spades.log)\n\nasl · comment · 2020-11-25\nThe log reads:\n```\n ERROR   General'''
    r'''                 (mmapped_reader.hpp        :  52)   mmap(2) failed. Reason: Cannot '''
    r'''allocate memory. Error code: 12\n```\n\nSo, you're running out of RAM."''')


def test_memory_said_to_be_cut_or_short_is_too_little_memory(tmp_path):
    sst = (REPORTS / "sst-elements-vmware-vm-ram-reset-fail-to-mmap-issue.txt").read_text()
    for text in (sst, SPADES_610):
        report = triage_read(tmp_path, text)
        assert _findings(report) == {("env", "memory-short")}, text[:60]
