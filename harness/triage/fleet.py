"""A day of CI logs in one command: each log judged on its own, on all cores, the causes
counted across logs (how many logs, kernels, machines, filesystems; first and last seen).

A log is the unit of work: a worker process reads it (streaming, or in memory when the
streaming path declines it), writes its JSON results and JUnit cases to fragment files and
returns a small ``LogVerdict``. The parent keeps only those verdicts and one ``FleetCause``
per cause, and stitches the fragments into the outputs at the end. Memory: the largest
single log in each worker, plus per-log verdicts and per-cause aggregates in the parent.

Where each log's machine, kernel, filesystem and date come from: a manifest (CSV with a
header naming ``log`` and any of ``machine,kernel,fs,tmp_fs,date``), else the log's path: its
directory and file-name parts split at ``/``, ``_`` and ``,`` are read as a date
(2026-12-01, 20261201, with an optional Thh:mm), a kernel (6.12.117, v6.13-rc2, 6.12.117+deb12),
a filesystem (9p, nfs, xfs, ...), a selftest name (cow, gup_longterm: ignored), and the first
other part is the machine: ``juno-r2_6.12.117_9p_2026-12-01.log`` or
``fvp/6.13-rc1/nfs/2026-12-01T03:00.log``. A CI machine's filesystem is its root's: the tests'
work directory and /tmp both (an NFS- or 9p-root board), unless the manifest's ``tmp_fs``
says otherwise; ``--fs``/``--tmp-fs`` override both for every log.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

from harness.aggregates import (
    CauseOfLog,
    FleetCause,
    FleetReport,
    LogMeta,
    LogVerdict,
    Segment,
)
from harness.errors import InputError, OutputError
from harness.lazy_regex import lazy
from harness.model import (
    POINTS_AT_KERNEL,
    SEVERITY,
    Category,
    Environment,
    Finding,
    LogLine,
    RunId,
    Verdict,
)
from harness.readers.ingest import suite_hint
from harness.readers.ktap import SharedKinds
from harness.report.common import clean_text
from harness.report.streamed import COPY, KIND_COUNT, _tag, _Target
from harness.triage.rules import Rule, load_rules

KNOWN_FS = ("9p", "nfs", "nfs3", "nfs4", "nfs4.2", "xfs", "ext4", "ext3", "ext2", "tmpfs",
            "btrfs", "f2fs", "virtiofs", "overlay", "ramfs", "bcachefs")
SUITES = ("gup_longterm", "cow")
DATE = lazy(r"^(\d{4}-\d{2}-\d{2}|\d{8})(?:T\d{2}(?::?\d{2}){0,2}Z?)?$")
KERNEL = lazy(r"^v?\d+\.\d+(?:\.\d+)?(?:-rc\d+)?(?:[-+~.][\w.+~-]*)?$")
LOG_SUFFIXES = (".log", ".txt", ".tap", ".out")
SCHEMA_NOTE = ("fleet report: results of every log (run = machine/kernel/date/fs), findings "
               "counted across logs; 'logs' has each log's verdict")


def meta_from_path(path: str, root: str | None = None) -> LogMeta:
    """Machine, kernel, filesystem and date read from a log's path (relative to root)."""
    rel = os.path.relpath(path, root) if root else Path(path).name
    stem = rel
    for suffix in LOG_SUFFIXES:
        stem = stem.removesuffix(suffix)
    for suite in SUITES:
        stem = stem.replace(suite, "/")
    found: dict[str, str] = {}
    for part in re.split(r"[/_,]+", stem):
        if not part:
            continue
        if "date" not in found and DATE.match(part):
            found["date"] = part
        elif "fs" not in found and part.lower() in KNOWN_FS:
            found["fs"] = part.lower()
        elif "kernel" not in found and KERNEL.match(part):
            found["kernel"] = part
        elif "machine" not in found:
            found["machine"] = part
    return LogMeta(path, **found)


def read_manifest(path: str) -> list[LogMeta]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a CSV manifest ({exc})") from None
    if not rows or "log" not in rows[0]:
        raise InputError(f"{path}: a manifest needs a header line with a 'log' column "
                         "(and any of machine,kernel,fs,date)")
    base = Path(path).resolve().parent
    out = []
    for number, row in enumerate(rows, 2):
        log = (row.get("log") or "").strip()
        if not log:
            raise InputError(f"{path}:{number}: no log named")
        log_path = Path(log) if Path(log).is_absolute() else base / log
        if not log_path.is_file():
            raise InputError(f"{path}:{number}: {log}: no such file")
        out.append(LogMeta(str(log_path), *((row.get(k) or "").strip()
                                            for k in ("machine", "kernel", "fs", "date",
                                                      "tmp_fs"))))
    return out


def collect(inputs: list[str], manifest: str | None) -> list[LogMeta]:
    """The logs to judge: files as given, directories searched for *.log, or a manifest."""
    metas: list[LogMeta] = read_manifest(manifest) if manifest else []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(
                LOG_SUFFIXES))
            metas += [meta_from_path(str(p), name) for p in found]
        elif path.is_file():
            metas.append(meta_from_path(name))
        else:
            raise InputError(f"{name}: no such file or directory")
    if not metas:
        raise InputError(f"{', '.join(inputs) or manifest}: no log files (*.log, *.txt, "
                         "*.tap, *.out) found")
    return metas


@dataclass
class Job:
    meta: LogMeta
    index: int
    fs: str | None
    tmp_fs: str | None
    rules_dir: str | None
    work: str
    want_json: bool
    want_junit: bool


_RULES: dict[str | None, tuple[Rule, ...]] = {}
_KINDS = SharedKinds()  # the kinds of record this process's logs read so far


def _rules(directory: str | None) -> tuple[Rule, ...]:
    if directory not in _RULES:
        _RULES[directory] = load_rules(Path(directory)) if directory else load_rules()
    return _RULES[directory]


BATCH = 512  # results or test cases joined into one write


class _Part:
    """One of a worker's part files (JSON results, JUnit test cases, finding test ids):
    every log the worker judges appends to it, and says where its pieces are (``Segment``).
    A few files per worker, not a few per log: creating, filling and removing ~7 files per
    log cost more than judging a small log."""

    def __init__(self, work: str, kind: str) -> None:
        fd, self.path = tempfile.mkstemp(dir=work, prefix=f"{kind}-")
        self.file = os.fdopen(fd, "wb")
        self.size = 0

    def add(self, text: str) -> Segment:
        data = text.encode("utf-8")
        self.file.write(data)
        segment = (self.path, self.size, len(data))
        self.size += len(data)
        return segment


_PARTS: dict[tuple[int, str, str], _Part] = {}  # (process, work directory, kind) -> its part
_SENT: dict[tuple[int, str], set[tuple[str, str]]] = {}  # causes explained to the parent


def _part(work: str, kind: str) -> _Part:
    key = (os.getpid(), work, kind)
    part = _PARTS.get(key)
    if part is None:
        part = _PARTS[key] = _Part(work, kind)
    return part


def _flush_parts(work: str) -> None:
    """What this process wrote for its logs is in the files (a pool's worker leaves with
    os._exit, which flushes nothing)."""
    for (pid, directory, _), part in _PARTS.items():
        if pid == os.getpid() and directory == work:
            part.file.flush()


def _close_parts(work: str) -> None:
    for key in [k for k in _PARTS if k[1] == work]:
        part = _PARTS.pop(key)
        if key[0] == os.getpid():
            part.file.close()
    for sent in [k for k in _SENT if k[1] == work]:
        del _SENT[sent]


class _Lines:
    """JSON results of one log into the worker's results part."""

    def __init__(self, work: str) -> None:
        self.part = _part(work, "results")
        self.pending: list[str] = []
        self.segments: list[Segment] = []

    def result(self, text: str) -> None:
        self.pending.append(text)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.segments.append(self.part.add(",\n".join(self.pending)))
            self.pending = []


class _Cases:
    """JUnit test cases of one log, by suite label, into the worker's test-case part."""

    def __init__(self, work: str) -> None:
        self.part = _part(work, "cases")
        self.suites: dict[str, tuple[list[str], list[Segment], dict[str, int]]] = {}

    def case(self, label: str, run: RunId | None, xml: str, kind: str) -> None:
        entry = self.suites.get(label)
        if entry is None:
            entry = self.suites[label] = ([], [], {"tests": 0, "errors": 0, "failures": 0,
                                                   "skipped": 0})
        pending, segments, counts = entry
        pending.append(xml)
        if len(pending) >= BATCH:
            self._flush(pending, segments)
        counts["tests"] += 1
        if kind:
            counts[KIND_COUNT[kind]] += 1

    def _flush(self, pending: list[str], segments: list[Segment]) -> None:
        if pending:
            segments.append(self.part.add("    " + "\n    ".join(pending) + "\n"))
            pending.clear()

    def close(self) -> list[tuple[str, list[Segment], dict[str, int]]]:
        out = []
        for label, (pending, segments, counts) in self.suites.items():
            self._flush(pending, segments)
            out.append((label, segments, counts))
        return out


def _tests_part(work: str, texts: Iterable[str]) -> list[Segment]:
    """A finding's test ids (JSON strings joined by ', ') into the worker's ids part."""
    part = _part(work, "tests")
    return [part.add(text) for text in texts if text]


def judge_one(job: Job) -> LogVerdict:
    """One log, start to end (in a worker process)."""
    try:
        return _judge(job)
    finally:
        _flush_parts(job.work)


def _judge(job: Job) -> LogVerdict:
    from harness.report.common import suite_to_json
    from harness.triage.stream import Declined, judge_log, read_log

    meta = job.meta
    env = Environment(fs=job.fs or meta.fs or None, kernel_release=meta.kernel or None,
                      tmp_fs=job.tmp_fs or meta.tmp_fs or meta.fs or None)
    if env.fs:
        env.fs_source = "--fs" if job.fs else "log name"
    if meta.kernel:
        from harness.readers.environment import version_of

        env.kernel_version = version_of(meta.kernel)
    rules = _rules(job.rules_dir)
    run = meta.run
    prefix = f"[{run}] "
    lines = _Lines(job.work) if job.want_json else None
    cases = _Cases(job.work) if job.want_junit else None
    try:
        log = read_log(meta.path, suite_hint(meta.path), run, shared=_KINDS)
    except Declined:
        return _judge_in_memory(job, env, rules, lines, cases)
    except InputError as exc:
        return LogVerdict(meta, "unreadable", 0, {}, [], [], [], [], False, str(exc))
    from harness.report.streamed import TestIds

    tests: dict[int, TestIds] = {}
    try:
        report = judge_log(log, env, rules, lines, cases, tests, prefix)
    finally:
        log.close()
    causes = []
    for f in report.findings:
        finding = f.finding
        ids = tests.get(id(finding))
        causes.append(_cause(job.work, finding, [] if ids is None else ids.texts()))
    for ids in tests.values():
        ids.close()
    return LogVerdict(meta, str(report.verdict), report.summary.total,
                      dict(report.summary.by_status), causes, _results(lines),
                      cases.close() if cases else [],
                      [suite_to_json(s) for s in report.suites], True)


def _results(lines: _Lines | None) -> list[Segment]:
    if lines is None:
        return []
    lines.flush()
    return lines.segments


def _cause(work: str, finding: Finding, tests: Iterable[str]) -> CauseOfLog:
    """What the parent gets of a finding of a log; its explanation and evidence only the
    first time this process sends the cause (the parent quotes the first log's)."""
    sent = _SENT.setdefault((os.getpid(), work), set())
    key = (str(finding.category), finding.cause)
    first = key not in sent
    sent.add(key)
    return CauseOfLog(str(finding.category), finding.cause, str(finding.confidence),
                      finding.count or len(finding.tests),
                      finding.explanation if first else None,
                      [e.to_json() for e in finding.evidence] if first else None,
                      finding.reference, finding.action, _tests_part(work, tests))


def _judge_in_memory(job: Job, env: Environment, rules: tuple[Rule, ...],
                     lines: _Lines | None, cases: _Cases | None) -> LogVerdict:
    """A log the streaming path declined: the whole-report triage, the same outputs."""
    import xml.etree.ElementTree as ET

    from junitparser.junitparser import etree as junit_etree

    from harness.readers.environment import from_logs
    from harness.readers.report_input import read_report
    from harness.report.common import result_to_json, suite_to_json
    from harness.report.junit import testcase
    from harness.triage.engine import triage
    from harness.triage.templates import _junit_kind

    meta = job.meta
    run = meta.run
    try:
        read = read_report(meta.path, suite_hint(meta.path))
    except InputError as exc:
        return LogVerdict(meta, "unreadable", 0, {}, [], [], cases.close() if cases else [],
                          [], False, str(exc))
    parsed = read.parsed
    for r in parsed.results:
        r.run_id = run
    from_logs([parsed], env)
    report = triage([parsed], env, [], rules)
    for r in report.results:
        if lines is not None:
            lines.result(json.dumps(result_to_json(r), ensure_ascii=False, default=str))
        if cases is not None:
            xml = ET.tostring(ET.fromstring(junit_etree.tostring(testcase(r)._elem)),
                              encoding="unicode")
            cases.case(f"{r.suite or 'unknown'} [{run}]", run, xml, _junit_kind(r))
    causes = [_cause(job.work, finding,
                     [", ".join(json.dumps(f"[{run}] {t}", ensure_ascii=False)
                                for t in finding.tests)])
              for finding in report.findings]
    return LogVerdict(meta, str(report.verdict), report.summary.total,
                      dict(report.summary.by_status), causes, _results(lines),
                      cases.close() if cases else [],
                      [suite_to_json(s) for s in report.suites], False)


def _severity(category: str) -> int:
    try:
        return SEVERITY.index(Category(category))
    except ValueError:
        return len(SEVERITY)


def run_fleet(metas: list[LogMeta], jobs: int, fs: str | None, tmp_fs: str | None,
              rules_dir: str | None, json_target: str | None, junit_target: str | None
              ) -> FleetReport:
    """Judge every log (``jobs`` worker processes) and write the combined outputs."""
    work = tempfile.mkdtemp(prefix="harness-fleet-")
    try:
        todo = [Job(m, i, fs, tmp_fs, rules_dir, work, bool(json_target), bool(junit_target))
                for i, m in enumerate(metas)]
        verdicts = list(_map(todo, jobs))
        report = _combine(verdicts, jobs)
        _close_parts(work)
        with _Segments() as parts:
            if json_target:
                _write_json(report, json_target, parts)
            if junit_target:
                _write_junit(report, junit_target, parts)
        return report
    finally:
        _close_parts(work)
        shutil.rmtree(work, ignore_errors=True)


def _map(todo: list[Job], jobs: int) -> Iterator[LogVerdict]:
    if jobs <= 1 or len(todo) <= 1:
        yield from map(judge_one, todo)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_worker_signals) as pool:
        yield from pool.imap(judge_one, todo, chunksize=1)
        # the workers leave on their own: the pool's terminate() at the end of the with is
        # a SIGTERM, which harness's handler turns into a traceback from each idle worker
        pool.close()
        pool.join()


def _worker_signals() -> None:
    """A worker leaves quietly when the parent ends the pool (SIGTERM, as on the parent's
    own SIGTERM, Ctrl-C or error) and leaves Ctrl-C to the parent, which says it once."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _combine(verdicts: list[LogVerdict], jobs: int) -> FleetReport:
    causes: dict[tuple[str, str], FleetCause] = {}
    by_status: Counter = Counter()
    total = 0
    for v in verdicts:
        total += v.total
        by_status.update(v.by_status)
        for c in v.causes:
            fleet = causes.get((c.category, c.cause))
            if fleet is None:
                fleet = causes[(c.category, c.cause)] = FleetCause(
                    c.category, c.cause, c.confidence, "", [], c.reference, c.action)
            if not fleet.example and c.explanation is not None:  # the first log's (workers
                # take logs in order, so the first log of a cause is its worker's first)
                fleet.explanation, fleet.evidence = c.explanation, c.evidence or []
                fleet.example = v.meta.path
            fleet.add(v, c)
    ordered = sorted(causes.values(), key=lambda c: (_severity(c.category), -c.logs,
                                                     -c.results))
    present = {Category(c.category) for c in ordered}
    verdict = str(Verdict.of(present))
    return FleetReport(verdicts, ordered, verdict, total, by_status, jobs)


def _log_json(v: LogVerdict) -> dict[str, object]:
    m = v.meta
    out: dict[str, object] = {"log": m.path, "run": str(m.run), "machine": m.machine or None,
                              "kernel": m.kernel or None, "fs": m.fs or None,
                              "date": m.date or None, "verdict": v.verdict, "total": v.total,
                              "by_status": v.by_status,
                              "causes": {c.cause: c.count for c in v.causes},
                              "streamed": v.streamed}
    if v.error:
        out["error"] = v.error
    return out


class _Segments:
    """Copies the workers' segments into an output: by the kernel (copy_file_range) when it
    can, else read and written; the part files open once each."""

    def __init__(self) -> None:
        self.files: dict[str, int] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        for fd in self.files.values():
            os.close(fd)

    def copy(self, out: IO[str], segments: list[Segment], sep: str = "") -> None:
        for i, (path, offset, length) in enumerate(segments):
            if sep and i:
                out.write(sep)
            out.flush()
            src = self.files.get(path)
            if src is None:
                src = self.files[path] = os.open(path, os.O_RDONLY)
            _copy_range(src, offset, length, out)


def _copy_range(src: int, offset: int, length: int, out: IO[str]) -> None:
    done = 0
    try:
        dst = out.fileno()
        while done < length:
            copied = os.copy_file_range(src, dst, length - done, offset + done)
            if not copied:
                break
            done += copied
    except (OSError, ValueError, io.UnsupportedOperation):
        if done:
            raise OutputError(f"{getattr(out, 'name', 'output')}: the copy stopped short")
    while done < length:  # a pipe, or a filesystem the kernel cannot copy between
        data = os.pread(src, min(length - done, COPY), offset + done)
        if not data:
            raise OutputError(f"{getattr(out, 'name', 'output')}: a worker's part is short")
        out.buffer.write(data)  # type: ignore[attr-defined]
        done += len(data)
    if hasattr(out, "buffer"):
        out.buffer.flush()


def _write_json(report: FleetReport, target: str, parts: _Segments) -> None:
    from harness.model import SCHEMA

    file = _Target(target, "json")
    try:
        out = file.out
        env = {"notes": [SCHEMA_NOTE]}
        out.write(json.dumps({"schema": SCHEMA, "environment": env})[:-1] + ', "results": [\n')
        first = True
        for v in report.logs:
            if not v.results:
                continue
            if not first:
                out.write(",\n")
            first = False
            parts.copy(out, v.results, ",\n")
        out.write('\n], "findings": [')
        for i, cause in enumerate(report.causes):
            head, tail = json.dumps(cause.to_json(), ensure_ascii=False).split('"tests": [', 1)
            out.write(("\n" if not i else ",\n") + head + '"tests": [')
            written = False
            for segments in cause.tests:
                if segments:
                    if written:
                        out.write(", ")
                    parts.copy(out, segments)
                    written = True
            out.write(tail)
        by_category: Counter = Counter()
        for cause in report.causes:
            by_category[cause.category] += max(cause.results, 1)
        summary = {"total": report.total, "by_status": dict(sorted(report.by_status.items())),
                   "by_category": dict(sorted(by_category.items())),
                   "findings": len(report.causes),
                   "points_at_kernel": sum(1 for c in report.causes
                                           if Category(c.category) in POINTS_AT_KERNEL)}
        rest = {"suites": [dict(s, run=str(v.meta.run)) for v in report.logs for s in v.suites],
                "summary": summary, "verdict": report.verdict,
                "sources": [v.meta.path for v in report.logs],
                "logs": [_log_json(v) for v in report.logs]}
        out.write("\n], " + json.dumps(rest, ensure_ascii=False, default=str)[1:] + "\n")
        file.finish()
    except BaseException:
        file.abandon()
        raise


def _write_junit(report: FleetReport, target: str, parts: _Segments) -> None:
    file = _Target(target, "junit")
    try:
        out = file.out
        total: Counter[str] = Counter()
        for v in report.logs:
            for _, _, counts in v.junit:
                total.update(counts)
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write(_tag("testsuites", {"name": "harness triage", "tests": str(total["tests"]),
                                      "failures": str(total["failures"]),
                                      "errors": str(total["errors"]),
                                      "skipped": str(total["skipped"]), "time": "0.0"}) + "\n")
        for v in report.logs:
            m = v.meta
            for label, segments, counts in v.junit:
                out.write("  " + _tag("testsuite", {
                    "name": clean_text(label), "tests": str(counts["tests"]),
                    "errors": str(counts["errors"]), "failures": str(counts["failures"]),
                    "skipped": str(counts["skipped"]), "time": "0"}) + "\n")
                props = [(k, val) for k, val in (("verdict", v.verdict), ("fs", m.fs),
                                                 ("kernel", m.kernel), ("machine", m.machine),
                                                 ("date", m.date), ("run", str(m.run)),
                                                 ("log", m.path)) if val]
                out.write("    <properties>\n")
                for k, val in props:
                    out.write("      " + _tag("property", {"name": k, "value": clean_text(val)},
                                              True) + "\n")
                out.write("    </properties>\n")
                parts.copy(out, segments)
                out.write("  </testsuite>\n")
        out.write("</testsuites>\n")
        file.finish()
    except BaseException:
        file.abandon()
        raise


def evidence_lines(cause: FleetCause) -> list[LogLine]:
    return [LogLine(_number(e.get("line")), str(e.get("text", "")), str(e.get("source", "")))
            for e in cause.evidence]


def _number(value: object) -> int:
    return value if isinstance(value, int) else int(str(value or 0))
