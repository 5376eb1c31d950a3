"""Is this the whole run or a piece of it? An excerpt is not a crash.

The kselftest parser fills in what a log does not show: numbers skipped between two results,
the tests a plan promised, a test whose ``[RUN]`` line has no result. In a complete capture
those are real (a crash, a kill). In what people paste - a ``grep`` of a log, the lines around
a failure, a log that starts at test 161 or ends with ``[...]`` - they are only the part that
was not pasted. A missing result counts as a crash only with crash evidence in the input:

- an Oops/BUG/panic/``Unable to handle``/segfault line (the parser's ``crashes``);
- a runner's ``exit=`` with a signal (128+N), or a runner ``TIMEOUT``;
- output that stops right after a ``[RUN]`` line while the console goes on.

Otherwise the made-up results are dropped and one note says which part of the run the input
covers; anomalies that only mean "lines are missing" (numbering gaps, plan not reached, Totals
that disagree with the pasted lines) are dropped with them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status, SuiteRun
from harness.readers.ingest import Parsed
from harness.readers.paste import PasteInfo
from harness.readers.runner_summary import killed_by_signal

GAP = "no result line in the log"
PLANNED = "planned but not run"
STARTED = "started but never reported a result"
SYNTHETIC = frozenset({GAP, PLANNED, STARTED})
FAIL_COUNT = lazy(r"(\d+) out of \d+ tests? failed")
EXCERPT_ANOMALIES = frozenset({"numbering-gap", "planned-mismatch",
                               "runner-fail-without-failures"})


@dataclass
class Coverage:
    """What one suite's part of the input shows."""

    suite: str
    shown: list[Result] = field(default_factory=list)
    made_up: list[Result] = field(default_factory=list)
    planned: int | None = None
    crash_evidence: str = ""
    reasons: list[str] = field(default_factory=list)


def _crash_evidence(parsed: Parsed, suite: SuiteRun | None, cov: Coverage,
                    info: PasteInfo) -> str:
    """What in the input says this suite's output was cut by a crash, a kill or a timeout."""
    if suite is not None:
        if suite.crashed is not None and _fatal(_excerpt_at(parsed, suite.crashed)):
            return f"the console shows {suite.crashed.text.strip()!r}"
        if killed_by_signal(suite.exit_code):
            return f"the runner reports exit={suite.exit_code}"
        if any(kind == "runner-timeout" for kind, _ in suite.anomalies):
            return "the runner reports a TIMEOUT"
    for r in cov.made_up:
        if (r.message == STARTED and r.run_line is not None
                and info.last_line > r.run_line.line
                and not _only_snips_after(info, r.run_line.line)
                and _output_goes_on(parsed, info, r.run_line.line)):
            return (f"the output stops after L{r.run_line.line} ({r.run_line.text.strip()}) "
                    "while the console goes on")
    lines = [r.result_line.line for r in cov.shown if r.result_line is not None]
    last = max(lines) if lines else 0
    for excerpt in parsed.crashes:
        if excerpt and excerpt[0].line > last and len(parsed.suites) <= 1 and _fatal(excerpt):
            return f"the console shows {excerpt[0].text.strip()!r} after the last result"
    return ""


# What stops a test: an oops, a BUG, a panic, a fault, a signal. A WARNING splat (__warn(),
# lockdep, RCU) is printed and the test goes on, so output that ends inside one is a paste cut
# there (a review quoting the trace, 2025), not results a crash took.
FATAL = lazy(r"(?<![A-Za-z])Oops|(?<![A-Za-z])BUG: |kernel BUG at|Kernel panic|VM_BUG_ON|"
             r"general protection fault|Unable to handle kernel|segfault at|"
             r"Segmentation fault|Internal error: |list_del corruption|Bad page state|"
             r": [0-9a-f]{4}\b[^\n\[]{0,24}\[#\d+\]|\bKilled\b|Out of memory")
WARNING = lazy(r"WARNING: ")


def _excerpt_at(parsed: Parsed, first: LogLine) -> list[LogLine]:
    """The console crash excerpt that holds ``first`` (just that line if none does)."""
    for excerpt in parsed.crashes:
        if any(line.line == first.line for line in excerpt):
            return excerpt
    return [first]


def _fatal(excerpt: list[LogLine]) -> bool:
    """Whether a console crash excerpt shows more than a WARNING (see FATAL)."""
    texts = [line.text for line in excerpt]
    if not any(WARNING.search(t) for t in texts):
        return True
    return any(FATAL.search(t) for t in texts)


def _only_snips_after(info: PasteInfo, line: int) -> bool:
    """Whether everything after ``line`` is cut marks (the paste ends there)."""
    after = [s.line for s in info.cut_marks if s.line > line]
    return bool(after) and max(after) >= info.last_line


def _output_goes_on(parsed: Parsed, info: PasteInfo, line: int) -> bool:
    """Whether the console goes on after the ``[RUN]`` line at ``line`` within its pasted block
    (up to the next prose line): some result line, console crash line or kernel console line
    follows. A block that ends with the test's own comment lines ("# [INFO] ..."), then prose,
    is where the writer stopped pasting (cow's header printed again by each fork()ed child,
    2023), not a test the console left behind; a second paste after the prose is another
    block."""
    end = info.block_end(line)
    if any(line < r.result_line.line < end for r in parsed.results
           if r.result_line is not None and r.message not in SYNTHETIC):
        return True
    if any(line < x[0].line < end for x in parsed.crashes if x):
        return True
    # the kernel's own console lines after it (printk-stamped): the console went on
    return any(line < k.line < end for k in parsed.kernel_lines)


def _reasons(cov: Coverage, suite: SuiteRun | None, info: PasteInfo) -> list[str]:
    reasons = []
    numbers = sorted(r.number for r in cov.shown)
    if info.cut_marks:
        reasons.append(f"it has cut marks ({info.marks})")
    if info.filtered:
        cmd = next((c.text for c in info.commands if "|" in c.text), "")
        reasons.append(f"it was filtered ({cmd})" if cmd else "it was filtered")
    if numbers and numbers[0] > 1 and (suite is None or suite.planned is None):
        reasons.append(f"it starts at test {numbers[0]}")
    if any(r.message == GAP for r in cov.made_up):
        reasons.append("result numbers jump")
    if any(r.message == STARTED for r in cov.made_up):
        reasons.append("it ends while a test is running, with nothing after it")
    if (suite is not None and suite.totals is None and suite.bail_out is None
            and any(r.message == PLANNED for r in cov.made_up)):
            reasons.append("it ends before the plan is reached, without a Totals line")
    if suite is not None and suite.totals is not None:
        total = sum(suite.totals.values())
        if total > len(cov.shown):
            reasons.append(f"its Totals line counts {total} results")
    return reasons


def _numbers(numbers: list[int]) -> str:
    """[1, 2, 3, 56] -> "#1-3, #56"."""
    parts, i = [], 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        parts.append(f"#{numbers[i]}" if i == j else f"#{numbers[i]}-{numbers[j]}")
        i = j + 1
    return ", ".join(parts[:6]) + (" ..." if len(parts) > 6 else "")


def _phrase(cov: Coverage, suite: SuiteRun | None) -> str:
    counted = [r for r in cov.shown if not r.message.startswith("Bail out!")]
    shown = sorted({r.number for r in counted})
    n = len(counted)
    name = cov.suite or "the selftest"
    planned = suite.planned if suite is not None else None
    if planned:
        text = f"the excerpt covers {n} of the {planned} results {name} planned"
    else:
        text = f"the excerpt covers {n} result{'s' if n != 1 else ''} of {name}"
    if shown:
        text += f" ({_numbers(shown)})"
    if suite is not None and suite.totals:
        counts = ", ".join(f"{k}:{v}" for k, v in suite.totals.items() if v)
        text += f"; the run's own Totals line reports {counts or 'nothing run (all 0)'}"
    return text


def _unshown_failures(parsed: Parsed, by_suite: dict[str, Coverage]) -> list[str]:
    """A run's own counts ("Bail out! 8 out of 778 tests failed", "Totals: ... fail:8") with
    fewer failures shown than counted: the failures exist, the input does not say which. One
    result stands for them, so the verdict cannot be clean."""
    notes = []
    for suite in parsed.suites:
        counted = (suite.totals or {}).get("fail", 0)
        line = next((ln for kind, ln in suite.anomalies if kind == "fail-summary"), None)
        if line is not None and (m := FAIL_COUNT.search(line.text)):
            counted = max(counted, int(m.group(1)))
        # an unnamed run's results are the "selftest" suite's (ktap's suite_of)
        cov = by_suite.get(suite.name) or by_suite.get(suite.name or "selftest")
        shown = sum(1 for r in cov.shown if r.status is Status.FAIL) if cov else 0
        if counted <= shown:
            continue
        missing = counted - shown
        name = suite.name or "selftest"
        parsed.results.append(Result(
            name, 0, "", "", Status.FAIL,
            f"{missing} failed test{'s' if missing != 1 else ''} counted by the run but not "
            "shown in the input", result_line=line))
        notes.append(f"{name}: the run counts {counted} failure{'s' if counted != 1 else ''} "
                     f"but the input shows {shown or 'none'} of them; which tests failed is not "
                     "known from this input")
    return notes


def _coverage(parsed: Parsed) -> dict[str, Coverage]:
    """Per suite: the results the input shows, and those the parser made up around them."""
    by_suite: dict[str, Coverage] = defaultdict(lambda: Coverage(""))
    for r in parsed.results:
        if r.name.endswith("(whole binary)"):
            continue  # a runner's verdict: numbered in the runner's count, not the test's
        cov = by_suite[r.suite]
        cov.suite = r.suite
        (cov.made_up if r.status is Status.MISSING and r.message in SYNTHETIC
         else cov.shown).append(r)
    return by_suite


def judge(parsed: Parsed, info: PasteInfo) -> list[str]:
    """Drop what the parser made up for lines that are only not pasted; return the notes."""
    suites = {s.name: s for s in parsed.suites}
    by_suite = _coverage(parsed)
    notes: list[str] = []
    drop: set[int] = set()
    kept_suites: set[str] = set()
    notes += _unshown_failures(parsed, by_suite)
    for name, cov in by_suite.items():
        suite = suites.get(name)
        # A jump in the numbering is lines that were not pasted: a crash ends output, it does
        # not skip numbers and go on.
        drop.update(id(r) for r in cov.made_up if r.message == GAP)
        if _crash_evidence(parsed, suite, cov, info):
            kept_suites.add(name)
            continue  # a real crash or kill: the results it cut off stand as missing
        reasons = _reasons(cov, suite, info)
        drop.update(id(r) for r in cov.made_up)
        if reasons and cov.shown:
            running = [r for r in cov.made_up if r.message == STARTED and r.name]
            note = _phrase(cov, suite) + "; " + "; ".join(reasons)
            if running:
                note += (f"; #{running[0].number} ({running[0].name}) has no result in the "
                         "input, and nothing shows a crash (no Oops, signal or timeout)")
            note += ". Only the results shown are judged."
            notes.append(note[0].upper() + note[1:])
        if suite is not None and suite.totals is not None and reasons:
            suite.totals = None  # counts of the whole run, not of the excerpt
    # Gaps and unreached plans mean "lines are missing" unless a crash explains them.
    for suite in parsed.suites:
        suite.anomalies = [(k, line) for k, line in suite.anomalies
                           if k == "planned-mismatch" and suite.name in kept_suites
                           or k not in EXCERPT_ANOMALIES]
    if notes:  # an excerpt: Totals lines count the whole run, not what was pasted
        named = set(by_suite)
        for suite in parsed.suites:
            if suite.name not in named and suite.name not in kept_suites:
                suite.totals = None
    if drop:
        parsed.results = [r for r in parsed.results if id(r) not in drop]
    return notes
