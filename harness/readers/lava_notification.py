"""LAVA's job notification mail: the job's health, its error, and one line per test case.

A LAVA lab mails (or a CI list archives, e.g. cip-testing-results) a summary of each job::

    The job with ID # 337377 is now in state Finished and health Incomplete. ...
    Job error: Unable to update image rootfs: ... tar: kselftest/proc/self: Cannot write: \
No space left on device ...

    Test Suite 0_kselftest: http://lava.ciplatform.org/results/334017/0_kselftest
    Test Case run_vmtests: Test failed
    Test Suite lava: http://lava.ciplatform.org/results/337377/lava
    Test Case deployimages: Test failed
    Test Case job: Test failed

A test suite's cases are results (the suite without LAVA's ``0_`` order prefix). The ``lava``
suite holds LAVA's own actions (deploy, boot, login, overlays): when the job has an error,
its failed actions are that one error, reported once as the job's result with the error as its
message (and the call and errno the error names, e.g. tar's "Cannot write: No space left on
device"); without an error each failed action is a result of its own. Used only when the input
holds no result lines at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.prose_failures import call_before_errno, errnos_in

HEALTH = lazy(r"^The job with ID # ?\d+ is now in state \w+ and health (?P<health>\w+)")
JOB_ERROR = lazy(r"^Job error:\s*(?P<error>.*?)\s*$")
SUITE = lazy(r"^Test Suite (?P<suite>[\w.+-]+):")
CASE = lazy(r"^Test Case (?P<case>\S.*?): Test (?P<result>passed|failed|skipped|unknown)"
            r"\s*$")
STATUS = {"passed": Status.PASS, "failed": Status.FAIL, "skipped": Status.SKIP,
          "unknown": Status.ERROR}
LAVA_SUITE = "lava"
MAX_CASES = 20000


def _unescape(text: str) -> str:
    """``&amp;`` and the like as the mail's HTML part left them (html loads when a job error
    is read, not for every input)."""
    import html

    return html.unescape(text)


@dataclass
class Reader:
    health: str = ""
    error: str = ""
    error_line: LogLine | None = None
    error_open: bool = False
    suite: str = ""
    cases: list[tuple[LogLine, str, str, Status]] = field(default_factory=list)

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if self.error_open:  # the error goes on to the blank line after it (a wrapped mail)
            if text and not text.startswith(("Device details", "Test ")):
                self.error = f"{self.error} {_unescape(text)}"
                return
            self.error_open = False
        if not text.startswith(("The job", "Job error", "Test ")):
            return
        if m := HEALTH.match(text):
            self.health = m.group("health")
        elif self.health and (m := JOB_ERROR.match(text)):
            self.error, self.error_line = _unescape(m.group("error")), line
            self.error_open = bool(self.error)
        elif self.health and (m := SUITE.match(text)):
            self.suite = re.sub(r"^\d+_", "", m.group("suite"))
        elif self.suite and len(self.cases) < MAX_CASES and (m := CASE.match(text)):
            self.cases.append((line, self.suite, m.group("case"), STATUS[m.group("result")]))

    def results(self) -> list[Result]:
        if not self.health:
            return []
        out: list[Result] = []
        for line, suite, case, status in self.cases:
            if suite == LAVA_SUITE and self.error and status is not Status.PASS:
                continue  # one of the actions the job error stopped
            out.append(Result(suite, len(out) + 1, case, "", status, result_line=line))
        if self.error and self.error_line is not None:
            job = Result(LAVA_SUITE, len(out) + 1, "job", "", Status.ERROR, self.error,
                         result_line=self.error_line)
            if errnos := errnos_in(self.error):  # the first error named; the rest follow it
                job.syscall = call_before_errno(self.error) or None
                job.errno, job.syscall_source = errnos[0][1], "diagnostic"
            out.append(job)
        return out

    def note(self) -> str:
        error = f"; LAVA's job error: {self.error[:80]!r}" if self.error else ""
        return (f"a LAVA job notification (health {self.health}): {len(self.cases)} test "
                f"case line(s), no log{error} - LAVA's own failed actions are that error")
