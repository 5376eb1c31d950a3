"""Round 23-ci's classes (CI reports: LKFT, KernelCI, CKI, the kernel test robot) and the held-out
CI misses of session 12.

1. A runner's ``ok`` over a test whose own output shows the process dying: "ok 3 selftests:
   memfd: run_hugetlbfs_test.sh" under "./run_hugetlbfs_test.sh: line 60: 97095 Aborted (core
   dumped) ./memfd_test hugetlbfs" (Mirsad Todorovac, 2024: the script exits with its clean-up
   step's status, Po-Hsu Lin's fix of 2026). The result is that test's crash, the failing lines
   quoted, nobody's diagnosis: unknown, never clean. No second real text of this layout was found
   (the same output in Po-Hsu Lin's patch is its own class, a selftest fix); an ``ok`` whose
   output shows no death stays a pass.
2. x86's die() header capitalised: "Bad pagetable: 0009 [#1] SMP PTI" (pgtable_bad()), the only
   evidence of a kernel test robot mail on a posted mremap patch (2021) - a kernel crash, the
   bisected patch's regression; the mail was refused before.
3. A list of loaded modules names no filesystem the test ran on, wherever the line starts: a
   CI host's journal ("restraintd[830]: Modules Loaded ... nfsv3 nfs_acl nfs lockd", CKI 2019),
   a mail client's wrap of "Modules linked in:" leaving "crct10dif_ce fuse drm" on its own line
   (LKFT's preadv03 WARNING, 2023), nor does LTP's "tst_test.c:900: TINFO: Trying FUSE..." (one
   variant of an all-filesystems loop, the kernel test robot's LTP runs).
4. A reply naming the kernel change that brought the crash, in its own words, is the thread's
   bisect: "I gonna post an updated version of my patchset, which introduced the issue, with the
   fix merged" (Roman Gushchin on LKFT's cgroup test_core oops, 2023), "It looks like this is
   fallout from the LPA2 enablement" (Mark Rutland on LKFT's set_robust_list01 oops, 2023, read
   here without LKFT's BAD/Good tags): kernel-regression. Not when the change is a selftest's.
5. The maintainer taking the fix to the test suite: "it's just that test is taking longer than
   expected and hits timeout. I'll look into proposing LTP patch for this issue" (Jan Stancek on
   CKI's stable 5.4.14 LTP failure, 2020): test-bug.
6. A kernel crash the thread's maintainers suspect the emulator of, unconfirmed: "Supposedly TCG
   x86 is known 'funny' and if that's what you're using it would be very good to confirm the
   problem on x86 hardware" (Peter Zijlstra on LKFT's int3 oopses in LTP controllers, 2023):
   unknown (emulator-suspected), not kernel-bug. A thread that merely runs under TCG and bisects
   the crash (ppc e500 hugetlb, 2024) stays a kernel regression.
7. A reply showing "The offending code seems to be:" where that code is the test's own check (it
   calls the framework's failure reporting, ``ksft_exit_fail_msg("SP is not on sigaltstack")``
   under ``register unsigned long sp asm("sp")``: Andy Lutomirski on LKFT's sigaltstack bail-out
   with clang-16, 2023, "asm(\"sp\") is a horrible hack"): the test's bug. Code without a test
   framework call shown so (the kernel's) puts nothing on the test. No second real text found.
"""

from __future__ import annotations

import mailbox
import re
from pathlib import Path

from tests.test_report_classes import cause_ids as _causes
from tests.test_report_classes import triage_file, triage_mbox, triage_read

REPORTS = Path(__file__).parent / "fixtures" / "reports"

MEMFD_OK = REPORTS / "memfd-run-hugetlbfs-test-seal-exec-abort-fuse-unmount-no-reply.txt"


def test_a_runner_ok_over_an_aborted_test_is_that_tests_crash_not_a_pass():
    report = triage_file(MEMFD_OK)
    assert report["verdict"] == "unknown"
    crashed = [r for r in report["results"] if r["status"] == "crash"]
    assert [r["suite"] for r in crashed] == ["run_hugetlbfs_test.sh"]
    assert "Aborted" in crashed[0]["message"] and "(core dumped)" in crashed[0]["message"]
    assert "didn't fail as expected" in crashed[0]["message"]
    assert all(f["category"] != "kernel-bug" for f in report["findings"])


def test_a_runner_ok_whose_output_shows_no_death_stays_a_pass(tmp_path):
    text = MEMFD_OK.read_text()
    block = text[text.index("TAP version 13"):text.index("# timeout set to 45\n# selftests: "
                                                          "memfd: run_fuse_test.sh")]
    assert "ok 1 selftests: memfd: memfd_test" in block
    report = triage_read(tmp_path, block)
    assert report["verdict"] == "clean"


BAD_PAGETABLE = REPORTS / "lkp-ltp-cve-mremap-pmd-populate-ppc64-speedup-patch-bad-pagetable.txt"


def test_a_capitalised_die_header_is_a_kernel_crash_the_robots_bisect_names():
    report = triage_file(BAD_PAGETABLE)
    assert report["verdict"] == "kernel-bug"
    assert _causes(report) == {"kernel-regression"}


def test_the_die_header_alone_is_still_read(tmp_path):
    text = BAD_PAGETABLE.read_text()
    lines = [ln for ln in text.splitlines() if "Bad pagetable" in ln or "Call Trace" in ln
             or "RIP: 0010" in ln]
    report = triage_read(tmp_path, "\n".join(lines) + "\n")
    assert report["verdict"] == "kernel-bug"
    assert _causes(report) == {"kernel-oops"}


CKI_JOURNAL = REPORTS / "cki-ltp-oom01-systemd-v243-oompolicy-kills-harness-mail.txt"
PREADV03 = REPORTS / "lkft-ltp-preadv03-is-valid-gup-args-warning-next.txt"
TRYING_FUSE = REPORTS / "lkp-ltp-mbind01-mpol-local-semantics-0day-branch.txt"


def test_a_module_list_names_no_filesystem_the_test_ran_on():
    for path in (CKI_JOURNAL, PREADV03, TRYING_FUSE):
        report = triage_file(path)
        assert report["environment"].get("fs") is None, path.name
        notes = report["environment"].get("notes", [])
        assert not any("taken from the text" in n for n in notes), path.name


def test_a_filesystem_said_in_prose_is_still_taken(tmp_path):
    text = CKI_JOURNAL.read_text() + "\nThe LTP run used an NFS mount for its TMPDIR.\n"
    report = triage_read(tmp_path, text)
    assert report["environment"].get("fs") == "nfs"


CGROUP = REPORTS / "lkft-kselftest-cgroup-test-core-objcg-double-free-thread.mbox"
LPA2 = REPORTS / "lkft-ltp-set-robust-list01-qemu-arm64-lpa2-level-minus-1-fault-thread.mbox"


def test_a_reply_naming_the_patchset_that_introduced_the_crash_is_its_regression():
    report = triage_file(CGROUP)
    assert report["verdict"] == "kernel-bug"
    assert "kernel-regression" in _causes(report)
    assert "kernel-oops" not in _causes(report)


def test_fallout_from_a_named_kernel_change_is_its_regression(tmp_path):
    text = LPA2.read_text()
    assert "fallout from the LPA2 enablement" in text
    untagged = re.sub(r"(?m)^(?:> ?)*(?:BAD|Good): next-\d+\n", "", text)
    assert "BAD: next-" not in untagged
    report = triage_mbox(tmp_path, untagged)
    assert report["verdict"] == "kernel-bug"
    assert "kernel-regression" in _causes(report)


def test_a_selftest_change_that_introduced_it_is_no_kernel_regression(tmp_path):
    text = CGROUP.read_text().replace("my patchset, which introduced the issue",
                                      "my selftest patch, which introduced the issue")
    report = triage_mbox(tmp_path, text)
    assert "kernel-regression" not in _causes(report)


CKI_TIMEOUT = REPORTS / "cki-ltp-stable-5.4.14-timeout-safe-to-ignore-thread.mbox"


def _bodies(path: Path) -> str:
    """The thread's decoded text/plain bodies, one after the other (the CKI mails are base64)."""
    texts = []
    for message in mailbox.mbox(path):
        part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        texts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(texts)


def test_the_maintainer_taking_the_fix_to_ltp_is_the_tests():
    report = triage_file(CKI_TIMEOUT)
    assert report["verdict"] == "test-bug"
    assert _causes(report) == {"selftest-logic-bug"}


def test_a_patch_promised_for_the_kernel_is_not_the_tests(tmp_path):
    text = _bodies(CKI_TIMEOUT)
    assert "proposing LTP patch for this issue" in text
    assert triage_read(tmp_path, text)["verdict"] == "test-bug"
    kernel = text.replace("proposing LTP patch for this issue",
                          "proposing kernel patch for this issue")
    assert triage_read(tmp_path, kernel)["verdict"] != "test-bug"


CONTROLLERS = REPORTS / "lkft-ltp-controllers-x86-compat-alloc-pages-tcg-thread.mbox"
PPC_TCG = REPORTS / "ppc-e500-hugetlb-add-hstate-max-folio-order-thread.mbox"


def test_a_crash_the_maintainers_suspect_the_emulator_of_is_unknown():
    report = triage_file(CONTROLLERS)
    assert report["verdict"] == "unknown"
    assert _causes(report) == {"emulator-suspected"}
    assert "known 'funny'" in report["findings"][0]["explanation"]


def test_a_crash_merely_run_under_tcg_and_bisected_stays_a_regression():
    text = PPC_TCG.read_text()
    assert "tcg" in text
    report = triage_file(PPC_TCG)
    assert report["verdict"] == "kernel-bug"


SIGALTSTACK = REPORTS / "lkft-kselftest-sigaltstack-clang16-asm-sp-uninitialized-thread.mbox"
FAIL_CALL = 'ksft_exit_fail_msg("SP is not on sigaltstack\\n");'


def test_the_offending_code_shown_is_the_tests_own_check():
    report = triage_file(SIGALTSTACK)
    assert report["verdict"] == "test-bug"
    assert "selftest-logic-bug" in _causes(report)


def test_offending_code_without_a_test_check_is_not_the_tests(tmp_path):
    text = SIGALTSTACK.read_text()
    assert FAIL_CALL in text
    report = triage_mbox(tmp_path, text.replace(FAIL_CALL, "BUG();"))
    assert report["verdict"] != "test-bug"


# Mini-round 23-ci-b (measured after the classes above, before the ones below).
# 8. The kernel test robot's "ltp.fanotify22.fail" as the result when its mail shows no LTP line
#    of its own (the kirk runner's "fanotify22: fail | tainted", 2026): the failure it bisected
#    to a kernel commit, kernel-regression - as its kernel-selftests.* statistics always were.
#    No second real text of the kirk-only layout without a reply was found in the archives here.
# 9. A lockup (soft lockup, a task blocked, an RCU stall) in a report whose own conclusion puts
#    the failure on the test: "Not a 5.3 -stable regression. Failure comes from test that sanity
#    checks all /proc files ... It's slow and triggers soft lockups", "Agreed, I already sent a
#    patch to LTP to blacklist it" (Jan Stancek and Greg KH on CKI's LTP read_all, 2019):
#    test-bug, not a kernel crash. An Oops stays the kernel's.

FANOTIFY = REPORTS / "lkp-ltp-fanotify22-ext4-fserror-helpers-btrfs-no-verdict.txt"


def test_the_robots_ltp_statistic_is_the_result_it_bisected():
    report = triage_file(FANOTIFY)
    assert report["verdict"] == "kernel-bug"
    assert _causes(report) == {"kernel-regression"}
    assert [r["name"] for r in report["results"]] == ["fanotify22"]


READ_ALL = REPORTS / "cki-ltp-stable-5.3.9-rc1-read-all-regmap-not-regression-thread.mbox"


def test_a_lockup_the_thread_puts_on_the_test_is_the_tests():
    report = triage_file(READ_ALL)
    assert report["verdict"] == "test-bug"
    assert _causes(report) == {"selftest-logic-bug"}


def _replaced(path: Path, old: str, new: str, out: Path) -> Path:
    """The thread with ``old`` replaced by ``new`` in each message's decoded text/plain part."""
    box = mailbox.mbox(out)
    for message in mailbox.mbox(path):
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                body = part.get_payload(decode=True).decode("utf-8", "replace")
                del part["Content-Transfer-Encoding"]
                part.set_payload(body.replace(old, new), "utf-8")
        box.add(message)
    box.flush()
    return out


def test_an_oops_stays_the_kernels_whatever_the_thread_says(tmp_path):
    lockup = "watchdog: BUG: soft lockup - CPU#2 stuck for 22s!"
    assert lockup in _bodies(READ_ALL)
    same = _replaced(READ_ALL, lockup, lockup, tmp_path / "same.mbox")
    assert triage_file(same)["verdict"] == "test-bug"
    oops = _replaced(READ_ALL, lockup, "BUG: unable to handle page fault for address: "
                     "0000000000001234", tmp_path / "oops.mbox")
    assert triage_file(oops)["verdict"] == "kernel-bug"


# 10. (from the corpus' confident wrongs of the kind) The robot bisecting a failure told only by
#     its verdict (kirk's "fsmount02: fail") to a commit that adds something new ("mount: add
#     FSMOUNT_NAMESPACE", 2026: fsmount02's invalid flag was now valid): a test expecting the old
#     refusal fits as well as a regression - unknown, not kernel-bug. With the failure's own
#     line ("tst_device.c:190: TWARN: ioctl(/dev/loop0, LOOP_SET_STATUS ...", uevent01 on "fs:
#     add ioctl to query metadata ...", 2025) the bisect stands.

FSMOUNT = REPORTS / "lkp-ltp-fsmount02-kirk-new-flag-test-next.txt"
UEVENT = REPORTS / "lkp-ltp-uevent01-loop-set-status-einval-next.txt"


def test_a_widening_commit_over_a_bare_verdict_is_no_kernel_regression():
    report = triage_file(FSMOUNT)
    assert report["verdict"] == "unknown"
    assert "kernel-regression" not in _causes(report)


def test_a_widening_commit_over_the_failures_own_line_stays_a_regression():
    report = triage_file(UEVENT)
    assert report["verdict"] == "kernel-bug"
    assert _causes(report) == {"kernel-regression"}
