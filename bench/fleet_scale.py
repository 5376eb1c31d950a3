"""Triage at fleet scale against kunit_tool's KTAP parser, ratios measured in one run.

Usage: python bench/fleet_scale.py [--results N] [--logs L] [--per-log M] [--rounds R]
       [--runner N] [--skip-kunit] [--skip-fleet] [--skip-one]
       (defaults: 1,000,000 results; 1,000 logs of 1,000 results)

1. One cow-like log of N results (bench/cowlog.py: the real 6.12 cow capture's cases cycled,
   with 9p/NFS/leak failures, strerror diagnostics, printk noise). kunit_tool's
   ``kunit_parser.parse_run_tests`` (taken from the linux-source the selftests come from:
   the cached tree, else extracted from the cached linux-source .deb; never part of this
   repository) parses it; ``harness triage LOG --json --junit`` triages it with both files
   written. Each runs in its own process: wall time, CPU time (its own and its children's:
   harness forks a block scanner and a JUnit writer for a big log) and peak RSS (wait4).
   Counts
   are checked against the generator's. The same at N/10 shows memory does not grow with N.
2. L logs of M results named machine_kernel_fs_date.log: ``harness triage DIR --json --junit``
   with --jobs 1 and --jobs 2 (alternately, --rounds times), the load average before and
   after each run (other work on the machine moves the ratio).
3. With --runner N: N results plain, under the kselftest runner and under run_vmtests.sh -t
   under the runner: each streamed, counts exact, time and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cowlog import generate

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("HARNESS_CACHE", Path.home() / ".cache/harness"))

KUNIT = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
import kunit_printer, kunit_parser
kunit_printer.stdout._output = open(os.devnull, "w")
with open(sys.argv[2], errors="replace") as f:
    test = kunit_parser.parse_run_tests(f)
c = test.counts
print(c.passed + c.failed + c.skipped + c.crashed, len(test.subtests))
"""


def kunit_dir() -> Path:
    """tools/testing/kunit of the cached linux-source (extracted from its .deb if missing)."""
    sources = sorted((CACHE / "sources").glob("linux-source-*/manifest.json"))
    if not sources:
        sys.exit("no linux-source in the cache: run harness setup")
    top = sources[-1].parent
    manifest = json.loads(sources[-1].read_text())
    for tree in top.glob("linux-source-*"):
        if (tree / "tools/testing/kunit/kunit_parser.py").is_file():
            return tree / "tools/testing/kunit"
    extracted = top / "kunit-tool"
    if (extracted / "kunit_parser.py").is_file():
        return extracted
    debs = sorted((CACHE / "debs").glob(f"{manifest['package']}_*.deb"))
    if not debs:
        sys.exit(f"no {manifest['package']} .deb in the cache: run harness setup")
    package = manifest["package"]
    work = Path(tempfile.mkdtemp(dir=top))
    try:
        subprocess.run(["dpkg", "-x", str(debs[-1]), str(work)], check=True)
        tarball = next((work / "usr/src").glob(f"{package}.tar.*"))
        subprocess.run(["tar", "-xf", str(tarball), "-C", str(work), "--wildcards",
                        f"{package}/tools/testing/kunit/*.py"], check=True)
        (work / package / "tools/testing/kunit").rename(extracted)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return extracted


def measure(argv: list[str], cwd: Path = ROOT) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MiB, stdout) of a command run to completion."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}):\n{text[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def tail_of(path: Path) -> dict:
    """What follows the results and findings (suites, summary, verdict, sources, logs), read
    from the file's end: loading a million results here would make every later child's peak
    RSS look like ours (Linux keeps the pre-exec high-water mark)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(size - (16 << 20), 0))
        tail = handle.read().decode("utf-8", errors="replace")
    return json.loads("{" + tail[tail.rindex('\n], "suites": ') + 4:])


def junit_tests(path: Path) -> int:
    with path.open("rb") as handle:
        head = handle.read(400).decode()
    return int(head.split('tests="', 1)[1].split('"', 1)[0])


def triage_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "harness.cli", "triage", *args]


def one_log(results: int, work: Path, skip_kunit: bool) -> None:
    rows = []
    for n in (results // 10, results):
        log = work / f"cow-{n}.log"
        expected = generate(log, n, seed=11)
        j, x = work / f"r{n}.json", work / f"r{n}.xml"
        wall, cpu, rss, _ = measure(triage_cmd(str(log), "--fs", "9p", "--json", str(j),
                                               "--junit", str(x)))
        summary = tail_of(j)["summary"]
        assert summary["total"] == n, summary
        assert summary["by_status"] == dict(sorted(expected.items())), (summary, expected)
        tests = junit_tests(x)
        assert tests == n, tests
        sizes = f"JSON {j.stat().st_size / 1e6:.0f} MB, JUnit {x.stat().st_size / 1e6:.0f} MB"
        rows.append((n, wall, cpu, rss, sizes))
        print(f"harness triage {n:>9,} results (--json --junit): {wall:6.1f} s wall, "
              f"{cpu:6.1f} s CPU, peak RSS {rss:5.0f} MiB; counts exact; {sizes}; load "
              f"average {os.getloadavg()[0]:.1f}", flush=True)
        j.unlink()
        x.unlink()
    small, big = rows
    print(f"10x the results: peak RSS {small[3]:.0f} -> {big[3]:.0f} MiB", flush=True)
    if skip_kunit:
        return
    kdir = kunit_dir()
    log = work / f"cow-{results}.log"
    wall, cpu, rss, out = measure([sys.executable, "-c", KUNIT, str(kdir), str(log)])
    _counted, subtests = map(int, out.split()[-2:])
    print(f"kunit_tool parse_run_tests {results:>9,} results: {wall:6.1f} s wall, {cpu:6.1f} s "
          f"CPU, peak RSS {rss:5.0f} MiB; {subtests:,} tests seen", flush=True)
    print(f"harness vs kunit_tool: {wall / big[1]:.1f}x faster (wall), {cpu / big[2]:.1f}x "
          f"(CPU); peak RSS {big[3]:.0f} vs {rss:.0f} MiB; harness on up to 2 processes at "
          f"a time (a block scanner forked beside pass 1, a JUnit writer beside pass 2), "
          f"kunit_tool on one; load average now {os.getloadavg()[0]:.1f}", flush=True)


def runner_logs(results: int, work: Path) -> None:
    """The same cow log plain, under the kselftest runner, and under run_vmtests.sh -t under
    the runner (bench/cowlog.py's ``runner`` 0, 1, 2): time and peak RSS of each."""
    for runner in (0, 1, 2):
        log = work / f"cow-runner{runner}.log"
        expected = generate(log, results, seed=11, runner=runner)
        j, x = work / "r.json", work / "r.xml"
        wall, cpu, rss, _ = measure(triage_cmd(str(log), "--fs", "9p", "--json", str(j),
                                               "--junit", str(x)))
        head = j.open().read(200)
        summary = tail_of(j)["summary"]
        assert summary["by_status"] == dict(sorted(expected.items())), summary
        assert '"harness.triage/2"' in head, head  # streamed
        print(f"harness triage {results:,} results, runner levels {runner}: {wall:6.1f} s wall, "
              f"{cpu:6.1f} s CPU, peak RSS {rss:5.0f} MiB; counts exact, streamed", flush=True)
        for path in (log, j, x):
            path.unlink()


def fleet(logs: int, per_log: int, work: Path, rounds: int = 1) -> None:
    directory = work / "fleet"
    directory.mkdir()
    machines = ("juno-r2", "fvp-base", "rpi4", "ampere-1", "x86-ci1", "x86-ci2", "qemu-arm64")
    kernels = ("6.12.117", "6.12.118", "6.13-rc2")
    filesystems = (("9p", "9p"), ("nfs", "nfs"), ("xfs", "clean"), ("ext4", "clean"),
                   ("tmpfs", "clean"))
    for i in range(logs):
        fs, scenario = filesystems[i % len(filesystems)]
        if i % 97 == 0:
            scenario = "leak"
        name = (f"{machines[i % len(machines)]}_{kernels[i % len(kernels)]}_{fs}_"
                f"2026-12-{1 + i % 28:02d}_{i:04d}.log")  # the last part: the job number
        generate(directory / name, per_log, seed=i, scenario=scenario)
    times: dict[int, list[float]] = {1: [], 2: []}
    for _round in range(rounds):
        for jobs in (1, 2):
            before = os.getloadavg()[0]
            j, x = work / f"f{jobs}.json", work / f"f{jobs}.xml"
            wall, cpu, rss, out = measure(triage_cmd(str(directory), "--jobs", str(jobs),
                                                     "--json", str(j), "--junit", str(x)))
            data = tail_of(j)
            assert data["summary"]["total"] == logs * per_log and len(data["logs"]) == logs
            times[jobs].append(wall)
            print(f"harness triage DIR ({logs} logs x {per_log} results, --jobs {jobs}): "
                  f"{wall:6.1f} s wall, {cpu:6.1f} s CPU (parent and workers), peak RSS "
                  f"{rss:4.0f} MiB (largest process); load average {before:.1f} before, "
                  f"{os.getloadavg()[0]:.1f} after", flush=True)
            if jobs == 2 and _round == 0:
                print("\n".join(out.splitlines()[:12]))
            j.unlink()
            x.unlink()
    ratios = ", ".join(f"{one / two:.2f}x" for one, two in zip(times[1], times[2]))
    print(f"1 -> 2 jobs: {ratios} faster (per round; cores: {os.cpu_count()})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--logs", type=int, default=1000)
    parser.add_argument("--per-log", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1,
                        help="fleet: run --jobs 1 and --jobs 2 alternately this many times")
    parser.add_argument("--runner", type=int, default=0, metavar="N",
                        help="also N results plain and under 1 and 2 levels of runners")
    parser.add_argument("--skip-kunit", action="store_true")
    parser.add_argument("--skip-fleet", action="store_true")
    parser.add_argument("--skip-one", action="store_true", help="only the fleet part")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="harness-bench-") as tmp:
        if not args.skip_one:
            one_log(args.results, Path(tmp), args.skip_kunit)
        if args.runner:
            runner_logs(args.runner, Path(tmp))
        if not args.skip_fleet:
            fleet(args.logs, args.per_log, Path(tmp), args.rounds)


if __name__ == "__main__":
    main()
