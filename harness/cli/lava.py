"""`harness lava`: one LAVA job per cell (arch x filesystem), schema-checked; `--run` runs each
with lava-run on this machine, triages its log and merges the cells as `harness matrix` does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from harness.errors import UsageError
from harness.lava.cells import build_cell
from harness.lava.job import device_description, job_definition
from harness.lava.schema import validate_job
from harness.model import Environment, Report, RunId


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, width=1000)


def _list(text: str, what: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    items = [x.strip() for x in text.split(",") if x.strip()]
    if not items or len(set(items)) != len(items):
        raise UsageError(f"--{what} {text}: give a comma-separated list without repeats")
    if allowed:
        bad = [x for x in items if x not in allowed]
        if bad:
            raise UsageError(f"--{what} {bad[0]}: choose from {', '.join(allowed)}")
    return items


def run_lava(args: argparse.Namespace) -> int:
    filesystems = _list(args.fs, "fs")
    arches = _list(args.arch, "arch", ("x86_64", "arm64"))
    from fs_profiles.registry import parse_spec
    from harness.lava.cells import LAVA_FILESYSTEMS

    for fs in filesystems:  # before anything is built
        if parse_spec(fs)[0] not in LAVA_FILESYSTEMS:
            raise UsageError(f"--fs {fs}: a LAVA job can use {', '.join(LAVA_FILESYSTEMS)}; "
                             "nfs needs the lab's NFS root (qemu-nfs) and a kernel with NFS "
                             "built in, which Debian's kernels are not (CONFIG_NFS_FS=m)")
    if args.run:
        output_check(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a directory")
    cells = []
    for arch in arches:
        for fs in filesystems:
            cell_dir = out / f"{arch}-{fs.replace(':', '-').replace('=', '-')}"
            cell = build_cell(args, fs, arch, cell_dir)
            job = job_definition(cell, args.url_base)
            validate_job(job)
            (cell_dir / "job.yaml").write_text(
                f"# harness lava: {cell.fs} on {cell.arch}; submit with\n"
                f"#   lavacli -i LAB jobs submit {cell_dir / 'job.yaml'}\n"
                + "".join(f"# note: {n}\n" for n in cell.notes) + _dump(job))
            (cell_dir / "device.yaml").write_text(
                "# a qemu device for lava-run on this machine (labs render their own)\n"
                + _dump(device_description(cell, job)))
            cells.append((cell, cell_dir, job))
            print(f"harness: {cell_dir / 'job.yaml'}: LAVA job for {fs} on {arch} "
                  "(schema: valid)", file=sys.stderr)
    if not args.run:
        return 0
    return _run_locally(args, cells)


def output_check(args: argparse.Namespace) -> None:
    from harness.cli.merge import output_targets

    output_targets(args)


def _run_locally(args: argparse.Namespace, cells: list) -> int:
    from harness.cli.merge import output_targets, report_cells
    from harness.lava.local import run_job
    from harness.report.json import render_json
    from harness.report.outputs import write_text
    from harness.triage.engine import triage

    targets = output_targets(args)
    by_arch: dict[str, list[Report]] = {}
    for job_id, (cell, cell_dir, job) in enumerate(cells, 1):
        timeout = job["timeouts"]["job"]["minutes"] * 60 + 60
        print(f"harness: lava-run {cell_dir / 'job.yaml'}", file=sys.stderr)
        run = run_job(cell_dir / "job.yaml", cell_dir / "device.yaml", cell_dir, job_id, timeout)
        print(f"harness: lava-run exit {run.returncode} in {run.seconds:.0f} s; log "
              f"{run.logs_yaml}", file=sys.stderr)
        report = _triage_cell(cell, run.logs_yaml, triage)
        write_text(str(cell_dir.with_suffix(".json")), render_json(report))
        by_arch.setdefault(cell.arch, []).append(report)
    code = 0
    for arch, reports in by_arch.items():
        print(f"\n{arch}:")
        code = max(code, report_cells(reports, targets if len(by_arch) == 1 else
                                      dict.fromkeys(targets), args, {}))
    return code


def _triage_cell(cell, logs_yaml: Path, triage) -> Report:
    from harness.readers.ci_inputs import lava_input
    from harness.readers.environment import from_logs, version_of

    read = lava_input(str(logs_yaml), "")
    env = Environment(guest="lava", arch=cell.arch, fs=cell.fs.split(":")[0],
                      fs_source="harness lava --fs", cmdline=cell.kernel_args or None)
    env.notes += read.notes
    if read.info.kernel_release:
        env.kernel_release = read.info.kernel_release
        env.kernel_version = version_of(read.info.kernel_release)
    from_logs([read.parsed], env)
    env.facts = {"cell": cell.fs}
    report = triage([read.parsed], env, [])
    for r in report.results:
        r.run_id = RunId(cell.fs)
    return report
