"""Held-out round 14-fs's classes (a filesystem or its server refusing a program's calls:
eCryptfs, FUSE, NFS, 9p), each on a second real public text worded differently from the
round's report that showed it."""

from test_report_classes import triage_read


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


# git@vger.kernel.org, Message-ID <20241205191301.GA2629822@coredump.intra.peff.net> (Jeff
# King's reply quoting Dmitriy Panteleyev's strace, 'Re: [BUG] commit fails with 'bus error'
# when working directory is on an NFS share', 2024-12-05): a read refused with ESTALE on an
# NFS share. The round's report was a `grep unlinkat` of rm's strace on a 9p share
# (conclusiveeng/lib9p #18); both excerpts hold no call the strace reader looked for and were
# "clean - no failures".
GIT_NFS_ESTALE_STRACE = """\
> Strace with NO_MMAP=1, I gives:
> 
> openat(AT_FDCWD,
> ".git/objects/34/5819b235838e219d66420b536a54ce4cf0624c",
> O_RDONLY|O_CLOEXEC) = 4
> fstat(4, {st_mode=S_IFREG|0444, st_size=154, ...}) = 0
> pread64(4, 0x61a0292e15d0, 154, 0)      = -1 ESTALE (Stale file handle)
> write(2, "fatal: mmap failed: Permission d"..., 38) = 38
> 
> Weirdly, it's throwing ESTALE not EACCESS...
"""


def test_an_strace_whose_failed_calls_are_on_files_is_never_clean(tmp_path):
    report = triage_read(tmp_path, GIT_NFS_ESTALE_STRACE)
    assert report["verdict"] != "clean"
    failed = [(r["syscall"], r["errno"]) for r in report["results"] if r["status"] == "fail"]
    assert failed == [("pread64", "ESTALE")]


# https://github.com/nuagenetworks/nuage-metroae/issues/1518 (the title, dan0nl,
# 2020-06-10): the playbook's fallocate on an image path on NFS. The round's report was
# DARMA-tasking/magistrate #111's whole description, "fallocate is failed on NFS.".
NUAGE_FALLOCATE_NFS_TITLE = "VSC-predeploy: fallocate failure on path hosted on NFS\n"


def test_a_call_said_to_fail_on_a_named_filesystem_takes_the_filesystems_errno(tmp_path):
    report = triage_read(tmp_path, NUAGE_FALLOCATE_NFS_TITLE)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [r["syscall"] for r in failed] == ["fallocate"]
    assert report["verdict"] == "env" and causes(report) == {"nfs-no-fallocate"}


def test_a_call_said_to_work_on_a_named_filesystem_is_no_failure_of_it(tmp_path):
    """Negated or hypothetical, the sentence states no failure of the call."""
    for text in ("fallocate has not failed on NFS since the upgrade, but the test crashes.\n",
                 "fallocate should not fail on NFS 4.2, but the test crashes.\n"):
        report = triage_read(tmp_path, text)
        assert "nfs-no-fallocate" not in causes(report), text


# https://github.com/opencloud-eu/openvfs/pull/65 (description, Ebrathul, 2026-08-31; the
# first paragraphs): a write through the descriptor that created a read-only file, refused by
# the FUSE daemon. The round's report was openvfs #66: ftruncate through a descriptor after
# chmod 0444, refused the same way.
OPENVFS_READ_ONLY_WRITE = """\
I have been running openvfs on my own account with my own tool and the desktop-client plug-in
from nextcloud/desktop#10635, to find out what still stands between it and
everyday use of a sync root. The first thing that stopped me was files without
an owner-write bit: I could not create one inside the mount, which among other
things means a git repository cannot be written to there.

Creating a file with a read-only mode and writing to the descriptor that created
it fails with `EACCES` on an openvfs mount. Two independent defects produce the
one symptom, and neither fixes it alone.
"""


def test_a_write_through_an_open_descriptor_refused_by_a_path_based_server(tmp_path):
    report = triage_read(tmp_path, OPENVFS_READ_ONLY_WRITE, "--fs", "fuse")
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [(r["syscall"], r["errno"]) for r in failed] == [("write", "EACCES")]
    assert report["verdict"] == "env" and causes(report) == {"fs-path-based-permission"}
    # on a local filesystem the same refusal is no property of the environment
    report = triage_read(tmp_path, OPENVFS_READ_ONLY_WRITE, "--fs", "ext4")
    assert "fs-path-based-permission" not in causes(report)


# https://github.com/python/cpython/issues/123823 (description, furkanonder, 2024-09-07) and
# https://github.com/python/cpython/issues/148841 (description: its first line and the traceback
# block from its ERROR line, neek78, 2026-04-21): CPython's
# test_posix_fallocate on NetBSD's FFS and FreeBSD's ZFS, whose traceback's last frame calls
# posix.posix_fallocate() (the posix module, under the library's name). Found probing the
# wordings of round 14-fs's class (a Python traceback's os.<call> was read; the posix and mmap
# modules' calls, and posix_fallocate for fallocate, were not).
CPYTHON_NETBSD_TRACEBACK = """\
$ ./python -m test test_posix
Using random seed: 3412046247
0:00:00 load avg: 0.00 Run 1 test sequentially in a single process
0:00:00 load avg: 0.00 [1/1] test_posix
test test_posix failed -- Traceback (most recent call last):
  File "/home/blue/cpython/Lib/test/test_posix.py", line 407, in test_posix_fallocate
    posix.posix_fallocate(fd, 0, 10)
    ~~~~~~~~~~~~~~~~~~~~~^^^^^^^^^^^
OSError: [Errno 45] Operation not supported

test_posix failed (1 error)
"""
CPYTHON_FREEBSD_ZFS_TRACEBACK = """\
fallocate() fails with EOPNOTSUPP, rather than EINVAL on FreeBSD 15 with zfs. 

```python
    ERROR: test_posix_fallocate (test.test_os.test_posix.PosixTester.test_posix_fallocate)
    ----------------------------------------------------------------------
    Traceback (most recent call last):
""" + ("      File \"/home/nick/src/cpython-fixes/Lib/test/test_os/test_posix.py\", line 409, "
       "in test_posix_fallocate\n") + """\
        posix.posix_fallocate(fd, 0, 10)
        ~~~~~~~~~~~~~~~~~~~~~^^^^^^^^^^^
    OSError: [Errno 45] Operation not supported
```
"""


def test_a_python_tracebacks_posix_module_call_is_the_system_call(tmp_path):
    for text in (CPYTHON_NETBSD_TRACEBACK, CPYTHON_FREEBSD_ZFS_TRACEBACK):
        report = triage_read(tmp_path, text)
        failed = [(r["syscall"], r["errno"]) for r in report["results"]
                  if r["status"] == "fail"]
        assert failed == [("fallocate", "EOPNOTSUPP")], text[:40]
        assert report["verdict"] == "env" and causes(report) == {"fs-no-fallocate"}
