"""va_high_addr_switch's (and va_128TBswitch's) own check lines, from before the test spoke TAP
(6.1 to 6.12: ``printf("%s: %p - ", t->msg, p)`` then ``OK`` or ``FAILED``)::

    mmap(addr_switch_hint, 2 * pagesize, MAP_FIXED): 0xffffffffffffffff - FAILED
    mmap(high_addr): 0x7fe7de6d5000 - OK

Each line is one result: the mapping the test asked for is its name, FAILED or OK its status.
Read beside whatever else the text holds (a reply quotes this test's raw output and another
test's TAP), so the failures are not lost behind the other test's results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

LINE = lazy(r"^(?:#\s*)*(?P<name>(?:mmap|mremap|munmap)\(.*?\)(?: again)?):\s*"
            r"(?P<addr>0x[0-9a-fA-F]+|\(nil\)|\(null\))\s*-\s*(?P<verdict>OK|FAILED)\s*$")
SUITE = lazy(r"\b(va_128TBswitch|va_high_addr_switch)\b")
MAX_CHECKS = 500


@dataclass
class Reader:
    checks: list[tuple[LogLine, str, Status]] = field(default_factory=list)
    suite: str = "va_high_addr_switch"

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if "switch" in text and (m := SUITE.search(text)):
            self.suite = m.group(1)
        if text.endswith(("OK", "FAILED")) and len(self.checks) < MAX_CHECKS and (
                m := LINE.match(text)):
            status = Status.PASS if m.group("verdict") == "OK" else Status.FAIL
            self.checks.append((line, m.group("name"), status))

    def results(self) -> list[Result]:
        """One result per check line; none when no line failed (a passing run says nothing)."""
        if not any(status is Status.FAIL for _, _, status in self.checks):
            return []
        return [Result(self.suite, i, name, "", status, line.text.strip().lstrip("# "),
                       result_line=line)
                for i, (line, name, status) in enumerate(self.checks, 1)]
