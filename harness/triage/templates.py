"""Per-result output written from templates: each distinct test outcome is triaged and rendered
once, every repeat only fills in its numbers.

In a log of a million results the same few hundred test cases come back again and again with
the same outcome. For each distinct one (suite, name, config, status, message, [RUN] and
diagnostic text) ``Outcome`` runs the real triage (``diagnose``) on a stand-in result whose
test number and line numbers are marker values, and renders the real JSON and JUnit writers'
output for it. Splitting that text on the markers gives a template; a repeat costs a join.
Whatever the writers put out, the streamed report carries the same, by construction.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from harness.lazy_regex import lazy
from harness.model import Diagnosis, Environment, LogLine, Result, RunId, Status
from harness.readers.spill import Record, to_result
from harness.report.common import clean_text, result_to_json
from harness.report.junit import ERROR_STATUSES, SKIPPED_CATEGORIES, testcase
from harness.triage.checks import RunIndex
from harness.triage.correlate import NEEDS_CAUSE, from_text
from harness.triage.engine import NEEDS_DIAGNOSIS, diagnose, fits_result
from harness.triage.rules import Rule

NUMBER = 987654321001  # the test number of the stand-in
RESULT_LINE = 987654321002
RUN_LINE = 987654321003
DIAG_BASE = 987654321100  # diagnostic i is on line DIAG_BASE + i
RESULT_TEXT = "\ue000result-line\ue001"  # the result line's text (it carries the number)
SOURCE = "\ue000source\ue001"  # the log's name, in the templates (one log's differs from another's)
RUN = "\ue000run\ue001"  # the run id, likewise
SLOT = lazy(r"(98765432\d{4}|\ue000(?:result-line|source|run)\ue001)")
MARK_NAMES = {SOURCE: "src", RUN: "runid"}
MAX_OUTCOMES = 20_000  # distinct outcomes kept; a log of unique messages starts over


SLOT_NAMES = {str(NUMBER): "n", str(RESULT_LINE): "rl", str(RUN_LINE): "run"}


def template(text: str, result_text: str) -> tuple[str, Callable[[dict], tuple]]:
    """``text`` as a printf template (markers become %s, % is doubled) and the function that
    picks its values, in order, from ``slot_values()``.

    ``result_text`` names the value of the result line's text (escaped per format)."""
    out, pick, _ = named_template(text, result_text)
    return out, pick


def named_template(text: str, result_text: str
                   ) -> tuple[str, Callable[[dict], tuple], list[str]]:
    """``template`` and the names of its slots, in order."""
    parts = SLOT.split(text)
    out, names = [], []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(part.replace("%", "%%"))
            continue
        out.append("%s")
        if part == RESULT_TEXT:
            names.append(result_text)
        elif part in MARK_NAMES:
            names.append(MARK_NAMES[part] + result_text[1])  # srcj, runidx ...
        else:
            names.append(SLOT_NAMES.get(part) or f"d{int(part) - DIAG_BASE}")
    if not names:
        return "".join(out), lambda values: (), names
    pick = itemgetter(*names)
    if len(names) == 1:
        return "".join(out), lambda values: (pick(values),), names
    return "".join(out), pick, names


@dataclass(slots=True)
class Outcome:
    """One distinct outcome: its triage, and its JSON and JUnit templates."""

    diagnosis: Diagnosis | None
    syscall: str | None
    errno: str | None
    json: str  # printf templates over slot_values()
    json_values: Callable[[dict], tuple]
    junit: str
    junit_values: Callable[[dict], tuple]
    junit_kind: str  # "", "skipped", "failure" or "error" (for the suite's counts)
    group: tuple[str, str] | None  # (category, cause): the finding it belongs to
    evidence: tuple[tuple[str, int | LogLine], ...]  # ("run"|"result"|"diag", i) or fixed
    entry: dict[str, object]  # its entry in a harness.triage/2 report's "outcomes"
    lean: str  # a lean JUnit <testcase> (no properties, no system-out): printf template
    lean_values: Callable[[dict], tuple]
    lean_numbers: int  # how many slots of ``lean`` are the test number (-1: other slots too)
    lean_format: str | None  # ``lean`` for str.format(number) when its only slot is the number


_encode = json.encoder.encode_basestring


def _json_text(text: str) -> str:
    return _encode(text)[1:-1]


def _xml_attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;").replace("\n", "&#10;")


def _xml_text(text: str) -> str:
    if not (text.isascii() and text.isprintable()):
        text = clean_text(text)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _junit_kind(result: Result) -> str:
    d = result.diagnosis
    if d is None:
        if result.status in (Status.PASS, Status.XPASS):
            return ""
        return ("skipped" if result.status in (Status.SKIP, Status.XFAIL)
                else "error" if result.status in ERROR_STATUSES else "failure")
    if d.category in SKIPPED_CATEGORIES:
        return "skipped"
    return "error" if result.status in ERROR_STATUSES else "failure"


# Outcomes per (rules, environment, cross-check index): logs of a fleet that agree on those
# share them, so a worker triages each distinct outcome once for all its logs. The Outcome
# objects (their rendered templates are most of their size) are shared again across those
# scopes when a record's triage came out the same (``_RENDERED``, by ``_signature``): a
# worker holds at most MAX_RENDERED of them, whatever the number of logs and scopes.
_SHARED: dict[tuple, dict[tuple, Outcome]] = {}
_RENDERED: dict[tuple, Outcome] = {}
MAX_RENDERED = 4_000


def _scope(env: Environment, rules: tuple[Rule, ...], index: RunIndex) -> tuple:
    cases = tuple(sorted(((suite, description, config), (r.number, r.status, r.message))
                         for (_, suite, description, config), r in index.by_case.items()))
    passed = tuple((r.name, r.number) for runs in index.passed.values() for r in runs)
    truncated = tuple(sorted(suite for _, suite in index.truncated_suites))
    return scope_of(env, rules, cases, passed, truncated)


def scope_of(env: Environment, rules: tuple[Rule, ...], cases: tuple, passed: tuple,
             truncated: tuple) -> tuple:
    """What outcomes are shared by: the rules, the environment, the cross-check index as
    (sorted ((suite, description, config), (number, status, message)), (passed name,
    number) in order, sorted truncated suites)."""
    return (tuple(r.id for r in rules), json.dumps(env.to_json(), sort_keys=True, default=str),
            cases, passed, truncated)


class Outcomes:
    """The triage of a log's distinct outcomes, made on first sight (or by an earlier log of
    the same shape in this process). ``index`` may be a function that makes it, with
    ``scope`` given (``scope_of``): a log whose outcomes are all known never builds it."""

    def __init__(self, env: Environment, rules: tuple[Rule, ...],
                 index: RunIndex | Callable[[], RunIndex], run_id: RunId | None = None,
                 source: str = "", scope: tuple | None = None) -> None:
        self.env, self.rules, self.run_id = env, rules, run_id
        self._index = index
        self.source = source
        if scope is None:
            scope = _scope(env, rules, self.index)
        if scope not in _SHARED and sum(len(k) for k in _SHARED.values()) >= MAX_OUTCOMES:
            _SHARED.clear()
        self.known = _SHARED.setdefault(scope, {})
        self.computed = 0
        run = str(run_id) if run_id else ""
        # What the log's name and run id look like in each output, to make slots of them.
        self.marks = [(text, mark) for text, mark in (
            (source, SOURCE), (run, RUN)) if text]
        self.values = {"srcj": _json_text(source), "srcx": _xml_text(source),
                       "runidj": _json_text(run), "runidx": _xml_attr(run)}

    @property
    def index(self) -> RunIndex:
        if not isinstance(self._index, RunIndex):
            self._index = self._index()
        return self._index

    def get(self, rec: Record, suite: str) -> Outcome:
        key = (suite, rec[3], rec[4], rec[5], rec[6], rec[7] >= 0, rec[9] >= 0, rec[10],
               tuple(t for _, t in rec[11]))
        outcome = self.known.get(key)
        if outcome is None:
            if len(self.known) >= MAX_OUTCOMES:
                self.known.clear()
            outcome = self.known[key] = self._make(rec, suite, key)
        return outcome

    def _make(self, rec: Record, suite: str, key: tuple) -> Outcome:
        self.computed += 1
        r = to_result(rec, suite)
        r.number, r.run_id = NUMBER, self.run_id
        if r.result_line is not None:
            r.result_line = LogLine(RESULT_LINE, RESULT_TEXT, r.result_line.source)
        if r.run_line is not None:
            r.run_line = LogLine(RUN_LINE, r.run_line.text, r.run_line.source)
        r.diagnostics = [LogLine(DIAG_BASE + i, d.text, d.source)
                         for i, d in enumerate(r.diagnostics)]
        if r.status in NEEDS_CAUSE:
            from_text(r)
        if r.status in NEEDS_DIAGNOSIS:
            fitting = [rule for rule in self.rules if fits_result(rule, r)]
            r.diagnosis = diagnose(r, self.env, fitting, self.index)
        evidence: list[tuple[str, int | LogLine]] = []
        for line in r.diagnosis.evidence if r.diagnosis else []:
            if line is r.run_line:
                evidence.append(("run", 0))
            elif line is r.result_line:
                evidence.append(("result", 0))
            elif line in r.diagnostics and DIAG_BASE <= line.line < DIAG_BASE + 100:
                evidence.append(("diag", line.line - DIAG_BASE))
            else:
                evidence.append(("fixed", line))
        signature = self._signature(key, rec, r, evidence)
        outcome = _RENDERED.get(signature)
        if outcome is None:
            if len(_RENDERED) >= MAX_RENDERED:
                _RENDERED.clear()  # and the scopes that hold the rest (a log's own stays)
                _SHARED.clear()
            outcome = _RENDERED[signature] = self._render(r, evidence)
        return outcome

    def _signature(self, key: tuple, rec: Record, r: Result,
                   evidence: list[tuple[str, int | LogLine]]) -> tuple:
        """Everything ``_render`` puts out but the log's name and run id (which become
        slots): the record's texts, its syscall and errno, its diagnosis."""
        d = r.diagnosis
        return (key, rec[12] if rec[12] != self.source else None, bool(self.source),
                bool(self.run_id), r.syscall, r.errno,
                None if d is None else (d.category, d.cause, d.confidence, d.explanation,
                                        d.reference, d.action, d.rule),
                tuple((kind, (what.line, what.text, what.source)
                       if isinstance(what, LogLine) else what) for kind, what in evidence))

    def _render(self, r: Result, evidence: list[tuple[str, int | LogLine]]) -> Outcome:
        as_json = result_to_json(r)
        js = json.dumps(as_json, ensure_ascii=False, default=str)
        case = testcase(r)._elem
        xml = ET.tostring(case, encoding="unicode")
        for child in [c for c in case if c.tag in ("properties", "system-out")]:
            case.remove(child)
        lean = ET.tostring(case, encoding="unicode")
        for text, mark in self.marks:
            js = js.replace(_json_text(text), mark)
            xml = xml.replace(_xml_attr(text), mark).replace(_xml_text(text), mark)
            lean = lean.replace(_xml_attr(text), mark).replace(_xml_text(text), mark)
        lean_text, lean_values, names = named_template(lean, "tx")
        return Outcome(r.diagnosis, r.syscall, r.errno, *template(js, "tj"), *template(xml, "tx"),
                       _junit_kind(r),
                       (r.diagnosis.category, r.diagnosis.cause) if r.diagnosis else None,
                       tuple(evidence), outcome_entry(as_json, r, evidence), lean_text,
                       lean_values, len(names) if set(names) <= {"n"} else -1,
                       number_format(lean))


def number_format(text: str) -> str | None:
    """Marked ``text`` as a str.format template of the test number ({0}), or None when it
    has other slots."""
    parts = SLOT.split(text)
    if any(part != str(NUMBER) for part in parts[1::2]):
        return None
    return "{0}".join(part.replace("{", "{{").replace("}", "}}") for part in parts[::2])


def slot_values(rec: Record, base: dict[str, str], xml: bool = True) -> dict[str, object]:
    """The values a result puts into its JSON and JUnit templates (``base``: the log's)."""
    values: dict[str, object] = {**base, "n": rec[2], "rl": rec[7], "run": rec[9]}
    for i, (line, _) in enumerate(rec[11]):
        values[f"d{i}"] = line
    if rec[7] >= 0:
        values["tj"] = _json_text(rec[8])
        if xml:
            values["tx"] = _xml_text(rec[8])
    return values


def evidence_lines(outcome: Outcome, rec: Record) -> list[LogLine]:
    """The outcome's evidence with this result's own lines."""
    source = rec[12]
    out = []
    for kind, what in outcome.evidence:
        if kind == "run":
            out.append(LogLine(rec[9], rec[10], source))
        elif kind == "result":
            out.append(LogLine(rec[7], rec[8], source))
        elif kind == "diag":
            line, text = rec[11][what]
            out.append(LogLine(line, text, source))
        else:
            out.append(what)  # type: ignore[arg-type]
    return out



ENTRY_DROPPED = ("id", "number", "line", "result_line", "run_line", "diagnostics", "evidence")


def outcome_entry(as_json: dict[str, object], r: Result,
                  evidence: list[tuple[str, int | LogLine]]) -> dict[str, object]:
    """The stand-in's JSON as an entry of a /2 report's "outcomes": what every result of the
    outcome shares. A string that held the test number is a list of the parts around it."""
    entry: dict[str, object] = {}
    number = str(NUMBER)
    for key, value in as_json.items():
        if key in ENTRY_DROPPED:
            continue
        if isinstance(value, str) and number in value:
            value = value.split(number)
        entry[key] = value
    entry["run_text"] = r.run_line.text if r.run_line is not None else None
    entry["diagnostics"] = [d.text for d in r.diagnostics]
    entry["evidence"] = [
        {"of": "run"} if kind == "run" else {"of": "result"} if kind == "result"
        else {"of": "diagnostic", "index": what} if kind == "diag"
        else what.to_json()  # type: ignore[union-attr]
        for kind, what in evidence]
    return entry
