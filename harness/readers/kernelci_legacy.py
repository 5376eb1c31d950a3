"""The legacy KernelCI regression mails (kernelci.org bot, 2019-2024): "kselftest/next
kselftest-livepatch: 1 runs, 1 regressions (v6.8-rc1-56-g539cd3f4da3f)", and under "Test
Regressions" per platform a table row, the run's "Results:" counts and each failing case:

    platform        | arch | lab           | compiler | defconfig                    | ...
    ----------------+------+---------------+----------+------------------------------+ ...
    imx6q-sabrelite | arm  | lab-collabora | gcc-10   | multi_v7_defconfig+kselftest | 1
      ...
      * kselftest-livepatch.shardfile-livepatch: https://kernelci.org/test/case/id/65ded1d5...
            failing since 13 days (last pass: v6.8-rc1, first fail: v6.8-rc1-32-g345e8abe4c355)

("new failure (last pass: v6.1-rc3)" for a case that failed for the first time). Each case
becomes a failed result (suite from the plan, "kselftest-vm" -> "vm"), where it ran from the
table row, the history as its message. The mail has no cause: nothing in it explains the
failure; the log lines it quotes after the case are an excerpt ("... (112 line(s) more)").
Used only when the input holds no results of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

REGRESSIONS = lazy(r"^Test Regressions\s*$")
ROW = lazy(r"^([\w.+-]+)\s*\|\s*([\w.+-]+)\s*\|\s*([\w.+-]+)\s*\|\s*([\w.+-]+)\s*\|"
           r"\s*([\w.+-]+)\s*\|\s*\d+\s*$")
CASE = lazy(r"^\*\s+([\w-]+)\.([\w.+=,-]+):\s+https?://\S+"
            r"(?:\s+((?:new failure|failing since)\b.*))?$")
HISTORY = lazy(r"^(?:new failure \(last pass: [^)]*\)|failing since \d+ days? \([^)]*\))")
MAX_TESTS = 2000


@dataclass
class Reader:
    results_: list[Result] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)  # results so far, per suite
    started: bool = False
    where: str = ""
    pending: tuple[str, str, LogLine] | None = None

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if not text or len(text) > 400 or len(self.results_) >= MAX_TESTS:
            return
        if REGRESSIONS.match(text):
            self.started = True
        elif not self.started:
            return
        elif m := ROW.match(text):
            self.where = f"{m.group(1)} {m.group(5)}"
        elif m := CASE.match(text):
            self.pending = (m.group(1), m.group(2), line)
            if m.group(3):
                self._add(m.group(3))
        elif self.pending is not None and (m := HISTORY.match(text)):
            self._add(m.group(0))
        else:
            self.pending = None

    def _add(self, history: str) -> None:
        if self.pending is None:
            return
        plan, case, line = self.pending
        self.pending = None
        suite = plan.removeprefix("kselftest-")
        name = case.removeprefix(f"{suite}_") or case
        number = self.numbers[suite] = self.numbers.get(suite, 0) + 1
        self.results_.append(Result(
            suite, number, name, self.where, Status.FAIL,
            f"KernelCI lists it as a regression on {self.where or 'its platform'}: "
            f"{history.strip()} (no cause in the report)", result_line=line))

    def results(self) -> list[Result]:
        return self.results_

    def note(self) -> str:
        return (f"a KernelCI regression mail: {len(self.results_)} failing case(s) with their "
                "history and at most a log excerpt; a failure in it is not explained by the mail "
                "alone")
