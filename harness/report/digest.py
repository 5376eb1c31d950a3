"""Terminal summary and mail of a streamed triage: counts, ranges and top causes, never a line
per result (a log of a million results gives a screenful, as a log of fifty does)."""

from __future__ import annotations

import textwrap

from harness.aggregates import StreamFinding, StreamReport
from harness.model import Category
from harness.report.common import (
    COLORS,
    HINT,
    STATUS_ORDER,
    Row,
    accel_label,
    clean_text,
    compact_numbers,
    first_sentence,
    paint,
    paint_row,
    severity_rank,
    table,
    where_from,
    wrap,
)

MAIL_WIDTH = 72
MAIL_FINDINGS = 10


def _statuses(found: StreamFinding) -> str:
    return "/".join(s for s, _ in found.statuses.most_common())


def _said(report: StreamReport) -> str:
    if not report.failing:
        said = "no failures"
    elif report.failing_at_kernel:
        said = f"{report.failing_at_kernel} of {report.failing} failures point at the kernel"
    else:
        said = f"none of {report.failing} failures points at the kernel"
    if report.odd:
        said += f"; {report.odd} {'skip' if report.odd == 1 else 'skips'} unexplained"
    return said


def header(report: StreamReport) -> list[str]:
    env = report.environment
    kernel = env.kernel_release or "unknown"
    where = [x for x in (env.arch, env.guest, accel_label(env.accel)) if x]
    if where:
        kernel += f" ({', '.join(where)})"
    return [f"verdict: {report.verdict} - {_said(report)}", f"fs: {env.fs or 'unknown'}",
            f"kernel: {kernel}"]


def counts_lines(report: StreamReport, width: int) -> list[str]:
    by_status = "  ".join(f"{s} {report.statuses[s]}" for s in STATUS_ORDER
                          if report.statuses[s])
    lines = wrap(f"  {report.summary.total} results: {by_status}", width)
    by_category = "  ".join(f"{c} {n}" for c, n in sorted(report.categories.items(),
                                                          key=lambda kv: severity_rank(kv[0])))
    if by_category:
        lines += wrap(f"  by category: {by_category}", width)
    return lines


def render_stream_terminal(report: StreamReport, width: int = 100, color: bool = False) -> str:
    width = max(width, 40)
    rows = [Row(str(f.finding.category), f.finding.cause, str(f.finding.confidence),
                f.finding.count, _statuses(f), _which(f) or "; ".join(f.finding.tests[:2]),
                f.finding.explanation) for f in report.findings]
    parts = header(report)
    joined = " | ".join(parts)
    top = [joined] if len(joined) <= width else [parts[0][:width], " | ".join(parts[1:])[:width]]
    lines = [paint(top[0], COLORS.get(str(report.verdict)), color), *top[1:], ""]
    for note in report.environment.notes:
        lines += wrap(f"  note: {clean_text(note)}", width)
    if report.environment.notes:
        lines.append("")
    if rows:
        head, *body = table(rows, width)
        lines += [head] + [paint_row(line, row.category, color)
                           for line, row in zip(body, rows, strict=True)]
        worst = first_sentence(clean_text(rows[0].explanation))
        if worst:
            lines += [""] + wrap(f"  worst: {worst}", width)
    else:
        lines.append("  nothing to explain: every test passed")
    lines += [""] + counts_lines(report, width)
    lines += [""] + wrap(f"  {HINT}", width)
    return "\n".join(lines) + "\n"


def _fill(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(clean_text(text), MAIL_WIDTH, initial_indent=indent,
                         subsequent_indent=indent, break_on_hyphens=False) or [indent.rstrip()]


def render_stream_mail(report: StreamReport) -> str:
    """A reply for a mailing list: the verdict, then the worst causes with their evidence."""
    env = report.environment
    source = ", ".join(report.sources)
    lines = _fill(f"Triage of {source}: {report.summary.total} results, kernel "
                  f"{env.kernel_release or 'unknown'}, filesystem {env.fs or 'unknown'}.")
    kernel = [f for f in report.findings
              if f.finding.category in (Category.KERNEL_BUG, Category.UNKNOWN)]
    if kernel:
        causes = ", ".join(f.finding.cause for f in kernel)
        lines += [""] + _fill(f"Verdict: {report.verdict}. {_said(report).capitalize()} "
                              f"({causes}).")
    else:
        lines += [""] + _fill(f"Verdict: {report.verdict}. {_said(report).capitalize()}.")
    for f in report.findings[:MAIL_FINDINGS]:
        finding = f.finding
        lines += ["", *_fill(f"{finding.category}/{finding.cause} ({finding.confidence}): "
                             f"{finding.count} {'test' if finding.count == 1 else 'tests'} "
                             f"({_statuses(f) or 'suite'}), {_which(f, 8) or 'whole suite'}")]
        lines += _fill(finding.explanation, "  ")
        if finding.evidence:
            lines.append("  Evidence:")
            for e in finding.evidence[:4]:
                lines.append(f"    {where_from(e)}: {clean_text(e.text)}"[:MAIL_WIDTH + 20])
        if finding.action:
            lines += _fill("Action: " + finding.action, "  ")
    if len(report.findings) > MAIL_FINDINGS:
        rest = report.findings[MAIL_FINDINGS:]
        lines += [""] + _fill(f"{len(rest)} more causes, {sum(f.finding.count for f in rest)} "
                              "results: see the JSON report.")
    lines += [""] + counts_lines(report, MAIL_WIDTH)
    return "\n".join(lines) + "\n"


def _which(found: StreamFinding, limit: int = 4) -> str:
    """'3, 8, 13 ... 48' per suite (the suite named when there are several)."""
    with_suite = len(found.numbers) > 1
    return "; ".join((f"{suite} " if with_suite else "") + compact_numbers(nums.numbers(), limit)
                     for suite, nums in found.numbers.items())
