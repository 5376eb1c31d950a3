"""Go testify's failure blocks: a failed call told across lines, not on one.

    kata_agent_linux_test.go:63:
        Error Trace:    .../kata_agent_linux_test.go:63
        Error:          Received unexpected error:
                        invalid argument
        Test:           TestHandleHugepages
        Messages:       Unable to mount /tmp/TestHandleHugepages2351386752/001/hugepages-1G

(assert.NoError / require.NoError with a message; kata-containers #6029 and #3763). The error
is Go's lower-case strerror on the line after "Received unexpected error:", the call is named
by the test's own message (or by the error, "open /x: no such file or directory"), and the
Go test's name is the suite. Blocks of other assertions ("Not equal:") state no failed call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine

UNEXPECTED = lazy(r"^Error:\s+Received unexpected error:\s*(?P<rest>.*)$")
TEST = lazy(r"^Test:\s+(?P<test>Test\w*)")
# (a mail client or the unwrapper may have joined the next block's "x_test.go:78:" to it)
MESSAGES = lazy(r"^Messages:\s+(?P<what>\S.*?)(?:\s+[\w.-]+_test\.go:\d+:.*)?$")
BLOCK_END = lazy(r"^(?:Error Trace:|---\s+FAIL\b|FAIL\b|=== RUN\b|[\w.-]+_test\.go:\d+:)")
WORD = lazy(r"\b([a-z_][a-z0-9_]*)\b")

# (line, call, errno, what) as command_output.Reader keeps them, with the Go test's name.
Found = tuple[LogLine, str, str, str, str]


@dataclass
class Testify:
    calls: dict[str, str]  # a word of the message -> the system call it names
    strerror: Callable[[str], tuple[str, str] | None]  # the error's (call, errno), call maybe ""
    found: list[Found] = field(default_factory=list)
    waiting: LogLine | None = None  # "Received unexpected error:" seen, its error next
    error: tuple[LogLine, str, str] | None = None  # (line, call, errno) not yet given out
    test: str = ""

    def feed(self, line: LogLine, text: str) -> bool:
        """Whether the line belongs to a block (then no other reader needs it)."""
        if m := UNEXPECTED.match(text):
            self.finish()
            self.waiting = line
            if m.group("rest"):
                self._error(line, m.group("rest"))
            return True
        if self.waiting is not None:
            self._error(self.waiting, text)
            return True
        if m := TEST.match(text):
            self.test = m.group("test")
            return self.error is not None
        if self.error is not None and (m := MESSAGES.match(text)):
            _, call, errno = self.error
            self.error = None
            named = next((self.calls[w] for w in WORD.findall(m.group("what").lower())
                          if w in self.calls), "")
            self._add(line, named or call, errno, f"testify: {m.group('what')}")
            return True
        if self.error is not None and BLOCK_END.match(text):
            self.finish()
        return False

    def finish(self) -> None:
        """A block whose error came without a message: the error alone names the call."""
        if self.error is not None:
            line, call, errno = self.error
            self.error = None
            self._add(line, call, errno, "testify")

    def _add(self, line: LogLine, call: str, errno: str, what: str) -> None:
        if len(self.found) < 100:
            self.found.append((line, call, errno, what, self.test))

    def _error(self, line: LogLine, text: str) -> None:
        self.waiting = None
        got = self.strerror(text.strip())
        self.error = (line, *got) if got is not None else None
