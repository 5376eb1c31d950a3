"""Triage of a big log with memory that does not grow with its results.

Pass 1 reads the log once (``ingest`` with sinks): each result goes to a ``Spill`` on disk
as a compact record, and only what the cross-checks need stays in memory - the first result
of every (suite, test, config) and the names of tests that passed (``RunIndex`` over those),
the suites, the console lines, per-suite counts. Pass 2 reads the records back in order and
triages each distinct outcome once (``templates.Outcomes``): JSON and JUnit are written as
it goes, findings are aggregated (``FindingAggregate``: counts and sets, member ids to
disk). What stays is per finding and per distinct test, not per result.

The same triage as ``engine.triage`` for a whole capture. A log this path cannot judge the
same way (strace inside, runner or pasted shapes, results the parser had to make up for a
cut log) raises ``Declined`` after pass 1, and the caller uses the in-memory path.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from harness.model import (
    FAILING,
    POINTS_AT_KERNEL,
    Diagnosis,
    Environment,
    Finding,
    Result,
    RunId,
    Status,
    SuiteRun,
    Summary,
    Verdict,
)
from harness.readers.environment import from_logs, version_of
from harness.readers.ingest import Parsed, parse_file
from harness.readers.ktap import KselftestParser, config_of
from harness.readers.paste import BANNER
from harness.readers.spill import STATUSES, Record, Spill, to_record, to_result
from harness.report.common import compact_numbers, ordered_findings
from harness.report.streamed import JsonStream, JunitStream, TestIds
from harness.triage.aggregate import FindingAggregate
from harness.triage.checks import RunIndex
from harness.triage.engine import finish_group, severity_order, verdict_of
from harness.triage.rules import About, Rule
from harness.triage.run_findings import anomaly_findings, crash_findings
from harness.triage.templates import NUMBER, Outcome, Outcomes, evidence_lines, slot_values

STREAM_BYTES = 32 << 20  # `harness triage` streams logs at least this big
FIRST_NUMBERS = 64  # test numbers kept per finding and suite for the WHICH column
MADE_UP = frozenset({Status.MISSING, Status.CRASH})


class Declined(Exception):
    """This log needs the in-memory triage (the message says why)."""


@dataclass
class _Stream:
    """Pass-1 state of one of a log's two TAP streams (its own lines, or strace write()s)."""

    spill: Spill
    suites: list[SuiteRun] = field(default_factory=list)
    suite_index: dict[int, int] = field(default_factory=dict)
    # (suite index, suite as read, description, config) -> (order, number, status, message)
    cases: dict[tuple[int, str, str, str], tuple[int, int, Status, str]] = field(
        default_factory=dict)
    passed: dict[str, int] = field(default_factory=dict)  # test name -> first number
    per_suite: dict[int, list[int]] = field(default_factory=dict)  # index -> [count, lowest]
    nameless: int = 0
    made_up: int = 0

    def sink(self, result: Result, suite: SuiteRun) -> None:
        index = self.suite_index.get(id(suite))
        if index is None:
            index = self.suite_index[id(suite)] = len(self.suites)
            self.suites.append(suite)
        self.spill.add(to_record(result, index))
        name = result.name
        description = name.split(" ... with ", 1)[0] if " ... with " in name else name
        key = (index, result.suite, description, result.config)
        if key not in self.cases:
            self.cases[key] = (self.spill.count, result.number, result.status, result.message)
        if result.status is Status.PASS and name not in self.passed:
            self.passed[name] = result.number
        stats = self.per_suite.get(index)
        if stats is None:
            self.per_suite[index] = [1, result.number]
        else:
            stats[0] += 1
            stats[1] = min(stats[1], result.number)
        if not name:
            self.nameless += 1
        if result.status in MADE_UP:
            self.made_up += 1


@dataclass
class LogPass:
    """A log after pass 1: its records on disk and what the cross-checks need."""

    source: str
    parsed: Parsed
    stream: _Stream
    parser: KselftestParser
    default_suite: str
    run_id: RunId | None = None

    def suite_name(self, rec: Record) -> str:
        """What ``_close_level`` would have set (the suite name is known once it closed)."""
        suite = rec[1]
        if not suite or suite == self.default_suite:
            return self.stream.suites[rec[0]].name or self.default_suite or "selftest"
        return suite

    def index(self) -> RunIndex:
        by_case: dict[tuple[RunId | None, str, str, str], Result] = {}
        order: dict[tuple[RunId | None, str, str, str], int] = {}
        suites = self.stream.suites
        for (index, suite, description, config), (seq, number, status, message) in \
                self.stream.cases.items():
            name = suite if suite and suite != self.default_suite else (
                suites[index].name or self.default_suite or "selftest")
            key = (self.run_id, name, description, config)
            if key not in order or seq < order[key]:
                order[key] = seq
                by_case[key] = Result(name, number, description, config, status, message,
                                      run_id=self.run_id)
        passed = [Result("", number, name, config_of(name), Status.PASS, run_id=self.run_id)
                  for name, number in self.stream.passed.items()]
        truncated = {(self.run_id, s.name) for s in self.parsed.suites
                     if s.totals is None and s.bail_out is None}
        return RunIndex(by_case, truncated, {self.run_id: passed} if passed else {})

    def close(self) -> None:
        self.stream.spill.close()


def read_log(path: str, default_suite: str = "", run_id: RunId | None = None,
             directory: str | None = None) -> LogPass:
    """Pass 1. Raises Declined when the in-memory triage must judge this log."""
    streams = (_Stream(Spill(directory)), _Stream(Spill(directory)))
    parsed = parse_file(path, default_suite, sinks=(streams[0].sink, streams[1].sink))
    which = 1 if parsed.tap_from_writes else 0
    for other in streams[:which] + streams[which + 1:]:
        other.spill.close()
    stream = streams[which]
    parser = parsed.writes_parser if which else parsed.plain_parser
    assert parser is not None
    log = LogPass(path, parsed, stream, parser, default_suite, run_id)
    reason = _decline_reason(log)
    if reason:
        log.close()
        raise Declined(f"{path}: {reason}")
    return log


def _decline_reason(log: LogPass) -> str:
    stream, parsed = log.stream, log.parsed
    if not stream.spill.count:
        return "no selftest results"
    if parsed.strace_lines:
        return "strace lines in the log"
    if stream.nameless:
        return "results without a test name (runner verdicts or a bare TAP stream)"
    if stream.made_up:
        return "results missing from the log (a cut log or a crash)"
    if log.parser.runner_lines:
        return "kselftest runner or run_vmtests.sh output"
    for index, suite in enumerate(stream.suites):
        count, lowest = stream.per_suite.get(index, [0, 1])
        if suite.totals is not None and sum(suite.totals.values()) != count:
            return f"{suite.name or 'a suite'}'s Totals line does not count the results shown"
        if suite.planned is None and lowest > 1:
            return f"{suite.name or 'a suite'} starts at test {lowest} without a plan"
    return ""


class NumberList:
    """The first test numbers of a group and its last one: enough for '3, 8, 13 ... 48'."""

    __slots__ = ("first", "last")

    def __init__(self) -> None:
        self.first: list[int] = []
        self.last = 0

    def add(self, number: int) -> None:
        if len(self.first) < FIRST_NUMBERS:
            self.first.append(number)
        self.last = number

    def text(self, limit: int) -> str:
        return compact_numbers([*self.first, self.last], limit)


@dataclass
class StreamFinding:
    finding: Finding
    statuses: Counter = field(default_factory=Counter)
    numbers: dict[str, NumberList] = field(default_factory=dict)  # suite -> numbers

    def which(self, limit: int = 4) -> str:
        with_suite = len(self.numbers) > 1
        return "; ".join((f"{suite} " if with_suite else "") + numbers.text(limit)
                         for suite, numbers in self.numbers.items())


@dataclass
class StreamReport:
    """What the terminal, the mail and the fleet summary need of a streamed triage."""

    environment: Environment
    findings: list[StreamFinding]
    suites: list[SuiteRun]
    verdict: Verdict
    summary: Summary
    sources: list[str]
    statuses: Counter
    categories: Counter  # per result, as report.common.category_counts
    failing: int
    failing_at_kernel: int
    odd: int  # non-failing results whose cause points at the kernel
    distinct_outcomes: int = 0


def triage_log(log: LogPass, env: Environment, rules: tuple[Rule, ...],
               json_target: str | None = None, junit_target: str | None = None) -> StreamReport:
    """Pass 2 with the JSON and JUnit files written as it goes."""
    directory = tempfile.gettempdir()
    js = JsonStream(json_target, env) if json_target else None
    ju = JunitStream(junit_target, directory) if junit_target else None
    tests: dict[int, TestIds] = {}
    try:
        report = judge_log(log, env, rules, js, ju, tests=tests)
        if js is not None:
            js.finish([(f.finding, tests.get(id(f.finding))) for f in report.findings],
                      report.suites, report.summary, report.verdict, report.sources)
            js = None
        if ju is not None:
            ju.finish(report.verdict, env)
            ju = None
    finally:
        if js is not None:
            js.abandon()
        if ju is not None:
            ju.abandon()
        for ids in tests.values():
            ids.close()
    return report


class ResultWriter(Protocol):
    def result(self, text: str) -> None: ...


class CaseWriter(Protocol):
    def case(self, label: str, run: RunId | None, xml: str, kind: str) -> None: ...


def _kernel_from_banner(log: LogPass, env: Environment) -> None:
    """The kernel release from a 'Linux version' line, when nothing else named it."""
    banner = log.parser.banner
    if env.kernel_release is None and banner is not None and (m := BANNER.search(banner.text)):
        env.kernel_release, env.kernel_version = m.group(1), version_of(m.group(1))


def _write_record(rec: Record, suite: str, outcome: Outcome, js: ResultWriter | None,
                  ju: CaseWriter | None, run: RunId | None) -> None:
    """One record's JSON result and JUnit testcase, from its outcome's templates."""
    values = slot_values(rec, ju is not None)
    if js is not None:
        js.result(outcome.json.format_map(values))
    if ju is not None:
        label = f"{suite} [{run}]" if run else suite
        ju.case(label, run, outcome.junit.format_map(values), outcome.junit_kind)


def _join(group: tuple[FindingAggregate, TestIds, StreamFinding], rec: Record, suite: str,
          outcome: Outcome, status: Status, run: RunId | None) -> None:
    """A diagnosed record joins its finding: a kept member, or only counted."""
    aggregate, _, found = group
    d = outcome.diagnosis
    assert d is not None
    if aggregate.wants(suite, rec[4], rec[6]):
        aggregate.add(_member(rec, suite, outcome, run))
    else:
        aggregate.count(f"{suite} #{rec[2]}: {rec[3] or rec[6] or '?'}", d.confidence)
    found.statuses[status.value] += 1
    numbers = found.numbers.get(suite)
    if numbers is None:
        numbers = found.numbers[suite] = NumberList()
    numbers.add(rec[2])


def judge_log(log: LogPass, env: Environment, rules: tuple[Rule, ...],
              js: ResultWriter | None = None, ju: CaseWriter | None = None,
              tests: dict[int, TestIds] | None = None, id_prefix: str = "") -> StreamReport:
    """Pass 2: triage every record, hand its JSON/JUnit text on, aggregate the findings.

    ``tests`` receives each finding's member ids (id(finding) -> TestIds, the caller closes
    them; without it they are dropped); ``id_prefix`` starts every id ("[run] ")."""
    _kernel_from_banner(log, env)
    from_logs([log.parsed], env)
    about_results = tuple(r for r in rules if r.about is About.RESULT)
    outcomes = Outcomes(env, about_results, log.index(), log.run_id)
    directory = tempfile.gettempdir()
    groups: dict[tuple[str, str], tuple[FindingAggregate, TestIds, StreamFinding]] = {}
    statuses: Counter = Counter()
    categories: Counter = Counter()
    by_suite: dict[str, Counter] = defaultdict(Counter)
    failing = at_kernel = odd = 0
    run = log.run_id
    names: dict[int, str] = {}
    keep = tests is not None
    try:
        for rec in log.stream.spill:
            suite = rec[1]
            if not suite or suite == log.default_suite:
                suite = names.get(rec[0]) or names.setdefault(rec[0], log.suite_name(rec))
            status = STATUSES[rec[5]]
            statuses[status.value] += 1
            by_suite[suite][status.value] += 1
            outcome = outcomes.get(rec, suite)
            if js is not None or ju is not None:
                _write_record(rec, suite, outcome, js, ju, run)
            d = outcome.diagnosis
            if status in FAILING:
                failing += 1
                if d is None or d.category in POINTS_AT_KERNEL:
                    at_kernel += 1
            if d is None:
                continue
            categories[str(d.category)] += 1
            if status not in FAILING and d.category in POINTS_AT_KERNEL:
                odd += 1
            group = groups.get((d.category, d.cause))
            if group is None:
                ids = TestIds(directory if keep else None, id_prefix, keep)
                group = groups[(d.category, d.cause)] = (
                    FindingAggregate(ids), ids, StreamFinding(None))  # type: ignore[arg-type]
            _join(group, rec, suite, outcome, status, run)
        findings: list[Finding] = []
        streamed: dict[int, tuple[TestIds, StreamFinding]] = {}
        for aggregate, ids, found in groups.values():
            finding = finish_group(aggregate, env, about_results)
            found.finding = ids.finding = finding
            streamed[id(finding)] = (ids, found)
            findings.append(finding)
        suites = log.parsed.suites
        findings += anomaly_findings(suites, [], rules, by_suite)
        findings += crash_findings([log.parsed], [], rules)
        findings = severity_order(findings)
        verdict = verdict_of(findings)
        summary = _summary(sum(statuses.values()), statuses, findings)
        ordered = ordered_findings(findings)
    finally:
        for _, ids, _ in groups.values():
            if keep and ids.finding is not None:
                tests[id(ids.finding)] = ids  # type: ignore[index]
            else:
                ids.close()
    results = [streamed[id(f)][1] if id(f) in streamed else StreamFinding(f, Counter())
               for f in ordered]
    return StreamReport(env, results, suites, verdict, summary, [log.source], statuses,
                        categories, failing, at_kernel, odd, outcomes.computed)


def _member(rec: Record, suite: str, outcome: Outcome, run: RunId | None) -> Result:
    """A full Result for the few members a finding keeps (first ones, new places/messages)."""
    r = to_result(rec, suite)
    r.run_id = run
    r.syscall, r.errno = outcome.syscall, outcome.errno
    d = outcome.diagnosis
    assert d is not None
    explanation = d.explanation.replace(str(NUMBER), str(rec[2]))
    r.diagnosis = Diagnosis(d.category, d.cause, d.confidence, explanation, d.reference,
                            d.action, evidence_lines(outcome, rec))
    return r


def _summary(total: int, statuses: Counter, findings: list[Finding]) -> Summary:
    """``engine.summarize`` from counts instead of results."""
    by_category: Counter = Counter()
    for f in findings:
        by_category[f.category.value] += max(f.count, 1)
    return Summary(total=total, by_status=dict(sorted(statuses.items())),
                   by_category=dict(sorted(by_category.items())), findings=len(findings),
                   points_at_kernel=sum(1 for f in findings if f.category in POINTS_AT_KERNEL))


def exit_code(report: StreamReport) -> int:
    return 1 if any(f.finding.category in POINTS_AT_KERNEL for f in report.findings) else 0

