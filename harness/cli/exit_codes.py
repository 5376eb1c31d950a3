"""The exit code of a triaged report: 1 when a finding points at the kernel, else 0 (2 is
main.py's, for errors the user can fix)."""

from __future__ import annotations

from harness.model import POINTS_AT_KERNEL, Report


def exit_code(report: Report) -> int:
    return 1 if any(f.category in POINTS_AT_KERNEL for f in report.findings) else 0
