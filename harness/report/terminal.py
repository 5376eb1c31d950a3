"""What a person sees first: the verdict, one row per cause (worst first), the counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from harness.model import FAILING, POINTS_AT_KERNEL, Report, Result
from harness.report.common import (
    COLORS,
    HINT,
    STATUS_ORDER,
    Row,
    accel_label,
    all_findings,
    category_counts,
    clean_text,
    finding_size,
    first_sentence,
    fit,
    fs_names,
    paint,
    paint_row,
    results_of,
    severity_rank,
    status_counts,
    table,
    test_list,
    wrap,
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
    if not failing:
        said = "no failures"
    elif pointing:
        said = f"{pointing} of {len(failing)} failures point at the kernel"
    else:
        said = f"none of {len(failing)} failures points at the kernel"
    odd = sum(1 for r in report.results if r.status not in FAILING and r.diagnosis
              and r.diagnosis.category in POINTS_AT_KERNEL)
    if odd:
        said += f"; {odd} {'skip' if odd == 1 else 'skips'} unexplained"
    fs = ", ".join(fs_names(report)) or "unknown"
    kernel = env.kernel_release or "unknown"
    where = [x for x in (env.arch, env.guest, accel_label(env.accel)) if x]
    if where:
        kernel += f" ({', '.join(where)})"
    return [f"verdict: {report.verdict} - {said}", f"fs: {fs}", f"kernel: {kernel}"]


def render_terminal(report: Report, width: int = 100, color: bool = False) -> str:
    width = max(width, 40)
    found = rows(report)
    parts = header(report)
    joined = " | ".join(parts)
    rest = " | ".join(parts[1:])
    top = [joined] if len(joined) <= width else [fit(parts[0], width), fit(rest, width)]
    code = COLORS.get(report.verdict)
    lines = [paint(top[0], code, color), *top[1:], ""]
    for note in report.environment.notes:
        lines += wrap(f"  note: {clean_text(note)}", width)
    if report.environment.notes:
        lines.append("")
    if found:
        head, *body = table(found, width)
        lines += [head] + [paint_row(line, row.category, color)
                           for line, row in zip(body, found, strict=True)]
        worst = first_sentence(clean_text(found[0].explanation))
        if worst:
            lines += [""] + wrap(f"  worst: {worst}", width)
    else:
        lines.append("  nothing to explain: every test passed" if report.results
                     else "  no test results found")
    statuses = status_counts(report.results)
    by_status = "  ".join(f"{s} {statuses[s]}" for s in STATUS_ORDER if statuses[s])
    categories = category_counts(report.results)
    by_category = "  ".join(f"{c} {n}" for c, n in
                            sorted(categories.items(), key=lambda kv: severity_rank(kv[0])))
    lines += [""] + wrap(f"  {len(report.results)} results: {by_status}", width)
    if by_category:
        lines += wrap(f"  by category: {by_category}", width)
    lines += [""] + wrap(f"  {HINT}", width)
    return "\n".join(lines) + "\n"
