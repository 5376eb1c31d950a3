"""matrix: the same selftests on several filesystems, combined (recorded runs as fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.model import Category, Environment, RunId
from harness.readers.ingest import parse_file
from harness.triage.engine import triage
from harness.triage.matrix import combine, conclusion, table

LOGS = Path(__file__).parent / "fixtures" / "logs"


def recorded(log: str, run: str, fs: str, strace: str | None = None):
    parsed = parse_file(str(LOGS / log))
    for r in parsed.results:
        r.run_id = RunId.parse(run)
    straces = [parse_file(str(LOGS / strace))] if strace else []
    return triage([parsed], Environment(fs=fs, tmp_fs="tmpfs"), straces)


def test_failures_only_on_9p_are_environment_and_the_table_shows_it():
    report = combine([
        recorded("host-tmpfs-gup_longterm.log", "xfs", "xfs"),
        recorded("lead-strace-inject-9p-local-tmpfile.log", "9p", "9p",
                 "lead-strace-inject-9p-local-tmpfile.strace"),
    ])
    # 9p's failures are env; the missing gup_test (config) is the most severe category
    assert report.verdict == "config"
    assert {str(r.run_id) for r in report.results} == {"xfs", "9p"}
    grid = table(report)
    assert all(len(line) <= 72 for line in grid.splitlines())
    header, *rows = grid.splitlines()
    assert header.split() == ["xfs", "9p"]
    assert any("local tmpfile" in row and row.split()[-1] == "fail" for row in rows)
    assert "environment" in conclusion(report)


def test_unexplained_failure_on_one_fs_only_becomes_an_fs_specific_env_finding():
    report = combine([
        recorded("host-tmpfs-gup_longterm.log", "xfs", "xfs"),
        recorded("host-strace-inject-ftruncate-enoent.log", "ext4", "ext4"),
    ])
    only = [f for f in report.findings if f.cause == "only-on-ext4"]
    assert only and only[0].category is Category.ENV and only[0].count == 50


def test_the_same_failure_on_every_fs_points_at_the_kernel():
    report = combine([
        recorded("host-strace-inject-ftruncate-enoent.log", "xfs", "xfs"),
        recorded("host-strace-inject-ftruncate-enoent.log", "9p", "9p"),
    ])
    everywhere = [f for f in report.findings if f.cause == "fails-on-every-fs"]
    assert everywhere and everywhere[0].category is Category.KERNEL_BUG
    assert report.verdict == "kernel-bug"
    assert "every filesystem" in conclusion(report)


def test_junit_has_one_testsuite_per_binary_and_fs():
    from junitparser import JUnitXml

    from harness.report.junit import render_junit

    report = combine([
        recorded("host-tmpfs-gup_longterm.log", "xfs", "xfs"),
        recorded("lead-strace-inject-9p-local-tmpfile.log", "9p", "9p"),
    ])
    xml = JUnitXml.fromstring(render_junit(report))
    suites = {s.name: s for s in xml}
    assert set(suites) == {"gup_longterm [xfs]", "gup_longterm [9p]"}
    assert suites["gup_longterm [9p]"].tests == 50



@pytest.mark.qemu
def test_live_matrix_xfs_nfs_9p(tmp_path, x86_assets):
    """Real QEMU guests: only 9p and NFS fail, on local tmpfile, each for its own reason."""
    import json
    import subprocess
    import sys

    import psutil

    out = subprocess.run(
        [sys.executable, "-m", "harness.cli", "matrix", "--fs", "xfs,nfs,9p", "--tests",
         "gup_longterm", "--cmdline", "minimal", "--jobs", "2", "--out", str(tmp_path / "out"),
         "--json", str(tmp_path / "m.json"), "--mail", str(tmp_path / "m.txt")],
        capture_output=True, text=True, timeout=900, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads((tmp_path / "m.json").read_text())
    failing = {(r["run"], r["cause"]) for r in data["results"] if r["status"] == "fail"}
    assert failing == {("nfs", "nfs-no-fallocate"), ("9p", "9p-unlinked-file")}
    assert not [r for r in data["results"] if r["run"] == "xfs" and r["status"] == "fail"]
    mail = (tmp_path / "m.txt").read_text()
    assert all(len(line) <= 72 for line in mail.splitlines())
    assert "xfs" in mail.splitlines()[2] or "xfs" in mail
    left = [p.name() for p in psutil.process_iter()
            if p.name() in ("qemu-system-x86_64", "ganesha.nfsd", "rpcbind")
            and str(tmp_path) in " ".join(p.cmdline())]
    assert not left


def test_two_kernels_are_judged_separately():
    """Kernel A fails everywhere, kernel B nowhere: A's failures are A's, not the filesystems'."""
    report = combine([
        recorded("host-strace-inject-ftruncate-enoent.log", "A/xfs", "xfs"),
        recorded("host-strace-inject-ftruncate-enoent.log", "A/9p", "9p"),
        recorded("host-tmpfs-gup_longterm.log", "B/xfs", "xfs"),
        recorded("host-tmpfs-gup_longterm.log", "B/9p", "9p"),
    ])
    assert not [f for f in report.findings if f.cause.startswith("only-on-")]
    everywhere = [r for r in report.results
                  if r.diagnosis and r.diagnosis.cause == "fails-on-every-fs"]
    assert everywhere and {str(r.run_id) for r in everywhere} == {"A/xfs", "A/9p"}
    assert "xfs, 9p" in everywhere[0].diagnosis.explanation


def test_a_run_that_failed_is_said_never_dropped():
    from harness.report.json import render_json
    from harness.report.mail import render_mail

    report = combine([
        recorded("host-tmpfs-gup_longterm.log", "xfs", "xfs"),
        recorded("lead-strace-inject-9p-local-tmpfile.log", "9p", "9p",
                 "lead-strace-inject-9p-local-tmpfile.strace"),
    ], failed={RunId("nfs"): "rpcbind exited during start-up"})
    assert report.verdict == "unknown"  # no conclusion from two of three
    [finding] = [f for f in report.findings if f.cause == "run-failed"]
    assert finding.tests == ["nfs"] and "rpcbind" in finding.explanation
    assert conclusion(report).startswith("1 of 3 runs failed (nfs)")
    assert "nfs: RUN FAILED" in table(report)
    assert "rpcbind" in render_json(report) and "rpcbind" in render_mail(report)
