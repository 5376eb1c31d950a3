"""Exact exit codes for bad input: a user error is one line and exit 2, never 3 (internal)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "tests" / "fixtures" / "logs"
LOG = LOGS / "host-tmpfs-gup_longterm.log"


def harness(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=cwd, env=env,
                          input=stdin, capture_output=True, timeout=timeout, check=False)


def user_error(out: subprocess.CompletedProcess[bytes]) -> str:
    err = out.stderr.decode()
    assert out.returncode == 2, (out.returncode, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_missing_or_empty_rules_directory_is_an_error(tmp_path):
    assert "no such directory" in user_error(harness("triage", str(LOG), "--rules",
                                                     str(tmp_path / "nope")))
    assert "no rule files" in user_error(harness("triage", str(LOG), "--rules", str(tmp_path)))
