"""The fault injector's log ("PID SYSCALL FD PATH ERRNO" per injected fault) as syscall evidence."""

from __future__ import annotations

from harness.lazy_regex import lazy
from harness.model import Syscall
from harness.readers.ingest import Parsed
from harness.readers.logread import read_lines

LINE = lazy(r"^(\d+)\s+([a-z_0-9]+)\s+(-?\d+)\s+(.*?)\s+(E[A-Z0-9]+)$")


def parse_fault_log(path: str) -> Parsed:
    """Each injected fault becomes a failed Syscall; results get them by order of the call name."""
    parsed = Parsed(source=path)
    for line in read_lines(path):
        match = LINE.match(line.text.strip())
        if not match:
            continue
        pid, name, fd, target, errno = match.groups()
        parsed.syscalls.append(Syscall(int(pid), name, f"{fd}<{target}>", "-1", errno, line,
                                       path=target.removesuffix(" (deleted)"),
                                       unlinked=target.endswith("(deleted)")))
    return parsed
