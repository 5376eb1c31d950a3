"""Terminal summary and mail of a fleet triage: one row per cause across logs, the logs that
point at the kernel, counts; a few dozen lines for a thousand logs."""

from __future__ import annotations

import textwrap
from collections import Counter

from harness.aggregates import FleetCause, FleetReport
from harness.model import POINTS_AT_KERNEL, Category
from harness.report.common import clean_text, first_sentence

WORST_LOGS = 10
MAIL_CAUSES = 10


def _top(counter: Counter, limit: int = 3) -> str:
    items = counter.most_common()
    text = ", ".join(f"{k} ({n})" if len(items) > 1 else k for k, n in items[:limit])
    return text + (f" +{len(items) - limit}" if len(items) > limit else "")


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 3, 0)] + "..."


def _seen(cause: FleetCause) -> str:
    if not cause.first_seen:
        return "-"
    return cause.first_seen if cause.first_seen == cause.last_seen else \
        f"{cause.first_seen}..{cause.last_seen}"


def _kernel_logs(report: FleetReport) -> list:
    kernel = {str(c) for c in POINTS_AT_KERNEL}
    return [v for v in report.logs if any(c.category in kernel for c in v.causes)]


def headline(report: FleetReport) -> list[str]:
    verdicts = Counter(v.verdict for v in report.logs)
    pointing = len(_kernel_logs(report))
    said = (f"{pointing} of {len(report.logs)} logs point at the kernel" if pointing
            else f"none of {len(report.logs)} logs points at the kernel")
    return [(f"fleet verdict: {report.verdict} - {said} | {report.total} results | "
             f"jobs: {report.jobs}"),
            "  logs by verdict: " + "  ".join(f"{k} {n}" for k, n in verdicts.most_common())]


def render_fleet_terminal(report: FleetReport, width: int = 100) -> str:
    width = max(width, 60)
    lines = [_fit(line, width) for line in headline(report)] + [""]
    heads = ("CATEGORY", "CAUSE", "LOGS", "TESTS", "KERNELS", "MACHINES", "FS", "SEEN")
    cells = [heads] + [(c.category, c.cause, str(c.logs), str(c.results), _top(c.kernels, 2),
                        _top(c.machines, 2), _top(c.filesystems, 2), _seen(c))
                       for c in report.causes]
    widths = [min(max(len(row[i]) for row in cells), 26) for i in range(len(heads))]
    for row in cells:
        parts = [_fit(cell, widths[i]).ljust(widths[i]) if i not in (2, 3)
                 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append(_fit(("  " + "  ".join(parts)).rstrip(), width))
    if not report.causes:
        lines.append("  nothing to explain: every test of every log passed")
    worst = _kernel_logs(report)
    if worst:
        lines += ["", (f"  logs that point at the kernel ({min(len(worst), WORST_LOGS)} of "
                      f"{len(worst)}):")]
        for v in worst[:WORST_LOGS]:
            kernel = {str(c) for c in POINTS_AT_KERNEL}
            causes = ", ".join(f"{c.cause} x{c.count}" for c in v.causes if c.category in kernel)
            lines.append(_fit(f"    {v.meta.path}: {causes}", width))
    unread = [v for v in report.logs if v.error]
    if unread:
        lines += ["", f"  {len(unread)} logs could not be read, e.g. {unread[0].error}"]
    status = "  ".join(f"{k} {n}" for k, n in sorted(report.by_status.items()))
    lines += ["", _fit(f"  {report.total} results: {status}", width)]
    lines += ["", "  more: --json FILE (per-log verdicts under 'logs'), --junit FILE, --mail FILE"]
    return "\n".join(lines) + "\n"


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(clean_text(text), 72, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False)


def render_fleet_mail(report: FleetReport) -> str:
    lines = _wrap(f"Triage of {len(report.logs)} logs ({report.total} results): verdict "
                  f"{report.verdict}. " + headline(report)[0].split(" - ", 1)[1].split(" |")[0]
                  + ".")
    for cause in report.causes[:MAIL_CAUSES]:
        lines += [""] + _wrap(
            f"{cause.category}/{cause.cause} ({cause.confidence}): {cause.results} tests in "
            f"{cause.logs} logs; kernels {_top(cause.kernels)}; machines "
            f"{_top(cause.machines)}; filesystems {_top(cause.filesystems)}; seen "
            f"{_seen(cause)}.")
        lines += _wrap(f"e.g. {cause.example}: {first_sentence(cause.explanation)}", "  ")
        if cause.action:
            lines += _wrap("Action: " + cause.action, "  ")
    if len(report.causes) > MAIL_CAUSES:
        lines += [""] + _wrap(f"{len(report.causes) - MAIL_CAUSES} more causes: see the JSON "
                              "report.")
    worst = _kernel_logs(report)
    if worst:
        lines += ["", "Logs that point at the kernel:"]
        lines += [f"  {v.meta.path}" for v in worst[:WORST_LOGS]]
        if len(worst) > WORST_LOGS:
            lines.append(f"  ... and {len(worst) - WORST_LOGS} more")
    return "\n".join(lines) + "\n"


def exit_code(report: FleetReport) -> int:
    return 1 if any(Category(c.category) in POINTS_AT_KERNEL for c in report.causes) else 0
