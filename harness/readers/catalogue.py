"""What the selftests' own messages mean: which syscall a message names, errno names, suites.

Written from the sources of tools/testing/selftests/mm/{gup_longterm,cow}.c and vm_util.h
(Debian linux-source-6.12 6.12.117 and mainline after the log_test_start()/log_test_result()
rework, which moved the name onto the result line and the strerror text onto '# ' lines).
"""

from __future__ import annotations

import errno as _errno
import os

from harness.lazy_regex import lazy

# "ftruncate() failed", "MADV_PAGEOUT did not work", "PIN_LONGTERM_TEST_START failed" ...
CALL_IN_MESSAGE = lazy(r"\b([a-z_][a-z0-9_]*)\(\) (?:failed|not supported by filesystem)"
                       r"|\b(MADV_[A-Z_]+|PIN_LONGTERM_TEST_[A-Z]+)\b")
ERRNO_NAME = lazy(r"\b(E[A-Z0-9]{2,15})\b")
PAREN = lazy(r"\(([^()]+)\)\s*$")
COLON_TAIL = lazy(r":\s+([A-Z][^:]{6,})$")
WITH_ERRNO = lazy(r"failed with (E[A-Z0-9]+)")

# libc wrappers and pseudo-calls the tests name, mapped to the syscall strace shows.
SYSCALL_OF = {
    "tmpfile": "openat",
    "mkstemp": "openat",
    "fileno": "fileno",
    "io_uring_queue_init": "io_uring_setup",
    "io_uring_queue_init_params": "io_uring_setup",
    "io_uring_register_buffers": "io_uring_register",
    "io_uring_submit": "io_uring_enter",
    "io_uring_wait_cqe": "io_uring_enter",
    "MADV_PAGEOUT": "madvise",
    "MADV_HUGEPAGE": "madvise",
    "MADV_NOHUGEPAGE": "madvise",
    "MADV_DONTNEED": "madvise",
    "MADV_DONTFORK": "madvise",
    "MADV_DOFORK": "madvise",
    "MADV_COLLAPSE": "madvise",
    "PIN_LONGTERM_TEST_START": "ioctl",
    "PIN_LONGTERM_TEST_READ": "ioctl",
    "PIN_LONGTERM_TEST_STOP": "ioctl",
}

# Messages that name no call but imply one (6.12 and later).
IMPLIED = (
    (lazy(r"need more free huge pages"), "fallocate"),
    (lazy(r"gup_test not available"), "openat"),
    (lazy(r"Unknown filesystem"), "fstatfs"),
    (lazy(r"Filesystem might be buggy"), "ftruncate"),
)

SUITE_HINTS = (
    (lazy(r"longterm GUP|io_uring fixed buffer with MAP_"), "gup_longterm"),
    (lazy(r"COW|vmsplice|Anonymous memory|Non-anonymous memory|R/O GUP pin|"
          r"R/O-mapping|mprotect\(\) optimization|KSM|zeropage"), "cow"),
)


def _strerror_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for number, name in _errno.errorcode.items():
        table.setdefault(os.strerror(number), name)
    # glibc and the kernel spell these differently from the errno module's first name.
    table["Operation not supported"] = "EOPNOTSUPP"
    table["Resource temporarily unavailable"] = "EAGAIN"
    table["Function not implemented"] = "ENOSYS"
    table.setdefault("Not supported", "EOPNOTSUPP")  # musl's spelling (Alpine containers)
    return table


STRERROR = _strerror_table()
# The other direction, for every name the errno module knows (aliases too: EWOULDBLOCK,
# ENOTSUP, EDEADLOCK): "ENOENT" -> "No such file or directory". The kernel-internal ENOTSUPP
# (524) has no strerror and no entry.
ERRNO_STRERROR = {name: os.strerror(number) for name in dir(_errno)
                  if name[:1] == "E" and isinstance(number := getattr(_errno, name), int)}
# Every errno name a report may spell, the kernel-internal ENOTSUPP included.
ERRNO_NAMES = frozenset(ERRNO_STRERROR) | {"ENOTSUPP"}


def strerror_of(name: str | None) -> str:
    """The strerror of an errno name ("ENOENT" -> "No such file or directory"), or ""."""
    return ERRNO_STRERROR.get(name, "") if name else ""


def errno_name(number: str | int) -> str:
    """The errno's name as strace and the rules spell it (38 -> ENOSYS, 95 -> EOPNOTSUPP, not
    the errno module's first name ENOTSUP); Linux's generic numbering, which x86, arm64,
    riscv, s390 and ppc share."""
    return STRERROR.get(os.strerror(int(number)), "") or _errno.errorcode.get(int(number), "")


def guess_suite(run_description: str) -> str:
    for pattern, suite in SUITE_HINTS:
        if pattern.search(run_description):
            return suite
    return ""


def looks_like_name(text: str) -> bool:
    """A result line's text is a test name (mainline) rather than a message (6.12)."""
    return " ... with " in text


def call_in(message: str) -> str | None:
    """The syscall a test message names or implies, as strace would spell it."""
    match = CALL_IN_MESSAGE.search(message)
    if match:
        word = match.group(1) or match.group(2)
        return SYSCALL_OF.get(word, word)
    for pattern, syscall in IMPLIED:
        if pattern.search(message):
            return syscall
    return None


def errno_in(message: str) -> str | None:
    """The errno a message states: '(No such file or directory)', '(EINVAL)', 'with ENOENT'."""
    if match := WITH_ERRNO.search(message):
        return match.group(1)
    if "Filesystem might be buggy" in message:
        return "ENOENT"
    if "not supported by filesystem" in message:  # cow (6.13+): fallocate()'s EOPNOTSUPP
        return "EOPNOTSUPP"
    if match := PAREN.search(message):
        inner = match.group(1).strip()
        if inner in STRERROR:
            return STRERROR[inner]
        if ERRNO_NAME.fullmatch(inner):
            return inner
    if (match := COLON_TAIL.search(message)) and match.group(1) in STRERROR:
        return STRERROR[match.group(1)]
    return None
