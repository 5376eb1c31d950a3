"""Reading strace output: completed calls, their errno, and what each fd's file went through.

Handles `strace -f` pid prefixes (`[pid N]` and `N  `), timestamps (-t/-tt/-ttt/-r),
`<unfinished ...>` / `<... resumed>` pairs, `-y` fd decorations and `(INJECTED)` markers, and
gives back the text a program wrote to stdout/stderr so TAP inside write() calls can be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from harness.model import LogLine, Syscall

PREFIX = re.compile(
    r"^(?:\[pid\s+(?P<pid1>\d+)\]\s+|(?P<pid2>\d+)\s+)?"
    r"(?:(?:\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d{9,}\.\d+|\d+\.\d{6})\s+)?"
)
CALL = re.compile(
    r"^(?P<name>[a-z_][a-z0-9_]*)\((?P<args>.*)\)\s+=\s+(?P<ret>-?\d+|0x[0-9a-fA-F]+|\?)"
    r"(?:<[^>]*>)?(?:\s+(?P<errno>E[A-Z0-9]+)(?:\s+\([^)]*\))?)?"
)
UNFINISHED = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\((?P<args>.*?)\s*<unfinished \.\.\.>\s*$")
RESUMED = re.compile(r"^<\.\.\.\s+(?P<name>[a-z_][a-z0-9_]*)\s+resumed>\s*(?P<rest>.*)$")
FIRST_ARG = re.compile(r"^\s*(-?\d+)(?:<(?P<path>[^>]*)>)?")
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"(\.\.\.)?')
FD_CALLS = frozenset({
    "ftruncate", "fallocate", "fstatfs", "fstat", "newfstatat", "statx", "fsync",
    "pread64", "pwrite64", "read", "write", "close", "mmap", "fcntl", "ioctl",
})
OPEN_CALLS = frozenset({"open", "openat", "creat", "memfd_create"})
UNLINK_CALLS = frozenset({"unlink", "unlinkat"})
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "v": "\v", "f": "\f",
           "a": "\a", "b": "\b", "e": "\x1b"}


def decode_c_string(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "x" and i + 3 < len(text) + 1:
            out.append(chr(int(text[i + 2:i + 4] or "0", 16)))
            i += 4
        elif nxt.isdigit():
            j = i + 1
            while j < len(text) and j < i + 4 and text[j] in "01234567":
                j += 1
            out.append(chr(int(text[i + 1:j], 8)))
            i = j
        else:
            out.append(ESCAPES.get(nxt, nxt))
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
    pid = int(prefix.group("pid1") or prefix.group("pid2") or 0) if prefix else 0
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
    return RawCall(pid, match.group("name"), match.group("args"), match.group("ret"),
                   match.group("errno"))


def looks_like_strace(text: str) -> bool:
    # Cheap test first: every strace line has one of these; almost no TAP line does.
    if not (" = " in text or "<unfinished" in text or "resumed>" in text
            or "--- SIG" in text or "+++ " in text):
        return False
    prefix = PREFIX.match(text)
    body = text[prefix.end():] if prefix else text
    return bool(CALL.match(body) or UNFINISHED.match(body) or RESUMED.match(body)
                or body.startswith(("--- SIG", "+++ ")))


@dataclass
class FdTracker:
    """Which file each fd refers to, and whether that file's name was unlinked since."""

    paths: dict[int, str] = field(default_factory=dict)
    unlinked: set[int] = field(default_factory=set)
    pending: dict[tuple[int, str], str] = field(default_factory=dict)

    def event(self, line: LogLine) -> Syscall | None:
        call = parse_call(line.text, self.pending)
        if call is None:
            return None
        path, fd = self._fd_of(call)
        syscall = Syscall(call.pid, call.name, call.args, call.ret, call.errno, line,
                          path=path, unlinked=fd is not None and fd in self.unlinked)
        if path and "(deleted)" in path:
            syscall.unlinked = True
        self._update(call)
        return syscall

    def _fd_of(self, call: RawCall) -> tuple[str | None, int | None]:
        if call.name not in FD_CALLS:
            return None, None
        if call.name == "mmap":
            parts = [p.strip() for p in call.args.split(",")]
            if len(parts) >= 5 and (m := re.match(r"(-?\d+)(?:<.*>)?$", parts[4])):
                fd = int(m.group(1))
                return self.paths.get(fd), fd
            return None, None
        match = FIRST_ARG.match(call.args)
        if not match:
            return None, None
        fd = int(match.group(1))
        return match.group("path") or self.paths.get(fd), fd

    def _update(self, call: RawCall) -> None:
        if call.errno is not None:
            return
        if call.name in OPEN_CALLS and call.ret.lstrip("-").isdigit():
            fd = int(call.ret)
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
        elif call.name in UNLINK_CALLS:
            quoted = QUOTED.search(call.args)
            if quoted:
                gone = decode_c_string(quoted.group(1))
                for fd, path in self.paths.items():
                    if path == gone or path.rsplit("/", 1)[-1] == gone.rsplit("/", 1)[-1]:
                        self.unlinked.add(fd)
        elif call.name == "close":
            match = FIRST_ARG.match(call.args)
            if match:
                fd = int(match.group(1))
                self.paths.pop(fd, None)
                self.unlinked.discard(fd)


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
    buffered = "".join(carry) + text
    carry.clear()
    *lines, rest = buffered.split("\n")
    if rest:
        carry.append(rest)
    yield from lines
