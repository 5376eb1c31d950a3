"""Session 14's confident wrong answers: the kernel test robot's bisect read as a kernel regression
where the bisected commit's own subject says it changes, on purpose, what the failing check tests.
From the robot's mail alone that is the test's to follow or the commit's to fix - an honest
unknown, or the intended-change rule's low-confidence test-bug - never a confident kernel-bug.

1. A subject that stops reading one value as another: "mm/mempolicy: don't handle MPOL_LOCAL like
   a fake MPOL_PREFERRED policy" over LTP mbind01's "Wrong policy: 1, expected: 4" (2021: the
   kernel now reports MPOL_LOCAL, kept; LTP accepted it) - "don't/no longer/stop treat, handle,
   report, count ... as/like": the intended-change rule (test-bug, low). No second robot mail
   with this wording was found in the stored pages.
2. A subject that changes which error a call returns - "fs/namespace: correctly handle errors
   returned by grab_requested_mnt_ns" (listmount04's expected EINVAL became EBADF, 2025) - or
   drops a check ("fs: don't block i_writecount during exec": creat07's "creat() succeeded
   unexpectedly", 2024, known from LTP's write-ups, its robot mail not stored) reads like a
   widening: under kirk's verdict-only "listmount04: fail" the bisect is no regression's proof
   (unknown); a test that says the call was expected refused is the intended-change rule's.
3. A widening commit whose object the failing check's own lines name: "proc/ksm: add ksm stats
   to /proc/pid/smaps" and proc-empty-vm's "test_proc_pid_smaps_rollup: Assertion `rv ==
   sizeof(g_smaps_rollup) - 1' failed" (2023: the test compared smaps_rollup with a fixed text,
   fixed to expect the new lines): a test expecting the old output fits as well as a regression
   (unknown). A widening commit whose object the failure does not name ("percpu_counter: add a
   cmpxchg-based _add_batch variant" under getrusage03's "initial.children = 0, expected
   102400", a real regression) stays kernel-regression.
4. A failed call printed under an LTP runner's header belongs to the test the header names:
   ltp-pan's "Test: mtest06_3 Testparm: mmap3 -x 0.002 -p" over "mkfile(): mkstemp(): Read-only
   file system" (2016), "Test: mtest05 Testparm: mmstress" over "map_and_thread(): open():
   Read-only file system" (2016), runltp's "tag=madvise07 stime=..." - not an anonymous
   "command" whose answer no reader of the test's name finds.
5. A runner's failed verdict on a whole binary whose own output lists its failed cases, verdict
   last: ftracetest's "[23] event filter function - test event filtering on functions [FAIL]"
   (LKFT, next-20230314; its "[106] (instance) ..." wrapped) and "[..] event trigger - test
   inter-event histogram trigger onchange action [FAIL]" (the kernel test robot, 2024), the net
   selftests' "TEST: rate test [FAIL]": the binary's result names them. Nothing is concluded.
6. A selftest-only patch whose message says the test assumed the platform ("We currently assume
   that the hugetlb page size is 2 MiB", hugetlb_fault_after_madv skipped on s390x, 2024; "it
   assumes a hugepagesize of 1M", hugepage-vmemmap on s390, already read) or probed a feature
   wrongly ("check these returned flags to see if the features are *actually* supported", the
   userfaultfd selftest on aarch64, 2021): the platform's own rules (no huge page of the size,
   an option the architecture lacks) give way - the test is what the patch changes (test-bug).
7. A lock refused with ENOLCK ("a remote locking protocol failed", man 2 fcntl) is no filesystem
   without locks: LTP nfslock01's strace "fcntl(3, F_SETLKW, ...) = -1 ENOLCK" under "lockd:
   cannot monitor" (2024, the thread split between the test's namespace setup and the kernel)
   and nfsd's flock ENOLCK on a 6.12 stable (fixed in nfsd): unknown, saying where to look -
   not env. ENOSYS/EOPNOTSUPP stay the filesystem's (fs-no-locks).
8. A pasted TAP run whose line breaks a mail client dropped ("./tools/testing/selftests/mm/
   hugetlb_dio TAP version 13 1..4 # No. Free pages before allocation : 0 # ... not ok 1 : Huge
   pages not freed! # ...", Donet Tom's reply, 2024; its re-send quoting it with "> ") is cut
   back into its records; the writer's run with the fix ("With this change the tests are
   passing." then the command and its run) is left out as a contrast; and the Totals lines of
   runs of one name (the reply's and the quoted patch's "Before:" run) are added up before they
   are compared with the results, no mismatch found where there is none.
9. (round 24-wrong-b) The robot's bisect to "fs: don't block i_writecount during exec" over a
   check that saw the call go through: creat07's "creat() succeeded unexpectedly" and the
   "TBROK: Test killed! (timeout?)" of its leftover child that follows it (that check's
   consequence, not a second failure), and execve04's "execve_child shouldn't be executed"
   ("shouldn't be executed/allowed/permitted" is a refusal the test expected): the
   intended-change rule (test-bug), as LTP's fix concluded. The same round's f2fs data check
   ("non-zero read at offset") and fcntl17's "deadlock not detected" stay kernel regressions.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import cause_ids, triage_file

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def _focus(report: dict, name: str) -> list[dict]:
    return [r for r in report["results"] if r["status"] != "pass"
            and any(name in r[k] for k in ("suite", "name", "message"))]


def test_a_commit_that_stops_handling_one_value_like_another_is_an_intended_change():
    report = triage_file(REPORTS / "lkp-ltp-mbind01-mpol-local-semantics-0day-branch.txt")
    picked = _focus(report, "mbind01")
    assert picked and {r["category"] for r in picked} == {"test-bug"}
    assert {r["cause"] for r in picked} == {"selftest-logic-bug"}
    assert "kernel-regression" not in cause_ids(report)


def test_an_error_handling_commit_under_a_verdict_only_failure_is_no_regression_proof():
    report = triage_file(REPORTS / "lkp-ltp-listmount04-kirk-mnt-id-req-spare-renamed.txt")
    assert report["verdict"] == "unknown"
    assert "kernel-regression" not in cause_ids(report)
    assert all(f["category"] != "kernel-bug" for f in report["findings"])


def test_a_widening_commit_whose_object_the_failed_assertion_names_is_not_a_regression():
    report = triage_file(
        REPORTS / "lkp-kselftest-proc-empty-vm-ksm-smaps-fields-test-fixup.txt")
    assert report["verdict"] == "unknown"
    assert "kernel-regression" not in cause_ids(report)
    assert all(f["category"] != "kernel-bug" for f in report["findings"])


def test_a_widening_commit_whose_object_the_failure_does_not_name_stays_a_regression():
    report = triage_file(REPORTS / "lkp-ltp-getrusage03-percpu-counter-batch-paren.txt")
    picked = _focus(report, "getrusage03")
    assert picked and {r["cause"] for r in picked} == {"kernel-regression"}
    assert report["verdict"] == "kernel-bug"


def test_a_failed_call_under_an_ltp_runner_header_is_that_tests():
    for path, test in (
            (REPORTS / "ltp-mtest06-3-mmap3-ignores-ltptmp-readonly-issue.txt", "mtest06_3"),
            (REPORTS / "ltp-mtest05-mmstress-cwd-readonly-tmpdir-issue.txt", "mtest05")):
        report = triage_file(path)
        failed = [r for r in report["results"] if r["status"] == "fail"]
        assert failed and {r["suite"] for r in failed} == {test}, path.name
        assert {r["category"] for r in failed} == {"test-bug"}, path.name


def test_a_whole_binary_failure_names_the_failed_cases_its_output_lists():
    report = triage_file(REPORTS / "lkft-ftrace-event-filter-function-fail-next.txt")
    binary = [r for r in report["results"] if r["status"] == "fail"]
    assert [r["name"] for r in binary] == ["ftracetest (whole binary)"]
    assert "event filter function - test event filtering on functions" in binary[0]["message"]
    assert "(instance)" in binary[0]["message"]  # the wrapped one, joined
    assert report["verdict"] == "unknown"  # nobody's diagnosis in the text
    other = triage_file(REPORTS / "lkp-kselftest-ftrace-event-trigger-selftest-commit-fixed-"
                                  "next-version-reply.txt")
    binary = [r for r in other["results"] if r["status"] == "fail"]
    assert "inter-event histogram trigger onchange action" in binary[0]["message"]
    assert "[PASS]" not in binary[0]["message"]


def test_a_selftest_patch_saying_the_test_assumed_the_platform_outranks_the_platform():
    report = triage_file(REPORTS / "hugetlb-fault-after-madv-s390x-1m-default-size-patch.txt")
    assert report["verdict"] == "test-bug"
    assert cause_ids(report) == {"selftest-logic-bug"}
    assert "hugetlb-pages-short" not in cause_ids(report)
    vmemmap = triage_file(REPORTS / "s390-hugepage-vmemmap-1m-hugepage-size-patch.txt")
    assert vmemmap["verdict"] == "test-bug"


def test_a_selftest_patch_that_probes_what_is_actually_supported_is_a_wrong_probe():
    report = triage_file(REPORTS / "userfaultfd-wp-aarch64-feature-detection-patch.txt")
    assert report["verdict"] == "test-bug"
    assert "test-wrong-feature-probe" in cause_ids(report)
    assert "arch-unsupported" not in cause_ids(report)
    # a feature the architecture lacks and no probe can tell, the tests now skipping on it,
    # stays the architecture's ("arm64 does not support the soft-dirty PTE bit ... tests in
    # madv_populate and soft-dirty which assume it is supported", 2023)
    arm64 = triage_file(REPORTS / "arm64-soft-dirty-skip-madv-populate-patch.txt")
    assert arm64["verdict"] == "config" and "arch-unsupported" in cause_ids(arm64)


def test_a_lock_refused_with_enolck_is_an_open_lock_protocol_failure_not_the_filesystem():
    report = triage_file(REPORTS / "ltp-nfslock01-nfsv3-lockd-enolck-strace-f.txt")
    assert report["verdict"] == "unknown"
    assert "fs-unsupported-operation" not in cause_ids(report)
    assert "nfs-lock-protocol-failed" in cause_ids(report)
    # ... and where the report names the kernel commit that made nfsd refuse it ("Upstream
    # commit 4cc9b9f2bf4d ... This causes NFS clients to see"), that commit's regression
    # (tests/test_report_classes_s14_ci.py)
    named = triage_file(REPORTS / "nfsd-flock-enolck-nfsd-permission-6.12-regression-mail.txt")
    assert named["verdict"] == "kernel-bug"
    assert "fs-unsupported-operation" not in cause_ids(named)


def test_a_flattened_tap_paste_is_read_as_its_records():
    for name in ("hugetlb-dio-free-count-flattened-paste-reply.txt",
                 "hugetlb-dio-free-count-test-regression.txt"):
        report = triage_file(REPORTS / name)
        failed = [r for r in report["results"] if r["status"] == "fail"]
        assert failed and all("Huge pages not freed!" in r["message"] for r in failed), name
        assert {r["cause"] for r in failed} == {"selftest-logic-bug"}, name
        # the writer's run with the fix applied is no result, and no Totals line disagrees
        assert not [r for r in report["results"] if "freed successfully" in r["message"]], name
        assert "output-totals-mismatch" not in cause_ids(report), name


def test_a_dropped_check_over_a_call_that_went_through_is_an_intended_change():
    for name, test in (("lkp-ltp-creat07-dont-block-i-writecount-next.txt", "creat07"),
                       ("lkp-ltp-execve04-dont-block-i-writecount-linus.txt", "execve04")):
        report = triage_file(REPORTS / name)
        picked = _focus(report, test)
        assert picked and {r["category"] for r in picked} == {"test-bug"}, name
        assert "kernel-regression" not in cause_ids(report), name
    for name in ("lkp-ltp-adsp069-f2fs-map-holes-dio-sparse-linus.txt",
                 "lkp-ltp-fcntl17-filelock-deadlock-detection-next.txt"):
        report = triage_file(REPORTS / name)
        assert report["verdict"] == "kernel-bug", name
        assert cause_ids(report) == {"kernel-regression"}, name
