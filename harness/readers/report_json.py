"""A harness JSON report (``harness run --json``, a matrix cell, ``triage --json``) read back
into a Report, so reports made on other machines can be merged and re-rendered as if they had
been made here. The round trip keeps what the writers use: results with their log lines and
diagnosis, findings, suites, environment, summary and sources."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from harness.errors import ReportFormatError
from harness.model import (
    Category,
    Confidence,
    Diagnosis,
    Environment,
    Finding,
    LogLine,
    Report,
    Result,
    RunId,
    Status,
    SuiteRun,
    Summary,
    Verdict,
)
from harness.report.json import load_json


def read_report(path: str) -> Report:
    """The report in ``path``; ReportFormatError naming the file if it is not one."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ReportFormatError(f"{path}: {exc.strerror}") from None
    data = load_json(text, path)
    try:
        return report_from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReportFormatError(f"{path}: malformed harness report ({type(exc).__name__}: "
                                f"{exc})") from None


def _line(obj: object) -> LogLine | None:
    if not isinstance(obj, dict):
        return None
    return LogLine(int(obj["line"]), str(obj.get("text", "")), str(obj.get("source", "")))


def _lines(items: list[object] | None) -> list[LogLine]:
    return [line for line in (_line(i) for i in items or []) if line is not None]


def _result(r: dict) -> Result:
    diagnosis = None
    if r.get("category"):
        diagnosis = Diagnosis(Category(r["category"]), r["cause"],
                              Confidence(r.get("confidence") or "low"),
                              r.get("explanation") or "", r.get("reference") or "",
                              r.get("action") or "", _lines(r.get("evidence")))
    result_line = _line(r.get("result_line"))
    if result_line is None and isinstance(r.get("line"), int):  # reports from before the lines
        result_line = LogLine(r["line"], "")
    return Result(r["suite"], int(r["number"]), r["name"], r["config"], Status(r["status"]),
                  r.get("message") or "", result_line, _line(r.get("run_line")),
                  _lines(r.get("diagnostics")), r.get("syscall"), r.get("errno"),
                  run_id=RunId.parse(r["run"]) if r.get("run") else None, diagnosis=diagnosis)


def _finding(f: dict) -> Finding:
    return Finding(Category(f["category"]), f["cause"], Confidence(f["confidence"]),
                   list(f["tests"]),
                   f.get("explanation") or "", _lines(f.get("evidence")),
                   f.get("reference") or "", f.get("action") or "", int(f["count"]))


def _suite(s: dict) -> SuiteRun:
    return SuiteRun(s["name"], s.get("planned"), s.get("totals"), _line(s.get("bail_out")),
                    [(a["kind"], LogLine(int(a["line"]), a.get("text", "")))
                     for a in s.get("anomalies") or []],
                    _line(s.get("crashed")), s.get("exit_code"))


def _environment(e: dict) -> Environment:
    known = {f.name for f in fields(Environment)}
    return Environment(**{k: v for k, v in e.items() if k in known})


def report_from_json(data: dict) -> Report:
    return Report(_environment(data["environment"]), [_result(r) for r in data["results"]],
                  [_finding(f) for f in data["findings"]], [_suite(s) for s in data["suites"]],
                  Verdict(data["verdict"]), Summary.from_json(data["summary"]),
                  list(data["sources"]))
