"""kselftest_harness's own lines pasted without the TAP line after them.

A reply often quotes only the harness's lines of one case::

    #  RUN           process_madvise.remote_collapse ...
    # process_madv.c:304:remote_collapse:Expected get_smaps_anon_huge_pages(...) (4194304) == 0 (0)
    # remote_collapse: Test terminated by assertion
    #          FAIL  process_madvise.remote_collapse

The ``FAIL``/``OK``/``SKIP`` line is the case's verdict even when the ``not ok N name`` line
that follows it in a full log was not pasted. Each such verdict is one result (the assertion
line its message). A case whose ``RUN`` line is followed by the harness's failed-assertion
lines (``<file>.c:<line>:<test>:Expected <a> (<x>) == <b> (<y>)``, with or without the runner's
``#``) and no verdict - the paste stops there, or the test looped on its asserts - failed:
its first assertion is the result. With no RUN line and no verdict anywhere, each test's
first assertion line alone (``# guard-regions.c:719:split_merge:Expected madvise(...) (-1) ==
0 (0)``, a reply's one-line report) is that test's failure. Used only when the input holds no
result lines at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

RUN = lazy(r"^(?:#\s*)*RUN\s+(?P<name>[\w.-]+)\s*\.\.\.\s*$")
VERDICT = lazy(r"^(?:#\s*)*(?P<verdict>OK|FAIL|SKIP|XFAIL|XPASS|TIMEOUT)\s+"
               r"(?P<name>[\w-]+\.[\w.-]+)\s*$")
# kselftest_harness's __EXPECT/__ASSERT report: "%s:%d:%s:Expected %s (%llu) %s %s (%llu)"
ASSERT = lazy(r"^(?:#\s*)*(?P<file>[\w.+-]+)\.c:\d+:(?P<test>\w+):Expected\b")
STATUS = {"OK": Status.PASS, "FAIL": Status.FAIL, "SKIP": Status.SKIP, "XFAIL": Status.XFAIL,
          "XPASS": Status.XPASS, "TIMEOUT": Status.TIMEOUT}
MAX_CASES = 2000


@dataclass
class Reader:
    # (verdict line, status, name, run line, the lines between run and verdict)
    cases: list[tuple[LogLine, Status, str, LogLine | None, list[LogLine]]] = field(
        default_factory=list)
    unfinished: int = 0  # cases read from their failed assertions alone
    # the program an unfinished case's assertion names ("hmm-tests.c" -> "hmm-tests"), by case
    programs: dict[int, str] = field(default_factory=dict)
    _run: LogLine | None = None
    _name: str = ""
    _between: list[LogLine] = field(default_factory=list)
    _asserts: list[LogLine] = field(default_factory=list)
    # assertion lines outside any RUN..verdict span, the first of each (program, test)
    _orphans: dict[tuple[str, str], LogLine] = field(default_factory=dict)

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if "RUN" in text and (started := RUN.match(text)):
            self._close_unfinished()
            self._run, self._between, self._asserts = line, [], []
            self._name = started.group("name")
        elif "  " in text and (m := VERDICT.match(text)) and len(self.cases) < MAX_CASES:
            run = self._run if self._run is not None and m.group("name") in self._run.text \
                else None
            self.cases.append((line, STATUS[m.group("verdict")], m.group("name"), run,
                               self._between if run is not None else []))
            self._run, self._between, self._asserts = None, [], []
        elif self._run is not None and len(self._between) < 8 and text.startswith("#"):
            self._between.append(line)
            self._assertion(line, text)
        elif self._run is not None:
            self._assertion(line, text)
        elif (":Expected" in text and len(self._orphans) < MAX_CASES
              and (m := ASSERT.match(text))):
            self._orphans.setdefault((m.group("file"), m.group("test")), line)

    def _assertion(self, line: LogLine, text: str) -> None:
        """An assertion of the case the last RUN line started (its test is the name's last
        part: ``hmm.hmm_device_private.hmm_gup_test`` asserts as ``hmm_gup_test``)."""
        if (len(self._asserts) < 8 and ":Expected" in text and (m := ASSERT.match(text))
                and self._name.rsplit(".", 1)[-1] == m.group("test")):
            self._asserts.append(line)

    def _close_unfinished(self) -> None:
        if self._run is not None and self._asserts and len(self.cases) < MAX_CASES:
            if m := ASSERT.match(self._asserts[0].text.strip()):
                self.programs[len(self.cases)] = m.group("file")
            self.cases.append((self._asserts[0], Status.FAIL, self._name, self._run,
                               self._asserts))
            self.unfinished += 1
        self._run, self._between, self._asserts = None, [], []

    def results(self, suite: str) -> list[Result]:
        self._close_unfinished()
        if not self.cases:
            return [Result(suite or program, i, test, "", Status.FAIL,
                           line.text.lstrip("# ").strip(), result_line=line)
                    for i, ((program, test), line) in enumerate(self._orphans.items(), 1)]
        out = []
        for i, (verdict, status, name, run, between) in enumerate(self.cases, 1):
            said = [b for b in between if "Expected" in b.text or ":" in b.text]
            message = said[0].text.lstrip("# ").strip() if said else ""
            program = suite or self.programs.get(i - 1) or "selftest"
            out.append(Result(program, i, name, "", status, message,
                              result_line=verdict, run_line=run, diagnostics=list(between)))
        return out
