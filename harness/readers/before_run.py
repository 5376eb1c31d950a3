"""A program run shown as the "before" half of a before/after pair, without test output.

A patch's commit message may show the failure as a bare command and what it printed::

    ----Before----
    ./ksm_tests -H -s 100
    Invalid merge type

    ----After----
    ./ksm_tests -H -s 100
    Number of normal pages:    0

The text labels the first run as the state the patch changes, so that run is a failed result
of the program, its output the message. Only runs under a "before" header count (elsewhere a
command and its output can be anything), and only when the input holds no result lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.commit_output import AFTER_HEADER, BEFORE_HEADER, is_trailer, might_be_header

RUN_COMMAND = lazy(r"^(?:[$#]\s+)?(?:sudo\s+)?\./(?P<prog>[\w.+-]+)(?:\s+\S.*)?$")
MAX_LINES = 400


@dataclass
class Reader:
    in_before: bool = False
    lines: list[LogLine] = field(default_factory=list)  # the lines under "before" headers
    sections: list[list[int]] = field(default_factory=list)  # [first, last] line of each

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        header = might_be_header(text)
        if header and BEFORE_HEADER.match(text):
            self.in_before = True
            self.sections.append([line.line, line.line])
        elif not self.in_before:
            return
        elif (header and AFTER_HEADER.match(text)) or is_trailer(text):
            self.in_before = False
        elif self.in_before and len(self.lines) < MAX_LINES:
            self.lines.append(line)
            self.sections[-1][1] = line.line

    def _inside(self, line: int) -> bool:
        return any(first < line <= last + 1 for first, last in self.sections)

    def results(self, commands: list[LogLine]) -> list[Result]:
        """The runs under "before" headers: commands typed at a prompt (``commands``, which
        the paste reader took out of the text) or shown bare (``./prog args``)."""
        runs = sorted([c for c in commands if self._inside(c.line)]
                      + [ln for ln in self.lines if RUN_COMMAND.match(ln.text.strip())],
                      key=lambda ln: ln.line)
        out: list[Result] = []
        for i, command in enumerate(runs):
            stop = runs[i + 1].line if i + 1 < len(runs) else 1 << 62
            printed: list[LogLine] = []
            for ln in self.lines:
                if command.line < ln.line < stop and ln is not command:
                    if not ln.text.strip():
                        break
                    printed.append(ln)
            m = RUN_COMMAND.match(command.text.strip().lstrip("$# "))
            if not printed or m is None:
                continue
            out.append(Result(m.group("prog"), len(out) + 1, command.text.strip().lstrip("$# "),
                              "", Status.FAIL, printed[0].text.strip(),
                              result_line=printed[-1], run_line=command,
                              diagnostics=printed[:5]))
        return out
