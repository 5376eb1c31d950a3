"""Drills on the sim guest (real processes, namespaces, XFS loop images; seconds each)."""

from __future__ import annotations

import json
import signal
import subprocess

import pytest

from tests.drills.conftest import leftovers


def report_of(tmp_path):
    return json.loads((tmp_path / "r.json").read_text())


def lost(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["cause"] == "run-interrupted"]


@pytest.mark.parametrize(("signum", "code", "said"), [(signal.SIGTERM, 143, "SIGTERM"),
                                                       (signal.SIGINT, 130, "Ctrl-C")])
def test_signal_during_sim_xfs_run(run_in, tmp_path, x86_assets, signum, code, said):
    run = run_in("run", "--guest", "sim", "--fs", "xfs", "--json", "r.json")
    run.wait_for("running cow")
    run.signal(signum)
    rc, _ = run.finish()
    assert rc == code, run.stderr[-2000:]
    assert f"interrupted by {said}" in run.stderr
    report = report_of(tmp_path)
    assert report["summary"]["interrupted"] is True
    assert {r["suite"] for r in report["results"] if r["status"] != "missing"} == {"gup_longterm"}
    [finding] = lost(report)  # the loss is a finding: cow did not finish
    assert finding["count"] == 1 and "cow" in finding["tests"][0]
    assert not leftovers(tmp_path)  # no loop device, mount or process (the 512 MB image)
    assert not list(tmp_path.rglob("*.img"))


def test_matrix_sigterm_with_two_jobs(run_in, tmp_path, x86_assets):
    run = run_in("matrix", "--guest", "sim", "--fs", "tmpfs,9p,xfs", "--jobs", "2",
                 "--json", "r.json")
    run.wait_for("running cow")
    run.signal(signal.SIGTERM)
    rc, _ = run.finish()
    assert rc == 143, run.stderr[-2000:]
    report = report_of(tmp_path)
    assert report["summary"]["interrupted"] is True
    said = [f for f in report["findings"] if f["cause"] in ("run-failed", "run-interrupted")]
    assert said, report["findings"]  # what did not finish is named
    assert not leftovers(tmp_path)


def test_hanging_test_with_a_short_timeout(run_in, tmp_path, x86_assets):
    run = run_in("run", "--guest", "sim", "--fs", "tmpfs", "--tests", "cow", "--timeout", "0.5",
                 "--json", "r.json")
    rc, _ = run.finish()
    report = report_of(tmp_path)
    assert rc == 1, run.stderr[-2000:]  # a timeout is not explained away
    assert any(r["status"] == "timeout" for r in report["results"])
    assert any(f["cause"] == "test-timeout" for f in report["findings"])
    assert not leftovers(tmp_path)


@pytest.fixture
def full_disk(tmp_path):
    """A 256 KiB tmpfs: --out on a disk that fills up during the run."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
                      check=False).returncode:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_under_out(run_in, tmp_path, full_disk, x86_assets):
    run = run_in("run", "--guest", "sim", "--fs", "tmpfs", "--out", str(full_disk / "run"),
                 "--json", "r.json")
    rc, _ = run.finish()
    err = run.stderr
    assert rc == 2 and "Traceback" not in err, err[-2000:]
    assert "No space left" in err
    assert [p for p in leftovers(tmp_path) if not p.startswith("mount")] == []
