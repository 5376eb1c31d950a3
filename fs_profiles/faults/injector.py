"""The seccomp supervisor (faultinject.c) that plays a fault model back to real programs.

``injector_argv`` turns a model into the argv prefix that makes the real, static selftest
binaries see exactly the model's errors on a local filesystem, so triage can be checked without
the server.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from fs_profiles.base import ProfileError
from fs_profiles.faults.models import FaultModel
from harness.arch import get_arch
from harness.cache import cache_dir

SOURCE = Path(__file__).with_name("faultinject.c")


def injector_binary(arch: str = "x86_64") -> Path:
    """Build faultinject statically for ``arch`` once (rebuilt when the source changes)."""
    a = get_arch(arch)
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    directory = cache_dir() / "injector" / a.name
    binary, stamp = directory / "faultinject", directory / "faultinject.sha256"
    if binary.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
        return binary
    compiler = a.compiler
    if shutil.which(compiler) is None:
        raise ProfileError(f"{compiler} not found: install it to build the fault injector for "
                           f"{a.name}")
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=directory))
    try:
        out = staging / "faultinject"
        proc = subprocess.run([compiler, "-static", "-O2", "-Wall", "-o", str(out), str(SOURCE)],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
        if proc.returncode != 0:
            last = [ln for ln in proc.stderr.splitlines() if ln.strip()] or ["(no output)"]
            raise ProfileError(f"building faultinject with {compiler} failed: {last[-1].strip()}")
        (staging / "faultinject.sha256").write_text(digest + "\n")
        os.replace(out, binary)  # binary first: a stamp never vouches for an older binary
        os.replace(staging / "faultinject.sha256", stamp)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return binary


def injector_argv(model: FaultModel, injector: str, mount_dir: str,
                  log: str | None = None) -> list[str]:
    """The argv prefix that runs a program under ``model`` (ends with "--")."""
    argv = [str(injector)]
    for rule in model.rules:
        argv += ["--rule", rule.spec()]
    argv += ["--mount", str(mount_dir)]
    if log is not None:
        argv += ["--log", str(log)]
    return argv + ["--"]
