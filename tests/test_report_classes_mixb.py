"""Classes of real reports held-out round 13-mix-b (tests/fixtures/reports/README.md, "Round
13-mix-b") got wrong, each tested on another real text worded differently:

- libhugetlbfs's own warning that its hugetlb mapping failed with "Cannot allocate memory"
  ("get_huge_pages: New region mapping failed (flags: 0x1): ..." in nvme-cli #775, "New heap
  segment map at 0x... failed: ..." from HUGETLB_MORECORE) is the hugetlb pool, an environment
  cause - not a failure no rule knows. Another errno in the same words is left alone.
"""

from __future__ import annotations

from test_report_classes import triage

# ARCHER2-HPC/archer2-docs, user guide "Huge pages" section (the warning block as published;
# NERSC's Cori guide carries the same example): the line a user sees when the compute node has
# too few huge pages.
ARCHER2_MORECORE = """\
  Due to the huge pages memory fragmentation issue, applications may get
  *Cannot allocate memory* warnings or errors when there are not enough
  hugepages on the compute node, such as: 
  ::
  
    libhugetlbfs [nid0000xx:xxxxx]: WARNING: New heap segment map at 0x10000000 failed: \
Cannot allocate memory``
"""


def test_libhugetlbfs_heap_map_enomem_is_the_hugetlb_pool(tmp_path):
    _, report = triage(tmp_path, ARCHER2_MORECORE)
    assert report["verdict"] == "env"
    assert {f["cause"] for f in report["findings"]} == {"hugetlb-pages-short"}
    failed = [r for r in report["results"] if r["status"] != "pass"]
    assert failed and all(r["cause"] == "hugetlb-pages-short" for r in failed)


def test_libhugetlbfs_warning_with_another_errno_is_not_the_pool(tmp_path):
    # The same warning with strerror(EINVAL) (an unaligned length or offset, not the pool).
    text = ("libhugetlbfs [host:4242]: WARNING: get_huge_pages: New region mapping failed "
            "(flags: 0x1): Invalid argument\n")
    _, report = triage(tmp_path, text)
    assert "hugetlb-pages-short" not in {f["cause"] for f in report["findings"]}
