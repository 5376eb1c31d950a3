"""Readers and cross-checks that the mm selftests' message table (tests/fixtures/mm_messages/)
showed missing, each on a real public text (the corpus fixtures named below)."""

from __future__ import annotations

from pathlib import Path

from tests.mm_messages import triage

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def lines_of(name: str, first: int, last: int) -> str:
    """Lines ``first``..``last`` (1-based) of a corpus report, unmodified."""
    return "\n".join((REPORTS / name).read_text().splitlines()[first - 1:last]) + "\n"


def test_a_whole_binary_skip_is_a_skip_with_its_reason(tmp_path):
    # hugetlb-dio-readonly-tmp-bailout (Muhammad Usama Anjum, 2024): ksft_exit_skip() before
    # any result prints "1..0 # SKIP why"; that is the binary's one result.
    text = lines_of("hugetlb-dio-readonly-tmp-bailout.txt", 18, 19)
    assert text.endswith("1..0 # SKIP Unable to allocate file: Read-only file system\n")
    [r] = triage(tmp_path, text)["results"]
    assert (r["status"], r["cause"]) == ("skip", "fs-read-only")


def test_a_plan_of_none_without_a_reason_is_no_result(tmp_path):
    assert triage(tmp_path, "TAP version 13\n1..0\nok 1 other\n")["results"][0]["status"] == "pass"


def test_a_tests_prose_starting_with_running_is_not_a_runner_header(tmp_path):
    # protection_keys.c (7.2): ksft_print_msg("running PKEY tests for unsupported CPU/OS\n")
    text = ("TAP version 13\n1..1\n# running PKEY tests for unsupported CPU/OS\n"
            "not ok 1 protection_keys\n")
    [r] = triage(tmp_path, text)["results"]
    assert (r["suite"], r["cause"]) == ("selftest", "arch-unsupported")


def test_an_unnamed_runs_totals_are_checked_against_its_own_results(tmp_path):
    # mkdirty-uffdio-copy-validate-range (Axel Rasmussen / David Hildenbrand, 2023): 5 passes
    # and 1 failure, Totals pass:5 fail:1 - no made-up "counted but not shown" failure, and no
    # "Totals disagree" finding.
    report = triage(tmp_path, (REPORTS / "mkdirty-uffdio-copy-validate-range.txt").read_text())
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [r["message"] for r in failed] == ["UFFDIO_COPY failed"]
    assert "output-totals-mismatch" not in {f["cause"] for f in report["findings"]}


def test_a_feature_a_passing_test_used_is_not_missing_from_the_kernel(tmp_path):
    # ksm-prctl-unused-args-weird-failures-reply (David Hildenbrand, 2023): the first run skips
    # with "PR_SET_MEMORY_MERGE not supported", the same text's later run passes "Setting/
    # clearing PR_SET_MEMORY_MERGE works": the kernel has it, the test's prctl() was wrong.
    report = triage(tmp_path, (REPORTS / "ksm-prctl-unused-args-weird-failures-reply.txt")
                    .read_text())
    skips = [r for r in report["results"] if r["message"] == "PR_SET_MEMORY_MERGE not supported"]
    assert skips and all(r["cause"] != "kernel-feature-missing" for r in skips)
    assert "Setting/clearing PR_SET_MEMORY_MERGE works" in skips[0]["explanation"]
    # the same skip lines alone: the kernel lacks it
    alone = lines_of("ksm-prctl-unused-args-weird-failures-reply.txt", 252, 262)
    assert "kernel-feature-missing" in {r["cause"] for r in triage(tmp_path, alone)["results"]}


def test_va_high_addr_switch_check_lines_are_results_beside_other_tap(tmp_path):
    # virtual-address-range-fedora-va-switch-reply (David Hildenbrand, Lorenzo Stoakes, 2026):
    # va_high_addr_switch's raw "mmap(...): 0x... - FAILED" lines and virtual_address_range's
    # TAP skip in one reply; "I couldn't even bisect to a working one" is no bisect.
    report = triage(tmp_path, (REPORTS / "virtual-address-range-fedora-va-switch-reply.txt")
                    .read_text())
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [r["suite"] for r in failed] == ["va_high_addr_switch"] * 3
    assert failed[1]["name"] == "mmap(high_addr, MAP_FIXED)"
    assert {r["category"] for r in failed} == {"unknown"}
    assert report["verdict"] == "unknown"


def test_a_selftests_bare_skip_line_is_a_skip_with_its_reason(tmp_path):
    # 6.1's userfaultfd.c and memfd_secret.c print their skip before any TAP (printf("skip: ...
    # "); return KSFT_SKIP), 6.12's uffd-unit-tests "..., skip all tests".
    for line, cause in [
            ("skip: Skipping userfaultfd test (missing __NR_userfaultfd)",
             "userfaultfd-unavailable"),
            ("skip: skipping memfd_secret test (missing __NR_memfd_secret)",
             "secretmem-unavailable"),
            ("Userfaultfd not supported or unprivileged, skip all tests",
             "userfaultfd-unavailable"),
            ("Please run this test as root", "not-root")]:  # 6.1 gup_test.c
        [r] = triage(tmp_path, line + "\n")["results"]
        assert (r["status"], r["cause"]) == ("skip", cause)


def test_prose_about_skipping_is_not_a_skip_result(tmp_path):
    text = "I am skipping the hugetlb cases for now, they need more memory than the VM has.\n"
    assert not [r for r in triage(tmp_path, text)["results"] if r["status"] == "skip"]


def test_cows_fallocate_not_supported_skip_is_the_filesystems(tmp_path):
    # cow.c since 6.13 (run_with_tmpfile): ksft_print_msg("fallocate() not supported by
    # filesystem\n") on EOPNOTSUPP, then the case's skip.
    text = ("TAP version 13\n1..1\n# [RUN] Basic COW after fork() ... with tmpfile\n"
            "# fallocate() not supported by filesystem\n"
            "ok 1 Basic COW after fork() ... with tmpfile # SKIP\n")
    [r] = triage(tmp_path, text)["results"]
    assert (r["syscall"], r["errno"], r["cause"]) == ("fallocate", "EOPNOTSUPP", "fs-no-fallocate")


def test_failed_to_allocate_huge_page_is_the_pool_only_in_a_hugetlb_test(tmp_path):
    # hugetlb_madv_vs_map.c and khugepaged.c print the same words: hugetlb's pool in the one,
    # THP in the other.
    def block(binary: str) -> str:
        rule = "# " + "-" * 20
        return (f"{rule}\n# running ./{binary}\n{rule}\n# TAP version 13\n# 1..1\n"
                "# not ok 1 Failed to allocate huge page\n# [FAIL]\n"
                f"not ok 1 {binary} # exit=1\n")
    causes = {r["cause"] for r in triage(tmp_path, block("hugetlb_madv_vs_map"))["results"]}
    assert "hugetlb-pages-short" in causes
    causes = {r["cause"] for r in triage(tmp_path, block("khugepaged"))["results"]}
    assert "hugetlb-pages-short" not in causes
