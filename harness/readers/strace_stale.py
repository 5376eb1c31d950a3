"""A read that does not see what was written: the data a program wrote to a file, read back
through another descriptor, comes back empty.

Every call succeeds, so no errno shows it; the strace shows it by order. The file had bytes
written to it before a second descriptor opened it, and that descriptor's first read returns 0
(`write(4, ..., 175) = 175`, `openat(..., same name, O_RDONLY) = 5`, `read(5, "", 8192) = 0`:
the bpf selftest's temporary file on a 9p /tmp, 2025-10, a 9p client regression). POSIX
requires a read that follows a write to see it, whichever descriptor or process made it; one
kernel's page cache serves both, so the filesystem under the file (its client in the kernel, a
FUSE server, a translation layer) loses the data. A truncation, a seek or an earlier read in
between makes an empty read ordinary, and so does a pipe or a socket (no path).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.model import Result, Status, Syscall
from harness.readers.numbers import number_of
from harness.readers.strace import FIRST_ARG, QUOTED, decode_c_string

WRITES = frozenset({"write", "pwrite64", "writev", "pwritev", "pwritev2"})
READS = frozenset({"read", "pread64", "readv", "preadv", "preadv2"})
OPENS = frozenset({"open", "openat", "openat2", "creat"})
SEEKS = frozenset({"lseek", "_llseek", "llseek"})
MESSAGE = ("{call}() of {path} returned 0 bytes although {count} bytes had been written to it "
           "before fd {fd} opened it: the written data is not read back")


@dataclass
class StaleReads:
    """Fed each call an strace shows; ``found`` holds the empty reads of written files."""

    written: dict[str, int] = field(default_factory=dict)  # bytes written per file name
    fresh: dict[tuple[int, int], int] = field(default_factory=dict)  # fd -> bytes it should see
    found: list[tuple[Syscall, int]] = field(default_factory=list)  # (the read, bytes written)

    def call(self, call: Syscall) -> None:
        if call.failed:
            return
        if call.name in OPENS:
            self._opened(call)
            return
        fd = FIRST_ARG.match(call.args)
        key = (call.pid, number_of(fd.group(1))) if fd else None
        if call.name in WRITES and call.path and call.ret.isdigit():
            self.written[call.path] = self.written.get(call.path, 0) + number_of(call.ret)
        elif call.name in READS and key in self.fresh:
            count = self.fresh.pop(key)
            if call.ret == "0" and call.path and (call.name in ("read", "readv")
                                                  or _at_start(call)):
                self.found.append((call, count))
        elif key is not None and (call.name in SEEKS or call.name == "close"):
            self.fresh.pop(key, None)
        elif call.name in ("ftruncate", "truncate", "unlink", "unlinkat") and (
                name := call.path or _name(call)):
            self.written.pop(name, None)

    def _opened(self, call: Syscall) -> None:
        name = _name(call)
        if name is None or not call.ret.isdigit():
            return
        if "O_TRUNC" in call.args or call.name == "creat":
            self.written.pop(name, None)
        elif count := self.written.get(name, 0):
            self.fresh[(call.pid, number_of(call.ret))] = count

    def results(self) -> list[Result]:
        """One failed result per empty read of a written file."""
        out = []
        for number, (call, count) in enumerate(self.found, 1):
            fd = FIRST_ARG.match(call.args)
            message = MESSAGE.format(call=call.name, path=call.path, count=count,
                                     fd=fd.group(1) if fd else "?")
            out.append(Result(
                suite="strace", number=number, name=f"{call.name}() on {call.path} (empty)",
                config="local file", status=Status.FAIL, message=message,
                result_line=call.line, syscall=call.name, syscall_source="strace",
                syscalls=[call]))
        return out


def _name(call: Syscall) -> str | None:
    quoted = QUOTED.search(call.args)
    return decode_c_string(quoted.group(1)) if quoted else None


def _at_start(call: Syscall) -> bool:
    """A positioned read at offset 0 (its last argument)."""
    return call.args.rsplit(",", 1)[-1].strip() == "0"
