"""Every command from a fresh working directory with the defaults, as the README shows them.

The NFS server runs in a private mount namespace: a relative output directory (the default
``harness-out/...``) meant something else there and `run --fs nfs` failed; `matrix` then
concluded from the other filesystems without saying so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "tests" / "fixtures" / "logs" / "host-tmpfs-gup_longterm.log"


def harness(cwd: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def out_dirs(cwd: Path) -> list[Path]:
    base = cwd / "harness-out"
    return sorted(base.iterdir()) if base.is_dir() else []


def test_triage_and_compare_from_a_fresh_directory(tmp_path):
    (tmp_path / "x.log").write_bytes(LOG.read_bytes())
    out = harness(tmp_path, "triage", "x.log", "--json", "x.json")
    assert out.returncode == 0, out.stderr
    out = harness(tmp_path, "compare", "x.json", "x.json")
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json", "x.log"]


def test_sim_run_with_the_default_output_directory(tmp_path, x86_assets):
    out = harness(tmp_path, "run", "--guest", "sim", "--fs", "9p", "--tests", "gup_longterm")
    assert out.returncode == 0, out.stderr
    [outdir] = out_dirs(tmp_path)
    assert outdir.name.endswith("-9p") and (outdir / "gup_longterm.log").stat().st_size > 0


def test_two_runs_in_the_same_second_get_their_own_directories(tmp_path, x86_assets):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "harness.cli", "run", "--guest", "sim", "--fs", "tmpfs",
            "--tests", "gup_longterm", "--json", "-"]
    # Start both at the top of a second so their default names collide.
    time.sleep(1 - time.time() % 1)
    procs = [subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        reports.append(json.loads(stdout))
    dirs = out_dirs(tmp_path)
    assert len(dirs) == 2, dirs
    consoles = {src for r in reports for src in r["sources"] if "console" in src}
    assert len(consoles) == 2  # each report cites its own console log


def test_rejected_values_create_nothing(tmp_path):
    outside = tmp_path / "escape"
    cwd = tmp_path / "a" / "b"
    cwd.mkdir(parents=True)
    for args in (("run", "--fs", "x/../../escape"),
                 ("run", "--guest", "sim", "--fs", "x/../../escape"),
                 ("run", "--fs", "zfs"), ("matrix", "--fs", "xfs,x/../../escape"),
                 ("run", "--fs", "9p", "--tests", "nope"),
                 ("run", "--fs", "9p", "--inject", "nope")):
        out = harness(cwd, *args)
        assert out.returncode == 2, (args, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert not outside.exists()
    assert list(cwd.iterdir()) == []


@pytest.mark.qemu
def test_run_nfs_with_the_default_output_directory(tmp_path, x86_assets):
    out = harness(tmp_path, "run", "--fs", "nfs", "--tests", "gup_longterm",
                  "--cmdline", "minimal", "--json", "r.json")
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["environment"]["fs"] == "nfs" and report["summary"]["total"] == 50
    [outdir] = out_dirs(tmp_path)
    assert outdir.name.endswith("-nfs") and (outdir / "gup_longterm.log").is_file()


@pytest.mark.qemu
def test_matrix_xfs_nfs_9p_with_the_default_output_directory(tmp_path, x86_assets):
    out = harness(tmp_path, "matrix", "--fs", "xfs,nfs,9p", "--tests", "gup_longterm",
                  "--cmdline", "minimal", "--jobs", "2", "--json", "m.json")
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "m.json").read_text())
    assert report["summary"]["runs"] == ["xfs", "nfs", "9p"]
    assert "failed_runs" not in report["summary"]
    assert "run failed" not in out.stderr
