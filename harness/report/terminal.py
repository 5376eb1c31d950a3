"""What a person sees first: the verdict, one row per cause (worst first), the counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from harness.model import FAILING, POINTS_AT_KERNEL, Category, Report, Result
from harness.report.common import (
    Row,
    all_findings,
    category_counts,
    counts_lines,
    finding_size,
    fit,
    fs_names,
    kernel_label,
    results_of,
    status_counts,
    terminal_page,
    test_list,
)


def _statuses(results: Sequence[Result]) -> str:
    counts = Counter(str(r.status) for r in results)
    return "/".join(s for s, _ in counts.most_common())


def rows(report: Report) -> list[Row]:
    """One row per finding (loose results grouped into their own), worst first."""
    out = []
    suites = len({r.suite for r in report.results}) > 1
    for finding in all_findings(report):
        results = results_of(report, finding)
        which = test_list(results, limit=4, with_suite=suites) if results else \
            "; ".join(finding.tests[:2]) + (" ..." if len(finding.tests) > 2 else "")
        out.append(Row(str(finding.category), finding.cause, finding.confidence,
                       finding_size(finding), _statuses(results) if results else "",
                       which, finding.explanation))
    return out


def header(report: Report) -> list[str]:
    env = report.environment
    failing = [r for r in report.results if r.status in FAILING]
    pointing = sum(1 for r in failing
                   if r.diagnosis is None or r.diagnosis.category in POINTS_AT_KERNEL)
    at_kernel = sum(1 for r in failing
                    if r.diagnosis is not None and r.diagnosis.category is Category.KERNEL_BUG)
    unexplained = pointing - at_kernel  # unknown: not explained away from the kernel, no more
    outside = [f.cause for f in report.findings if f.category is Category.KERNEL_BUG
               and not results_of(report, f)]
    if not failing and outside:
        # a crash between tests: no test failed, but the verdict is not "no failures"
        said = f"no test failed, but the kernel's log shows {', '.join(dict.fromkeys(outside))}"
    elif not failing:
        said = "no failures"
    elif at_kernel:
        said = f"{at_kernel} of {len(failing)} failures point at the kernel" + (
            f", {unexplained} unexplained" if unexplained else "")
    elif unexplained:
        said = f"{unexplained} of {len(failing)} failures unexplained (may point at the kernel)"
    else:
        said = f"none of {len(failing)} failures points at the kernel"
    odd = sum(1 for r in report.results if r.status not in FAILING and r.diagnosis
              and r.diagnosis.category in POINTS_AT_KERNEL)
    if odd:
        said += f"; {odd} {'skip' if odd == 1 else 'skips'} unexplained"
    fs = ", ".join(fs_names(report)) or "unknown"
    kernel = kernel_label(env)
    return [f"verdict: {report.verdict} - {said}", f"fs: {fs}", f"kernel: {kernel}"]


def render_terminal(report: Report, width: int = 100, color: bool = False) -> str:
    width = max(width, 40)
    parts = header(report)
    joined = " | ".join(parts)
    rest = " | ".join(parts[1:])
    top = [joined] if len(joined) <= width else [fit(parts[0], width), fit(rest, width)]
    empty = ("  nothing to explain: every test passed" if report.results
             else "  no test results found")
    counts = counts_lines(len(report.results), status_counts(report.results),
                          category_counts(report.results), width)
    return terminal_page(top, str(report.verdict), report.environment.notes, rows(report), empty,
                         counts, width, color)
