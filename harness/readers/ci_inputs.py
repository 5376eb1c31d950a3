"""What the fleet hands over instead of a plain log: a LAVA job log, a tuxrun or LAVA output
directory, KCIDB JSON. Each becomes the same ReportInput a plain log does, with line numbers
and sources that point into the original files."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

from harness.errors import InputError
from harness.model import LogLine
from harness.readers.lava_log import LavaSummary, console_lines, looks_like_lava
from harness.readers.report_input import ReportInput, read_report, read_report_lines

# In a tuxrun output directory (--save-outputs) or a LAVA job's output, most telling first.
DIRECTORY_LOGS = ("logs.yaml", "output.yaml", "lava.log", "logs.txt", "logs")
HEAD = 65536


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD).decode("utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def looks_like_kcidb(head: str) -> bool:
    text = head.lstrip()
    return (text.startswith("{") and '"version"' in text and '"major"' in text
            and any(f'"{k}"' in text for k in ("tests", "checkouts", "builds")))


def ci_inputs(name: str, suite: str) -> list[ReportInput] | None:
    """The inputs in ``name`` when it is a fleet format; None for a plain log."""
    if name == "-":
        return None
    path = Path(name)
    if path.is_dir():
        return directory_inputs(path, suite)
    if not path.is_file():
        return None
    head = _head(path)
    if looks_like_lava(head):
        return [lava_input(name, suite)]
    if looks_like_kcidb(head):
        return kcidb_inputs(path, suite)
    return None


def lava_input(name: str, suite: str) -> ReportInput:
    summary = LavaSummary()
    read = read_report_lines(console_lines(name, summary), name, suite)
    read.notes += summary.notes(name)
    return read


def is_run_directory(path: Path) -> bool:
    """A tuxrun or LAVA output directory of ONE run (not a directory of many logs)."""
    return path.is_dir() and any((path / log).is_file() for log in DIRECTORY_LOGS)


def directory_inputs(path: Path, suite: str) -> list[ReportInput]:
    for log in DIRECTORY_LOGS:
        candidate = path / log
        if candidate.is_file():
            if looks_like_lava(_head(candidate)):
                return [lava_input(str(candidate), suite)]
            return [read_report(str(candidate), suite)]
    raise InputError(f"{path}: a directory without a LAVA or tuxrun log "
                     f"({', '.join(DIRECTORY_LOGS)})")


def _suite_of(test_path: str, default: str) -> str:
    for name in ("gup_longterm", "cow"):
        if name in test_path.split("."):
            return name
    return default


def _local_log(url: str, base: Path) -> Path | None:
    """A log_url that names a file on this machine: file://, or a path next to the JSON."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        candidate = Path(unquote(parsed.path))
    elif parsed.scheme == "":
        candidate = base / unquote(parsed.path)
    else:
        candidate = base / Path(unquote(parsed.path)).name  # downloaded next to the JSON
    return candidate if candidate.is_file() else None


def kcidb_inputs(path: Path, suite: str) -> list[ReportInput]:
    """One input per distinct log: a test's log file (local), else its log excerpt."""
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid KCIDB JSON ({exc.msg} at line {exc.lineno})") from None
    tests = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(tests, list):
        raise InputError(f"{path}: KCIDB data without tests")
    inputs: list[ReportInput] = []
    seen_files: set[Path] = set()
    seen_excerpts: set[str] = set()
    skipped = 0
    for index, test in enumerate(tests):
        if not isinstance(test, dict):
            continue
        test_suite = _suite_of(str(test.get("path", "")), suite)
        log = _local_log(str(test["log_url"]), path.parent) if test.get("log_url") else None
        if log is not None:
            if log in seen_files:
                continue
            seen_files.add(log)
            if looks_like_lava(_head(log)):
                inputs.append(lava_input(str(log), test_suite))
            else:
                inputs.append(read_report(str(log), test_suite))
            continue
        excerpt = test.get("log_excerpt")
        if not isinstance(excerpt, str) or not excerpt.strip():
            skipped += 1
            continue
        if excerpt in seen_excerpts:
            continue
        seen_excerpts.add(excerpt)
        source = f"{path}:tests[{index}].log_excerpt"
        lines = (LogLine(n, text, source) for n, text in enumerate(excerpt.splitlines(), 1))
        inputs.append(read_report_lines(lines, source, test_suite))
    if not inputs:
        raise InputError(f"{path}: none of the {len(tests)} KCIDB tests has a log excerpt or a "
                         "log file on this machine")
    if skipped:
        inputs[0].notes.append(f"{path}: {skipped} KCIDB test(s) without a log were not read")
    return inputs
