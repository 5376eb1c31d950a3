"""A harness JSON report (``harness run --json``, a matrix cell, ``triage --json``) read back
into a Report, so reports made on other machines can be merged and re-rendered as if they had
been made here. The round trip keeps what the writers use: results with their log lines and
diagnosis, findings, suites, environment, summary and sources."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from harness.errors import ReportFormatError
from harness.model import (
    SCHEMA,
    SCHEMA_ROWS,
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

REQUIRED_TOP = ("schema", "environment", "results", "findings", "suites", "summary", "verdict",
                "sources")
REQUIRED_RESULT = ("suite", "number", "name", "config", "status", "category", "cause")
REQUIRED_FINDING = ("category", "cause", "confidence", "tests", "count")


def load_json(text: str, source: str = "") -> dict:
    """Read a report written by ``render_json`` (or a harness.triage/2 report of a big log,
    given back in the /1 form); ReportFormatError (one line) if it is not one.

    ``source`` (a file name) starts the message when given.
    """
    try:
        data = json.loads(text)
        if isinstance(data, dict) and data.get("schema") == SCHEMA_ROWS:
            data = expand_rows(data)
        return _checked(data)
    except json.JSONDecodeError as exc:
        error = ReportFormatError(f"not a harness report: invalid JSON ({exc.msg} at line "
                                  f"{exc.lineno}, column {exc.colno})")
    except ReportFormatError as exc:
        error = exc
    raise ReportFormatError(f"{source}: {error}" if source else str(error)) from None


TEXT_FIELDS = ("suite", "name", "config", "message", "explanation", "reference", "action")


def expand_rows(data: dict) -> dict:
    """A harness.triage/2 report in the /1 form: every row a whole result, every finding's
    ``tests_of`` (outcomes) its test ids. ReportFormatError when a row or outcome is not one."""
    try:
        return _expand_rows(data)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise ReportFormatError(f"malformed harness.triage/2 report ({type(exc).__name__}: "
                                f"{exc})") from None


def _expand_rows(data: dict) -> dict:
    outcomes = data["outcomes"]
    if not isinstance(outcomes, list) or not isinstance(data.get("results"), list):
        raise ReportFormatError("harness.triage/2 report: 'outcomes' or 'results' is not a list")
    results = []
    ids_of: dict[int, list[str]] = {}
    for row in data["results"]:
        entry = outcomes[row[0]]
        if not isinstance(entry, dict) or not isinstance(row[1], int):
            raise ReportFormatError(f"harness.triage/2 report: bad row {row!r}")
        number = row[1]
        source = entry.get("source") or ""
        diagnostics = entry.get("diagnostics") or []
        if len(row) == 3:  # [outcome, number, line]: the [RUN] line and diagnostics before it
            line = row[2]
            # how far before it the [RUN] line and the diagnostics are (default: just before)
            before = entry.get("lines_before") or range(len(diagnostics) + 1, 0, -1)
            run = line - before[0] if entry.get("run_text") is not None else None
            lines = [line - b for b in before[1:]]
            head, tail = entry["result_text"]
            text = f"{head}{number}{tail}"
        else:
            _, _, line, run, lines, text = row
        result = {k: str(number).join(v) if isinstance(v, list) and k in TEXT_FIELDS
                  else v for k, v in entry.items()
                  if k not in ("run_text", "result_text", "diagnostics", "evidence", "source",
                               "lines_before")}
        label = result.get("name") or result.get("message") or "?"
        result["id"] = f"{result['suite']} #{number}: {label}"
        result["number"] = number
        result["line"] = line
        own = {"result": _line_json(line, text, source),
               "run": _line_json(run, entry.get("run_text"), source)}
        result["result_line"], result["run_line"] = own["result"], own["run"]
        result["diagnostics"] = [_line_json(n, t, source) for n, t in zip(lines, diagnostics,
                                                                           strict=True)]
        result["evidence"] = [
            own[e["of"]] if e.get("of") in own
            else result["diagnostics"][e["index"]] if e.get("of") == "diagnostic" else e
            for e in entry.get("evidence") or []]
        ids_of.setdefault(row[0], []).append(result["id"])
        results.append(result)
    findings = []
    for f in data.get("findings") or []:
        if isinstance(f, dict) and "tests_of" in f:
            wanted = set(f["tests_of"])
            f = {**f, "tests": [t for i, t in _in_order(ids_of, wanted, data["results"])]}
            del f["tests_of"]
        findings.append(f)
    return {**{k: v for k, v in data.items() if k != "outcomes"}, "schema": SCHEMA,
            "results": results, "findings": findings}


def _in_order(ids_of: dict[int, list[str]], wanted: set[int], rows: list) -> list[tuple[int, str]]:
    """The test ids of the rows whose outcome is wanted, in the order of the rows."""
    taken = dict.fromkeys(wanted, 0)
    out = []
    for row in rows:
        if row[0] in taken:
            out.append((row[0], ids_of[row[0]][taken[row[0]]]))
            taken[row[0]] += 1
    return out


def _line_json(line: int | None, text: str | None, source: str) -> dict | None:
    if line is None:
        return None
    out: dict[str, object] = {"line": line, "text": text or ""}
    if source:
        out["source"] = source
    return out


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
