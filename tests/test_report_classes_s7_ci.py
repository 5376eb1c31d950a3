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
  holds (round 14-ci-b's seal_elf patch, "the test won't build").
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
    assert not [r for r in report["results"] if r["status"] in ("crash", "missing")]
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
    assert not [r for r in report["results"] if r["status"] in ("crash", "missing")]
