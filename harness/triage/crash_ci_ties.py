"""A kernel crash quoted in a thread, tied to the CI report's failed test it brought down.

A CI's report mail lists a failed test with no log ("❌ LTP" on a host of one architecture);
a reply quotes the kernel's crash from that architecture's console ("addressing exception:
0005 ilc:2 [#1] SMP ... Krnl PSW", s390x; "general protection fault: 0000 [#1] SMP PTI ...
RIP: 0010:", x86_64). The crash is why the test failed: the failed entries without a log on the
crash's architecture are the crash's. A reply's workaround ("You should update your LTP, in new
one this test skips debugfs"), its "Fix has already been posted", or the CI's waiver of another
test does not make the kernel's crash anything but the kernel's (CKI on stable 5.5.7 and on
mainline 5.4.0-rc7, 2019-2020).
"""

from __future__ import annotations

import re

from harness.lazy_regex import lazy
from harness.model import Category, Diagnosis, LogLine, Result, Status
from harness.readers.ingest import Parsed
from harness.triage.rules import About, Fields, Rule, rules_about
from harness.triage.run_findings import CONSOLE_PREFIX, MAX_EVIDENCE

# The register dump's words that say which architecture crashed.
ARCH_MARKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("s390", lazy(r"\bKrnl (?:PSW|GPRS)\b")),
    ("x86_64", lazy(r"\bRIP: 00(?:10|33):")),
    ("aarch64", lazy(r"\bpstate: [0-9a-f]{8}|\bpc : [\w.]+(?:\+0x| \()")),
    ("ppc64", lazy(r"\bNIP:\s+\[?[0-9a-f]{8,}|\bMSR:\s+[0-9a-f]{8,}")),
)
KERNEL_CRASH_RULES = frozenset({"kernel-oops", "kernel-crash"})
# A lockup or stall is the kernel waiting, not crashing: the report may put it on a slow host
# (engine.blamed_lockups), and a test it did not stop is not its.
LOCKUP = lazy(r"soft lockup|hard LOCKUP|detected stalls?\b|blocked for more than \d+ seconds",
              re.IGNORECASE)
# A CI report's own failed mark without a log (cki_report, lkft_mail, ci_status_mail).
NO_LOG = "no log in the report"
# What a tied failure may have been read as: no cause, or a reply's test-side words.
REPLACEABLE = frozenset({Category.UNKNOWN, Category.TEST_BUG, Category.KNOWN_ISSUE})


def crash_arch(excerpt: list[LogLine]) -> str:
    """The architecture family the crash's register dump shows, or ''."""
    for family, mark in ARCH_MARKS:
        if any(mark.search(line.text) for line in excerpt):
            return family
    return ""


def _on(arch: str, config: str) -> bool:
    first = config.split()[0].lower() if config.split() else ""
    return bool(arch) and first.startswith(arch)


def tie_ci_failures(parsed: list[Parsed], results: list[Result], rules: tuple[Rule, ...]
                    ) -> None:
    """Give the crash's diagnosis to the CI report's failed entries it explains (its
    between-tests finding is then theirs: ``run_findings.crash_findings``)."""
    crash_rules = rules_about(rules, About.CRASH)
    listed = [r for r in results if r.status is Status.FAIL and NO_LOG in r.message
              and not r.diagnostics]
    if not listed or not crash_rules:
        return
    for p in parsed:
        for excerpt in p.crashes:
            if not excerpt:
                continue
            head = excerpt[0].text.strip()
            if LOCKUP.search(head):
                continue
            # the rule crash_findings names it by: only the kernel's own crash is tied
            rule = next((r for r in crash_rules if r.head is None or r.head.search(head)), None)
            if rule is None or rule.id not in KERNEL_CRASH_RULES \
                    or rule.category is not Category.KERNEL_BUG:
                continue
            arch = crash_arch(excerpt[:40])
            mine = [r for r in listed if _on(arch, r.config) and r.diagnosis is not None
                    and r.diagnosis.category in REPLACEABLE]
            if not mine:
                continue
            words = CONSOLE_PREFIX.sub("", head) or head
            fields = Fields(head=words)
            for r in mine:
                r.diagnosis = Diagnosis(
                    rule.category, rule.cause_of(fields), rule.confidence,
                    f"The {r.suite} test #{r.number} ({r.name}) failed on {r.config}, and the "
                    f"thread quotes the kernel's crash on that architecture ({words!r}): the "
                    "crash is why it failed, and it is the kernel's.",
                    rule.reference, rule.action.format_map(fields),
                    list(excerpt[:MAX_EVIDENCE]))
