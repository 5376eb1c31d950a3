"""`harness merge`: per-cell JSON reports made anywhere, as the matrix `harness matrix` gives.

`harness matrix` ends here too (run the cells, write each cell's report, merge them), so a
matrix run here and a merge of the same cells run elsewhere write the same reports.
"""

from __future__ import annotations

import argparse
import textwrap

from harness.cli.exit_codes import exit_code, run_exit_code
from harness.model import Report, RunId
from harness.readers.report_json import read_report
from harness.report.kcidb import options_of
from harness.report.outputs import check_writable, is_stdout, write_outputs, write_text
from harness.triage.matrix import combine, conclusion, table
from harness.triage.merge import Cell, kernel_count, label_cells


def output_targets(args: argparse.Namespace) -> dict[str, str | None]:
    targets = {"json": args.json, "junit": args.junit, "mail": args.mail, "kcidb": args.kcidb}
    inputs = list(getattr(args, "reports", None) or [])
    inputs += [k for k in (getattr(args, "kernel", None) or []) if not k.startswith("debian-")]
    check_writable(targets, inputs)
    return targets


def report_cells(reports: list[Report], targets: dict[str, str | None],
                 args: argparse.Namespace, failed: dict[RunId, str],
                 interrupted: bool = False) -> int:
    """The matrix table, conclusion and reports of the cells; the A/B comparison for two kernels.
    ``failed``: the cells that gave no report, and why (said in every output)."""
    combined = combine(reports, failed=failed)
    combined.summary.interrupted = interrupted
    grid = table(combined)
    targets = dict(targets)
    mail_target = targets.pop("mail")
    write_outputs(combined, targets, color=args.color, kcidb=options_of(args))
    if mail_target:
        from harness.report.mail import render_mail

        head = textwrap.fill(conclusion(combined), 72)
        write_text(mail_target, f"{head}\n\n{grid}\n{render_mail(combined)}")
    if not any(t is not None and is_stdout(t) for t in (*targets.values(), mail_target)):
        print()
        print(conclusion(combined))
        print(grid, end="")
    if kernel_count(reports) == 2:
        from harness.cli.run import compare_two

        return compare_two(reports) or exit_code(combined)
    return 1 if failed else run_exit_code(combined)


def read_cells(paths: list[str]) -> list[Report]:
    return label_cells([Cell(read_report(p), p) for p in paths])


def run_merge(args: argparse.Namespace) -> int:
    targets = output_targets(args)
    return report_cells(read_cells(args.reports), targets, args, {})
