"""triage reads what the fleet produces: LAVA job logs (as a LAVA server or tuxrun stores them,
and as lava-run prints them), a tuxrun-style output directory and KCIDB JSON, and finds what
it finds in the plain console log, with evidence lines that point into the original file.

The fixture is a real LAVA job log: Debian's lava-dispatcher running `harness lava`'s job for
x86_64 on 9p (see its PROVENANCE.toml)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from harness.readers.lava_log import record

ROOT = Path(__file__).resolve().parents[1]
RUN = Path(__file__).parent / "fixtures" / "fleet" / "lava-x86_64-9p-gup_longterm"


def triage(*args: str) -> tuple[int, dict, str]:
    out = subprocess.run([sys.executable, "-m", "harness.cli", "triage", *args, "--json", "-"],
                         capture_output=True, text=True, timeout=120, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    return out.returncode, json.loads(out.stdout) if out.stdout.strip() else {}, out.stderr


def findings(report: dict) -> list[tuple]:
    return sorted((f["category"], f["cause"], f["count"], tuple(f["tests"]))
                  for f in report["findings"])


def statuses(report: dict) -> list[tuple]:
    return [(r["suite"], r["number"], r["status"], r["cause"]) for r in report["results"]]


def test_lava_log_directory_and_bare_records_match_the_plain_console(tmp_path):
    bare = tmp_path / "lava-run.log"  # what lava-run prints: the records without "- "
    bare.write_text("".join(line.removeprefix("- ") + "\n"
                            for line in (RUN / "logs.yaml").read_text().splitlines()))
    rc, plain, _ = triage(str(RUN / "logs.txt"), "--fs", "9p")
    assert rc == 0
    ninep = next(f for f in plain["findings"] if f["cause"] == "9p-unlinked-file")
    assert ninep["count"] == 10
    for source in (RUN / "logs.yaml", RUN, bare):
        rc2, report, err = triage(str(source), "--fs", "9p")
        assert rc2 == rc, err
        assert findings(report) == findings(plain), source
        assert statuses(report) == statuses(plain), source
    assert any("LAVA recorded 50 test cases (fail 10, pass 8, skip 32)" in n
               for n in report["environment"]["notes"])
    assert report["environment"]["kernel_release"] == "6.12.118+deb12-amd64"


def test_evidence_line_numbers_point_into_the_lava_log():
    _, report, _ = triage(str(RUN / "logs.yaml"), "--fs", "9p")
    lines = (RUN / "logs.yaml").read_text().splitlines()
    checked = 0
    for result in report["results"]:
        for e in result["evidence"]:
            if e.get("source", "").endswith("logs.yaml"):
                data = record(lines[e["line"] - 1])
                assert data is not None and data["lvl"] == "target"
                assert e["text"].strip() in data["msg"], e
                checked += 1
    assert checked >= 20


def _kcidb(tmp_path: Path) -> dict:
    out = tmp_path / "run.kcidb.json"
    subprocess.run([sys.executable, "-m", "harness.cli", "triage", str(RUN / "logs.yaml"),
                    "--fs", "9p", "--kcidb", str(out)], capture_output=True, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    return json.loads(out.read_text())


def test_kcidb_with_log_files_next_to_it(tmp_path):
    data = _kcidb(tmp_path)
    for test in data["tests"]:  # as a CI submits it: every test names the job's console log
        test["log_url"] = "logs.txt"
    kcidb = tmp_path / "submitted.json"
    kcidb.write_text(json.dumps(data))
    (tmp_path / "logs.txt").write_bytes((RUN / "logs.txt").read_bytes())
    _, plain, _ = triage(str(RUN / "logs.txt"), "--fs", "9p")
    rc, report, err = triage(str(kcidb), "--fs", "9p")
    assert rc == 0, err
    assert findings(report) == findings(plain)
    assert {e["source"] for r in report["results"] for e in r["evidence"]} >= {
        str(tmp_path / "logs.txt")}


def test_kcidb_log_excerpts(tmp_path):
    kcidb = tmp_path / "excerpts.json"
    kcidb.write_text(json.dumps(_kcidb(tmp_path)))
    rc, report, err = triage(str(kcidb), "--fs", "9p")
    assert rc == 0, err
    ninep = [r for r in report["results"] if r["cause"] == "9p-unlinked-file"]
    assert sorted(r["number"] for r in ninep) == [3, 8, 13, 18, 23, 28, 33, 38, 43, 48]
    assert all(".log_excerpt" in e["source"] for r in ninep for e in r["evidence"])


def test_unreadable_fleet_inputs_are_one_line_errors(tmp_path):
    empty = tmp_path / "job"
    empty.mkdir()
    no_logs = tmp_path / "no-logs.json"
    no_logs.write_text(json.dumps({"version": {"major": 5, "minor": 3},
                                   "tests": [{"id": "a:1", "origin": "a", "build_id": "a:b"}]}))
    for bad in (empty, no_logs):
        rc, _, err = triage(str(bad))
        assert rc == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_lava_job_that_never_reached_the_tests_says_what_lava_said(tmp_path):
    """The job's first 200 records (deploy and boot) and its verdict line, as a job that
    stopped before the selftests leaves them."""
    lines = (RUN / "logs.yaml").read_text().splitlines()
    verdict = next(line for line in reversed(lines) if '"case": "job"' in line)
    cut = tmp_path / "boot-only.yaml"
    cut.write_text("\n".join(lines[:200] + [verdict]) + "\n")
    rc, _, err = triage(str(cut))
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert "no selftest results" in err and "LAVA job result pass" in err
