"""Drills on real QEMU guests (TCG): a signal mid-run, the NFS server killed mid-run."""

from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path

import psutil
import pytest

from tests.drills.conftest import leftovers

pytestmark = pytest.mark.qemu


def test_sigterm_during_cow_keeps_gup_longterm_results(run_in, tmp_path, x86_assets):
    run = run_in("run", "--fs", "9p", "--cmdline", "minimal", "--json", "r.json")
    run.wait_for("running cow")
    run.signal(signal.SIGTERM)
    rc, _ = run.finish(timeout=300)
    assert rc == 143, run.stderr[-2000:]
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["interrupted"] is True
    assert len([r for r in report["results"] if r["suite"] == "gup_longterm"]) == 50
    assert any(f["cause"] == "run-interrupted" for f in report["findings"])
    assert not leftovers(tmp_path)


def _ganesha_of(pid: int) -> psutil.Process | None:
    for child in psutil.Process(pid).children(recursive=True):
        if "ganesha" in (child.name() or ""):
            return child
    return None


def test_nfs_server_killed_mid_run(run_in, tmp_path, x86_assets):
    run = run_in("run", "--fs", "nfs", "--cmdline", "minimal", "--timeout", "300",
                 "--json", "r.json")
    run.wait_for("running gup_longterm")
    server = _ganesha_of(run.proc.pid)
    assert server is not None, "no ganesha under the run"
    server.kill()  # the server the run started, by its pid
    rc, out = run.finish(timeout=600)
    err = run.stderr
    assert rc == 1 and "Traceback" not in err, err[-2000:]  # was: exit 2, no report
    # the hung test is given up soon after the server died, not at its 300 s timeout
    assert "cow" not in err and "gup_longterm was stopped" in out, err[-2000:]
    report = json.loads((tmp_path / "r.json").read_text())
    statuses = {r["status"] for r in report["results"] if r["suite"] == "gup_longterm"}
    assert "pass" in statuses  # what finished is kept
    # the loss is named: the server, its pid, how, and every lost test - none blamed on the
    # kernel (was: kernel-bug/output-truncated, unknown/test-timeout, unknown/run-aborted)
    [died] = [f for f in report["findings"] if f["cause"] == "nfs-server-died"]
    assert died["category"] == "env"
    assert f"nfs-ganesha, pid {server.pid}) died during gup_longterm" in died["explanation"]
    assert "killed by SIGKILL" in died["explanation"]
    lost = [r for r in report["results"] if r["status"] in ("timeout", "missing")]
    assert died["count"] == len(lost) and any(r["suite"] == "cow" for r in lost)
    assert any("server-exit.log" in e.get("source", "") for e in died["evidence"])
    assert {f["category"] for f in report["findings"]} <= {"env", "config"}
    [log] = tmp_path.glob("harness-out/*/work/nfs-ganesha.log")  # kept (was removed)
    assert "NFS SERVER INITIALIZED" in log.read_text()
    assert not leftovers(tmp_path)


def test_9p_share_removed_mid_run(run_in, tmp_path, x86_assets):
    import shutil

    run = run_in("run", "--fs", "9p", "--cmdline", "minimal", "--timeout", "120",
                 "--json", "r.json")
    run.wait_for("running gup_longterm")
    [share] = list(tmp_path.glob("harness-out/*/work/**/9p-share-*"))
    shutil.rmtree(share)  # the directory QEMU exports, gone under the running test
    rc, _ = run.finish(timeout=900)
    err = run.stderr
    assert rc in (0, 1) and "Traceback" not in err, err[-2000:]
    report = json.loads((tmp_path / "r.json").read_text())
    assert {r["suite"] for r in report["results"]} >= {"gup_longterm"}
    # the removal is named (was: unknown/unexplained-fail, nothing said it)
    [gone] = [f for f in report["findings"] if f["cause"] == "9p-share-removed"]
    assert gone["category"] == "env" and gone["count"] > 0
    assert any(f"{share} was removed" in e["text"] for e in gone["evidence"])
    assert not [f for f in report["findings"] if f["cause"] == "unexplained-fail"]
    assert any(f"{share} was removed (seen after gup_longterm)" in n
               for n in report["environment"]["notes"])
    assert not leftovers(tmp_path)


def test_guest_machine_dies_mid_test(run_in, tmp_path, x86_assets):
    """QEMU killed while gup_longterm runs: what a panic does under panic=-1 -no-reboot (the
    machine ends), without the console excerpt. The run boots again for cow."""
    run = run_in("run", "--fs", "tmpfs", "--cmdline", "minimal", "--json", "r.json")
    run.wait_for("running gup_longterm")
    [qemu] = [p for p in psutil.Process(run.proc.pid).children(recursive=True)
              if p.name().startswith("qemu-system")]
    qemu.kill()  # the machine the run started, by its pid
    rc, _ = run.finish(timeout=900)
    err = run.stderr
    assert rc in (0, 1) and "Traceback" not in err, err[-2000:]
    report = json.loads((tmp_path / "r.json").read_text())
    assert "cow" in {r["suite"] for r in report["results"]}  # booted again, cow ran
    assert any("died" in n or "exited" in n for n in report["environment"]["notes"])
    assert not leftovers(tmp_path)


def _qmp_socket(qemu: psutil.Process) -> tuple[Path, Path]:
    """The QMP socket the machine's argv names, relative to its cwd (the guest's private dir
    under --out): a path short enough to connect to (through /proc), and where it is."""
    argv = qemu.cmdline()
    name = argv[argv.index("-qmp") + 1].removeprefix("unix:").split(",")[0]
    return Path(f"/proc/{qemu.pid}/cwd") / name, Path(qemu.cwd()) / name


def _qmp(path: Path, *commands: str) -> list[dict]:
    """QMP commands to a machine the run started; the answers."""
    answers = []
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(path))
        stream = sock.makefile("rw")
        json.loads(stream.readline())  # the greeting
        for command in ("qmp_capabilities", *commands):
            stream.write(json.dumps({"execute": command}) + "\n")
            stream.flush()
            while "return" not in (answer := json.loads(stream.readline())) and (
                    "error" not in answer):
                pass  # events
            answers.append(answer)
    return answers


def test_guest_kernel_panics_mid_test(run_in, tmp_path, x86_assets):
    """A real panic while cow runs (~30 s; gup_longterm is too quick to hit): an NMI injected
    on the machine's QMP socket, which the kernel turns into 'Kernel panic - not syncing: NMI:
    Not continuing' (unknown_nmi_panic); under panic=-1 -no-reboot the machine ends, and the
    run boots again for gup_longterm."""
    run = run_in("run", "--fs", "tmpfs", "--cmdline", "minimal", "--tests", "cow,gup_longterm",
                 "--append", "unknown_nmi_panic=1", "--timeout", "300", "--json", "r.json")
    run.wait_for("running cow")
    [console] = tmp_path.glob("harness-out/*/work/console-*.log")
    deadline = time.monotonic() + 300
    while "\nok 2 " not in console.read_text(errors="replace"):  # some cases finished
        assert time.monotonic() < deadline and run.proc.poll() is None, run.stderr[-2000:]
        time.sleep(0.05)
    [qemu] = [p for p in psutil.Process(run.proc.pid).children(recursive=True)
              if p.name().startswith("qemu-system")]
    qmp, where = _qmp_socket(qemu)
    assert str(where).startswith(str(tmp_path / "harness-out"))
    [_, nmi] = _qmp(qmp, "inject-nmi")
    assert nmi == {"return": {}}, nmi
    rc, out = run.finish(timeout=900)
    err = run.stderr
    assert rc == 1 and "Traceback" not in err, err[-2000:]
    assert not qemu.is_running()  # the panicked machine ended by itself (panic=-1)
    report = json.loads((tmp_path / "r.json").read_text())
    # one finding (was two: the test's output and crash.log carry the same lines), naming the
    # test that was running (was "(between tests)" when the panic came between two cases)
    [crash] = [f for f in report["findings"] if f["cause"] == "kernel-oops"]
    assert crash["category"] == "kernel-bug" and "NMI: Not continuing" in crash["explanation"]
    assert any("Kernel panic - not syncing" in e["text"] for e in crash["evidence"])
    assert any(t.startswith("cow #") for t in crash["tests"]), crash["tests"]
    assert "the guest died during cow" in out
    crashed = [r for r in report["results"] if r["status"] == "crash"]
    assert crashed and {r["suite"] for r in crashed} == {"cow"}
    passed = [r for r in report["results"] if r["status"] == "pass"]
    assert any(r["suite"] == "cow" for r in passed)  # the cases before the panic are kept
    assert any(r["suite"] == "gup_longterm" for r in passed)  # and a boot for the next test
    assert not leftovers(tmp_path) and not where.exists()


def test_matrix_sigterm_stops_every_running_qemu(run_in, tmp_path, x86_assets):
    """SIGTERM to `matrix --jobs 2` while both cells' guests run cow: every QEMU is stopped at
    once (was: the running cells went on to the end of their tests), their finished tests
    are kept."""
    run = run_in("matrix", "--fs", "xfs,9p", "--jobs", "2", "--cmdline", "minimal",
                 "--json", "r.json")
    deadline = time.monotonic() + 600
    while run.stderr.count("running cow") < 2:
        assert run.proc.poll() is None and time.monotonic() < deadline, run.stderr[-2000:]
        time.sleep(0.2)
    qemus = [p for p in psutil.Process(run.proc.pid).children(recursive=True)
             if p.name().startswith("qemu-system")]
    assert len(qemus) == 2
    run.signal(signal.SIGTERM)
    signalled = time.monotonic()
    rc, _ = run.finish(timeout=300)
    assert rc == 143 and "Traceback" not in run.stderr, run.stderr[-2000:]
    assert time.monotonic() - signalled < 20  # not the rest of cow (~30-60 s in TCG)
    assert not [q for q in qemus if q.is_running()]
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["interrupted"] is True
    for fs in ("xfs", "9p"):  # each cell's finished gup_longterm is kept, cow said lost
        mine = [r for r in report["results"] if r["run"] == fs]
        assert len([r for r in mine if r["suite"] == "gup_longterm"]) == 50, fs
    cut = [f for f in report["findings"] if f["cause"] == "run-interrupted"]
    assert cut and sum(f["count"] for f in cut) >= 2, report["findings"]
    assert not leftovers(tmp_path)
