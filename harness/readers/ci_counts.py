"""A stable-review reply that gives only its CI's counts, as NVIDIA's Tegra replies do:

    All tests passing for Tegra ...

    Test results for stable-v6.6:
        10 builds:	10 pass, 0 fail
        28 boots:	28 pass, 0 fail
        120 tests:	120 pass, 0 fail

    Linux version:	6.6.101-rc1-g1a25720a319a

Each count line is one result of the CI (its builds, boots, tests): passed when it counts no
failure, failed otherwise (the reply names the failing tests on "Test failures:" lines, with
no log: nothing in it explains them) - unless the reply opens with "No new regressions for
Tegra ...": then the failures it counts are ones the tester already knows, as LKFT's totals are,
and the counts pass. Used only when the input holds no selftest results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

HEADER = lazy(r"^Test results for ([\w.+-]+):\s*$")
COUNT = lazy(r"^(\d+) (builds|boots|tests):\s*(\d+) pass, (\d+) fail\s*$")
FAILURES = lazy(r"^Test failures:\s*(\S.*)$")
# What a CI's count of zero tests says (also readers/lkft_mail.py): nothing was tested.
EMPTY_RUN = "the CI counted no test at all"
NO_NEW = lazy(r"^No new regressions for \S")


@dataclass
class Reader:
    header: LogLine | None = None
    counts: list[tuple[LogLine, str, int, int]] = field(default_factory=list)
    failures: list[LogLine] = field(default_factory=list)
    known: bool = False  # "No new regressions for Tegra ...": the failures counted are known

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if not text or not text[0].isalnum():
            return
        if self.header is None:
            if NO_NEW.match(text):
                self.known = True
            elif text.startswith("Test results for ") and HEADER.match(text):
                self.header = line
        elif (m := COUNT.match(text)) and len(self.counts) < 3:
            self.counts.append((line, m.group(2), int(m.group(3)), int(m.group(4))))
        elif FAILURES.match(text):
            self.failures.append(line)

    def results(self) -> list[Result]:
        if self.header is None or not self.counts:
            return []
        match = HEADER.match(self.header.text.strip())
        where = match.group(1) if match else "ci"
        out = []
        for number, (line, what, passed, failed) in enumerate(self.counts, 1):
            status = Status.FAIL if failed and not self.known else Status.PASS
            known = " (known failures: no new regressions)" if failed and self.known else ""
            message = f"{what}: {passed} pass, {failed} fail{known}"
            if not passed and not failed:  # "0 tests: 0 pass, 0 fail" is a run of nothing
                status, message = Status.ERROR, f"{message}: {EMPTY_RUN}"
            out.append(Result(where, number, what, "", status, message, result_line=line))
        return out

    def note(self) -> str:
        failed = sum(f for _, _, _, f in self.counts)
        if not failed:
            return "a CI's counts only (a stable-review reply): nothing failed"
        if self.known:
            return (f"a CI's counts only (a stable-review reply): {failed} failure(s) the reply "
                    "calls no new regression (known to the tester)")
        named = f"; the reply names them: {self.failures[0].text.strip()}" \
            if self.failures else ""
        return f"a CI's counts only (a stable-review reply): {failed} failed, no log{named}"
