"""`harness matrix`: the same kernel and selftests on several filesystems, in parallel."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness.cli.run import Progress, execute, kernel_label, kernels_of, parse_tests
from harness.cli.triage import exit_code
from harness.errors import HarnessError, UsageError
from harness.model import Report
from harness.report.outputs import check_writable, write_outputs, write_text
from harness.triage.matrix import combine, conclusion, table


class _Prefixed(Progress):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.tty = False  # several runs at once: plain lines, never one line redrawn

    def __call__(self, message: str) -> None:
        super().__call__(f"{self.prefix}: {message}")


def run_matrix(args: argparse.Namespace) -> int:
    targets = {"json": args.json, "junit": args.junit, "mail": args.mail, "kcidb": args.kcidb}
    parse_tests(args.tests)
    filesystems = [f.strip() for f in args.fs.split(",") if f.strip()]
    if len(filesystems) < 2:
        raise UsageError("--fs: give at least two filesystems, e.g. --fs xfs,nfs,9p")
    if len(set(filesystems)) != len(filesystems):
        raise UsageError("--fs: a filesystem is listed twice")
    check_writable(targets)
    images = kernels_of(args)
    jobs = args.jobs or os.cpu_count() or 2
    outdir = Path(args.out or f"harness-out/{time.strftime('%Y%m%d-%H%M%S')}-matrix")
    plan = []
    for index, image in enumerate(images):
        label = kernel_label(image, index, len(images))
        for fs in filesystems:
            run_id = f"{label}/{fs}" if label else fs
            plan.append((fs, image, outdir / run_id.replace("/", "-"), run_id))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(execute, args, fs, image, out, _Prefixed(run_id), run_id)
                   for fs, image, out, run_id in plan]
        reports: list[Report] = []
        errors: list[str] = []
        for (_, _, _, run_id), future in zip(plan, futures, strict=True):
            try:
                reports.append(future.result())
            except HarnessError as exc:  # one run failing does not stop the others
                errors.append(f"{run_id}: {exc.one_line()}")
    print(f"harness: {len(plan)} runs in {time.monotonic() - started:.0f} s with --jobs {jobs}; "
          f"outputs in {outdir}", file=sys.stderr)
    if not reports:
        raise UsageError("; ".join(errors))
    for error in errors:
        print(f"harness: run failed: {error}", file=sys.stderr)
    combined = combine(reports)
    combined.environment.notes += [f"run failed: {e}" for e in errors]
    grid = table(combined)
    mail_target = targets.pop("mail")
    write_outputs(combined, targets, color=args.color, kcidb_origin=args.kcidb_origin)
    if mail_target:
        from harness.report.mail import render_mail

        head = textwrap.fill(conclusion(combined), 72)
        write_text(mail_target, f"{head}\n\n{grid}\n{render_mail(combined)}")
    if "-" not in (args.json, args.junit, mail_target, args.kcidb):
        print()
        print(conclusion(combined))
        print(grid, end="")
    if len(images) == 2:
        from harness.cli.run import compare_two

        return compare_two(reports) or exit_code(combined)
    return 1 if errors else exit_code(combined)
