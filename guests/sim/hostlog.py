"""The host kernel's log (/dev/kmsg) as the sim guest's console: new records, crash blocks."""

from __future__ import annotations

import os

from guests.console import CRASH_RE, END_TRACE_RE, EXCERPT_LINES


def kmsg_line(record: bytes) -> str | None:
    """One /dev/kmsg record ("PRIO,SEQ,USEC,FLAGS;text" + " KEY=VALUE" lines) as a console line."""
    head, sep, rest = record.decode("utf-8", errors="replace").partition(";")
    fields = head.split(",")
    if not sep or len(fields) < 3 or not fields[2].isdigit():
        return None
    text = rest.split("\n", 1)[0]
    return f"[{int(fields[2]) / 1e6:12.6f}] {text}"


def crash_excerpts(lines: list[str]) -> list[list[str]]:
    """The Oops/BUG/WARNING blocks in kernel log lines (first line to end marker or 60 lines)."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if current is not None:
            current.append(line)
            if END_TRACE_RE.search(line) or len(current) >= EXCERPT_LINES:
                current = None
            continue
        if CRASH_RE.search(line):
            current = [line]
            found.append(current)
    return found


class HostKernelLog:
    """What the host kernel logs from now on (/dev/kmsg, read without blocking)."""

    def __init__(self) -> None:
        self.why_not: str | None = None
        try:
            self.fd: int | None = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
            os.lseek(self.fd, 0, os.SEEK_END)
        except OSError as exc:
            self.fd = None
            self.why_not = f"cannot read the host kernel log (/dev/kmsg: {exc.strerror})"

    def read(self) -> list[str]:
        lines: list[str] = []
        while self.fd is not None:
            try:
                record = os.read(self.fd, 8192)
            except BlockingIOError:
                break
            except BrokenPipeError:  # records were overwritten before we read them
                lines.append("[harness-sim] some host kernel log records were lost")
                continue
            if not record:
                break
            line = kmsg_line(record)
            if line is not None:
                lines.append(line)
        return lines

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
