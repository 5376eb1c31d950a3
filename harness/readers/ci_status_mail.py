"""KernelCI's "[STATUS]" report mails: per hardware and configuration, the tests whose result
changed, each with its history ("history:  > ✅  > ❌") under "### POSSIBLE REGRESSIONS",
"### FIXED REGRESSIONS" or "### UNSTABLE TESTS" (legend: ✅ PASS, ❌ FAIL, ⚠️ INCONCLUSIVE).
Two layouts: since 2026 the configuration is a "> Config: NAME" line above bare test names; in
2025 each test line carried it in parentheses ("- kselftest.mm (defconfig+arm64-chromebook)").

Each listed test becomes one result with its latest status; the history and the section are
its message, so a reader sees "fixed", "new" or "flip-flopping" at a glance. The mail has no
log: nothing in it explains a failure, and nothing is called a crash. Used only when the input
holds no selftest results of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

SECTION = lazy(r"^#{2,4}\s+(POSSIBLE REGRESSIONS|FIXED REGRESSIONS|UNSTABLE TESTS|"
               r"NEW FAILURES|REGRESSIONS)\b", re.IGNORECASE)
HARDWARE = lazy(r"^\s*Hardware:\s*(\S+)")
CONFIG = lazy(r"^\s*>\s*Config:\s*(\S+)")
TEST = lazy(r"^\s*-\s+([\w.+-]+)(?:\s+\(([^()\s]+)\))?\s*$")
HISTORY = lazy(r"^\s*history:\s*((?:>\s*\S+\s*)+)$")
SYMBOL = {"✅": Status.PASS, "❌": Status.FAIL, "⚠️": Status.ERROR, "⚠": Status.ERROR}
MAX_TESTS = 5000


@dataclass
class Pending:
    name: str
    line: LogLine
    section: str
    where: str


@dataclass
class Reader:
    results: list[Result] = field(default_factory=list)
    section: str = ""
    hardware: str = ""
    config: str = ""
    pending: Pending | None = None

    def feed(self, line: LogLine) -> None:
        text = line.text
        if len(self.results) >= MAX_TESTS or len(text) > 400:
            return
        if m := SECTION.match(text.strip()):
            self.section, self.pending = m.group(1).lower(), None
        elif m := HARDWARE.match(text):
            self.hardware, self.config = m.group(1), ""
        elif m := CONFIG.match(text):
            self.config = m.group(1)
        elif self.section and (m := TEST.match(text)):
            config = m.group(2) or self.config
            where = " ".join(x for x in (self.hardware, config) if x)
            self.pending = Pending(m.group(1), line, self.section, where)
        elif self.pending is not None and (m := HISTORY.match(text)):
            marks = [s.strip() for s in m.group(1).split(">") if s.strip()]
            statuses = [SYMBOL.get(s) for s in marks]
            latest = statuses[-1] if statuses else None
            if latest is not None:
                p = self.pending
                history = " > ".join(marks)
                self.results.append(Result(
                    _suite(p.name), len(self.results) + 1, p.name, p.where, latest,
                    f"{p.section}: history {history} (latest last; no log in the report)",
                    result_line=p.line, diagnostics=[LogLine(line.line, text.strip(),
                                                             line.source)]))
            self.pending = None


def _suite(name: str) -> str:
    """"kselftest.mm.mm_run_vmtests_sh_khugepaged" -> "mm"; other tests keep their first
    component ("kernelci_watchdog_reset")."""
    parts = name.split(".")
    if parts[0] == "kselftest" and len(parts) > 1:
        return parts[1]
    return parts[0]
