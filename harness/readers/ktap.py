"""A streaming reader for kselftest/KTAP output, raw or nested in runners and consoles.

Lines go in one at a time (``feed``); results come out as soon as they are complete. Each
nesting depth ('# ' prefixes added by run_vmtests.sh and the kselftest runner) has its own
suite state. A result line at depth d closes a suite that was running at depth d+1: that line
is the runner's verdict on the whole binary, not a test of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from harness.model import MAX_DIAGNOSTICS, LogLine, Result, Status, SuiteRun
from harness.readers import catalogue
from harness.readers.logread import split_printk, strip_nesting

RESULT = re.compile(r"^(not ok|ok)\s+(\d+)(?:\s+-)?(?:\s+(.*))?$")
DIRECTIVE = re.compile(r"(?:^|\s)#\s*(SKIP|XFAIL|XPASS|TODO|TIMEOUT|error)\b:?\s*(.*)$", re.IGNORECASE)
PLAN = re.compile(r"^1\.\.(\d+)\b")
TOTALS = re.compile(
    r"^Totals:\s*pass:(\d+)\s+fail:(\d+)\s+xfail:(\d+)\s+xpass:(\d+)\s+skip:(\d+)\s+error:(\d+)"
)
PLANNED_MISMATCH = re.compile(r"^Planned tests != run tests \((\d+) != (\d+)\)")
RUN = re.compile(r"^\[RUN\]\s+(.*)$")
HEADER_RUNNING = re.compile(r"^running\s+(\S+)")
HEADER_SELFTESTS = re.compile(r"^selftests:\s*\S+:\s*(\S+)")
BAIL = re.compile(r"^Bail out!\s*(.*)$")
FAIL_SUMMARY = re.compile(r"^\d+ out of \d+ tests failed")
EXIT_CODE = re.compile(r"#\s*exit=(\d+)")
CRASH = re.compile(
    r"(Oops[:\s]|BUG: |kernel BUG at|Kernel panic - not syncing|WARNING: CPU: \d+|"
    r"VM_BUG_ON|general protection fault|Unable to handle kernel|"
    r"\bsegfault at\b|Segmentation fault|Internal error: |list_del corruption|"
    r"page dumped because|Bad page state)"
)
RUN_PREFIX = "# [RUN] "
CRASH_CONTEXT = 24  # console lines kept after a crash signature

STATUS_BY_DIRECTIVE = {
    "skip": Status.SKIP,
    "xfail": Status.XFAIL,
    "xpass": Status.XPASS,
    "todo": Status.XFAIL,
    "timeout": Status.TIMEOUT,
    "error": Status.ERROR,
}


def config_of(name: str) -> str:
    """'R/W ... file mapping ... with local tmpfile' -> 'local tmpfile'; '' without a config."""
    return name.split(" ... with ", 1)[1] if " ... with " in name else ""


@dataclass
class _Level:
    depth: int
    suite: SuiteRun
    run_line: LogLine | None = None
    diagnostics: list[LogLine] = field(default_factory=list)
    numbers_seen: set[int] = field(default_factory=set)
    last_number: int = 0
    results: int = 0
    wrapped: int = 0  # verdicts on nested binaries
    header_seen: bool = False
    named: bool = False
    guesses: dict[str, int] = field(default_factory=dict)
    pending: list[Result] = field(default_factory=list)  # results of this suite so far

    @property
    def running(self) -> str:
        """The name on the open [RUN] line ("" when no test is running)."""
        return self.run_line.text[len(RUN_PREFIX):] if self.run_line else ""

    @property
    def has_content(self) -> bool:
        return self.results > 0 or self.run_line is not None or self.suite.planned is not None


class KselftestParser:
    """Feed LogLines; collect ``Result``s and ``SuiteRun``s. Memory is O(results)."""

    def __init__(self, default_suite: str = "") -> None:
        self.default_suite = default_suite
        self.levels: dict[int, _Level] = {}
        self.suites: list[SuiteRun] = []
        self.kernel_lines: list[LogLine] = []  # printk lines worth keeping (bounded)
        self.crashes: list[list[LogLine]] = []
        self._crash_open: list[LogLine] | None = None
        self._pending_name: dict[int, str] = {}
        self.last_line = 0

    # -- input -----------------------------------------------------------------------------
    def feed_all(self, lines: Iterable[LogLine]) -> Iterator[Result]:
        for line in lines:
            yield from self.feed(line)
        yield from self.finish()

    def feed(self, line: LogLine) -> list[Result]:
        self.last_line = line.line
        is_kernel, text = split_printk(line.text)
        if self._crash_open is not None:
            if len(self._crash_open) < CRASH_CONTEXT:
                self._crash_open.append(LogLine(line.line, line.text, line.source))
            else:
                self._crash_open = None
        if CRASH.search(text):
            return self._crash(LogLine(line.line, line.text, line.source))
        if is_kernel:
            if len(self.kernel_lines) < 2000:
                self.kernel_lines.append(line)
            return []
        depth, body = strip_nesting(text)
        return self._body(depth, body.strip(), line)

    def _body(self, depth: int, body: str, line: LogLine) -> list[Result]:
        out: list[Result] = []
        if match := RESULT.match(body):
            out += self._result(depth, match, line)
        elif match := PLAN.match(body):
            level = self._level(depth)
            if level.suite.planned is not None:
                if level.results:
                    out += self._close_level(depth)
                    level = self._level(depth)
                else:
                    level.suite.anomalies.append(("duplicate-plan", line))
            level.suite.planned = int(match.group(1))
        elif body.startswith(("TAP version", "KTAP version")):
            level = self.levels.get(depth)
            if level is not None and level.results:
                out += self._close_level(depth)
            elif level is not None and level.header_seen:
                level.suite.anomalies.append(("duplicate-header", line))
            self._level(depth, line).header_seen = True
        elif match := RUN.match(body):
            self._run_line(depth, match.group(1), line)
        elif match := TOTALS.match(body):
            level = self._level(depth - 1)
            keys = ("pass", "fail", "xfail", "xpass", "skip", "error")
            level.suite.totals = dict(zip(keys, map(int, match.groups()), strict=True))
        elif PLANNED_MISMATCH.match(body):
            self._level(depth - 1).suite.anomalies.append(("planned-mismatch", line))
        elif match := BAIL.match(body):
            if FAIL_SUMMARY.match(match.group(1)):
                self._level(depth, line).suite.anomalies.append(("fail-summary", line))
            else:
                out += self._bail(depth, match.group(1), line)
        elif (match := HEADER_RUNNING.match(body)) or (match := HEADER_SELFTESTS.match(body)):
            name = match.group(1).rsplit("/", 1)[-1]
            level = self.levels.get(depth)
            if level is not None and level.has_content:
                out += self._close_level(depth)
                level = None
            if level is None:
                self._pending_name[depth] = name
            else:
                level.suite.name, level.named = name, True
        elif depth >= 1 and body:
            self._diagnostic(depth - 1, LogLine(line.line, body, line.source))
        return out

    # -- levels ----------------------------------------------------------------------------
    def _level(self, depth: int, line: LogLine | None = None) -> _Level:
        level = self.levels.get(depth)
        if level is None:
            name = self._pending_name.pop(depth, "")
            suite = SuiteRun(name=name, first_line=line.line if line else self.last_line)
            level = _Level(depth, suite, named=bool(name))
            self.levels[depth] = level
        return level

    def _run_line(self, depth: int, desc: str, line: LogLine) -> None:
        level = self._level(depth - 1, line)
        level.run_line = LogLine(line.line, RUN_PREFIX + desc, line.source)
        level.diagnostics = []
        guess = catalogue.guess_suite(desc)
        if guess:
            level.guesses[guess] = level.guesses.get(guess, 0) + 1

    def _diagnostic(self, depth: int, line: LogLine) -> None:
        level = self._level(depth, line)
        if len(level.diagnostics) < MAX_DIAGNOSTICS:
            level.diagnostics.append(line)

    def _result(self, depth: int, match: re.Match[str], line: LogLine) -> list[Result]:
        out: list[Result] = []
        child = self.levels.get(depth + 1)
        if child is not None and (child.results or child.wrapped):
            # A runner's verdict on a whole binary at depth+1: it counts in the runner's plan.
            out += self._close_level(depth + 1, verdict=(match, line))
            parent = self._level(depth, line)
            number = int(match.group(2))
            parent.numbers_seen.add(number)
            parent.last_number = max(parent.last_number, number)
            parent.wrapped += 1
            return out
        level = self._level(depth, line)
        number = int(match.group(2))
        if number in level.numbers_seen:
            if number == 1 and level.results > 1:
                out += self._close_level(depth)
                level = self._level(depth, line)
            else:
                level.suite.anomalies.append(("duplicate-number", line))
        elif number > level.last_number + 1:
            out += self._gap(level, level.last_number + 1, number)
        out.append(self._make_result(level, match, line))
        return out

    def _make_result(self, level: _Level, match: re.Match[str], line: LogLine) -> Result:
        ok = match.group(1) == "ok"
        number = int(match.group(2))
        rest = (match.group(3) or "").strip()
        status = Status.PASS if ok else Status.FAIL
        desc, reason = rest, ""
        if directive := DIRECTIVE.search(rest):
            desc = rest[: directive.start()].strip()
            reason = directive.group(2).strip()
            status = STATUS_BY_DIRECTIVE[directive.group(1).lower()]
            if status is Status.XFAIL and not ok:
                status = Status.FAIL  # a 'not ok' with the TAP todo directive still failed
        run_name = level.running
        name = run_name or (desc if catalogue.looks_like_name(desc) else "")
        diags = [d for d in level.diagnostics if not d.text.startswith("[INFO]")]
        message = reason or desc
        if (not message or message == name) and diags:
            message = diags[-1].text
        elif message == name:
            message = ""
        config = config_of(name)
        result = Result(
            suite=level.suite.name or self.default_suite,
            number=number,
            name=name,
            config=config,
            status=status,
            message=message,
            result_line=line,
            run_line=level.run_line,
            diagnostics=list(level.diagnostics),
        )
        level.numbers_seen.add(number)
        level.last_number = max(level.last_number, number)
        level.results += 1
        level.run_line = None
        level.diagnostics = []
        self._remember(level, result)
        return result

    def _remember(self, level: _Level, result: Result) -> None:
        level.pending.append(result)

    def _gap(self, level: _Level, first: int, upto: int) -> list[Result]:
        level.suite.anomalies.append(("numbering-gap", LogLine(self.last_line, f"{first}..{upto - 1}")))
        out = []
        for number in range(first, min(upto, first + 1000)):
            result = Result(level.suite.name or self.default_suite, number, "", "", Status.MISSING,
                            "no result line in the log")
            level.numbers_seen.add(number)
            self._remember(level, result)
            out.append(result)
        return out

    def _bail(self, depth: int, text: str, line: LogLine) -> list[Result]:
        level = self._level(depth, line)
        level.suite.bail_out = line
        number = level.last_number + 1
        name = level.running
        result = Result(level.suite.name or self.default_suite, number, name, config_of(name),
                        Status.ERROR, "Bail out! " + text, result_line=line,
                        run_line=level.run_line, diagnostics=list(level.diagnostics))
        level.numbers_seen.add(number)
        level.last_number = number
        level.results += 1
        level.run_line = None
        self._remember(level, result)
        return [result]

    def _crash(self, line: LogLine) -> list[Result]:
        excerpt = [line]
        self.crashes.append(excerpt)
        self._crash_open = excerpt
        if len(self.crashes) > 50:
            self.crashes.pop(0)
        # The test running now (deepest level with an open [RUN]) is the one that crashed.
        for depth in sorted(self.levels, reverse=True):
            level = self.levels[depth]
            if level.run_line is not None and level.suite.crashed is None:
                level.suite.crashed = line
                break
        else:
            if self.levels:
                deepest = self.levels[max(self.levels)]
                if deepest.suite.crashed is None:
                    deepest.suite.crashed = line
        return []

    def _close_level(self, depth: int, verdict: tuple[re.Match[str], LogLine] | None = None
                     ) -> list[Result]:
        out: list[Result] = []
        for deeper in sorted((d for d in self.levels if d > depth), reverse=True):
            out += self._close_level(deeper)
        level = self.levels.pop(depth, None)
        if level is None:
            return out
        suite = level.suite
        if level.wrapped and not level.results and not suite.anomalies:
            return out  # a runner level: its binaries are the suites
        if not suite.name:
            suite.name = self._guess_name(level, verdict)
        pending = level.pending
        for result in pending:
            if not result.suite or result.suite == self.default_suite:
                result.suite = suite.name or self.default_suite or "selftest"
        timed_out = verdict is not None and "TIMEOUT" in (verdict[0].group(3) or "")
        if level.run_line is not None:
            # A test started and never reported: cut off by a crash, a kill or the end of the log.
            name = level.running
            status = Status.CRASH if suite.crashed else Status.MISSING
            if timed_out:
                status = Status.TIMEOUT
            result = Result(suite.name or "selftest", level.last_number + 1, name, config_of(name),
                            status, "started but never reported a result",
                            run_line=level.run_line, diagnostics=list(level.diagnostics))
            level.last_number += 1
            pending.append(result)
            out.append(result)
        if suite.planned is not None and not suite.bail_out:
            for number in range(level.last_number + 1, min(suite.planned, level.last_number + 1000) + 1):
                result = Result(suite.name or "selftest", number, "", "", Status.MISSING,
                                "planned but not run")
                pending.append(result)
                out.append(result)
        if verdict is not None:
            match, line = verdict
            code = EXIT_CODE.search(match.group(3) or "")
            suite.exit_code = int(code.group(1)) if code else (0 if match.group(1) == "ok" else 1)
            if timed_out:
                suite.anomalies.append(("runner-timeout", line))
            elif match.group(1) == "not ok" and not any(
                r.status in (Status.FAIL, Status.ERROR, Status.CRASH, Status.MISSING, Status.TIMEOUT)
                for r in pending
            ):
                suite.anomalies.append(("runner-fail-without-failures", line))
        self.suites.append(suite)
        return out

    def _guess_name(self, level: _Level, verdict: tuple[re.Match[str], LogLine] | None) -> str:
        if verdict is not None:
            desc = (verdict[0].group(3) or "").split("#", 1)[0].strip()
            desc = desc.removeprefix("running ").strip()
            if desc:
                return desc.split()[-1].rsplit("/", 1)[-1]
        if level.guesses:
            return max(level.guesses, key=level.guesses.__getitem__)
        return self.default_suite

    def finish(self) -> list[Result]:
        out: list[Result] = []
        for depth in sorted(self.levels):
            if depth in self.levels:
                out += self._close_level(depth)
        return out
