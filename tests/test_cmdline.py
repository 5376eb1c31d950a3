"""The kernel command line and memory plan per arch (no QEMU needed)."""

import pytest

from guests.base import GuestError
from guests.cmdline import (
    ANY_NODE,
    THREAD_CMDLINE,
    build_cmdline,
    parse_memory,
    requested_hugepages,
    resize_numa,
)
from guests.facts import GuestFacts, HugePool, check_hugepages
from harness.arch import ArchError

G = 1024 * 1024


def test_arm64_thread_line_is_verbatim_on_two_6g_nodes():
    plan = build_cmdline("arm64", "thread", "")
    assert plan.kernel_args == THREAD_CMDLINE
    assert plan.numa == [6144, 6144]
    assert plan.requested_hugepages[(0, G)] == 2
    assert plan.requested_hugepages[(1, 32768)] == 2
    assert plan.requested_hugepages[(0, 2048)] == 64  # the hugepages= after default_hugepagesz
    assert plan.requested_hugepages[(1, 64)] == 2
    assert plan.notes == []


def test_x86_drops_64k_and_32m_and_says_so():
    plan = build_cmdline("x86_64", "thread", "")
    args = plan.kernel_args.split()
    assert "hugepagesz=64K" not in args and "hugepagesz=32M" not in args
    assert args.count("hugepages=0:2,1:2") == 1  # the 1G one stays, the 32M/64K ones go
    assert "default_hugepagesz=2M" in args and "hugepages=0:64,1:64" in args
    assert "nokaslr" in args
    assert {kb for _, kb in plan.requested_hugepages} == {2048, G}
    assert plan.numa == [4224, 3072]
    assert any("dropped hugepagesz=32M" in n and "64K" in n for n in plan.notes)


def test_minimal_has_no_hugepages_and_one_node():
    plan = build_cmdline("x86_64", "minimal", "")
    assert plan.requested_hugepages == {}
    assert plan.numa == [2048]
    assert "hugepages" not in plan.kernel_args


def test_user_line_sizes_memory_for_its_reservations():
    plan = build_cmdline("x86_64", "hugepagesz=1G hugepages=0:3,1:1", "")
    assert plan.numa[0] >= 3 * 1024 + 2048 and plan.numa[1] >= 1024
    assert len(plan.numa) == 2
    plan1 = build_cmdline("arm64", "hugepages=100", "quiet")
    assert plan1.requested_hugepages == {(ANY_NODE, 2048): 100}
    assert plan1.kernel_args.endswith("quiet") and len(plan1.numa) == 1


def test_append_and_bad_input():
    assert build_cmdline("arm64", "minimal", "loglevel=8").kernel_args == "loglevel=8"
    with pytest.raises(GuestError):
        build_cmdline("x86_64", "  ", "")
    with pytest.raises(ArchError, match="unsupported arch 'sparc'"):
        build_cmdline("sparc", "thread", "")
    with pytest.raises(GuestError):
        requested_hugepages("hugepagesz=2M hugepages=a:b")


def test_memory_override_keeps_proportions():
    assert parse_memory("8G") == 8192 and parse_memory("512M") == 512 and parse_memory(100) == 100
    assert resize_numa([4224, 3072], 8192) == [4743, 3449]
    assert sum(resize_numa([6144, 6144], 10000)) == 10000
    with pytest.raises(GuestError):
        resize_numa([1024, 1024], 300)


def _facts(per_node):
    totals: dict[int, int] = {}
    for counts in per_node.values():
        for kb, n in counts.items():
            totals[kb] = totals.get(kb, 0) + n
    pools = {kb: HugePool(nr=n, free=n, resv=0, surplus=0) for kb, n in totals.items()}
    return GuestFacts(hugepages_per_node=per_node, hugepages=pools)


def test_hugepage_check_counts_per_node():
    plan = build_cmdline("x86_64", "thread", "")
    full = _facts({0: {G: 2, 2048: 64}, 1: {G: 2, 2048: 64}})
    assert check_hugepages(plan, full) == []
    # A short node silently falls back to the other one: totals look fine, node 1 does not.
    short = _facts({0: {G: 3, 2048: 64}, 1: {G: 1, 2048: 64}})
    assert check_hugepages(plan, short) == ["hugepages 1G on node 1: 1 of 2 reserved"]


def test_hugepage_check_missing_pool_and_node():
    plan = build_cmdline("arm64", "thread", "")
    lines = check_hugepages(plan, _facts({0: {2048: 64, G: 2, 64: 2}}))
    assert any("no 32M pool" in ln for ln in lines)
    assert any("no node 1" in ln for ln in lines)
