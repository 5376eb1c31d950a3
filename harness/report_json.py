"""The JSON report (schema "harness.triage/1") and the facts every report writer derives.

``render_json`` writes one object a program can read back with ``load_json`` (``compare``
does). The helpers below (finding order, which results a finding explains, counts, cleaning
log text) are shared by the JUnit, mail and terminal writers so they all tell the same story.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable

from harness.model import (
    SEVERITY,
    Category,
    Finding,
    LogLine,
    Report,
    Result,
    Status,
    SuiteRun,
)

SCHEMA = "harness.triage/1"

# A result with one of these statuses is a failure (something did not work); skips, xfails
# and xpasses are not.
UNDIAGNOSED = "undiagnosed"  # the category counted for a non-pass result without a diagnosis

_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")



class ReportFormatError(ValueError):
    """A file that is not a harness triage report (one-line message)."""


REQUIRED_TOP = ("schema", "environment", "results", "findings", "suites", "summary", "verdict",
                "sources")
REQUIRED_RESULT = ("suite", "number", "name", "config", "status", "category", "cause")
REQUIRED_FINDING = ("category", "cause", "confidence", "tests", "count")


# --- shared helpers --------------------------------------------------------------------------

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
    return bool(result.run_id) and any(
        t.endswith(result.test_id) and result.run_id in t for t in ids)


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
            out.append(Finding(Category.UNKNOWN, UNDIAGNOSED, "low", [r.test_id for r in results],
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
    return list(dict.fromkeys(r.run_id.rsplit("/", 1)[-1] for r in report.results if r.run_id))


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

def _line(line: LogLine | None) -> dict[str, object] | None:
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
        "syscall": result.syscall,
        "errno": result.errno,
        "category": str(d.category) if d else None,
        "cause": d.cause if d else None,
        "confidence": d.confidence if d else None,
        "explanation": d.explanation if d else None,
        "evidence": [e.to_json() for e in d.evidence] if d else [],
        "reference": d.reference if d else None,
        "action": d.action if d else None,
        "run": result.run_id or None,
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
        "bail_out": _line(suite.bail_out),
        "crashed": _line(suite.crashed),
        "anomalies": [{"kind": kind, "line": line.line, "text": line.text}
                      for kind, line in suite.anomalies],
    }


def report_to_json(report: Report) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "environment": report.environment.to_json(),
        "results": [result_to_json(r) for r in report.results],
        "findings": [finding_to_json(f) for f in ordered_findings(report.findings)],
        "suites": [suite_to_json(s) for s in report.suites],
        "summary": report.summary,
        "verdict": report.verdict,
        "sources": list(report.sources),
    }


def render_json(report: Report) -> str:
    return json.dumps(report_to_json(report), indent=2, ensure_ascii=False, default=str) + "\n"


def load_json(text: str) -> dict:
    """Read a report written by ``render_json``; ValueError (one line) if it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportFormatError(f"not a harness report: invalid JSON ({exc.msg} at line {exc.lineno},"
                         f" column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ReportFormatError("not a harness report: the top level is not a JSON object")
    if data.get("schema") != SCHEMA:
        raise ReportFormatError(f"not a harness report: schema {data.get('schema')!r}, "
                         f"expected {SCHEMA!r}")
    missing = [k for k in REQUIRED_TOP if k not in data]
    if missing:
        raise ReportFormatError(f"harness report lacks {', '.join(missing)}")
    for key in ("results", "findings", "suites", "sources"):
        if not isinstance(data[key], list):
            raise ReportFormatError(f"harness report: '{key}' is not a list")
    statuses = {str(s) for s in Status}
    categories = {str(c) for c in Category}
    for i, r in enumerate(data["results"]):
        _require(r, REQUIRED_RESULT, f"result {i}")
        if r["status"] not in statuses:
            raise ReportFormatError(f"harness report: result {i} has unknown status {r['status']!r}")
        if r["category"] is not None and r["category"] not in categories:
            raise ReportFormatError(f"harness report: result {i} has unknown category "
                             f"{r['category']!r}")
    for i, f in enumerate(data["findings"]):
        _require(f, REQUIRED_FINDING, f"finding {i}")
        if f["category"] not in categories:
            raise ReportFormatError(f"harness report: finding {i} has unknown category "
                             f"{f['category']!r}")
    return data


def _require(obj: object, keys: tuple[str, ...], what: str) -> None:
    if not isinstance(obj, dict):
        raise ReportFormatError(f"harness report: {what} is not an object")
    missing = [k for k in keys if k not in obj]
    if missing:
        raise ReportFormatError(f"harness report: {what} lacks {', '.join(missing)}")
