"""Two runs side by side: what the change (a patch set, a kernel, a filesystem) did to each test.

Works on the JSON reports (schema harness.triage/1) of `harness triage`, `run` or `matrix`, so a
result from a CI system and one from this machine compare the same way. Tests are matched by
(run, suite, name) where the log names them, else by number. cow's hugetlb vmsplice cases flip
between ok and XFAIL from run to run; such known issues never count as a change.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from harness.model import ENVIRONMENTAL, FAILING, RunId, Status

# The JSON spelling of the model's sets (an unexpected pass counts as a bad outcome here).
BAD_STATUS = frozenset(s.value for s in FAILING | {Status.XPASS})
NEUTRAL = frozenset(c.value for c in ENVIRONMENTAL)

KINDS = ("regressed", "fixed", "changed-cause", "still-failing", "environment-only",
         "only-in-base", "only-in-new")


@dataclass(frozen=True)
class Outcome:
    status: str
    category: str | None
    cause: str | None
    errno: str | None

    @property
    def bad(self) -> bool:
        """Failing in a way that is not explained by the environment or configuration."""
        return self.status in BAD_STATUS and self.category not in NEUTRAL

    @property
    def env_failure(self) -> bool:
        return self.status in BAD_STATUS and self.category in NEUTRAL

    def label(self) -> str:
        if self.category:
            return f"{self.status} ({self.category}/{self.cause})"
        return self.status


@dataclass(frozen=True)
class Change:
    kind: str
    run: str
    suite: str
    test: str
    base: Outcome | None
    new: Outcome | None


@dataclass
class Comparison:
    base_label: str
    new_label: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def introduced_anything(self) -> bool:
        return bool(self.of("regressed") or self.of("changed-cause"))


def _key(result: dict) -> tuple[str, str, str]:
    name = result.get("name") or f"#{result.get('number')}"
    return (_run_of(result), str(result.get("suite")), str(name))


def _run_of(result: dict) -> str:
    """The filesystem of the result's run (A's and B's runs on the same fs are the same run)."""
    return RunId.parse(result.get("run") or "").fs


def _outcomes(report: dict) -> dict[tuple[str, str, str, int], Outcome]:
    """Outcome per (run, suite, test, occurrence): the same name twice in one run (e.g. cow
    sections) is two tests, matched in order (a counter, not a key grown until it is free)."""
    out: dict[tuple[str, str, str, int], Outcome] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for r in report.get("results", []):
        base = _key(r)
        n = seen[base] = seen.get(base, -1) + 1
        out[(*base, n)] = Outcome(r.get("status", "missing"), r.get("category"), r.get("cause"),
                                  r.get("errno"))
    return out


def classify(base: Outcome | None, new: Outcome | None) -> str | None:
    if base is None:
        return "only-in-new" if new is not None and (new.bad or new.env_failure) else None
    if new is None:
        return "only-in-base" if base.bad or base.env_failure else None
    if base.bad and new.bad:
        return "still-failing" if base.cause == new.cause else "changed-cause"
    if new.bad:
        return "regressed"
    if base.bad:
        return "fixed"
    if (base.env_failure or new.env_failure) and base != new:
        return "environment-only"
    return None


def compare(base: dict, new: dict, base_label: str = "base", new_label: str = "new") -> Comparison:
    result = Comparison(base_label, new_label)
    before, after = _outcomes(base), _outcomes(new)
    if not ({k[0] for k in before} & {k[0] for k in after}):
        # Different run ids (e.g. kernel-A/9p vs a plain triage): compare by test only.
        before = {("", s, t, n): o for (_, s, t, n), o in before.items()}
        after = {("", s, t, n): o for (_, s, t, n), o in after.items()}
    for key in list(before) + [k for k in after if k not in before]:
        kind = classify(before.get(key), after.get(key))
        if kind is None:
            result.unchanged += 1
            continue
        run, suite, test, _ = key
        result.changes.append(Change(kind, run, suite, test, before.get(key), after.get(key)))
    return result


def sentence(c: Comparison) -> str:
    """The one-sentence answer to 'does it only fail with the patch set applied?'."""
    regressed, changed = c.of("regressed"), c.of("changed-cause")
    still, env = c.of("still-failing"), c.of("environment-only")
    if all(ch.base == ch.new for ch in c.changes):
        same = f"; {len(still)} fail on both for the same cause" if still else ""
        return (f"No differences: {c.new_label} has the same outcome as {c.base_label} for "
                f"every test{same}.")
    if regressed or changed:
        parts = []
        if regressed:
            parts.append(f"{len(regressed)} test{'s' if len(regressed) != 1 else ''} that did not "
                         f"fail on {c.base_label} fail{'s' if len(regressed) == 1 else ''} on "
                         f"{c.new_label}")
        if changed:
            verb = "fails" if len(changed) == 1 else "fail"
            parts.append(f"{len(changed)} {verb} for a different cause")
        return f"Yes: {c.new_label} introduced something: " + " and ".join(parts) + "."
    tail = []
    if still:
        tail.append(f"{len(still)} fail on both for the same cause")
    if env:
        causes = sorted({o.cause for ch in env for o in (ch.base, ch.new)
                         if o is not None and o.cause and o.category in NEUTRAL})
        tail.append(f"{len(env)} differ only by environment or configuration ({', '.join(causes)})")
    fixed = c.of("fixed")
    if fixed:
        tail.append(f"{len(fixed)} fixed")
    extra = ("; " + "; ".join(tail)) if tail else ""
    return (f"No: {c.new_label} introduced nothing - no test that passed on {c.base_label} fails "
            f"on {c.new_label}{extra}.")


def render_text(c: Comparison, width: int = 72) -> str:
    lines = [sentence(c), ""]
    for kind in KINDS:
        changes = c.of(kind)
        if not changes:
            continue
        lines.append(f"{kind} ({len(changes)}):")
        for ch in changes[:40]:
            where = f"[{ch.run}] " if ch.run else ""
            before = ch.base.label() if ch.base else "-"
            after = ch.new.label() if ch.new else "-"
            test = f"{where}{ch.suite}: {ch.test}"
            lines += textwrap.wrap(test, width, initial_indent="  ", subsequent_indent="    ")
            lines += textwrap.wrap(f"{before} -> {after}", width, initial_indent="      ",
                                   subsequent_indent="        ")
        if len(changes) > 40:
            lines.append(f"  ({len(changes) - 40} more)")
        lines.append("")
    lines.append(f"{c.unchanged} tests unchanged.")
    return "\n".join(lines) + "\n"


def to_json(c: Comparison) -> dict[str, object]:
    def outcome(o: Outcome | None) -> dict[str, object] | None:
        return None if o is None else {"status": o.status, "category": o.category,
                                       "cause": o.cause, "errno": o.errno}

    return {
        "schema": "harness.compare/1",
        "base": c.base_label,
        "new": c.new_label,
        "introduced_anything": c.introduced_anything,
        "sentence": sentence(c),
        "summary": {kind: len(c.of(kind)) for kind in KINDS} | {"unchanged": c.unchanged},
        "changes": [{"kind": ch.kind, "run": ch.run, "suite": ch.suite, "test": ch.test,
                     "base": outcome(ch.base), "new": outcome(ch.new)} for ch in c.changes],
    }
