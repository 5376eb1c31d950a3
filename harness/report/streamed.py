"""JSON and JUnit written while results are triaged, never held as one string or tree.

Both files are the formats ``report/json.py`` and ``report/junit.py`` write (schema
``harness.triage/1``; JUnit with one <testsuite> per suite and run), one result per line;
or, for one big log (``RowsStream``), schema ``harness.triage/2``: a result is a row of
numbers over a table of the log's distinct outcomes, and JUnit test cases are lean (no
properties, no system-out).
Each goes to a temporary file next to the target and is renamed over it at the end, so a
failed run leaves nothing half-written. A finding's test list and a suite's test cases are
parked in temporary files until their headers (counts) are known.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import stat
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from harness.errors import OutputError
from harness.model import SCHEMA, SCHEMA_ROWS, Environment, Finding, RunId, SuiteRun, Summary
from harness.report.common import clean_text, finding_to_json, suite_to_json

_encode = json.encoder.encode_basestring
COPY = 1 << 20
BATCH = 512  # results joined into one write
ROW_SEP = ",\n"  # before a row of harness.triage/2 (but the first)
CASE_INDENT = "    "  # before a test case, on a line of its own
KIND_COUNT = {"skipped": "skipped", "failure": "failures", "error": "errors"}


class _Target:
    """A file written as ``report.outputs`` writes one: a regular file under a temporary name
    in its directory (its mode kept, a new one the umask's), renamed over it at the end (a
    symlink stays a symlink); a character device or pipe (/dev/null, /dev/full, /dev/stdout
    on a pipe) in place, never replaced; '-' or the file behind stdout is stdout. A write
    that fails (a full disk, /dev/full) is one ``OutputError``."""

    def __init__(self, target: str, kind: str) -> None:
        from harness.report.outputs import _umask, is_stdout, stat_or_none

        self.target, self.kind, self.tmp, self.real = target, kind, "", target
        self.own = False  # a device or pipe opened here (closed, not renamed, at the end)
        try:
            if is_stdout(target):
                self.out: IO[str] = sys.stdout
                return
            st = stat_or_none(target)
            if st is not None and not stat.S_ISREG(st.st_mode):
                self.out, self.own = open(target, "w", encoding="utf-8",  # noqa: SIM115
                                          buffering=COPY), True
                return
            self.real = os.path.realpath(target)
            fd, self.tmp = tempfile.mkstemp(dir=os.path.dirname(self.real),
                                            prefix=f".{os.path.basename(self.real)[:200]}.")
            self.out = os.fdopen(fd, "w", encoding="utf-8", buffering=COPY)
            os.fchmod(fd, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        except OSError as exc:
            self.abandon()
            raise OutputError(f"--{kind} {target}: cannot write: {exc.strerror}") from None

    def finish(self) -> None:
        try:
            if self.tmp:
                self.out.close()
                os.replace(self.tmp, self.real)
                self.tmp = ""
            elif self.own:
                self.out.close()
            else:
                self.out.flush()
        except OSError as exc:
            self.abandon()
            raise OutputError(f"cannot write --{self.kind} {self.target}: {exc.strerror}"
                              ) from None

    def abandon(self) -> None:
        if (self.tmp or self.own) and hasattr(self, "out"):
            with contextlib.suppress(OSError, ValueError):
                self.out.close()
        if self.tmp:
            Path(self.tmp).unlink(missing_ok=True)
            self.tmp = ""


def _finish_report(file: _Target, suites: list[SuiteRun], summary: Summary, verdict: str,
                   sources: list[str]) -> None:
    """Close the findings list with what every report ends with, and put the file in place."""
    rest = json.dumps({"suites": [suite_to_json(s) for s in suites], "summary": summary.to_json(),
                       "verdict": verdict, "sources": sources}, ensure_ascii=False, default=str)
    file.out.write("\n], " + rest[1:] + "\n")
    file.finish()

def copy_text(source: IO[str], out: IO[str]) -> None:
    """All of ``source`` (a file written so far) to the end of ``out``: by the kernel between
    the two files when it can (no decoding and encoding of hundreds of MB), else read and
    written."""
    source.flush()
    out.flush()
    copied = size = 0
    try:
        src, dst = source.fileno(), out.fileno()
        size = os.fstat(src).st_size
        while copied < size:
            done = os.copy_file_range(src, dst, size - copied, copied)
            if not done:
                break
            copied += done
    except (OSError, ValueError, io.UnsupportedOperation):
        if copied:
            raise  # half copied: reading it again would write that half twice
    if copied and copied < size:
        raise OutputError(f"{getattr(out, 'name', 'output')}: the copy stopped short")
    if not copied:
        source.seek(0)
        shutil.copyfileobj(source, out, COPY)


class TestIds:
    """A finding's member test ids, JSON-encoded into a temporary file as they come (or
    only counted, when nobody will read them); the first MiB stays in memory (a fleet's
    small logs spare a file per finding)."""

    def __init__(self, directory: str | None, prefix: str = "", keep: bool = True) -> None:
        self.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            COPY, "w+", encoding="utf-8", dir=directory) if keep else None
        self.prefix = prefix
        self.count = 0
        self.finding: Finding | None = None

    def append(self, test_id: str) -> None:
        if self.file is not None:
            self.file.write(("" if not self.count else ", ") + _encode(self.prefix + test_id))
        self.count += 1

    def copy_to(self, out: IO[str]) -> None:
        assert self.file is not None
        self.file.flush()
        self.file.seek(0)
        shutil.copyfileobj(self.file, out, COPY)

    def texts(self) -> Iterator[str]:
        """The ids as written (JSON strings joined by ', '), a MiB at a time."""
        assert self.file is not None
        self.file.flush()
        self.file.seek(0)
        while chunk := self.file.read(COPY):
            yield chunk

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class JsonStream:
    """``{"schema", "environment", "results": [...], "findings", ...}`` one result a line."""

    def __init__(self, target: str, env: Environment) -> None:
        self.file = _Target(target, "json")
        head = json.dumps({"schema": SCHEMA, "environment": env.to_json()}, ensure_ascii=False,
                          default=str)
        self.file.out.write(head[:-1] + ', "results": [\n')
        self.pending: list[str] = []  # written a batch at a time
        self.written = 0

    def result(self, text: str) -> None:
        self.pending.append(text)
        if len(self.pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.file.out.write((",\n" if self.written else "") + ",\n".join(self.pending))
            self.written += len(self.pending)
            self.pending = []

    def finish(self, findings: Iterable[tuple[Finding, TestIds | None]], suites: list[SuiteRun],
               summary: Summary, verdict: str, sources: list[str]) -> None:
        self._flush()
        out = self.file.out
        out.write('\n], "findings": [')
        for i, (finding, ids) in enumerate(findings):
            text = json.dumps(finding_to_json(finding), ensure_ascii=False, default=str)
            head, tail = text.split('"tests": [', 1)
            out.write(("\n" if not i else ",\n") + head + '"tests": [')
            if ids is not None:
                ids.copy_to(out)
            out.write(tail)
        _finish_report(self.file, suites, summary, verdict, sources)

    def abandon(self) -> None:
        self.file.abandon()


class RowsStream:
    """``harness.triage/2``: ``"results"`` are rows (``[outcome, number, line]`` or
    ``[outcome, number, line, run line, [diagnostic lines], result text]``) written in
    chunks as they come; ``"outcomes"`` (the table), findings and the rest at the end."""

    def __init__(self, target: str, env: Environment) -> None:
        self.file = _Target(target, "json")
        head = json.dumps({"schema": SCHEMA_ROWS, "environment": env.to_json()},
                          ensure_ascii=False, default=str)
        self.file.out.write(head[:-1] + ', "results": [\n')
        self.written = False

    def rows(self, text: str) -> None:
        """Rows, each after a ',\\n'."""
        if text:
            self.file.out.write(text if self.written else text[len(ROW_SEP):])
            self.written = True

    def finish(self, outcomes: list[dict[str, object]],
               findings: Iterable[tuple[Finding, list[int] | None]], suites: list[SuiteRun],
               summary: Summary, verdict: str, sources: list[str]) -> None:
        out = self.file.out
        out.write('\n], "outcomes": [\n')
        out.write(",\n".join(json.dumps(e, ensure_ascii=False, default=str) for e in outcomes))
        out.write('\n], "findings": [')
        for i, (finding, of) in enumerate(findings):
            data = finding_to_json(finding)
            if of is not None:  # its tests: the results of these outcomes
                del data["tests"]
                data["tests_of"] = of
            out.write(("\n" if not i else ",\n")
                      + json.dumps(data, ensure_ascii=False, default=str))
        _finish_report(self.file, suites, summary, verdict, sources)

    def abandon(self) -> None:
        self.file.abandon()


class SuiteCases:
    def __init__(self, directory: str | None, path: str | None = None) -> None:
        self.file: IO[str] = (
            open(path, "w+", encoding="utf-8") if path  # noqa: SIM115
            else tempfile.TemporaryFile("w+", encoding="utf-8", dir=directory))  # noqa: SIM115
        self.counts = {"tests": 0, "errors": 0, "failures": 0, "skipped": 0}
        self.run: RunId | None = None
        self.pending: list[str] = []  # lines of test cases ("    <testcase ...>\n")

    def flush(self) -> None:
        if self.pending:
            self.file.write("".join(self.pending))
            self.pending = []


class CaseFiles:
    """Test cases per suite label in named files of ``directory`` (``N.xml`` in the order the
    labels came, ``index.json`` their labels, runs and counts): what a forked process
    writes for ``JunitStream.adopt``."""

    def __init__(self, directory: str | None = None, named: bool = False) -> None:
        self.directory = directory
        self.named = named
        self.suites: dict[str, SuiteCases] = {}

    def suite(self, label: str, run: RunId | None) -> SuiteCases:
        suite = self.suites.get(label)
        if suite is None:
            path = (os.path.join(self.directory, f"{len(self.suites)}.xml")
                    if self.named and self.directory else None)
            suite = self.suites[label] = SuiteCases(self.directory, path)
            suite.run = run
        return suite

    def case(self, label: str, run: RunId | None, xml: str, kind: str) -> None:
        suite = self.suite(label, run)
        suite.pending.append(f"{CASE_INDENT}{xml}\n")
        if len(suite.pending) >= BATCH:
            suite.flush()
        suite.counts["tests"] += 1
        if kind:
            suite.counts[KIND_COUNT[kind]] += 1

    def save(self) -> None:
        assert self.directory is not None and self.named
        index = []
        for label, suite in self.suites.items():
            suite.flush()
            suite.file.close()
            index.append([label, str(suite.run) if suite.run else None, suite.counts])
        Path(self.directory, "index.json").write_text(json.dumps(index), encoding="utf-8")


class JunitStream(CaseFiles):
    """One <testsuite> per suite label; the cases parked until the suite's counts are known."""

    def __init__(self, target: str, directory: str | None = None) -> None:
        super().__init__(directory)
        self.file = _Target(target, "junit")

    def adopt(self, directory: str) -> None:
        """Take the test cases a ``CaseFiles(directory, named=True)`` saved."""
        index = json.loads(Path(directory, "index.json").read_text(encoding="utf-8"))
        for i, (label, run, counts) in enumerate(index):
            suite = SuiteCases(None, None)
            suite.file.close()
            suite.file = open(os.path.join(directory, f"{i}.xml"), "r+",  # noqa: SIM115
                              encoding="utf-8")
            suite.file.seek(0, os.SEEK_END)
            suite.counts = counts
            suite.run = RunId.parse(run) if run else None
            self.suites[label] = suite

    def finish(self, verdict: str, env: Environment) -> None:
        out = self.file.out
        total = {k: sum(s.counts[k] for s in self.suites.values())
                 for k in ("tests", "failures", "errors", "skipped")}
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write(_tag("testsuites", {"name": "harness triage", **_str(total), "time": "0.0"})
                  + "\n")
        for label, suite in self.suites.items():
            counts = _str(suite.counts)
            out.write("  " + _tag("testsuite", {"name": clean_text(label), "tests": counts["tests"],
                                                "errors": counts["errors"],
                                                "failures": counts["failures"],
                                                "skipped": counts["skipped"], "time": "0"}) + "\n")
            props = [(name, value) for name, value in (
                ("verdict", verdict), ("fs", env.fs or (suite.run.fs if suite.run else "")),
                ("fs_options", env.fs_options), ("kernel", env.kernel_release),
                ("arch", env.arch), ("run", str(suite.run or ""))) if value]
            if props:
                out.write("    <properties>\n")
                for name, value in props:
                    out.write("      " + _tag("property", {"name": name,
                                                           "value": clean_text(value)}, True)
                              + "\n")
                out.write("    </properties>\n")
            suite.flush()
            copy_text(suite.file, out)
            suite.file.close()
            out.write("  </testsuite>\n")
        out.write("</testsuites>\n")
        self.file.finish()

    def abandon(self) -> None:
        for suite in self.suites.values():
            suite.file.close()
        self.file.abandon()


def _str(counts: dict[str, int]) -> dict[str, str]:
    return {k: str(v) for k, v in counts.items()}


def _tag(name: str, attrs: dict[str, str], empty: bool = False) -> str:
    element = ET.Element(name, attrs)
    text = ET.tostring(element, encoding="unicode")  # '<name a="b" />'
    return text if empty else text[:-3] + ">"

