"""kselftest_harness's own lines pasted without the TAP line after them.

A reply often quotes only the harness's lines of one case::

    #  RUN           process_madvise.remote_collapse ...
    # process_madv.c:304:remote_collapse:Expected get_smaps_anon_huge_pages(...) (4194304) == 0 (0)
    # remote_collapse: Test terminated by assertion
    #          FAIL  process_madvise.remote_collapse

The ``FAIL``/``OK``/``SKIP`` line is the case's verdict even when the ``not ok N name`` line
that follows it in a full log was not pasted. Each such verdict is one result (the assertion
line its message). Used only when the input holds no result lines at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.model import LogLine, Result, Status

RUN = re.compile(r"^(?:#\s*)*RUN\s+(?P<name>[\w.-]+)\s*\.\.\.\s*$")
VERDICT = re.compile(r"^(?:#\s*)*(?P<verdict>OK|FAIL|SKIP|XFAIL|XPASS|TIMEOUT)\s+"
                     r"(?P<name>[\w-]+\.[\w.-]+)\s*$")
STATUS = {"OK": Status.PASS, "FAIL": Status.FAIL, "SKIP": Status.SKIP, "XFAIL": Status.XFAIL,
          "XPASS": Status.XPASS, "TIMEOUT": Status.TIMEOUT}
MAX_CASES = 2000


@dataclass
class Reader:
    # (verdict line, status, name, run line, the lines between run and verdict)
    cases: list[tuple[LogLine, Status, str, LogLine | None, list[LogLine]]] = field(
        default_factory=list)
    _run: LogLine | None = None
    _between: list[LogLine] = field(default_factory=list)

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if "RUN" in text and RUN.match(text):
            self._run, self._between = line, []
        elif "  " in text and (m := VERDICT.match(text)) and len(self.cases) < MAX_CASES:
            run = self._run if self._run is not None and m.group("name") in self._run.text \
                else None
            self.cases.append((line, STATUS[m.group("verdict")], m.group("name"), run,
                               self._between if run is not None else []))
            self._run, self._between = None, []
        elif self._run is not None and len(self._between) < 8 and text.startswith("#"):
            self._between.append(line)

    def results(self, suite: str) -> list[Result]:
        out = []
        for i, (verdict, status, name, run, between) in enumerate(self.cases, 1):
            said = [b for b in between if "Expected" in b.text or ":" in b.text]
            message = said[0].text.lstrip("# ").strip() if said else ""
            out.append(Result(suite or "selftest", i, name, "", status, message,
                              result_line=verdict, run_line=run, diagnostics=list(between)))
        return out
