"""Turn input files into parsed material: results, syscalls, suites and kernel console lines.

One pass over each file. A line is either strace output (kept as a Syscall when it is one of
the calls triage cares about, or used for the TAP text it writes) or log text (fed to the
kselftest parser). Results and the syscalls seen between a test's [RUN] line and its result
line in the same file are tied together later by ``correlate``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from harness.model import LogLine, Result, SuiteRun, Syscall
from harness.readers.blockscan import scans, scans_ahead
from harness.readers.ktap import BulkSink, KselftestParser, SharedKinds, Sink
from harness.readers.logread import read_texts
from harness.readers.strace import (
    RESUME_SPLIT,
    SPLIT_START,
    SPLIT_WRITE,
    FdTracker,
    lock_refused,
    looks_like_strace,
    written_lines,
)
from harness.readers.strace_gave_up import WINDOW, GaveUp
from harness.readers.strace_stale import StaleReads

# Failed calls of these are kept as evidence; everything else is only used for fd tracking.
INTERESTING = frozenset({
    "ftruncate", "fallocate", "fstatfs", "statfs", "fstat", "newfstatat", "statx", "mmap",
    "openat", "open", "creat", "unlink", "unlinkat", "memfd_create", "madvise", "ioctl",
    "io_uring_setup", "io_uring_register", "mprotect", "vmsplice", "mremap", "munmap",
    "fsync", "pread64", "pwrite64", "write", "read", "userfaultfd",
    # the rest of the memory-management calls a failing mm test (or a program's heap set-up)
    # makes: clisp's mincore() ENOSYS under WSL 1 (microsoft/WSL #3403)
    "mincore", "msync", "mlock", "mlock2", "munlock", "mlockall", "mbind", "set_mempolicy",
    "get_mempolicy", "migrate_pages", "move_pages", "process_madvise", "remap_file_pages",
    "pkey_mprotect", "memfd_secret",
})
MAX_SYSCALLS = 200_000  # failed calls kept; beyond that a log is a flood, not evidence


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
    plain_parser: KselftestParser | None = None  # for suite_of() when results went to sinks
    writes_parser: KselftestParser | None = None
    head: bytes = b""  # the file's first logread.HEAD_BYTES, when it was read in blocks (bulk)
    # kernel options the text shows off ("# CONFIG_X is not set"): (option, its line)
    config_off: list[tuple[str, LogLine]] = field(default_factory=list)
    # reads that came back empty from a file written before (strace_stale): no errno shows them
    stale_reads: StaleReads = field(default_factory=StaleReads)


def _keep(syscall: Syscall) -> bool:
    if syscall.name in ("unlink", "unlinkat") and not syscall.failed:
        return True
    return syscall.failed and (syscall.name in INTERESTING or lock_refused(syscall))


def _keep_gave_up(out: Parsed, call: Syscall | None) -> None:
    """The failed call the program gave up on is evidence, whatever its name."""
    if call is None or len(out.syscalls) >= MAX_SYSCALLS:
        return
    # kept already when its name is of interest (the few calls since are the most recent)
    if not any(c is call for c in out.syscalls[-2 * WINDOW:]):
        bisect.insort(out.syscalls, call, key=lambda c: c.line.line)


def parse_file(name: str, default_suite: str = "", sinks: tuple[Sink, Sink] | None = None,
               bulk: BulkSink | None = None, ahead: bool = False,
               shared: SharedKinds | None = None) -> Parsed:
    """With ``bulk`` (and ``sinks``) the common records of a TAP stream are read from whole
    blocks (``KselftestParser.scan_lines``), never split into lines; the other lines are
    read one by one, as without. ``ahead``: the blocks are scanned by a second process
    (``blockscan.scans_ahead``). ``shared``: the kinds of record earlier logs read."""
    source = "stdin" if name == "-" else name
    if bulk is None or sinks is None:
        return parse_texts(((n, t, source) for n, t in read_texts(name)), name, default_suite,
                           sinks)
    plain = KselftestParser(default_suite, sinks[0], bulk, shared)

    def clean(text: str) -> bool:
        return not looks_like_strace(text)

    last = [0]

    head = bytearray()
    blocks = scans_ahead(name, head) if ahead else scans(name, head)

    def lines() -> Iterator[tuple[int, str, str]]:
        for scan in blocks:
            for line in plain.scan_lines(scan, source, clean):
                text = line[1]
                if text[:1] in " \t" or text[-1:].isspace():
                    # what the in-memory reader (paste.normalise) makes of the line
                    line = (line[0], text.lstrip(" \t").rstrip(), source)
                yield line
                last[0] = line[0]
        last[0] = max(last[0], plain.last_line)

    try:
        parsed = parse_texts(lines(), name, default_suite, sinks, plain)
    finally:
        blocks.close()  # the scanning process ends with it
    parsed.last_line = last[0]
    parsed.head = bytes(head)
    return parsed


def parse_lines(lines: Iterable[LogLine], source: str, default_suite: str = "") -> Parsed:
    return parse_texts(((line.line, line.text, line.source) for line in lines), source,
                       default_suite)


def parse_texts(lines: Iterable[tuple[int, str, str]], source: str, default_suite: str = "",
                sinks: tuple[Sink, Sink] | None = None, plain: KselftestParser | None = None
                ) -> Parsed:
    """Read (number, text, source) lines. With ``sinks`` (for the log's own TAP and for TAP
    read from strace write() calls) results go there as they are read and ``Parsed.results``
    stays empty; ``Parsed.tap_from_writes`` says which of the two streams to use."""
    out = Parsed(source=source)
    plain = plain or KselftestParser(default_suite, sinks[0] if sinks else None)
    from_writes = KselftestParser(default_suite, sinks[1] if sinks else None)
    tracker = FdTracker()
    gave_up = GaveUp()
    carry: dict[int, list[str]] = {}
    plain_results: list[Result] = []
    write_results: list[Result] = []
    split_call: str | None = None
    feed = plain.feed_text
    number = 0
    for number, text, line_source in lines:
        is_strace = looks_like_strace(text)
        if split_call is not None and RESUME_SPLIT.match(text):
            text = split_call + text
            split_call = None
            is_strace = True
        elif not is_strace and text[:1] in SPLIT_START and (match := SPLIT_WRITE.match(text)):
            split_call = match.group("call")
            if match.group("out"):
                plain_results += feed(number, match.group("out"), line_source)
            continue
        if is_strace:
            out.strace_lines += 1
            syscall = tracker.event(LogLine(number, text, line_source))
            if syscall is None:
                _keep_gave_up(out, gave_up.strace_line(text))
                continue
            if _keep(syscall) and len(out.syscalls) < MAX_SYSCALLS:
                out.syscalls.append(syscall)
            out.stale_reads.call(syscall)
            _keep_gave_up(out, gave_up.call(syscall))
            if syscall.name == "write":
                buffer = carry.setdefault(syscall.pid, [])
                for written in written_lines(syscall, buffer):
                    write_results += from_writes.feed_text(number, written, line_source)
            continue
        _keep_gave_up(out, gave_up.plain_line(text))
        got = feed(number, text, line_source)
        if got:
            plain_results += got
    out.last_line = number
    plain_results += plain.finish()
    write_results += from_writes.finish()
    out.plain_parser, out.writes_parser = plain, from_writes
    # A terminal session shows TAP twice (the program's output and strace's write() lines):
    # the program's own lines win; write() text is used when it is all there is.
    chosen, parser = (plain_results, plain)
    if not (plain_results or plain.emitted) and (write_results or from_writes.emitted):
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
