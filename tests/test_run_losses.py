"""What a run lost, said as findings: a dead NFS server, a guest that panicked before the test
printed anything (the QEMU drills in tests/drills/ do the same against real guests)."""

from __future__ import annotations

import time
from pathlib import Path

from fs_profiles.base import ServerExit
from guests.run import GuestRun, TestRun
from harness.cli.run import parse_guest_run, run_exit_code, server_loss
from harness.model import Environment, RunId
from harness.triage.engine import triage

PANIC = """[   10.067735] Uhhuh. NMI received for unknown reason 31 on CPU 0.
[   10.075475] Kernel panic - not syncing: NMI: Not continuing
[   10.076383] CPU: 0 UID: 0 PID: 159 Comm: gup_longterm Tainted: G           OE
[   10.089525] Call Trace:
[   10.091283]  vpanic+0x2de/0x340
[   10.092587]  nmi_panic+0xb4/0xc0
[   10.118725] ---[ end Kernel panic - not syncing: NMI: Not continuing ]---"""

GUP_CUT = """TAP version 13
1..50
# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd
ok 1 Should have worked
# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile"""


def _run(tmp_path: Path, *tests: TestRun, **kw) -> GuestRun:
    console = tmp_path / "console.log"
    console.write_text("[  70.1] nfs: server 10.0.2.2 not responding, still trying\n")
    return GuestRun(console_log=console, kind="qemu", fs_name="nfs", tests=list(tests), **kw)


def _report(gr: GuestRun, tmp_path: Path):
    loss = server_loss(gr, tmp_path)
    logs, straces = parse_guest_run(gr, tmp_path, RunId("nfs"), loss)
    return triage(logs, Environment(guest="qemu"), straces)


def test_a_panic_before_any_result_is_one_crash_of_that_test(tmp_path):
    gr = _run(tmp_path, TestRun("gup_longterm", "gup_longterm", PANIC, None, False, 1.0))
    gr.crash = PANIC.splitlines()[1:]
    report = _report(gr, tmp_path)
    [crash] = [f for f in report.findings if f.category == "kernel-bug" and "oops" in f.cause]
    assert crash.tests == ["gup_longterm #0: gup_longterm (whole binary)"]  # not "between tests"
    assert [r.status.value for r in report.results] == ["crash"]
    assert run_exit_code(report) == 1


def test_a_panic_between_two_cases_names_the_test_too(tmp_path):
    between = GUP_CUT.rsplit("\n", 1)[0] + "\n" + PANIC  # after "ok 1", before the next [RUN]
    gr = _run(tmp_path, TestRun("gup_longterm", "gup_longterm", between, None, False, 1.0))
    gr.crash = PANIC.splitlines()[1:]
    report = _report(gr, tmp_path)
    [crash] = [f for f in report.findings if f.cause == "kernel-oops"]
    assert crash.tests == ["gup_longterm #0: gup_longterm (whole binary)"]
    assert [r.status.value for r in report.results][:1] == ["pass"]  # what finished is kept


def test_a_dead_nfs_server_is_blamed_for_every_case_it_cut_off(tmp_path):
    gone = ServerExit("the NFS server", "nfs-ganesha", 4242, -9, time.time(), "NFS STARTUP")
    gr = _run(tmp_path, TestRun("gup_longterm", "gup_longterm", GUP_CUT, None, True, 20.0),
              server_exit=gone, server_exit_during="gup_longterm",
              server_exit_when="during gup_longterm")
    report = _report(gr, tmp_path)
    [died] = report.findings
    assert (died.category, died.cause, died.count) == ("env", "nfs-server-died", 49)
    assert died.explanation.startswith("The NFS server (nfs-ganesha, pid 4242) died during "
                                       "gup_longterm (killed by SIGKILL at ")
    assert "49 gup_longterm tests lost" in died.explanation  # not "with local tmpfile"
    texts = [e.text for e in died.evidence]
    assert any("was killed by SIGKILL" in t for t in texts)
    assert any("not responding" in t for t in texts)
    assert (tmp_path / "server-exit.log").read_text().startswith("The NFS server (nfs-ganesha")
    assert run_exit_code(report) == 1  # lost tests: never a clean run, though all are env


def test_without_a_dead_server_a_hang_stays_a_timeout(tmp_path):
    gr = _run(tmp_path, TestRun("gup_longterm", "gup_longterm", GUP_CUT, None, True, 60.0))
    report = _report(gr, tmp_path)
    assert "test-timeout" in {f.cause for f in report.findings}
    assert "nfs-server-died" not in {f.cause for f in report.findings}
    assert not (tmp_path / "server-exit.log").exists()


def test_a_removed_9p_share_explains_failures_nothing_else_does(tmp_path):
    out = ("TAP version 13\n1..2\n# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... "
           "with local tmpfile\nnot ok 1 mkstemp() failed\n# [RUN] R/W longterm GUP pin in "
           "MAP_SHARED file mapping ... with memfd\nok 2 Should have worked\n")
    gr = _run(tmp_path, TestRun("gup_longterm", "gup_longterm", out, 1, False, 5.0),
              fs_gone="The 9p share's directory /x/9p-share-1 was removed",
              fs_gone_during="gup_longterm")
    report = _report(gr, tmp_path)
    [gone] = report.findings  # was: unknown/unexplained-fail
    assert (gone.category, gone.cause, gone.count) == ("env", "9p-share-removed", 1)
    assert any("/x/9p-share-1 was removed during or before gup_longterm" in e.text
               for e in gone.evidence)
