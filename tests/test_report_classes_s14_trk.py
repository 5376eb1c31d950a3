"""The classes session 14's tracker round (24-trk) and the held-out misses of session 13 fixed,
each tested on a second real text worded differently:

- a library OS, emulator, sandbox or recorder saying in prose that it lacks a call or a flag:
  "Gramine' support for `madvise(..., MADV_DONTNEED)` is only partially implemented"
  (gramine #1469), "Qemu's syscall emulation is simply not complete" (systemd #31219),
  "elfuse currently reports the syscall as unimplemented" (sysprog21/elfuse #213), "execution
  of syscall unsupported by rr" (rr #2852), "The problem is actually in qemu-user-static"
  (docker/for-mac #6409), "In gVisor we don't implement ...", "I think it should probably be
  reported to qemu" (docker/for-mac #6106), "please report a bug against qemu" - the environment
  (emulator-too-old), also over the rules its wrong answer looks like (EROFS opening a /proc
  file qemu-user emulates is no read-only filesystem);
- a library OS that runs the program in an SGX enclave (Gramine/Graphene, Occlum, Mystikos,
  SGX-LKL) is a system call translation layer: ENOSYS under it ("could not create shared memory
  segment: Function not implemented", occlum #622) is the layer's, not a kernel built without
  an option;
- the files only a kernel with hugetlb has, found missing ("sysctl: cannot stat
  /proc/sys/vm/nr_hugepages: No such file or directory" on OrbStack's VM kernel, orbstack #419;
  "/proc/meminfo no longer reports Hugepagesize" on Docker Desktop 4.26.1, docker/for-mac
  #7117): a kernel built without CONFIG_HUGETLB_PAGE (kernel-config-missing), not an old kernel
  (kernel-feature-missing); and "X no longer reports Y" states a failure, so such an issue is
  read, not refused;
- an Outlook reply's quoted header block ("-----Original Message-----" or a rule of underscores
  over From:/Sent:/To:/Subject:) heads the quoted message inside the body, not the file's own
  headers: a pasted reply is read as text, not as one mail with no log;
- (mini-round 24-trk-b) rr's own assertion that the kernel accepted what rr refuses ("Expected
  EINVAL for 'madvise' but got result 0 (errno SUCCESS); unknown madvise(20)", rr #3702;
  "Expected ENOSYS for 'userfaultfd' but got result -22", rr #2852) is the recorder lacking the
  call or the argument (emulator-too-old), its abort the tool's;
- QEMU's user mode named as people write it ("via QEMU user-mode emulation", "under QEMU 8.2.9
  linux-user", bootc #1481; binfmt's registered qemu, "tonistiigi/binfmt:qemu-v6.1.0",
  tonistiigi/binfmt #72) is a translation layer: its ENOSYS is the emulator's;
- a test's own check said to die where it should answer no ("So the condition panics instead of
  returning false", youki #3730; "the test crashes instead of skipping") is the test's, and "on
  a kernel without hugepages" makes it a missing probe (test-wrong-feature-probe); not a kernel
  that "panics instead of returning an error".
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import cause_ids, triage, triage_file
from test_report_classes_s10_trk import _layer
from test_report_variants import outlook_reply

from harness.readers.diagnosis import EMULATOR_OLD, _without_marker
from harness.readers.mbox import looks_like_mail
from harness.readers.statements import TEST_SIDE
from harness.readers.unread_failures import states_failure

FIXTURES = Path(__file__).parent / "fixtures"
CLASSES = FIXTURES / "classes"
REPORTS = FIXTURES / "reports"


def _categories(report: dict) -> set[str]:
    return {f["category"] for f in report["findings"]}


def test_an_emulator_or_library_os_saying_it_lacks_a_call_is_the_environment():
    said = [
        # gramine #1469 (held out, session 13)
        "Gramine' support for `madvise(..., MADV_DONTNEED)` is only partially implemented.",
        # systemd #31219: systemd-nspawn booting an arm64 image under qemu-user-static
        ("This isn't systemd's fault. Qemu's syscall emulation is simply not complete there's "
         "nothing we can do about this on our end please report a bug against qemu instead of "
         "systemd."),
        # sysprog21/elfuse #213
        ("elfuse currently reports the syscall as unimplemented, and the process later exits "
         "with `139`."),
        # rr #2852
        ("-> Assertion `t->regs().syscall_result_signed() == -syscall_state.expect_errno' failed "
         "to hold. Expected ENOSYS for 'userfaultfd' but got result -22 (errno EINVAL); execution "
         "of syscall unsupported by rr"),
        # docker/for-mac #6409
        "The problem is actually in qemu-user-static that is used to execu",
        # the failure sent to the emulator: docker/for-mac #6106, systemd #31219
        ("Thank you for the detailed bug report, but I think it should probably be reported to "
         "qemu."),
        "please report a bug against qemu instead of systemd.",
    ]
    for sentence in said:
        assert _without_marker(sentence) == EMULATOR_OLD, sentence
    # ... not the kernel's support, nor an emulator merely named
    for sentence in ("The kernel's support for hugetlb is incomplete.",
                     "The problem is in the kernel, not in QEMU's TCG.",
                     "We run the tests under QEMU.",
                     "This should be fixed in the kernel, not in QEMU."):
        assert _without_marker(sentence) != EMULATOR_OLD, sentence


def test_the_partial_support_issue_and_the_emulators_own_answer_are_the_environment():
    gramine = triage_file(
        REPORTS / "gramine-libos-madvise-dontneed-partial-node-v8-check-failed-issue.txt")
    assert cause_ids(gramine) == {"emulator-too-old"}
    # qemu-user's /proc emulation opens /proc/self/stat through the read-only root: the EROFS
    # is the emulator's, as the thread says, not a read-only filesystem under the test
    report = triage_file(REPORTS / "docker-desktop-qemu-user-amd64-proc-self-stat-erofs-issue.txt")
    assert cause_ids(report) == {"emulator-too-old"}, report["findings"]
    systemd = triage_file(
        CLASSES / "systemd-nspawn-qemu-user-syscall-emulation-not-complete-issue.txt")
    assert cause_ids(systemd) == {"emulator-too-old"}


def test_enosys_under_a_library_os_is_the_layer_not_the_kernels_configuration():
    report = triage_file(REPORTS / "occlum-postgres-shmget-function-not-implemented-issue.txt")
    assert cause_ids(report) == {"emulator-too-old"}
    assert _categories(report) == {"env"}


def test_missing_hugetlb_files_are_a_kernel_built_without_hugetlb():
    orbstack = triage_file(
        REPORTS / "orbstack-container-no-proc-sys-vm-nr-hugepages-kernel-issue.txt")
    assert cause_ids(orbstack) == {"kernel-config-missing"}
    assert states_failure("Starting with Docker Desktop for Mac 4.26.1, `/proc/meminfo` no "
                          "longer reports `Hugepagesize`.")
    docker = triage_file(
        REPORTS / "docker-desktop-4261-meminfo-no-hugepagesize-tbb-assert-issue.txt")
    assert cause_ids(docker) == {"kernel-config-missing"}
    assert _categories(docker) == {"config"}


def test_an_outlook_reply_is_text_whose_quoted_header_block_is_no_mail_header(tmp_path):
    # a real Outlook reply on linux-kselftest (2022-09-13, a rule of underscores over
    # From:/Sent:/To:/Cc:/Subject:, then the quoted assertion)
    reply = CLASSES / "proc-pid-vm-outlook-reply-original-header-block.txt"
    assert not looks_like_mail(str(reply), reply.read_bytes()[:4096])
    report = triage_file(reply)
    assert [r["status"] for r in report["results"]] == ["crash"]
    # the numactl issue pasted under Outlook's "-----Original Message-----" block is read as
    # itself: its strace's ENOSYS and the maintainer's CONFIG_NUMA
    text = (REPORTS / "numactl-get-mempolicy-enosys-no-config-numa-strace-issue.txt").read_text()
    wrapped = outlook_reply(text).encode()
    assert not looks_like_mail("reply.txt", wrapped[:4096])
    _, wrapped_report = triage(tmp_path, wrapped.decode())
    assert cause_ids(wrapped_report) == {"kernel-config-missing"}
    # a message's own headers at the top are still a mail, Outlook's quoted block below or not
    assert looks_like_mail("m.txt", b"From: a@b\nTo: c@d\nSubject: x\n\n" + wrapped)


def test_rrs_own_assertion_is_the_recorder_lacking_the_call():
    for name in ("rr-madvise-cold-pageout-unsupported-args-assertion-issue",
                 "rr-record-userfaultfd-unsupported-assertion-issue"):
        report = triage_file(REPORTS / f"{name}.txt")
        assert cause_ids(report) == {"emulator-too-old"}, name
        assert _categories(report) == {"env"}, name


def test_qemu_user_mode_as_people_write_it_is_a_translation_layer():
    assert _layer("# Bootc container lint fails on ARM64 containers via QEMU user-mode emulation "
                  "(errno 38)") == "QEMU user mode"
    assert _layer("I traced this failure to cap-std-ext relying directly on openat2() for "
                  "open_dir_noxdev(), under QEMU 8.2.9 linux-user, openat2() returns "
                  "ENOSYS") == "QEMU user mode"
    assert _layer("docker run --privileged --rm tonistiigi/binfmt:qemu-v6.1.0 --install "
                  "all") == "QEMU user mode"
    # qemu-system boots a Linux kernel: no translation layer
    assert _layer("qemu-system-aarch64 -M virt -cpu max -kernel Image") is None
    for name in ("bootc-lint-arm64-qemu-user-openat2-enosys-errno-38-issue",
                 "binfmt-qemu-6-1-aarch64-regression-pthread-create-enosys-issue"):
        assert cause_ids(triage_file(REPORTS / f"{name}.txt")) == {"emulator-too-old"}, name


def test_a_tests_check_that_panics_instead_of_answering_no_is_the_test():
    assert TEST_SIDE.search("So the condition panics instead of returning false, and "
                            "`handle.join().unwrap()` in `test_manager.rs:82` takes the main "
                            "thread down with it.")
    assert TEST_SIDE.search("The test crashes instead of skipping on kernels without THP.")
    assert not TEST_SIDE.search("The kernel panics instead of returning an error.")
    issue = triage_file(
        REPORTS / "youki-contest-panics-no-sys-kernel-mm-hugepages-orbstack-issue.txt")
    assert issue["verdict"] == "test-bug"
    assert "test-wrong-feature-probe" in cause_ids(issue)


def test_a_flattened_tap_run_from_a_web_copy_is_cut_back_into_records(tmp_path):
    """A web archive's copy of the flattened hugetlb_dio run (Donet Tom's reply, 2024): quote
    marks escaped as "&gt; " and non-breaking spaces between the words are still the paragraph's
    quote marks and spaces - its "not ok N" records are read, not lost."""
    reports = Path(__file__).parent / "fixtures" / "reports"
    text = (reports / "hugetlb-dio-free-count-flattened-paste-reply.txt").read_text()
    web = tmp_path / "web.txt"
    web.write_text("\n".join("&gt;\u00a0" + line.replace(" ", "\u00a0") if line else "&gt;"
                             for line in text.splitlines()) + "\n")
    failed = [r for r in triage_file(web)["results"]
              if r["status"] == "fail" and "Huge pages not freed" in (r.get("message") or "")]
    assert len(failed) >= 4, failed
