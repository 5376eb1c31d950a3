"""`harness matrix`: the same kernel and selftests on several filesystems, in parallel."""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from guests.run import parse_tests
from harness import signals
from harness.cli.merge import output_targets, read_cells, report_cells
from harness.cli.outdir import claim, label_of
from harness.cli.progress import Progress
from harness.cli.run import check_run, execute, kernel_label, kernels_of, request_of
from harness.errors import HarnessError, UsageError
from harness.model import Report, RunId
from harness.report.json import render_json
from harness.report.outputs import write_text


def run_matrix(args: argparse.Namespace) -> int:
    targets = output_targets(args)
    parse_tests(args.tests)
    filesystems = [f.strip() for f in args.fs.split(",") if f.strip()]
    if len(filesystems) < 2:
        raise UsageError("--fs: give at least two filesystems, e.g. --fs xfs,nfs,9p")
    if len(set(filesystems)) != len(filesystems):
        raise UsageError("--fs: a filesystem is listed twice")
    images = kernels_of(args)
    for image in images:
        for fs in filesystems:
            check_run(request_of(args, fs, image))
    jobs = args.jobs or os.cpu_count() or 2
    outdir = claim(args.out, "matrix")
    plan = []
    for index, image in enumerate(images):
        label = kernel_label(image, index, len(images))
        for fs in filesystems:
            run_id = RunId(fs, label)
            plan.append((fs, image, outdir / label_of(str(run_id).replace("/", "-")), run_id))
    started = time.monotonic()
    reports, failed, interrupted = _run_cells(args, plan, jobs)
    print(f"harness: {len(plan)} runs in {time.monotonic() - started:.0f} s with --jobs {jobs}; "
          f"outputs in {outdir}", file=sys.stderr)
    if not reports and interrupted:
        raise KeyboardInterrupt  # nothing finished: main says which signal
    if not reports:
        raise UsageError("; ".join(f"{run_id}: {error}" for run_id, error in failed.items()))
    for run_id, error in failed.items():
        print(f"harness: run failed: {run_id}: {error}", file=sys.stderr)
    cells = []
    for run_id, report in reports:  # each cell's report, as a CI or LAVA job hands it over
        path = outdir / f"{label_of(str(run_id).replace('/', '-'))}.json"
        write_text(str(path), render_json(report))
        cells.append(str(path))
    code = report_cells(read_cells(cells), targets, args, failed, interrupted)
    return signals.exit_code() if interrupted else code


def _run_cells(args: argparse.Namespace, plan: list, jobs: int
               ) -> tuple[list[tuple[RunId, Report]], dict[RunId, str], bool]:
    """Run the cells, up to ``jobs`` at once. SIGTERM or Ctrl-C: the cells not started are
    cancelled, the running ones end (each within its own timeout), and what did not finish
    becomes a failed cell that says so; what finished is kept."""
    reports: list[tuple[RunId, Report]] = []
    failed: dict[RunId, str] = {}
    interrupted = False
    pool = ThreadPoolExecutor(max_workers=jobs)
    futures = [pool.submit(execute, request_of(args, fs, image, out),
                           Progress(prefix=str(run_id)), run_id)
               for fs, image, out, run_id in plan]
    try:
        for (_, _, _, run_id), future in zip(plan, futures, strict=True):
            try:
                reports.append((run_id, future.result()))
            except HarnessError as exc:  # one run failing does not stop the others
                failed[run_id] = exc.one_line()
    except KeyboardInterrupt:
        interrupted = True
        pool.shutdown(wait=True, cancel_futures=True)
        done = {run_id for run_id, _ in reports} | set(failed)
        for (_, _, _, run_id), future in zip(plan, futures, strict=True):
            if run_id in done:
                continue
            if future.cancelled():
                failed[run_id] = f"not run: interrupted by {signals.interrupted_by()}"
                continue
            try:
                reports.append((run_id, future.result()))
            except (HarnessError, KeyboardInterrupt) as exc:
                failed[run_id] = (exc.one_line() if isinstance(exc, HarnessError) else
                                  f"interrupted by {signals.interrupted_by()}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return reports, failed, interrupted
