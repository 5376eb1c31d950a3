"""A test the report says hung, shown by its last ``[RUN]`` line and nothing after it.

"This patch ... causes the selftest tools/testing/selftests/mm/cow.c to hang: # [RUN]
vmsplice() + unmap in child ... with PTE-mapped THP (128 kB)" - the case never printed a
verdict. When the text has no result line at all, says in prose that the test hung (hang,
hangs, hung, stuck, never returns, freezes), and shows a ``[RUN]`` line, that case is one
result that timed out: not a pass, not a crash. Used only when the input holds no results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.line_kinds import LOG_LIKE

RUN = lazy(r"^(?:#\s*)*\[RUN\]\s+(?P<name>\S.*?)\s*$")
HUNG = lazy(r"\b(?:hangs?|hung|hanging|stuck|never (?:returns|finishes|completes)|"
            r"freez(?:e|es|ing)|soft lockup)\b", re.IGNORECASE)
SELFTEST = lazy(r"(?:selftests/mm/|\./)(?P<prog>[\w-]+)(?:\.c)?\b")


@dataclass
class Reader:
    run: LogLine | None = None  # the last [RUN] line
    said: LogLine | None = None  # the prose line that says the test hung
    program: str = ""

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if "[RUN]" in text and RUN.match(text):
            self.run = line
        elif self.said is None and not LOG_LIKE.match(text) and HUNG.search(text):
            self.said = line
            if m := SELFTEST.search(text):
                self.program = m.group("prog")

    def results(self, suite: str) -> list[Result]:
        if self.run is None or self.said is None:
            return []
        m = RUN.match(self.run.text.strip())
        assert m is not None
        name = suite or self.program or "selftest"
        return [Result(name, 1, m.group("name"), "", Status.TIMEOUT,
                       f"the report says the test hung: {self.said.text.strip()[:120]}",
                       run_line=self.run, diagnostics=[self.said])]
