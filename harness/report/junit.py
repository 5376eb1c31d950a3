"""The JUnit XML report, for CI systems and any JUnit viewer.

One <testsuite> per selftest binary and run ("gup_longterm" or "gup_longterm [9p]"), one
<testcase> per result. Results the environment, the configuration or a known issue explain
are <skipped>; kernel bugs, test bugs and unexplained failures are <failure>; a test that
crashed, timed out or errored is <error>. Each case carries its triage as properties and its
evidence in <system-out>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from junitparser import (
    Error,
    Failure,
    JUnitXml,
    Properties,
    Property,
    Skipped,
    TestCase,
    TestSuite,
)
from junitparser.junitparser import FinalResult as JResult

from harness.model import Category, LogLine, Report, Result, Status
from harness.report.common import clean_text, evidence_of, first_sentence, where_from

SKIPPED_CATEGORIES = frozenset({Category.ENV, Category.CONFIG, Category.KNOWN_ISSUE})
ERROR_STATUSES = frozenset({Status.CRASH, Status.TIMEOUT, Status.ERROR, Status.MISSING})


def suite_label(result: Result) -> str:
    suite = result.suite or "unknown"
    return f"{suite} [{result.run_id}]" if result.run_id else suite


def case_name(result: Result) -> str:
    return clean_text(f"#{result.number} {result.name or result.message or '?'}")


def outcome_message(result: Result) -> str:
    d = result.diagnosis
    if d is None:
        return clean_text(result.message or str(result.status))
    sentence = first_sentence(clean_text(d.explanation))
    return f"{d.category}/{d.cause}: {sentence}" if sentence else f"{d.category}/{d.cause}"


def outcome_text(result: Result) -> str:
    d = result.diagnosis
    parts = []
    if d is not None and d.explanation:
        parts.append(clean_text(d.explanation))
    evidence = evidence_of(result)
    if evidence:
        parts.append("Evidence:\n" + "\n".join(_evidence_line(e) for e in evidence))
    if d is not None and d.action:
        parts.append("Suggested action: " + clean_text(d.action))
    if d is not None and d.reference:
        parts.append("Reference: " + clean_text(d.reference))
    return "\n\n".join(parts)


def outcome(result: Result) -> JResult | None:
    """The JUnit verdict element of one result, or None for a plain pass."""
    d = result.diagnosis
    message = outcome_message(result)
    if d is None:
        if result.status in (Status.PASS, Status.XPASS):
            return None
        kind: type[JResult] = (Skipped if result.status in (Status.SKIP, Status.XFAIL)
                               else Error if result.status in ERROR_STATUSES else Failure)
    elif d.category in SKIPPED_CATEGORIES:
        kind = Skipped
    elif result.status in ERROR_STATUSES:
        kind = Error
    else:
        kind = Failure
    element = kind(message, str(result.status))
    if kind is not Skipped:
        element.text = outcome_text(result)
    return element


def case_properties(result: Result) -> list[tuple[str, str]]:
    d = result.diagnosis
    pairs = [
        ("status", str(result.status)),
        ("config", result.config),
        ("category", str(d.category) if d else ""),
        ("cause", d.cause if d else ""),
        ("confidence", d.confidence if d else ""),
        ("syscall", result.syscall or ""),
        ("errno", result.errno or ""),
        ("run", str(result.run_id or "")),
    ]
    return [(k, clean_text(v)) for k, v in pairs if v]


def _evidence_line(line: LogLine) -> str:
    return f"{where_from(line)}: {clean_text(line.text)}"


def testcase(result: Result) -> TestCase:
    case = TestCase(case_name(result), f"mm.{clean_text(result.suite or 'unknown')}")
    props = case_properties(result)
    if props:
        holder = Properties()
        for name, value in props:
            holder.add_property(Property(name, value))
        case.append(holder)
    element = outcome(result)
    if element is not None:
        case.result = [element]
    out = [f"{name}: {value}" for name, value in props]
    out += [_evidence_line(e) for e in evidence_of(result)]
    case.system_out = "\n".join(out)
    return case


def render_junit(report: Report) -> str:
    env = report.environment
    groups: dict[str, list[Result]] = {}
    for result in report.results:
        groups.setdefault(suite_label(result), []).append(result)
    root = JUnitXml("harness triage")
    for label, results in groups.items():
        suite = TestSuite(clean_text(label))
        run = results[0].run_id
        for name, value in (("verdict", report.verdict),
                            ("fs", env.fs or (run.fs if run else "")),
                            ("fs_options", env.fs_options),
                            ("kernel", env.kernel_release),
                            ("arch", env.arch),
                            ("run", str(run or ""))):
            if value:
                suite.add_property(name, clean_text(value))
        suite.add_testcases([testcase(r) for r in results])
        root.add_testsuite(suite)
    root.update_statistics()
    # Re-read with the standard library so the output is the same with or without lxml.
    tree = ET.fromstring(root.tostring())
    ET.indent(tree)
    body = ET.tostring(tree, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"

