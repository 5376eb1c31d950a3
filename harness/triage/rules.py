"""Known causes as data: one TOML file per cause under harness/triage/rules/, each with its reference."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from harness.errors import RuleError
from harness.model import Category, Confidence, Status
from harness.triage.versions import VersionRange

KNOWN_CHECKS = frozenset({"contrast_config", "fs_expected", "fs_not", "hugepages", "gup_test",
                          "swap", "truncated", "works_elsewhere",
                          "also_passed"})
KNOWN_WHEN = frozenset({"status", "suite", "name", "config", "message", "syscall", "errno",
                        "errno_hint", "fs", "unlinked"})


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
    status: frozenset[Status] = frozenset()
    suite: frozenset[str] = frozenset()
    name: re.Pattern[str] | None = None
    config: re.Pattern[str] | None = None
    message: re.Pattern[str] | None = None
    syscall: frozenset[str] = frozenset()
    errno: frozenset[str] = frozenset()
    errno_hint: str | None = None
    fs: frozenset[str] = frozenset()
    unlinked: bool | None = None
    checks: dict[str, object] = field(default_factory=dict)
    version: VersionRange | None = None  # [version]: where the cause can happen


def _regex(value: object, where: str) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(str(value))
    except re.error as exc:
        raise RuleError(f"{where}: bad regular expression: {exc}") from None


def parse_rule(data: dict, where: str) -> Rule:
    try:
        when = data.get("when", {})
        checks = data.get("checks", {})
        unknown = set(when) - KNOWN_WHEN
        if unknown:
            raise RuleError(f"{where}: unknown [when] keys: {', '.join(sorted(unknown))}")
        unknown = set(checks) - KNOWN_CHECKS
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
            action=" ".join(data["action"].split()),
            reference=data["reference"],
            confidence=Confidence(confidence),
            priority=int(data.get("priority", 0)),
            status=frozenset(Status(s) for s in when.get("status", [])),
            suite=frozenset(when.get("suite", [])),
            name=_regex(when.get("name"), where),
            config=_regex(when.get("config"), where),
            message=_regex(when.get("message"), where),
            syscall=frozenset(when.get("syscall", [])),
            errno=frozenset(when.get("errno", [])),
            errno_hint=when.get("errno_hint"),
            fs=frozenset(when.get("fs", [])),
            unlinked=when.get("unlinked"),
            checks=dict(checks),
            version=VersionRange.from_toml(data.get("version", {}), where),
        )
    except KeyError as exc:
        raise RuleError(f"{where}: missing key {exc}") from None
    except ValueError as exc:
        raise RuleError(f"{where}: {exc}") from None


def load_rules(directory: Path | None = None) -> tuple[Rule, ...]:
    """All rules, highest priority first. Without ``directory``: the ones shipped with harness."""
    if directory is None:
        return _shipped()
    return _load(sorted(directory.glob("*.toml")))


@cache
def _shipped() -> tuple[Rule, ...]:
    files = [Path(str(p)) for p in resources.files("harness.triage").joinpath("rules").iterdir()
             if p.name.endswith(".toml")]
    return _load(sorted(files))


def _load(files: list[Path]) -> tuple[Rule, ...]:
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
