"""Blocks scanned by a second process are the blocks scanned here, and the process goes away."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.readers import blockscan
from harness.readers.blockscan import scans, scans_ahead
from harness.readers.logread import HEAD_BYTES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from cowlog import generate

LOGS = sorted((ROOT / "tests/fixtures/logs").glob("*.log"))


def _no_children() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_scans_made_ahead_are_the_scans_made_here(tmp_path, monkeypatch):
    big = tmp_path / "cow.log"
    generate(big, 20_000, seed=3, runner=1)  # several 1 MiB blocks, one '# ' level
    monkeypatch.setattr(blockscan, "MAX_KEYS", 300)  # and the numbering starts over
    for log in [*LOGS, big]:
        here = list(scans(str(log)))
        assert list(scans_ahead(str(log))) == here, log.name
        assert _no_children()
    assert any(scan.reset for scan in scans(str(big)))


def test_the_scanning_process_ends_when_the_reader_stops_early(tmp_path):
    log = tmp_path / "cow.log"
    generate(log, 30_000, seed=4)  # more blocks than the pipe holds ahead
    blocks = scans_ahead(str(log))
    first = next(blocks)
    assert first.number == 1 and first.ids
    blocks.close()
    assert _no_children()


def test_an_unreadable_log_is_one_error_and_no_process(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        list(scans_ahead(str(tmp_path)))
    assert _no_children()
    with pytest.raises(InputError, match="cannot read"):
        list(scans_ahead(str(tmp_path / "missing.log")))
    assert _no_children()


def _processes_reading(path: Path) -> list[int]:
    """Processes whose command line names ``path`` (forked ones keep their parent's)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(path).encode() in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


@pytest.mark.parametrize("after", [0.5, 1.0])
def test_sigterm_while_streaming_a_big_log_leaves_no_process_and_no_file(after, tmp_path):
    """SIGTERM in pass 1 (blocks scanned by a second process) or pass 2 (test cases written
    by another): exit 143, every process gone, neither output written nor left half-done."""
    import signal
    import subprocess
    import time

    log = tmp_path / "cow-big.log"
    generate(log, 400_000, seed=6)  # over AHEAD_BYTES and FORK_ROWS: ~2 s to triage
    assert log.stat().st_size >= 16 << 20
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "triage", str(log), "--fs", "9p",
         "--json", str(out / "r.json"), "--junit", str(out / "r.xml")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)))
    # from the moment the block scanner is forked (the harness is streaming, its handlers
    # are in place: a loaded machine may take seconds just to start Python)
    deadline = time.monotonic() + 60
    while len(_processes_reading(log)) < 2 and proc.poll() is None:
        assert time.monotonic() < deadline, "the block scanner was never forked"
        time.sleep(0.01)
    assert proc.poll() is None, "the harness finished before it could be interrupted"
    time.sleep(after - 0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    time.sleep(0.2)
    assert _processes_reading(log) == []
    assert list(out.iterdir()) == []


def test_without_a_process_to_spare_the_blocks_are_scanned_here(tmp_path, monkeypatch):
    log = tmp_path / "cow.log"
    generate(log, 2_000, seed=5)

    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert list(scans_ahead(str(log))) == list(scans(str(log)))


def test_the_reader_keeps_the_logs_first_bytes_here_and_ahead(tmp_path):
    """Where a whole log names its machine: pass 1's reader keeps its first 64 KiB, so the
    streamed triage need not open the log again (a log rotated in between names the wrong
    machine)."""
    log = tmp_path / "cow.log"
    generate(log, 30_000, seed=5)
    want = log.read_bytes()[:HEAD_BYTES]
    here, ahead = bytearray(), bytearray()
    scanned = list(scans(str(log), here))
    assert list(scans_ahead(str(log), ahead)) == scanned
    assert bytes(here) == bytes(ahead) == want and len(want) == HEAD_BYTES
    assert _no_children()
    small = tmp_path / "small.log"
    small.write_text("uname -m\naarch64\n")
    here = bytearray()
    list(scans(str(small), here))
    assert bytes(here) == small.read_bytes()
