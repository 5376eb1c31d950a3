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
    assert re.search(r"covers \d+ results of the 50 planned", note)
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
    assert by_suite == {"gup_longterm": ("fail", "binary-cannot-start"),
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
