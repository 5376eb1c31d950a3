"""Find the syscall and errno behind each result: from its own text, else from strace.

Order of evidence (the first that answers wins): the diagnostic text the test printed (newer
kernels print strerror), the strace lines between the test's [RUN] line and its result line
in the same file, then a separate strace log matched through the TAP text it recorded in
write() calls, then the n-th failed call of that name for the n-th result that names it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict

from harness.model import Result, Status, Syscall
from harness.readers import catalogue
from harness.readers.ingest import Parsed

NEEDS_CAUSE = frozenset({Status.FAIL, Status.SKIP, Status.ERROR, Status.CRASH, Status.XFAIL,
                         Status.TIMEOUT, Status.MISSING})


def from_text(result: Result) -> None:
    texts = [result.message] + [d.text for d in reversed(result.diagnostics)]
    for text in texts:
        if not text or text.startswith("[RUN]"):
            continue
        syscall = catalogue.call_in(text)
        errno = catalogue.errno_in(text)
        if syscall and not result.syscall:
            result.syscall = syscall
        if errno and not result.errno:
            result.errno = errno
            result.syscall_source = "diagnostic"


class CallIndex:
    """Syscalls by source file, sorted by line, for range look-ups in O(log n)."""

    def __init__(self, calls: list[Syscall]) -> None:
        self.by_source: dict[str, tuple[list[int], list[Syscall]]] = {}
        grouped: dict[str, list[Syscall]] = defaultdict(list)
        for call in calls:
            grouped[call.line.source].append(call)
        for source, items in grouped.items():
            items.sort(key=lambda c: c.line.line)
            self.by_source[source] = ([c.line.line for c in items], items)

    def between(self, source: str, start: int, end: int) -> list[Syscall]:
        if source not in self.by_source:
            return []
        lines, items = self.by_source[source]
        return items[bisect_right(lines, start):bisect_left(lines, end)]


# A program's own error line ("open: No such file or directory") right under the strace line
# of the call it reports, on the terminal both share: that call, when it has the line's name.
JUST_BEFORE = 4


def _just_before(result: Result, calls: CallIndex) -> list[Syscall]:
    if result.run_line is not None or result.result_line is None or not result.syscall:
        return []
    line = result.result_line
    return [c for c in calls.between(line.source, line.line - JUST_BEFORE - 1, line.line)
            if c.name == result.syscall and (not result.errno or c.errno == result.errno)]


def _in_range(result: Result, calls: CallIndex) -> list[Syscall]:
    if result.result_line is None or result.run_line is None:
        return []
    return calls.between(result.result_line.source, result.run_line.line, result.result_line.line)


def _choose(result: Result, candidates: list[Syscall]) -> Syscall | None:
    failed = [c for c in candidates if c.failed]
    if result.syscall:
        named = [c for c in failed if c.name == result.syscall]
        if named:
            return named[-1]
        return None
    fd_calls = [c for c in failed if c.path is not None]
    pool = fd_calls or failed
    return pool[-1] if pool else None


def _attach(result: Result, candidates: list[Syscall], how: str) -> bool:
    chosen = _choose(result, candidates)
    if chosen is None:
        return False
    result.syscalls = [c for c in candidates if c.failed or c.name.startswith("unlink")][-6:]
    if chosen not in result.syscalls:
        result.syscalls.append(chosen)
    result.syscall = result.syscall or chosen.name
    if not result.errno:
        result.errno = chosen.errno
        result.syscall_source = how
    return True


def correlate(logs: list[Parsed], strace_logs: list[Parsed]) -> None:
    """Fill in Result.syscall/errno/syscalls for every result that needs a cause."""
    results = [r for p in logs for r in p.results if r.status in NEEDS_CAUSE]
    for result in results:
        from_text(result)
    inline = CallIndex([c for p in logs for c in p.syscalls])
    pending = []
    for result in results:
        if _attach(result, _in_range(result, inline), "strace"):
            continue
        if _attach(result, before := _just_before(result, inline), "strace"):
            # the strace line says what the program's line leaves out (the file it opened)
            result.diagnostics.append(before[-1].line)
            continue
        pending.append(result)
    if not pending or not strace_logs:
        return
    # A separate strace log: its own write() text tells which calls belong to which test.
    by_key: dict[tuple[str, int], Result] = {}
    for parsed in strace_logs:
        for mirrored in parsed.results:
            by_key.setdefault((mirrored.suite, mirrored.number), mirrored)
            by_key.setdefault(("", mirrored.number), mirrored)
    flat = [c for p in strace_logs for c in p.syscalls]
    all_calls = CallIndex(flat)
    usable = {p.source for p in strace_logs if p.tap_from_writes and _segmented(p)}
    rest = []
    for result in pending:
        mirror = by_key.get((result.suite, result.number)) or by_key.get(("", result.number))
        if (mirror is not None and mirror.result_line is not None
                and mirror.result_line.source in usable
                and _attach(result, _in_range(mirror, all_calls), "strace")):
            continue
        rest.append(result)
    _by_order(rest, flat)


def _segmented(parsed: Parsed) -> bool:
    """Each result line came from its own write() (line-buffered output), so ranges mean
    something."""
    lines = [r.result_line.line for r in parsed.results if r.result_line is not None]
    return len(lines) == len(set(lines))


def _by_order(results: list[Result], calls: list[Syscall]) -> None:
    queues: dict[str, list[Syscall]] = defaultdict(list)
    for call in calls:
        if call.failed:
            queues[call.name].append(call)
    for result in results:
        if not result.syscall or result.errno:
            continue
        queue = queues.get(result.syscall)
        if queue:
            call = queue.pop(0)
            result.syscalls = [call]
            result.errno = call.errno
            result.syscall_source = "strace (matched by order)"
