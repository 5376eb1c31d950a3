"""A runner's ``ok`` over a test whose own output shows it dying: the verdict is the script's.

The kselftest runner prints ``ok N selftests: memfd: run_hugetlbfs_test.sh`` when the script it
ran exited 0 - and a wrapper script exits with the status of its last command (a clean-up step),
whatever its tests did before. Its output then shows the tests dying while the runner says ok:
"fchmod(...) didn't fail as expected", "./run_hugetlbfs_test.sh: line 60: 97095 Aborted
(core dumped) ./memfd_test hugetlbfs", "Aborted (core dumped)" (Mirsad Todorovac on 6.7-rc8:
memfd selftests "are actually counted as ok, but they give errors and/or hang", 2024; the
script's lost exit status was fixed only in 2026: "this test will be considered as passed
regardless the sub tests results", Po-Hsu Lin). Such a result is no pass: it becomes a crash
of the test (the process aborted), quoting the output's own lines, and nothing more is
concluded from it - nobody said why the process died.

Only a process's death the shell or the C library reports counts (abort, segfault, bus error,
illegal instruction, "(core dumped)"), in the output nested under that very result; a failure
line without it may be a check the test expects to fail.
"""

from __future__ import annotations

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

# bash's job report ("./run.sh: line 60: 97095 Aborted  (core dumped) ./memfd_test hugetlbfs"),
# or the plain line a shell prints for its child ("Aborted (core dumped)", "Segmentation fault")
DIED = lazy(
    r"(?:^|[\s#:])(?:Aborted|Segmentation fault|Bus error|Illegal instruction|"
    r"Floating point exception|Trace/breakpoint trap)(?:\s+\(core dumped\)|\s*$)|"
    r": line \d+: +\d+ (?:Aborted|Segmentation fault|Bus error|Illegal instruction)\b")
# what else the output says failed, quoted beside the death (named, never concluded from)
FAILED = lazy(r"\bdidn'?t fail as expected\b|\bfailed\b[^\n]{0,60}:\s+[A-Z][a-z]+(?:\s+[a-z]+)*"
              r"\s*$|\bfailed to\b")
MAX_QUOTED = 3


def _quoted(lines: list[LogLine]) -> list[str]:
    said = [ln.text.lstrip("# \t").strip() for ln in lines
            if DIED.search(ln.text) or FAILED.search(ln.text)]
    return list(dict.fromkeys(said))[:MAX_QUOTED]


def reopen(results: list[Result]) -> list[str]:
    """Turn each runner ``ok`` whose nested output shows the test process dying into that
    process's crash; the note for each."""
    notes = []
    for r in results:
        if r.status is not Status.PASS or not r.name.endswith("(whole binary)"):
            continue
        died = next((ln for ln in r.diagnostics if DIED.search(ln.text)), None)
        if died is None:
            continue
        quoted = _quoted(r.diagnostics)
        said = "; ".join(repr(q) for q in quoted)
        verdict = r.result_line.text.strip() if r.result_line else "ok"
        r.status = Status.CRASH
        r.message = (f"the runner printed {verdict!r}, but the test's own output shows the "
                     f"process aborted: {said}")
        notes.append(f"{r.suite}: the runner said ok (its script's exit status), but the "
                     f"output nested under it shows a process dying (L{died.line}: "
                     f"{died.text.strip()[:80]!r}): read as that test's crash, not a pass")
    return notes
