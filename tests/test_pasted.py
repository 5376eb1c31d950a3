"""Reports as people paste them: excerpts, quoting, CI layouts, command output.

Real texts: tests/fixtures/pasted/*.txt, each with a .toml beside it saying where it comes from,
who diagnosed it and what the answer is. Excerpts of this project's own captures
(tests/fixtures/logs/host-*) are made here with the tools people use (grep -B1, head, a mail
client's quoting), so the full run they come from is known.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.model import LogLine
from harness.readers.paste import normalise

PASTED = Path(__file__).parent / "fixtures" / "pasted"
LOGS = Path(__file__).parent / "fixtures" / "logs"
ENOENT_LOG = LOGS / "host-strace-inject-ftruncate-enoent.log"  # every ftruncate fails
LOCAL_9P_LOG = LOGS / "lead-strace-inject-9p-local-tmpfile.log"  # only 'local tmpfile' fails


def triage(path: Path, tmp_path: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    code = main(["triage", str(path), "--json", str(out), *args])
    return code, json.loads(out.read_text())


def causes(report: dict) -> dict[str, str]:
    return {f["cause"]: f["category"] for f in report["findings"]}


def statuses(report: dict) -> set[str]:
    return {r["status"] for r in report["results"]}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def grep_b1_not_ok(source: Path) -> str:
    """What `./gup_longterm | grep -B1 "not ok"` shows of a run (the fixture's header dropped)."""
    body = "".join(line for line in source.read_text().splitlines(keepends=True)
                   if not line.startswith("# fixture:"))
    done = subprocess.run(["grep", "-B1", "not ok"], input=body, capture_output=True, text=True,
                          check=True)
    return done.stdout


@pytest.mark.parametrize("name", sorted(p.stem for p in PASTED.glob("*.txt")))
def test_real_pasted_reports_get_the_maintainers_answer(name, tmp_path):
    meta = tomllib.loads((PASTED / f"{name}.toml").read_text())
    args = ["--fs", meta["fs"]] if "fs" in meta else []
    code, report = triage(PASTED / f"{name}.txt", tmp_path, *args)
    assert causes(report).get(meta["cause"]) == meta["category"], report["findings"]
    assert "kernel-bug" not in causes(report).values()
    assert code == (1 if meta["category"] in ("kernel-bug", "unknown") else 0)


def test_quoted_wrapped_strace_excerpt_is_read_without_the_loader(tmp_path):
    # The seed thread's strace: five levels of '>' and lines re-wrapped by mail clients.
    code, report = triage(PASTED / "seed-thread-strace-9p-fvp.txt", tmp_path, "--fs", "9p")
    calls = {(r["syscall"], r["errno"]) for r in report["results"]}
    assert calls == {("fstatfs", "EOPNOTSUPP"), ("ftruncate", "ENOENT")}
    assert causes(report) == {"9p-unlinked-file": "env"}
    assert any("no execve line" in n for n in report["environment"]["notes"])
    assert code == 0


def test_grep_excerpt_is_not_a_crash_and_says_what_it_covers(tmp_path):
    text = "$ ./gup_longterm | grep -B1 \"not ok\"\n" + grep_b1_not_ok(LOCAL_9P_LOG)
    code, report = triage(write(tmp_path, "mail.txt", text), tmp_path, "--fs", "9p")
    assert statuses(report) == {"fail"}  # 10 failures shown, no 'missing', no 'crash'
    assert len(report["results"]) == 10
    assert causes(report) == {"9p-unlinked-file": "env"}
    note = next(n for n in report["environment"]["notes"] if "excerpt covers" in n)
    assert "it was filtered" in note and "'--'" in note
    assert code == 0


def test_quoted_head_of_a_run_ending_mid_test_is_incomplete_not_crashed(tmp_path):
    lines = [line for line in ENOENT_LOG.read_text().splitlines()
             if not line.startswith("# fixture:")]
    cut = next(i for i, line in enumerate(lines) if line.startswith("# [RUN]") and i > 20)
    quoted = "".join(f"> {line}\n" for line in lines[:cut + 1]) + "> [...]\n"
    _, report = triage(write(tmp_path, "reply.txt", "On Tue, X wrote:\n" + quoted),
                          tmp_path)
    assert "missing" not in statuses(report) and "crash" not in statuses(report)
    assert "kernel-bug" not in causes(report).values()
    note = next(n for n in report["environment"]["notes"] if "excerpt covers" in n)
    assert re.search(r"covers \d+ of the 50 results gup_longterm planned", note)
    assert "nothing shows a crash" in note


def test_output_stopping_after_run_while_the_console_goes_on_is_still_a_crash(tmp_path):
    lines = [line for line in ENOENT_LOG.read_text().splitlines()
             if not line.startswith("# fixture:")]
    cut = next(i for i, line in enumerate(lines) if line.startswith("# [RUN]") and i > 20)
    text = "\n".join(lines[:cut + 1]) + "\n[   57.100000] random: crng reseeded\n/ # \n"
    _, report = triage(write(tmp_path, "console.log", text), tmp_path)
    assert causes(report).get("output-truncated") == "kernel-bug"


def test_runner_exit_139_is_a_killed_process_not_a_kernel_bug(tmp_path):
    text = "TAP version 13\n1..1\n# selftests: mm: cow\nnot ok 1 selftests: mm: cow # exit=139\n"
    code, report = triage(write(tmp_path, "ci.txt", text), tmp_path)
    assert causes(report) == {"process-killed": "unknown"}
    assert report["results"][0]["suite"] == "cow"
    assert code == 1


def test_runner_exit_127_alone_is_a_binary_that_could_not_start(tmp_path):
    text = "not ok 14 selftests: mm: gup_longterm # exit=127\n"
    code, report = triage(write(tmp_path, "lkft.txt", text), tmp_path)
    assert causes(report) == {"binary-cannot-start": "env"}
    assert code == 0


def test_run_vmtests_blocks_without_tap_become_whole_binary_results(tmp_path):
    # run_vmtests.sh's own layout (6.5-6.12 without -t tap): header, output, verdict, SUMMARY.
    text = ("-----------------------\nrunning ./gup_longterm\n-----------------------\n"
            "./gup_longterm: error while loading shared libraries: liburing.so.2: cannot open "
            "shared object file: No such file or directory\n[FAIL]\n"
            "-----------\nrunning ./cow\n-----------\n"
            "please enable CONFIG_USERFAULTFD\n[SKIP]\n"
            "SUMMARY: PASS=0 SKIP=1 FAIL=1\n")
    code, report = triage(write(tmp_path, "vmtests.txt", text), tmp_path)
    by_suite = {r["suite"]: (r["status"], r["cause"]) for r in report["results"]}
    assert by_suite == {"gup_longterm": ("fail", "missing-shared-library"),
                        "cow": ("skip", "kernel-config-missing")}
    assert any("SUMMARY: PASS=0 SKIP=1 FAIL=1" in n for n in report["environment"]["notes"])
    assert code == 0


def test_kernel_release_is_read_from_uname_and_banner(tmp_path):
    text = ("$ uname -r\n6.9.0-rc3-00042-gabcdef\n$ ./cow\nTAP version 13\n1..1\n"
            "# [RUN] Basic COW after fork() ... with base page\nok 1 No leak from parent into "
            "child\n# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n")
    _, report = triage(write(tmp_path, "u.txt", text), tmp_path)
    assert report["environment"]["kernel_release"] == "6.9.0-rc3-00042-gabcdef"
    assert report["environment"]["kernel_version"] == "6.9.0"
    assert report["verdict"] == "clean"


def test_code_fence_backticks_and_indentation_are_not_in_the_way(tmp_path):
    body = grep_b1_not_ok(LOCAL_9P_LOG).splitlines()[:5]
    text = "Output:\n\n```\n" + "\n".join("    " + line for line in body) + "\n```\n"
    _, report = triage(write(tmp_path, "issue.md", text), tmp_path, "--fs", "9p")
    assert [r["number"] for r in report["results"]] == [3, 8]
    assert causes(report) == {"9p-unlinked-file": "env"}


def test_wrapped_mainline_result_line_is_joined(tmp_path):
    # mainline prints the name on the result line; a mail client breaks it at 72 columns
    text = ("> # [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with local\n"
            "> tmpfile\n"
            "> # ftruncate() failed (No such file or directory)\n"
            "> not ok 3 R/W longterm GUP pin in MAP_SHARED file mapping ... with local\n"
            "> tmpfile\n")
    _, report = triage(write(tmp_path, "m.txt", text), tmp_path)
    (result,) = report["results"]
    assert result["config"] == "local tmpfile" and result["errno"] == "ENOENT"


# --- whole threads ---------------------------------------------------------------------------

THREADS = Path(__file__).parent / "fixtures" / "threads"


def seed_thread_mbox(tmp_path: Path, gz: bool = False) -> Path:
    """tests/fixtures/threads/seed-thread.mbox (see its .toml: three messages from real texts),
    or a gzipped copy of it as lore's mbox.gz."""
    import gzip

    path = THREADS / "seed-thread.mbox"
    if not gz:
        return path
    packed = tmp_path / "thread.mbox.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    return packed


def test_patch_only_thread_is_not_a_kernel_bug(tmp_path):
    code, report = triage(THREADS / "thread-patch-only.mbox", tmp_path)
    assert report["results"] == [] and report["findings"] == []
    assert any("inside the diff are code" in n for n in report["environment"]["notes"])
    assert code == 0


def test_thread_findings_say_which_message_posted_the_evidence(tmp_path):
    code, report = triage(seed_thread_mbox(tmp_path), tmp_path, "--fs", "9p")
    runs = {r["run"] for r in report["results"]}
    assert runs == {"message 1", "message 2"}  # nothing from the patch (message 3)
    second = [r for r in report["results"] if r["run"] == "message 2"]
    failed = [r for r in second if r["status"] == "fail"]
    assert len(second) == 50 and len(failed) == 10
    # the strace attachment of message 2 gives the errno of its log's failures
    assert {(r["syscall"], r["errno"], r["cause"]) for r in failed} == {
        ("ftruncate", "ENOENT", "9p-unlinked-file")}
    evidence = next(f for f in report["findings"] if f["cause"] == "9p-unlinked-file")["evidence"]
    assert any("message 2 (harness test" in e.get("source", "") for e in evidence)
    assert "kernel-bug" not in causes(report).values()
    assert code == 0


def test_gzipped_thread_reads_the_same(tmp_path):
    _, plain = triage(seed_thread_mbox(tmp_path), tmp_path, "--fs", "9p")
    _, packed = triage(seed_thread_mbox(tmp_path, gz=True), tmp_path, "--fs", "9p")
    assert plain["summary"] == packed["summary"] and plain["verdict"] == packed["verdict"]


def test_mail_reply_to_the_message_that_posted_the_log(tmp_path):
    reply = tmp_path / "reply.txt"
    code = main(["triage", str(seed_thread_mbox(tmp_path)), "--fs", "9p", "--mail", str(reply)])
    text = reply.read_text()
    head, body = text.split("\n\n", 1)
    headers = dict(line.split(": ", 1) for line in head.splitlines() if not line[0].isspace())
    assert headers["In-Reply-To"] == "<seed-thread-2@placeholder.invalid>"
    assert "<e7af023f-39cd-4aa4-aa13-dd6aabea4cdf@arm.com>" in head  # the real thread
    assert "<20240404143308.2224141-1-ryan.roberts@arm.com>" in head
    assert headers["Subject"].startswith("Re: [PATCH v2 0/4]")
    assert not headers["Subject"].startswith("Re: Re:")
    assert headers["To"] == "harness test <test@example.org>"
    assert body.startswith("On Wed, 10 Apr 2024 09:00:00 +0000, harness test wrote:\n> ")
    assert "> not ok 3 ftruncate() failed" in body
    after_quote = body.split("\n\n", 1)[1]
    assert after_quote.startswith("None of the failures points at the kernel")
    # Quoted lines are the message's own lines, unwrapped; everything else fits 72 columns.
    assert all(len(line) <= 72 for line in text.splitlines() if not line.startswith(">"))
    assert "> 17549 ftruncate(3, 4096)                = -1 ENOENT (No such file or directory)" \
        " (INJECTED)\n" in text
    assert code == 0


def test_thread_messages_are_not_taken_for_filesystems(tmp_path, capsys):
    main(["triage", str(seed_thread_mbox(tmp_path))])
    out = capsys.readouterr().out
    assert "fs: unknown" in out.splitlines()[0] + out.splitlines()[1]
    assert "[message 1] strace 1, 2; [message 2] gu" in out  # column width: the cause's name


# --- versions and cross-checks ----------------------------------------------------------------

COW_VMSPLICE_OLD = (  # cow before the hugetlb vmsplice cases became XFAIL: a plain 'not ok'
    "# [RUN] vmsplice() + unmap in child ... with hugetlb (2048 kB)\n"
    "not ok 41 No leak from parent into child\n")


def test_old_cow_wording_of_the_hugetlb_vmsplice_leak_is_the_known_issue(tmp_path):
    _, report = triage(write(tmp_path, "cow.txt", COW_VMSPLICE_OLD), tmp_path, "--suite", "cow")
    assert causes(report) == {"hugetlb-vmsplice-cow": "known-issue"}


def test_swap_missing_is_contradicted_by_swapped_out_cases_that_passed(tmp_path):
    # Lines as 6.12's cow prints them (tests/fixtures/logs/host-tmpfs-cow.log wording).
    text = ("# [RUN] Basic COW after fork() ... with swapped out base page\n"
            "ok 1 No leak from parent into child\n"
            "# [RUN] Basic COW after fork() ... with swapped-out THP (2048 kB)\n"
            "ok 2 # SKIP MADV_PAGEOUT did not work, is swap enabled?\n")
    _, report = triage(write(tmp_path, "cow.txt", text), tmp_path, "--suite", "cow")
    (skip,) = [r for r in report["results"] if r["status"] == "skip"]
    assert skip["cause"] == "pageout-failed-with-swap" and skip["category"] == "unknown"
    assert "swap" in skip["explanation"]


def test_rule_version_range_uses_the_kernel_the_log_names(tmp_path):
    # gup_longterm's io_uring errno bug is a selftests bug from 6.5 on: a report that says
    # the selftests are older cannot have it.
    body = ("# [RUN] io_uring fixed buffer with MAP_SHARED file mapping ... with tmpfile\n"
            "ok 1 # SKIP io_uring_register_buffers() failed\n"
            "# [RUN] io_uring fixed buffer with MAP_PRIVATE file mapping ... with tmpfile\n"
            "ok 2 Should have worked\n")
    _, new = triage(write(tmp_path, "a.txt", body), tmp_path, "--suite", "gup_longterm",
                    "--fs", "xfs", "--tmp-fs", "xfs", "--kernel-version", "6.12.5")
    assert causes(new).get("iouring-stale-errno") == "test-bug"
    assert "this run: 6.12" in new["findings"][0]["explanation"]
    _, old = triage(write(tmp_path, "b.txt", "$ uname -r\n6.4.0-rc2\n" + body), tmp_path,
                    "--suite", "gup_longterm", "--fs", "xfs", "--tmp-fs", "xfs")
    assert old["environment"]["kernel_release"] == "6.4.0-rc2"
    assert "iouring-stale-errno" not in causes(old)
    explanation = old["findings"][0]["explanation"]
    assert "predate 6.5" in explanation


def test_filesystem_named_in_the_prose_is_used_one_confidence_level_lower(tmp_path):
    body = grep_b1_not_ok(LOCAL_9P_LOG)
    text = "I run gup_longterm from a 9p share on the FVP:\n\n" + body
    _, said = triage(write(tmp_path, "a.txt", text), tmp_path)
    _, given = triage(write(tmp_path, "b.txt", body), tmp_path, "--fs", "9p")
    assert said["environment"]["fs"] == "9p" and said["environment"]["fs_source"] == "text"
    assert causes(said) == causes(given) == {"9p-unlinked-file": "env"}
    rank = ["high", "medium", "low"]
    assert rank.index(said["findings"][0]["confidence"]) >= rank.index(
        given["findings"][0]["confidence"])
    assert any("taken from the text" in n for n in said["environment"]["notes"])


def test_two_filesystems_in_the_prose_name_none(tmp_path):
    text = ("Fails on 9p; with NFS the issues are gone.\n\n" + grep_b1_not_ok(LOCAL_9P_LOG))
    _, report = triage(write(tmp_path, "c.txt", text), tmp_path)
    assert "fs" not in report["environment"]
    assert "env" not in causes(report).values()  # no filesystem, no strace: stays unknown


# --- summaries, runner layouts, causes outside the filesystem --------------------------------

def test_indented_run_vmtests_summary_cases_and_reasons(tmp_path):
    # The layout of the run_vmtests.sh summaries posted to linux-mm ("TOP-LEVEL SUMMARY", one
    # [PASS]/[SKIP]/[FAIL] line per binary, failing or skipped cases indented below with '#'
    # reasons); the case names and reasons are cow's and run_vmtests.sh's own.
    text = ("TOP-LEVEL SUMMARY: PASS=2 SKIP=1 FAIL=1\n\n"
            "[PASS] gup_longterm\n"
            "[SKIP] test_vmalloc.sh smoke\n"
            "\t# Test requires test_vmalloc kernel module which isn't present\n"
            "[FAIL] cow\n"
            "\t[FAIL] vmsplice() + unmap in child ... with hugetlb\n"
            "\t[FAIL] vmsplice() + unmap in parent after fork() ... with hugetlb\n"
            "\t\t# Above are known issues for vmsplice + hugetlb\n"
            "\t[SKIP] Basic COW after fork() ... with swapped-out, PTE-mapped THP\n"
            "\t\t# Above all skipped due to \"MADV_PAGEOUT did not work, is swap enabled?\"\n"
            "\t\t# swap is enabled though\n"
            "[PASS] khugepaged\n")
    code, report = triage(write(tmp_path, "summary.txt", text), tmp_path)
    got = {(r["suite"], r["status"], r["cause"]) for r in report["results"]}
    assert got == {("gup_longterm", "pass", None), ("khugepaged", "pass", None),
                   ("test_vmalloc.sh", "skip", "kernel-config-missing"),
                   ("cow", "fail", "hugetlb-vmsplice-cow"),
                   ("cow", "skip", "pageout-failed-with-swap")}
    assert not any("excerpt covers" in n for n in report["environment"]["notes"])
    assert code == 1  # the page-out skip with swap enabled points at the kernel


def test_user_space_fault_on_the_console_is_not_a_kernel_oops(tmp_path):
    # An LKFT log's mlock-random-test lines (next-20250606, regressions.linaro.org report):
    # the kernel only reports a user process's general protection fault.
    text = ("running ./mlock-random-test\n---------------------------\nTAP version 13\n1..2\n"
            "[  311.408456] traps: mlock-random-te[21661] general protection fault "
            "ip:7f63210dbf0f sp:7ffdff6fca28 error:0 in libc.so.6[adf0f,7f6321056000+165000]\n"
            "[FAIL]\nnot ok 23 mlock-random-test # exit=139\n")
    code, report = triage(write(tmp_path, "lkft.txt", text), tmp_path)
    assert "kernel-bug" not in causes(report).values()
    assert causes(report).get("process-segfault") == "unknown"
    assert causes(report).get("process-killed") == "unknown"
    assert "missing" not in statuses(report)
    assert code == 1


def test_flattened_runner_verdicts_with_gaps_are_not_missing_tests(tmp_path):
    # The same LKFT report's gup_longterm/cow lines: runner verdicts 14 and 50 with nothing
    # between them, and the loader's message wrapped by the mail.
    text = ("running ./gup_longterm\n----------------------\n"
            "./gup_longterm: error while loading shared libraries: liburing.so.2:\n"
            "cannot open shared object file: No such file or directory\n[FAIL]\n"
            " not ok 14 gup_longterm # exit=127\n\n"
            "./cow: error while loading shared libraries: liburing.so.2: cannot\n"
            "open shared object file: No such file or directory\n[FAIL]\n"
            "not ok 50 cow # exit=127\n")
    code, report = triage(write(tmp_path, "lkft.txt", text), tmp_path)
    assert {(r["suite"], r["status"]) for r in report["results"]} == {("gup_longterm", "fail"),
                                                                      ("cow", "fail")}
    assert causes(report) == {"missing-shared-library": "env"}
    assert code == 0


def test_nfs_large_folio_skips_and_silly_rename_bail_out(tmp_path):
    # split_huge_page_test on an NFS root (linux-mm, 2024-03-04, Aishwarya TCV's CI log; the
    # thread concluded the test must use a local XFS image instead of the NFS rootfs).
    text = ("Logs from our CI with rootfs over nfs:\n\n"
            "# # TAP version 13\n# # 1..5\n"
            "# # ok 1 Split huge pages successful\n"
            "# # ok 2 Split PTE-mapped huge pages successful\n"
            "# # ok 3 File-backed THP split test done\n"
            "# # # No large pagecache folio generated, please provide a filesystem\n"
            "supporting large folio\n"
            "# # ok 4 # SKIP Pagecache folio split skipped\n"
            "# # ok 5 # SKIP Pagecache folio split skipped\n"
            "# # Bail out! cannot remove tmp dir: Directory not empty\n")
    code, report = triage(write(tmp_path, "nfs.txt", text), tmp_path, "--suite",
                          "split_huge_page_test")
    assert causes(report) == {"fs-no-large-folio": "env", "nfs-silly-rename-tmpdir": "test-bug"}
    assert code == 0


def test_counted_failures_that_are_not_shown_keep_the_verdict_from_clean(tmp_path):
    # The "Before:" output in David Hildenbrand's 'selftests: mm: cow: flag vmsplice() hugetlb
    # tests as XFAIL' (linux-kselftest, 2024-05-02): counts, no failing test named.
    text = ("Before:\n\t$ ./cow\n\t[...]\n\tBail out! 8 out of 778 tests failed\n"
            "\t# Totals: pass:769 fail:8 xfail:0 xpass:0 skip:1 error:0\n\t$ echo $?\n\t1\n")
    code, report = triage(write(tmp_path, "patch.txt", text), tmp_path)
    assert report["verdict"] == "unknown"
    assert any("counts 8 failures but the input shows none" in n
               for n in report["environment"]["notes"])
    assert code == 1


def test_unexplained_failures_in_a_bisected_report_are_a_kernel_regression(tmp_path):
    # Mark Brown's mkdirty report (linux-kselftest, 2025-11-19), nested run_vmtests output.
    body = ("# # TAP version 13\n# # 1..3\n"
            "# # # [INFO] Page migration\n"
            "# # not ok 1 SIGSEGV generated, page not modified\n"
            "# # # [INFO] PTE-mapping a THP\n"
            "# # not ok 2 SIGSEGV generated, page not modified\n"
            "# # ok 3 # SKIP __NR_userfaultfd failed\n"
            "# # Bail out! 2 out of 3 tests failed\n"
            "# # # Totals: pass:0 fail:2 xfail:0 xpass:0 skip:1 error:0\n"
            "# not ok 61 mkdirty # exit=1\n")
    said = ("There is also a bisection for the mm mkdirty selftest which runs into the same "
            "patch:\n\n")
    _, plain = triage(write(tmp_path, "a.txt", body), tmp_path, "--suite", "mkdirty")
    _, bisected = triage(write(tmp_path, "b.txt", said + body), tmp_path, "--suite", "mkdirty")
    assert "kernel-regression" not in causes(plain)
    assert causes(bisected).get("kernel-regression") == "kernel-bug"


def test_thp_pageout_skips_are_the_zero_thp_test_bug_only_on_kernels_with_the_change(tmp_path):
    # 6.12's cow wording; the known change is b1f202060afe (6.12), fixed in the selftest in
    # January 2025 (lore: 20250107142555.1870101-1-ryan.roberts@arm.com).
    text = ("# [RUN] Basic COW after fork() ... with swapped out base page\n"
            "ok 1 No leak from parent into child\n"
            "# [RUN] Basic COW after fork() ... with swapped-out THP (2048 kB)\n"
            "ok 2 # SKIP MADV_PAGEOUT did not work, is swap enabled?\n")
    path = write(tmp_path, "cow.txt", text)
    _, new = triage(path, tmp_path, "--suite", "cow", "--kernel-version", "6.12.5")
    _, old = triage(path, tmp_path, "--suite", "cow", "--kernel-version", "6.6.30")
    _, unknown = triage(path, tmp_path, "--suite", "cow")
    assert causes(new) == {"cow-pageout-zero-thp": "test-bug"}
    assert causes(old) == {"pageout-failed-with-swap": "unknown"}
    assert causes(unknown) == {"pageout-failed-with-swap": "unknown"}
    named = write(tmp_path, "named.txt", "After commit b1f202060afe the cow cases skip:\n" + text)
    _, said = triage(named, tmp_path, "--suite", "cow")
    assert causes(said) == {"cow-pageout-zero-thp": "test-bug"}


def test_a_failed_behaviour_check_is_the_kernels(tmp_path):
    # mkdirty on sparc64 (linux-mm, 2023): the test ran and the kernel let the write through.
    text = ("\tTAP version 13\n\t1..2\n\t# [INFO] PTRACE write access\n"
            "\tnot ok 1 SIGSEGV generated, page not modified\n"
            "\t# [INFO] PTRACE write access to THP\n\tok 2 SIGSEGV generated, page not modified\n")
    path = write(tmp_path, "sparc.txt", text)
    _, report = triage(path, tmp_path, "--suite", "mkdirty")
    assert causes(report) == {"kernel-behaviour-fail": "kernel-bug"}
    # (selftests newer than the kernel: tests/test_triage.py, the version-gap case)


def test_madv_hugepage_einval_is_thp_missing_from_the_config(tmp_path):
    # Li Wang's ksm_tests report (linux-mm, 2025): a kernel without CONFIG_TRANSPARENT_HUGEPAGE.
    text = ("  # -----------------------------\n  # running ./ksm_tests -H -s 100\n"
            "  # -----------------------------\n  # ksm_tests: MADV_HUGEPAGE: Invalid argument\n"
            "  # [FAIL]\n  not ok 1 ksm_tests -H -s 100 # exit=2\n")
    _, report = triage(write(tmp_path, "ksm.txt", text), tmp_path)
    assert causes(report) == {"thp-unavailable": "config"}


def test_runner_timeout_after_a_missing_helper_is_the_helper_not_a_hang(tmp_path):
    # charge_reserved_hugetlb.sh without write_to_hugetlbfs (linux-kselftest, 2024): it waits
    # for a reservation until run_vmtests.sh's TIMEOUT.
    text = ("```\n -----------------------------------------------\n"
            " running ./charge_reserved_hugetlb.sh -cgroup-v2\n"
            " -----------------------------------------------\n Method is 0\n"
            " >>> write_hugetlb_memory.sh: line 22: ./write_to_hugetlbfs: No such file or "
            "directory <<<\n"
            " Waiting for hugetlb memory reservation to reach size 10485760.\n 0\n\n"
            " not ok 1 selftests: mm: run_vmtests.sh # TIMEOUT 180 seconds\n"
            " make[3]: Leaving directory '/linux/tools/testing/selftests/mm'\n```\n")
    _, report = triage(write(tmp_path, "t.txt", text), tmp_path)
    assert causes(report) == {"helper-missing": "test-bug"}
    (r,) = report["results"]
    assert r["status"] == "timeout" and "make[3]" not in r["message"]


def test_failed_calls_in_other_programs_output_are_read(tmp_path):
    # LTP's mmap1 on a kata 9p share (kata-containers issue, 2019) and a Python traceback from
    # fakemachine's 9p share (go-debos/fakemachine issue): the same 9p unlinked-file cause.
    ltp = "mmap1.c:99: BROK: mmap(0x7f1169bfe000,1024,3,1,3,0) failed: ENOENT\n"
    py = ("Traceback (most recent call last):\nFile \"/build/repro.py\", line 7, in <module>\n"
          "os.ftruncate(tmp_obj.fileno(), 1024)\n"
          "FileNotFoundError: [Errno 2] No such file or directory\n")
    for name, text, call in (("ltp.txt", ltp, "mmap"), ("py.txt", py, "ftruncate")):
        _, report = triage(write(tmp_path, name, text), tmp_path, "--fs", "9p")
        (r,) = report["results"]
        assert (r["syscall"], r["errno"], r["cause"]) == (call, "ENOENT", "9p-unlinked-file")


def test_perror_continuation_and_a_read_only_filesystem(tmp_path):
    # hugetlb_dio on a read-only filesystem (linux-kselftest, 2024): perror() put the strerror
    # on its own line after "Bail out! Error opening file".
    text = "TAP version 13\n1..4\nBail out! Error opening file\n: Read-only file system (30)\n"
    code, report = triage(write(tmp_path, "ro.txt", text), tmp_path, "--suite", "hugetlb_dio")
    assert causes(report) == {"fs-read-only": "env"}
    assert code == 0


RUN = """  # ./gup_longterm
  TAP version 13
  1..2
  # [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd
  ok 1 Should have worked
  # [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with tmpfile
  {second} 2 Should have worked
  # Totals: pass:{passed} fail:{failed} xfail:0 xpass:0 skip:0 error:0
"""


def test_one_binary_quoted_twice_is_two_runs_not_one_with_wrong_totals(tmp_path):
    # "Before the patch: ... After the patch: ...": the second run's results are not more
    # results of the first, so neither Totals line disagrees and no test bug is made up.
    text = ("Before the patch:\n\n" + RUN.format(second="not ok", passed=1, failed=1)
            + "\nAfter the patch:\n\n" + RUN.format(second="ok", passed=2, failed=0))
    _code, report = triage(write(tmp_path, "mail.txt", text), tmp_path)
    assert [(s["name"], s["totals"]["pass"]) for s in report["suites"]] == [
        ("gup_longterm", 1), ("gup_longterm (run 2)", 2)]
    runs = {(r["suite"], r["number"]): r["status"] for r in report["results"]}
    assert runs == {("gup_longterm", 1): "pass", ("gup_longterm", 2): "fail",
                    ("gup_longterm (run 2)", 1): "pass", ("gup_longterm (run 2)", 2): "pass"}
    assert "output-totals-mismatch" not in causes(report)


def test_lines_padded_with_trailing_spaces_are_not_joined_as_wrapped():
    # A cover letter whose every line an editor padded to 81 columns (riscv hugetlbfs v3,
    # linux-arm-kernel, 2019): after one real join the padding must not make each following
    # short line look like the rest of a wrapped one.
    pad = "{:<81}".format
    lines = [pad("A paragraph that is long enough to have been wrapped by the mail client, it"),
             pad("continues here."),
             pad("map_high_truncate_2 (2M: 64):  PASS"),
             pad("misaligned_offset (2M: 64):    PASS (inconclusive)")]
    out = [x.text for x in normalise(LogLine(i, t, "mail") for i, t in enumerate(lines, 1))]
    assert len(out) == 3, out
    assert out[1].startswith("map_high_truncate_2") and out[2].startswith("misaligned_offset")
