"""`harness triage` on small inputs: CPU, wall time and peak RSS per run, and where the CPU goes.

Usage: python bench/small_inputs.py [--runs N] [--baseline TREE] [--as-is]

Each input is triaged by a fresh `python -m harness triage FILE` per run (cwd = the tree, so
that tree's code runs), N runs each (default 5), medians; with --baseline, a second tree (e.g.
`git worktree add --detach /tmp/base main`, or `git archive main | tar -x -C /tmp/base`) runs
alternately with this one in the same run, so both see the same load. Bytecode: the project's
environment sets PYTHONDONTWRITEBYTECODE=1 (every run compiles every module from source); an
installed package has its .pyc, so by default the runs write and use theirs under a temporary
PYTHONPYCACHEPREFIX after one warm-up run each (--as-is keeps the environment as it is).
The runs' cache directory (HARNESS_CACHE: parsed rules, compiled patterns) is a temporary one
the warm-up fills; the "1st" rows are one run each with an empty one (the first run after an
install or a change of the rules). Then one in-process run per tree and input (median of 3)
splits the CPU into phases: python start-up, imports (their own code, not the regexes they
compile), regex compiles (wherever they happen; a pattern made from its stored code is not a
compile: it counts where it is made), the rules' TOML parse, the rest of rule loading,
reading, triage, output.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
REPORTS = HERE / "tests" / "fixtures" / "reports"
INPUTS = (  # (what, file): real texts, from a one-line paste to a whole thread
    ("one-line paste", REPORTS / "magistrate-fallocate-failed-on-nfs.txt"),
    ("20-line mail excerpt", REPORTS / "ltp-madvise06-swap-too-small-tconf-question-reply.txt"),
    ("1,020-line console log", HERE / "tests" / "fixtures" / "logs"
     / "qemu-x86_64-xfs-6.1-console.log"),
    ("1,041-line CI status mail", REPORTS
     / "kernelci-status-next-20250825-kselftest-mm-unstable.txt"),
    ("whole-thread mbox", REPORTS / "guard-regions-shmem-uffd-tmp-not-tmpfs-thread.mbox"),
    ("4,410-line LTP robot mail", REPORTS / "lkp-ltp-mbind01-mpol-local-semantics-0day-branch.txt"),
)
PHASES = ("start-up", "imports", "regex compile", "toml parse", "rule load", "reading",
          "triage", "output", "other")


class Phases:
    """CPU time by phase, each moment counted once (in the innermost phase running)."""

    def __init__(self) -> None:
        self.cpu: Counter[str] = Counter()
        self.stack = ["start-up"]  # the CPU before this script ran: the interpreter's start
        self.mark = 0.0

    def _switch(self) -> None:
        now = time.process_time()
        self.cpu[self.stack[-1]] += now - self.mark
        self.mark = now

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._switch()
            self.stack.append(name)
            try:
                return fn(*args, **kwargs)
            finally:
                self._switch()
                self.stack.pop()
        return timed

    def enter(self, name: str) -> None:
        self._switch()
        self.stack.append(name)


def compile_timed(phases: Phases, compile_: Callable[..., Any]) -> Callable[..., Any]:
    """re's compile, timed when it compiles (a cache hit costs a lookup, left to its caller)."""
    import re

    timed = phases.wrap("regex compile", compile_)
    cache = re._cache  # type: ignore[attr-defined]

    def lookup(pattern: Any, flags: Any) -> Any:
        key = (type(pattern), pattern, flags.value if isinstance(flags, re.RegexFlag) else flags)
        if isinstance(pattern, re.Pattern) or key in cache:
            return compile_(pattern, flags)
        return timed(pattern, flags)
    return lookup


def phases_run(tree: str, name: str) -> None:
    """One triage in this process (cwd = tree), its CPU by phase as one line on stdout."""
    import _frozen_importlib  # type: ignore[import-not-found]
    import re
    import tomllib

    phases = Phases()
    phases.enter("other")
    sys.path.insert(0, tree)
    _frozen_importlib._find_and_load = phases.wrap("imports", _frozen_importlib._find_and_load)
    re._compile = compile_timed(phases, re._compile)  # type: ignore[attr-defined]
    tomllib.load = phases.wrap("toml parse", tomllib.load)  # type: ignore[assignment]
    tomllib.loads = phases.wrap("toml parse", tomllib.loads)  # type: ignore[assignment]
    import harness.cli.main
    import harness.cli.triage as cli

    for attr, phase in (("load_rules", "rule load"), ("read_all", "reading"),
                        ("triage", "triage"), ("write_outputs", "output")):
        setattr(cli, attr, phases.wrap(phase, getattr(cli, attr)))
    with redirect_stdout(io.StringIO()):
        harness.cli.main.main(["triage", name])
    phases._switch()
    print(" ".join(f"{phases.cpu[p]:.4f}" for p in PHASES))


def run_once(tree: Path, args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall s, CPU s, peak RSS MiB of one fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=tree, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{tree}: {' '.join(args)} exited {proc.returncode}: {err[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(trees: dict[str, Path], args: list[str], runs: int,
            env: dict[str, str]) -> dict[str, list[tuple[float, float, float]]]:
    """`runs` runs per tree, alternating the trees (and which goes first) run by run; first
    (under "<tree> 1st") one run each with an empty cache directory (HARNESS_CACHE: what the
    first run after an install or a change of the rules costs)."""
    out: dict[str, list[tuple[float, float, float]]] = {label: [] for label in trees}
    for label, tree in trees.items():
        run_once(tree, args, env)  # warm-up: writes the bytecode, fills the page cache
        with tempfile.TemporaryDirectory() as empty:
            out[f"{label} 1st"] = [run_once(tree, args, dict(env, HARNESS_CACHE=empty))]
    order = list(trees.items())
    for _ in range(runs):
        for label, tree in order:
            out[label].append(run_once(tree, args, env))
        order.reverse()
    return out


def phase_split(tree: Path, name: Path, env: dict[str, str]) -> list[float]:
    """Median CPU per phase over 3 in-process runs."""
    rows = []
    for _ in range(3):
        done = subprocess.run([sys.executable, __file__, "--phases", str(tree), str(name)],
                              cwd=tree, env=env, capture_output=True, text=True, check=True)
        rows.append([float(x) for x in done.stdout.split()])
    return [statistics.median(col) for col in zip(*rows, strict=True)]


def environment(as_is: bool, cache: str) -> dict[str, str]:
    env = dict(os.environ, HARNESS_CACHE=str(Path(cache) / "harness"))
    if not as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    return env


def report(trees: dict[str, Path], runs: int, env: dict[str, str]) -> None:
    med = statistics.median
    start = measure(trees, ["-c", "pass"], runs, env)
    for label in trees:
        print(f"python start-up ({label}): CPU {med(r[1] for r in start[label]):.3f} s, wall "
              f"{med(r[0] for r in start[label]):.3f} s")
    print(f"\n{'input':28} {'lines':>6} {'tree':12} {'CPU s':>6} {'wall s':>7} {'RSS MiB':>8}")
    for what, path in INPUTS:
        lines = sum(1 for _ in path.open("rb"))
        got = measure(trees, ["-m", "harness", "triage", str(path)], runs, env)
        for label, rows in got.items():
            print(f"{what:28} {lines:6} {label:12} {med(r[1] for r in rows):6.3f} "
                  f"{med(r[0] for r in rows):7.3f} {max(r[2] for r in rows):8.1f}")
    print("\nwhere the CPU goes (s, one in-process run, median of 3):")
    print(f"{'input':28} {'tree':9} " + " ".join(f"{p[:8]:>8}" for p in PHASES) + "    total")
    for what, path in INPUTS:
        for label, tree in trees.items():
            cols = phase_split(tree, path, env)
            print(f"{what:28} {label:9} " + " ".join(f"{c:8.3f}" for c in cols)
                  + f" {sum(cols):8.3f}")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--phases":
        phases_run(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", help="a second tree (main, say) measured alongside")
    ap.add_argument("--as-is", action="store_true",
                    help="keep PYTHONDONTWRITEBYTECODE and the bytecode settings as they are")
    args = ap.parse_args()
    trees = {"this": HERE}
    if args.baseline:
        trees["baseline"] = Path(args.baseline).resolve()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as cache:
        env = environment(args.as_is, cache)
        print(f"{args.runs} runs per input and tree, medians; "
              + ("bytecode as the environment has it" if args.as_is else
                 "bytecode compiled (PYTHONPYCACHEPREFIX, a warm-up run first)"))
        report(trees, args.runs, env)
    print(f"\nload average {load:.1f} -> {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
