"""Hostile inputs stay cheap and give sane answers (their timings: bench/bad_inputs.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness.model import LogLine, Status
from harness.readers.ingest import parse_lines
from harness.readers.ktap import MADE_UP_BUDGET, KselftestParser
from harness.readers.logread import MAX_LINE, read_texts, strip_nesting
from harness.readers.strace import MAX_CARRY, Syscall, decode_c_string, written_lines
from harness.report.mail import fill, quote

ROOT = Path(__file__).resolve().parent.parent


def lines(text: str) -> list[LogLine]:
    return [LogLine(i, t, "x.log") for i, t in enumerate(text.splitlines(), 1)]


def parse(text: str):
    parser = KselftestParser("cow")
    results = [r for line in lines(text) for r in parser.feed(line)]
    return results + parser.finish(), parser


def test_numbering_gaps_make_up_a_bounded_number_of_missing_results():
    results, parser = parse("TAP version 13\n1..5\n"
                            + "".join(f"ok {i * 1001} t{i}\n" for i in range(1, 201)))
    made_up = [r for r in results if r.status is Status.MISSING]
    assert len(results) - len(made_up) == 200
    assert len(made_up) <= MADE_UP_BUDGET
    gaps = [a for s in parser.suites for a in s.anomalies if a[0] == "numbering-gap"]
    assert len(gaps) == 200  # every gap is still said


def test_repeated_huge_plans_are_not_promises_to_materialise():
    results, parser = parse("TAP version 13\n" + "1..999999999\nok 1 a\n" * 2000)
    assert sum(r.status is Status.PASS for r in results) == 2000
    assert sum(r.status is Status.MISSING for r in results) <= MADE_UP_BUDGET
    assert {s.planned for s in parser.suites} == {999999999}


def test_a_million_nesting_prefixes():
    assert strip_nesting("# " * 1_000_000 + "ok 1 x") == (1_000_000, "ok 1 x")
    assert strip_nesting("# # #") == (3, "")
    assert strip_nesting("ok 1") == (0, "ok 1")


def test_partial_writes_keep_a_bounded_carry():
    carry: list[str] = []
    call = Syscall(100, "write", '1, "# partial", 9', "9", None, LogLine(1, ""))
    for _ in range(3 * MAX_CARRY):
        assert list(written_lines(call, carry)) == []
    assert len(carry) == MAX_CARRY
    done = Syscall(100, "write", '1, " end\\n", 5', "5", None, LogLine(2, ""))
    [line] = list(written_lines(done, carry))
    assert line.startswith("# partial# partial") and line.endswith(" end") and carry == []


def test_bad_strace_escapes_are_kept_as_written():
    assert decode_c_string(r"a\x41\n") == "aA\n"
    assert decode_c_string(r"\x \xZZ \9 \777") == "\\x \\xZZ \\9 \u01ff"


def test_files_are_tracked_per_process():
    text = ('100 openat(AT_FDCWD, "/work/a", O_RDWR|O_CREAT, 0600) = 3\n'
            '100 unlink("/work/a") = 0\n'
            "200 ftruncate(3, 4096) = -1 ENOENT (No such file or directory)\n"
            "100 ftruncate(3, 4096) = -1 ENOENT (No such file or directory)\n")
    calls = [c for c in parse_lines(lines(text), "s.strace").syscalls if c.name == "ftruncate"]
    other, own = calls
    assert (other.pid, other.unlinked, other.path) == (200, False, None)
    assert (own.pid, own.unlinked, own.path) == (100, True, "/work/a")
    forked = ('100 openat(AT_FDCWD, "/work/a", O_RDWR|O_CREAT, 0600) = 3\n'
              "100 clone(child_stack=NULL, flags=SIGCHLD) = 300\n"
              '100 unlink("/work/a") = 0\n'
              "300 ftruncate(3, 4096) = -1 ENOENT (No such file or directory)\n")
    [child] = [c for c in parse_lines(lines(forked), "s.strace").syscalls if c.name == "ftruncate"]
    assert child.unlinked and child.path == "/work/a"  # inherited fds are the parent's files


def test_long_words_in_mail_are_wrapped_in_bounded_rows():
    rows = fill("x" * 200_000 + " tail", indent="  ")
    assert all(len(r) <= 72 for r in rows) and rows[-1].endswith("tail")
    quoted = quote(LogLine(7, "y" * 2_000_000, "a.log"))
    assert len(quoted) == 3 and all(len(r) <= 72 for r in quoted)


def test_a_file_without_newlines_is_read_in_bounded_memory(tmp_path):
    sparse = tmp_path / "sparse.log"
    with sparse.open("wb") as handle:
        handle.truncate(512 << 20)  # 512 MiB of NULs, no newline, no disk
    texts = list(read_texts(str(sparse)))
    assert len(texts) == 1 and len(texts[0][1]) == 0  # NULs are dropped; at most MAX_LINE read
    probe = ("import resource, sys; from harness.cli.main import main; "
             f"main(['triage', {str(sparse)!r}]); "
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600, check=False)
    rss_kib = int(out.stdout.split()[-1])
    assert rss_kib < 200 * 1024 + 8 * MAX_LINE // 1024, rss_kib  # not the file's 512 MiB
