"""Shared test helpers, and the rule that a machine set up for QEMU must not skip QEMU tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

REQUIRE_QEMU = "HARNESS_REQUIRE_QEMU"  # set by .ci/run after `harness setup`


@pytest.fixture
def x86_assets() -> None:
    """Skip (with the reason) unless `harness setup` has put the x86_64 kernel and selftests in
    the cache."""
    from guests.assets.kernels import find_kernel
    from guests.assets.selftests import find_selftests

    if find_kernel("x86_64", "6.12") is None or find_selftests("x86_64") is None:
        pytest.skip("kernel/selftests not in the cache: run harness setup")


def _must_not_skip(item: pytest.Item, reason: str) -> bool:
    """With HARNESS_REQUIRE_QEMU=1, a QEMU test or a test waiting for `harness setup` may not
    skip: setup has run, so the skip hides a broken guest, asset or tool."""
    if os.environ.get(REQUIRE_QEMU) != "1":
        return False
    return item.get_closest_marker("qemu") is not None or "harness setup" in reason


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    if _must_not_skip(item, reason):
        report.outcome = "failed"
        report.longrepr = f"skipped although {REQUIRE_QEMU}=1 (harness setup has run): {reason}"
