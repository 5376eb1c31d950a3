"""The harness against bare QEMU: the same kernel and binaries, no harness in between.

Usage: python bench/bare_qemu.py [ROUNDS]   (default 3; needs `harness setup --arch x86_64`)

The bare run is scripted here, with no harness code between QEMU and the guest: a minimal
initramfs (the same static busybox, gup_longterm and gup_test.ko) whose /init mounts proc, sysfs,
debugfs, devtmpfs and tmpfs on /tmp and /work, loads gup_test, runs gup_longterm in /work and
powers off. QEMU boots it with the kernel, CPU model, memory and console the harness uses for
``--cmdline minimal``, under TCG (as the harness on this machine). The harness run is
``harness run --fs tmpfs --tests gup_longterm --cmdline minimal`` as a subprocess. Both are
timed from outside, alternating, ROUNDS times each; the script prints the medians, their ratio
(the goal is 1.3x or less) and where the harness's time goes, from its progress lines.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from guests.assets.gup_test import find_gup_test
from guests.assets.kernels import find_kernel
from guests.assets.selftests import find_selftests
from guests.initramfs import find_busybox
from harness.arch import get_arch

BARE_INIT = """#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /work && mount -t tmpfs tmpfs /tmp && mount -t tmpfs tmpfs /work
[ -f /gup_test.ko ] && insmod /gup_test.ko
cd /work && /gup_longterm
echo "BARE-EXIT: $?"
poweroff -f
"""
PROGRESS = re.compile(r"^harness: \[\s*([\d.]+)s\] (.*)$")
MEMORY_MIB = 2048  # what the harness gives a --cmdline minimal guest


def bare_initramfs(dest: Path, busybox: Path, gup_longterm: Path, module: Path | None) -> None:
    """A newc cpio (gzip'd) of busybox, gup_longterm, gup_test.ko and /init."""
    tree = Path(tempfile.mkdtemp(prefix="bare-initramfs-"))
    try:
        for d in ("bin", "proc", "sys", "dev"):
            (tree / d).mkdir()
        shutil.copy2(busybox, tree / "bin" / "busybox")
        shutil.copy2(gup_longterm, tree / "gup_longterm")
        if module is not None:
            shutil.copy2(module, tree / "gup_test.ko")
        (tree / "init").write_text(BARE_INIT)
        (tree / "init").chmod(0o755)
        names = "\n".join(["."] + sorted(str(p.relative_to(tree)) for p in tree.rglob("*")))
        cpio = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=tree,
                              input=names.encode() + b"\n", capture_output=True, check=True)
        dest.write_bytes(gzip.compress(cpio.stdout, compresslevel=1))
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def bare_argv(kernel: Path, initrd: Path) -> list[str]:
    a = get_arch("x86_64")
    append = " ".join([f"console={a.console}", "panic=-1", *a.extra_kernel_args])
    return [a.qemu_binary, "-M", a.machine, "-accel", "tcg", "-cpu", a.tcg_cpu, "-smp", "2",
            "-m", f"{MEMORY_MIB}M", "-kernel", str(kernel), "-initrd", str(initrd),
            "-append", append, "-nographic", "-no-reboot"]


def run_bare(argv: list[str]) -> tuple[float, int]:
    """Seconds and boots: a kernel crash while booting (TCG's occasional int3 Oops in
    sched_clock_tick) is booted again once, as the harness does, and counted in the time."""
    start = time.monotonic()
    for boot in (1, 2):
        proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=600, check=False)
        if "BARE-EXIT: " in proc.stdout or "Oops" not in proc.stdout:
            break
    seconds = time.monotonic() - start
    totals = re.search(r"# Totals: pass:(\d+) fail:(\d+)", proc.stdout)
    if "BARE-EXIT: " not in proc.stdout or not totals or totals.group(2) != "0":
        sys.exit("bench: the bare guest did not run gup_longterm cleanly:\n"
                 + proc.stdout[-1500:])
    return seconds, boot


def interpreter_seconds() -> float:
    """Python start-up and the harness's imports: `python -m harness.cli --version`."""
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "harness.cli", "--version"], capture_output=True,
                   check=True)
    return time.monotonic() - start


def run_harness(out: Path) -> tuple[float, dict[str, float], int]:
    argv = [sys.executable, "-m", "harness.cli", "run", "--fs", "tmpfs", "--tests",
            "gup_longterm", "--cmdline", "minimal", "--out", str(out)]
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=900, check=False, env={**os.environ, "HARNESS_ACCEL": ""})
    seconds = time.monotonic() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"bench: harness run failed (exit {proc.returncode}):\n{proc.stderr[-1500:]}")
    python = interpreter_seconds()
    where = phases(proc.stderr, seconds - python)
    boots = sum(1 for line in proc.stderr.splitlines()
                if (m := PROGRESS.match(line)) and m.group(2).startswith("booting"))
    return seconds, {"python start-up + imports": python, **where}, boots


PHASES = (  # (name, the progress message that starts it)
    ("provisioning", "provisioning"),
    ("initramfs build", "building the initramfs"),
    ("boot (QEMU start to ready)", "booting"),
    ("facts", "guest ready"),
    ("the test", "running"),
    ("power-off, teardown", "powering off"),
    ("triage, reports, exit", "triaging"),
)


def phases(progress: str, total: float) -> dict[str, float]:
    """Seconds per phase from the harness's progress lines (its own clock, from start-up)."""
    starts: dict[str, float] = {}
    for line in progress.splitlines():
        if m := PROGRESS.match(line):
            for name, prefix in PHASES:
                if m.group(2).startswith(prefix):
                    starts.setdefault(name, float(m.group(1)))
    names = [n for n, _ in PHASES if n in starts]
    out = {"start-up (python, options, config check)": starts[names[0]] if names else total}
    for here, after in zip(names, names[1:] + [None], strict=True):
        # the last phase ends when the process does (measured from outside)
        out[here] = (starts[after] if after else total) - starts[here]
    return out


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    kernel, tests = find_kernel("x86_64", "6.12"), find_selftests("x86_64")
    if kernel is None or tests is None:
        sys.exit("bench: run `harness setup --arch x86_64` first")
    gup = find_gup_test(kernel)
    with tempfile.TemporaryDirectory() as tmp:
        initrd = Path(tmp) / "bare.cpio.gz"
        bare_initramfs(initrd, find_busybox("x86_64"), tests.binaries["gup_longterm"],
                       gup.module if gup else None)
        argv = bare_argv(kernel.vmlinux or kernel.image, initrd)
        bare: list[float] = []
        harness: list[float] = []
        split: list[dict[str, float]] = []
        for i in range(rounds):
            seconds, bare_boots = run_bare(argv)
            bare.append(seconds)
            seconds, where, boots = run_harness(Path(tmp) / f"h{i}")
            harness.append(seconds)
            split.append(where)
            print(f"round {i + 1}: bare QEMU {bare[-1]:.1f} s ({bare_boots} boot(s)), "
                  f"harness {harness[-1]:.1f} s ({boots} boot(s)), load {os.getloadavg()[0]:.1f}",
                  flush=True)
    b, h = statistics.median(bare), statistics.median(harness)
    print(f"median of {rounds}: bare QEMU {b:.1f} s, harness {h:.1f} s: {h / b:.2f}x")
    print("where the harness's time goes (median s):")
    for key in split[0]:
        print(f"  {key:36} {statistics.median(s[key] for s in split):6.1f}")


if __name__ == "__main__":
    main()
