"""The exit code of a triaged report: 1 when a finding points at the kernel, else 0 (2 is
main.py's, for errors the user can fix); a run's is also 1 when it lost tests."""

from __future__ import annotations

from harness.model import POINTS_AT_KERNEL, Report, Status


def exit_code(report: Report) -> int:
    return 1 if any(f.category in POINTS_AT_KERNEL for f in report.findings) else 0


def run_exit_code(report: Report) -> int:
    """A run's (or a matrix's) exit code: 1 as for a log when something points at the kernel,
    and 1 when the run lost tests (a server died, the output directory filled up, the guest
    could not be booted again): an incomplete run is never a clean one, whatever the lost
    tests' category."""
    lost = any(r.status in (Status.MISSING, Status.TIMEOUT) for r in report.results)
    return 1 if lost or "disk_full" in report.environment.facts else exit_code(report)
