"""Parse+triage throughput (lines/s) and peak RSS on a generated large log.

Usage: python bench/parse_throughput.py [LINES]   (default 2,000,000)
The log mixes 6.12-style results (1 in 4 lines), [RUN] lines, diagnostics and printk noise.
Prints one line per stage and the ratio of triage time to parse time, measured in one run.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from harness.model import Environment
from harness.readers.ingest import parse_file
from harness.triage.engine import triage

MESSAGES = ("ok {n} # SKIP gup_test not available", "not ok {n} ftruncate() failed",
            "ok {n} Should have worked", "ok {n} # SKIP need more free huge pages")
CONFIGS = ("memfd", "tmpfile", "local tmpfile", "memfd hugetlb (2048 kB)")


def generate(path: Path, lines: int) -> None:
    with path.open("w") as f:
        f.write("TAP version 13\n")
        for n, i in enumerate(range(0, lines, 4), start=1):
            f.write("# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... "
                    f"with {CONFIGS[n % 4]}\n")
            f.write(f"[ {i / 1e4:12.6f}] virtio_net virtio0 eth0: noise {i}\n")
            f.write("# [INFO] detected hugetlb page size: 2048 KiB\n")
            f.write(MESSAGES[n % 4].format(n=n) + "\n")


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "big.log"
        generate(log, lines)
        size = log.stat().st_size
        t0 = time.perf_counter()
        parsed = parse_file(str(log))
        t1 = time.perf_counter()
        report = triage([parsed], Environment(fs="9p"))
        t2 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"log: {lines} lines, {size / 1e6:.0f} MB, {len(parsed.results)} results")
    print(f"parse: {t1 - t0:.1f} s = {lines / (t1 - t0):,.0f} lines/s")
    print(f"triage: {t2 - t1:.1f} s = {len(report.results) / (t2 - t1):,.0f} results/s")
    print(f"parse+triage: {lines / (t2 - t0):,.0f} lines/s; peak RSS {rss:.0f} MiB; "
          f"triage/parse time ratio {(t2 - t1) / (t1 - t0):.2f}; findings {len(report.findings)}")


if __name__ == "__main__":
    main()
