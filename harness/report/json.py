"""The JSON report (schema "harness.triage/1"): one object a program can read back with
``harness.readers.report_json.load_json`` (``compare`` and ``merge`` do). The JSON form of
each result, finding and suite is in report/common.py, shared with the streamed writers."""

from __future__ import annotations

import json

from harness.model import (
    SCHEMA,
    Report,
)
from harness.report.common import finding_to_json, ordered_findings, result_to_json, suite_to_json


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
