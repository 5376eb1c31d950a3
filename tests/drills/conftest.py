"""Fault drills: a real fault against a real run, then what survived is checked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "drills" in str(item.fspath):
            item.add_marker(pytest.mark.drill)


class Run:
    """``harness ARGS`` in the background, with its stderr lines collected as they come."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.cwd = cwd
        self.err_path = cwd / "harness.stderr"
        self.proc = subprocess.Popen([sys.executable, "-m", "harness.cli", *args], cwd=cwd,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)},
                                     stdout=subprocess.PIPE, stderr=self.err_path.open("wb"))

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.stderr:
            assert self.proc.poll() is None, f"ended before {text!r}: {self.stderr[-2000:]}"
            assert time.monotonic() < deadline, f"no {text!r} in {timeout} s"
            time.sleep(0.1)

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def finish(self, timeout: float = 300) -> tuple[int, str]:
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            raise
        return self.proc.returncode, out.decode(errors="replace")


def leftovers(tmp: Path) -> list[str]:
    """Processes, loop devices and mounts that still name the drill's directory."""
    found = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if str(tmp) in cmd and p.pid != os.getpid():
            found.append(f"process {p.pid}: {cmd[:120]}")
    loops = subprocess.run(["losetup", "-a"], capture_output=True, text=True, check=False)
    found += [f"loop {line}" for line in loops.stdout.splitlines() if str(tmp) in line]
    found += [f"mount {line}" for line in Path("/proc/mounts").read_text().splitlines()
              if str(tmp) in line]
    return found


@pytest.fixture
def run_in(tmp_path):
    def start(*args: str) -> Run:
        return Run(tmp_path, *args)
    return start
