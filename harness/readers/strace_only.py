"""Strace excerpts with no TAP at all: each failed call on a test file becomes a result to
explain."""

from __future__ import annotations

from harness.lazy_regex import lazy
from harness.model import Result, Status, Syscall
from harness.readers import config_lines
from harness.readers.ingest import Parsed
from harness.readers.strace import QUOTED, decode_c_string, lock_refused

# The memory-management calls beside mmap/madvise: a failed remap, protection change, unmap,
# lock, shared-memory or NUMA-policy call in a bare excerpt is what the excerpt shows (rr #2268:
# "mremap(...) = -1 EFAULT (Bad address)"); without them such an excerpt had no result and was
# called clean.
MM_CALLS = frozenset({"mremap", "mprotect", "munmap", "msync", "mincore", "mlock", "mlock2",
                      "mlockall", "munlock", "shmget", "shmat", "mbind", "set_mempolicy",
                      "get_mempolicy", "migrate_pages", "move_pages", "process_madvise",
                      "remap_file_pages", "pkey_mprotect", "pkey_alloc", "memfd_secret",
                      "mseal"})
CALLS = frozenset({"ftruncate", "fallocate", "fstatfs", "fstat", "mmap", "madvise",
                   "memfd_create", "io_uring_setup", "io_uring_register", "newfstatat",
                   "userfaultfd"}) | MM_CALLS
FILE_CALLS = frozenset({"ftruncate", "fallocate", "fstatfs", "fstat"})  # calls on an open file
OPENS = frozenset({"open", "openat", "creat"})
# An open is of interest when it asks the filesystem for something it may lack (direct I/O, an
# unnamed temporary file) or creates the test's file; a lookup that finds nothing (ENOENT) or a
# file already there (EEXIST) is the loader's and the program's ordinary business.
OPEN_FLAGS = ("O_DIRECT", "O_TMPFILE", "O_CREAT")
ORDINARY_OPEN_ERRORS = frozenset({"ENOENT", "EEXIST", "ENOTDIR", "ELOOP", "ENXIO"})


# When an excerpt has no failed call of interest, a failed call on the filesystem's own
# operations is what it shows: `strace rm -rf /a/aaaa 2>&1 | grep unlinkat` on a 9p share
# (lib9p #18: "unlinkat(5, "cccc", 0) = -1 EINVAL") was called clean - no failures. Only
# errnos an ordinary run does not produce in passing (a lookup's ENOENT, a retry's EAGAIN, a
# probe's ENOSYS ... are not failures), and only calls on files and their names (not a
# loader's arch_prctl probe or a terminal's ioctl).
FALLBACK_CALLS = frozenset({
    "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "link", "linkat",
    "symlink", "symlinkat", "mkdir", "mkdirat", "mknod", "mknodat", "truncate", "chmod",
    "fchmod", "fchmodat", "chown", "fchown", "fchownat", "lchown", "utimensat", "fsync",
    "fdatasync", "sync_file_range", "write", "pwrite64", "writev", "pwritev", "read",
    "pread64", "readv", "preadv", "copy_file_range", "sendfile", "statfs", "stat", "lstat",
    "statx", "setxattr", "lsetxattr", "fsetxattr", "listxattr", "llistxattr", "flistxattr",
    "flock", "getdents64", "open", "openat", "creat", "name_to_handle_at", "open_by_handle_at",
})
PASSING_ERRNOS = frozenset({
    "ENOENT", "EEXIST", "EAGAIN", "EWOULDBLOCK", "EINTR", "ENOTTY", "ECHILD", "EINPROGRESS",
    "ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "ERESTART_RESTARTBLOCK", "ENODATA",
    "ENOTDIR", "ESPIPE", "ENOSYS", "ELOOP", "ENXIO", "ENOTCONN", "ETIMEDOUT",
})


def of_interest(call: Syscall) -> bool:
    if not call.failed:
        return False
    if call.name in CALLS or call.fatal:  # (fatal: the call the program gave up on)
        return True
    return (call.name in OPENS and not _ordinary_open_error(call)
            and any(flag in call.args for flag in OPEN_FLAGS))


def _creates(call: Syscall) -> bool:
    return call.name == "creat" or "O_CREAT" in call.args


def _ordinary_open_error(call: Syscall) -> bool:
    """A lookup's ENOENT is ordinary; a create's is not: with O_CREAT the name is made if
    missing, so ENOENT says the directory (or the name just unlinked while still open, WSL
    DrvFs #544) vanished under the filesystem - a failed create, not a loader's miss."""
    if call.errno == "ENOENT" and _creates(call):
        return False
    return call.errno in ORDINARY_OPEN_ERRORS


def results_from_syscalls(parsed: list[Parsed]) -> list[Result]:
    """One 'strace' result per failed call of interest, config from what happened to its file.

    Each Parsed gets its own results; all of them are returned, numbered across the files.
    """
    out: list[Result] = []
    for p in parsed:
        calls = [c for c in p.syscalls if of_interest(c)] or [
            c for c in p.syscalls if _fallback(c)]
        p.results = [_result(call, len(out) + i + 1) for i, call in enumerate(calls)]
        config_lines.attach(p.config_off, p.results)
        out += p.results
    return out


def shows_failure(calls: list[Syscall]) -> bool:
    """Whether an excerpt's calls hold one that the strace-alone reading takes as a failure:
    an excerpt of lookups that miss (openat of /sys/devices/system/node = -1 ENOENT, numactl
    #208) and calls that succeed shows none, so the program's own error lines and the prose
    beside it say what failed."""
    return any(of_interest(c) or _fallback(c) for c in calls)


def _fallback(call: Syscall) -> bool:
    if call.failed and call.name in OPENS and call.errno == "ENOENT" and _creates(call):
        return True
    if lock_refused(call):
        return True
    return call.failed and call.name in FALLBACK_CALLS and call.errno not in PASSING_ERRNOS


# A shared mapping of a file (not anonymous memory): whether the filesystem maps it shared at
# all (9p without a cache mode, virtiofs with cache=never, FUSE direct I/O) names the case.
SHARED_FILE_MAP = lazy(r"^(?!.*MAP_ANON).*\bMAP_SHARED(?:_VALIDATE)?\b")


def _config(call: Syscall) -> str:
    path = call.path or ""
    if path.startswith("memfd-hugetlb:"):
        return "memfd hugetlb"
    if path.startswith("memfd:"):
        return "memfd"
    if call.unlinked:
        return "tmpfile" if path.startswith("/tmp/") else "local tmpfile"
    if not path:
        # The fd was opened before the excerpt starts: a file, but which one is not shown.
        return "file" if call.name in FILE_CALLS else ""
    return "local file" if not path.startswith(("/dev/", "/proc/", "/sys/")) else ""


def _result(call: Syscall, number: int) -> Result:
    what = f" on {call.path}" if call.path else ""
    if call.name in OPENS:  # the flag the filesystem may refuse names the case
        flags = [f for f in OPEN_FLAGS if f in call.args]
        opened = QUOTED.search(call.args)  # (an open the program gave up on: by its file)
        what = (f"({flags[0]}){what}" if flags else
                f" on {decode_c_string(opened.group(1))}" if opened else what)
    elif call.name == "mmap" and "MAP_HUGETLB" in call.args:  # the hugetlb pool's business
        what = f"(MAP_HUGETLB){what}"
    elif call.name == "mmap" and SHARED_FILE_MAP.search(call.args):  # the filesystem's business
        what = f"(MAP_SHARED){what}"
    gone = " (unlinked)" if call.unlinked else ""
    return Result(
        suite="strace", number=number, name=f"{call.name}(){what}{gone}", config=_config(call),
        status=Status.FAIL, message=f"{call.name}() failed ({call.errno})", result_line=call.line,
        syscall=call.name, errno=call.errno, syscall_source="strace", syscalls=[call],
    )
