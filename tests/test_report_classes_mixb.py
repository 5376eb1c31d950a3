"""Classes of real reports held-out round 13-mix-b (tests/fixtures/reports/README.md, "Round
13-mix-b") got wrong, each tested on another real text worded differently:

- libhugetlbfs's own warning that its hugetlb mapping failed with "Cannot allocate memory"
  ("get_huge_pages: New region mapping failed (flags: 0x1): ..." in nvme-cli #775, "New heap
  segment map at 0x... failed: ..." from HUGETLB_MORECORE) is the hugetlb pool, an environment
  cause - not a failure no rule knows. Another errno in the same words is left alone;
- a report that names the commit that brought its failure without the word "bisect" ("Kernel
  commit causing these warning: commit 7b4f21f5e038", "This warning is caused by commit
  d92a8cfcb37ecd13") has the fact a bisect gives: a kernel WARNING it explains is that commit's
  regression. A question ("Is this caused by commit ...?") names nothing;
- QEMU's "unable to map backing store for guest RAM: Cannot allocate memory" (guest RAM backed
  by a hugetlbfs file) is the host's hugetlb pool.
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


# Tetsuo Handa, "[PATCH v2] lockdep: Fix fs_reclaim warning" (linux-mm, 2018-02-08,
# <201802082043.FFJ39503.SVQFFFOJMHLOtO@I-love.SAKURA.ne.jp>): the first lines of Dave Jones'
# lockdep report as the patch quotes it, then the first sentence of the analysis (the rest of
# the lockdep record and the stack left out).
LOCKDEP_HEAD = """\
Dave Jones reported fs_reclaim lockdep warnings.

  ============================================
  WARNING: possible recursive locking detected
  4.15.0-rc9-backup-debug+ #1 Not tainted
  --------------------------------------------
  sshd/24800 is trying to acquire lock:
   (fs_reclaim){+.+.}, at: [<0000000084f438c2>] fs_reclaim_acquire.part.102+0x5/0x30

"""
CAUSED_BY = """\
This warning is caused by commit d92a8cfcb37ecd13 ("locking/lockdep: Rework
FS_RECLAIM annotation") which replaced lockdep_set_current_reclaim_state()/
lockdep_clear_current_reclaim_state() in __perform_reclaim() and
lockdep_trace_alloc() in slab_pre_alloc_hook() with fs_reclaim_acquire()/
fs_reclaim_release().
"""


def test_a_warning_whose_commit_the_report_names_is_that_commits_regression(tmp_path):
    _, plain = triage(tmp_path, LOCKDEP_HEAD)
    assert {f["cause"] for f in plain["findings"]} == {"kernel-warning"}
    _, named = triage(tmp_path, LOCKDEP_HEAD + CAUSED_BY)
    assert named["verdict"] == "kernel-bug"
    assert "kernel-regression" in {f["cause"] for f in named["findings"]}


def test_a_question_about_a_commit_names_no_cause(tmp_path):
    asked = "Is this warning caused by commit d92a8cfcb37ecd13?\n"
    _, report = triage(tmp_path, LOCKDEP_HEAD + asked)
    assert "kernel-regression" not in {f["cause"] for f in report["findings"]}


# spdk/spdk#162 ("Hugepage leaks when kill qemu with vhost-user-scsi-pci device", 2017-05-17):
# the second start of the guest, as posted (the vhost app still held the hugetlbfs files).
SPDK_QEMU = """\
after I killed qemu with ctr+c,  I can't start guest again:
./qemu-spdk/x86_64-softmmu/qemu-system-x86_64 -m 4096 -smp 8 -object \
memory-backend-file,id=mem,size=4G,mem-path=/dev/hugepages,share=on -numa node,memdev=mem \
-drive file=/mnt/spdk-vhost/rhel1.qcow2,if=none,id=disk -device ide-hd,drive=disk,bootindex=0 \
-chardev socket,id=char0,path=/mnt/spdk-vhost/spdk-17.03/vhost.0 -device \
vhost-user-scsi-pci,id=scsi0,chardev=char0 --enable-kvm -vnc 0.0.0.0:3
qemu-system-x86_64: -object memory-backend-file,id=mem,size=4G,mem-path=/dev/hugepages,\
share=on: unable to map backing store for guest RAM: Cannot allocate memory
"""


def test_qemu_hugepage_backed_ram_enomem_is_the_hugetlb_pool(tmp_path):
    _, report = triage(tmp_path, SPDK_QEMU)
    assert report["verdict"] == "env"
    assert {f["cause"] for f in report["findings"]} == {"hugetlb-pages-short"}
