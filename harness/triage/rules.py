"""Known causes as data: one TOML file per cause under harness/triage/rules/, each with its
reference.

A rule is about one of four things (``about``): a test result (the default; ``[when]`` matches
its status, name, message, syscall ...), an anomaly of a selftest's output as a whole
(``[when] kind``), a crash excerpt on the console (``[when] head``, a regex on its first line)
or a pattern only a matrix of runs shows (``[when] pattern``: ``only-on``, ``every-fs``,
``run-failed``).
``explanation`` is written for several results, ``explanation_one`` (when the English differs)
for one; both are templates filled from what the run shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

from harness.errors import RuleError
from harness.lazy_regex import lazy
from harness.model import Category, Confidence, Status
from harness.triage.rules_cache import cached_rules
from harness.triage.versions import Versions


class About(StrEnum):
    RESULT = "result"
    ANOMALY = "anomaly"
    CRASH = "crash"
    MATRIX = "matrix"


KNOWN_CHECKS = frozenset({"arch", "page_size", "contrast_config", "fs_expected", "fs_not",
                          "thp_built", "hugepages", "gup_test", "swap", "truncated",
                          "works_elsewhere", "also_passed", "bisected", "known_change", "stated",
                          "same_versions", "newer_selftests", "feature_passed",
                          "intended_change", "test_change", "own_setup", "exec_only",
                          "translation_layer"})
KNOWN_WHEN = {
    About.RESULT: frozenset({"status", "suite", "name", "config", "message", "syscall", "errno",
                             "errno_hint", "fs", "not_fs", "unlinked"}),
    About.ANOMALY: frozenset({"kind"}),
    About.CRASH: frozenset({"head", "accel"}),
    About.MATRIX: frozenset({"pattern"}),
}
MATRIX_PATTERNS = frozenset({"only-on", "every-fs", "run-failed"})


@dataclass(frozen=True)
class Rule:
    id: str
    category: Category
    title: str
    explanation: str
    action: str
    reference: str
    confidence: Confidence = Confidence.HIGH
    priority: int = 0
    about: About = About.RESULT
    explanation_one: str = ""  # for one result (or one message); empty: as ``explanation``
    cause: str = ""  # a template for the cause the finding carries; empty: the id
    status: frozenset[Status] = frozenset()
    suite: frozenset[str] = frozenset()
    name: re.Pattern[str] | None = None
    config: re.Pattern[str] | None = None
    message: re.Pattern[str] | None = None
    syscall: frozenset[str] = frozenset()
    errno: frozenset[str] = frozenset()
    errno_hint: str | None = None
    fs: frozenset[str] = frozenset()
    not_fs: frozenset[str] = frozenset()  # filesystems the rule is not about (another rule is)
    unlinked: bool | None = None  # True: the run must show the file unlinked while open
    kind: frozenset[str] = frozenset()  # anomaly kinds; empty: any
    head: re.Pattern[str] | None = None  # crash excerpt's first line
    # the accelerators a crash rule is about (the run's, env.accel): only when the run went on
    accel: frozenset[str] = frozenset()
    pattern: frozenset[str] = frozenset()  # matrix patterns
    checks: dict[str, object] = field(default_factory=dict)
    version: Versions | None = None  # [version] / [[version]]: where the cause can happen

    def explain(self, fields: Fields, count: int) -> str:
        """The explanation for ``count`` results (or messages), filled in."""
        template = self.explanation_one if count == 1 and self.explanation_one else self.explanation
        return template.format_map(fields)

    def cause_of(self, fields: Fields) -> str:
        return self.cause.format_map(fields) if self.cause else self.id


class Fields(dict[str, object]):
    """What a template may name; a name the run cannot fill reads "?"."""

    def __missing__(self, key: str) -> str:
        return "?"


def _regex(value: object, where: str) -> re.Pattern[str] | None:
    """The pattern, checked now and compiled again (from re's cache) when a rule first tries
    it: a rule loaded from the cache of parsed rules compiles only what the input reaches."""
    if value is None:
        return None
    try:
        re.compile(str(value))
    except re.error as exc:
        raise RuleError(f"{where}: bad regular expression: {exc}") from None
    return lazy(str(value))


def parse_rule(data: dict, where: str) -> Rule:
    try:
        about = About(data.get("about", "result"))
        when = data.get("when", {})
        checks = data.get("checks", {})
        unknown = set(when) - KNOWN_WHEN[about]
        if unknown:
            raise RuleError(f"{where}: unknown [when] keys: {', '.join(sorted(unknown))}")
        unknown = set(checks) - (KNOWN_CHECKS if about is About.RESULT else frozenset())
        if unknown:
            raise RuleError(f"{where}: unknown [checks] keys: {', '.join(sorted(unknown))}")
        confidence = data.get("confidence", "high")
        if confidence not in set(Confidence):
            raise RuleError(f"{where}: confidence must be one of {', '.join(Confidence)}")
        return Rule(
            id=data["id"],
            category=Category(data["category"]),
            title=data["title"],
            explanation=" ".join(data["explanation"].split()),
            explanation_one=" ".join(data.get("explanation_one", "").split()),
            action=" ".join(data["action"].split()),
            reference=data["reference"],
            confidence=Confidence(confidence),
            priority=int(data.get("priority", 0)),
            about=about,
            cause=data.get("cause", ""),
            status=frozenset(Status(s) for s in when.get("status", [])),
            suite=frozenset(when.get("suite", [])),
            name=_regex(when.get("name"), where),
            config=_regex(when.get("config"), where),
            message=_regex(when.get("message"), where),
            syscall=frozenset(when.get("syscall", [])),
            errno=frozenset(when.get("errno", [])),
            errno_hint=when.get("errno_hint"),
            fs=frozenset(when.get("fs", [])),
            not_fs=frozenset(when.get("not_fs", [])),
            unlinked=when.get("unlinked"),
            kind=frozenset(when.get("kind", [])),
            head=_regex(when.get("head"), where),
            accel=frozenset(when.get("accel", [])),
            pattern=_patterns(when.get("pattern", []), where),
            checks=dict(checks),
            version=Versions.from_toml(data.get("version", {}), where),
        )
    except KeyError as exc:
        raise RuleError(f"{where}: missing key {exc}") from None
    except ValueError as exc:
        raise RuleError(f"{where}: {exc}") from None


def _patterns(value: list[str], where: str) -> frozenset[str]:
    unknown = set(value) - MATRIX_PATTERNS
    if unknown:
        raise RuleError(f"{where}: unknown matrix pattern {', '.join(sorted(unknown))}: use "
                        f"{' or '.join(sorted(MATRIX_PATTERNS))}")
    return frozenset(value)


def rules_about(rules: tuple[Rule, ...], subject: About) -> tuple[Rule, ...]:
    """The rules about ``subject``; the shipped ones when ``rules`` (a user's --rules directory)
    has none, so a crash or a broken output is never left unreported."""
    mine = tuple(r for r in rules if r.about is subject)
    return mine or tuple(r for r in _shipped() if r.about is subject)


def load_rules(directory: Path | None = None) -> tuple[Rule, ...]:
    """All rules, highest priority first. Without ``directory``: the ones shipped with harness."""
    if directory is None:
        return _shipped()
    if not directory.is_dir():
        raise RuleError(f"--rules {directory}: no such directory")
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise RuleError(f"--rules {directory}: no rule files (*.toml) in it")
    return _load(files)


@cache
def _shipped() -> tuple[Rule, ...]:
    """The shipped rules, from the cache of parsed rules when none of their files (nor the code
    that parses them) changed since it was written."""
    files = [Path(str(p)) for p in resources.files("harness.triage").joinpath("rules").iterdir()
             if p.name.endswith(".toml")]
    return cached_rules(sorted(files), _load)


def _load(files: list[Path]) -> tuple[Rule, ...]:
    import tomllib  # (not imported when the shipped rules come from the cache)

    rules = []
    for path in files:
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RuleError(f"{path}: {exc}") from None
        rules.append(parse_rule(data, str(path)))
    ids = [r.id for r in rules]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuleError(f"duplicate rule ids: {', '.join(sorted(duplicates))}")
    return tuple(sorted(rules, key=lambda r: -r.priority))
