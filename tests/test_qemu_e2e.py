"""End to end: really boot TCG guests with the cached Debian 6.12 kernels and static selftests.

Skipped (with the reason) when the assets are not built: run `harness setup` first.
"""

import re
import shutil
import time

import psutil
import pytest

from fs_profiles.registry import make_profile
from guests.base import GuestError

pytestmark = pytest.mark.qemu

FTRUNCATE_FAILED = re.compile(r"^not ok \d+ ftruncate\(\) failed", re.MULTILINE)
TOTALS = re.compile(r"# Totals: pass:(\d+) fail:(\d+) xfail:\d+ xpass:\d+ skip:(\d+)")


def assets_for(arch):
    from guests.assets.kernels import find_kernel
    from guests.assets.selftests import find_selftests
    from harness.arch import get_arch

    binary = get_arch(arch).qemu_binary
    if not shutil.which(binary):
        pytest.skip(f"{binary} is not installed")
    kernel = find_kernel(arch, "6.12")
    selftests = find_selftests(arch)
    if kernel is None or selftests is None:
        pytest.skip(f"no cached 6.12 kernel/selftests for {arch}: "
                    f"run `harness setup --arch {arch}`")
    return kernel, selftests


def qemu_processes(under):
    """QEMU processes whose command line refers to files under ``under`` (this test's own)."""
    out = []
    for p in psutil.process_iter(["name", "cmdline"]):
        try:
            if (p.info["name"] or "").startswith("qemu-system") and str(under) in " ".join(
                    p.info["cmdline"] or []):
                out.append(p.pid)
        except psutil.Error:
            continue
    return out


@pytest.fixture
def no_leftover_qemu(tmp_path):
    yield
    time.sleep(0.2)
    assert qemu_processes(tmp_path) == [], "a QEMU process survived the run"


def run(arch, fs, tmp_path, **kw):
    from guests.qemu_guest import QemuGuest
    from guests.run import RunRequest, run_selftests

    kernel, selftests = assets_for(arch)
    t0 = time.monotonic()
    request = RunRequest(fs=fs, out=tmp_path, arch=arch, **kw)
    result = run_selftests(QemuGuest(kernel, selftests, make_profile(fs), request), request)
    took = time.monotonic() - t0
    print(f"\n{arch} {fs}: boots {[round(b, 1) for b in result.boot_seconds]} s, "
          + ", ".join(f"{t.name} {t.seconds:.1f} s" for t in result.tests)
          + f", total {took:.1f} s")
    return result


def totals(output):
    m = TOTALS.search(output)
    assert m, output[-2000:]
    return tuple(int(x) for x in m.groups())


@pytest.mark.usefixtures("no_leftover_qemu")
def test_x86_9p_local_tmpfile_cases_fail_ftruncate_enoent(tmp_path):
    r = run("x86_64", "9p", tmp_path, tests=("gup_longterm",), strace=True, cmdline="thread")
    assert r.crash is None
    assert r.facts.fs_mount.fstype == "9p"
    assert r.facts.kernel_release.startswith("6.12")
    assert r.hugepage_shortfall == [], r.hugepage_shortfall  # nokaslr + 4224M/3072M nodes
    (t,) = r.tests
    assert t.exit_code == 1 and not t.timed_out
    assert len(FTRUNCATE_FAILED.findall(t.output)) == 10
    assert totals(t.output)[1] == 10
    assert t.strace_log is not None
    enoent = re.findall(r"ftruncate\(\d+, \d+\)\s+= -1 ENOENT", t.strace_log)
    assert len(enoent) == 10
    assert r.console_log.stat().st_size > 0 and "HARNESS-GUEST-READY" in r.console_log.read_text()


@pytest.mark.usefixtures("no_leftover_qemu")
def test_x86_xfs_has_no_ftruncate_failures(tmp_path):
    r = run("x86_64", "xfs", tmp_path, tests=("gup_longterm",), cmdline="minimal")
    assert r.facts.fs_mount.fstype == "xfs"
    (t,) = r.tests
    assert not FTRUNCATE_FAILED.search(t.output)
    assert totals(t.output)[1] == 0 and t.exit_code == 0


@pytest.mark.usefixtures("no_leftover_qemu")
def test_x86_tmpfs_tmp_scope_puts_tmp_on_the_fs(tmp_path):
    r = run("x86_64", "tmpfs", tmp_path, tests=("gup_longterm",), cmdline="minimal", scope="tmp")
    assert r.facts.mount_at("/tmp").source == "harness-tmpfs"  # the bind of the profile's fs
    (t,) = r.tests
    assert not FTRUNCATE_FAILED.search(t.output) and totals(t.output)[1] == 0


@pytest.mark.usefixtures("no_leftover_qemu")
def test_arm64_9p_thread_cmdline(tmp_path):
    r = run("arm64", "9p", tmp_path, tests=("gup_longterm",), cmdline="thread", strace=True)
    assert "console=ttyAMA0" in r.facts.cmdline and "hugepagesz=64K" in r.facts.cmdline
    assert r.hugepage_shortfall == []
    assert r.facts.hugepages_per_node[1][64] == 2
    (t,) = r.tests
    assert len(FTRUNCATE_FAILED.findall(t.output)) == 10
    # Debian's arm64 strace (with its own libc and loader) runs in the arm64 guest.
    assert len(re.findall(r"ftruncate\(\d+, \d+\)\s+= -1 ENOENT", t.strace_log or "")) == 10


def tmpfs_guest(tmp_path):
    from fs_profiles.tmpfs import TmpfsProfile
    from guests.initramfs import InitramfsSpec, build_initramfs, find_busybox
    from guests.qemu import QemuMachine

    kernel, _ = assets_for("x86_64")
    side = TmpfsProfile().provision(tmp_path, "/mnt/harness")
    initrd = tmp_path / "initrd.gz"
    build_initramfs(InitramfsSpec(arch="x86_64", mountpoint=side.mountpoint,
                                  busybox=find_busybox("x86_64"), mount=side.mount), initrd)
    return QemuMachine(arch="x86_64", kernel=kernel.vmlinux or kernel.image, initrd=initrd,
                       log_path=tmp_path / "console.log", accel="tcg")


def _gone(pid):
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


@pytest.mark.usefixtures("no_leftover_qemu")
def test_hung_command_kills_qemu(tmp_path):
    g = tmpfs_guest(tmp_path)
    g.start()
    pid = g._console.pid
    try:
        assert g.run("pwd", 30).output.strip() == "/mnt/harness"
        r = g.run("echo going; sleep 600", 3)
        assert r.timed_out and "going" in r.output
        with pytest.raises(GuestError):
            g.run("true", 5)
    finally:
        g.close()
    assert _gone(pid)


@pytest.mark.usefixtures("no_leftover_qemu")
@pytest.mark.parametrize("panic_reboot", [True, False])
def test_real_kernel_panic_is_detected(tmp_path, panic_reboot):
    """panic=-1 + -no-reboot: QEMU exits; without panic=-1 (the thread's line verbatim) the
    kernel spins after its panic and the console's end-of-panic line ends the wait."""
    g = tmpfs_guest(tmp_path)
    g.panic_reboot = panic_reboot
    g.start()
    pid = g._console.pid
    try:
        start = time.monotonic()
        r = g.run("echo c > /proc/sysrq-trigger", 60)
        assert r.exit_code is None and not r.timed_out and time.monotonic() - start < 50
        assert not g.alive and g._console.panicked is not panic_reboot
        (crash,) = [c for c in g.crashes if "sysrq triggered crash" in c.title]
        assert crash.kind == "oops" and any("Call Trace" in ln for ln in crash.lines)
    finally:
        g.close()
    assert _gone(pid)


@pytest.mark.usefixtures("no_leftover_qemu")
def test_x86_9p_root_scope_makes_tmpfile_cases_fail_too(tmp_path):
    """/ is the 9p share (switch_root): the binaries, the loader and /tmp are on 9p."""
    r = run("x86_64", "9p", tmp_path, tests=("gup_longterm",), cmdline="minimal", scope="root")
    assert r.facts.mount_at("/").fstype == "9p" and r.facts.mount_at("/tmp") is None
    assert "root=harness9p" in r.facts.cmdline and "rootfstype=9p" in r.facts.cmdline
    (t,) = r.tests
    failed = re.findall(r"\.\.\. with ([a-z ]+)\nnot ok \d+ ftruncate\(\) failed", t.output)
    assert failed.count("tmpfile") == 10 and failed.count("local tmpfile") == 10


@pytest.mark.usefixtures("no_leftover_qemu")
def test_x86_ext4_minimal(tmp_path):
    r = run("x86_64", "ext4", tmp_path, tests=("gup_longterm",), cmdline="minimal")
    assert r.facts.fs_mount.fstype == "ext4"
    assert r.facts.hugepages[2048].nr == 0 and r.hugepage_shortfall == []
    (t,) = r.tests
    assert t.exit_code == 0 and totals(t.output)[1] == 0


@pytest.mark.usefixtures("no_leftover_qemu")
def test_x86_xfs_root_on_vda2(tmp_path):
    """The thread's disk layout: a partition table, / on /dev/vda2 as XFS."""
    r = run("x86_64", "xfs", tmp_path, tests=("gup_longterm",), cmdline="minimal", scope="root")
    root = r.facts.mount_at("/")
    assert (root.source, root.fstype) == ("/dev/vda2", "xfs")
    assert "root=/dev/vda2" in r.facts.cmdline.split()
    (t,) = r.tests
    assert t.exit_code == 0 and totals(t.output)[1] == 0


@pytest.mark.usefixtures("no_leftover_qemu")
def test_x86_ext4_root_on_vda2_holds_the_cached_payload(tmp_path):
    """/ on /dev/vda2 as ext4, filled on the host from the cached payload (not by /init)."""
    r = run("x86_64", "ext4", tmp_path, tests=("gup_longterm",), cmdline="minimal", scope="root")
    root = r.facts.mount_at("/")
    assert (root.source, root.fstype) == ("/dev/vda2", "ext4") and r.facts.mount_at("/tmp") is None
    console = next(tmp_path.rglob("console-*.log")).read_text(errors="replace")
    assert re.search(r"harness: root \(payload [0-9a-f]+\) ready", console)
    (t,) = r.tests
    assert t.exit_code == 0 and totals(t.output)[1] == 0


@pytest.mark.usefixtures("no_leftover_qemu")
def test_x86_tmpfs_root_is_the_initramfs_copied_to_tmpfs(tmp_path):
    """A tmpfs root: a fresh tmpfs that /init fills from the initramfs, then switch_root."""
    r = run("x86_64", "tmpfs", tmp_path, tests=("gup_longterm",), cmdline="minimal",
            scope="root")
    root = r.facts.mount_at("/")
    assert (root.source, root.fstype) == ("harness-tmpfs", "tmpfs")
    assert "rootfstype=tmpfs" in r.facts.cmdline.split()
    assert all(m.target != "/" or m.fstype == "tmpfs" for m in r.facts.mounts)  # not rootfs
    (t,) = r.tests
    assert t.exit_code == 0 and totals(t.output)[1] == 0


@pytest.mark.usefixtures("no_leftover_qemu")
def test_nfs_root_reproduces_arms_ci_log(tmp_path):
    """Arm's CI boots with an NFS root: both tmpfile configs fail fallocate(), memfd passes."""
    import json
    import subprocess
    import sys

    assets_for("x86_64")
    report = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--fs", "nfs", "--fs-scope", "root",
         "--tests", "gup_longterm", "--cmdline", "minimal", "--out", str(tmp_path / "out"),
         "--json", str(report)], capture_output=True, text=True, timeout=1200, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(report.read_text())
    env = data["environment"]
    assert env["fs"] == "nfs" and env["tmp_fs"] == "nfs"
    assert [m["fstype"] for m in env["mounts"] if m["target"] == "/"][-1] == "nfs"
    failed = [r for r in data["results"] if r["status"] == "fail"]
    assert {r["config"] for r in failed} == {"tmpfile", "local tmpfile"}
    assert {(r["category"], r["cause"]) for r in failed} == {("env", "nfs-no-fallocate")}
    assert all(r["status"] == "pass" for r in data["results"] if r["config"] == "memfd")


@pytest.mark.usefixtures("no_leftover_qemu")
def test_arm64_thread_line_verbatim_with_an_xfs_root(tmp_path):
    """The thread's machine: arm64, its command line verbatim (earlycon root=/dev/vda2 ...),
    / on /dev/vda2 as XFS, every hugepage reservation made on both nodes."""
    from guests.cmdline import THREAD_CMDLINE

    r = run("arm64", "xfs", tmp_path, tests=("gup_longterm",), cmdline="thread", scope="root")
    # the JSON's cmdline is the thread's line plus console= (no panic=-1: the console is
    # watched for a panic instead)
    assert r.facts.cmdline.split() == ["console=ttyAMA0", *THREAD_CMDLINE.split()]
    root = r.facts.mount_at("/")
    assert (root.source, root.fstype) == ("/dev/vda2", "xfs")
    assert r.hugepage_shortfall == []
    for node in (0, 1):
        assert {kb: r.facts.hugepages_per_node[node][kb] for kb in (64, 2048, 32768, 1048576)} \
            == {64: 2, 2048: 64, 32768: 2, 1048576: 2}
    (t,) = r.tests
    assert t.exit_code == 0 and totals(t.output)[1] == 0
