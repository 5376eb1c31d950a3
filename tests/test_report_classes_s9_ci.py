"""Round 18-ci's classes (CI summaries and CI result mails other than 0-day/LKP).

1. A kernel crash in a CI mail that says where the issue shows and where it does not is that
   range's regression, in the words IBM's Power CI uses: "Issue is seen on: next-20250212" /
   "Issue not seen on: next-20250210" (fstests generic/451, round 18-ci's report) or in a
   sentence that wraps: "This issue is introduced in next-20250506. This issue is not seen on
   \\nnext-20250505 kernel." - the second real text here (Venkat Rao Bagalkote, btrfs/001 under
   xfstests, 2025-05-07; Al Viro: "Braino in fs/btrfs/super.c patch", dropped from linux-next).
   Source in tests/fixtures/classes/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report_classes import triage_read

CLASSES = Path(__file__).parent / "fixtures" / "classes"
BTRFS = (CLASSES / "ibm-btrfs-001-oops-introduced-in-next-20250506.txt").read_text()
PAIR = ("This issue is introduced in next-20250506. This issue is not seen on \n"
        "next-20250505 kernel.\n")


def _causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


def test_the_wrapped_sentence_pair_names_the_range(tmp_path):
    assert PAIR in BTRFS
    report = triage_read(tmp_path, BTRFS)
    assert report["verdict"] == "kernel-bug"
    assert _causes(report) == {"kernel-regression"}


@pytest.mark.parametrize("pair", [
    "Issue is seen on: next-20250506\n\nIssue not seen on: next-20250505\n",
    "Problem observed on v6.15-rc5, not reproducible on v6.15-rc4\n",
    "The crash is not seen with 6.14.0 but the crash is seen with 6.15-rc1.\n",
])
def test_other_seen_on_wordings_name_the_range(tmp_path, pair):
    report = triage_read(tmp_path, BTRFS.replace(PAIR, pair))
    assert _causes(report) == {"kernel-regression"}


@pytest.mark.parametrize("pair", [
    "",  # no range
    "This issue is introduced in next-20250506.\n",  # one end only
    "This issue is not seen on x86 machines, only on Power.\n",  # not a build
    "The issue is seen on 4 of 10 runs; not seen on 6 of them.\n",  # counts, not builds
])
def test_without_both_builds_the_crash_is_only_an_oops(tmp_path, pair):
    report = triage_read(tmp_path, BTRFS.replace(PAIR, pair))
    assert report["verdict"] == "kernel-bug"
    assert _causes(report) == {"kernel-oops"}


# 2. fstests' own result lines are results: round 18-ci's btrfs CI issue was only
#    "generic/733       14s - output mismatch (see .../generic/733.out.bad)" with its indented
#    diff, and was refused. The second real text is older xfstests (no test directories, the
#    diff at the margin): openzfs/zfs #2976, "127\t - output mismatch (see 127.out.bad)"
#    (Brian Behlendorf, 2014; a zfs change made fsx's mmap mode read bad data).
ZFS = (CLASSES / "zfs-xfstests-127-fsx-mmap-output-mismatch.txt").read_text()
BTRFS_733 = (Path(__file__).parent / "fixtures" / "reports"
             / "btrfs-ci-fstests-generic-733-clone-reads-output-mismatch.txt").read_text()


def _failed(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["status"] == "fail"]


def test_an_old_fstests_mismatch_is_one_failure_with_its_diff(tmp_path):
    report = triage_read(tmp_path, ZFS)
    (fail,) = _failed(report)
    assert fail["name"] == "127" and fail["suite"] == "fstests"
    assert "READ BAD DATA" in fail["message"] and "-All operations completed" in fail["message"]
    assert report["verdict"] == "unknown"  # honest: the diff names no cause
    assert not any(r["status"] == "crash" for r in report["results"])


@pytest.mark.parametrize("prefix", ["", "> ", "    ", "    12\t", "[   12.054296] ",
                                    "2024-12-01T10:00:01.123Z ", "\u200b"])
def test_a_check_mismatch_block_is_read_however_it_is_pasted(tmp_path, prefix):
    text = "".join(prefix + line + "\n" for line in BTRFS_733.splitlines())
    report = triage_read(tmp_path, text)
    (fail,) = _failed(report)
    assert fail["name"] == "generic/733"
    assert "+clone finished before any reads" in fail["message"]
    assert report["verdict"] == "unknown"


def test_the_summary_and_not_run_lines_are_results_too(tmp_path):
    block = BTRFS_733.split("\n\n")[0].replace("```", "").strip()
    text = (f"{block}\n"
            "generic/123       [not run] this test requires a valid $SCRATCH_DEV\n"
            "generic/001 4s ...  5s\n"
            "Ran: generic/001 generic/123 generic/733 xfs/046\n"
            "Not run: generic/123\n"
            "Failures: generic/733 xfs/046\n"
            "Failed 2 of 4 tests\n")
    report = triage_read(tmp_path, text)
    status = {r["name"]: r["status"] for r in report["results"]}
    assert status == {"generic/733": "fail", "generic/123": "skip", "generic/001": "pass",
                      "xfs/046": "fail"}
    skip = next(r for r in report["results"] if r["name"] == "generic/123")
    assert "requires a valid $SCRATCH_DEV" in skip["message"]
