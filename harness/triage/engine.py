"""Explain every result that needs it, group the explanations into findings, give a verdict."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Protocol

from harness.lazy_regex import lazy
from harness.model import (
    POINTS_AT_KERNEL,
    SEVERITY,
    Category,
    Confidence,
    Diagnosis,
    Environment,
    Finding,
    LogLine,
    Report,
    Result,
    Status,
    Summary,
    Verdict,
)
from harness.readers.ingest import Parsed
from harness.triage.aggregate import FindingAggregate
from harness.triage.checks import (
    CHECKS,
    Basis,
    CheckOutcome,
    RunIndex,
    Support,
    assume_tmp_fs,
    file_fs,
    fs_missing,
    tmp_fs_assumed,
)
from harness.triage.crash_ci_ties import tie_ci_failures
from harness.triage.rules import About, Fields, Rule, load_rules
from harness.triage.run_findings import (
    MAX_EVIDENCE,
    TIE_OPENING,
    anomaly_findings,
    crash_findings,
    crash_ties,
    tie_sentence,
)
from harness.triage.versions import NOT_SAID


class ResultGroup(Protocol):
    """What a template reads of a finding's members: a list, or aggregate.Members."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> Result: ...
    def __iter__(self) -> Iterator[Result]: ...

NEEDS_DIAGNOSIS = frozenset(Status) - {Status.PASS}


def count_phrase(results: ResultGroup) -> str:
    suites = sorted({r.suite for r in results})
    configs = sorted({r.config for r in results if r.config})
    what = "/".join(suites) or "selftest"
    if len(results) == 1:
        r = results[0]
        label = f" ({r.name})" if r.name else ""
        return f"{what} test #{r.number}{label}"
    # "with tmpfile" only when every one of them has it (not a cut-off run's unnamed cases)
    where = f" with {configs[0]}" if len(configs) == 1 and all(r.config for r in results) else ""
    return f"{len(results)} {what} tests{where}"


def _fields(results: ResultGroup, env: Environment) -> Fields:
    first = results[0]
    fs = file_fs(first, env)
    sizes = sorted({m.group(1) for r in results if (m := re.search(r"\((\d+) kB\)", r.config))})
    pools = []
    for size in sizes:
        counts = env.hugepages.get(f"{size}kB")
        if counts is not None:
            pools.append(f"{size} kB: {counts.get('nr_hugepages', 0)} reserved, "
                         f"{counts.get('free_hugepages', counts.get('nr_hugepages', 0))} free")
        elif env.hugepages:
            pools.append(f"{size} kB: no pool")
    fields = Fields(
        count_phrase=count_phrase(results),
        syscall=first.syscall or "the call",
        errno=first.errno or "an error",
        fs=fs or "unknown",
        fs_or_unknown=fs or "not recorded",
        fs_paren=f"({fs}) " if fs else "",
        fs_sentence=f"The test file was on {fs}{_options(env)}." if fs else
        "The filesystem was not recorded; pass --fs to confirm.",
        fs_sentence_short=f"this {fs} mount{_options(env)} is not v4.2;" if fs else "",
        message=first.message or "no message",
        hugepage_sentence="; ".join(pools) if pools else
        "the guest's hugetlb pools were not recorded" + (
            f"; sizes {', '.join(s + ' kB' for s in sizes)}" if sizes else ""),
        swap_sentence="the guest had no swap." if env.swap_kb == 0 else
        "swap was not recorded; without swap MADV_PAGEOUT cannot work.",
        thp_sentence=f" THP mode: {env.thp}." if env.thp else "",
        stated_quote=env.facts.get("stated_quote", "?"),
        bisect_line=(env.facts.get("bisect_intended") or env.facts.get("bisect_widens")
                     or env.facts.get("bisect_test_change") or "?")[:200],
        stated_why=env.facts.get("stated_why", "?"),
        exec_only=repr(env.facts.get("exec_only", "?")),
        stated_cause=env.facts.get("stated_cause", "?"),
        # a thread's conclusion is the thread's; a single text's is the report's own
        stated_whose="the thread's" if env.facts.get("stated_in") == "thread" else "the report's",
        kernel_version=env.kernel_version or env.kernel_release or "not recorded",
        selftests_paren=f" ({env.selftests_version})" if env.selftests_version else "",
        arch=env.arch or "not named",
        page_size=env.facts.get("page_size") or "not stated",
        machine_line=env.facts.get("page_size_line") or env.facts.get("arch_line") or "-",
        layer=env.facts.get("translation_layer") or "a translation layer",
        layer_line=env.facts.get("translation_layer_line") or "-",
    )
    return fields


def _options(env: Environment) -> str:
    return f" ({env.fs_options})" if env.fs_options else ""


def _render(rule: Rule, results: ResultGroup, env: Environment) -> str:
    return rule.explain(_fields(results, env), len(results))


def fits_result(rule: Rule, r: Result) -> bool:
    """The rule's [when] keys about the result itself (status, names, message, syscall)."""
    if rule.status and r.status not in rule.status:
        return False
    if rule.suite and r.suite not in rule.suite:
        return False
    if rule.name and not rule.name.search(r.name):
        return False
    if rule.config and not rule.config.search(r.config):
        return False
    if rule.message:
        texts = [r.message] + [d.text for d in r.diagnostics]
        if not any(rule.message.search(t) for t in texts if t):
            return False
    if rule.syscall and r.syscall not in rule.syscall:
        return False
    if rule.unlinked is True:  # shown by strace, or by the report's repro before the call
        return any(c.unlinked for c in r.syscalls)
    return not (rule.unlinked is False and any(c.unlinked for c in r.syscalls))


class RulesFor:
    """The rules whose [when] keys about the result itself fit it, remembered by what those
    keys read: results of one kind (a case repeated over runs, the same message) try each
    rule's patterns once. A log of 100,000 results tried ~56 rules' regexes on each."""

    LIMIT = 4096  # distinct kinds remembered; a log of more starts again (bounded memory)

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self._known: dict[tuple, tuple[Rule, ...]] = {}

    def __call__(self, r: Result) -> tuple[Rule, ...]:
        key = (r.status, r.suite, r.name, r.config, r.message,
               tuple(d.text for d in r.diagnostics), r.syscall,
               any(c.unlinked for c in r.syscalls))
        fitting = self._known.get(key)
        if fitting is None:
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            fitting = self._known[key] = tuple(
                rule for rule in self.rules if fits_result(rule, r))
        return fitting


def _fits_fs(rule: Rule, r: Result, env: Environment, fs: str | None,
             unsure: list[str]) -> bool:
    """The rule's filesystem; what makes it less certain goes to ``unsure``."""
    # not_fs: another rule (or no environment cause) covers these filesystems; when the file's
    # own filesystem is not known (/tmp without --tmp-fs), the run's (--fs) decides
    if (fs or env.fs) in rule.not_fs:
        return False
    if not rule.fs:
        return True
    if fs is not None and fs not in rule.fs:
        return False
    if fs is not None and env.fs_source == "text" and (r.config != "tmpfile" or not env.tmp_fs):
        unsure.append("the filesystem is named in the report's text, not shown by the run")
    if fs is not None and (assumed := tmp_fs_assumed(r, env)):
        unsure.append(assumed)
    if fs is None:
        # Without the filesystem only strace's word that the file was unlinked while open
        # keeps this an environment hypothesis; otherwise it stays unexplained.
        if not any(c.unlinked for c in r.syscalls if c.failed):
            return False
        unsure.append("the filesystem of the test file is not known (use --fs)")
        unsure.append("only strace's unlink-then-fail sequence points at the filesystem")
    return True


def _fits_errno(rule: Rule, r: Result, fs: str | None, unsure: list[str]) -> tuple[bool, bool]:
    """(the rule's errno fits, the errno is assumed from the filesystem's hint)."""
    if not rule.errno:
        return True, False
    if r.errno is not None:
        return r.errno in rule.errno, False
    if not rule.errno_hint or not rule.fs or fs is None:
        return False, False
    unsure.append(f"the log does not show the errno; {rule.errno_hint} is what "
                  f"{fs} gives here (no strace, no strerror text)")
    return True, True


def _matches(rule: Rule, r: Result, env: Environment) -> tuple[bool, list[str], bool]:
    """(matches, reasons to lower confidence, errno assumed from the hint); the rule's keys
    about the result itself were checked before (``fits_result``, ``RulesFor``)."""
    unsure: list[str] = []
    fs = file_fs(r, env)
    if not _fits_fs(rule, r, env, fs, unsure):
        return False, [], False
    fits, assumed = _fits_errno(rule, r, fs, unsure)
    if not fits:
        return False, [], False
    return True, unsure, assumed


def _contradiction(rule: Rule, r: Result, env: Environment, index: RunIndex,
                   unsure: list[str]) -> CheckOutcome | None:
    """Why the rest of the run contradicts the rule (and whether that is evidence or only
    what the input does not say), or None (reasons for doubt go to ``unsure``)."""
    for name, value in rule.checks.items():
        outcome = CHECKS[name](r, env, index, value)
        if outcome.support is Support.CONTRADICTS:
            return outcome
        if outcome.support is Support.UNSURE:
            unsure.append(outcome.reason)
    if rule.version is not None:
        if why := rule.version.excludes(env):
            return CheckOutcome(Support.CONTRADICTS, why, Basis.UNSTATED
                                if why.startswith(NOT_SAID) else Basis.EVIDENCE)
        unsure += rule.version.unsure(env)
    return None


def diagnose(r: Result, env: Environment, rules: Iterable[Rule], index: RunIndex) -> Diagnosis:
    """The result's diagnosis from ``rules``: those whose keys about the result itself fit it
    (``RulesFor(all)(r)``, or the rules filtered by ``fits_result``)."""
    contradictions: list[str] = []  # the rules ruled out, listed in an unexplained result
    evidence = False  # one of them was ruled out by what the run shows, not by silence
    fallback: Diagnosis | None = None  # an "unknown" rule's answer, while a stated one may come
    for rule in rules:
        if fallback is not None and "stated" not in rule.checks:
            continue
        ok, unsure, assumed = _matches(rule, r, env)
        if not ok:
            continue
        if (why := _contradiction(rule, r, env, index, unsure)) is not None:
            if why.basis is not Basis.SILENT:
                contradictions.append(f"{rule.title}? No: {why.reason}")
            evidence = evidence or why.basis is Basis.EVIDENCE
            continue
        if assumed:
            r.errno = rule.errno_hint
            r.syscall_source = "fs hint"
        explanation = _render(rule, [r], env)
        if rule.version is not None and (ran := rule.version.ran(env)):
            explanation += f" Known in {rule.version.describe()}; this run: {ran}."
        if unsure:
            explanation += " Less certain because " + "; ".join(unsure) + "."
        about_fs = _names_fs(rule)
        found = Diagnosis(rule.category,
                          rule.cause_of(Fields(stated_cause=env.facts.get("stated_cause", "?"))),
                          rule.confidence.lower(len(unsure)), explanation, rule.reference,
                          rule.action, evidence_of(r, env, with_mount=about_fs),
                          rule.id if rule.cause else "")
        if "stated" in env.facts and (rule.category is Category.UNKNOWN
                                      or _weaker_than_diagnosis(rule, r, env)):
            # "We don't know" gives way to what the thread itself concluded, if a rule for
            # that conclusion fits this result; so does a cause only the test's own words
            # suggest, against the maintainers' diagnosis in prose.
            fallback = fallback or found
            continue
        return found
    return fallback or _unexplained(r, env, contradictions, evidence)


def _weaker_than_diagnosis(rule: Rule, r: Result, env: Environment) -> bool:
    """A rule that matched only the test's own message (no failed call, no errno, no crash)
    and names another kind of cause than the diagnosis the report's prose states: the
    maintainers' analysis is the stronger evidence. A call that failed with its errno, or a
    crash, is not."""
    if env.facts.get("stated") == "test-fs-assumption" and _about_fs(rule):
        # the filesystem lacks the property (the rule's evidence) and the report says the test
        # used it unchecked: both hold, and the test's fault is the diagnosis ("it tries to use
        # O_DIRECT without checking for FS support first", fixed in the test)
        return True
    if {rule.id, rule.cause} & set(env.facts.get("stated_outranks", "").split()):
        # the statement explains this rule's evidence (by its id, or the cause it names): the
        # test chose the read-only or full directory ("mmap3 is ignoring LTPTMP"), so the
        # directory's state is not the cause
        return True
    stated = env.facts.get("stated_category")
    if stated is None or rule.category.value == stated or "stated" in rule.checks:
        return False
    if rule.category is Category.KERNEL_BUG or r.status is Status.CRASH:
        return False
    return not (rule.errno or rule.syscall or rule.fs or r.errno or r.syscalls)


def _names_fs(rule: Rule) -> bool:
    """A rule that names filesystems (in [when] fs, or a check of the file's filesystem)."""
    return bool(rule.fs) or bool({"fs_expected", "fs_not"} & set(rule.checks))


def _about_fs(rule: Rule) -> bool:
    """An environment rule about what the filesystem the test ran on lacks."""
    return rule.category is Category.ENV and (
        _names_fs(rule) or rule.id.startswith(("fs-", "9p-", "nfs-")))


def _unexplained(r: Result, env: Environment, contradictions: list[str],
                 evidence: bool = False) -> Diagnosis:
    """No rule explains ``r``: ``unknown``, with the causes considered and ruled out; medium
    confidence only when the run itself ruled one out (``evidence``)."""
    what = {Status.SKIP: "was skipped", Status.XFAIL: "failed as expected",
            Status.XPASS: "passed although expected to fail"}.get(r.status, "failed")
    call = f" ({r.syscall}() -> {r.errno})" if r.syscall and r.errno else (
        f" ({r.syscall}())" if r.syscall else "")
    text = f"{count_phrase([r])} {what}: {r.message or 'no message'}{call}. "
    if contradictions:
        text += ("Known causes were considered and ruled out by the run: "
                 + "; ".join(contradictions) + ". ")
    text += "No known environment or configuration cause explains it."
    text += fs_missing(r, env) + newer_selftests(env)
    category = Category.UNKNOWN
    cause = "unexplained-" + r.status.value
    if r.status is Status.XPASS:
        category, cause = Category.TEST_BUG, "unexpected-pass"
    return Diagnosis(category, cause, Confidence.MEDIUM if evidence else Confidence.LOW,
                     text,
                     "", "Rerun the single test under strace (harness run --strace) and, if it "
                     "reproduces on a local filesystem, suspect the kernel and bisect.",
                     evidence_of(r, env))


def major_minor(version: str | None) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version or "")[:2])


def newer_selftests(env: Environment) -> str:
    """A sentence for unexplained results when the selftests are newer than the kernel."""
    tests, kernel = major_minor(env.selftests_version), major_minor(env.kernel_version)
    if not tests or not kernel or tests <= kernel:
        return ""
    return (f" The selftests ({env.selftests_version}) are newer than the kernel "
            f"({env.kernel_version}): a case that checks behaviour added after "
            f"{'.'.join(map(str, kernel))} fails on the older kernel for that reason alone; "
            "run the selftests of the kernel's own version to tell.")


def evidence_of(r: Result, env: Environment, with_mount: bool = False) -> list[LogLine]:
    lines: list[LogLine] = []
    if r.run_line:
        lines.append(r.run_line)
    lines += [d for d in r.diagnostics if not d.text.startswith("[INFO]")][-3:]
    if r.result_line:
        lines.append(r.result_line)
    lines += [c.line for c in r.syscalls][-4:]
    if with_mount and (mount := _mount_of_file(r, env)):
        text = " ".join(mount.get(k, "") for k in ("source", "target", "fstype", "options"))
        lines.append(LogLine(0, text.strip(), "/proc/mounts"))
    return lines[:MAX_EVIDENCE]


def _mount_of_file(r: Result, env: Environment) -> dict[str, str] | None:
    """The guest's mount table entry of the directory the test file was created in."""
    target = {"local tmpfile": env.facts.get("workdir"), "tmpfile": "/tmp"}.get(r.config)
    if not target:
        return None
    found = None
    for mount in env.mounts:  # the last entry for a mountpoint wins, as in the kernel
        if mount.get("target") == target:
            found = mount
    return found


def group(results: list[Result], env: Environment, rules: tuple[Rule, ...]) -> list[Finding]:
    groups: dict[tuple[str, str], FindingAggregate] = {}
    for r in results:
        if r.diagnosis is not None:
            key = (r.diagnosis.category, r.diagnosis.cause)
            aggregate = groups.get(key)
            if aggregate is None:
                aggregate = groups[key] = FindingAggregate()
            aggregate.add(r)
    return [finish_group(aggregate, env, rules) for aggregate in groups.values()]


def finish_group(aggregate: FindingAggregate, env: Environment, rules: tuple[Rule, ...]
                 ) -> Finding:
    """The finding of a group: its explanation rendered once, for all its members."""
    members = aggregate.members
    first = members[0].diagnosis
    assert first is not None
    explanation = first.explanation
    if len(members) > 1:
        explanation = _group_explanation(first.rule or first.cause, members,
                                         first.explanation, env, rules)
    return aggregate.finding(explanation, _dedupe(aggregate.evidence)[:MAX_EVIDENCE])


def _group_explanation(cause: str, members: ResultGroup, single: str, env: Environment,
                       rules: tuple[Rule, ...]) -> str:
    """``cause`` is the concluding rule's id (its cause, unless the rule names another)."""
    for rule in rules:
        if rule.id == cause:
            return _render(rule, members, env)
    if cause.startswith("unexplained-"):
        missing = "".join(sorted({fs_missing(m, env) for m in members}))
        said = {_tied_part(m) for m in members}
        missing += said.pop() if len(said) == 1 else ""
        return (f"{count_phrase(members)} {members[0].status.value}, with no known cause: "
                + "; ".join(sorted({m.message for m in members if m.message})[:4]) + "."
                + missing + newer_selftests(env))
    return single


def _tied_part(r: Result) -> str:
    """The sentence ``_tie_to_crashes`` added to a result's explanation, or ''."""
    text = r.diagnosis.explanation if r.diagnosis else ""
    at = text.find(TIE_OPENING)
    return text[at:] if at >= 0 else ""


def _dedupe(lines: list[LogLine]) -> list[LogLine]:
    seen, out = set(), []
    for line in lines:
        key = (line.source, line.line, line.text)
        if key not in seen:
            seen.add(key)
            out.append(line)
    return out


def severity_order(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY.index(f.category), -f.count))


def verdict_of(findings: list[Finding]) -> Verdict:
    return Verdict.of(f.category for f in findings)


def triage(parsed: list[Parsed], env: Environment, strace: list[Parsed] | None = None,
           rules: tuple[Rule, ...] | None = None) -> Report:
    from harness.triage.correlate import correlate

    rules = rules if rules is not None else load_rules()
    about_results = tuple(r for r in rules if r.about is About.RESULT)
    results = [r for p in parsed for r in p.results]
    suites = [s for p in parsed for s in p.suites]
    correlate(parsed, strace or [])
    truncated = {(run_id, s.name) for p in parsed for s in p.suites
                 for run_id in {r.run_id for r in p.results}
                 if s.totals is None and s.bail_out is None}
    index = RunIndex.build(results, truncated)
    assume_tmp_fs(env, ((key, r.status, r.number) for key, r in index.by_case.items()))
    fitting = RulesFor(about_results)
    for r in results:
        if r.status in NEEDS_DIAGNOSIS:
            r.diagnosis = diagnose(r, env, fitting(r), index)
    _tie_to_crashes(parsed, results)
    tie_ci_failures(parsed, results, rules)
    findings = doubted_crashes(bisected_crashes(group(results, env, about_results)
                                                + anomaly_findings(suites, results, rules)
                                                + crash_findings(parsed, results, rules,
                                                                 env.accel), env), env)
    findings = stated_lockups(blamed_lockups(findings, env, results), env)
    findings = bisected_fs_answers(findings, env, results)
    findings = severity_order(abi_break_regressions(
        reverted_regressions(findings, env, results), env, results))
    return Report(env, results, findings, suites, verdict_of(findings),
                  summarize(results, findings), [p.source for p in parsed])


def _tie_to_crashes(parsed: list[Parsed], results: list[Result]) -> None:
    """An unexplained failure of a process the kernel crashed or warned in says so."""
    for tied, head in crash_ties(parsed, results).values():
        for r in tied:
            d = r.diagnosis
            if d is not None and d.category is Category.UNKNOWN \
                    and tie_sentence(head) not in d.explanation:
                r.diagnosis = replace(d, explanation=d.explanation + tie_sentence(head))


KERNEL_CRASHES = frozenset({"kernel-oops", "kernel-crash", "kernel-warning"})
# A test process's segfault the kernel logged ("mmstress[1309]: segfault at ... in libc"): the
# test's own bug or the kernel's; a bisect to a kernel commit says which (LTP's mm stress tests
# segfaulting on KASAN kernels after an x86 __put_user() change, bisected and reverted, 2020).
BISECTABLE_USER_CRASHES = frozenset({"process-segfault"})


def reverted_regressions(findings: list[Finding], env: Environment,
                         results: list[Result]) -> list[Finding]:
    """The stated revert experiment ("the author reverted a kernel commit the text names, and
    the test's result changed") is a regression of that commit when the revert cured the
    failure - the same line is then the report's bisect ("This suspecting commit reverted and
    tested and the test case PASS.", LKFT's madvise08, 2021) - not a fix reverted to show the
    test catches a bug (that revert makes the test fail: kernel-behaviour-fail stays)."""
    said, why = env.facts.get("bisected", ""), env.facts.get("stated_why", "")
    quote = env.facts.get("stated_quote", "")
    if not said or env.facts.get("bisect_disputed") or not why.startswith("the author reverted"):
        return findings
    line = said.split(": ", 1)[-1].strip()
    if not line or line[:60] not in quote:
        return findings
    for r in results:  # the reply's conclusion line names the results' cause
        if r.diagnosis is not None and r.diagnosis.cause == "kernel-behaviour-fail":
            r.diagnosis = replace(r.diagnosis, cause="kernel-regression")
    return [replace(f, cause="kernel-regression", explanation=f"{f.explanation} Reverting the "
                    "commit made the failure go away: a regression of that commit until its "
                    "author shows otherwise.")
            if f.cause == "kernel-behaviour-fail" else f for f in findings]


def abi_break_regressions(findings: list[Finding], env: Environment,
                          results: list[Result]) -> list[Finding]:
    """The kernel's own fix, posted in the thread, for a change its maintainers call an ABI
    break ("It is an ABI break as the man page clearly states that the above case should return
    -ENOMEM", Catalin Marinas on CKI's mlock/8-1 after the arm64 tagged-address change, 2019):
    a kernel change broke what the test checks - a regression of that change."""
    said = env.facts.get("stated_abi_break", "")
    if not said or env.facts.get("stated") != "kernel-fix-stated":
        return findings
    for r in results:
        if r.diagnosis is not None and r.diagnosis.cause == "kernel-behaviour-fail":
            r.diagnosis = replace(r.diagnosis, cause="kernel-regression")
    return [replace(f, cause="kernel-regression", explanation=f"{f.explanation} The thread "
                    f"calls the kernel's change an ABI break ({said[:160]}): a regression of "
                    "that change.")
            if f.cause == "kernel-behaviour-fail" else f for f in findings]


def bisected_crashes(findings: list[Finding], env: Environment) -> list[Finding]:
    """A kernel crash the report bisected to a commit (and nobody disputed the bisect) is that
    commit's regression: the cause the maintainers act on (Mark Brown's NULL dereference in
    gup_longterm "which bisect to this patch", September 2025)."""
    said = env.facts.get("bisected")
    if not said or env.facts.get("bisect_disputed"):
        return findings
    out = []
    for f in findings:
        if f.cause in KERNEL_CRASHES:
            f = replace(f, cause="kernel-regression", explanation=f"{f.explanation} The report "
                        f"bisected it to a kernel commit ({said[:120]}): a regression of that "
                        "commit until its author shows otherwise.")
        elif f.cause in BISECTABLE_USER_CRASHES:
            # the segfault rule's "a test bug unless ..." and its gdb advice are answered by
            # the bisect: told as the bisected test crash it is
            head = f.evidence[0].text.strip()[:80] if f.evidence else "a segfault"
            f = replace(f, cause="kernel-regression", category=Category.KERNEL_BUG,
                        explanation=f"A test process crashed ({head!r}) and the report "
                        f"bisected it to a kernel commit ({said[:160]}): the kernel change "
                        "made the test crash, a regression of that commit until its author "
                        "shows otherwise.",
                        action="Reply to the commit the bisect names with the failure and the "
                        "bisect log; rerun the test on the commit and its parent.",
                        reference="Documentation/admin-guide/bug-bisect.rst")
        out.append(f)
    return out


# The rules that read an errno as the filesystem's answer ("fcntl and flock exist in every
# kernel, so the answer comes from the filesystem the file is on"): a filesystem is kernel code.
FS_ANSWER_PREFIXES = ("fs-", "nfs-", "9p-")


def bisected_fs_answers(findings: list[Finding], env: Environment,
                        results: list[Result]) -> list[Finding]:
    """A filesystem's refusal the report itself traced to a kernel commit ("Upstream commit
    4cc9b9f2bf4d ... (re)moves checks from fs/nfsd/vfs.c::nfsd_permission(). This causes NFS
    clients to see ... No locks available", Debian openQA's nfsd report on 6.12.y, 2026): the
    filesystem answered so since that commit - its regression, not a filesystem that never could.
    Not when a message disputes the bisect."""
    said = env.facts.get("bisected")
    if not said or env.facts.get("bisect_disputed") or env.facts.get("bisect_overruled"):
        return findings
    hit = {f.cause for f in findings
           if f.category is Category.ENV and f.cause.startswith(FS_ANSWER_PREFIXES)}
    # (beside another side's finding - a test's own bug - the bisect may be that one's)
    if not hit or any(f.cause not in hit for f in findings):
        return findings
    for r in results:
        if r.diagnosis is not None and r.diagnosis.cause in hit:
            r.diagnosis = replace(r.diagnosis, category=Category.KERNEL_BUG,
                                  cause="kernel-regression")
    return [replace(f, category=Category.KERNEL_BUG, cause="kernel-regression",
                    explanation=f"{f.explanation} But the report traces the failure to a kernel "
                    f"commit ({said[:160]}): the filesystem answers so since that change - a "
                    "regression of that commit until its author shows otherwise.",
                    action="Reply to the commit the report names with the failure; rerun on the "
                    "commit and its parent.", reference="Documentation/admin-guide/"
                    "reporting-regressions.rst")
            if f.cause in hit else f for f in findings]


def doubted_crashes(findings: list[Finding], env: Environment) -> list[Finding]:
    """A kernel crash the report's own replies suspect the emulator of ("Supposedly TCG x86 is
    known 'funny' and if that's what you're using it would be very good to confirm the problem
    on x86 hardware", LKFT's int3 oopses under QEMU, 2023), with no bisect and nobody confirming
    it on hardware: the kernel's or the emulator's, unsaid - an honest unknown that quotes the
    doubt, not a kernel bug."""
    doubt = env.facts.get("emulator_doubt")
    if not doubt or env.facts.get("bisected"):
        return findings
    return [replace(f, category=Category.UNKNOWN, cause="emulator-suspected",
                    confidence=Confidence.LOW,
                    explanation=f"{f.explanation} But the report's own replies suspect the "
                    f"emulator it ran under ({doubt}), and nobody confirmed the crash on "
                    "hardware: the kernel's or the emulator's, the text does not say.",
                    action="Rerun on hardware (or under KVM) before blaming the kernel; if it "
                    "only happens under the emulator, report it to the emulator.")
            if f.cause in KERNEL_CRASHES else f for f in findings]


# A kernel kept busy, not a kernel that failed: the watchdog's soft lockup, a task blocked, an
# RCU stall. What the test does can cause it (LTP read_all reading debugfs regmap files from
# slow hardware, "It's slow and triggers soft lockups", 2019).
LOCKUP = lazy(r"\bsoft lockup\b|\bhard LOCKUP\b|\bblocked for more than \d+ seconds\b|"
              r"\bself-detected stall\b|\bdetected stalls? on CPUs\b")


def stated_lockups(findings: list[Finding], env: Environment) -> list[Finding]:
    """A lockup (see LOCKUP) in a report whose own conclusion puts its failure on the test
    ("Not a 5.3 -stable regression. Failure comes from test that sanity checks all /proc files
    ... It's slow and triggers soft lockups", then "I already sent a patch to LTP to blacklist
    it", Jan Stancek on a CKI report, 2019) is that conclusion's, not a kernel bug of its own. An
    Oops, a BUG or a warning stays the kernel's; so does a lockup a bisect names."""
    stated = env.facts.get("stated")
    side = next((f for f in findings if stated and f.cause == stated
                 and f.category is Category.TEST_BUG), None)
    if side is None or env.facts.get("bisected"):
        return findings
    quote = env.facts.get("stated_quote", "")
    out = []
    for f in findings:
        head = f.evidence[0].text.strip() if f.evidence else ""
        if f.cause in KERNEL_CRASHES and LOCKUP.search(head):
            f = replace(f, category=side.category, cause=side.cause, confidence=Confidence.LOW,
                        explanation=f"The kernel reported {head[:100]!r}: a lockup, the kernel "
                        "kept busy rather than failing, and the report's own conclusion puts "
                        f"the failure on the test ({quote[:200]}).",
                        action=side.action, reference=side.reference)
        out.append(f)
    return out


# The suites of a CI mail's own list of tests ("❌ LTP" in CKI's report): one line each, no log.
CI_LIST_SUITES = frozenset({"cki", "lkft"})


def blamed_lockups(findings: list[Finding], env: Environment,
                   results: list[Result]) -> list[Finding]:
    """A lockup (see LOCKUP) the report's own words put on the machine it ran on ("The dmesg
    check failed, likely due to a slow kvm guest", CKI 2020; "can be caused by slow VM due
    overloaded host (not a real bug)", see ``harness/readers/host_blame.py``) is the
    environment's: a virtual CPU starved by its host stalls a kernel that did nothing wrong.
    An Oops, a BUG or a warning stays the kernel's; so does a lockup a bisect names."""
    said = env.facts.get("host_blamed")
    if not said or env.facts.get("bisected"):
        return findings
    out = [_blamed_lockup(f, said) for f in findings]
    if out == findings:
        return findings
    return _listed_with_lockup(out, said, results)


def _listed_with_lockup(findings: list[Finding], said: str,
                        results: list[Result]) -> list[Finding]:
    """A CI mail's listed test ("❌ LTP", no log of its own) left unexplained beside the lockup
    the report puts on its machine is that lockup's flag ("No tests failed, but there was a soft
    lockup", Jan Stancek on CKI's dmesg check, 2020): the same answer."""
    listed = {r.test_id: r for r in results if r.suite in CI_LIST_SUITES and not r.diagnostics}
    out = []
    for f in findings:
        if (f.category is Category.UNKNOWN and f.cause == "unexplained-fail"
                and f.tests and all(t in listed for t in f.tests)):
            for t in f.tests:
                if (d := listed[t].diagnosis) is not None:
                    listed[t].diagnosis = replace(d, category=Category.ENV,
                                                  cause="setup-at-fault")
            f = replace(f, category=Category.ENV, cause="setup-at-fault",
                        explanation=f"{f.explanation} The CI's list names no log for it, and "
                        "the report puts the lockup it flagged on the machine it ran on "
                        f"({said[:200]}).")
        out.append(f)
    return out


def _blamed_lockup(f: Finding, said: str) -> Finding:
    head = f.evidence[0].text.strip() if f.evidence else ""
    if f.cause in KERNEL_CRASHES and LOCKUP.search(head):
        return replace(f, category=Category.ENV, cause="setup-at-fault",
                       confidence=Confidence.LOW,
                       explanation=f"The kernel reported {head[:100]!r}: a lockup, the kernel "
                       "kept waiting rather than failing, and the report's own words put it on "
                       f"the machine it ran on ({said[:200]}).",
                       action="Rerun on an idle host (or with more, dedicated vCPUs); a lockup "
                       "that stays there is the kernel's and needs its full trace.",
                       reference="Documentation/admin-guide/lockup-watchdogs.rst")
    return f


def summarize(results: list[Result], findings: list[Finding]) -> Summary:
    """The counts every report carries (one definition for triage, run and matrix)."""
    by_status = Counter(r.status.value for r in results)
    by_category = Counter(f.category.value for f in findings for _ in range(max(f.count, 1)))
    return Summary(total=len(results), by_status=dict(sorted(by_status.items())),
                   by_category=dict(sorted(by_category.items())), findings=len(findings),
                   points_at_kernel=sum(1 for f in findings if f.category in POINTS_AT_KERNEL))
