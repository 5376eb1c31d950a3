"""The KVM probe's answer, remembered in the cache between runs.

Whether KVM can run a guest depends on the host kernel (and its kvm module), on /dev/kvm and on
the QEMU build; nothing else changes the answer, so a probe boot is needed once per combination
of those, not once per run (on a host whose /dev/kvm cannot run guests the probe costs its whole
timeout). ``HARNESS_ACCEL=probe`` forgets the answer and probes again.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from dataclasses import dataclass

from harness.cache import cache_dir, locked

FILE = "accel.json"


@dataclass(frozen=True)
class Answer:
    accel: str  # kvm | tcg
    why: str
    when: str  # UTC date of the probe


def qemu_version(binary: str) -> str:
    """First line of ``QEMU --version`` ('QEMU emulator version 7.2.19 (Debian ...)')."""
    try:
        proc = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError):
        return f"{binary}: not runnable"
    return (proc.stdout.splitlines() or ["?"])[0].strip()


def kvm_device() -> str:
    try:
        st = os.stat("/dev/kvm")
    except OSError:
        return "no /dev/kvm"
    return f"/dev/kvm {os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"


def probe_key(arch: str, qemu_binary: str) -> str:
    """What decides whether KVM works: the host kernel, /dev/kvm and the QEMU build."""
    u = os.uname()
    return f"{arch} | {u.release} {u.version} | {kvm_device()} | {qemu_version(qemu_binary)}"


def _load() -> dict[str, dict[str, str]]:
    try:
        data = json.loads((cache_dir() / FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recall(key: str) -> Answer | None:
    entry = _load().get(key)
    if not isinstance(entry, dict) or entry.get("accel") not in ("kvm", "tcg"):
        return None
    return Answer(entry["accel"], str(entry.get("why", "")), str(entry.get("when", "")))


def remember(key: str, accel: str, why: str) -> None:
    with locked("accel"):
        data = _load()
        data[key] = {"accel": accel, "why": why,
                     "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        path = cache_dir() / FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        tmp.rename(path)


def forget(key: str) -> None:
    with locked("accel"):
        data = _load()
        if data.pop(key, None) is not None:
            with contextlib.suppress(OSError):
                (cache_dir() / FILE).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
