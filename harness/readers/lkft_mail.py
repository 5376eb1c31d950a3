"""LKFT's report mails (Linaro's Linux Kernel Functional Testing): "lkft kselftest for
next-20220315", "[REGRESSION] lkft ...", and the same sections under a stable review reply.

    ## Test Regressions (compared to next-20220302)
    * qemu_x86_64, kselftest-vm
      - vm.run_vmtests.sh
    ## Test Fixes (compared to next-20220302)
    No test fixes found.
    ## Test result summary
    total: 2020, pass: 1067, fail: 118, skip: 835, xfail: 0

A listed regression becomes a failed result (device and suite as its configuration), a listed
fix a passed one. The mail has no log: nothing in it explains a failure. The totals count the
failures LKFT already knows about (its known issues): they are no regressions, so a mail whose
regression section is empty ("No test regressions found.") says the run found nothing new - one
passed result that quotes the comparison and the totals. Used only when the input holds no
selftest results of its own. A summary that counts no test at all ("total: 0, pass: 0") is a
run that tested nothing - no pass, whatever the sections say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.ci_counts import EMPTY_RUN

SECTION = lazy(r"^##\s+(Test Regressions|Test Fixes|Metric Regressions|Metric Fixes|"
               r"Test result summary|Build Summary|Test suites summary|Build)\b"
               r"(?:\s*\(compared to ([^)]+)\))?", re.IGNORECASE)
WHERE = lazy(r"^\*\s+([\w.+-]+),\s+([\w./+-]+)\s*$")
# LKFT's later layout names only the suite ("* ltp-syscalls" / "  - epoll_ctl04", stable review
# replies 2024-2025): the device is not said.
SUITE_ONLY = lazy(r"^\*\s+([\w./+-]+)\s*$")
TEST = lazy(r"^-\s+([\w./:+=,-]+)\s*$")
NONE_FOUND = lazy(r"^No test regressions found\.?\s*$", re.IGNORECASE)
# LKFT's first layout (2017): "No regressions (compared to build v4.14-rc8)" above per-board
# counts ("* kselftest - skip: 16, pass: 38").
NO_REGRESSIONS = lazy(r"^No regressions \(compared to (?:build )?([^)]+)\)\s*$",
                      re.IGNORECASE)
# Naresh Kamboju's LKFT regression mails name the last good and the first bad build of the
# tree ("GOOD tag: next-20221202" / "BAD tag: next-20221205", "GOOD: next-20220107" /
# " BAD:    next-20220110", either order): the failure came with the kernel changes between
# them - for LTP, whose version LKFT pins, that is a kernel bisect to a range; for a kernel
# crash on the bad build, the range that brought it. The same pair in other cases and words:
# "Good: next-20230112" / "Bad: next-20230113", "GOOD: next-20230109  (defconfig + kselftests
# configs)", "last good: v6.1-rc3" / "first bad: v6.1-rc4", or one line "GOOD: v6.1-rc3, BAD:
# v6.1-rc4".
# The build may carry its metadata key: "BAD: git_sha: cdeffe87f790..." / "GOOD:   git_sha:
# babf0bb978e3..." (LKFT's zram report on qemu-arm, 2022).
GOOD_BAD = lazy(r"^(?:(?:last|first)\s+)?(?P<which>good|bad)(?:\s+(?:tag|build|kernel))?:"
                r"(?:\s*(?:git_)?(?:sha|commit|describe)\s*:)?"
                r"\s+(?P<build>[\w.+-]*\d[\w.+-]*)(?:\s+\([^)]*\))?$", re.IGNORECASE)
# A pasted `git log --oneline <good>..<bad>` lists the kernel changes between a good and a bad
# build - the report's own range, told as the command ("git log --oneline
# next-20201120..next-20201124 -- mm/highmem.c", LKFT's access01 BUG on i386, 2020) or as a
# bare "# git log  --oneline" with the range on the next line ("babf0bb978e3...
# ..cdeffe87f790...", LKFT's zram Oops on qemu-arm, 2022). Only a range of two revisions counts.
GIT_LOG = lazy(r"^(?:[#$]\s*)?git\s+(?:log|shortlog)\b")
REV_RANGE = lazy(r"(?:^|\s)(?P<good>[\w.+-]*\w)\.\.(?P<bad>[\w.+-]*\w)(?=\s|$)")
# IBM's Power CI mails write the pair as where the issue shows: "Issue is seen on:
# next-20250212" / "Issue not seen on: next-20250210" (fstests generic/451, 2025); other
# reporters "Problem observed on ...", "Not reproducible on ...", "Regression seen with ...".
SEEN_ON = lazy(r"^(?:(?:the\s+)?(?:issue|problem|regression|failure|crash|bug)\s+)?"
               r"(?:is\s+|was\s+)?(?P<not>not\s+)?(?:seen|observed|reproduced|reproducible|"
               r"noticed|present)\s+(?:on|in|with)\s*:?\s+(?P<build>[\w.+-]*\d[\w.+-]*)"
               r"(?:\s+\([^)]*\))?\.?$", re.IGNORECASE)
# The same pair in a sentence, wrapped anywhere: "This issue is introduced in next-20250506.
# This issue is not seen on\nnext-20250505 kernel." (IBM's Power CI, btrfs/001, 2025). Only a
# kernel build's name counts (a linux-next tag, a version, an -rc).
BUILD = r"(?P<build>(?:linux-)?next-\d{8}|v?\d+\.\d+(?:\.\d+)?(?:-rc\d+)?(?:-next-\d{8})?)\b"
PROSE_RANGE = lazy(r"\b(?:issue|problem|regression|crash|failure|bug|oops)\s+(?:is|was)\s+"
                   r"(?:(?P<not>not)\s+)?(?:first\s+)?(?:introduced|seen|observed|"
                   r"reproduced|reproducible|noticed|present)\s+(?:in|on|with)\s+(?:the\s+)?"
                   + BUILD, re.IGNORECASE)
PROSE_WORDS = ("seen", "introduced", "reproduc", "observed", "present", "noticed")
RANGE_PARTS = lazy(r"\s*[,;]\s+|\s*$")
RANGE_START = ("goo", "bad", "las", "fir", "iss", "pro", "reg", "fai", "cra", "bug", "the",
               "not", "see", "obs", "rep")
TOTALS = lazy(r"^total:\s*(\d+),\s*pass:\s*(\d+),\s*fail:\s*(\d+),\s*skip:\s*(\d+)")
MAX_TESTS = 5000


def _which(m: re.Match[str]) -> str:
    """GOOD or BAD for a GOOD_BAD or SEEN_ON match."""
    if m.re == SEEN_ON:  # (a lazy pattern: == to the compiled one, not is)
        return "GOOD" if m.group("not") else "BAD"
    return m.group("which").upper()


@dataclass
class Reader:
    regressions: list[Result] = field(default_factory=list)
    fixes: list[Result] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)  # results so far, per suite
    section: str = ""
    baseline: str = ""
    where: tuple[str, str] | None = None
    header: LogLine | None = None  # the "## Test Regressions" line
    none_found: bool = False
    totals: LogLine | None = None
    good_bad: dict[str, LogLine] = field(default_factory=dict)  # "GOOD"/"BAD" -> its line
    _tail: str = ""  # the line before, for a sentence that wraps
    _git_log: bool = False  # the line before was a `git log` command without its range

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        self._prose_range(text, line)
        if not text or len(text) > 300 or len(self.regressions) + len(self.fixes) >= MAX_TESTS:
            return
        if self._git_log_range(text, line) or (text[:3].lower() in RANGE_START
                                               and self._range(text, line)):
            return
        if text[:2] == "##" and (m := SECTION.match(text)):
            self.section, self.where = m.group(1).lower(), None
            if self.section == "test regressions" and self.header is None:
                self.header, self.baseline = line, (m.group(2) or "").strip()
            return
        if self.header is None and text[:3] == "No " and (m := NO_REGRESSIONS.match(text)):
            self.header, self.baseline, self.none_found = line, m.group(1).strip(), True
        elif self.section == "test regressions" and NONE_FOUND.match(text):
            self.none_found = True
        elif self.section == "test result summary" and self.totals is None and TOTALS.match(text):
            self.totals = line
        elif self.section in ("test regressions", "test fixes"):
            if m := WHERE.match(text):
                self.where = (m.group(1), m.group(2))
            elif m := SUITE_ONLY.match(text):
                self.where = ("", m.group(1))
            elif self.where is not None and (m := TEST.match(text)):
                self._add(m.group(1), line)

    def _add(self, test: str, line: LogLine) -> None:
        device, suite = self.where or ("", "")
        suite = suite.removeprefix("kselftest-")
        name = test.removeprefix(f"{suite}.").removeprefix(f"{suite}_")
        compared = f" compared to {self.baseline}" if self.baseline else ""
        number = self.numbers[suite] = self.numbers.get(suite, 0) + 1
        on = f" on {device}" if device else ""
        if self.section == "test regressions":
            self.regressions.append(Result(
                suite, number, name, device, Status.FAIL,
                f"LKFT lists it as a regression{compared}{on} (no log in the report)",
                result_line=line))
        else:
            self.fixes.append(Result(
                suite, number, name, device, Status.PASS,
                f"LKFT lists it as fixed{compared}{on}", result_line=line))

    def results(self) -> list[Result]:
        """The regressions and fixes listed; for a mail that lists no regression, its one
        verdict: nothing regressed."""
        if self.header is None:
            return []
        if self.regressions or self.fixes:
            return self.regressions + self.fixes
        if not self.none_found:  # an empty section under a reply's prose says nothing itself
            return []
        if self.totals is not None and (m := TOTALS.match(self.totals.text.strip())) \
                and m.group(1) == "0":  # "total: 0, pass: 0, ...": no regression in no test
            return [Result("lkft", 1, "test result summary", "", Status.ERROR,
                           f"{self.totals.text.strip()}: {EMPTY_RUN} ('No test regressions "
                           "found' compares nothing)", result_line=self.totals)]
        compared = f" compared to {self.baseline}" if self.baseline else ""
        totals = f"; the run's totals (known failures included): {self.totals.text.strip()}" \
            if self.totals is not None else ""
        return [Result("lkft", 1, f"test regressions{compared}", "", Status.PASS,
                       f"No test regressions found{compared}{totals}",
                       result_line=self.header)]

    def _range(self, text: str, line: LogLine) -> bool:
        """A line naming the last good or the first bad build (or both, comma-separated)."""
        found = [m for part in RANGE_PARTS.split(text) if part
                 and (m := GOOD_BAD.match(part) or SEEN_ON.match(part))
                 and not m.group("build").isdigit()]
        if not found or sum(len(m.group(0)) for m in found) < len(text) // 2:
            return False
        for m in found:
            self.good_bad.setdefault(_which(m), line)
        return True

    def _git_log_range(self, text: str, line: LogLine) -> bool:
        """A `git log good..bad` command, or its range on the line after a bare `git log`:
        both ends of the range at once."""
        after_command, self._git_log = self._git_log, False
        command = GIT_LOG.match(text)
        if command is None and not after_command:
            return False
        rest = text[command.end():] if command is not None else text
        m = REV_RANGE.search(rest)
        if m is None or command is None and m.start() > 0:
            self._git_log = command is not None and "--" not in rest.split()
            return command is not None
        self.good_bad.setdefault("GOOD", line)
        self.good_bad.setdefault("BAD", line)
        return True

    def _prose_range(self, text: str, line: LogLine) -> None:
        """The pair in a sentence that may wrap: each end is read from this line joined to the
        one before it, where the match ends on this line."""
        joined = f"{self._tail} {text}" if self._tail else text
        start = len(joined) - len(text)
        self._tail = text[-120:]
        if not any(word in joined.lower() for word in PROSE_WORDS):
            return
        for m in PROSE_RANGE.finditer(joined):
            if m.end() > start:
                self.good_bad.setdefault("GOOD" if m.group("not") else "BAD", line)

    def bad_build(self) -> LogLine | None:
        """The first bad build's line when the mail names both ends of the range."""
        return self.good_bad.get("BAD") if len(self.good_bad) == 2 else None

    def note(self) -> str:
        compared = f" compared to {self.baseline}" if self.baseline else ""
        if (results := self.results()) and results[0].status == Status.ERROR:
            return "an LKFT report whose summary counts no test: the run tested nothing"
        if self.regressions:
            return (f"an LKFT report: {len(self.regressions)} test regression(s){compared} "
                    "listed without logs; a failure in it is not explained by the mail alone")
        known = ("; the failures its totals count are ones LKFT already knows (not listed, not "
                 "regressions)") if self.totals is not None else ""
        return f"an LKFT report: no test regressions{compared}{known}"
