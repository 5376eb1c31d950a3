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
