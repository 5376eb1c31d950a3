"""Segfaults a test provokes on purpose, called expected by the text: no crash, no failure.

Some tests make their children fault to check the kernel's answer: LTP's mmap18 grows a
MAP_GROWSDOWN stack into its guard gap, shmat01 and modify_ldt02 touch what they just took away.
The kernel logs each child's fault ("mmap18[32160]: segfault at f7dbbffc ip ... error 6 in
mmap18[8048000+26000]"), and people paste those lines asking whether something is wrong. When
the text's own prose (not a quote, not a question) says the segfault is expected ("Same here,
the segfault is expected and it's easy to figure it out from the test source code", Cyril
Hrubis on LTP #852, #854, #855, 2021), and every crash of the text is such a user process's
fault line, the crashes are the test working: each process becomes a passing result quoting
its first fault line, and the note says why. A kernel Oops, a BUG or a shell's "Segmentation
fault" of the test itself is never taken away this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.ingest import Parsed

# "the segfault is expected", "These segfaults are intended", "the SIGSEGV is expected here",
# "expected segfaults", "the crash is intentional"
EXPECTED = lazy(
    r"\b(?:segfaults?|segmentation\s+faults?|SIGSEGVs?|crash(?:es)?|faults?)\s+(?:is|are|was|"
    r"were)\s+(?:(?:perfectly|totally|completely|all)\s+)?(?:expected|intended|intentional|"
    r"deliberate|on\s+purpose|by\s+design)\b|"
    r"\b(?:expected|intended|intentional|deliberate)\s+(?:segfaults?|segmentation\s+faults?|"
    r"SIGSEGVs?)\b",
    re.IGNORECASE)
# "not expected", "unexpected" before it in its clause, or a question
DOUBT = lazy(r"\b(?:not|n't|never|un|if|whether)\b[^.;,]{0,20}$|\?\s*$", re.IGNORECASE)
QUOTE = lazy(r"^\s*>")
# a user process's fault as the kernel logs it: "mmap18[32160]: segfault at f7dbbffc ..."
PROCESS_FAULT = lazy(r"(?:^|\s|\]\s)(?P<name>[\w.+-]{1,40})\[\d+\]: segfault at\b")


@dataclass
class Reader:
    """Fed every line of a report; ``found`` is the line that calls the segfaults expected."""

    found: LogLine | None = None

    def feed(self, line: LogLine) -> None:
        text = line.text
        if self.found is not None or len(text) > 2000 or QUOTE.match(text):
            return
        m = EXPECTED.search(text)
        if m is None or DOUBT.search(text[:m.start()]) or text.rstrip().endswith("?"):
            return
        self.found = line


def take_expected(parsed: Parsed, reader: Reader) -> list[str]:
    """Turn the text's crashes into passing results when its prose calls them expected and
    every one of them is a user process's segfault line."""
    if reader.found is None or not parsed.crashes:
        return []
    firsts: dict[str, LogLine] = {}
    for crash in parsed.crashes:
        head = crash[0] if crash else None
        m = PROCESS_FAULT.search(head.text) if head is not None else None
        if head is None or m is None:
            return []
        firsts.setdefault(m.group("name"), head)
    parsed.crashes.clear()
    for number, (name, head) in enumerate(firsts.items(), len(parsed.results) + 1):
        parsed.results.append(Result(
            suite=name, number=number, name=name, config="", status=Status.PASS,
            message="a segfault the text calls expected", result_line=head,
            diagnostics=[reader.found],
        ))
    where = reader.found
    note = (f"L{where.line}: {where.text.strip()[:120]!r}: the segfault lines of "
            f"{', '.join(firsts)} are the test working, not a crash")
    return [note]
