"""Classes of CI reports held-out round 14-ci got wrong (tests/fixtures/reports/README.md,
"Round 14-ci"), each tested on a second real text worded differently from the report that
showed it:

- KernelCI's "[STATUS]" mail in its 2025 layout names each test with its configuration in
  parentheses ("- kselftest.mm (defconfig+arm64-chromebook+kselftest)") directly under
  "Hardware:", where the 2026 layout has a "> Config:" line and bare names: both are read as
  results with their history, and nothing in them is explained or called a crash;
- a build failure pasted as the linker prints it ("mremap.c:(.text+0x763): undefined reference
  to `__compiletime_assert_342'", "multiple definition of") is a failure a person reads at a
  glance: never refused, and with a selftests-only patch around it the patch's conclusion
  holds (round 14-ci-b's seal_elf patch, "the test won't build");
- LKFT's qa-reports summary of 2019-2020 ("next-20200414 kselftest results"): underlined
  "Regressions (compared to build ...)", "Fixes", "Failures", "Skips" sections listing tests per
  environment ("qemu_x86_64:", " kselftest:", "* kselftest/vm_run_vmtests") are read as results
  (round 14-ci-c), and a rule of dashes under a heading is never joined with the next line;
- the legacy KernelCI regression mail (kernelci.org bot, 2019-2024): each
  "* kselftest-<plan>.<case>: URL" with its "failing since N days (...)" or "new failure
  (last pass: ...)" under the platform's table row is a failed result (round 14-ci-d), the
  table's "-----+-----" rule no longer joined with the row.
"""

from __future__ import annotations

from test_report_classes import triage_read

# KernelCI bot, "[STATUS] next/master - 2674d1eadaa2fd3a918dfcdb6d0bb49efe8a8bb9" (linux-next,
# 2025-08-13, Message-ID <175505222976.280.16617959115337420644@99cfaf6094a7>; the lfdr.de list
# mirror): the decoded body from "Status summary" to the first kselftest.mm entry, unmodified.
# Another day's mail than the round's report: a kselftest.dt regression on a board without a
# kselftest config, uevent regressions, and kselftest.mm among the unstable tests.
STATUS_2025 = (
    'Status summary for next/master\n'
    '\n'
    'Dashboard:\n'
    'https://d.kernelci.org/c/next/master/2674d1eadaa2fd3a918dfcdb6d0bb49efe8a8bb9/\n'
    '\n'
    'giturl: https://git.kernel.org/pub/scm/linux/kernel/git/next/linux-next.git\n'
    'branch: master\n'
    'commit hash: 2674d1eadaa2fd3a918dfcdb6d0bb49efe8a8bb9\n'
    'origin: maestro\n'
    'test start time: 2025-08-12 04:29:38.015000+00:00\n'
    '\n'
    'Builds:\t   59 ✅    1 ❌    0 ⚠️\n'
    'Boots: \t   87 ✅    0 ❌   57 ⚠️\n'
    'Tests: \t14463 ✅ 4443 ❌ 5365 ⚠️\n'
    '\n'
    '### POSSIBLE REGRESSIONS\n'
    '    \n'
    'Hardware: imx6q-udoo\n'
    '- kselftest.dt (multi_v7_defconfig)\n'
    '  last run: https://d.kernelci.org/test/maestro:689acd81233e484a3f8ceda8\n'
    '  history:  > ✅  > ❌  > ❌  > ❌  > ❌  \n'
    '            \n'
    'Hardware: sun50i-h5-libretech-all-h3-cc\n'
    '- kselftest.uevent (defconfig+arm64-chromebook+kselftest)\n'
    '  last run: https://d.kernelci.org/test/maestro:689adfae233e484a3f8d9ce9\n'
    '  history:  > ✅  > ✅  > ❌  > ❌  > ❌  \n'
    '            \n'
    '- kselftest.uevent.uevent_uevent_filtering (defconfig+arm64-chromebook+kselftest)\n'
    '  last run: https://d.kernelci.org/test/maestro:689ae0bd233e484a3f8da449\n'
    '  history:  > ✅  > ✅  > ❌  > ❌  \n'
    '            \n'
    '- kselftest.uevent.uevent_uevent_filtering_global_uevent_filtering'
    ' (defconfig+arm64-chromebook+kselftest)\n'
    '  last run: https://d.kernelci.org/test/maestro:689ae0bd233e484a3f8da44a\n'
    '  history:  > ✅  > ✅  > ❌  > ❌  \n'
    '            \n'
    '\n'
    '\n'
    '### FIXED REGRESSIONS\n'
    '\n'
    '  No fixed regressions observed.\n'
    '\n'
    '\n'
    '### UNSTABLE TESTS\n'
    '    \n'
    'Hardware: bcm2711-rpi-4-b\n'
    '- boot (defconfig+lab-setup+kselftest)\n'
    '  last run: https://d.kernelci.org/test/maestro:689acd9d233e484a3f8cee78\n'
    '  history:  > ✅  > ⚠️  > ✅  > ✅  > ⚠️  \n'
    '            \n'
    '- kselftest.landlock (defconfig+arm64-chromebook+kselftest)\n'
    '  last run: https://d.kernelci.org/test/maestro:689adfa6233e484a3f8d9cb7\n'
    '  history:  > ⚠️  > ✅  > ⚠️  > ⚠️  \n'
    '            \n'
    '- kselftest.mm (defconfig+arm64-chromebook+kselftest)\n'
    '  last run: https://d.kernelci.org/test/maestro:689adfa8233e484a3f8d9cc3\n'
    '  history:  > ⚠️  > ✅  > ⚠️  > ⚠️  \n'
)



def crashed_or_missing(report: dict) -> list[dict]:
    """The results an excerpt must never produce without crash evidence."""
    return [r for r in report["results"] if r["status"] in ("crash", "missing")]

def test_kernelci_status_mail_2025_layout_reads_each_test_with_its_configuration(tmp_path):
    report = triage_read(tmp_path, STATUS_2025)
    by_name = {r["name"]: r for r in report["results"]}
    mm = by_name["kselftest.mm"]
    assert mm["suite"] == "mm" and mm["status"] == "error"
    assert "unstable tests" in mm["message"] and "⚠️ > ✅ > ⚠️ > ⚠️" in mm["message"]
    dt = by_name["kselftest.dt"]
    assert dt["status"] == "fail" and "possible regressions" in dt["message"]
    assert by_name["kselftest.uevent.uevent_uevent_filtering_global_uevent_filtering"][
        "status"] == "fail"
    assert by_name["boot"]["status"] == "error"
    # The configuration is kept with the hardware, not read as part of the test's name.
    where = {r["name"]: " ".join(str(v) for v in r.values()) for r in report["results"]}
    assert "multi_v7_defconfig" in where["kselftest.dt"]
    assert "imx6q-udoo" in where["kselftest.dt"]
    # No log in the mail: nothing is explained, nothing is a crash.
    assert {r["category"] for r in report["results"] if r["status"] != "pass"} == {"unknown"}
    assert not crashed_or_missing(report)
    assert report["verdict"] == "unknown"


# Naresh Kamboju, "[next] [clang] x86_64-linux-gnu-ld: mm/mremap.o: in function
# `move_pgt_entry': mremap.c:(.text+0x763): undefined reference to `__compiletime_assert_342'"
# (linux-next, 2021-06-17; the lfdr.de list mirror): the two linker lines of its build log,
# unmodified - a kernel object this time, not a selftest, and no patch around it.
LINKER_ERROR = (
    "x86_64-linux-gnu-ld: mm/mremap.o: in function `move_pgt_entry':\n"
    "mremap.c:(.text+0x763): undefined reference to `__compiletime_assert_342'\n"
)


def test_a_pasted_linker_error_is_read_as_a_failure_nobody_explains(tmp_path):
    report = triage_read(tmp_path, LINKER_ERROR)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert len(failed) == 1 and "undefined reference to" in failed[0]["message"]
    # Whose fault a link error is, the lines do not say: no test-bug without a patch, no crash.
    assert report["verdict"] == "unknown"
    assert not crashed_or_missing(report)


# ci_notify@linaro.org, "next-20191008 kselftest results" (linux-kselftest, 2019-10-08,
# Message-ID <860973729.5879.1570564829288.JavaMail.javamailuser@localhost>; the lfdr.de list
# mirror): the decoded body from "Summary" to the second failure listed, unmodified (its
# trailing spaces kept; long lines split into adjacent literals). Another day than the round's
# mail: no regressions and no fixes (the baseline build had failed, as Dan Rue replied), and
# an environment with an empty list before the first one with failures.
LKFT_SUMMARY_2019 = (
    'Summary\n'
    '------------------------------------------------------------------------\n'
    'kernel: 5.4.0-rc2\n'
    'git repo: https://git.kernel.org/pub/scm/linux/kernel/git/next/linux-next.git\n'
    'git branch: master\n'
    'git commit: 442630f691a1537b7e0cc35e3d580222077549cb\n'
    'git describe: next-20191008\n'
    'Test details: https://qa-reports.linaro.org/lkft/linux-next-oe/build/next-20191008\n'
    '\n'
    'Regressions (compared to build next-20191004)\n'
    '------------------------------------------------------------------------\n'
    'No regressions                                              '
    '                                                            \n'
    '                                                            '
    '                                                           \n'
    'Fixes (compared to build next-20191004)                     '
    '                                              \n'
    '------------------------------------------------------------'
    '------------                                               \n'
    'No fixes\n'
    '\n'
    'In total:\n'
    '------------------------------------------------------------------------\n'
    'Ran 1558 total tests in the following environments and test suites.\n'
    'pass 901\n'
    'fail 549\n'
    'xfail 0\n'
    'skip 108\n'
    '\n'
    'Environments\n'
    '--------------\n'
    '- dragonboard-410c - arm64\n'
    '- hi6220-hikey - arm64\n'
    '- i386\n'
    '- juno-r2 - arm64\n'
    '- qemu_arm64\n'
    '- qemu_i386\n'
    '- qemu_x86_64\n'
    '- x15 - arm\n'
    '- x86_64\n'
    '\n'
    'Test Suites\n'
    '-----------\n'
    '* kselftest\n'
    '* kselftest-vsyscall-mode-native\n'
    '* kselftest-vsyscall-mode-none\n'
    '\n'
    '\n'
    'Failures\n'
    '------------------------------------------------------------------------\n'
    '\n'
    'x15:\n'
    '\n'
    'qemu_x86_64:\n'
    '* kselftest/bpf_get_cgroup_id_user\n'
    '* kselftest/bpf_test_bpftool_build.sh\n'
    '* kselftest/bpf_test_btf_dump\n'
    '* kselftest/bpf_test_dev_cgroup\n'
    '* kselftest/bpf_test_flow_dissector.sh\n'
    '* kselftest/bpf_test_libbpf.sh\n'
    '* kselftest/bpf_test_lwt_ip_encap.sh\n'
    '* kselftest/bpf_test_lwt_seg6local.sh\n'
    '* kselftest/bpf_test_maps\n'
    '* kselftest/bpf_test_netcnt\n'
    '* kselftest/bpf_test_progs\n'
    '* kselftest/bpf_test_select_reuseport\n'
    '* kselftest/bpf_test_socket_cookie\n'
    '* kselftest/bpf_test_sock_fields\n'
    '* kselftest/bpf_test_sockmap\n'
    '* kselftest/bpf_test_tc_edt.sh\n'
    '* kselftest/bpf_test_tcpbpf_user\n'
    '* kselftest/bpf_test_tcpnotify_user\n'
    '* kselftest/bpf_test_tc_tunnel.sh\n'
    '* kselftest/bpf_test_tunnel.sh\n'
    '* kselftest/bpf_test_xdping.sh\n'
    '* kselftest/bpf_xdping\n'
    '* kselftest/cpufreq_main.sh\n'
    '* kselftest/firmware_fw_run_tests.sh\n'
    '* kselftest/kvm_clear_dirty_log_test\n'
    '* kselftest/kvm_cr4_cpuid_sync_test\n'
)


def test_lkft_2019_summary_lists_failures_per_environment(tmp_path):
    report = triage_read(tmp_path, LKFT_SUMMARY_2019)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert len(failed) == 26
    assert (failed[0]["suite"], failed[0]["name"]) == ("bpf", "get_cgroup_id_user")
    assert [(r["suite"], r["name"]) for r in failed[-2:]] == [
        ("kvm", "clear_dirty_log_test"), ("kvm", "cr4_cpuid_sync_test")]
    where = " ".join(str(v) for v in failed[0].values())
    assert "qemu_x86_64" in where and "x15" not in where
    assert "failures" in failed[0]["message"] and "no log" in failed[0]["message"]
    # "No regressions", "No fixes", the totals and the lists of environments and suites
    # ("* kselftest-vsyscall-mode-none") are no results; nothing is explained or a crash.
    assert len(report["results"]) == 26
    assert report["verdict"] == "unknown"
    assert not crashed_or_missing(report)


# kernelci.org bot, "kselftest/next kselftest-seccomp: 2 runs, 3 regressions
# (v6.11-rc1-21-ga0474b8d5974e)" (linux-kselftest, 2024-09-16, Message-ID
# <66e892e9.a70a0220.258aee.de25@mx.google.com>; the lfdr.de list mirror): the whole decoded
# body, unmodified (long lines split into adjacent literals). Another plan than the round's
# livepatch thread, two platforms, and the "new failure (last pass: ...)" wording beside
# "failing since 48 days (...)".
KERNELCI_LEGACY = (
    'kselftest/next kselftest-seccomp: 2 runs, 3 regressions (v6.'
    '11-rc1-21-ga0474b8d5974e)\n'
    '\n'
    'Regressions Summary\n'
    '-------------------\n'
    '\n'
    'platform                     | arch  | lab         | compile'
    'r | defconfig                    | regressions\n'
    '-----------------------------+-------+-------------+--------'
    '--+------------------------------+------------\n'
    'meson-gxl-s905x-libretech-cc | arm64 | lab-broonie | gcc-12 '
    '  | defconfig+kselftest          | 2          \n'
    'stm32mp157a-dhcor-avenger96  | arm   | lab-broonie | gcc-12 '
    '  | multi_v7_defconfig+kselftest | 1          \n'
    '\n'
    '  Details:  https://kernelci.org/test/job/kselftest/branch/n'
    'ext/kernel/v6.11-rc1-21-ga0474b8d5974e/plan/kselftest-seccomp/\n'
    '\n'
    '  Test:     kselftest-seccomp\n'
    '  Tree:     kselftest\n'
    '  Branch:   next\n'
    '  Describe: v6.11-rc1-21-ga0474b8d5974e\n'
    '  URL:      https://git.kernel.org/pub/scm/linux/kernel/git/'
    'shuah/linux-kselftest.git\n'
    '  SHA:      a0474b8d5974e142461ac7584c996feea167bcc1 \n'
    '\n'
    '\n'
    'Test Regressions\n'
    '---------------- \n'
    '\n'
    '\n'
    'platform                     | arch  | lab         | compile'
    'r | defconfig                    | regressions\n'
    '-----------------------------+-------+-------------+--------'
    '--+------------------------------+------------\n'
    'meson-gxl-s905x-libretech-cc | arm64 | lab-broonie | gcc-12 '
    '  | defconfig+kselftest          | 2          \n'
    '\n'
    '  Details:     https://kernelci.org/test/plan/id/66e88768d950f5c504c86855\n'
    '\n'
    '  Results:     107 PASS, 2 FAIL, 0 SKIP\n'
    '  Full config: defconfig+kselftest\n'
    '  Compiler:    gcc-12 (aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0)\n'
    '  Plain log:   https://storage.kernelci.org//kselftest/next/'
    'v6.11-rc1-21-ga0474b8d5974e/arm64/defconfig+kselftest/gcc-12'
    '/lab-broonie/kselftest-seccomp-meson-gxl-s905x-libretech-cc.txt\n'
    '  HTML log:    https://storage.kernelci.org//kselftest/next/'
    'v6.11-rc1-21-ga0474b8d5974e/arm64/defconfig+kselftest/gcc-12'
    '/lab-broonie/kselftest-seccomp-meson-gxl-s905x-libretech-cc.html\n'
    '  Rootfs:      http://storage.kernelci.org/images/rootfs/deb'
    'ian/bookworm-kselftest/20240313.0/arm64/initrd.cpio.gz \n'
    '\n'
    '\n'
    '  * kselftest-seccomp.seccomp_seccomp_benchmark: https://ker'
    'nelci.org/test/case/id/66e88768d950f5c504c86857\n'
    '        new failure (last pass: v6.11-rc1-20-gaf1ec38c6ccc3) \n'
    '\n'
    '  * kselftest-seccomp.seccomp_seccomp_benchmark_per-filter_l'
    'ast_2_diff_per-filter_filters_4: https://kernelci.org/test/c'
    'ase/id/66e88768d950f5c504c8685c\n'
    '        new failure (last pass: v6.11-rc1-20-gaf1ec38c6ccc3) \n'
    ' \n'
    '\n'
    '\n'
    'platform                     | arch  | lab         | compile'
    'r | defconfig                    | regressions\n'
    '-----------------------------+-------+-------------+--------'
    '--+------------------------------+------------\n'
    'stm32mp157a-dhcor-avenger96  | arm   | lab-broonie | gcc-12 '
    '  | multi_v7_defconfig+kselftest | 1          \n'
    '\n'
    '  Details:     https://kernelci.org/test/plan/id/66e88e6d0e37a1fe30c869cd\n'
    '\n'
    '  Results:     0 PASS, 1 FAIL, 0 SKIP\n'
    '  Full config: multi_v7_defconfig+kselftest\n'
    '  Compiler:    gcc-12 (arm-linux-gnueabihf-gcc (Debian 12.2.0-14) 12.2.0)\n'
    '  Plain log:   https://storage.kernelci.org//kselftest/next/'
    'v6.11-rc1-21-ga0474b8d5974e/arm/multi_v7_defconfig+kselftest'
    '/gcc-12/lab-broonie/kselftest-seccomp-stm32mp157a-dhcor-avenger96.txt\n'
    '  HTML log:    https://storage.kernelci.org//kselftest/next/'
    'v6.11-rc1-21-ga0474b8d5974e/arm/multi_v7_defconfig+kselftest'
    '/gcc-12/lab-broonie/kselftest-seccomp-stm32mp157a-dhcor-avenger96.html\n'
    '  Rootfs:      http://storage.kernelci.org/images/rootfs/deb'
    'ian/bookworm-kselftest/20240313.0/armhf/initrd.cpio.gz \n'
    '\n'
    '\n'
    '  * kselftest-seccomp.login: https://kernelci.org/test/case/'
    'id/66e88e6d0e37a1fe30c869ce\n'
    '        failing since 48 days (last pass: v6.10-rc7-29-gdf09'
    'b0bb09ea, first fail: v6.11-rc1) \n'
    '  \n'
    '\n'
)


def test_legacy_kernelci_mail_lists_each_failing_case_with_its_platform(tmp_path):
    report = triage_read(tmp_path, KERNELCI_LEGACY)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [(r["suite"], r["name"]) for r in failed] == [
        ("seccomp", "seccomp_benchmark"),
        ("seccomp", "seccomp_benchmark_per-filter_last_2_diff_per-filter_filters_4"),
        ("seccomp", "login")]
    first = " ".join(str(v) for v in failed[0].values())
    assert "meson-gxl-s905x-libretech-cc" in first and "new failure" in first
    last = " ".join(str(v) for v in failed[2].values())
    assert "stm32mp157a-dhcor-avenger96" in last and "failing since 48 days" in last
    # The "Results:" counts are no result of their own; nothing explained, nothing a crash.
    assert len(report["results"]) == 3 and report["verdict"] == "unknown"
    assert not crashed_or_missing(report)
