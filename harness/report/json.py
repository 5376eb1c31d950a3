"""The JSON report (schema "harness.triage/1") and the facts every report writer derives.

``render_json`` writes one object a program can read back with ``load_json`` (``compare``
does). The helpers below (finding order, which results a finding explains, counts, cleaning
log text) are shared by the JUnit, mail and terminal writers so they all tell the same story.
"""

from __future__ import annotations

import json

from harness.errors import ReportFormatError
from harness.model import (
    Category,
    Finding,
    LogLine,
    Report,
    Result,
    Status,
    SuiteRun,
)
from harness.report.common import finding_size, ordered_findings

SCHEMA = "harness.triage/1"

REQUIRED_TOP = ("schema", "environment", "results", "findings", "suites", "summary", "verdict",
                "sources")
REQUIRED_RESULT = ("suite", "number", "name", "config", "status", "category", "cause")
REQUIRED_FINDING = ("category", "cause", "confidence", "tests", "count")


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


def load_json(text: str, source: str = "") -> dict:
    """Read a report written by ``render_json``; ReportFormatError (one line) if it is not one.

    ``source`` (a file name) starts the message when given.
    """
    try:
        return _checked(json.loads(text))
    except json.JSONDecodeError as exc:
        error = ReportFormatError(f"not a harness report: invalid JSON ({exc.msg} at line "
                                  f"{exc.lineno}, column {exc.colno})")
    except ReportFormatError as exc:
        error = exc
    raise ReportFormatError(f"{source}: {error}" if source else str(error)) from None


def _checked(data: object) -> dict:
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
    _top_types(data)
    statuses = {str(s) for s in Status}
    categories = {str(c) for c in Category}
    for i, r in enumerate(data["results"]):
        _require(r, REQUIRED_RESULT, f"result {i}")
        _types(r, RESULT_TYPES, f"result {i}")
        if r["status"] not in statuses:
            raise ReportFormatError(f"harness report: result {i} has unknown status "
                                    f"{r['status']!r}")
        if r["category"] is not None and r["category"] not in categories:
            raise ReportFormatError(f"harness report: result {i} has unknown category "
                             f"{r['category']!r}")
    for i, f in enumerate(data["findings"]):
        _require(f, REQUIRED_FINDING, f"finding {i}")
        _types(f, FINDING_TYPES, f"finding {i}")
        if not all(isinstance(t, str) for t in f["tests"]):
            raise ReportFormatError(f"harness report: finding {i}: 'tests' holds a non-string")
        if f["category"] not in categories:
            raise ReportFormatError(f"harness report: finding {i} has unknown category "
                             f"{f['category']!r}")
    return data


_NAMES = {str: " string", int: " number", dict: "n object", list: " list", type(None): " null"}
_OPT_STR = (str, type(None))
RESULT_TYPES: dict[str, tuple[type, ...]] = {
    "suite": (str,), "number": (int,), "name": (str,), "config": (str,), "status": (str,),
    "category": _OPT_STR, "cause": _OPT_STR, "message": _OPT_STR, "syscall": _OPT_STR,
    "errno": _OPT_STR, "run": _OPT_STR, "confidence": _OPT_STR, "explanation": _OPT_STR,
    "line": (int, type(None)), "evidence": (list,),
}
FINDING_TYPES: dict[str, tuple[type, ...]] = {
    "category": (str,), "cause": (str,), "confidence": (str,), "tests": (list,), "count": (int,),
    "explanation": _OPT_STR, "evidence": (list,),
}


def _top_types(data: dict) -> None:
    for key, kind in (("environment", dict), ("summary", dict), ("verdict", str)):
        if not isinstance(data[key], kind):
            raise ReportFormatError(f"harness report: '{key}' is not a{_NAMES[kind]}")


def _types(obj: dict, types: dict[str, tuple[type, ...]], what: str) -> None:
    """Each field present has its type (bool is not a number): a report edited by hand or
    another tool is refused in one line, not a crash later."""
    for key, allowed in types.items():
        if key in obj:
            value = obj[key]
            if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
                expected = " or".join(_NAMES.get(t, t.__name__) for t in allowed)
                raise ReportFormatError(f"harness report: {what}: {key!r} is not a{expected}")


def _require(obj: object, keys: tuple[str, ...], what: str) -> None:
    if not isinstance(obj, dict):
        raise ReportFormatError(f"harness report: {what} is not an object")
    missing = [k for k in keys if k not in obj]
    if missing:
        raise ReportFormatError(f"harness report: {what} lacks {', '.join(missing)}")
