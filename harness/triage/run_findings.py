"""Findings about a run's output as a whole, from the rules about anomalies and crashes.

An anomaly of a selftest's output (a header twice, numbers that jump, a Totals line that
disagrees with the results) is a problem of the selftest or of the log; a crash excerpt on the
console is the kernel's (or a process's). What each one means is in harness/triage/rules/.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from harness.lazy_regex import lazy
from harness.model import Finding, LogLine, Result, Status, SuiteRun
from harness.readers.ingest import Parsed
from harness.readers.paste import MM_BINARIES
from harness.triage.rules import About, Fields, Rule, rules_about

MAX_EVIDENCE = 12
# What the console put before a crash's own words: a log level ("<4>"), dmesg -x's facility
# and level ("kern  :warn  : "), the printk stamp and the caller id ("[   10.087758] [ T175] ")
CONSOLE_PREFIX = lazy(r"^(?:<\d>)?(?:[a-z]+\s*:[a-z]+\s*:\s*)?(?:\[\s*\d+\.\d+\]\s*)?"
                      r"(?:\[\s*[CT]\d+\]\s*)?")
TOTALS_MISMATCH = "totals-mismatch"  # the anomaly kind counted here, not by the reader


def _finding(rule: Rule, fields: Fields, tests: list[str], evidence: list[LogLine]) -> Finding:
    return Finding(rule.category, rule.cause_of(fields), rule.confidence, tests,
                   rule.explain(fields, 1), evidence, rule.reference,
                   rule.action.format_map(fields), 1)


def _anomaly_rule(rules: tuple[Rule, ...], kind: str) -> Rule | None:
    return next((r for r in rules if not r.kind or kind in r.kind), None)


def anomaly_findings(suites: list[SuiteRun], results: list[Result],
                     rules: tuple[Rule, ...], counts: dict[str, Counter[str]] | None = None
                     ) -> list[Finding]:
    """Malformed or inconsistent output: a problem of the selftest (or of the log), not the kernel.

    ``counts`` (suite -> status -> results) stands for the results when they were not kept."""
    rules = rules_about(rules, About.ANOMALY)
    out = []
    counts = defaultdict(Counter, counts or {})
    for r in results:
        counts[r.suite][r.status.value] += 1
    # an unnamed run's results are the "selftest" suite's (the reader's suite_of)
    keys = [suite.name or ("" if "" in counts else "selftest") for suite in suites]
    for index, (suite, key) in enumerate(zip(suites, keys, strict=True)):
        seen = counts[key]
        found: list[tuple[str, LogLine | None, str]] = [
            (kind, line, "") for kind, line in suite.anomalies if kind != "fail-summary"
            and not (kind == "planned-mismatch" and seen["fail"])]
        runs = [s for s, k in zip(suites, keys, strict=True) if k == key]
        if keys.index(key) == index and (detail := _totals_mismatch(runs, seen)):
            found.append((TOTALS_MISMATCH, None, detail))
        for kind, where, detail in found:
            rule = _anomaly_rule(rules, kind)
            if rule is not None:
                fields = Fields(suite=suite.name or "The selftest", kind=kind, detail=detail)
                out.append(_finding(rule, fields, [suite.name or "?"],
                                    [where] if where else []))
    return out


def _totals_mismatch(runs: list[SuiteRun], seen: Counter[str]) -> str:
    """"fail 2 seen vs 3 reported, ..." when the Totals line disagrees with the results. The
    runs of one name (a reply's run and the quoted patch's "Before:" run of the same test,
    hugetlb_dio 2024) share their results' counts, so their Totals lines are added up; when
    one of them has no Totals line the sum says nothing."""
    if not runs or not all(r.totals for r in runs):
        return ""
    totals: Counter[str] = Counter()
    for run in runs:
        totals.update(run.totals)
    return ", ".join(f"{k} {seen[k]} seen vs {v} reported" for k, v in totals.items()
                     if k != "error" and seen[k] != v)


def crash_findings(parsed: list[Parsed], results: list[Result],
                   rules: tuple[Rule, ...], accel: str | None = None) -> list[Finding]:
    """One finding per crash excerpt on the console, named by the first rule its head matches.

    A rule about an accelerator (``accel``, e.g. TCG's int3 at boot) applies only when the run
    used it and went on: results were read after the crash."""
    went_on = any(r.status is not Status.CRASH for r in results)
    rules = tuple(r for r in rules_about(rules, About.CRASH)
                  if not r.accel or (accel in r.accel and went_on))
    crashed = [r.test_id for r in results if r.status is Status.CRASH] or ["(between tests)"]
    out, seen = [], set()
    # a crash already given to the results it explains (triage/crash_ci_ties.py) is theirs
    causes = {rule.id for rule in rules}
    told = {id(r.diagnosis.evidence[0]) for r in results if r.diagnosis is not None
            and r.diagnosis.evidence and r.diagnosis.cause in causes}
    for p in parsed:
        for excerpt in p.crashes:
            if not excerpt or id(excerpt[0]) in told:
                continue
            head = excerpt[0].text.strip()
            if head in seen:  # the same lines in a test's output and the console's crash.log
                continue
            seen.add(head)
            rule = next((r for r in rules if r.head is None or r.head.search(head)), None)
            if rule is not None:
                words = CONSOLE_PREFIX.sub("", head) or head  # what a reply quotes
                out.append(_finding(rule, Fields(head=words), list(crashed),
                                    _crash_evidence(p, excerpt)))
    return out


END_TRACE = "---[ end trace"
LEAD_IN_GAP = 2  # lines between two kernel lines of the same trace (a blank, a wrapped piece)


def _crash_evidence(parsed: Parsed, excerpt: list[LogLine]) -> list[LogLine]:
    """The lines that show a crash. An oops seen only from its last line ("---[ end trace
    d3fd392f569e86d3 ]---", its head cut from a reply's quote) is shown by the trace that ran
    up to it - from the first line of that unbroken run of kernel lines - not by the mail
    text after it."""
    head = excerpt[0]
    if END_TRACE not in head.text:
        return excerpt[:MAX_EVIDENCE]
    run: list[LogLine] = []
    for line in reversed([k for k in parsed.kernel_lines if k.line < head.line]):
        if (run[-1].line if run else head.line) - line.line > LEAD_IN_GAP:
            break
        run.append(line)
    run.reverse()
    return [*run[:MAX_EVIDENCE - 1], head] if run else excerpt[:MAX_EVIDENCE]


COMM = lazy(r"\bComm: (\S+)")
FAILED = frozenset({Status.FAIL, Status.ERROR, Status.CRASH})
TASK_COMM_LEN = 15  # the kernel's "Comm:" is the process name cut to 15 characters


def crash_ties(parsed: list[Parsed], results: list[Result]
               ) -> dict[int, tuple[list[Result], str]]:
    """id(excerpt) -> (the failed results of the process the crash names, its head): a
    WARNING whose "Comm: pagemap_ioctl" is the binary whose test failed was that test's.
    Results of an unnamed suite are the named mm binary's when the crash names one."""
    failing = [r for r in results if r.status in FAILED]
    ties: dict[int, tuple[list[Result], str]] = {}
    for p in parsed:
        for excerpt in p.crashes:
            comm = next((m.group(1) for line in excerpt[:16] if (m := COMM.search(line.text))),
                        None)
            if not comm or not excerpt:
                continue
            named = [r for r in failing if r.suite == comm or (
                len(comm) >= TASK_COMM_LEN and r.suite.startswith(comm))]
            if not named and comm in MM_BINARIES:
                named = [r for r in failing if r.suite in ("", "selftest")]
            if named:
                head = excerpt[0].text.strip()
                ties[id(excerpt)] = (named, CONSOLE_PREFIX.sub("", head) or head)
    return ties


TIE_OPENING = " While it ran, the kernel reported "


def tie_sentence(comm_head: str) -> str:
    """What an unexplained failure says of the crash its process hit."""
    return (f"{TIE_OPENING}{comm_head!r} in its process: that is the "
            "likelier cause of the failure, and it points at the kernel.")


def crash_causes(rules: tuple[Rule, ...]) -> frozenset[str]:
    """The causes crash findings carry."""
    return frozenset(r.id for r in rules_about(rules, About.CRASH))
