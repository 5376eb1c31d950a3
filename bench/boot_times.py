"""Boot-to-first-test and full-run wall time per filesystem, and the harness's share of it.

Usage: python bench/boot_times.py [FS ...]   (default: tmpfs 9p xfs nfs; needs `harness setup`)
For each filesystem: one run of gup_longterm with the minimal command line (x86_64, TCG).
Prints, per fs, the kernel boot time (QEMU start to the ready marker), the time to the first
test, the full run, and full-run/boot as a ratio measured in the same run: what provisioning,
fact collection, the test and teardown add on top of a bare boot.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from fs_profiles.registry import make_profile
from guests.assets.kernels import find_kernel
from guests.assets.selftests import find_selftests
from guests.events import Event, TestStarted
from guests.qemu_guest import QemuGuest
from guests.run import RunRequest, run_selftests


def main() -> None:
    names = sys.argv[1:] or ["tmpfs", "9p", "xfs", "nfs"]
    kernel, tests = find_kernel("x86_64", "6.12"), find_selftests("x86_64")
    if kernel is None or tests is None:
        sys.exit("bench: run `harness setup --arch x86_64` first")
    print(f"{'fs':6} {'boot s':>7} {'first test s':>13} {'full run s':>11} {'full/boot':>10}")
    for name in names:
        marks: dict[str, float] = {}
        start = time.monotonic()

        def progress(event: Event, marks: dict[str, float] = marks, start: float = start) -> None:
            if isinstance(event, TestStarted) and "first" not in marks:
                marks["first"] = time.monotonic() - start

        with tempfile.TemporaryDirectory() as tmp:
            request = RunRequest(fs=name, out=Path(tmp), cmdline="minimal", tests=("gup_longterm",))
            guest = QemuGuest(kernel, tests, make_profile(name), request)
            run = run_selftests(guest, request, progress)
        total = time.monotonic() - start
        boot = run.boot_seconds[0] if run.boot_seconds else float("nan")
        print(f"{name:6} {boot:7.1f} {marks.get('first', float('nan')):13.1f} {total:11.1f} "
              f"{total / boot:10.2f}")


if __name__ == "__main__":
    main()
