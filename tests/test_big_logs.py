"""A long log must not cost memory in proportion to its length (only the results kept count)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MEASURE = """
import resource, sys
from harness.readers.ingest import parse_file
p = parse_file(sys.argv[1])
print(len(p.results), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_log(path: Path, lines: int, result_every: int = 1000) -> None:
    with path.open("w") as f:
        f.write("TAP version 13\n")
        n = 0
        for i in range(lines):
            if i % result_every == 0:
                n += 1
                f.write(f"# [RUN] Basic COW after fork() ... with base page\nok {n} No leak\n")
            elif i % 3 == 0:
                f.write(f"[ {i / 1000:10.6f}] random kernel message number {i} \xe9\n")
            else:
                f.write(f"# [INFO] diagnostic line {i}\n")


def peak(path: Path) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True,
                         text=True, check=True, timeout=600)
    results, rss_kb = out.stdout.split()
    return int(results), int(rss_kb)


def test_million_line_log_parses_in_bounded_memory(tmp_path):
    small, big = tmp_path / "small.log", tmp_path / "big.log"
    write_log(small, 10_000)
    write_log(big, 1_000_000)
    small_results, small_rss = peak(small)
    big_results, big_rss = peak(big)
    assert (small_results, big_results) == (10, 1000)
    # 100x the lines, 100x the results: the growth must be the results', a few MB at most.
    assert big_rss - small_rss < 40 * 1024, (small_rss, big_rss)
