"""Classes of CI summaries held-out round 12-ci got wrong (tests/fixtures/reports/README.md,
"Round 12-ci"), each tested on a second real text worded or laid out differently from the
report that showed it:

- __warn()'s header of 6.18 and later ("WARNING: mm/vmalloc.c:3937 at vmalloc_fix_flags+0x6c/
  0xa0, CPU#69: (ostnamed)/6500", wrapped by a mail client after "at") is a kernel warning,
  not an Oops;
- a regression-test review (Ubuntu's SRU reviews: ``Issue to note in <arch>:`` headers over
  ``  suite - note`` lines) is one failed result per suite note, read as written (the mail
  unwrapper would join the notes), with the ``Skipped / blacklisted`` list no failure; a note or
  test message that names the kernel release that brought the feature ("no fallocate support in
  kernels before 4.3.0", "requires kernel 4.3 or newer") is kernel-feature-missing;
- a CI tool that could not get the huge pages it asked for ("Unable to pre allocate 50x2MiB huge
  pages", "Cannot set the kernel hugepage setting to the target value of 61 hugepages") is
  hugetlb-pages-short;
- LAVA's job notification mail (``Test Suite``/``Test Case X: Test failed`` lines, ``Job
  error:``) is read as results: a test suite's cases are results, and LAVA's own failed actions
  (the ``lava`` suite) are the job error, reported once with the call and errno it names;
- the kselftest runner's ``# TIMEOUT 45 seconds`` on a binary that printed results says the
  binary did not finish in time - a slow machine, a hang or a test that needs longer look the
  same - so it is no test bug by itself (output-runner-timeout is ``unknown``).
"""

from __future__ import annotations

from test_report_classes import triage


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


# "next-20250626: WARNING fs jbd2 transaction.c start_this_handle with ARM64_64K_PAGES" (Naresh
# Kamboju, LKFT, linux-ext4, 2025-06-26, <CA+G9fYsyYQ3ZL4xaSg1-Tt5Evto7Zd+hgNWZEa9cQLbahA1+xg@
# mail.gmail.com>), lines 9-17 of its "## Test log", unmodified: the header wrapped after "at".
LKFT_JBD2_WARNING = """\
<3>[   90.023985] JBD2: kworker/u8:2 wants too many credits
credits:416 rsv_credits:21 max:334
<4>[   90.024973] ------------[ cut here ]------------
<4>[ 90.025062] WARNING: fs/jbd2/transaction.c:334 at
start_this_handle+0x4c0/0x4e0, CPU#0: 2/42
<4>[   90.026661] Modules linked in: btrfs blake2b_generic xor
xor_neon raid6_pq zstd_compress sm3_ce sha3_ce fuse drm backlight
ip_tables x_tables
<4>[   90.027952] CPU: 0 UID: 0 PID: 42 Comm: kworker/u8:2 Not tainted
"""


def test_the_warn_header_of_6_18_is_a_kernel_warning(tmp_path):
    code, report = triage(tmp_path, LKFT_JBD2_WARNING)
    assert code == 1 and report["verdict"] == "kernel-bug"
    assert "kernel-warning" in causes(report)
    assert "kernel-oops" not in causes(report)


# Cypresslin/regression-testing-reviewer, log/5.0.0-48.52~18.04.1 (Ubuntu SRU review by Po-Hsu
# Lin, committed d6be5dd, 2020-05-19), lines 1-13, unmodified.
SRU_REVIEW_5_0 = """\
5.0.0-48.52~18.04.1 - generic
Regression test CMPL, RTB.

Issue to note in amd64:
  ubuntu_fan_smoke_test - failed with unknown underlay network format (bug 1874703)
  ubuntu_k8s_unit_tests - scheduler and spdy (bug 1824136)
  ubuntu_kernel_selftests - msg_zerocopy in net (bug 1812620) Register/unregister many kprobe \
events in ftrace (bug 1866972)
  ubuntu_ltp - test timeouted with 4 hours threshold on jenkins (bug 1837206)
  ubuntu_ltp_syscalls - connect02 (bug 1874014) btrfs fill_fs test in fallocate06 (bug 1866323) \
fanotify09 case 3 (bug 1876684) msgstress03 (bug 1797341) kill11 (bug 1865965)
  ubuntu_lxc - ERROR: Unable to fetch GPG key from keyserver in lxc-test-apparmor-mount failed \
on n1-highmem-16 onlY

Skipped / blacklisted:
 * libhugetlbfs
"""

# The same repository, log/3.13.0-130 (the 3.13.0-130.179 review), lines 5-8 and 18-22,
# unmodified: libhugetlbfs's fallocate note worded as a count, beside other suites' notes.
SRU_REVIEW_3_13_130 = """\
Issue to note in amd64:
  aio_dio_bugs - aio-cve-2016-10044 failed, expected result
  libhugetlbfs - 3 failed (no fallocate support in kernels before 4.3.0), 14 killed by signal, \
1 bad configuration
  ubuntu_blktrace_smoke_test - (test case issue?) 

Issue to note in ppc64le:
  aio_dio_bugs - aio-cve-2016-10044 failed, expected result
  libhugetlbfs - 3 failed (no fallocate support in kernels before 4.3.0)
  rtc - Update IRQs not supported
  ubuntu_blktrace_smoke_test - test case issue?
"""


def test_a_review_is_one_failed_result_per_suite_note(tmp_path):
    _, report = triage(tmp_path, SRU_REVIEW_5_0)
    failed = [(r["suite"], r["name"]) for r in report["results"] if r["status"] == "fail"]
    assert failed == [(s, "amd64") for s in (
        "ubuntu_fan_smoke_test", "ubuntu_k8s_unit_tests", "ubuntu_kernel_selftests",
        "ubuntu_ltp", "ubuntu_ltp_syscalls", "ubuntu_lxc")]
    assert "libhugetlbfs" not in {r["suite"] for r in report["results"]}
    ltp = next(r for r in report["results"] if r["suite"] == "ubuntu_ltp")
    assert ltp["message"] == "test timeouted with 4 hours threshold on jenkins (bug 1837206)"


def test_a_note_naming_the_release_that_brought_the_feature_is_an_old_kernel(tmp_path):
    _, report = triage(tmp_path, SRU_REVIEW_3_13_130, "--kernel-version", "3.13.0")
    huge = [r for r in report["results"] if r["suite"] == "libhugetlbfs"]
    assert [r["name"] for r in huge] == ["amd64", "ppc64le"]
    assert {(r["category"], r["cause"]) for r in huge} == {("config", "kernel-feature-missing")}
    others = {r["cause"] for r in report["results"] if r["suite"] != "libhugetlbfs"}
    assert "kernel-feature-missing" not in others


# autotest/tp-qemu pull request #3615 ("boot_vm_in_hugepage:add set specify hugepage test"),
# mcasquer's comment of 2023-02-23, its first three lines, unmodified.
AVOCADO_VT_HUGEPAGES = """\
@zhenyzha after applying https://github.com/avocado-framework/avocado-vt/pull/3625 patch and \
this one I see the following:

-  boot_vm_in_hugepage.specify_hugepage_size.1G.q35: ERROR: Cannot set the kernel hugepage \
setting to the target value of 61 hugepages. (14.44 s)
"""


def test_a_ci_tool_short_of_the_huge_pages_it_asked_for_is_the_pool(tmp_path):
    _, report = triage(tmp_path, AVOCADO_VT_HUGEPAGES)
    assert report["verdict"] == "env"
    assert causes(report) == {"hugetlb-pages-short"}


# cip-testing-results, "LAVA notification for Test Job 1076428 ci-iwamatsu-linux-6.1.y-cip-rc_..._
# ltp-math-tests" (2024-01-15, <0101018d0ec6ccdd-fcbbf61d-d08f-4357-9cbd-e5b03f400905-000000@us-
# west-2.amazonses.com>), lines 4-8 and 27-59 of the decoded body, unmodified.
LAVA_LOGIN_TIMEOUT = """\
The job with ID # 1076428 is now in state Finished and health Incomplete. Job was submitted by \
CIP-Testing.

Job details and log file: http://lava.ciplatform.org/scheduler/job/1076428


Job error: login-action timed out after 207 seconds

Test Suite lava: http://lava.ciplatform.org/results/1076428/lava
Test Case validate: Test passed
Test Case http-download: Test passed
Measurement: 0.84 seconds
Test Case test-overlay: Test passed
Test Case git-repo-action: Test passed
Measurement: 10.84 seconds
Test Case bootloader-overlay: Test passed
Test Case pdu-reboot: Test passed
Measurement: 16.46 seconds
Test Case login-action: Test failed
Measurement: 207.00 seconds
Test Case auto-login-action: Test failed
Measurement: 207.43 seconds
Test Case uboot-commands: Test failed
Measurement: 298.93 seconds
Test Case uboot-action: Test failed
Measurement: 299.62 seconds
Test Case power-off: Test passed
Measurement: 1.15 seconds
Test Case job: Test failed
No query is set for results comparing.
"""

# The same list, "LAVA notification for Test Job 334017 alicef-kselftests_bzImage_cip_qemu_
# defconfig_4.4.272-cip58_91a8e966_x86_cip_qemu_defconfig_kselftest" (2021-07-19, <0101017ac0146bb2-
# e52b8656-08d0-4ca2-8a28-57c77542d79d-000000@us-west-2.amazonses.com>), lines 4 and 29-38.
LAVA_KSELFTEST = """\
The job with ID # 334017 is now in state Finished and health Complete. Job was submitted by \
ferrazzia.
Test Suite 0_kselftest: http://lava.ciplatform.org/results/334017/0_kselftest
Test Case zram.sh: Test failed
Test Case test_vsyscall_64: Test failed
Test Case ptrace_syscall_64: Test failed
Test Case syscall_nt_64: Test failed
Test Case ldt_gdt_64: Test failed
Test Case sysret_ss_attrs_64: Test failed
Test Case single_step_syscall_64: Test failed
Test Case run_vmtests: Test failed
Test Case test_user_copy.sh: Test failed
"""


def test_lavas_failed_actions_are_the_job_error_reported_once(tmp_path):
    _, report = triage(tmp_path, LAVA_LOGIN_TIMEOUT)
    failed = [r for r in report["results"] if r["status"] != "pass"]
    assert [(r["suite"], r["name"], r["status"]) for r in failed] == [("lava", "job", "error")]
    assert failed[0]["message"] == "login-action timed out after 207 seconds"
    assert report["verdict"] == "unknown"  # the board never gave a prompt: nobody said why


def test_a_lava_test_suites_cases_are_results(tmp_path):
    _, report = triage(tmp_path, LAVA_KSELFTEST)
    failed = {(r["suite"], r["name"]) for r in report["results"] if r["status"] == "fail"}
    assert ("kselftest", "run_vmtests") in failed and len(failed) == 9
    assert report["verdict"] == "unknown" and not any(
        r["status"] == "crash" for r in report["results"])


# "Re: selftests: cgroup: test_core - Unable to handle kernel NULL pointer dereference at virtual
# address" (Roman Gushchin, linux-kselftest, 2023-10-08, <ZSLNQjzoYcLq1hEo@P9FQF9L96D>), the
# quoted cgroup run of Naresh Kamboju's LKFT report on FVP (next-20231006) up to test_core's
# twelfth case, unmodified: test_kmem printed one case and was killed at 45 s, nobody said why.
LKFT_FVP_TEST_KMEM_TIMEOUT = """\
> Running selftests: cgroup
>
> # selftests: cgroup: test_kmem
> # ok 1 test_kmem_basic
> #
> not ok 2 selftests: cgroup: test_kmem # TIMEOUT 45 seconds
> # timeout set to 45
> # selftests: cgroup: test_core
> # ok 1 test_cgcore_internal_process_constraint
> # ok 2 test_cgcore_top_down_constraint_enable
> # ok 3 test_cgcore_top_down_constraint_disable
> # ok 4 test_cgcore_no_internal_process_constraint_on_threads
> # ok 5 test_cgcore_parent_becomes_threaded
> # ok 6 test_cgcore_invalid_domain
> # ok 7 test_cgcore_populated
> # ok 8 test_cgcore_proc_migration
> # ok 9 test_cgcore_thread_migration
> # ok 10 test_cgcore_destroy
> # ok 11 test_cgcore_lesser_euid_open
> # ok 12 test_cgcore_lesser_ns_open
"""


def test_a_runner_timeout_after_printed_results_is_no_test_bug_by_itself(tmp_path):
    _, report = triage(tmp_path, LKFT_FVP_TEST_KMEM_TIMEOUT)
    timeout = [f for f in report["findings"] if f["cause"] == "output-runner-timeout"]
    assert timeout and {f["category"] for f in timeout} == {"unknown"}
    assert report["verdict"] == "unknown"
