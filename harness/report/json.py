"""The JSON report (schema "harness.triage/1") and the facts every report writer derives.

``render_json`` writes one object a program can read back with ``load_json`` (``compare``
does). The helpers below (finding order, which results a finding explains, counts, cleaning
log text) are shared by the JUnit, mail and terminal writers so they all tell the same story.
"""

from __future__ import annotations

import json

from harness.model import (
    SCHEMA,
    Finding,
    LogLine,
    Report,
    Result,
    SuiteRun,
)
from harness.report.common import finding_size, ordered_findings


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
        "result_line": _line(result.result_line),
        "run_line": _line(result.run_line),
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
        "summary": report.summary.to_json(),
        "verdict": report.verdict,
        "sources": list(report.sources),
    }


def render_json(report: Report) -> str:
    return json.dumps(report_to_json(report), indent=2, ensure_ascii=False, default=str) + "\n"
