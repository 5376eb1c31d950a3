"""Round 20-lkp's classes (the kernel test robot's reports of LTP and kselftest failures), each
tested on a real public text other than the round's own:

- the robot bisects a failure to a kernel commit whose subject says it changes on purpose what
  the kernel returns, accepts or supports ("return -EREMOTE when ...", "validate ...", "don't
  let ... return ...", "remove ... support"): the test may need to follow an intended change
  (test-bug, selftest-logic-bug, low confidence) - not a limit lifted, which stays the bisect's
  regression;
- the robot bisects to a commit that changes only the tests, also behind its subsystem's prefix
  ("KVM: selftests: ..."): no kernel regression, and no verdict either (the test change's bug,
  a new check exposing an old kernel bug, a tool the new case needs: about even in the
  archives) - an honest unknown that says so; a failed call's ENOMEM stays plainly open;
- (mini-round 20-lkp-b) a kselftest collection that is a path ("selftests: powerpc/signal:
  sigfuz") names the binary; kirk's line the robot marked "<----", durations in minutes; a
  kernel commit named as the fix with its subject in parentheses ('fixed by commit 711aef1bbf88
  ("bpf, x32: ...")'); a request ("please help ... if there are any problems in our test
  flow") is no test-side statement;
- a maintainer's reply "This is an intentional change in behavior" (the change said to be
  intended, the other way round from "this change is intended") is the test's to change - not
  "If this is an intended change", "no intentional change", "an unintentional change".

Texts are corpus reports (whole decoded bodies) or excerpts of mails, unmodified line by line."""
from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import conclude, triage_read

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def failing(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["status"] not in ("pass", "skip")]


def answer(report: dict, test: str) -> set[tuple[str, str]]:
    return {(r["category"], r["cause"]) for r in failing(report) if test in r["suite"] + r["name"]}


def test_a_bisect_to_a_commit_that_validates_or_removes_is_the_tests_to_follow(tmp_path):
    # ltp, 2025-10-27, <202510271348.f0d33753-lkp@intel.com>: "pidfs: validate extensible
    # ioctls" and ioctl_pidfd05's "expected EINVAL: ENOTTY (25)"; ltp, 2021,
    # "fs: remove mandatory file locking support" and ftruncate04's "succeeded unexpectedly"
    for name, test in (("lkp-ltp-ioctl-pidfd05-pidfs-enotty-intended", "ioctl_pidfd05"),
                       ("lkp-ltp-ftruncate04-mandatory-locking-removed-runltp", "ftruncate04")):
        report = triage_read(tmp_path, (REPORTS / f"{name}.txt").read_text())
        assert answer(report, test) == {("test-bug", "selftest-logic-bug")}, name
        finding = next(f for f in report["findings"] if f["cause"] == "selftest-logic-bug")
        assert finding["confidence"] == "low"
        assert "may need to follow an intended change" in finding["explanation"]


def test_a_bisect_to_a_commit_that_lifts_a_limit_stays_its_regression(tmp_path):
    # ltp, 2025-03, "block/bdev: lift block size restrictions to 64k": ioctl_loop06's "Set block
    # size succeed unexpectedly" was completed in the kernel (FS_LBS), not only in LTP
    text = (REPORTS / "lkp-ltp-ioctl-loop06-bdev-blocksize-64k-next.txt").read_text()
    report = triage_read(tmp_path, text)
    assert answer(report, "ioctl_loop06") == {("kernel-bug", "kernel-regression")}


# kvm, 2025-07-22, <202507220727.f2cbbd0a-lkp@intel.com>: the robot's second report of
# pmu_counters_test on "KVM: selftests: Use data load to trigger LLC references/misses in Intel
# PMU" (a random failure, 2 of 6 runs, on an Ice Lake), lines from its "noticed" line to the
# runner's verdict; the blank lines after the parameters, the test's progress lines and the
# assertion's backtrace frames left out
# (the commit line, 128 columns, kept whole)
COMMIT = ("commit: 7803339fa929387bbc66479532afbaf8cbebb41b (\"KVM: selftests: Use data load to "
          "trigger LLC references/misses in Intel PMU\")")
PMU_COUNTERS_JULY = """\
kernel test robot noticed "kernel-selftests.kvm.pmu_counters_test.fail" on:

{COMMIT}
https://git.kernel.org/cgit/linux/kernel/git/torvalds/linux.git master

[test failed on linus/master      6832a9317eee280117cd695fa885b2b7a7a38daf]
[test failed on linux-next/master d086c886ceb9f59dea6c3a9dae7eb89e780a20c9]

in testcase: kernel-selftests
version: kernel-selftests-x86_64-7ff71e6d9239-1_20250215
with following parameters:

\tgroup: kvm

# timeout set to 120
# selftests: kvm: pmu_counters_test
# Random seed: 0x6b8b4567
# ==== Test Assertion Failure ====
#   x86/pmu_counters_test.c:126: count != 0
#   pid=11038 tid=11038 errno=4 - Interrupted system call
#   0x0 == 0x0 (count == 0)
not ok 21 selftests: kvm: pmu_counters_test # exit=254
""".replace("{COMMIT}", COMMIT)


def test_a_bisect_to_a_test_commit_behind_a_subsystem_prefix_is_no_regression(tmp_path):
    # (whose fault it is the bisect does not say: an honest unknown that names the test change)
    report = triage_read(tmp_path, PMU_COUNTERS_JULY)
    assert answer(report, "pmu_counters_test") == {("unknown", "bisect-test-change")}
    finding = next(f for f in report["findings"] if f["cause"] == "bisect-test-change")
    assert "changes only the tests" in finding["explanation"]
    assert "no regression of the kernel" in finding["explanation"]


def test_enomem_after_a_test_commit_stays_open(tmp_path):
    # linux-kselftest, 2022-10, the robot on "[PATCH v9] selftests/vm: enable running select
    # groups of tests": hugepage tests failing with ENOMEM on a box with 2 hugepages - the test
    # change or the box, never settled
    text = (REPORTS / "0day-vm-select-groups-hugepage-enomem.txt").read_text()
    report = triage_read(tmp_path, text)
    assert ("test-bug", "selftest-logic-bug") not in answer(report, "hugepage-shm")
    assert report["verdict"] == "unknown"


def test_an_intentional_change_said_the_other_way_round_is_the_tests_to_change():
    # linux-kernel, 2005-05-06, Andries Brouwer, quoted by Chris Wright: the behaviour change
    # reported as a problem was made on purpose
    said = conclude("No, there is no problem but an intentional change in behaviour in -mm\n"
                    "and now also in 2.6.11.8.\n")
    assert said is not None and (said.category, said.cause) == ("test-bug",
                                                                 "selftest-logic-bug")
    # conditions, negations, the unintended: nothing concluded
    for text in (
        # linux-kernel, 2022-11-11, Dmitry Baryshkov on a phy-qcom-qmp patch
        ("This will have a side effect of DP and pipe clocks not using runtime PM\n"
         "during the clocks operations (see the code handling rpm_enabled in\n"
         "drivers/clk/clk.c). If this is an intended change, it should be\n"
         "described in the commit message.\n"),
        # linux-media, a rcar-vin patch's commit message
        "There is no intentional change in behavior.\n",
        # git list, Ben Peart's cover letter
        ("Anthony Sottile <asottile@umich.edu> determined that commit fa655d8411\n"
         "\"checkout: optimize \"git checkout -b <new_branch>\" introduced\n"
         "an unintentional change in behavior for 'checkout -b' after doing a\n"
         "'clone --no-checkout'.\n"),
    ):
        assert conclude(text) is None, text


# Mini-round 20-lkp-b's classes.
# linux-kselftest / linuxppc-dev, 2025-03, Venkat Rao Bagalkote's "sigfuz fails" (the corpus's
# ibm-powerpc-sigfuz-killed-by-harness-thread, lines 126-132 of its first message): a kselftest
# collection that is a path ("powerpc/signal", "drivers/net/netdevsim")
SIGFUZ = """\
# selftests: powerpc/signal: sigfuz
# test: signal_fuzzer
# tags: git_version:v6.14-rc7-1-g49c747976afa
# !! killing signal_fuzzer
# !! child died by signal 15
# failure: signal_fuzzer
not ok 3 selftests: powerpc/signal: sigfuz # exit=1
"""


def test_a_runner_line_with_a_path_collection_names_the_binary(tmp_path):
    report = triage_read(tmp_path, SIGFUZ)
    assert {r["suite"] for r in failing(report)} == {"sigfuz"}


def test_a_kirk_line_the_robot_marked_with_an_arrow_is_read(tmp_path):
    # ltp, 2025-11-25, <202511251654.9c415e9b-lkp@intel.com> (round 20-lkp-b's text: no second
    # kirk line with the robot's arrow was found in the archive's copies, their colour codes
    # break a search): "proc01: fail | tainted  (7.624s)     <----", and durations in minutes
    # ("gf17: pass | tainted  (2m 0s)")
    text = (REPORTS / "lkp-ltp-proc01-sysctl-int-converters-kirk-next.txt").read_text()
    report = triage_read(tmp_path, text)
    assert {r["suite"] for r in failing(report)} == {"proc01"}
    assert "gf17" in {r["suite"] for r in report["results"]}


def test_a_kernel_commit_named_with_its_subject_in_parentheses_is_the_fix():
    # OpenWrt/bpf, 2019, a tester's reply to a test report: the subject in the kernel's own
    # '<sha> ("<subject>")' form was dropped as an aside
    said = conclude("I have tested and verified that the report bug has been fixed by commit\n"
                    "711aef1bbf88 (\"bpf, x32: Fix bug for BPF_JMP | {BPF_JSGT, BPF_JSLE, "
                    "BPF_JSLT, BPF_JSGE}\")\n")
    assert said is not None and said.category == "kernel-bug"


def test_a_request_to_check_the_robots_own_flow_is_no_verdict():
    # linux-kernel, 2022-11-01, Zhao Gongyi's reply quoting the kernel test robot (Yujie Liu)
    # on mem-on-off-test.sh: it asks, about its own procedure - no test-side statement
    assert conclude("> We got same test log before this commit but with a good exit, though\n"
                    "> there were also some \"Invalid argument\" and \"unexpected success\" "
                    "log.\n"
                    "> Please help give some guidance if there are any problems in our test "
                    "flow.\n") is None
