"""Red Hat CKI's test report mails ("❌ FAIL: Test report for kernel 5.5.0-rc6-e31626d.cki
(arm-next)", 2019-2021): a header of verdicts, the failed tests per architecture, and under
"Hardware testing" every test run on each host with its mark:

        Overall result: FAILED (see details below)
                 Tests: FAILED
    One or more kernel tests failed:
        aarch64:
         ❌ LTP
    Hardware testing
    ----------------
      aarch64:
        Host 2:
           ⚡ Internal infrastructure issues prevented one or more tests (marked
           with ⚡⚡⚡) from running on this architecture.
           This is not the fault of the kernel that was tested.
           ⚡⚡⚡ Boot test
           🚧 ❌ CIFS Connectathon
    Aborted tests
    -------------

✅ passed, ❌ failed, ⚡⚡⚡ aborted (by the CI's infrastructure when the host's block says so:
the mail's own statement that it is not the kernel's fault), ⏱ not finished (no result yet);
🚧 marks a waived test, "executed but their results are not taken into account" - a waived
failure is a skip.
Each test becomes one result (suite "cki", the architecture and host as its configuration);
without a "Hardware testing" list the "One or more kernel tests failed:" list is read. The mail
has no log: nothing in it explains a failure. The header's verdict lines and the legend sections
("Aborted tests", "Waived tests", "Testing timeout") are no results. Used only when the input
holds no selftest results of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

START = lazy(r"^(?:We ran automated tests on (?:a recent commit|a patchset|the )|"
             r"Overall result: (?:FAILED|PASSED|ERROR)\b)")
FAILED_LIST = lazy(r"^One or more kernel tests failed:\s*$")
HARDWARE = lazy(r"^Hardware testing\s*$")
END = lazy(r"^(?:Test sources:|Aborted tests\s*$|Waived tests\s*$|Testing timeout\s*$|"
           r"Compile testing\s*$|We hope that these logs)")
ARCH = lazy(r"^(aarch64|ppc64le|ppc64|s390x|x86_64|i686|armv7hl|riscv64):\s*$")
HOST = lazy(r"^Host (\d+):\s*$")
TEST = lazy(r"^(?P<waived>🚧\s*)?(?P<mark>✅|❌|⚡⚡⚡|⏱)\s*(?P<name>\S.*?)\s*$")
INFRA = lazy(r"Internal infrastructure issues prevented|not the fault of the kernel",
             re.IGNORECASE)
MAX_TESTS = 2000


@dataclass
class Reader:
    listed: list[Result] = field(default_factory=list)  # "One or more kernel tests failed:"
    hardware: list[Result] = field(default_factory=list)  # "Hardware testing"
    seen: bool = False
    section: str = ""  # "failed", "hardware" or ""
    arch: str = ""
    host: str = ""
    infra: set[str] = field(default_factory=set)  # "arch host" blocks the mail calls infra's
    infra_line: dict[str, LogLine] = field(default_factory=dict)

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if not text or len(text) > 200 or len(self.listed) + len(self.hardware) >= MAX_TESTS:
            return
        if not self.seen:
            self.seen = bool(START.match(text))
            return
        if FAILED_LIST.match(text):
            self.section, self.arch, self.host = "failed", "", ""
        elif HARDWARE.match(text):
            self.section, self.arch, self.host = "hardware", "", ""
        elif END.match(text):
            self.section = ""
        elif self.section:
            self._in_section(text, line)

    def _in_section(self, text: str, line: LogLine) -> None:
        if m := ARCH.match(text):
            self.arch, self.host = m.group(1), ""
        elif m := HOST.match(text):
            self.host = f"host {m.group(1)}"
        elif INFRA.search(text) and self.section == "hardware":
            where = self._where()
            self.infra.add(where)
            self.infra_line.setdefault(where, line)
        elif m := TEST.match(text):
            self._add(m.group("name"), m.group("mark"), bool(m.group("waived")), line)

    def _where(self) -> str:
        return " ".join(x for x in (self.arch, self.host) if x)

    def _add(self, name: str, mark: str, waived: bool, line: LogLine) -> None:
        where = self._where()
        status, message = {
            "✅": (Status.PASS, "CKI marks it passed"),
            "❌": (Status.FAIL, "CKI marks it failed (no log in the report)"),
            "⚡⚡⚡": (Status.ERROR, "CKI marks it aborted: it did not complete running"),
        }.get(mark, (None, ""))
        if status is None:  # ⏱: not finished when the mail was sent - no result yet
            return
        if mark == "⚡⚡⚡" and where in self.infra:
            message = ("CKI marks it aborted by its internal infrastructure issues on this "
                       "host (the mail: 'This is not the fault of the kernel that was tested')")
        if waived and (status == Status.FAIL
                       or status == Status.ERROR and where not in self.infra):
            status, message = Status.SKIP, (f"{message}; waived: its result is not taken into "
                                            "account (an unreliable or new test)")
        into = self.listed if self.section == "failed" else self.hardware
        into.append(Result("cki", len(into) + 1, name, where, status, message, result_line=line,
                           diagnostics=[self.infra_line[where]] if where in self.infra_line
                           and mark == "⚡⚡⚡" else []))

    def results(self) -> list[Result]:
        return self.hardware or self.listed

    def note(self) -> str:
        shown = self.results()
        failed = sum(r.status == Status.FAIL for r in shown)
        aborted = sum(r.status == Status.ERROR for r in shown)
        return (f"a CKI test report: {len(shown)} test(s) listed, {failed} failed and {aborted} "
                "aborted, without logs; a failure in it is not explained by the mail alone")
