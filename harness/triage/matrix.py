"""Several runs of the same kernel and selftests as one report: "is it the filesystem?".

``combine`` merges per-run reports (their results carry a run id: the filesystem, or
"A/9p" with two kernels) and adds what only the comparison across runs shows: a test that
fails only on some filesystems is an environment finding naming them; a test that fails the
same way on every filesystem points at the kernel. ``table`` renders test x filesystem.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict

from harness.model import (
    ENVIRONMENTAL,
    FAILING,
    Category,
    Confidence,
    Diagnosis,
    Environment,
    Finding,
    Report,
    Result,
    RunId,
    Status,
)
from harness.triage.engine import group, severity_order, summarize, verdict_of
from harness.triage.rules import About, Fields, Rule, load_rules, rules_about
from harness.triage.run_findings import crash_causes

CELL = {Status.PASS: "ok", Status.SKIP: "skip", Status.XFAIL: "xfail", Status.XPASS: "XPASS",
        Status.FAIL: "FAIL", Status.ERROR: "ERROR", Status.CRASH: "CRASH",
        Status.TIMEOUT: "TIME", Status.MISSING: "gone"}


UNKNOWN_RUN = RunId("?")


def run_of(result: Result) -> RunId:
    return result.run_id or UNKNOWN_RUN


def _key(r: Result) -> tuple[str, str]:
    return (r.suite, r.name or f"#{r.number}")


def _bad(r: Result) -> bool:
    return r.status in FAILING


def cross_check(results: list[Result], runs: list[RunId], rules: tuple[Rule, ...]) -> None:
    """Re-judge unexplained failures with what the other filesystems (same kernel) show."""
    patterns = _matrix_rules(rules)
    by_test: dict[tuple[str, str, str], dict[RunId, Result]] = defaultdict(dict)
    for r in results:
        by_test[(run_of(r).kernel, *_key(r))].setdefault(run_of(r), r)
    for (kernel, _, _), runs_of_test in by_test.items():
        if len(runs_of_test) < 2:
            continue
        unexplained = {run: r for run, r in runs_of_test.items() if _bad(r) and not _explained(r)}
        if not unexplained:
            continue
        fine = [run for run, r in runs_of_test.items() if not _bad(r)]
        if fine:
            for r in unexplained.values():
                if r.diagnosis and r.diagnosis.category is Category.UNKNOWN:
                    _only_here(patterns["only-on"], r, sorted(unexplained, key=str), fine)
        elif len(unexplained) >= 2:
            tried = [run for run in runs if run.kernel == kernel]
            _fails_everywhere(patterns["every-fs"], list(unexplained.values()), tried)


def _matrix_rules(rules: tuple[Rule, ...]) -> dict[str, Rule]:
    """The first rule for each matrix pattern: the given rules', else the shipped one."""
    found: dict[str, Rule] = {}
    for rule in (*rules_about(rules, About.MATRIX), *rules_about(load_rules(), About.MATRIX)):
        for pattern in rule.pattern:
            found.setdefault(pattern, rule)
    return found


def _explained(r: Result) -> bool:
    return r.diagnosis is not None and r.diagnosis.category in ENVIRONMENTAL


def _test_fields(r: Result) -> Fields:
    return Fields(suite=r.suite, number=r.number, name=r.name or r.message,
                  message=r.message or "no message")


def _rediagnose(rule: Rule, r: Result, fields: Fields, count: int,
                confidence: Confidence | None = None) -> None:
    old = r.diagnosis
    assert old is not None
    r.diagnosis = Diagnosis(rule.category, rule.cause_of(fields), confidence or rule.confidence,
                            rule.explain(fields, count), rule.reference,
                            rule.action.format_map(fields), old.evidence)


def _only_here(rule: Rule, r: Result, failing: list[RunId], fine: list[RunId]) -> None:
    fields = _test_fields(r)
    fields.update(failing=", ".join(f.fs for f in failing), fine=", ".join(f.fs for f in fine),
                  failing_ids="+".join(f.fs for f in failing))
    _rediagnose(rule, r, fields, 1)


def _fails_everywhere(rule: Rule, failing: list[Result], runs: list[RunId]) -> None:
    """The same test fails, unexplained, on every filesystem where it got that far."""
    messages = {r.message for r in failing}
    confidence = rule.confidence.lower(1 if len(messages) > 1 else 0)  # several: less sure
    for r in failing:
        old = r.diagnosis
        if old is None or old.category is Category.KERNEL_BUG:
            continue
        fields = _test_fields(r)
        fields.update(where=", ".join(x.fs for x in runs), version_gap=_version_gap(old),
                      messages="; ".join(sorted(messages))[:200])
        _rediagnose(rule, r, fields, len(messages), confidence)


def _version_gap(old: Diagnosis) -> str:
    marker = " The selftests ("
    return old.explanation[old.explanation.index(marker):] if marker in old.explanation else ""


def combine(reports: list[Report], rules: tuple[Rule, ...] | None = None,
            failed: dict[RunId, str] | None = None) -> Report:
    """Merge per-run reports; ``failed`` maps the runs that gave no report to their error."""
    rules = rules if rules is not None else load_rules()
    results = [r for rep in reports for r in rep.results]
    runs = list(dict.fromkeys(run_of(r) for r in results))
    cross_check(results, runs, rules)
    env = _environment(reports)
    findings = group(results, env, ())
    findings += [_run_failed(_matrix_rules(rules)["run-failed"], run, error, runs)
                 for run, error in (failed or {}).items()]
    # Findings about a run's output as a whole (crashes, malformed output) stay per run.
    findings += [f for rep in reports for f in rep.findings
                 if f.cause in crash_causes(rules) or f.cause.startswith("output-")]
    findings = severity_order(findings)
    summary = summarize(results, findings)
    summary.runs = runs
    return Report(env, results, findings, [s for rep in reports for s in rep.suites],
                  verdict_of(findings), summary, [s for rep in reports for s in rep.sources])


def _run_failed(rule: Rule, run: RunId, error: str, done: list[RunId]) -> Finding:
    """A matrix cell that gave no results: a finding, so every writer says it."""
    fields = Fields(fs=str(run), error=error,
                    rest=", ".join(str(r) for r in done) or "no other run")
    return Finding(rule.category, rule.cause_of(fields), rule.confidence, [str(run)],
                   rule.explain(fields, 1), [], rule.reference, rule.action.format_map(fields))


def failed_runs(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.cause == "run-failed"]


def _environment(reports: list[Report]) -> Environment:
    if not reports:
        return Environment()
    first = reports[0].environment
    env = Environment(guest=first.guest, arch=first.arch, accel=first.accel,
                      kernel_release=first.kernel_release, kernel_version=first.kernel_version,
                      selftests_version=first.selftests_version, cmdline=first.cmdline,
                      hugepages=first.hugepages, thp=first.thp, swap_kb=first.swap_kb,
                      swap_source=first.swap_source, gup_test=first.gup_test,
                      gup_test_source=first.gup_test_source)
    for rep in reports:
        e = rep.environment
        run = next((str(r.run_id) for r in rep.results if r.run_id), e.fs or "?")
        env.notes.append(f"run {run}: fs {e.fs or '?'}"
                         + (f" ({e.fs_options})" if e.fs_options else "")
                         + (f", kernel {e.kernel_release}" if e.kernel_release else ""))
        env.notes += [n for n in e.notes if n not in env.notes][:6]
        env.hugepage_shortfall += [f"{run}: {s}" for s in e.hugepage_shortfall]
    env.facts = {"runs": ", ".join(sorted({str(r.run_id or "") for rep in reports
                                           for r in rep.results}))}
    return env


def table(report: Report, width: int = 72) -> str:
    """Tests x runs, one row per (suite, config, pattern of cells) with the number of tests."""
    runs = report.summary.runs or []
    cells: dict[tuple[str, str], dict[RunId, Result]] = defaultdict(dict)
    for r in report.results:
        cells[_key(r)][run_of(r)] = r
    rows: dict[tuple[str, str, tuple[str, ...]], int] = defaultdict(int)
    for runs_of_test in cells.values():
        if not any(_bad(r) for r in runs_of_test.values()):
            continue
        first = next(iter(runs_of_test.values()))
        pattern = tuple(_cell(runs_of_test.get(run)) for run in runs)
        rows[(first.suite, first.config or first.name or f"#{first.number}", pattern)] += 1
    names = [r.label for r in runs]
    col = max([6] + [len(n) + 1 for n in names])
    label_width = max(20, width - col * len(runs))
    head = " " * label_width + "".join(n.rjust(col) for n in names)
    lines = [head.rstrip()]
    for (suite, config, pattern), count in sorted(rows.items()):
        label = f"{suite} {config} ({count})"
        wrapped = textwrap.wrap(label, label_width - 1) or [""]
        lines.extend(wrapped[:-1])
        lines.append(wrapped[-1].ljust(label_width) + "".join(c.rjust(col) for c in pattern))
    if len(lines) == 1:
        lines.append("(no test fails on any run)")
    for f in failed_runs(report):
        lines += textwrap.wrap(f"{', '.join(f.tests)}: RUN FAILED, no results", width)
    return "\n".join(lines) + "\n"


def _cell(r: Result | None) -> str:
    if r is None:
        return "-"
    text = CELL[r.status]
    if r.status in FAILING and r.diagnosis and r.diagnosis.category in ENVIRONMENTAL:
        text = text.lower()  # explained by the environment
    return text


def conclusion(report: Report) -> str:
    failed = failed_runs(report)
    if failed:
        names = ", ".join(t for f in failed for t in f.tests)
        total = len(failed) + len(report.summary.runs or [])
        return (f"{len(failed)} of {total} runs failed ({names}): no conclusion about the "
                "filesystem from the rest alone. " + _conclusion(report))
    return _conclusion(report)


def _conclusion(report: Report) -> str:
    everywhere = [f for f in report.findings if f.cause == "fails-on-every-fs"]
    local = [f for f in report.findings if f.category is Category.ENV and f.count]
    if everywhere:
        n = sum(f.count for f in everywhere)
        return (f"{n} result(s) fail the same way on every filesystem: that points at the kernel, "
                "not the environment.")
    if report.verdict.points_at_kernel:
        return "Some failures are not explained by the filesystem; see the findings."
    if local:
        return ("Every failure depends on the filesystem: they are environment findings, "
                "the kernel is not implicated.")
    return "No test fails on any filesystem."
