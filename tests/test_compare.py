"""compare: 'does it only fail with the patch set applied?' on reports of recorded runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

LOGS = Path(__file__).parent / "fixtures" / "logs"


def triage_json(tmp: Path, name: str, log: str, *extra: str) -> Path:
    out = tmp / f"{name}.json"
    subprocess.run([sys.executable, "-m", "harness.cli", "triage", str(LOGS / log), *extra,
                    "--json", str(out)], capture_output=True, check=False, timeout=120)
    assert out.exists()
    return out


def compare(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", "compare", *args],
                          capture_output=True, text=True, check=False, timeout=120)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("reports")
    return {
        "tmpfs": triage_json(tmp, "tmpfs", "host-tmpfs-gup_longterm.log", "--fs", "tmpfs"),
        "9p": triage_json(tmp, "9p", "lead-strace-inject-9p-local-tmpfile.log", "--strace",
                          str(LOGS / "lead-strace-inject-9p-local-tmpfile.strace"), "--fs", "9p"),
        "broken": triage_json(tmp, "broken", "host-strace-inject-ftruncate-enoent.log",
                              "--fs", "tmpfs"),
    }


def test_environment_only_difference_is_not_a_regression(reports, tmp_path):
    out = compare(str(reports["tmpfs"]), str(reports["9p"]), "--json", str(tmp_path / "c.json"))
    assert out.returncode == 0
    assert out.stdout.startswith("No: ")
    data = json.loads((tmp_path / "c.json").read_text())
    assert data["schema"] == "harness.compare/1" and not data["introduced_anything"]
    assert data["summary"]["environment-only"] == 10 and data["summary"]["regressed"] == 0
    assert "9p-unlinked-file" in data["sentence"]


def test_new_unexplained_failures_are_regressions(reports):
    out = compare(str(reports["tmpfs"]), str(reports["broken"]), "--new-label", "with-patches")
    assert out.returncode == 1
    assert out.stdout.startswith("Yes: with-patches introduced something: 50 tests")


def test_reverse_direction_is_fixed(reports, tmp_path):
    out = compare(str(reports["broken"]), str(reports["tmpfs"]), "--json", str(tmp_path / "c.json"))
    assert out.returncode == 0
    assert json.loads((tmp_path / "c.json").read_text())["summary"]["fixed"] == 50


def test_same_run_twice_is_all_unchanged(reports):
    out = compare(str(reports["broken"]), str(reports["broken"]))
    assert out.returncode == 0
    assert "50 fail on both for the same cause" in out.stdout


def test_not_a_report_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "something-else"}')
    out = compare(str(bad), str(bad))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


def test_xfail_flip_of_the_known_hugetlb_case_is_not_a_change():
    from harness.triage.compare import Outcome, classify

    ok = Outcome("pass", None, None, None)
    xfail = Outcome("xfail", "known-issue", "hugetlb-vmsplice-cow", None)
    assert classify(ok, xfail) is None and classify(xfail, ok) is None
