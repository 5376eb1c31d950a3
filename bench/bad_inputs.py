"""Readers stay linear on hostile inputs: each input at size n and 4n, timed in one run.

    python bench/bad_inputs.py [n-scale]

For each shape the ratio t(4n)/t(n) is printed; linear is about 4 (start-up cost makes it
less), quadratic about 16. Exit 1 when a ratio is over 8 or a run fails or exceeds its time
limit. The shapes are those of the robustness report: numbering gaps, repeated huge plans,
one line of many '# ' prefixes, partial write() strace lines, a long result message with
--mail, compare of reports with repeated test names, a file without newlines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_S = 300.0


def gaps(n: int) -> str:
    return "TAP version 13\n1..5\n" + "".join(f"ok {i * 1001} t{i}\n" for i in range(1, n + 1))


def plans(n: int) -> str:
    return "TAP version 13\n" + "1..999999999\nok 1 a\n" * n


def prefixes(n: int) -> str:
    return "# " * (n * 1000) + "ok 1 x\n"


def partial_writes(n: int) -> str:
    return "".join(f'{100 + i % 7} write(1, "# partial {i}", 11) = 11\n' for i in range(n * 100))


def long_message(n: int) -> str:
    return "TAP version 13\n1..1\n# [RUN] t\nnot ok 1 " + "x" * (n * 2000) + "\n"


def no_newline(n: int) -> str:
    return "x" * (n * 100_000)


def repeated_names(n: int) -> str:
    results = [{"id": "cow #1: same", "suite": "cow", "number": i, "name": "same", "config": "",
                "status": "fail" if i % 2 else "pass", "message": "m", "line": i,
                "syscall": None, "errno": None, "category": None, "cause": None,
                "confidence": None, "explanation": None, "evidence": [], "reference": None,
                "action": None, "run": None} for i in range(n * 10)]
    return json.dumps({"schema": "harness.triage/1", "environment": {}, "results": results,
                       "findings": [], "suites": [], "summary": {"total": len(results)},
                       "verdict": "clean", "sources": []})


SHAPES: dict[str, tuple[Callable[[int], str], list[str]]] = {
    "numbering gaps": (gaps, ["triage", "{f}", "--suite", "cow", "--json", "{o}"]),
    "repeated huge plans": (plans, ["triage", "{f}", "--suite", "cow", "--json", "{o}"]),
    "one line of '# ' prefixes": (prefixes, ["triage", "{f}", "--suite", "cow"]),
    "partial write() lines": (partial_writes, ["triage", "{f}", "--suite", "cow"]),
    "long message, --mail": (long_message, ["triage", "{f}", "--suite", "cow", "--mail", "{o}"]),
    "no newline at all": (no_newline, ["triage", "{f}"]),
    "compare, repeated names": (repeated_names, ["compare", "{f}", "{f}"]),
}


def timed(argv: list[str]) -> tuple[float, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "harness.cli", *argv], env=env,
                              capture_output=True, timeout=LIMIT_S, check=False)
    except subprocess.TimeoutExpired:
        return LIMIT_S, -1
    return time.monotonic() - start, proc.returncode


def main() -> int:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (make, args) in SHAPES.items():
            times = []
            for n in (scale, 4 * scale):
                path = Path(tmp) / f"input-{n}"
                path.write_text(make(n))
                argv = [a.format(f=path, o=Path(tmp) / "out") for a in args]
                seconds, code = timed(argv)
                if code not in (0, 1, 2):
                    bad += 1
                times.append(seconds)
                size = path.stat().st_size
            ratio = times[1] / max(times[0], 1e-3)
            flag = "" if ratio <= 8 and times[1] < LIMIT_S else "  <-- not linear"
            bad += bool(flag)
            print(f"{name:28s} n: {times[0]:7.2f} s   4n ({size / 1e6:6.1f} MB): "
                  f"{times[1]:7.2f} s   ratio {ratio:5.2f}{flag}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
