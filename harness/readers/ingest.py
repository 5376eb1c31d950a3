"""Turn input files into parsed material: results, syscalls, suites and kernel console lines.

One pass over each file. A line is either strace output (kept as a Syscall when it is one of
the calls triage cares about, or used for the TAP text it writes) or log text (fed to the
kselftest parser). Results and the syscalls seen between a test's [RUN] line and its result
line in the same file are tied together later by ``correlate``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from harness.model import LogLine, Result, SuiteRun, Syscall
from harness.readers.ktap import KselftestParser
from harness.readers.logread import read_lines
from harness.readers.strace import FdTracker, looks_like_strace, written_lines

# Failed calls of these are kept as evidence; everything else is only used for fd tracking.
INTERESTING = frozenset({
    "ftruncate", "fallocate", "fstatfs", "statfs", "fstat", "newfstatat", "statx", "mmap",
    "openat", "open", "creat", "unlink", "unlinkat", "memfd_create", "madvise", "ioctl",
    "io_uring_setup", "io_uring_register", "mprotect", "vmsplice", "mremap", "munmap",
    "fsync", "pread64", "pwrite64", "write", "read",
})
MAX_SYSCALLS = 200_000  # failed calls kept; beyond that a log is a flood, not evidence
# strace and the traced program sharing one terminal: the program's text lands between
# strace's 'write(1, "...", N' and its ') = N' on the next line.
SPLIT_WRITE = re.compile(r'^(?P<call>(?:\[pid\s+\d+\]\s+|\d+\s+)?write\([12], "(?:[^"\\]|\\.)*"(?:\.\.\.)?, \d+)(?P<out>.*)$')
RESUME_SPLIT = re.compile(r"^\)\s+=\s+")
SPLIT_START = frozenset("w[0123456789")  # first characters of 'write(', '[pid N] write(', 'N write('


@dataclass
class Parsed:
    """Everything read from one input file."""

    source: str
    results: list[Result] = field(default_factory=list)
    suites: list[SuiteRun] = field(default_factory=list)
    syscalls: list[Syscall] = field(default_factory=list)  # failed interesting calls + unlinks
    kernel_lines: list[LogLine] = field(default_factory=list)
    crashes: list[list[LogLine]] = field(default_factory=list)
    strace_lines: int = 0
    tap_from_writes: bool = False  # results were read from write() calls in strace output
    last_line: int = 0
    ended_cleanly: bool = True


def _keep(syscall: Syscall) -> bool:
    if syscall.name in ("unlink", "unlinkat") and not syscall.failed:
        return True
    return syscall.failed and syscall.name in INTERESTING


def parse_file(name: str, default_suite: str = "") -> Parsed:
    return parse_lines(read_lines(name), name, default_suite)


def parse_lines(lines: Iterable[LogLine], source: str, default_suite: str = "") -> Parsed:
    out = Parsed(source=source)
    plain = KselftestParser(default_suite)
    from_writes = KselftestParser(default_suite)
    tracker = FdTracker()
    carry: dict[int, list[str]] = {}
    plain_results: list[Result] = []
    write_results: list[Result] = []
    split_call: str | None = None
    for line in lines:
        out.last_line = line.line
        is_strace = looks_like_strace(line.text)
        if split_call is not None and RESUME_SPLIT.match(line.text):
            line = LogLine(line.line, split_call + line.text, line.source)
            split_call = None
            is_strace = True
        elif not is_strace and line.text[:1] in SPLIT_START and (match := SPLIT_WRITE.match(line.text)):
            split_call = match.group("call")
            if match.group("out"):
                plain_results += plain.feed(LogLine(line.line, match.group("out"), line.source))
            continue
        if is_strace:
            out.strace_lines += 1
            syscall = tracker.event(line)
            if syscall is None:
                continue
            if _keep(syscall) and len(out.syscalls) < MAX_SYSCALLS:
                out.syscalls.append(syscall)
            if syscall.name == "write":
                buffer = carry.setdefault(syscall.pid, [])
                for text in written_lines(syscall, buffer):
                    write_results += from_writes.feed(LogLine(line.line, text, line.source))
            continue
        plain_results += plain.feed(line)
    plain_results += plain.finish()
    write_results += from_writes.finish()
    # A terminal session shows TAP twice (the program's output and strace's write() lines):
    # the program's own lines win; write() text is used when it is all there is.
    chosen, parser = (plain_results, plain)
    if not plain_results and write_results:
        chosen, parser = (write_results, from_writes)
        out.tap_from_writes = True
    out.results = chosen
    out.suites = parser.suites
    out.kernel_lines = plain.kernel_lines
    out.crashes = plain.crashes + (from_writes.crashes if out.tap_from_writes else [])
    return out


def suite_hint(path: str) -> str:
    """gup_longterm / cow from a file name like 'qemu-9p-gup_longterm.log', else ''."""
    stem = Path(path).name
    for name in ("gup_longterm", "cow"):
        if name in stem:
            return name
    return ""
