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

import json
import os
import shutil
import signal
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import mul
from typing import Protocol

from harness.aggregates import FIRST_NUMBERS, NumberList, StreamFinding, StreamReport
from harness.errors import OutputError
from harness.model import (
    FAILING,
    POINTS_AT_KERNEL,
    Category,
    Confidence,
    Diagnosis,
    Environment,
    Finding,
    LogLine,
    Result,
    RunId,
    Status,
    SuiteRun,
    Summary,
)
from harness.readers.environment import from_logs, version_of
from harness.readers.ingest import Parsed, parse_file
from harness.readers.ktap import KselftestParser, SharedKinds, config_of
from harness.readers.spill import STATUSES, Record, Spill, to_record, to_result
from harness.report.common import ordered_findings
from harness.report.streamed import (
    CASE_INDENT,
    KIND_COUNT,
    ROW_SEP,
    CaseFiles,
    JunitStream,
    RowsStream,
    SuiteCases,
    TestIds,
)
from harness.triage.aggregate import FIRST_EVIDENCE, FindingAggregate
from harness.triage.checks import RunIndex, assume_tmp_fs
from harness.triage.engine import finish_group, severity_order, verdict_of
from harness.triage.rules import About, Rule
from harness.triage.run_findings import anomaly_findings, crash_findings
from harness.triage.templates import (
    NUMBER,
    Outcome,
    Outcomes,
    evidence_lines,
    scope_of,
    slot_values,
)

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
    # kind -> (its first record, result line text before and after the number, diagnostics)
    protos: list[tuple[Record, str, str, int]] = field(default_factory=list)
    last: tuple[Result | None, Record] = (None, ())  # the last result sunk, as its record

    def sink(self, result: Result, suite: SuiteRun) -> None:
        index = self.suite_index.get(id(suite))
        if index is None:
            index = self.suite_index[id(suite)] = len(self.suites)
            self.suites.append(suite)
        rec = to_record(result, index)
        self.last = (result, rec)
        self.spill.add(rec)
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

    def proto(self, kind: int, result: Result, suite: SuiteRun, diagnostics: int) -> None:
        """The first record of a kind whose repeats come as rows (``KselftestParser.bulk``)."""
        rec = self.last[1] if self.last[0] is result else to_record(
            result, self.suite_index[id(suite)])
        text, number = rec[8], str(rec[2])
        head = text.index(" " + number) + 1
        assert kind == len(self.protos) and text[head:head + len(number)] == number
        self.protos.append((rec, text[:head], text[head + len(number):], diagnostics))

    def rows(self, suite: SuiteRun, kinds: list[int], numbers: list[int],
             lines: list[int]) -> None:
        self.spill.add_rows(kinds, numbers, lines)
        self.per_suite[self.suite_index[id(suite)]][0] += len(kinds)

    def full(self, rec: Record) -> Record:
        """A row read in bulk as the whole record it stands for."""
        if len(rec) != 3:
            return rec
        kind, number, line = rec
        proto, head, tail, _ = self.protos[kind]
        shift = line - proto[7]  # its lines are where the first's are, this much further on
        return (proto[0], proto[1], number, proto[3], proto[4], proto[5], proto[6], line,
                f"{head}{number}{tail}", proto[9] + shift, proto[10],
                tuple((at + shift, text) for at, text in proto[11]), proto[12])


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
        run = self.stream.suites[rec[0]]
        if not suite or suite == self.default_suite or suite == run.run_of:
            return run.name or self.default_suite or "selftest"
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

    def scope(self, env: Environment, rules: tuple[Rule, ...]) -> tuple:
        """``templates.scope_of`` from what ``index`` would hold, without making it."""
        by_case: dict[tuple[str, str, str], tuple[int, Status, str]] = {}
        order: dict[tuple[str, str, str], int] = {}
        suites = self.stream.suites
        for (index, suite, description, config), (seq, number, status, message) in \
                self.stream.cases.items():
            name = suite if suite and suite != self.default_suite else (
                suites[index].name or self.default_suite or "selftest")
            key = (name, description, config)
            if key not in order or seq < order[key]:
                order[key] = seq
                by_case[key] = (number, status, message)
        truncated = sorted(s.name for s in self.parsed.suites
                           if s.totals is None and s.bail_out is None)
        return scope_of(env, rules, tuple(sorted(by_case.items())),
                        tuple(self.stream.passed.items()), tuple(sorted(set(truncated))))

    def close(self) -> None:
        self.stream.spill.close()


AHEAD_BYTES = 16 << 20  # a log this big (~120k results) may be scanned by a second process


def read_log(path: str, default_suite: str = "", run_id: RunId | None = None,
             directory: str | None = None, ahead: bool = False,
             shared: SharedKinds | None = None) -> LogPass:
    """Pass 1. Raises Declined when the in-memory triage must judge this log. ``ahead``: a
    big log's blocks may be scanned by a second process (``blockscan.scans_ahead``) when
    there are two cores or more. ``shared``: the kinds of record that earlier logs of this
    process read (a fleet worker's)."""
    try:
        ahead = ahead and (os.cpu_count() or 1) > 1 and os.path.getsize(path) >= AHEAD_BYTES
    except OSError:
        ahead = False  # reading it says why
    streams = (_Stream(Spill(directory)), _Stream(Spill(directory)))
    parsed = parse_file(path, default_suite, sinks=(streams[0].sink, streams[1].sink),
                        bulk=streams[0], ahead=ahead, shared=shared)
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
    if log.parser.bare_binaries:
        return ("run_vmtests.sh ran a binary that printed no results of its own (its verdict "
                "stands for the whole binary)")
    for index, suite in enumerate(stream.suites):
        count, lowest = stream.per_suite.get(index, [0, 1])
        if suite.totals is not None and sum(suite.totals.values()) != count:
            return f"{suite.name or 'a suite'}'s Totals line does not count the results shown"
        if suite.planned is None and lowest > 1:
            return f"{suite.name or 'a suite'} starts at test {lowest} without a plan"
    return ""


FORK_ROWS = 100_000  # a log with this many results writes its JUnit in a second process


def triage_log(log: LogPass, env: Environment, rules: tuple[Rule, ...],
               json_target: str | None = None, junit_target: str | None = None) -> StreamReport:
    """Pass 2 with the JSON (harness.triage/2) and lean JUnit files written as it goes.

    With two cores or more and a big log, the JUnit test cases are written by a forked
    process reading the same records while this one writes the JSON and tallies."""
    directory = tempfile.gettempdir()
    js = RowsStream(json_target, env) if json_target else None
    ju = JunitStream(junit_target, directory) if junit_target else None
    parts, child = None, 0
    try:
        _log_facts(log, env)
        fork = ju is not None and (os.cpu_count() or 1) > 1 \
            and log.stream.spill.count >= FORK_ROWS
        # every kind's outcome is triaged here, before the fork: the child finds them made
        judge = _RowsJudge(log, env, rules, js, None if fork else ju)
        if fork:
            parts = tempfile.mkdtemp(prefix="harness-junit-", dir=directory)
            child = _fork_cases(log, env, rules, parts)
        for batch in log.stream.spill.batches():
            judge.batch(batch)
        report = judge.report()
        if js is not None:
            js.finish(judge.entries, [(f.finding, judge.tests_of(f)) for f in report.findings],
                      report.suites, report.summary, report.verdict, report.sources)
            js = None
        if ju is not None:
            if child:
                _, status = os.waitpid(child, 0)
                child = 0
                if os.waitstatus_to_exitcode(status) != 0:
                    raise OutputError(f"--junit {junit_target}: the process writing the test "
                                      "cases failed")
                ju.adopt(parts)  # type: ignore[arg-type]
            ju.finish(report.verdict, env)
            ju = None
    finally:
        if child:
            os.kill(child, signal.SIGTERM)
            os.waitpid(child, 0)
        if js is not None:
            js.abandon()
        if ju is not None:
            ju.abandon()
        if parts is not None:
            shutil.rmtree(parts, ignore_errors=True)
    return report


def _fork_cases(log: LogPass, env: Environment, rules: tuple[Rule, ...], parts: str) -> int:
    """A child process that writes the lean test cases into ``parts`` (``CaseFiles``)."""
    log.stream.spill.sync()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        cases = CaseFiles(parts, named=True)
        judge = _RowsJudge(log, env, rules, None, cases, tally=False)
        for batch in log.stream.spill.batches(own=True):
            judge.batch(batch)
        judge.fold_cases()
        cases.save()
        code = 0
    except BaseException:  # noqa: BLE001 - the parent says that it failed
        code = 1
    finally:
        os._exit(code)


class ResultWriter(Protocol):
    def result(self, text: str) -> None: ...


class CaseWriter(Protocol):
    def case(self, label: str, run: RunId | None, xml: str, kind: str) -> None: ...


def _kernel_and_machine(log: LogPass, env: Environment) -> None:
    """The kernel release from a 'Linux version' line, when nothing else named it, and the
    machine the log names in its first 64 KiB (``Parsed.head``, kept by pass 1's reader) and
    its banner (``readers.arch_facts``: a release's '-arm64', ``uname -m``). The in-memory
    triage reads every line for the machine; a log big enough to stream is a whole capture,
    whose head and banner name it."""
    from harness.readers import arch_facts

    banner = log.parser.banner
    machine = arch_facts.Reader()
    head = log.parsed.head.decode("utf-8", "replace").splitlines()[:-1]
    for number, text in enumerate(head, 1):
        machine.feed(LogLine(number, text))
    if banner is not None:
        machine.feed(banner)
        from harness.readers.paste import BANNER  # the pasted-report reader loads only here

        if env.kernel_release is None and (m := BANNER.search(banner.text)):
            env.kernel_release, env.kernel_version = m.group(1), version_of(m.group(1))
    arch_facts.apply_machine(machine.facts(), env)


def _log_facts(log: LogPass, env: Environment) -> None:
    """What pass 2 knows of the run before its records: the kernel and machine the log names,
    the guest's facts (``from_logs``) and /tmp's filesystem (``checks.assume_tmp_fs`` on the
    log's distinct cases), as the in-memory ``triage`` has them."""
    _kernel_and_machine(log, env)
    from_logs([log.parsed], env)
    assume_tmp_fs(env, ((key, status, number) for key, (_, number, status, _) in
                        log.stream.cases.items()))


def judge_log(log: LogPass, env: Environment, rules: tuple[Rule, ...],
              js: ResultWriter | None = None, ju: CaseWriter | None = None,
              tests: dict[int, TestIds] | None = None, id_prefix: str = "") -> StreamReport:
    """Pass 2: triage every record, hand its JSON/JUnit text on, aggregate the findings.

    ``tests`` receives each finding's member ids (id(finding) -> TestIds, the caller closes
    them; without it they are dropped); ``id_prefix`` starts every id ("[run] ")."""
    _log_facts(log, env)
    judge = _Judge(log, env, rules, js, ju, tests is not None, id_prefix)
    try:
        full = log.stream.full
        for rec in log.stream.spill:
            judge.record(full(rec))
        return judge.report()
    finally:
        for _, ids, _ in judge.groups.values():
            if tests is not None and ids.finding is not None:
                tests[id(ids.finding)] = ids
            else:
                ids.close()


Group = tuple[FindingAggregate, TestIds, "StreamFinding"]


class _Judge:
    """Pass 2 of one log: what each record adds, and the report from the tallies."""

    def __init__(self, log: LogPass, env: Environment, rules: tuple[Rule, ...],
                 js: ResultWriter | None, ju: CaseWriter | None, keep: bool,
                 id_prefix: str) -> None:
        self.log, self.env, self.rules = log, env, rules
        self.about_results = tuple(r for r in rules if r.about is About.RESULT)
        self.outcomes = Outcomes(env, self.about_results, log.index, log.run_id, log.source,
                                 log.scope(env, self.about_results))
        self.js, self.ju = js, ju
        self.keep, self.id_prefix = keep, id_prefix
        self.directory = tempfile.gettempdir() if keep else None
        self.groups: dict[tuple[str, str] | None, Group] = {}
        self.counts: dict[tuple[str, int], int] = {}  # (suite, status index) -> results
        self.in_group: dict[tuple[int, int], int] = {}  # (id(group), status index) -> results
        self.names: dict[int, str] = {}
        self.run = log.run_id
        self.label = f" [{log.run_id}]" if log.run_id else ""

    def record(self, rec: Record) -> None:
        suite = rec[1]
        if not suite or suite == self.log.default_suite:
            suite = self.names.get(rec[0]) or self.names.setdefault(
                rec[0], self.log.suite_name(rec))
        key = (suite, rec[5])
        self.counts[key] = self.counts.get(key, 0) + 1
        outcome = self.outcomes.get(rec, suite)
        self.write(rec, suite, outcome)
        if outcome.diagnosis is not None:
            self.member(rec, suite, outcome)

    def write(self, rec: Record, suite: str, outcome: Outcome) -> None:
        """A result's JSON and JUnit text (harness.triage/1, full test cases)."""
        if self.js is not None or self.ju is not None:
            values = slot_values(rec, self.outcomes.values, self.ju is not None)
            if self.js is not None:
                self.js.result(outcome.json % outcome.json_values(values))
            if self.ju is not None:
                self.ju.case(suite + self.label, self.run,
                             outcome.junit % outcome.junit_values(values), outcome.junit_kind)

    def suite_of(self, rec: Record) -> str:
        suite = rec[1]
        if not suite or suite == self.log.default_suite:
            suite = self.names.get(rec[0]) or self.names.setdefault(
                rec[0], self.log.suite_name(rec))
        return suite

    def member(self, rec: Record, suite: str, outcome: Outcome) -> None:
        """A diagnosed result joins its finding's group."""
        d = outcome.diagnosis
        assert d is not None
        group = self.groups.get(outcome.group)
        if group is None:
            ids = TestIds(self.directory, self.id_prefix, self.keep)
            group = self.groups[outcome.group] = (FindingAggregate(ids), ids,
                                                  StreamFinding(None))  # type: ignore[arg-type]
        aggregate, ids, found = group
        members = aggregate.members
        if members.count < FIRST_EVIDENCE or aggregate.wants(suite, rec[4], rec[6]):
            aggregate.add(_member(rec, suite, outcome, self.run))
        else:
            members.count += 1
            if d.confidence is not aggregate.confidence:
                aggregate.confidence = Confidence.weakest((aggregate.confidence, d.confidence))
            ids.append(f"{suite} #{rec[2]}: {rec[3] or rec[6] or '?'}")
        key = (id(found), rec[5])
        self.in_group[key] = self.in_group.get(key, 0) + 1
        numbers = found.numbers.get(suite)
        if numbers is None:
            numbers = found.numbers[suite] = NumberList()
        if len(numbers.first) < FIRST_NUMBERS:
            numbers.first.append(rec[2])
        numbers.last = rec[2]

    def report(self) -> StreamReport:
        statuses: Counter = Counter()
        by_suite: dict[str, Counter] = defaultdict(Counter)
        for (suite, status_index), n in self.counts.items():
            statuses[STATUSES[status_index].value] += n
            by_suite[suite][STATUSES[status_index].value] += n
        categories: Counter = Counter()
        odd = explained_failures = kernel_failures = 0
        findings: list[Finding] = []
        streamed: dict[int, StreamFinding] = {}
        for aggregate, ids, found in self.groups.values():
            for (group, status_index), n in self.in_group.items():
                if group == id(found):
                    found.statuses[STATUSES[status_index].value] = n
            category = aggregate.members[0].diagnosis.category  # type: ignore[union-attr]
            categories[str(category)] += aggregate.members.count
            failed = sum(n for s, n in found.statuses.items() if Status(s) in FAILING)
            if category in POINTS_AT_KERNEL:
                odd += aggregate.members.count - failed
                if category is Category.KERNEL_BUG:
                    kernel_failures += failed
            else:
                explained_failures += failed
            finding = finish_group(aggregate, self.env, self.about_results)
            found.finding = ids.finding = finding
            streamed[id(finding)] = found
            findings.append(finding)
        suites = self.log.parsed.suites
        findings += anomaly_findings(suites, [], self.rules, by_suite)
        findings += crash_findings([self.log.parsed], [], self.rules)
        findings = severity_order(findings)
        failing = sum(n for s, n in statuses.items() if Status(s) in FAILING)
        return StreamReport(
            self.env, [streamed.get(id(f)) or StreamFinding(f) for f in ordered_findings(findings)],
            suites, verdict_of(findings), _summary(sum(statuses.values()), statuses, findings),
            [self.log.source], statuses, categories, failing, failing - explained_failures, odd,
            self.outcomes.computed, kernel_failures)


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



ROW = ROW_SEP + "[%d,%d,%d]"
FULL_ROW = ROW_SEP + "[%d, %d, %s, %s, [%s], %s]"
_json_text = json.encoder.encode_basestring


class _Kind:
    """What pass 2 needs for the repeats of one kind of record (``_Stream.protos``)."""

    __slots__ = ("cases", "group", "hot_rows", "lean", "members", "numbers", "outcome")

    def __init__(self, outcome: Outcome, cases: SuiteCases | None, numbers: NumberList | None,
                 group: Group | None) -> None:
        self.outcome = outcome
        self.cases = cases  # the JUnit suite's SuiteCases, or None
        self.lean = outcome.lean_format  # its lean test case: str.format(number), or None
        self.numbers = numbers  # its finding's number list for its suite
        self.group = group
        self.hot_rows = 0  # rows judged one by one (while its finding was filling up)
        self.members = 0  # of those, rows that only counted in their finding


class _RowsJudge(_Judge):
    """Pass 2 writing harness.triage/2 rows and lean JUnit. A run of rows costs a few calls
    whatever its length: its JSON and JUnit text are one map each, and what it adds to the
    counts (per kind, and each kind's last row) is folded into the tallies at the end. Rows
    of a finding that has not yet its first members and number lists ("hot" kinds) are
    judged one by one, as ``member`` judges a record."""

    def __init__(self, log: LogPass, env: Environment, rules: tuple[Rule, ...],
                 rows: RowsStream | None, junit: CaseFiles | None, tally: bool = True) -> None:
        super().__init__(log, env, rules, None, None, False, "")
        self.rows_out, self.junit = rows, junit
        self.tally = tally  # False: only write (the JUnit of a forked process)
        protos = log.stream.protos
        self.kinds: list[_Kind | None] = [None] * len(protos)
        self.prepared: set[int] = set()
        # kind -> its lean test case around the number: before, between (or after), after the
        # second one (or ""); and 1 when it holds the number twice, else 0
        self.heads: list[str] = [""] * len(protos)
        self.middles: list[str] = [""] * len(protos)
        self.tails: list[str] = [""] * len(protos)
        self.twice: list[int] = [0] * len(protos)
        self.suite_ids: list[int] = [0] * len(protos)  # kind -> id of its JUnit suite
        # kinds whose test case holds the number once, and their test case as a printf format
        self.once: set[int] = set()
        self.formats: list[str] = [""] * len(protos)
        self.awkward: set[int] = set()  # kinds whose test case has other slots (or 3 numbers)
        self.hot: set[int] = set()
        self.per_kind = log.parser.kind_rows  # kind -> its rows (counted by pass 1)
        self.last_row: dict[int, int] = {}  # kind -> position of its last row
        self.last_number: dict[int, int] = {}  # kind -> test number of its last row
        self.list_last: dict[int, tuple[int, NumberList]] = {}  # set one by one: (position, list)
        self.position = 0  # of the next record or row in the log
        self.now = 0  # of the one being judged
        self.entries: list[dict[str, object]] = []
        self.entry_of: dict[int, int] = {}  # id(outcome) -> its entry
        for kind, (rec, head, tail, _) in enumerate(protos):
            outcome = self.outcomes.get(rec, self.suite_of(rec))
            self.entry_of.setdefault(id(outcome), kind)
            entry = {**outcome.entry, "source": rec[12], "result_text": [head, tail]}
            before = [rec[7] - rec[9]] + [rec[7] - at for at, _ in rec[11]]
            if before != list(range(len(before), 0, -1)):  # kernel messages between them
                entry["lines_before"] = before
            self.entries.append(entry)
        self.slow: list[str] = []

    def write(self, rec: Record, suite: str, outcome: Outcome) -> None:
        index = self.entry_of.get(id(outcome))
        if index is None:
            index = self.entry_of[id(outcome)] = len(self.entries)
            self.entries.append({**outcome.entry, "source": rec[12], "result_text": None})
        if self.rows_out is not None:
            # json.dumps([index, number, line, run line, [diagnostic lines], text]), faster
            found = rec[7] >= 0
            self.slow.append(FULL_ROW % (
                index, rec[2], rec[7] if found else "null", rec[9] if rec[9] >= 0 else "null",
                ", ".join([str(line) for line, _ in rec[11]]),
                _json_text(rec[8]) if found else "null"))
        if self.junit is not None:
            values = slot_values(rec, self.outcomes.values, True)
            self.junit.case(suite + self.label, self.run,
                            outcome.lean % outcome.lean_values(values), outcome.junit_kind)

    def member(self, rec: Record, suite: str, outcome: Outcome) -> None:
        super().member(rec, suite, outcome)
        listed = self.groups[outcome.group][2].numbers[suite]
        self.list_last[id(listed)] = (self.now, listed)

    def _kind(self, kind: int) -> None:
        rec = self.log.stream.protos[kind][0]
        suite = self.suite_of(rec)
        outcome = self.outcomes.get(rec, suite)
        cases = self.junit.suite(suite + self.label, self.run) if self.junit else None
        group = numbers = None
        if outcome.diagnosis is not None and self.tally:
            group = self.groups[outcome.group]  # the kind's first record made it
            numbers = group[2].numbers.setdefault(suite, NumberList())
            self.hot.add(kind)
        info = self.kinds[kind] = _Kind(outcome, cases, numbers, group)
        self.suite_ids[kind] = id(cases)
        parts = info.lean.split("{0}") if info.lean is not None else []
        if len(parts) in (2, 3):  # the format's text has no braces but its doubled ones
            parts = [part.replace("{{", "{").replace("}}", "}") for part in parts] + [""]
            self.heads[kind], self.middles[kind], self.tails[kind] = parts[:3]
            self.heads[kind] = CASE_INDENT + self.heads[kind]
            self.tails[kind] += "\n"
            self.twice[kind] = int(len(parts) == 4)
            if not self.twice[kind]:
                self.once.add(kind)
                self.formats[kind] = (self.heads[kind].replace("%", "%%") + "%d"
                                      + self.middles[kind].replace("%", "%%")
                                      + self.tails[kind].replace("%", "%%"))
        else:
            self.awkward.add(kind)
        self.prepared.add(kind)

    def batch(self, batch: list[Record]) -> None:
        """Records and runs of rows in log order."""
        out: list[str] = []
        for item in batch:
            if len(item) == 4:
                self._rows(item[1], item[2], item[3], out)
                continue
            self.slow = []
            self.now = self.position
            self.position += 1
            if self.tally:
                self.record(item)
            else:
                name = self.suite_of(item)
                self.write(item, name, self.outcomes.get(item, name))
            out += self.slow
        if self.rows_out is not None:
            self.rows_out.rows("".join(out))
        if self.junit is not None:
            for suite in self.junit.suites.values():
                suite.flush()

    def _rows(self, kinds: list[int], numbers: list[int], lines: list[int],
              out: list[str]) -> None:
        """Rows that follow each other."""
        if self.rows_out is not None:
            out.append(ROW * len(kinds) % tuple(chain.from_iterable(zip(
                kinds, numbers, lines, strict=True))))
        if not self.prepared.issuperset(kinds):
            for kind in set(kinds) - self.prepared:
                self._kind(kind)
        first = self.position
        self.position += len(kinds)
        if self.tally:
            self.last_row.update(zip(kinds, range(first, self.position), strict=True))
            self.last_number.update(zip(kinds, numbers, strict=True))
        if self.junit is not None:
            self._cases(kinds, numbers, lines)
        if not self.hot.isdisjoint(kinds):
            self._hot(list(zip(kinds, numbers, lines, strict=True)), first)

    def _cases(self, kinds: list[int], numbers: list[int], lines: list[int]) -> None:
        """The rows' lean test cases: the rows of kinds with other slots than the number
        (``awkward``) one by one, the runs between them at once."""
        if not self.awkward.isdisjoint(kinds):
            at = 0
            for i in compress(range(len(kinds)), map(self.awkward.__contains__, kinds)):
                if i > at:
                    self._cases(kinds[at:i], numbers[at:i], lines[at:i])
                self._one_by_one(kinds[i:i + 1], numbers[i:i + 1], lines[i:i + 1])
                at = i + 1
            if at < len(kinds):
                self._cases(kinds[at:], numbers[at:], lines[at:])
            return
        if len(set(map(self.suite_ids.__getitem__, kinds))) != 1:
            self._one_by_one(kinds, numbers, lines)
            return
        info = self.kinds[kinds[0]]
        assert info is not None and info.cases is not None
        if self.once.issuperset(kinds):  # one printf over the run's formats
            text = "".join(map(self.formats.__getitem__, kinds)) % tuple(numbers)
        else:
            texts = list(map(str, numbers))
            text = "".join(chain.from_iterable(zip(
                map(self.heads.__getitem__, kinds), texts, map(self.middles.__getitem__, kinds),
                map(mul, texts, map(self.twice.__getitem__, kinds)),
                map(self.tails.__getitem__, kinds), strict=True)))
        info.cases.pending.append(text)

    def _one_by_one(self, kinds: list[int], numbers: list[int], lines: list[int]) -> None:
        for rec in zip(kinds, numbers, lines, strict=True):
            info = self.kinds[rec[0]]
            assert info is not None and info.cases is not None
            lean = self._lean(rec, info) if info.lean is None else info.lean.format(rec[1])
            info.cases.pending.append(f"{CASE_INDENT}{lean}\n")

    def _hot(self, rows: list[Record], first: int) -> None:
        """The rows of hot kinds one by one; a kind cools once its finding has its first
        members and its number list is full."""
        hot = self.hot
        for i, rec in enumerate(rows):
            kind = rec[0]
            if kind not in hot:
                continue
            info = self.kinds[kind]
            assert info is not None and info.group is not None and info.numbers is not None
            info.hot_rows += 1
            self.now = first + i
            members = info.group[0].members
            listed = info.numbers
            if members.count < FIRST_EVIDENCE:
                full = self.log.stream.full(rec)
                self.member(full, self.suite_of(full), info.outcome)
            else:
                members.count += 1
                info.members += 1
                if len(listed.first) < FIRST_NUMBERS:
                    listed.first.append(rec[1])
                listed.last = rec[1]
                self.list_last[id(listed)] = (self.now, listed)
            if members.count >= FIRST_EVIDENCE and len(listed.first) >= FIRST_NUMBERS:
                hot.discard(kind)

    def _lean(self, rec: Record, info: _Kind) -> str:
        """A row's lean test case from the general template (slots other than the number)."""
        outcome = info.outcome
        return outcome.lean % outcome.lean_values(
            slot_values(self.log.stream.full(rec), self.outcomes.values, True))

    def fold_cases(self) -> None:
        """Count the rows in their JUnit suites."""
        for kind, info in enumerate(self.kinds):
            if info is not None and info.cases is not None:
                rows = self.per_kind[kind]
                info.cases.counts["tests"] += rows
                if info.outcome.junit_kind:
                    info.cases.counts[KIND_COUNT[info.outcome.junit_kind]] += rows

    def report(self) -> StreamReport:
        """The rows' tallies folded into the records', then the report."""
        self.fold_cases()
        ends = dict(self.list_last)  # id(number list) -> (position of its last row, list)
        for kind, info in enumerate(self.kinds):
            if info is None:
                continue
            outcome, rows = info.outcome, self.per_kind[kind]
            rec = self.log.stream.protos[kind][0]
            key = (self.suite_of(rec), rec[5])
            self.counts[key] = self.counts.get(key, 0) + rows
            if info.group is None or info.numbers is None:
                continue
            aggregate, _, found = info.group
            bulk = rows - info.hot_rows  # counted in bulk: only their number and tally
            aggregate.members.count += bulk
            counted = bulk + info.members
            if counted:
                d = outcome.diagnosis
                assert d is not None
                if d.confidence is not aggregate.confidence:
                    aggregate.confidence = Confidence.weakest((aggregate.confidence,
                                                               d.confidence))
                group_key = (id(found), rec[5])
                self.in_group[group_key] = self.in_group.get(group_key, 0) + counted
            if kind in self.last_row:
                end = ends.get(id(info.numbers))
                if end is None or self.last_row[kind] > end[0]:
                    ends[id(info.numbers)] = (self.last_row[kind], info.numbers)
                    info.numbers.last = self.last_number[kind]
        return super().report()

    def tests_of(self, found: StreamFinding) -> list[int] | None:
        """The outcomes whose results are a finding's tests (None: not a finding of results)."""
        groups = [key for key, (_, _, f) in self.groups.items() if f is found and key]
        if not groups or groups[0] is None:
            return None
        category, cause = groups[0]
        return [i for i, e in enumerate(self.entries)
                if e.get("category") == str(category) and e.get("cause") == cause]
