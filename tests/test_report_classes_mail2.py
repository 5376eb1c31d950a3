"""Classes of people's mail excerpts held-out round 12-mail got wrong (tests/fixtures/reports/
README.md, "Round 12-mail"), each tested on a second real text worded differently from the
report that showed it:

- cow's own "[INFO] detected THP size: 2048 KiB" (6.1-6.8) / "[INFO] detected PMD size: 2048
  KiB" (6.9+) / "[INFO] huge zeropage is enabled" say the kernel has THP; a case failing at its
  MADV_HUGEPAGE / MADV_NOHUGEPAGE step beside such a line is madvise() refused (a kernel without
  CONFIG_ADVISE_SYSCALLS), not missing THP - and without such a line the same messages stay
  THP that could not be had;
- a paste that ends inside a kernel WARNING splat (a review quoting the run up to the trace) is
  an excerpt: a WARNING does not stop the test, so the plan's later cases are not results a
  crash took ("output-truncated"); an Oops/BUG with the test's SIGSEGV still is. No second
  paste ending inside a WARNING was found in the lists' archives, so the test pairs the review
  with a real BUG report (the other side of the line).
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage

REPORTS = Path(__file__).parent / "fixtures" / "reports"

# David Hildenbrand's reply on duplicate test names in mm selftests (linux-kselftest, 2024; the
# lfdr.de list mirror), the first lines of his pasted "sudo ./cow" run on a 6.9+ kernel: the
# PMD-size wording, no failure.
COW_PMD_SIZE_RUN = (
    "$ sudo ./cow\n"
    "TAP version 13\n"
    "# [INFO] detected PMD size: 2048 KiB\n"
    "# [INFO] detected THP size: 16 KiB\n"
    "# [INFO] detected THP size: 32 KiB\n"
    "# [INFO] detected hugetlb page size: 2048 KiB\n"
    "# [INFO] detected hugetlb page size: 1048576 KiB\n"
    "# [INFO] huge zeropage is enabled\n"
    "1..778\n"
    "# [INFO] Anonymous memory tests in private mappings\n"
    "# [RUN] Basic COW after fork() ... with base page\n"
    "ok 1 No leak from parent into child\n"
    "# [RUN] Basic COW after fork() ... with swapped out base page\n"
    "ok 2 No leak from parent into child\n"
    "...\n"
)


def test_cows_pmd_size_line_says_the_kernel_has_thp(tmp_path):
    code, report = triage(tmp_path, COW_PMD_SIZE_RUN)
    facts = report["environment"].get("facts", {})
    assert "detected PMD size: 2048 KiB" in facts.get("thp_built", "")
    assert report["verdict"] == "clean" and code == 0


def test_madv_hugepage_failed_beside_cows_thp_line_is_madvise_refused(tmp_path):
    text = (REPORTS / "cow-madv-nohugepage-failed-advise-syscalls-reply.txt").read_text()
    _, report = triage(tmp_path, text)
    causes = {(f["category"], f["cause"]) for f in report["findings"]}
    assert causes == {("config", "madvise-enosys")}
    assert "CONFIG_ADVISE_SYSCALLS" in report["findings"][0]["explanation"]


def test_madv_hugepage_failure_without_a_thp_line_stays_thp_unavailable(tmp_path):
    # Li Wang's patch mail (2025): ksm_tests' "MADV_HUGEPAGE: Invalid argument" and khugepaged's
    # "Reading PMD pagesize failed" on a kernel without THP - no line says THP is there.
    text = (REPORTS / "ksm-thp-disabled-rt-kernel.txt").read_text()
    _, report = triage(tmp_path, text)
    causes = {f["cause"] for f in report["findings"]}
    assert "thp-unavailable" in causes and "madvise-enosys" not in causes
    assert "thp_built" not in report["environment"].get("facts", {})


def test_a_paste_ending_in_a_warning_is_an_excerpt_not_a_crash(tmp_path):
    text = (REPORTS / "split-huge-page-test-anon-large-folio-warning-review.txt").read_text()
    _, report = triage(tmp_path, text)
    causes = {f["cause"] for f in report["findings"]}
    assert causes == {"kernel-warning"}
    assert not [r for r in report["results"] if r["status"] == "missing"]
    assert any("covers 2 of the 20" in n for n in report["environment"]["notes"])


def test_a_bug_with_the_tests_segfault_still_cuts_the_run(tmp_path):
    # David Hildenbrand, linux-mm 2022-12-01: cow on x86-pae, "kernel BUG at
    # include/linux/swapops.h:497!" after "Segmentation fault".
    text = (REPORTS / "cow-x86-pae-swapops-bug-migration-entries.txt").read_text()
    _, report = triage(tmp_path, text)
    causes = {f["cause"] for f in report["findings"]}
    assert "kernel-oops" in causes and "output-truncated" in causes


# Darrick J. Wong's reply on the XFS btree split worker (linux-xfs, Jan 2021; the lfdr.de list
# mirror, read through the search tool): the indented oops he pasted (its lines unmodified, from
# ' BUG:' to '---[ end trace'), its module list naming xfs, overlay and nfsv4, its registers.
XFS_INDENTED_OOPS = REPORTS.parent / "classes" / "xfs-indented-oops-djwong-2021.txt"


def test_an_indented_oops_records_are_no_prose(tmp_path):
    # The module list names no filesystem the test ran on and registers are no commits (the
    # LoongArch report's "... failover fuse" list read as fuse, its stack words as commits).
    _, report = triage(tmp_path, XFS_INDENTED_OOPS.read_text())
    env = report["environment"]
    assert env.get("fs") is None
    assert "ffffc9000311b8a8" not in env.get("facts", {}).get("commits", "")
    assert "kernel-oops" in {f["cause"] for f in report["findings"]}
