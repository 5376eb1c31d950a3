"""Reading strace output: completed calls, their errno, and what each fd's file went through.

Handles `strace -f` pid prefixes (`[pid N]` and `N  `), timestamps (-t/-tt/-ttt/-r),
`<unfinished ...>` / `<... resumed>` pairs, `-y` fd decorations and `(INJECTED)` markers, and
gives back the text a program wrote to stdout/stderr so TAP inside write() calls can be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Syscall
from harness.readers.catalogue import errno_name
from harness.readers.numbers import number_of

# strace's own prefixes, and perf trace's "0.000 ( 0.005 ms): prog/1234 " in their place.
PREFIX = lazy(
    r"^\s*(?:\[pid\s+(?P<pid1>\d+)\]\s+|(?P<pid2>\d+)\s+)?"
    r"(?:(?:\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d{9,}\.\d+|\d+\.\d{6})\s+|"
    r"\d+\.\d+\s+\(\s*[\d.]+\s+ms\):\s+\S+?/(?P<pid3>\d+)\s+)?"
)
# The errno after a failed call's -1: its name ("-1 ENOENT (No such file or directory)"), or,
# from an strace too old to know it, its number ("syscall_316(...) = -1 (errno 38)", casync
# #36 on Linux 3.13: strace named neither the call nor the errno). A kernel-style negative
# errno in place of the return value ("= -ENOSYS", as ltrace -S and hand-written excerpts
# print it) is the same failure.
CALL = lazy(
    r"^(?P<sys>SYS_)?(?P<name>[a-z_][a-z0-9_]*)\((?P<args>.*)\)\s+=\s+"
    r"(?:-(?P<kerr>E[A-Z][A-Z0-9]+)\b|(?P<ret>-?\d+|0x[0-9a-fA-F]+|\?))"
    r"(?:<[^>]*>)?(?:\s+(?:(?P<errno>E[A-Z0-9]+)(?:\s+\([^)]*\))?|\(errno\s+(?P<errnum>\d{1,4})\)))?"
)
UNFINISHED = lazy(r"^(?P<name>[a-z_][a-z0-9_]*)\((?P<args>.*?)\s*<unfinished \.\.\.>\s*$")
RESUMED = lazy(r"^<\.\.\.\s+(?P<name>[a-z_][a-z0-9_]*)\s+resumed>\s*(?P<rest>.*)$")
FIRST_ARG = lazy(r"^\s*(-?\d+)(?:<(?P<path>[^>]*)>)?")
QUOTED = lazy(r'"((?:[^"\\]|\\.)*)"(\.\.\.)?')
FD_CALLS = frozenset({
    "ftruncate", "fallocate", "fstatfs", "fstat", "newfstatat", "statx", "fsync",
    "pread64", "pwrite64", "read", "write", "close", "mmap", "fcntl", "ioctl",
})
OPEN_CALLS = frozenset({"open", "openat", "creat", "memfd_create"})
UNLINK_CALLS = frozenset({"unlink", "unlinkat"})
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "v": "\v", "f": "\f",
           "a": "\a", "b": "\b", "e": "\x1b"}


# A lock request the filesystem refuses: fcntl's F_SETLK/F_SETLKW/F_GETLK (and their OFD and
# 64-bit forms) or flock answered with ENOSYS, EOPNOTSUPP, ENOLCK or EINVAL - fcntl and flock
# exist in every kernel, so ENOSYS here is the filesystem's "no locks" (a FUSE server without
# lock support: xdg-desktop-portal #1117, SQLite on the document portal, 2023), not a probe. A
# lock held elsewhere (EAGAIN, EACCES, EWOULDBLOCK) or an interrupted wait is ordinary.
LOCK_COMMAND = lazy(r"\bF_(?:OFD_)?(?:SETLKW?|GETLK)(?:64)?\b")
LOCK_REFUSED = frozenset({"ENOSYS", "EOPNOTSUPP", "ENOTSUP", "ENOTSUPP", "ENOLCK", "EINVAL"})


def lock_refused(call: Syscall) -> bool:
    """A lock call the filesystem refused (``LOCK_COMMAND``, ``LOCK_REFUSED``)."""
    locks = call.name == "flock" or (call.name in ("fcntl", "fcntl64")
                                     and LOCK_COMMAND.search(call.args) is not None)
    return locks and call.failed and call.errno in LOCK_REFUSED


HEX = frozenset("0123456789abcdefABCDEF")
OCTAL = frozenset("01234567")


def decode_c_string(text: str) -> str:
    """strace's C escapes decoded; a malformed escape ('\\x' without hex digits, '\\9') is
    kept as written, never an error."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "x":
            j = i + 2
            while j < len(text) and j < i + 4 and text[j] in HEX:
                j += 1
            out.append(chr(int(text[i + 2:j], 16)) if j > i + 2 else "\\x")
            i = max(j, i + 2)
        elif nxt in OCTAL:
            j = i + 1
            while j < len(text) and j < i + 4 and text[j] in OCTAL:
                j += 1
            out.append(chr(int(text[i + 1:j], 8)))
            i = j
        else:
            out.append(ESCAPES.get(nxt, "\\" + nxt))
            i += 2
    return "".join(out)


@dataclass(slots=True)
class RawCall:
    pid: int
    name: str
    args: str
    ret: str
    errno: str | None


def parse_call(text: str, pending: dict[tuple[int, str], str]) -> RawCall | None:
    """One strace line -> a completed call (joining unfinished/resumed), or None."""
    prefix = PREFIX.match(text)
    pid = number_of(prefix.group("pid1") or prefix.group("pid2") or prefix.group("pid3")
                    or "0") if prefix else 0
    body = text[prefix.end():] if prefix else text
    if match := UNFINISHED.match(body):
        pending[(pid, match.group("name"))] = match.group("args")
        return None
    if match := RESUMED.match(body):
        head = pending.pop((pid, match.group("name")), "")
        body = f"{match.group('name')}({head}{match.group('rest')}"
        if head and not head.endswith(", ") and not match.group("rest").startswith(","):
            body = f"{match.group('name')}({head} {match.group('rest')}"
    match = CALL.match(body)
    if not match:
        return None
    if kerr := match.group("kerr"):
        return RawCall(pid, match.group("name"), match.group("args"), "-1", kerr)
    errno, ret = match.group("errno"), match.group("ret")
    if errno is None and (number := match.group("errnum")):
        errno = errno_name(number) or f"errno {number}"
    elif errno is None and match.group("sys") and ret.startswith("-") and ret[1:].isdigit():
        errno, ret = errno_name(ret[1:]) or f"errno {ret[1:]}", "-1"  # ltrace -S: "= -2"
    return RawCall(pid, match.group("name"), match.group("args"), ret, errno)


def looks_like_strace(text: str) -> bool:
    # Cheap test first: every strace line has one of these; almost no TAP line does.
    if not (" = " in text or "<unfinished" in text or "resumed>" in text
            or "--- SIG" in text or "+++ " in text):
        return False
    prefix = PREFIX.match(text)
    body = text[prefix.end():] if prefix else text
    # "+++ exited with 0 +++" / "+++ killed by SIGSEGV +++", not a diff's "+++ b/file".
    return bool(CALL.match(body) or UNFINISHED.match(body) or RESUMED.match(body)
                or body.startswith(("--- SIG", "+++ exited", "+++ killed")))


# strace and the traced program sharing one terminal: the program's text lands between
# strace's 'write(1, "...", N' and its ') = N' on the next line.
SPLIT_WRITE = lazy(r'^(?P<call>(?:\[pid\s+\d+\]\s+|\d+\s+)?'
                   r'write\([12], "(?:[^"\\]|\\.)*"(?:\.\.\.)?, \d+)(?P<out>.*)$')
RESUME_SPLIT = lazy(r"^\)\s+=\s+")
# The first characters of 'write(', '[pid N] write(', 'N write('.
SPLIT_START = frozenset("w[0123456789")


def split_write(text: str) -> bool:
    """Whether ``text`` is strace's 'write(1, "...", N' with the program's own text after it
    (its ') = N' is on the next line: no mail client broke that line)."""
    return text[:1] in SPLIT_START and (m := SPLIT_WRITE.match(text)) is not None \
        and bool(m.group("out"))


# A call's start as strace prints it, with its end maybe cut off by a mail client's wrap
# ('571   write(2, "... failed: Func"..., 53 <unfinished' / '...>'): still strace's line.
CALL_START = lazy(r"^[a-z_][a-z0-9_]*\(")


def strace_shaped(text: str) -> bool:
    """An strace line, or the first part of one a wrap cut before its ``<unfinished ...>``
    ended: what a program wrote inside it is no line of its own."""
    if looks_like_strace(text):
        return True
    if not ("<unfinished" in text or "resumed>" in text):
        return False
    prefix = PREFIX.match(text)
    body = text[prefix.end():] if prefix else text
    return bool(CALL_START.match(body) or body.startswith("<... "))


MAX_CARRY = 4096  # partial writes kept for one line; a "line" longer than that is cut
FORK_CALLS = frozenset({"fork", "vfork", "clone", "clone3"})


@dataclass
class FdTracker:
    """Which file each (pid, fd) refers to, and whether that file's name was unlinked since.

    Per process: fd 3 of one pid is not fd 3 of another. A child made by fork/clone starts
    with a copy of its parent's table; unlinking a name marks that file in every process."""

    paths: dict[tuple[int, int], str] = field(default_factory=dict)
    unlinked: set[tuple[int, int]] = field(default_factory=set)
    pending: dict[tuple[int, str], str] = field(default_factory=dict)

    def event(self, line: LogLine) -> Syscall | None:
        call = parse_call(line.text, self.pending)
        if call is None:
            return None
        path, fd = self._fd_of(call)
        unlinked = fd is not None and self._key(call.pid, fd) in self.unlinked
        if fd is None and (recreated := self._recreated(call)):
            path, unlinked = recreated, True
        syscall = Syscall(call.pid, call.name, call.args, call.ret, call.errno, line,
                          path=path, unlinked=unlinked)
        if path and "(deleted)" in path:
            syscall.unlinked = True
        self._update(call)
        return syscall

    def _recreated(self, call: RawCall) -> str | None:
        """The name a create (open with O_CREAT, creat) asks for when that name was unlinked
        while its file is still open here: re-creating it is the filesystem's
        open->unlink->create case (WSL DrvFs, a 9p or FUSE server returning ENOENT)."""
        if call.name not in ("open", "openat", "creat") or (
                call.name != "creat" and "O_CREAT" not in call.args):
            return None
        quoted = QUOTED.search(call.args)
        if not quoted:
            return None
        name = decode_c_string(quoted.group(1))
        still_open = {self.paths.get(key) for key in self.unlinked if key[0] == call.pid}
        return name if name in still_open else None

    def _key(self, pid: int, fd: int) -> tuple[int, int]:
        """(pid, fd); an fd this pid never opened may be one the unprefixed lines opened
        (strace -f on a terminal prefixes lines only once a second process exists)."""
        key = (pid, fd)
        return key if key in self.paths or pid == 0 or (0, fd) not in self.paths else (0, fd)

    def _fd_of(self, call: RawCall) -> tuple[str | None, int | None]:
        if call.name not in FD_CALLS:
            return None, None
        if call.name == "mmap":
            parts = [p.strip() for p in call.args.split(",")]
            if len(parts) >= 5 and (m := re.match(r"(-?\d+)(?:<.*>)?$", parts[4])):
                fd = number_of(m.group(1))
                return self.paths.get(self._key(call.pid, fd)), fd
            return None, None
        match = FIRST_ARG.match(call.args)
        if not match:
            return None, None
        fd = number_of(match.group(1))
        return match.group("path") or self.paths.get(self._key(call.pid, fd)), fd

    def _fork(self, parent: int, child: int) -> None:
        """The child starts with a copy of its parent's fd table."""
        self.paths.update({(child, fd): p for (owner, fd), p in self.paths.items()
                           if owner == parent})
        self.unlinked.update({(child, fd) for owner, fd in self.unlinked if owner == parent})

    def _open(self, call: RawCall, fd: tuple[int, int]) -> None:
        quoted = QUOTED.search(call.args)
        name = decode_c_string(quoted.group(1)) if quoted else "?"
        if call.name == "memfd_create":
            name = f"memfd-hugetlb:{name}" if "MFD_HUGETLB" in call.args else f"memfd:{name}"
        elif "O_TMPFILE" in call.args:
            name = f"{name}/(O_TMPFILE)"
            self.unlinked.add(fd)
        self.paths[fd] = name
        if "O_TMPFILE" not in call.args:
            self.unlinked.discard(fd)

    def _update(self, call: RawCall) -> None:
        if call.errno is not None:
            return
        pid = call.pid
        if call.name in FORK_CALLS and call.ret.isdigit():
            self._fork(pid, number_of(call.ret))
        elif call.name in OPEN_CALLS and call.ret.lstrip("-").isdigit():
            self._open(call, (pid, number_of(call.ret)))
        elif call.name in UNLINK_CALLS:
            quoted = QUOTED.search(call.args)
            if quoted:
                gone = decode_c_string(quoted.group(1))
                for key, path in self.paths.items():
                    if path == gone or path.rsplit("/", 1)[-1] == gone.rsplit("/", 1)[-1]:
                        self.unlinked.add(key)
        elif call.name == "close":
            match = FIRST_ARG.match(call.args)
            if match:
                key = (pid, number_of(match.group(1)))
                self.paths.pop(key, None)
                self.unlinked.discard(key)


def written_text(syscall: Syscall) -> str | None:
    """The text a write(1|2, ...) call wrote, decoded, or None for other calls."""
    if syscall.name != "write" or syscall.failed:
        return None
    match = FIRST_ARG.match(syscall.args)
    if not match or match.group(1) not in ("1", "2"):
        return None
    quoted = QUOTED.search(syscall.args)
    if not quoted:
        return None
    return decode_c_string(quoted.group(1))


def written_lines(syscall: Syscall, carry: list[str]) -> Iterator[str]:
    """Complete lines written to stdout/stderr, joining partial writes through ``carry``."""
    text = written_text(syscall)
    if text is None:
        return
    if "\n" not in text:  # a partial line: joined only once its newline comes (linear)
        if len(carry) < MAX_CARRY:
            carry.append(text)
        return
    buffered = "".join(carry) + text
    carry.clear()
    *lines, rest = buffered.split("\n")
    if rest:
        carry.append(rest)
    yield from lines
