"""Compiled patterns kept across runs (harness/regex_codes.py): a pattern made from its stored
code is the pattern re.compile makes, a torn file is no error, and a triage with the stored
codes answers exactly as one that compiled every pattern itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness import regex_codes

REPORTS = Path(__file__).parent / "fixtures" / "reports"
PATTERNS = [(r"^(?P<call>\w+)\(\) failed \((?P<err>[^)]+)\)$", 0),
            (r"\b(?:not ok|fail(?:ed|s)?)\b", re.IGNORECASE),
            (r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", 0), (r"(a)|b(?P<x>c)?", re.VERBOSE)]


@pytest.fixture
def fresh(tmp_path, monkeypatch) -> Path:
    """A cache directory of its own and a module that has read nothing yet."""
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path))
    monkeypatch.setattr(regex_codes, "_codes", None)
    monkeypatch.setattr(regex_codes, "_new", {})
    return tmp_path / "regex"


def _next_run(monkeypatch) -> None:
    regex_codes._save()
    monkeypatch.setattr(regex_codes, "_codes", None)


def test_a_stored_pattern_is_what_re_compile_makes(fresh, monkeypatch):
    first = [regex_codes.compile_pattern(s, f) for s, f in PATTERNS]
    _next_run(monkeypatch)
    monkeypatch.setattr(re, "compile", None)  # the second run must not compile
    again = [regex_codes.compile_pattern(s, f) for s, f in PATTERNS]
    monkeypatch.undo()
    assert again == first == [re.compile(s, f) for s, f in PATTERNS]
    assert again[0].match("fallocate() failed (Operation not supported)").group("err") == \
        "Operation not supported"
    assert again[3].groupindex == {"x": 2}


def test_a_torn_file_is_no_error(fresh, monkeypatch):
    regex_codes.compile_pattern(*PATTERNS[0])
    _next_run(monkeypatch)
    for torn in fresh.glob("*.marshal"):
        torn.write_bytes(torn.read_bytes()[:50])
    assert regex_codes.compile_pattern(*PATTERNS[0]) == re.compile(*PATTERNS[0])


def _triage(name: str, cache: Path) -> str:
    env = dict(os.environ, HARNESS_CACHE=str(cache))
    done = subprocess.run([sys.executable, "-m", "harness", "triage", str(REPORTS / name),
                           "--json", "-"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


@pytest.mark.parametrize("name", ["magistrate-fallocate-failed-on-nfs.txt",
                                  "ltp-madvise06-swap-too-small-tconf-question-reply.txt"])
def test_triage_answers_the_same_from_stored_codes(name, tmp_path):
    cold = _triage(name, tmp_path)
    assert list((tmp_path / "regex").glob("*.marshal"))
    assert _triage(name, tmp_path) == cold
