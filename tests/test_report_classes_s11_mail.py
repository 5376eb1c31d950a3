"""Classes round 21-mail (mail excerpts from linux-mm, mm-commits, LTP and stable where the
maintainers diagnosed the failure) and the round before it missed, each tested on a second real
text worded differently:

- a fix to the scripts that start the tests (run_vmtests.sh, a selftest's own .sh) quoting the
  command they could not start: "sudo: './on-fault-limit': command not found" (mm-commits, the
  sudo-rs fix to run_vmtests.sh, 2026), "./charge_reserved_hugetlb.sh: 9: [[: not found" (the
  dash fix to the selftest scripts' shebangs, 2024): the script's bug (test-bug), not a binary
  missing from the machine (binary-cannot-start, env);
- a reply that quotes a patch to the tests with its diffstat trimmed: the patch's own "This
  patch also fix <the failure>" (a writer's grammar of "this patch fixes") over the failure it
  shows is the test being fixed;
- root and an ordinary user set side by side, the failure only the user's: "It works for root"
  (a quoted report of shmget(SHM_HUGETLB) EPERM, 2004), "If you run it as root, it allocates 1
  Hugepage, if run as user, it fails." over a root and a user shell: the user's privileges
  (env/not-root), not an unexplained failure;
- a file mapped executable on a noexec mount (rule fs-noexec-mount): the loader's "failed to map
  segment from shared object" (a JVM's UnsatisfiedLinkError, ld.so's "error while loading
  shared libraries"), or the report's own "mounted noexec" / "mount options containing
  'noexec'" over an mmap(PROT_EXEC) EPERM;
- (mini-round 21-mail-b) a maintainer's "the test case is flawed" (test case with a space,
  "flawed"), also when it answers a kernel change someone else proposed in a quoted diff: the
  proposal is declined, the test is at fault.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage_read

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLASSES = Path(__file__).parent / "fixtures" / "classes"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


def test_a_launch_failure_a_script_fix_explains_is_the_scripts_bug(tmp_path):
    # round 20-final: the mm-commits notice of Injae Ryou's run_vmtests.sh fix, quoting
    # "sudo: './on-fault-limit': command not found" then "# [FAIL]"
    report = triage_read(tmp_path, (
        REPORTS / "on-fault-limit-sudo-rs-command-not-found-mm-commits.txt").read_text())
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "runner-script-bug")}
    # second text (round 21-mail): the mm-commits notice of Muhammad Usama Anjum's switch of
    # the hugetlb selftest scripts to bash, quoting dash's "[[: not found"
    report = triage_read(tmp_path, (
        REPORTS / "mm-commits-charge-reserved-hugetlb-dash-not-found-switch-to-bash.txt"
    ).read_text())
    assert report["verdict"] == "test-bug"
    assert ("env", "binary-cannot-start") not in _findings(report)
    assert ("test-bug", "selftest-logic-bug") in _findings(report)


def test_a_quoted_selftest_patch_saying_it_fixes_the_failure_is_the_tests_fix(tmp_path):
    # round 21-mail: Petr Vorel's review of Yang Xu's cpuset patch (LTP, 2021), the diffstat
    # trimmed: the quoted commit message's "This patch also fix cpu_inherit error by using
    # original mem value." over its TFAIL, and a diff to cpuset_funcs.sh only
    report = triage_read(tmp_path, (
        REPORTS / "ltp-cpuset-inherit-mems-noncontiguous-nodes-review-reply.txt").read_text())
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}


def test_works_as_root_fails_as_a_user_is_the_users_privileges(tmp_path):
    # round 21-mail: William Lee Irwin III's reply (linux-kernel, 2004) quoting "I get
    # "Operation not Permitted" when running it as a normal user. It works for root." about
    # shmget(SHM_HUGETLB): CAP_IPC_LOCK, not the kernel
    report = triage_read(tmp_path, (
        REPORTS / "shmget-shm-hugetlb-eperm-normal-user-capset-reply-2004.txt").read_text())
    assert report["verdict"] == "env"
    assert _findings(report) == {("env", "not-root")}
    # second text: the reporter's follow-up, a root and a user shell side by side ("roesrv01:~ #
    # ./a.out" works, "jochen@roesrv01:~> ./a.out" prints "Failure:: Operation not permitted")
    # and "If you run it as root, it allocates 1 Hugepage, if run as user, it fails."
    report = triage_read(tmp_path, (
        CLASSES / "shm-hugetlb-runs-as-root-fails-as-user-2004.txt").read_text())
    assert report["verdict"] == "env"
    assert _findings(report) == {("env", "not-root")}


def test_an_executable_mapping_refused_on_a_noexec_mount_is_the_mount(tmp_path):
    # round 20-final: xenia-edge #137 (2026), mmap(PROT_EXEC, MAP_SHARED) of a shm_open segment
    # -> EPERM under strace, and the reporter's own finding: "a filesystem mounted noexec",
    # Artix's "/dev/shm mounted noexec"
    report = triage_read(tmp_path, (
        REPORTS / "xenia-edge-shm-open-mmap-prot-exec-eperm-noexec-strace.txt").read_text())
    assert report["verdict"] == "env"
    assert _findings(report) == {("env", "fs-noexec-mount")}
    # second text: raspberrypi/piserver #53 (2019), the JVM's "UnsatisfiedLinkError:
    # /tmp/libpi4j...so: failed to map segment from shared object" and "/tmp mounts options
    # containing 'noexec', I deleted it and the program works fine"
    report = triage_read(tmp_path, (
        CLASSES / "piserver-pi4j-tmp-noexec-failed-to-map-segment-issue.txt").read_text())
    assert report["verdict"] == "env"
    assert _findings(report) == {("env", "fs-noexec-mount")}
    # third: docker/compose #1339 (2015), the loader's own "error while loading shared
    # libraries: libz.so.1: failed to map segment from shared object: Operation not permitted"
    # is the noexec /tmp, not a library missing from the machine
    report = triage_read(tmp_path, (
        CLASSES / "docker-compose-libz-failed-to-map-segment-tmp-noexec-issue.txt").read_text())
    assert _findings(report) == {("env", "fs-noexec-mount")}


def test_the_maintainers_test_case_is_flawed_over_a_proposed_kernel_change(tmp_path):
    # round 21-mail-b: Manfred Spraul's second reply on LTP shmget02 in compat mode (2023),
    # his own earlier verdict quoted ("Thus I think the test case is flawed:") over Arnd
    # Bergmann's quoted ipc/shm.c proposal
    report = triage_read(tmp_path, (
        REPORTS / "lkft-ltp-shmget02-compat-shmmax-test-flawed-maintainer-reply.txt").read_text())
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}
    # second text: his first reply, the verdict in his own (unquoted) words right under the
    # quoted kernel diff he declines ("I would consider this as ugly")
    report = triage_read(tmp_path, (
        CLASSES / "shmget02-compat-test-case-flawed-first-reply.txt").read_text())
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}
