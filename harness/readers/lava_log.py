"""LAVA job logs: one record per line, ``{"dt": ..., "lvl": ..., "msg": ...}``.

A LAVA server's job log and tuxrun's ``logs.yaml`` write each record as a YAML list item
(``- {...}``); ``lava-run`` prints the bare records. The DUT's console is the ``target``
records (``feedback`` ones too: other namespaces' consoles); they are handed on as log lines
numbered as in the LAVA file, so evidence points at the line of the original file. What LAVA
itself said (errors, the job's result, per-case results) becomes notes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine
from harness.readers.logread import ANSI, read_texts

RECORD_START = lazy(r'^(?:- )?\{\s*"?dt"?\s*:')
CONSOLE_LEVELS = ("target", "feedback")


def looks_like_lava(head: str) -> bool:
    """The first non-empty lines of a file are LAVA log records."""
    lines = [line for line in head.splitlines() if line.strip()][:3]
    return bool(lines) and all(RECORD_START.match(line) and '"lvl"' in line for line in lines)


def record(text: str) -> dict | None:
    body = text.removeprefix("- ")
    try:
        data = json.loads(body, strict=False)  # raw control characters from the console
    except json.JSONDecodeError:
        import yaml  # only LAVA's YAML records need it (its import costs a small input ~0.03 s)

        try:
            data = yaml.safe_load(body)
        except yaml.YAMLError:
            return None
    if isinstance(data, dict) and "lvl" in data and "msg" in data:
        return data
    return None


@dataclass
class LavaSummary:
    """What LAVA said about the job, beside the console."""

    errors: list[str] = field(default_factory=list)
    job_result: str | None = None
    job_error: str | None = None
    cases: dict[str, int] = field(default_factory=dict)  # result -> count (test cases)
    unreadable: int = 0

    def notes(self, source: str) -> list[str]:
        out = []
        if self.cases:
            counts = ", ".join(f"{k} {v}" for k, v in sorted(self.cases.items()))
            out.append(f"{source}: LAVA recorded {sum(self.cases.values())} test cases "
                       f"({counts})")
        if self.job_result:
            out.append(f"{source}: LAVA job result {self.job_result}"
                       + (f": {self.job_error}" if self.job_error else ""))
        out += [f"{source}: LAVA error: {e}" for e in self.errors[:3]]
        if self.unreadable:
            out.append(f"{source}: {self.unreadable} line(s) were not LAVA records")
        return out


def console_lines(name: str, summary: LavaSummary | None = None) -> Iterator[LogLine]:
    """The console lines of the LAVA log ``name``, numbered as in that file."""
    for number, text in read_texts(name):
        if not text.strip():
            continue
        data = record(text)
        if data is None:
            if summary is not None:
                summary.unreadable += 1
            continue
        level, msg = data["lvl"], data["msg"]
        if level in CONSOLE_LEVELS and isinstance(msg, str):
            for part in msg.split("\n"):
                yield LogLine(number, ANSI.sub("", part).replace("\r", ""), name)
        elif summary is not None:
            _summarise(summary, level, msg)


def _summarise(summary: LavaSummary, level: str, msg: object) -> None:
    if level in ("error", "exception") and isinstance(msg, str) and msg.strip():
        lines = msg.strip().splitlines()  # a traceback: its last line says what happened
        summary.errors.append((lines[-1] if level == "exception" else lines[0])[:200])
    elif level == "results" and isinstance(msg, dict):
        if msg.get("definition") == "lava":
            if msg.get("case") == "job":
                summary.job_result = str(msg.get("result"))
                summary.job_error = msg.get("error_msg")
            elif msg.get("result") == "fail":  # e.g. a monitor that timed out: cases missing
                summary.errors.append(f"LAVA action {msg.get('case')} failed")
        else:
            result = str(msg.get("result"))
            summary.cases[result] = summary.cases.get(result, 0) + 1
