"""--kcidb: KCIDB I/O JSON that kcidb-io accepts, with the culprit of every finding and one
incident per affected test."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from kcidb_io.schema import LATEST

LOGS = Path(__file__).parent / "fixtures" / "logs"
PATH = re.compile(r"^mm\.(gup_longterm|cow)\.[a-z0-9_]+$")


def harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def kcidb_of(tmp_path: Path, name: str, *extra: str) -> dict:
    out_file = tmp_path / f"{name}.kcidb.json"
    log = LOGS / f"{name}.log"
    strace = LOGS / f"{name}.strace"
    args = [str(log), *(["--strace", str(strace)] if strace.exists() else []), *extra]
    out = harness("triage", *args, "--kcidb", str(out_file))
    assert out.returncode in (0, 1), out.stderr
    data = json.loads(out_file.read_text())
    LATEST.validate(data)  # raises on any schema violation
    assert data["version"] == {"major": LATEST.major, "minor": LATEST.minor}
    return data


def incidents_of(data: dict, issue_id: str) -> set[str]:
    return {i["test_id"] for i in data["incidents"] if i["issue_id"] == issue_id}


def test_9p_run_tests_issues_and_incidents(tmp_path):
    data = kcidb_of(tmp_path, "lead-strace-inject-9p-local-tmpfile", "--fs", "9p")
    tests = data["tests"]
    assert len(tests) == 50
    assert all(PATH.match(t["path"]) for t in tests)
    assert len({t["id"] for t in tests}) == 50
    statuses = [t["status"] for t in tests]
    assert (statuses.count("FAIL"), statuses.count("SKIP"), statuses.count("PASS")) == (10, 36, 4)
    build_ids = {b["id"] for b in data["builds"]}
    assert all(t["build_id"] in build_ids for t in tests)
    assert {b["checkout_id"] for b in data["builds"]} == {c["id"] for c in data["checkouts"]}

    issues = {i["id"]: i for i in data["issues"]}
    ninep = issues["harness:9p-unlinked-file"]
    assert ninep["culprit"] == {"code": False, "tool": False, "harness": True}
    assert ninep["report_url"] == "https://gitlab.com/qemu-project/qemu/-/issues/103"
    assert "QEMU issue 103" in ninep["comment"]
    assert issues["harness:gup-test-missing"]["culprit"]["harness"] is True  # config

    failing = {t["id"] for t in tests if t["status"] == "FAIL"}
    assert incidents_of(data, "harness:9p-unlinked-file") == failing
    linked = {i["test_id"] for i in data["incidents"]}
    assert linked <= {t["id"] for t in tests}
    # Every non-pass result is explained by exactly one issue here.
    assert linked == {t["id"] for t in tests if t["status"] != "PASS"}
    failed = next(t for t in tests if t["status"] == "FAIL")
    assert "ftruncate" in failed["log_excerpt"]
    assert "not ok" in failed["log_excerpt"]  # the log's own lines ...
    assert any(".log:L" in e for e in failed["misc"]["evidence"])  # ... and where they are
    assert failed["environment"]["misc"]["fs"] == "9p"


def test_culprit_kernel_for_a_crash(tmp_path):
    data = kcidb_of(tmp_path, "qemu-x86_64-console-panic")
    issue = next(i for i in data["issues"] if i["id"] == "harness:kernel-oops")
    assert issue["culprit"] == {"code": True, "tool": False, "harness": False}
    incidents = [i for i in data["incidents"] if i["issue_id"] == issue["id"]]
    assert incidents
    ids = {t["id"] for t in data["tests"]} | {b["id"] for b in data["builds"]}
    assert all(i.get("test_id", i.get("build_id")) in ids for i in incidents)


def test_culprit_tool_for_a_test_bug(tmp_path):
    data = kcidb_of(tmp_path, "qemu-x86_64-xfs-gup_longterm", "--fs", "xfs")
    issue = next(i for i in data["issues"] if i["id"] == "harness:iouring-stale-errno")
    assert issue["culprit"] == {"code": False, "tool": True, "harness": False}
    assert incidents_of(data, issue["id"])


def test_known_issue_is_the_code_and_unknown_has_no_issue(tmp_path):
    cow = kcidb_of(tmp_path, "qemu-x86_64-9p-cow", "--fs", "9p")
    known = next(i for i in cow["issues"] if i["id"] == "harness:hugetlb-vmsplice-cow")
    assert known["culprit"]["code"] is True
    unknown = kcidb_of(tmp_path, "qemu-x86_64-console-9p")
    assert not any("unexplained" in i["id"] for i in unknown["issues"])
    assert any(t["status"] == "FAIL" and t["misc"]["category"] == "unknown"
               for t in unknown["tests"])


def test_origin_option(tmp_path):
    data = kcidb_of(tmp_path, "qemu-x86_64-9p-gup_longterm", "--fs", "9p",
                    "--kcidb-origin", "arm_ci")
    objects = [o for key in ("checkouts", "builds", "tests", "issues", "incidents")
               for o in data[key]]
    assert all(o["origin"] == "arm_ci" and o["id"].startswith("arm_ci:") for o in objects)
    bad = tmp_path / "bad.json"
    out = harness("triage", str(LOGS / "qemu-x86_64-9p-gup_longterm.log"), "--kcidb", str(bad),
                  "--kcidb-origin", "Arm CI")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr and not bad.exists()


def test_tests_attach_to_an_existing_build(tmp_path):
    """--kcidb-build: the kernel's CI submitted checkout and build; harness adds tests,
    issues and incidents to that build."""
    data = kcidb_of(tmp_path, "qemu-x86_64-9p-gup_longterm", "--fs", "9p",
                    "--kcidb-build", "kernelci:maestro:6543210")
    assert data["checkouts"] == [] and data["builds"] == []
    assert {t["build_id"] for t in data["tests"]} == {"kernelci:maestro:6543210"}
    assert data["incidents"]
    out = harness("triage", str(LOGS / "qemu-x86_64-9p-gup_longterm.log"), "--kcidb",
                  str(tmp_path / "x.json"), "--kcidb-build", "no-origin")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
