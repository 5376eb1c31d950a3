"""--fs-scope root: the root's payload put there by the host from the cache, against /init
copying it from the initramfs at every boot (what a tmpfs root still does).

Usage: python bench/root_payload.py [ROUNDS] [FS ...]   (default 2 rounds; xfs ext4 9p nfs;
needs `harness setup --arch x86_64`)

Each round runs gup_longterm with the minimal command line once per mode and filesystem,
alternating: ``host`` is what harness run does (the profile copies the cached payload onto the
fresh root: a tree into the 9p share or NFS export, a sparse copy of a disk formatted and
filled once for xfs/ext4); ``guest`` gives the profile no payload, so the host makes an empty
root (mkfs and a partitioned copy of the whole image for xfs/ext4) and /init copies busybox,
the selftests and itself onto it before switch_root. Printed per mode, medians: host-side
provisioning, the guest's time to fill the root (its own "root ... ready in A..B s" line), the
boot to the ready marker and the whole run.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fs_profiles.registry import make_profile
from guests import qemu_guest
from guests.assets.kernels import find_kernel
from guests.assets.selftests import find_selftests
from guests.events import Building, Event, Provisioning
from guests.run import RunRequest, run_selftests

FILLED = re.compile(r"harness: root .*ready in ([\d.]+)\.\.([\d.]+) s")
MODES = ("host", "guest")


def one(fs: str, mode: str, kernel, tests) -> dict[str, float]:
    marks: dict[str, float] = {}
    start = time.monotonic()

    def progress(event: Event) -> None:
        if isinstance(event, Provisioning | Building):
            marks.setdefault(type(event).__name__, time.monotonic() - start)

    real = qemu_guest.root_payload
    if mode == "guest":
        qemu_guest.root_payload = lambda *a, **k: None  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            request = RunRequest(fs=fs, out=Path(tmp), cmdline="minimal", scope="root",
                                 tests=("gup_longterm",))
            run = run_selftests(qemu_guest.QemuGuest(kernel, tests, make_profile(fs), request),
                                request, progress)
            console = next(Path(tmp).rglob("console-*.log")).read_text(errors="replace")
    finally:
        qemu_guest.root_payload = real
    filled = FILLED.search(console)
    if not filled or not run.tests or run.tests[0].exit_code is None:
        sys.exit(f"bench: {fs} ({mode}) did not boot into its root and run gup_longterm")
    return {"provision": marks["Building"] - marks["Provisioning"],
            "fill": float(filled.group(2)) - float(filled.group(1)),
            "boot": run.boot_seconds[0], "run": time.monotonic() - start}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    names = sys.argv[2:] or ["xfs", "ext4", "9p", "nfs"]
    kernel, tests = find_kernel("x86_64", "6.12"), find_selftests("x86_64")
    if kernel is None or tests is None:
        sys.exit("bench: run `harness setup --arch x86_64` first")
    rows: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(rounds):
        for fs in names:
            for mode in MODES:
                rows.setdefault((fs, mode), []).append(one(fs, mode, kernel, tests))
                print(line(fs, mode, rows[(fs, mode)][-1]), flush=True)
    print(f"medians of {rounds}:")
    for (fs, mode), rs in rows.items():
        print(line(fs, mode, {k: statistics.median(r[k] for r in rs) for k in rs[0]}))


def line(fs: str, mode: str, r: dict[str, float]) -> str:
    return (f"{fs:5} {mode:5} provision {r['provision']:5.2f} s, fill {r['fill']:6.2f} s, "
            f"boot {r['boot']:5.1f} s, run {r['run']:5.1f} s")


if __name__ == "__main__":
    main()
