"""The failed call a traced program gave up on: the last failed call before it exited with an
error, was killed by a signal, or wrote an error.

An strace excerpt is full of failed calls that mean nothing (the loader's ENOENT lookups, a
probe's ENOSYS, a retry's EAGAIN); which one mattered is told by what the program did next.
casync #36 on Linux 3.13: ``syscall_316(...) = -1 (errno 38)`` and then
``write(2, "Assertion failed: r >= 0\\n", 25``; kubernetes #25778: ``modify_ldt(...) = -1
ENOSYS`` and then ``--- SIGTRAP ... ---`` / ``+++ killed by SIGTRAP +++``; gup_benchmark
without CONFIG_GUP_BENCHMARK: ``openat(..., "/sys/kernel/debug/gup_benchmark", O_RDWR) = -1
ENOENT``, the program's own ``open: No such file or directory``, ``+++ exited with 1 +++``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import Syscall
from harness.readers.catalogue import strerror_of
from harness.readers.strace import PREFIX, written_text

# At most this many other calls of the process between the failed call and its end: the
# program gave up on that call, not on one long before.
WINDOW = 4
EXITED = lazy(r"^\+\+\+ exited with (?P<code>\d+) \+\+\+")
KILLED = lazy(r"^\+\+\+ killed by (?P<sig>SIG[A-Z0-9]+)")
# The signals a process dies of when it gives up (abort(), a failed assertion, a trap, a bad
# access right after the failed call left a pointer unset), not SIGCHLD or SIGPIPE.
SIGNAL = lazy(r"^--- (?P<sig>SIG(?:SEGV|BUS|ABRT|TRAP|ILL|FPE|SYS)) ")
EXITS = frozenset({"exit", "exit_group"})
ERROR_WORDS = lazy(r"\b(?:[Aa]ssertion|failed|[Ee]rror|FATAL|[Ff]atal|[Cc]annot|"
                   r"[Cc]ould not|[Uu]nable to|[Bb]ail out!|not ok)\b")


@dataclass
class GaveUp:
    """Feed every strace event (``call``), every strace line that is no call (``strace_line``)
    and every line of the program's own output (``plain_line``); each returns the failed call
    it has just found the program gave up on, marked in ``Syscall.fatal``."""

    last: dict[int, list] = field(default_factory=dict)  # pid -> [failed call, calls since]

    def call(self, syscall: Syscall) -> Syscall | None:
        if syscall.name in EXITS:
            code = syscall.args.strip()
            return self._mark(syscall.pid, f"exited with {code}") if code != "0" else None
        text = written_text(syscall) if syscall.name == "write" else None
        if text is not None and (pending := self._pending(syscall.pid)) is not None \
                and self._says_error(text, pending):
            return self._mark(syscall.pid, f"wrote {text.strip()[:80]!r}")
        if syscall.failed:
            self.last[syscall.pid] = [syscall, 0]
        elif (entry := self.last.get(syscall.pid)) is not None:
            entry[1] += 1
            if entry[1] > WINDOW:
                del self.last[syscall.pid]
        return None

    def strace_line(self, text: str) -> Syscall | None:
        prefix = PREFIX.match(text)
        pid = int(prefix.group("pid1") or prefix.group("pid2") or prefix.group("pid3") or 0) \
            if prefix else 0
        body = text[prefix.end():] if prefix else text
        if (m := EXITED.match(body)) and m.group("code") != "0":
            return self._mark(pid, f"exited with {m.group('code')}")
        if m := KILLED.match(body) or SIGNAL.match(body):
            return self._mark(pid, f"killed by {m.group('sig')}")
        return None

    def plain_line(self, text: str) -> Syscall | None:
        """The program's own error line on the terminal strace shares ("open: No such file or
        directory" right after the failed open)."""
        if not self.last:
            return None
        pid = next(reversed(self.last))
        pending = self._pending(pid)
        if pending is not None and self._says_error(text, pending):
            return self._mark(pid, f"printed {text.strip()[:80]!r}")
        return None

    def _pending(self, pid: int) -> Syscall | None:
        entry = self.last.get(pid) or (self.last.get(0) if pid else None)
        return entry[0] if entry is not None else None

    @staticmethod
    def _says_error(text: str, call: Syscall) -> bool:
        strerror = strerror_of(call.errno)
        return bool(ERROR_WORDS.search(text) or (strerror and strerror in text))

    def _mark(self, pid: int, what: str) -> Syscall | None:
        key = pid if pid in self.last else 0
        entry = self.last.pop(key, None)
        if entry is None:
            return None
        call: Syscall = entry[0]
        if not call.fatal:
            call.fatal = what
        return call

