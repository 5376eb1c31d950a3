"""What every report writer derives from a Report, so JSON, JUnit, mail and terminal tell the
same story: finding order, which results a finding explains, counts, test-number lists, and
log text cleaned for display."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from harness.model import (
    SEVERITY,
    Category,
    Confidence,
    Finding,
    LogLine,
    Report,
    Result,
    Status,
)

# A result with one of these statuses is a failure (something did not work); skips, xfails
# and xpasses are not.
UNDIAGNOSED = "undiagnosed"  # the category counted for a non-pass result without a diagnosis

_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")




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
    text = " ".join(text.split())
    return _SENTENCE_END.split(text, 1)[0] if text else ""


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
