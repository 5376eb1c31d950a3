"""Ctrl-C in the middle of a run: what finished is still written, nothing is left running."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import psutil
import pytest


@pytest.mark.qemu
def test_ctrl_c_during_cow_keeps_gup_longterm_results(tmp_path, x86_assets):
    out = tmp_path / "r.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "run", "--fs", "9p", "--cmdline", "minimal",
         "--out", str(tmp_path / "run"), "--json", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    deadline = time.monotonic() + 300
    for line in proc.stderr:
        if "running cow" in line or time.monotonic() > deadline:
            break
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-1000:]
    report = json.loads(out.read_text())
    assert report["summary"]["interrupted"] is True
    # gup_longterm finished: all its results are kept; cow was cut off: what it did not report
    # is named as interrupted (env/run-interrupted), never counted as passed or as a crash.
    assert len([r for r in report["results"] if r["suite"] == "gup_longterm"]) == 50
    cow = [r for r in report["results"] if r["suite"] == "cow"]
    assert not any(r["status"] in ("crash", "error") for r in cow)
    cut = next(f for f in report["findings"] if f["cause"] == "run-interrupted")
    assert cut["category"] == "env"
    left = [p for p in psutil.process_iter(["name", "cmdline"])
            if p.info["name"] == "qemu-system-x86_64"
            and str(tmp_path) in " ".join(p.info["cmdline"] or [])]
    assert not left
