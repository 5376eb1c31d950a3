"""The parsed shipped rules are kept in the cache directory: the same rules as parsing them, an
edited rule file (a developer's checkout) is parsed afresh, a torn cache file is no error."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from harness.model import Environment, LogLine
from harness.readers.ingest import parse_lines
from harness.triage import rules as rules_module
from harness.triage.engine import triage
from harness.triage.rules import _load, load_rules
from harness.triage.rules_cache import cached_rules

SHIPPED = Path(rules_module.__file__).parent / "rules"
TAP = ["1..1", "# [RUN] Basic COW after fork() ... with THP (2048 kB)",
       "ok 1 # SKIP Did not get a THP populated"]


@pytest.fixture
def rule_files(tmp_path, monkeypatch) -> list[Path]:
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))
    copy = tmp_path / "rules"
    shutil.copytree(SHIPPED, copy)
    return sorted(copy.glob("*.toml"))


def _parsed_only(files: list[Path]) -> tuple:
    raise AssertionError("parsed although the cache holds these rules")


def finding(rules: tuple) -> tuple[str, str]:
    """(cause, explanation) of the TAP's one finding."""
    lines = [LogLine(i, t, "r.log") for i, t in enumerate(TAP, 1)]
    report = triage([parse_lines(lines, "r.log", "gup_longterm")], Environment(), rules=rules)
    return report.findings[0].cause, report.findings[0].explanation


def test_cached_rules_are_the_parsed_rules(rule_files):
    parsed = cached_rules(rule_files, _load)
    cached = cached_rules(rule_files, _parsed_only)
    assert cached == parsed == load_rules(rule_files[0].parent)
    assert finding(cached) == finding(load_rules())


def test_an_edited_rule_file_is_parsed_again(rule_files):
    cause, before = finding(cached_rules(rule_files, _load))
    edited = rule_files[0].parent / f"{cause}.toml"
    edited.write_text(re.sub(r'^(explanation(?:_one)? = (?:"""|"))', r"\1EDITED: ",
                             edited.read_text(), flags=re.MULTILINE))
    after = finding(cached_rules(rule_files, _load))[1]
    assert after != before and "EDITED: " in after


def test_a_torn_cache_file_is_parsed_again(rule_files, tmp_path):
    parsed = cached_rules(rule_files, _load)
    for torn in (tmp_path / "cache" / "rules").glob("*.pickle"):
        torn.write_bytes(torn.read_bytes()[:100])
    assert cached_rules(rule_files, _load) == parsed
