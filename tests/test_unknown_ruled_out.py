"""An unexplained result says which known causes the run ruled out, and only those: a rule that
applies when the report states its cause (or a bisect, an architecture, a page size) is not
ruled out by a report that states nothing, and such silence does not make the unknown any
surer. What the run itself contradicts is listed and makes it medium."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from harness.cli.main import main

TAP = """TAP version 13
1..3
ok 1 Setting/clearing PR_SET_MEMORY_MERGE works
not ok 2 PR_SET_MEMORY_MERGE not supported
not ok 3 mremap returned garbage
"""


def results(tmp_path: Path, *extra: str) -> dict[int, dict]:
    log = tmp_path / "ksm.log"
    log.write_text(TAP)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["triage", str(log), "--suite", "ksm_functional_tests", "--json", "-",
                     *extra])
    assert code == 1
    return {r["number"]: r for r in json.loads(out.getvalue())["results"]}


def test_silence_is_not_listed_and_leaves_the_unknown_low(tmp_path):
    bare = results(tmp_path)[3]
    assert (bare["category"], bare["cause"], bare["confidence"]) == (
        "unknown", "unexplained-fail", "low")
    assert "ruled out" not in bare["explanation"]
    assert "as the report states" not in bare["explanation"]
    assert "does not say" not in bare["explanation"]


def test_what_the_run_contradicts_is_listed_and_makes_it_medium(tmp_path):
    contradicted = results(tmp_path)[2]
    assert (contradicted["category"], contradicted["confidence"]) == ("unknown", "medium")
    ruled_out = contradicted["explanation"].split("ruled out by the run: ", 1)[1]
    assert ruled_out.startswith("the kernel under test lacks a feature the test needs? No: #1 "
                                "(Setting/clearing PR_SET_MEMORY_MERGE works) passed")
    assert "as the report states" not in ruled_out and "bisected" not in ruled_out
