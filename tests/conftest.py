"""Shared test helpers."""

from __future__ import annotations

import pytest


@pytest.fixture
def x86_assets() -> None:
    """Skip (with the reason) unless `harness setup` has put the x86_64 kernel and selftests in the cache."""
    from guests.assets.kernels import find_kernel
    from guests.assets.selftests import find_selftests

    if find_kernel("x86_64", "6.12") is None or find_selftests("x86_64") is None:
        pytest.skip("kernel/selftests not in the cache: run harness setup")
