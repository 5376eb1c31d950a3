"""Matrix wall time with --jobs 2 against the sum of single runs, and sim against QEMU.

Usage: python bench/matrix_and_sim.py [FS,FS,...]   (default xfs,nfs,9p; needs `harness setup`)
All runs: gup_longterm, minimal command line, x86_64, in one go, so the ratios compare like with
like on the same machine state.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time


def timed(*args: str) -> float:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True,
                          text=True, check=False)
    if proc.returncode not in (0, 1):
        sys.exit(f"bench: harness {' '.join(args)} failed: {proc.stderr.strip()[-300:]}")
    return time.monotonic() - start


def main() -> None:
    filesystems = (sys.argv[1] if len(sys.argv) > 1 else "xfs,nfs,9p").split(",")
    common = ["--tests", "gup_longterm", "--cmdline", "minimal"]
    with tempfile.TemporaryDirectory() as tmp:
        singles = {fs: timed("run", "--fs", fs, *common, "--out", f"{tmp}/{fs}")
                   for fs in filesystems}
        matrix = timed("matrix", "--fs", ",".join(filesystems), "--jobs", "2", *common,
                       "--out", f"{tmp}/matrix")
        sim = {fs: timed("run", "--guest", "sim", "--fs", fs, *common, "--out", f"{tmp}/sim-{fs}")
               for fs in filesystems}
    total = sum(singles.values())
    for fs in filesystems:
        print(f"{fs:5} qemu {singles[fs]:6.1f} s   sim {sim[fs]:5.2f} s   "
              f"qemu/sim {singles[fs] / sim[fs]:6.1f}x")
    print(f"matrix --jobs 2: {matrix:.1f} s; sum of single runs {total:.1f} s; "
          f"matrix/sum {matrix / total:.2f}")


if __name__ == "__main__":
    main()
