"""Run a job with Debian's ``lava-run`` on this machine and keep its log as tuxrun does.

lava-run prints the job log as one JSON record per line on stderr. The output directory gets
``logs.yaml`` (the records as a YAML list, as a LAVA server and tuxrun store them) and
``logs.txt`` (the console alone). lava-run and the QEMU it starts are killed on timeout,
Ctrl-C and SIGTERM.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.readers.lava_log import CONSOLE_LEVELS, record


class LavaRunError(HarnessError):
    """lava-run is missing or could not run the job."""


@dataclass
class LavaRun:
    returncode: int
    seconds: float
    logs_yaml: Path
    logs_txt: Path


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    def handler(_signum, _frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def run_job(job: Path, device: Path, outdir: Path, job_id: int, timeout_s: float) -> LavaRun:
    import time

    from guests.qemu import kill_tree

    lava_run = shutil.which("lava-run")
    if lava_run is None:
        raise LavaRunError("lava-run not found: apt-get install lava-dispatcher")
    work = outdir / "lava-run"
    work.mkdir(parents=True, exist_ok=True)
    raw = outdir / "lava-run.log"
    started = time.monotonic()
    with raw.open("wb") as log, _sigterm_interrupts():
        proc = subprocess.Popen([lava_run, "--job-id", str(job_id), "--output-dir", str(work),
                                 "--device", str(device), str(job)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True)
        try:
            returncode = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            returncode = -1
        finally:
            kill_tree(proc.pid)  # QEMU runs under lava-run in its own session
            proc.wait()
    logs_yaml, logs_txt = outdir / "logs.yaml", outdir / "logs.txt"
    with (raw.open(encoding="utf-8", errors="replace") as src,
          logs_yaml.open("w", encoding="utf-8") as yml,
          logs_txt.open("w", encoding="utf-8") as txt):
        for line in src:
            line = line.rstrip("\n")
            data = record(line)
            if data is None:
                continue
            yml.write(f"- {line}\n")
            if data["lvl"] in CONSOLE_LEVELS and isinstance(data["msg"], str):
                txt.write(data["msg"] + "\n")
    if returncode == -1:
        raise LavaRunError(f"lava-run did not finish within {timeout_s:.0f} s (log: {raw})")
    return LavaRun(returncode, time.monotonic() - started, logs_yaml, logs_txt)
