"""Avocado's job summary: one line per test of a job, as CI wrappers of the kselftests print it.

Avocado (avocado-misc-tests' kernel/kselftest.py runs a selftests component such as mm) reports
each test of a job on one line, and the counts at the end::

    JOB ID     : 87dfd02f027d946a639c0eb0a1d7f0c8715853bf
     (1/4) .../kselftest.py:kselftest.test;run-component-mm-run_type-upstream-f225: STARTED
     (1/4) .../kselftest.py:kselftest.test;run-component-mm-run_type-upstream-f225:  FAIL: \
Testcase failed during selftests. Total failed tests: 17 (1170.86 s)
     (2/6) kselftest.py:kselftest.test;run-component-vm-run_type-upstream-5fab:  ERROR: Command \
'make -C vm' failed.\\nstdout: b''\\nstderr: b'make: *** vm: No such file or directory.  Stop.\\n'
    RESULTS    : PASS 2 | ERROR 1 | FAIL 3 | SKIP 0 | WARN 0 | INTERRUPT 0 | CANCEL 0

Each verdict line (not ``STARTED``) is one result: the suite is the selftests component the
test id names (``run-component-mm``), the message the reason with the job log's escaped
newlines (``\\n``) made spaces. Used only when the input holds no result lines at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

VERDICT = lazy(
    r"^\((?P<n>\d+)/(?P<of>\d+)\)\s+(?P<id>\S.*?):\s+"
    r"(?P<status>PASS|FAIL|ERROR|SKIP|WARN|CANCEL|INTERRUPTED)\b:?\s*(?P<why>.*?)"
    r"\s*(?:\(\d+(?:\.\d+)? s\))?\s*$")
COMPONENT = lazy(r"component-(?P<suite>[\w-]+?)-run_type\b")
STATUS = {"PASS": Status.PASS, "WARN": Status.PASS, "FAIL": Status.FAIL, "ERROR": Status.ERROR,
          "SKIP": Status.SKIP, "CANCEL": Status.SKIP, "INTERRUPTED": Status.TIMEOUT}
MAX_TESTS = 5000


@dataclass
class Reader:
    verdicts: list[tuple[LogLine, re.Match[str]]] = field(default_factory=list)

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if text[:1] == "(" and len(self.verdicts) < MAX_TESTS and (m := VERDICT.match(text)):
            self.verdicts.append((line, m))

    def results(self) -> list[Result]:
        out = []
        for line, m in self.verdicts:
            component = COMPONENT.search(m.group("id"))
            why = m.group("why").replace("\\n", " ").strip()
            out.append(Result(component.group("suite") if component else "avocado",
                              int(m.group("n")), m.group("id"), "", STATUS[m.group("status")],
                              why, result_line=line))
        return out


def note(found: list[Result]) -> str:
    failing = sum(r.status not in (Status.PASS, Status.SKIP) for r in found)
    return (f"an Avocado job summary: {len(found)} test(s) read from its per-test lines, "
            f"{failing} not passing (each line is a whole selftests component run, not a case)")
