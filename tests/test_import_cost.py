"""Importing the triage command and its readers compiles none of the project's regular
expressions: a one-line paste must not pay for the ~650 patterns of every reader (they compile
on first use, harness/lazy_regex.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import re, sys
compiled = []
original = re._compile
def spy(pattern, flags):
    frame = sys._getframe(1)
    while frame and frame.f_code.co_filename.startswith(re.__file__.rsplit("/", 1)[0]):
        frame = frame.f_back
    if frame and "/harness/" in frame.f_code.co_filename and frame.f_code.co_name == "<module>":
        compiled.append(f"{frame.f_code.co_filename}:{frame.f_lineno}")
    return original(pattern, flags)
re._compile = spy
import harness.cli.triage, harness.readers.report_input, harness.readers.thread_input
import harness.readers.ci_inputs, harness.report.mail, harness.triage.fleet
print("\\n".join(compiled))
"""


def test_importing_the_triage_readers_compiles_no_pattern():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.split() == []


def test_no_match_is_compared_to_a_pattern_by_identity():
    """A lazy pattern is not the compiled pattern a match's `.re` holds: `m.re is X` is always
    False (run_vmtests.sh's binaries went unseen that way); `m.re == X` compares them."""
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "harness").rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"\.re\s+is(?:\s+not)?\s+[A-Z_]", line)]
    assert found == []
