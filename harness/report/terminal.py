"""What a person sees first: the verdict, one row per cause (worst first), the counts."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from harness.model import FAILING, POINTS_AT_KERNEL, Category, Report, Result, Status
from harness.report.common import (
    UNDIAGNOSED,
    all_findings,
    category_counts,
    clean_text,
    finding_size,
    first_sentence,
    fs_names,
    results_of,
    severity_rank,
    status_counts,
    test_list,
)

COLORS = {
    str(Category.KERNEL_BUG): "1;31",
    str(Category.UNKNOWN): "1;35",
    UNDIAGNOSED: "1;35",
    str(Category.TEST_BUG): "33",
    str(Category.CONFIG): "36",
    str(Category.ENV): "34",
    str(Category.KNOWN_ISSUE): "2",
}
STATUS_ORDER = [str(s) for s in Status]
HINT = "more: --json FILE, --junit FILE (CI) or --mail FILE (mailing-list reply); - is stdout"
HEADINGS = ("CATEGORY", "CAUSE", "CONF", "TESTS", "STATUS", "WHICH")
MIN_WHICH = 12


@dataclass
class Row:
    category: str
    cause: str
    confidence: str
    count: int
    status: str
    which: str
    explanation: str


def _paint(text: str, code: str | None, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 3, 0)] + "..."


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
    where = [x for x in (env.arch, env.guest, _accel(env.accel)) if x]
    if where:
        kernel += f" ({', '.join(where)})"
    return [f"verdict: {report.verdict} - {said}", f"fs: {fs}", f"kernel: {kernel}"]


def _accel(accel: str | None) -> str:
    """'TCG: KVM probe boot failed (...)' -> 'tcg'; 'kvm' stays 'kvm'."""
    if not accel:
        return ""
    if accel.startswith("none"):
        return "host kernel"  # the simulated guest
    return accel.split(":", 1)[0].split()[0].lower()


def table(found: Sequence[Row], width: int) -> list[str]:
    """The rows as aligned plain text, each line at most width columns."""
    cells = [tuple(clean_text(c) for c in cell) for cell in
             [HEADINGS] + [(r.category, r.cause, r.confidence, str(r.count), r.status, r.which)
                           for r in found]]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    widths[1] = min(widths[1], 28)
    spare = width - 2 - sum(w + 2 for w in widths) - MIN_WHICH
    if spare < 0:  # narrow terminal: give the cause column's room to the test list
        widths[1] = max(widths[1] + spare, 12)
    which_width = max(width - 2 - sum(w + 2 for w in widths), MIN_WHICH)
    lines = []
    for category, cause, conf, count, status, which in cells:
        parts = [category.ljust(widths[0]), _fit(cause, widths[1]).ljust(widths[1]),
                 conf.ljust(widths[2]), count.rjust(widths[3]), status.ljust(widths[4]),
                 _fit(which, which_width)]
        lines.append(_fit(("  " + "  ".join(parts)).rstrip(), width))
    return lines


def _paint_row(line: str, category: str, color: bool) -> str:
    """Colour the category cell (the line's first word) without changing the layout."""
    start = 2
    if not color or not line[start:].startswith(category):
        return line
    end = start + len(category)
    return line[:start] + _paint(category, COLORS.get(category), color) + line[end:]


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, subsequent_indent="    ", break_long_words=True,
                         break_on_hyphens=False)


def render_terminal(report: Report, width: int = 100, color: bool = False) -> str:
    width = max(width, 40)
    found = rows(report)
    parts = header(report)
    joined = " | ".join(parts)
    rest = " | ".join(parts[1:])
    top = [joined] if len(joined) <= width else [_fit(parts[0], width), _fit(rest, width)]
    code = COLORS.get(report.verdict)
    lines = [_paint(top[0], code, color), *top[1:], ""]
    for note in report.environment.notes:
        lines += _wrap(f"  note: {clean_text(note)}", width)
    if report.environment.notes:
        lines.append("")
    if found:
        head, *body = table(found, width)
        lines += [head] + [_paint_row(line, row.category, color)
                           for line, row in zip(body, found, strict=True)]
        worst = first_sentence(clean_text(found[0].explanation))
        if worst:
            lines += [""] + _wrap(f"  worst: {worst}", width)
    else:
        lines.append("  nothing to explain: every test passed" if report.results
                     else "  no test results found")
    statuses = status_counts(report.results)
    by_status = "  ".join(f"{s} {statuses[s]}" for s in STATUS_ORDER if statuses[s])
    categories = category_counts(report.results)
    by_category = "  ".join(f"{c} {n}" for c, n in
                            sorted(categories.items(), key=lambda kv: severity_rank(kv[0])))
    lines += [""] + _wrap(f"  {len(report.results)} results: {by_status}", width)
    if by_category:
        lines += _wrap(f"  by category: {by_category}", width)
    lines += [""] + _wrap(f"  {HINT}", width)
    return "\n".join(lines) + "\n"
