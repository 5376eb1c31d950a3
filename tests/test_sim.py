"""The simulated guest, for real.

The static selftests on this host's kernel in a private namespace.
"""

import os
import platform
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest

from fs_profiles.base import ProfileError
from guests.assets.selftests import SelftestAssets, find_selftests
from guests.base import MOUNTPOINT, GuestError
from guests.events import TestStarted
from guests.run import GuestRun, RunRequest, run_selftests
from guests.sim.guest import SimGuest
from guests.sim.hostlog import HostKernelLog, crash_excerpts, kmsg_line
from guests.sim.machine import ACCEL, SimMachine, xfs_unavailable
from harness.cli.run import environment_of, parse_guest_run
from harness.model import RunId, Status
from harness.triage.engine import triage

ROOT = Path(__file__).resolve().parents[1]
NEEDS = [shutil.which(t) for t in ("unshare", "nsenter")]
pytestmark = pytest.mark.skipif(not all(NEEDS), reason="needs unshare and nsenter (util-linux)")
NOT_OK = re.compile(r"^not ok \d+ (.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def selftests() -> SelftestAssets:
    built = find_selftests("x86_64") if platform.machine() == "x86_64" else None
    if built is None:
        pytest.skip("x86_64 selftests not built (harness setup) or host is not x86_64")
    return built


def fake_selftests(tmp_path: Path, scripts: dict[str, str]) -> SelftestAssets:
    """Selftests that are shell scripts (to make a test hang on purpose)."""
    binaries = {}
    for name, body in scripts.items():
        path = tmp_path / f"fake-{name}"
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)
        binaries[name] = path
    return SelftestAssets(arch="x86_64", source="fake", version="6.12.0", binaries=binaries)


def run_in_sim(selftests: SelftestAssets, model: str | None, out: Path, on_event=None,
               **kw) -> GuestRun:
    """The sim guest under ``model`` (None: no faults), outputs under ``out`` (work: out/work)."""
    request = RunRequest(fs=model or "tmpfs", out=out, guest="sim", **kw)
    guest = SimGuest(selftests, model, request)
    return run_selftests(guest, request, on_event) if on_event else run_selftests(guest, request)


def processes_mentioning(text: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        if proc.pid != os.getpid() and any(text in part for part in proc.info["cmdline"] or []):
            found.append(proc)
    return found


def report_of(gr, tmp_path: Path, name: str):
    outdir = tmp_path / "out"
    outdir.mkdir(exist_ok=True)
    logs, straces = parse_guest_run(gr, outdir, RunId(name))
    env = environment_of(gr, name, "x86_64", None, "6.12.117", "work")
    return triage(logs, env, straces)


def totals(output: str) -> tuple[int, int, int]:
    m = re.search(r"# Totals: pass:(\d+) fail:(\d+) xfail:\d+ xpass:\d+ skip:(\d+)", output)
    assert m, output[-500:]
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


# --------------------------------------------------------------------------- no model


def test_no_model_runs_both_tests_on_tmpfs_and_reports_host_facts(selftests, tmp_path):
    seen: list[object] = []
    gr = run_in_sim(selftests, None, tmp_path, on_event=seen.append)
    assert [t.name for t in gr.tests] == ["gup_longterm", "cow"]
    gup, cow = gr.tests
    assert gup.exit_code == 0 and not gup.timed_out
    assert totals(gup.output) == (6, 0, 44)  # no local-tmpfile failure on tmpfs
    assert not NOT_OK.findall(gup.output)
    assert cow.exit_code == 0 and totals(cow.output)[1] == 0
    facts = gr.facts
    assert facts.kernel_release == platform.release()
    assert facts.fs_mount.fstype == "tmpfs" and facts.fs_mount.target == MOUNTPOINT
    assert facts.backing_fs == facts.fs_mount
    assert facts.mount_at("/tmp").fstype == "tmpfs"
    assert gr.accel == ACCEL == "none (host kernel)"
    assert any(n.startswith(f"simulated guest: host kernel {platform.release()}, fault model none")
               for n in gr.notes)
    assert gr.crash is None and gr.boot_seconds and gr.boot_seconds[0] < 10
    log = gr.console_log.read_text()
    assert "/mnt/harness-host/bin/gup_longterm" in log and "# Totals: pass:6" in log
    assert TestStarted("gup_longterm", 1, 2) in seen
    # Nothing of the namespace is left: its mounts were never on the host, its dir is gone.
    assert "harness-work" not in Path("/proc/self/mounts").read_text()
    assert [p.name for p in (tmp_path / "work").iterdir() if p.name.startswith("sim-")] == []


def test_cwd_and_tmp_are_private_tmpfs_and_host_is_untouched(tmp_path):
    guest = SimMachine(tmp_path, tmp_path / "console.log")
    with guest:
        r = guest.run("pwd; stat -f -c %T . /tmp; echo mark > /tmp/sim-mark; echo err >&2; exit 3",
                      10)
        assert r.exit_code == 3 and not r.timed_out
        assert r.output.splitlines() == [MOUNTPOINT, "tmpfs", "tmpfs", "err"]
        assert guest.run("cat /tmp/sim-mark", 10).output == "mark"
    assert not Path("/tmp/sim-mark").exists()
    assert guest.holder is None and guest.members() == []
    with pytest.raises(GuestError, match="not running"):
        guest.run("true", 5)


# --------------------------------------------------------------------------- fault models


def test_9p_fvp_fails_exactly_the_local_tmpfile_cases_like_the_fvp_guest(selftests, tmp_path):
    gr = run_in_sim(selftests, "9p-fvp", tmp_path, tests=("gup_longterm",))
    (gup,) = gr.tests
    assert gup.exit_code == 1
    assert totals(gup.output) == (4, 10, 36)  # what a real 9p guest gives (platform.md)
    assert set(NOT_OK.findall(gup.output)) == {"ftruncate() failed"}
    assert gr.facts.fs_mount.fstype == "9p"
    assert gr.facts.fs_mount.options == "rw,relatime,access=client,trans=virtio"
    assert gr.facts.backing_fs.fstype == "tmpfs"
    faults = gup.fault_log.read_text().splitlines()
    assert len(faults) == 20
    assert faults[0].split()[1] == "fstatfs" and faults[0].endswith("(deleted) EOPNOTSUPP")
    assert faults[1].split()[1] == "ftruncate" and faults[1].endswith("(deleted) ENOENT")
    assert all(f" {MOUNTPOINT}/" in line for line in faults)
    assert any("fault model 9p-fvp: 20 fault(s) injected into gup_longterm" in n for n in gr.notes)
    report = report_of(gr, tmp_path, "sim-9p-fvp")
    assert report.environment.fs == "9p" and report.environment.tmp_fs == "tmpfs"
    causes = {(str(f.category), f.cause) for f in report.findings}
    assert ("env", "9p-unlinked-file") in causes


def test_9p_qemu7_fails_the_same_cases_as_a_real_qemu_9p_guest(selftests, tmp_path):
    """The sim's failures match a captured QEMU 9p run case by case (same binary, same numbers)."""
    real = (ROOT / "tests/fixtures/logs/qemu-x86_64-9p-gup_longterm.log").read_text()
    gr = run_in_sim(selftests, "9p-qemu7", tmp_path, tests=("gup_longterm",))
    fails = re.compile(r"^not ok (\d+) (.*)$", re.MULTILINE)
    assert fails.findall(gr.tests[0].output) == fails.findall(real)
    runs = re.compile(r"^# \[RUN\] (.*)$", re.MULTILINE)
    assert runs.findall(gr.tests[0].output) == runs.findall(real)


def test_nfs3_fails_the_local_tmpfile_cases_on_fallocate(selftests, tmp_path):
    gr = run_in_sim(selftests, "nfs3", tmp_path, tests=("gup_longterm",))
    (gup,) = gr.tests
    assert totals(gup.output) == (4, 10, 36)
    assert set(NOT_OK.findall(gup.output)) == {"fallocate() failed"}
    assert gr.facts.fs_mount.fstype == "nfs"
    report = report_of(gr, tmp_path, "sim-nfs3")
    causes = {(str(f.category), f.cause) for f in report.findings}
    assert ("env", "nfs-no-fallocate") in causes


def test_strace_under_the_injector_shows_the_injected_errors(selftests, tmp_path):
    gr = run_in_sim(selftests, "9p-fvp", tmp_path, tests=("gup_longterm",), strace=True)
    (gup,) = gr.tests
    assert gup.command.startswith("/mnt/harness-host/bin/faultinject ")
    assert " -- strace -f -o /mnt/harness-host/logs/gup_longterm.strace " in gup.command
    assert totals(gup.output) == (4, 10, 36)
    trace = gup.strace_log or ""
    assert re.search(r"ftruncate\(\d+, 4096\)\s+= -1 ENOENT", trace), trace[-2000:]
    assert re.search(r"fstatfs\(\d+, 0x[0-9a-f]+\)\s+= -1 EOPNOTSUPP", trace)


@pytest.mark.skipif(xfs_unavailable() is not None, reason=f"no XFS loop image: {xfs_unavailable()}")
def test_xfs_model_runs_on_a_real_xfs_loop_image_and_detaches_it(selftests, tmp_path):
    gr = run_in_sim(selftests, "xfs", tmp_path, tests=("gup_longterm",))
    assert totals(gr.tests[0].output) == (6, 0, 44)
    backing = gr.facts.backing_fs
    assert backing.fstype == "xfs" and backing.source.startswith("/dev/loop")
    loops = subprocess.run(["losetup", "-a"], check=False, capture_output=True, text=True).stdout
    assert str(tmp_path) not in loops


def test_unknown_model_is_a_one_line_error(selftests, tmp_path):
    with pytest.raises(ProfileError, match="unknown fault model 'ext9'"):
        run_in_sim(selftests, "ext9", tmp_path)


def test_selftests_of_another_arch_are_refused(tmp_path):
    arm = find_selftests("arm64")
    if arm is None or platform.machine() != "x86_64":
        pytest.skip("needs arm64 selftests on an x86_64 host")
    with pytest.raises(GuestError, match=r"runs the host kernel \(x86_64\).*arm64"):
        run_in_sim(arm, None, tmp_path)


# --------------------------------------------------------------------------- host kernel log


def test_kmsg_records_become_console_lines_and_crash_blocks_are_cut_out():
    records = [b"6,100,1500000,-;gup_longterm[42]: segfault at 0\n",
               (b"4,101,2000001,-;WARNING: CPU: 1 PID: 42 at mm/gup.c:123 foo+0x1/0x2\n"
                b" SUBSYSTEM=x\n"),
               b"4,102,2000002,c;Call Trace:\n",
               b"4,103,2000003,-;---[ end trace 0000000000000000 ]---\n",
               b"6,104,2000004,-;after\n", b"garbage"]
    lines = [ln for r in records if (ln := kmsg_line(r)) is not None]
    assert lines[0] == "[    1.500000] gup_longterm[42]: segfault at 0"
    assert len(lines) == 5  # the record without a header is dropped, KEY=VALUE lines too
    (block,) = crash_excerpts(lines)
    assert block[0].endswith("WARNING: CPU: 1 PID: 42 at mm/gup.c:123 foo+0x1/0x2")
    assert block[-1].endswith("---[ end trace 0000000000000000 ]---") and len(block) == 3


def test_host_kernel_log_reads_only_new_records_without_blocking():
    klog = HostKernelLog()
    try:
        if klog.why_not:
            pytest.skip(klog.why_not)
        start = time.monotonic()
        lines = klog.read()
        assert time.monotonic() - start < 1
        assert not any("Linux version" in line for line in lines)  # old records are not replayed
        assert all(line.startswith("[") for line in lines)
    finally:
        klog.close()


# --------------------------------------------------------------------------- timeouts, cleanup


def test_hanging_test_is_killed_reported_timed_out_and_the_next_test_runs(tmp_path):
    fake = fake_selftests(tmp_path, {"gup_longterm": "echo 'TAP version 13'; echo 1..1;"
                                                     " echo '# [RUN] hang'; exec sleep 3003\n",
                                     "cow": "echo 'TAP version 13'; echo 1..1; echo ok 1 fine\n"})
    gr = run_in_sim(fake, None, tmp_path / "out", test_timeout=1.5)
    hung, cow = gr.tests
    assert hung.timed_out and hung.exit_code is None and 1.5 <= hung.seconds < 5
    assert "# [RUN] hang" in hung.output
    assert cow.exit_code == 0 and cow.output.endswith("ok 1 fine")
    assert any("gup_longterm timed out after 1.5 s and was killed" in n for n in gr.notes)
    assert processes_mentioning("sleep 3003") == []
    report = report_of(gr, tmp_path, "sim-hang")
    assert any(r.status is Status.TIMEOUT for r in report.results)


def test_close_kills_everything_in_the_namespace_even_escaped_daemons(tmp_path):
    guest = SimMachine(tmp_path, tmp_path / "console.log")
    guest.start()
    holder = guest.pid
    r = guest.run("setsid sleep 4242 >/dev/null 2>&1 < /dev/null & echo $!", 10)
    daemon = int(r.output.split()[-1])
    assert psutil.pid_exists(daemon) and daemon in guest.members()
    private = guest.private
    guest.close()
    guest.close()  # idempotent
    assert not psutil.pid_exists(daemon) or psutil.Process(daemon).status() == "zombie"
    assert not psutil.pid_exists(holder)
    assert processes_mentioning("sleep 4242") == []
    assert private is not None and not private.exists()


def test_run_timeout_kills_the_whole_process_group(tmp_path):
    with SimMachine(tmp_path, tmp_path / "console.log") as guest:
        r = guest.run("sleep 3131 & sleep 3132; echo never", 1.0)
        assert r.timed_out and r.exit_code is None and "never" not in r.output
        time.sleep(0.2)
        assert processes_mentioning("sleep 313") == []
        assert guest.run("echo alive", 5).output == "alive"  # the guest survives a timeout
    assert "# timed out after 1.0" in (tmp_path / "console.log").read_text()


def test_ctrl_c_during_a_test_stops_it_and_cleans_up(tmp_path):
    fake = fake_selftests(tmp_path, {"gup_longterm": "exec sleep 2727\n"})
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        gr = run_in_sim(fake, None, tmp_path, tests=("gup_longterm",), test_timeout=60)
    finally:
        timer.cancel()
    assert gr.interrupted and gr.tests == []  # like a QEMU run: what finished is returned
    assert any("Ctrl-C" in n for n in gr.notes)
    assert processes_mentioning("sleep 2727") == []
    assert [p for p in (tmp_path / "work").iterdir() if p.name.startswith("sim-")] == []


NONROOT = r"""
import sys
from pathlib import Path
from guests.sim.machine import SimMachine
d = Path(sys.argv[1])
with SimMachine(d / "w", d / "console.log") as g:
    assert g.userns, "expected a user namespace"
    print(g.run("id -u; stat -f -c %T . /tmp", 10).output)
    print("timed_out", g.run("sleep 50", 0.5).timed_out)
    print("notes", g.notes)
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="switches to nobody to test the non-root path")
def test_non_root_gets_a_user_namespace():
    python = "/usr/bin/python3"
    probe = subprocess.run([python, "-c", "import psutil"], check=False,
                           capture_output=True)
    if probe.returncode != 0 or not shutil.which("setpriv"):
        pytest.skip("needs setpriv and a system python3 with psutil")
    work = Path(tempfile.mkdtemp(prefix="sim-nobody-"))  # pytest's tmp_path is root-only
    try:
        # A copy of the packages nobody can read: the checkout may sit under a root-only
        # directory (/root, a mktemp -d), and then nobody could not import it from there.
        for package in ("harness", "guests", "fs_profiles"):
            shutil.copytree(ROOT / package, work / "src" / package,
                            ignore=shutil.ignore_patterns("__pycache__"))
        os.chown(work, 65534, 65534)
        proc = _run_as_nobody(python, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if proc.returncode != 0 and "Operation not permitted" in proc.stderr:
        pytest.skip(f"unprivileged user namespaces are disabled here: {proc.stderr[-200:]}")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:3] == ["0", "tmpfs", "tmpfs"]  # mapped root, private tmpfs cwd and /tmp
    assert "timed_out True" in lines
    assert "debugfs could not be mounted" in proc.stdout  # said, not silent


def _run_as_nobody(python: str, work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-c", NONROOT,
         str(work)], check=False, capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(work / "src"), "HOME": str(work), "PATH": os.environ["PATH"]})
