"""`harness merge`: per-cell JSON reports made anywhere, as the matrix `harness matrix` gives.

`harness matrix` ends here too (run the cells, write each cell's report, merge them), so a
matrix run here and a merge of the same cells run elsewhere write the same reports.
"""

from __future__ import annotations

import argparse
import textwrap

from harness.cli.triage import exit_code
from harness.errors import UsageError
from harness.model import Report
from harness.readers.report_json import read_report
from harness.report.outputs import check_writable, write_outputs, write_text
from harness.triage.matrix import combine, conclusion, table
from harness.triage.merge import Cell, kernel_count, label_cells


def output_targets(args: argparse.Namespace) -> dict[str, str | None]:
    targets = {"json": args.json, "junit": args.junit, "mail": args.mail, "kcidb": args.kcidb}
    if sum(1 for t in targets.values() if t == "-") > 1:
        raise UsageError("only one output can go to stdout (-)")
    check_writable(targets)
    return targets


def report_cells(reports: list[Report], targets: dict[str, str | None],
                 args: argparse.Namespace, errors: list[str]) -> int:
    """The matrix table, conclusion and reports of the cells; the A/B comparison for two kernels."""
    combined = combine(reports)
    combined.environment.notes += [f"run failed: {e}" for e in errors]
    grid = table(combined)
    targets = dict(targets)
    mail_target = targets.pop("mail")
    write_outputs(combined, targets, color=args.color, kcidb_origin=args.kcidb_origin)
    if mail_target:
        from harness.report.mail import render_mail

        head = textwrap.fill(conclusion(combined), 72)
        write_text(mail_target, f"{head}\n\n{grid}\n{render_mail(combined)}")
    if "-" not in (*targets.values(), mail_target):
        print()
        print(conclusion(combined))
        print(grid, end="")
    if kernel_count(reports) == 2:
        from harness.cli.run import compare_two

        return compare_two(reports) or exit_code(combined)
    return 1 if errors else exit_code(combined)


def read_cells(paths: list[str]) -> list[Report]:
    return label_cells([Cell(read_report(p), p) for p in paths])


def run_merge(args: argparse.Namespace) -> int:
    targets = output_targets(args)
    return report_cells(read_cells(args.reports), targets, args, [])
