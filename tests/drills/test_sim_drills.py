"""Drills on the sim guest (real processes, namespaces, XFS loop images; seconds each)."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

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
    # cow's ~780 cases take about 0.5 s on the host kernel when the machine is idle (0.5 s
    # was a timeout only on a busy machine): 0.05 s cuts it off with a 10x margin.
    run = run_in("run", "--guest", "sim", "--fs", "tmpfs", "--tests", "cow", "--timeout", "0.05",
                 "--json", "r.json")
    rc, _ = run.finish()
    report = report_of(tmp_path)
    assert rc == 1, run.stderr[-2000:]  # a timeout is not explained away
    assert any(r["status"] == "timeout" for r in report["results"])
    assert any(f["cause"] == "test-timeout" for f in report["findings"])
    assert not leftovers(tmp_path)


def _tmpfs(mnt: Path, kib: int) -> None:
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(mnt)],
                      check=False).returncode:
        pytest.skip("mounting a tmpfs needs root")


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs with room for the sim's copies of the two selftests and 64 KiB more: --out on
    a disk that fills up while cow's output is logged."""
    from guests.assets.selftests import find_selftests

    built = find_selftests("x86_64")
    assert built is not None
    pages = sum(-(-p.stat().st_size // 4096) for p in built.binaries.values())
    mnt = tmp_path / "small"
    _tmpfs(mnt, pages * 4 + 64)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_under_out_keeps_what_finished(run_in, tmp_path, small_disk, x86_assets):
    run = run_in("run", "--guest", "sim", "--fs", "tmpfs", "--tests", "cow,gup_longterm",
                 "--out", str(small_disk / "run"), "--json", "r.json")
    rc, out = run.finish()
    err = run.stderr
    # was: "harness: error: ... No space left on device", exit 2, nothing written
    assert rc == 1 and "Traceback" not in err, err[-2000:]
    assert "the disk filled up" in err and "verdict:" in out  # the summary is still printed
    report = report_of(tmp_path)  # --json on another filesystem: written
    assert len([r for r in report["results"] if r["suite"] == "cow"]) > 700  # cow finished
    [full] = [f for f in report["findings"] if f["cause"] == "out-of-space"]
    assert full["category"] == "env" and full["count"] == 1 and "gup_longterm" in full["tests"][0]
    assert full["explanation"].startswith(f"The output directory {small_disk / 'run'} is full")
    assert "disk_full" in report["environment"]["facts"]
    assert [p for p in leftovers(tmp_path) if not p.startswith("mount")] == []
    assert not list(tmp_path.glob(".r.json*")) and not list(small_disk.rglob("sim-*"))


def test_json_target_full_too_is_one_line(run_in, tmp_path, x86_assets):
    """--out and --json on one full disk: one line, no traceback, no temp file."""
    full = tmp_path / "full"
    _tmpfs(full, 256)
    try:
        subprocess.run(["dd", "if=/dev/zero", f"of={full / 'filler'}", "bs=4k"],
                       capture_output=True, check=False)
        run = run_in("run", "--guest", "sim", "--fs", "tmpfs", "--out", str(full / "run"),
                     "--json", str(full / "r.json"))
        rc, _ = run.finish()
        err = run.stderr
        assert rc != 0 and "Traceback" not in err, err[-2000:]
        assert err.splitlines()[-1] == f"harness: error: cannot write {full / 'r.json'}: " \
            "No space left on device"
        assert sorted(p.name for p in full.iterdir()) == ["filler", "run"]
        assert [p for p in leftovers(tmp_path) if not p.startswith("mount")] == []
    finally:
        subprocess.run(["umount", "-l", str(full)], check=False)
