"""Terminal summary and mail of a streamed triage: counts, ranges and top causes, never a line
per result (a log of a million results gives a screenful, as a log of fifty does)."""

from __future__ import annotations

import textwrap

from harness.aggregates import StreamFinding, StreamReport
from harness.model import Category
from harness.report.common import (
    Row,
    clean_text,
    compact_numbers,
    counts_lines,
    kernel_label,
    terminal_page,
    where_from,
)

MAIL_WIDTH = 72
MAIL_FINDINGS = 10


def _statuses(found: StreamFinding) -> str:
    return "/".join(s for s, _ in found.statuses.most_common())


def _said(report: StreamReport) -> str:
    # as report.terminal.header words it: an unknown is unexplained, not the kernel's
    at_kernel = report.failing_kernel_bug
    unexplained = report.failing_at_kernel - at_kernel
    if not report.failing:
        said = "no failures"
    elif at_kernel:
        said = f"{at_kernel} of {report.failing} failures point at the kernel" + (
            f", {unexplained} unexplained" if unexplained else "")
    elif unexplained:
        said = f"{unexplained} of {report.failing} failures unexplained (may point at the kernel)"
    else:
        said = f"none of {report.failing} failures points at the kernel"
    if report.odd:
        said += f"; {report.odd} {'skip' if report.odd == 1 else 'skips'} unexplained"
    return said


def header(report: StreamReport) -> list[str]:
    env = report.environment
    return [f"verdict: {report.verdict} - {_said(report)}", f"fs: {env.fs or 'unknown'}",
            f"kernel: {kernel_label(env)}"]


def render_stream_terminal(report: StreamReport, width: int = 100, color: bool = False) -> str:
    width = max(width, 40)
    rows = [Row(str(f.finding.category), f.finding.cause, str(f.finding.confidence),
                f.finding.count, _statuses(f), _which(f) or "; ".join(f.finding.tests[:2]),
                f.finding.explanation) for f in report.findings]
    parts = header(report)
    joined = " | ".join(parts)
    top = [joined] if len(joined) <= width else [parts[0][:width], " | ".join(parts[1:])[:width]]
    counts = counts_lines(report.summary.total, report.statuses, report.categories, width)
    return terminal_page(top, str(report.verdict), report.environment.notes, rows,
                         "  nothing to explain: every test passed", counts, width, color)


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
    lines += [""] + counts_lines(report.summary.total, report.statuses, report.categories,
                                 MAIL_WIDTH)
    return "\n".join(lines) + "\n"


def _which(found: StreamFinding, limit: int = 4) -> str:
    """'3, 8, 13 ... 48' per suite (the suite named when there are several)."""
    with_suite = len(found.numbers) > 1
    return "; ".join((f"{suite} " if with_suite else "") + compact_numbers(nums.numbers(), limit)
                     for suite, nums in found.numbers.items())
