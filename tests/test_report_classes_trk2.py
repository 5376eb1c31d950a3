"""Classes of real tracker reports held-out round 12-trk got wrong (tests/fixtures/reports/
README.md, "Round 12-trk"), each tested on a second real text worded differently from the
report that showed it:

- a bare strace excerpt whose failed call is a memory-management call other than mmap/madvise
  (mremap, mprotect, munmap, mlock, shmget, mbind ...) is a failure to explain, never "clean":
  rr #2268's "mremap(...) = -1 EFAULT" and bdwgc #225's run of "mremap(...) = -1 ENOMEM";
- a kernel without huge page support, said in words ("huge pages support is not available in
  the kernel", hugeadm's "kernel does not support huge pages"), is the kernel's configuration,
  not an empty hugetlb pool (env);
- Go testify's failure block ("Error: Received unexpected error:" / "invalid argument" /
  "Messages: Unable to mount .../hugepages-1G") is a failed call (mount EINVAL) of the Go test it
  names, and hugetlbfs mounted with a page size the machine lacks is the code's missing probe
  of /sys/kernel/mm/hugepages: kata #6029 (no 1G pages) and #3763 (s390x: 1M pages only);
- the kernel's own notice of a refused call ("uffd: Set unprivileged_userfaultfd sysctl knob to
  1 ...", userfaultfd EPERM) is that failed call (CRIU PR #1651; no second report quoting it was
  found, so the test uses the kernel's line as fs/userfaultfd.c prints it);
- mini-round 12-trk-b: a kernel interface a report finds absent ("The memory interfaces for
  /sys/kernel/mm/hugepages are missing", "The hugetlbfs filesystem implementation is incomplete",
  WSL 1 #3796) is a failure the fallback reads (never refused) and the kernel lacking the
  feature; so is a /proc/sys/vm knob sysctl cannot find (WSL 1 #3126), not a limit to raise.
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


# https://github.com/kata-containers/kata-containers/issues/3763 (2022, "TestHandleHugepages mount
# yields EINVAL on s390x"; fixed by PR #3764, "test with any [sizes] that are present"): the
# description as the search service stores it.
KATA_S390X = (
    "Since #3344:\n"
    "```\n"
    "=== RUN   TestHandleHugepages\n"
    "    kata_agent_test.go:1259: \n"
    "        \tError Trace:\tkata_agent_test.go:1259\n"
    "        \tError:      \tReceived unexpected error:\n"
    "        \t            \tinvalid argument\n"
    "        \tTest:       \tTestHandleHugepages\n"
    "        \tMessages:   \tUnable to mount /tmp/hugepages-test2815739497/hugepages-1Gi\n"
    "    kata_agent_test.go:1259: \n"
    "        \tError Trace:\tkata_agent_test.go:1259\n"
    "        \tError:      \tReceived unexpected error:\n"
    "        \t            \tinvalid argument\n"
    "        \tTest:       \tTestHandleHugepages\n"
    "        \tMessages:   \tUnable to mount /tmp/hugepages-test2815739497/hugepages-2Mi\n"
    "    kata_agent_test.go:1284: \n"
    "        \tError Trace:\tkata_agent_test.go:1284\n"
    "        \tError:      \tExpected value not to be nil.\n"
    "        \tTest:       \tTestHandleHugepages\n"
    "    kata_agent_test.go:1285: \n"
    "        \tError Trace:\tkata_agent_test.go:1285\n"
    "        \tError:      \tNot equal: \n"
    "        \t            \texpected: 0\n"
    "        \t            \tactual  : 2\n"
    "        \tTest:       \tTestHandleHugepages\n"
    "--- FAIL: TestHandleHugepages (0.00s)\n"
    "```\n"
)


def test_a_testify_block_is_a_failed_call_and_a_fixed_huge_page_size_a_missing_probe(tmp_path):
    code, report = triage(tmp_path, KATA_S390X)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert {(r["suite"], r["syscall"], r["errno"]) for r in failed} == {
        ("TestHandleHugepages", "mount", "EINVAL")}
    assert len(failed) == 2
    assert {(f["category"], f["cause"]) for f in report["findings"]} == {
        ("test-bug", "test-wrong-feature-probe")}
    assert code == 0


# The line fs/userfaultfd.c (5.11 to 6.0) prints once as userfaultfd() returns EPERM, as a dmesg
# shows it (with its printk stamp).
UFFD_NOTICE = ("[  212.083561] uffd: Set unprivileged_userfaultfd sysctl knob to 1 if kernel "
               "faults must be handled without obtaining CAP_SYS_PTRACE capability\n")


def test_the_kernels_notice_of_a_refused_userfaultfd_is_that_failed_call(tmp_path):
    code, report = triage(tmp_path, UFFD_NOTICE)
    assert [(r["syscall"], r["errno"]) for r in report["results"]] == [("userfaultfd", "EPERM")]
    assert {(f["category"], f["cause"]) for f in report["findings"]} == {
        ("config", "userfaultfd-unavailable")}
    assert code == 0


# https://github.com/microsoft/WSL/issues/3126 (2018, "the kernal parameter vm.max_map_count in
# /etc/sysctl.conf is don't work!"), the description as the search service stores it; the
# thread: WSL 1 does not implement the file.
WSL_MAX_MAP_COUNT = (
    "microsoft/WSL \u00b7 issue #3126 \u00b7 closed \u00b7 C++\n"
    "labels: discussion\n"
    "# the kernal parameter vm.max_map_count in /etc/sysctl.conf is don't work!\n"
    "\n"
    "vagile-cn \u00b7 description \u00b7 2018-04-25\n"
    "when I set vm.max_map_count in /etc/sysctl.conf and reload the parameter with sysctl -p,\n"
    "I'll get an error:\n"
    "sysctl: cannot stat /proc/sys/vm/max_map_count: No such file or directory\n"
    "and the parameter dosn't work.\n"
)


def test_a_vm_knob_sysctl_cannot_find_is_a_missing_feature_not_a_limit(tmp_path):
    """Not a limit. Since round 20-trk a WSL 1 text is a translation layer that lacks the file
    (env/emulator-too-old), like the corpus' other WSL 1 reports, not a kernel built without it."""
    code, report = triage(tmp_path, WSL_MAX_MAP_COUNT)
    assert {(f["category"], f["cause"]) for f in report["findings"]} == {
        ("env", "emulator-too-old")}
    assert code == 0
