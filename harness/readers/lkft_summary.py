"""LKFT's qa-reports summary mails of 2019-2020 ("next-20200414 kselftest results" from
ci_notify@linaro.org): sections underlined with dashes, each listing tests per environment.

    Regressions (compared to build next-20200413)
    ------------------------------------------------------------------------
    i386:
     kselftest:
        * net_run_afpackettests
    Fixes (compared to build next-20200413)
    ...
    Failures
    ------------------------------------------------------------------------
    qemu_i386:
    * kselftest/vm_run_vmtests
    Skips
    ------------------------------------------------------------------------
    No skips

A regression becomes a failed result, a fix a passed one, a listed failure a failed one (the
list holds every failure of the run, long-known ones included) and a listed skip a skipped one;
the environment and the suite collection ("kselftest-vsyscall-mode-none") are where it ran.
The mail has no log: nothing in it explains a failure. Read only once a "Regressions (compared
to build ...)" section was seen, and used only when the input holds no results of its own.
In September 2020 the same sections came as markdown ("## Regressions (compared to build
next-20200914)", "## Failures" with "### juno-r2, kselftest" over "* memfd_memfd_test"); its
"## Summary" counts are no results. (LKFT's 2017 and 2022 layouts are `lkft_mail`'s.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

UNDERLINE = lazy(r"^-{20,}\s*$")
SECTION = lazy(r"^(Regressions|Fixes) \(compared to (?:build )?([^)]+)\)\s*$|"
               r"^(Failures|Skips)\s*$")
COLLECTION = lazy(r"^(kselftest[\w-]*):$")  # " kselftest-vsyscall-mode-none:"
ENVIRONMENT = lazy(r"^([\w.+-]+(?: - [\w.+-]+)?):$")  # "qemu_x86_64:", "x15 - arm:"
LISTED = lazy(r"^\*\s+(?:(kselftest[\w-]*)/)?([\w./+=,-]+)$")
# The 2020 layout's "### hi6220-hikey, kselftest" over a section's list.
BOARD = lazy(r"^([\w.+-]+),\s+(kselftest[\w-]*)\s*$")
STATUS = {"regressions": Status.FAIL, "fixes": Status.PASS, "failures": Status.FAIL,
          "skips": Status.SKIP}
MAX_TESTS = 5000


@dataclass
class Reader:
    results_: list[Result] = field(default_factory=list)
    seen: set[tuple[str, str, str]] = field(default_factory=set)
    numbers: dict[str, int] = field(default_factory=dict)  # results so far, per suite
    previous: LogLine | None = None
    section: str = ""
    baseline: str = ""
    started: bool = False  # a "Regressions (compared to build ...)" header was seen
    environment: str = ""
    collection: str = ""

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if not text or len(text) > 200 or len(self.results_) >= MAX_TESTS:
            return
        if UNDERLINE.match(text):
            self._header(self.previous)
        elif text[:3] == "## ":  # the 2020 layout: markdown headings instead of underlines
            self._header(LogLine(line.line, text[3:], line.source))
        elif text[:4] == "### " and self.section and (m := BOARD.match(text[4:])):
            self.environment, self.collection = m.group(1), m.group(2)
        elif self.section:
            self._list_line(text, line)
        self.previous = line

    def _header(self, line: LogLine | None) -> None:
        m = SECTION.match(line.text.strip()) if line is not None else None
        self.environment = self.collection = ""
        if m is None:
            self.section = ""
            return
        if m.group(1):
            self.started = True
            self.baseline = self.baseline or m.group(2).strip()
        self.section = (m.group(1) or m.group(3)).lower()

    def _list_line(self, text: str, line: LogLine) -> None:
        if m := COLLECTION.match(text):
            self.collection = m.group(1)
        elif m := ENVIRONMENT.match(text):
            self.environment, self.collection = m.group(1), ""
        elif self.started and self.environment and (m := LISTED.match(text)):
            self._add(m.group(1) or self.collection, m.group(2), line)

    def _add(self, collection: str, test: str, line: LogLine) -> None:
        where = " ".join(x for x in (self.environment, collection) if x)
        # "memfd_memfd_test" (2020: suite_test) or "rtc.rtctest", "net.mptcp.mptcp_connect.sh"
        # (October 2020 on: suite.test)
        dot, underscore = test.find("."), test.find("_")
        split = "." if 0 < dot and (underscore < 0 or dot < underscore) else "_"
        suite, _, name = test.partition(split)
        if not name:
            suite, name = "lkft", test
        if (where, suite, name) in self.seen:  # a regression is in the failures list too
            return
        self.seen.add((where, suite, name))
        number = self.numbers[suite] = self.numbers.get(suite, 0) + 1
        self.results_.append(Result(suite, number, name, where, STATUS[self.section],
                                    self._message(where), result_line=line))

    def _message(self, where: str) -> str:
        compared = f" compared to {self.baseline}" if self.baseline else ""
        return {
            "regressions": f"LKFT lists it as a regression{compared} on {where} (no log in the "
                           "report)",
            "fixes": f"LKFT lists it as fixed{compared} on {where}",
            "failures": f"LKFT lists it among the run's failures on {where} (known failures "
                        "included; no log in the report)",
            "skips": f"LKFT lists it as skipped on {where}",
        }[self.section]

    def results(self) -> list[Result]:
        return self.results_ if self.started else []

    def note(self) -> str:
        failed = sum(r.status == Status.FAIL for r in self.results_)
        compared = f" compared to {self.baseline}" if self.baseline else ""
        regressed = sum(r.message.startswith("LKFT lists it as a regression")
                        for r in self.results_)
        return (f"an LKFT summary: {regressed} regression(s){compared} and {failed} failing "
                "test(s) listed without logs; a failure in it is not explained by the mail alone")
