"""What every report writer derives from a Report, so JSON, JUnit, mail and terminal tell the
same story: finding order, which results a finding explains, counts, test-number lists, and
log text cleaned for display."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from harness.lazy_regex import lazy
from harness.model import (
    SEVERITY,
    Category,
    Confidence,
    Environment,
    Finding,
    LogLine,
    Report,
    Result,
    Status,
    SuiteRun,
)

# A result with one of these statuses is a failure (something did not work); skips, xfails
# and xpasses are not.
UNDIAGNOSED = "undiagnosed"  # the category counted for a non-pass result without a diagnosis

_ANSI = lazy(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SENTENCE_END = lazy(r"(?<=[.!?])\s+(?=[A-Z(\"'])")




# --- --------------------------------------------------------------------

def clean_text(text: str) -> str:
    """Log text without terminal escape sequences and characters XML and mail cannot carry."""
    return _CONTROL.sub("", _ANSI.sub("", text.replace("\t", "    ")))


def where_from(line: LogLine) -> str:
    """ "L123", "strace.log:L45", or just the source for lines without a number (line 0)."""
    number = f"L{line.line}" if line.line > 0 else ""
    source = clean_text(line.source)
    if source and number:
        return f"{source}:{number}"
    return source or number or "?"


def first_sentence(text: str) -> str:
    """Up to the first sentence end outside parentheses (a quoted "Bail out! Please do ..."
    inside an explanation does not end it)."""
    text = " ".join(text.split())
    for m in _SENTENCE_END.finditer(text):
        head = text[:m.start()]
        if head.count("(") <= head.count(")"):
            return head
    return text


def severity_rank(category: str) -> int:
    try:
        return SEVERITY.index(Category(category))
    except ValueError:
        return len(SEVERITY)  # an unknown label sorts after every known category


def ordered_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; within a category, the finding that explains most tests first."""
    return sorted(findings, key=lambda f: (severity_rank(f.category), -finding_size(f)))


def finding_size(finding: Finding) -> int:
    return finding.count or len(finding.tests)


def results_of(report: Report, finding: Finding) -> list[Result]:
    """The results a finding explains, in report order."""
    ids = set(finding.tests)
    same_cause = [r for r in report.results if r.diagnosis is not None
                  and r.diagnosis.category == finding.category
                  and r.diagnosis.cause == finding.cause]
    if not ids:
        return same_cause
    named = [r for r in same_cause if _named(r, ids)]
    if named:
        return named
    return same_cause or [r for r in report.results if _named(r, ids)]


def _named(result: Result, ids: set[str]) -> bool:
    if result.test_id in ids:
        return True
    run = str(result.run_id or "")
    return bool(run) and any(t.endswith(result.test_id) and run in t for t in ids)


def unexplained(report: Report) -> list[Result]:
    """Non-pass results that no finding covers (diagnosed or not)."""
    covered = {id(r) for f in report.findings for r in results_of(report, f)}
    return [r for r in report.results
            if id(r) not in covered and (r.status != Status.PASS or r.diagnosis is not None)]


def loose_findings(report: Report) -> list[Finding]:
    """Findings for the results no finding covers, grouped by diagnosis (or its absence).

    Results without a diagnosis become an "unknown/undiagnosed" finding, so no failure can
    drop out of a report just because triage had nothing to say about it.
    """
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in unexplained(report):
        key = (str(r.diagnosis.category), r.diagnosis.cause) if r.diagnosis else (
            str(Category.UNKNOWN), UNDIAGNOSED)
        groups.setdefault(key, []).append(r)
    out = []
    for results in groups.values():
        d = results[0].diagnosis
        evidence = [line for r in results for line in evidence_of(r)]
        if d is None:
            out.append(Finding(Category.UNKNOWN, UNDIAGNOSED, Confidence.LOW,
                               [r.test_id for r in results],
                               "Triage found no explanation for these results.", evidence, "",
                               "Read the test's output and source.", len(results)))
        else:
            out.append(Finding(d.category, d.cause, d.confidence, [r.test_id for r in results],
                               d.explanation, evidence, d.reference, d.action, len(results)))
    return out


def all_findings(report: Report) -> list[Finding]:
    """The report's findings plus the loose ones, most severe first."""
    return ordered_findings([*report.findings, *loose_findings(report)])


def fs_names(report: Report) -> list[str]:
    """The filesystems the results ran on: the environment's, else the run ids' last part."""
    if report.environment.fs:
        return [report.environment.fs]
    return list(dict.fromkeys(r.run_id.fs for r in report.results if r.run_id))


def status_counts(results: Iterable[Result]) -> Counter[str]:
    return Counter(str(r.status) for r in results)


def category_counts(results: Iterable[Result]) -> Counter[str]:
    """Category of every diagnosed result, and UNDIAGNOSED for non-pass ones without one."""
    counts: Counter[str] = Counter()
    for r in results:
        if r.diagnosis is not None:
            counts[str(r.diagnosis.category)] += 1
        elif r.status != Status.PASS:
            counts[UNDIAGNOSED] += 1
    return counts


def evidence_of(result: Result) -> list[LogLine]:
    """What to quote for a result: its diagnosis' evidence, else its own lines."""
    if result.diagnosis is not None and result.diagnosis.evidence:
        return list(result.diagnosis.evidence)
    lines = [line for line in (result.run_line, result.result_line) if line is not None]
    return lines + list(result.diagnostics)


# --- JSON ------------------------------------------------------------------------------------

def compact_numbers(numbers: Iterable[int], limit: int = 8) -> str:
    """[3, 8, 13, 18] -> "3, 8, 13, 18"; runs become ranges; long lists "1, 2 ... 48"."""
    nums = sorted(set(numbers))
    items: list[str] = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        if j - i >= 2:
            items.append(f"{nums[i]}-{nums[j]}")
        else:
            items.extend(str(n) for n in nums[i:j + 1])
        i = j + 1
    if len(items) > limit:
        return ", ".join(items[:limit - 1]) + " ... " + items[-1]
    return ", ".join(items)


def test_list(results: Sequence[Result], limit: int = 8, with_suite: bool | None = None) -> str:
    """Test numbers grouped by run and suite: "3, 8, 13" or "[9p] gup_longterm 3; cow 1"."""
    groups: dict[tuple[str, str], list[int]] = {}
    for r in results:
        groups.setdefault((str(r.run_id or ""), r.suite), []).append(r.number)
    runs = {run for run, _ in groups}
    if with_suite is None:
        with_suite = len({suite for _, suite in groups}) > 1
    parts = []
    for (run, suite), numbers in groups.items():
        label = (f"[{run}] " if len(runs) > 1 and run else "") + (f"{suite} " if with_suite
                                                                  else "")
        parts.append(label + compact_numbers(numbers, limit))
    return "; ".join(parts)


# --- the JSON form of results, findings and suites (the whole and the streamed JSON writers,
# KCIDB and the fleet's outputs share it)

def line_json(line: LogLine | None) -> dict[str, object] | None:
    return None if line is None else line.to_json()


def result_to_json(result: Result) -> dict[str, object]:
    d = result.diagnosis
    return {
        "id": result.test_id,
        "suite": result.suite,
        "number": result.number,
        "name": result.name,
        "config": result.config,
        "status": str(result.status),
        "message": result.message,
        "line": result.result_line.line if result.result_line else None,
        "result_line": line_json(result.result_line),
        "run_line": line_json(result.run_line),
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "syscall": result.syscall,
        "errno": result.errno,
        "category": str(d.category) if d else None,
        "cause": d.cause if d else None,
        "confidence": d.confidence if d else None,
        "explanation": d.explanation if d else None,
        "evidence": [e.to_json() for e in d.evidence] if d else [],
        "reference": d.reference if d else None,
        "action": d.action if d else None,
        "run": str(result.run_id) if result.run_id else None,
    }


def finding_to_json(finding: Finding) -> dict[str, object]:
    return {
        "category": str(finding.category),
        "cause": finding.cause,
        "confidence": finding.confidence,
        "tests": list(finding.tests),
        "count": finding_size(finding),
        "explanation": finding.explanation,
        "evidence": [e.to_json() for e in finding.evidence],
        "reference": finding.reference,
        "action": finding.action,
    }


def suite_to_json(suite: SuiteRun) -> dict[str, object]:
    return {
        "name": suite.name,
        "planned": suite.planned,
        "totals": suite.totals,
        "exit_code": suite.exit_code,
        "bail_out": line_json(suite.bail_out),
        "crashed": line_json(suite.crashed),
        "anomalies": [{"kind": kind, "line": line.line, "text": line.text}
                      for kind, line in suite.anomalies],
    }


# --- the terminal's table and colours (the terminal summary and the big-log digest)

COLORS = {
    str(Category.KERNEL_BUG): "1;31",
    str(Category.UNKNOWN): "1;35",
    UNDIAGNOSED: "1;35",
    str(Category.TEST_BUG): "33",
    str(Category.CONFIG): "36",
    str(Category.ENV): "34",
    str(Category.KNOWN_ISSUE): "2",
}
STATUS_ORDER = [str(s) for s in Status]
HINT = "more: --json FILE, --junit FILE (CI) or --mail FILE (mailing-list reply); - is stdout"
HEADINGS = ("CATEGORY", "CAUSE", "CONF", "TESTS", "STATUS", "WHICH")
MIN_WHICH = 12


@dataclass
class Row:
    category: str
    cause: str
    confidence: str
    count: int
    status: str
    which: str
    explanation: str


def paint(text: str, code: str | None, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 3, 0)] + "..."


def accel_label(accel: str | None) -> str:
    """'TCG: KVM probe boot failed (...)' -> 'tcg'; 'kvm' stays 'kvm'."""
    if not accel:
        return ""
    if accel.startswith("none"):
        return "host kernel"  # the simulated guest
    return accel.split(":", 1)[0].split()[0].lower()


def table(found: Sequence[Row], width: int) -> list[str]:
    """The rows as aligned plain text, each line at most width columns."""
    cells = [tuple(clean_text(c) for c in cell) for cell in
             [HEADINGS] + [(r.category, r.cause, r.confidence, str(r.count), r.status, r.which)
                           for r in found]]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    widths[1] = min(widths[1], 28)
    spare = width - 2 - sum(w + 2 for w in widths) - MIN_WHICH
    if spare < 0:  # narrow terminal: give the cause column's room to the test list
        widths[1] = max(widths[1] + spare, 12)
    which_width = max(width - 2 - sum(w + 2 for w in widths), MIN_WHICH)
    lines = []
    for category, cause, conf, count, status, which in cells:
        parts = [category.ljust(widths[0]), fit(cause, widths[1]).ljust(widths[1]),
                 conf.ljust(widths[2]), count.rjust(widths[3]), status.ljust(widths[4]),
                 fit(which, which_width)]
        lines.append(fit(("  " + "  ".join(parts)).rstrip(), width))
    return lines


def paint_row(line: str, category: str, color: bool) -> str:
    """Colour the category cell (the line's first word) without changing the layout."""
    start = 2
    if not color or not line[start:].startswith(category):
        return line
    end = start + len(category)
    return line[:start] + paint(category, COLORS.get(category), color) + line[end:]


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, subsequent_indent="    ", break_long_words=True,
                         break_on_hyphens=False)


def kernel_label(env: Environment) -> str:
    """'6.12.118+deb12-amd64 (x86_64, qemu, tcg)' for the terminal's header."""
    kernel = env.kernel_release or "unknown"
    where = [x for x in (env.arch, env.guest, accel_label(env.accel)) if x]
    return kernel + (f" ({', '.join(where)})" if where else "")


def counts_lines(total: int, statuses: Counter[str], categories: Counter[str],
                 width: int) -> list[str]:
    """'N results: pass ..  skip ..' and 'by category: ...', worst category first."""
    by_status = "  ".join(f"{s} {statuses[s]}" for s in STATUS_ORDER if statuses[s])
    lines = wrap(f"  {total} results: {by_status}", width)
    by_category = "  ".join(f"{c} {n}" for c, n in
                            sorted(categories.items(), key=lambda kv: severity_rank(kv[0])))
    if by_category:
        lines += wrap(f"  by category: {by_category}", width)
    return lines


def terminal_page(top: list[str], verdict: str, notes: Sequence[str], found: Sequence[Row],
                  empty: str, counts: list[str], width: int, color: bool) -> str:
    """The terminal summary's layout: the header lines (``top``, already fitted), the notes,
    the table of causes and the worst one, or ``empty``, then the counts and the hint."""
    lines = [paint(top[0], COLORS.get(verdict), color), *top[1:], ""]
    for note in notes:
        lines += wrap(f"  note: {clean_text(note)}", width)
    if notes:
        lines.append("")
    if found:
        head, *body = table(found, width)
        lines += [head] + [paint_row(line, row.category, color)
                           for line, row in zip(body, found, strict=True)]
        worst = first_sentence(clean_text(found[0].explanation))
        if worst:
            lines += [""] + wrap(f"  worst: {worst}", width)
    else:
        lines.append(empty)
    lines += [""] + counts + [""] + wrap(f"  {HINT}", width)
    return "\n".join(lines) + "\n"
