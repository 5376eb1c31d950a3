"""A kselftest's closing lines pasted without the results above them.

A commit message often quotes only the symptom: ``# Planned tests != run tests (50 != 46)`` and
``# Totals: pass:24 fail:0 xfail:0 xpass:0 skip:22 error:0``. The run's verdict is in them:
kselftest exits non-zero when the plan is not met or a test failed. That is one result of the
binary (named by the command, or by the one selftest source the text's patch changes), with
the counts as its message. Used only when the input holds no result lines at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

PLANNED = lazy(r"^(?:#\s*)*Planned tests != run tests \((\d+) != (\d+)\)")
TOTALS = lazy(r"^(?:#\s*)*Totals:\s*pass:(\d+)\s+fail:(\d+)\s+xfail:\d+\s+xpass:\d+\s+"
              r"skip:(\d+)\s+error:(\d+)")
SELFTEST_SOURCE = lazy(r"(?:^|/)selftests/[\w.-]+/([\w.-]+)\.(?:c|sh)$")


@dataclass
class Reader:
    planned: LogLine | None = None
    totals: LogLine | None = None
    failed: bool = False

    def feed(self, line: LogLine) -> None:
        if "Planned" not in line.text and "Totals" not in line.text:
            return
        if self.planned is None and (m := PLANNED.match(line.text)):
            self.planned = line
            self.failed = self.failed or m.group(1) != m.group(2)
        elif self.totals is None and (m := TOTALS.match(line.text)):
            self.totals = line
            self.failed = self.failed or int(m.group(2)) > 0 or int(m.group(4)) > 0

    def results(self, suite: str, patched: list[str]) -> list[Result]:
        """The binary's one result, or none when the text has no closing lines."""
        last = self.planned or self.totals
        if last is None:
            return []
        if not suite:
            names = {m.group(1) for p in patched if (m := SELFTEST_SOURCE.search(p))}
            suite = names.pop() if len(names) == 1 else "selftest"
        message = " ".join(line.text.lstrip("# ").strip()
                           for line in (self.planned, self.totals) if line is not None)
        status = Status.FAIL if self.failed else Status.PASS
        return [Result(suite, 1, f"{suite} (whole binary)", "", status, message,
                       result_line=self.totals or last)]
