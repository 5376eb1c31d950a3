"""The fault models are checked against reality: the same selftests through `--guest sim` with a
model and through a real QEMU guest on the real filesystem must fail the same tests, for the same
category and cause. Where they differ, the model is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(tmp: Path, guest: str, fs: str, tests: str) -> dict:
    out = tmp / f"{guest}-{fs}.json"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--guest", guest, "--fs", fs, "--tests", tests,
         "--cmdline", "minimal", "--out", str(tmp / f"{guest}-{fs}"), "--json", str(out)],
        capture_output=True, text=True, timeout=900, check=False)
    assert out.exists(), proc.stderr[-2000:]
    report = json.loads(out.read_text())
    # exit 1 exactly when something points at the kernel, else 0
    assert proc.returncode == (1 if report["summary"]["points_at_kernel"] else 0), \
        proc.stderr[-2000:]
    return report


def ran(report: dict) -> set[str]:
    """The selftests that reported results (a guest that never ran them has none)."""
    return {r["suite"] for r in report["results"] if r["status"] not in ("missing", "crash")}


def failing(report: dict) -> set[tuple[str, str, str, str | None, str | None]]:
    return {(r["suite"], r["name"], r["status"], r["category"], r["cause"])
            for r in report["results"] if r["status"] not in ("pass", "skip", "xfail")}


def test_sim_without_qemu_says_so(tmp_path, x86_assets):
    report = run(tmp_path, "sim", "9p-fvp", "gup_longterm")
    env = report["environment"]
    assert env["guest"] == "sim" and env["fs"] == "9p"
    assert env["kernel_release"] == __import__("os").uname().release
    causes = {(r["config"], r["cause"], r["confidence"])
              for r in report["results"] if r["status"] == "fail"}
    assert causes == {("local tmpfile", "9p-unlinked-file", "high")}


@pytest.mark.qemu
@pytest.mark.parametrize(("sim_fs", "qemu_fs", "tests"), [
    ("9p", "9p", "gup_longterm,cow"),     # model 9p-qemu7 vs QEMU 7.2's virtio-9p
    ("nfs", "nfs", "gup_longterm"),       # model nfs3 vs nfs-ganesha NFSv3
    ("xfs", "xfs", "gup_longterm"),       # no faults vs a real XFS image
])
def test_model_matches_the_real_filesystem(tmp_path, sim_fs, qemu_fs, tests, x86_assets):
    sim, real = run(tmp_path, "sim", sim_fs, tests), run(tmp_path, "qemu", qemu_fs, tests)
    assert ran(sim) == ran(real) == set(tests.split(","))  # equal because both ran the tests
    assert failing(sim) == failing(real)
    assert sim["environment"]["fs"] == real["environment"]["fs"]


@pytest.mark.qemu
def test_fault_model_layered_on_a_real_guest_matches_the_sim(tmp_path, x86_assets):
    """--inject: Arm FVP's 9p behaviour on an XFS work dir in QEMU, against the model in sim."""
    out = tmp_path / "inject.json"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--fs", "xfs", "--inject", "9p-fvp",
         "--tests", "gup_longterm", "--cmdline", "minimal", "--out", str(tmp_path / "q"),
         "--json", str(out)], capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    real = json.loads(out.read_text())
    # Now and then TCG boots this kernel into an Oops (int3 in sched_clock_tick): the harness
    # boots again, says so and reports the crash (exit 1). Nothing else may make it exit 1.
    boot_oops = any("crashed while booting" in n for n in real["environment"]["notes"])
    assert proc.returncode == (1 if boot_oops else 0), proc.stderr[-2000:]
    sim = run(tmp_path, "sim", "9p-fvp", "gup_longterm")
    assert ran(real) == ran(sim) == {"gup_longterm"}
    assert failing(real) == failing(sim)
    assert {r["cause"] for r in real["results"] if r["status"] == "fail"} == {"9p-unlinked-file"}
    assert {r["confidence"] for r in real["results"] if r["status"] == "fail"} == {"high"}
    assert real["environment"]["fs"] == "9p"
    assert any("fault model 9p-fvp" in n for n in real["environment"]["notes"])


def test_test_command_puts_the_injector_before_strace():
    from guests.qemu_guest import test_command

    cmd = test_command("gup_longterm", True, ["/usr/bin/faultinject", "--rule", "x", "--"])
    assert cmd.startswith("/usr/bin/faultinject --rule x -- strace -f -o ")
    assert cmd.endswith("/gup_longterm")
