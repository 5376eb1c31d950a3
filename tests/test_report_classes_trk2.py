"""Classes of real tracker reports held-out round 12-trk got wrong (tests/fixtures/reports/
README.md, "Round 12-trk"), each tested on a second real text worded differently from the
report that showed it:

- a bare strace excerpt whose failed call is a memory-management call other than mmap/madvise
  (mremap, mprotect, munmap, mlock, shmget, mbind ...) is a failure to explain, never "clean":
  rr #2268's "mremap(...) = -1 EFAULT" and bdwgc #225's run of "mremap(...) = -1 ENOMEM";
- a kernel without huge page support, said in words ("huge pages support is not available in
  the kernel", hugeadm's "kernel does not support huge pages"), is the kernel's configuration,
  not an empty hugetlb pool (env).
"""

from __future__ import annotations

from test_report_classes import triage

# https://github.com/bdwgc/bdwgc/issues/225 (2018, "Out of memory error when running on in-ram
# file system / GCF"), the first lines of the reporter's strace as the search service stores the
# thread (a later turn, inside its code fence).
BDWGC_MREMAP = (
    "[turn 2 by sam0x17, continued]\n"
    "```\n"
    "mremap(0x7e811fee5000, 4096, 8192, 0)   = -1 ENOMEM (Cannot allocate memory)\n"
    "mremap(0x7e811fee4000, 4096, 8192, 0)   = -1 ENOMEM (Cannot allocate memory)\n"
    "mremap(0x7e811fee3000, 4096, 8192, 0)   = -1 ENOMEM (Cannot allocate memory)\n"
)


def test_a_failed_mremap_in_a_bare_strace_excerpt_is_a_failure_not_clean(tmp_path):
    code, report = triage(tmp_path, BDWGC_MREMAP)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert report["verdict"] != "clean" and code == 1
    assert {(r["syscall"], r["errno"]) for r in failed} == {("mremap", "ENOMEM")}
    assert len(failed) == 3


# https://github.com/scaleway/kernel-tools/issues/279 (2016): the issue as posted (its title is
# hugeadm's error line).
SCALEWAY_HUGEADM = (
    "# hugeadm:ERROR: kernel does not support huge pages\n"
    "\n"
    "Please fix kernel support for Huge Pages. \n"
    "I need this for scylladb\n"
    "cat /proc/meminfo no hugepages support at all.\n"
)


def test_a_kernel_without_huge_page_support_said_in_words_is_config_not_the_pool(tmp_path):
    code, report = triage(tmp_path, SCALEWAY_HUGEADM)
    causes = {(f["category"], f["cause"]) for f in report["findings"]}
    assert causes == {("config", "kernel-config-missing")}
    assert code == 0
