"""A runner's failed verdict on a whole binary whose own output names the cases that failed,
each with its verdict last on its line: ftracetest's "[23] event filter function - test event
filtering on functions [FAIL]" (LKFT on next-20230314, 2023; "[106] (instance) ..." too, its
wrap joined), the net selftests' "TEST: ipv4 route add [FAIL]" / "[ FAIL ]". The binary's
result then says which cases failed, quoted, so a reader (and a focus on a case) finds them;
nothing more is concluded from the lines.
"""

from __future__ import annotations

from harness.lazy_regex import lazy
from harness.model import Result, Status

# "[23] name [FAIL]", "TEST: name   [FAIL]" (also "[ FAIL ]", ftracetest's "[UNRESOLVED]")
CASE_FAILED = lazy(r"^(?:\[\d+\]|TEST:)\s+(?P<name>\S.*?)\s+\[\s*(?:FAIL|UNRESOLVED)\s*\]\s*$")
MAX_NAMED = 5


def name_failed_cases(results: list[Result]) -> list[str]:
    """Add the failed cases a whole binary's output lists to its failed result's message; a
    note for each binary so named."""
    notes = []
    for r in results:
        if r.status is not Status.FAIL or not r.name.endswith("(whole binary)"):
            continue
        cases = [m.group("name") for d in r.diagnostics
                 if (m := CASE_FAILED.match(d.text.lstrip("# \t").strip()))]
        cases = list(dict.fromkeys(cases))
        if not cases:
            continue
        more = f" and {len(cases) - MAX_NAMED} more" if len(cases) > MAX_NAMED else ""
        r.message += f"; its failed cases: {'; '.join(cases[:MAX_NAMED])}{more}"
        notes.append(f"{r.suite}: the binary's own output lists {len(cases)} failed case(s) "
                     f"({cases[0][:60]!r}{' ...' if len(cases) > 1 else ''})")
    return notes
