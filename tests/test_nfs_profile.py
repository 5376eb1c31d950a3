"""NFS profile: config rendering, guest recipe, RPC probes, and a real ganesha in a namespace."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil
import pytest

from fs_profiles import ganesha, namespace, netns, nfs, rpcprobe
from fs_profiles.base import ProfileError
from fs_profiles.ganesha import GaneshaConfig, GaneshaServer
from fs_profiles.nfs import NfsProfile

V4 = ["4.0", "4.1", "4.2"]
ALL = ["3", *V4]

needs_root_and_ganesha = pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/usr/bin/ganesha.nfsd").exists()
    or not any(Path(d, "rpcbind").exists() for d in ("/usr/sbin", "/sbin")),
    reason="needs root, nfs-ganesha and rpcbind",
)


def _config(vers: str, tmp_path: Path) -> GaneshaConfig:
    return GaneshaConfig(vers=vers, export_dir=tmp_path / "export",
                         recovery_dir=tmp_path / "recovery", plugins_dir=Path("/usr/lib/ganesha"))


def _settings(text: str) -> dict[str, list[str]]:
    """'key = value;' lines of the rendered config, collected per key."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if "=" in line and line.endswith(";"):
            key, value = line[:-1].split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


# --- config rendering --------------------------------------------------------------------------

def test_v3_config_serves_only_v3_on_loopback_tcp(tmp_path: Path) -> None:
    text = _config("3", tmp_path).render()
    s = _settings(text)
    assert s["Bind_addr"] == ["::ffff:127.0.0.1"]
    assert s["NFS_Port"] == ["20490"] and s["MNT_Port"] == ["20048"]
    assert s["Protocols"] == ["3", "3"]  # core and export
    assert s["Enable_NLM"] == ["false"] and s["Enable_RQUOTA"] == ["false"]
    assert s["Enable_UDP"] == ["false"]
    assert s["Graceless"] == ["true"]
    assert "Minor_Versions" not in s
    assert s["Path"] == [f'"{tmp_path / "export"}"'] and s["Pseudo"] == ["/export"]
    assert s["Squash"] == ["No_Root_Squash"] and s["Access_Type"] == ["RW"]
    assert s["Transports"] == ["TCP"] and s["PrivilegedPort"] == ["false"]
    assert "FSAL { Name = VFS; }" in text
    assert text.count("{") == text.count("}")


@pytest.mark.parametrize("vers", V4)
def test_v4_config_pins_the_minor_version(vers: str, tmp_path: Path) -> None:
    s = _settings(_config(vers, tmp_path).render())
    assert s["Protocols"] == ["4", "4"]
    assert s["Minor_Versions"] == [vers.split(".")[1]]
    assert s["RecoveryRoot"] == [f'"{tmp_path / "recovery"}"']


@pytest.mark.parametrize("vers", ["4", "2", "v3", "4.3", ""])
def test_unknown_versions_are_refused_with_the_valid_list(vers: str) -> None:
    with pytest.raises(ProfileError, match=r"use one of 3, 4\.0, 4\.1, 4\.2"):
        NfsProfile(vers)


def test_paths_that_would_break_the_config_are_refused(tmp_path: Path) -> None:
    cfg = GaneshaConfig(vers="3", export_dir=tmp_path / 'ex"port', recovery_dir=tmp_path,
                        plugins_dir=tmp_path)
    with pytest.raises(ProfileError, match="not usable in a ganesha config"):
        cfg.render()


# --- guest side --------------------------------------------------------------------------------

def test_v3_mount_command_uses_tcp_ports_and_no_locking() -> None:
    cmds = nfs.guest_mount_commands("3", "/mnt/work")
    assert "ip addr add 10.0.2.15/24 dev eth0" in cmds and "ip link set eth0 up" in cmds
    mount = cmds[-1].split()
    assert mount[:3] == ["mount", "-t", "nfs"]
    assert mount[-2:] == ["10.0.2.2:/export", "/mnt/work"]
    opts = dict(o.partition("=")[::2] for o in mount[4].split(","))
    assert opts["vers"] == "3" and opts["proto"] == "tcp" and "nolock" in opts
    assert opts["port"] == "20490" and opts["mountport"] == "20048"
    assert opts["mountproto"] == "tcp" and opts["addr"] == "10.0.2.2"
    assert cmds.index("mkdir -p /mnt/work") < len(cmds) - 1


@pytest.mark.parametrize("vers", V4)
def test_v4_mount_command_names_the_minor_and_needs_no_mountd(vers: str) -> None:
    mount = nfs.guest_mount_commands(vers, "/mnt")[-1].split()
    assert mount[:3] == ["mount", "-t", "nfs4"]
    opts = dict(o.partition("=")[::2] for o in mount[4].split(","))
    assert opts["vers"] == vers and opts["port"] == "20490" and opts["addr"] == "10.0.2.2"
    assert "mountport" not in opts and "nolock" not in opts


def test_guest_modules_follow_the_version() -> None:
    assert nfs.guest_modules("3") == ["virtio_net", "nfsv3"]
    assert all(nfs.guest_modules(v) == ["virtio_net", "nfsv4"] for v in V4)


def test_qemu_gets_user_networking_on_virtio_net() -> None:
    from fs_profiles.base import GuestSide
    from guests.qemu import device_args
    from harness.arch import ARM64, X86_64

    for arch in (X86_64, ARM64):
        args = device_args(arch, GuestSide("/mnt", user_network=True))
        assert args[args.index("-netdev") + 1].startswith("user,id=n0")
        assert args[args.index("-device") + 1].startswith("virtio-net-pci,netdev=n0")


def test_profile_names_and_fs_types() -> None:
    assert (NfsProfile().name, NfsProfile().fs_type) == ("nfs", "nfs")
    assert (NfsProfile("4.2").name, NfsProfile("4.2").fs_type) == ("nfs4.2", "nfs4")


# --- errors the user can fix -------------------------------------------------------------------

def test_missing_ganesha_says_run_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(namespace.shutil, "which", lambda name: None)
    monkeypatch.setattr(namespace, "SBIN_DIRS", ())
    with pytest.raises(ProfileError, match=r"ganesha.nfsd not found: .*`harness setup`"):
        GaneshaServer(netns.NetNamespace(), Path("/nonexistent"), "3", Path("/nonexistent"))


def test_missing_rpcbind_matters_for_v3_only(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    (tmp_path / "libfsalvfs.so").touch()
    monkeypatch.setattr(ganesha, "_FSAL_DIRS", (str(tmp_path),))
    monkeypatch.setattr(namespace.shutil, "which",
                        lambda name: None if name == "rpcbind" else "/bin/true")
    monkeypatch.setattr(namespace, "SBIN_DIRS", ())
    with pytest.raises(ProfileError, match=r"rpcbind not found: install rpcbind"):
        GaneshaServer(netns.NetNamespace(), tmp_path, "3", tmp_path / "export")
    server = GaneshaServer(netns.NetNamespace(), tmp_path, "4.2", tmp_path / "export")
    assert server.config.plugins_dir == tmp_path


def test_missing_vfs_fsal_names_the_package(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    (tmp_path / "libfsalnull.so").touch()
    monkeypatch.setattr(ganesha, "_FSAL_DIRS", (str(tmp_path),))
    with pytest.raises(ProfileError, match="nfs-ganesha-vfs"):
        ganesha.find_plugins_dir()


def test_non_root_gets_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netns.os, "geteuid", lambda: 1000)
    with pytest.raises(ProfileError, match="needs root"):
        netns.NetNamespace().start()


def test_log_tail_drops_dbus_noise_and_keeps_the_reason(tmp_path: Path) -> None:
    log = tmp_path / "ganesha.log"
    log.write_text(
        "01/12/2026 : epoch 1 : vm : ganesha.nfsd-1[main] main :MAIN :EVENT :Starting\n"
        "01/12/2026 : epoch 1 : vm : ganesha.nfsd-1[main] config :CONFIG :CRIT :bad token\n"
        "01/12/2026 : epoch 1 : vm : ganesha.nfsd-1[main] gsh_dbus :DBUS :CRIT :no dbus\n")
    tail = ganesha.log_tail(log)
    assert tail == "config :CONFIG :CRIT :bad token"
    assert ganesha.log_tail(tmp_path / "missing.log") == "(no log)"


def test_teardown_is_idempotent_without_provision() -> None:
    prof = NfsProfile()
    prof.teardown()
    prof.teardown()
    assert prof._server is None and prof._ns is None  # nothing was started, nothing is claimed
    with NfsProfile("4.2") as other:
        assert other.name == "nfs4.2"
    assert other._server is None


# --- RPC probes against a scripted server ------------------------------------------------------

def _fake_rpc_server(reply_body: bytes, accept: int = 0) -> tuple[int, threading.Thread]:
    """One-shot TCP server that answers the first RPC call with ``accept`` and ``reply_body``."""
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]

    def serve() -> None:
        conn, _ = srv.accept()
        with conn, srv:
            (mark,) = struct.unpack(">I", conn.recv(4))
            call = b""
            while len(call) < mark & 0x7FFFFFFF:
                call += conn.recv(4096)
            xid = call[:4]
            reply = xid + struct.pack(">IIIII", 1, 0, 0, 0, accept) + reply_body
            conn.sendall(struct.pack(">I", 0x80000000 | len(reply)) + reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return port, thread


def test_rpc_null_succeeds_against_a_server_that_accepts() -> None:
    port, thread = _fake_rpc_server(b"")
    assert rpcprobe.tcp_null("127.0.0.1", port, rpcprobe.NFS_PROGRAM, 3) is None  # no RpcError
    thread.join(5)
    assert not thread.is_alive()  # the server saw one complete call and answered it


def test_rpc_version_mismatch_reports_the_servers_range() -> None:
    port, thread = _fake_rpc_server(struct.pack(">II", 4, 4), accept=2)
    with pytest.raises(rpcprobe.RpcError, match=r"version mismatch \(server has 4..4\)"):
        rpcprobe.tcp_null("127.0.0.1", port, rpcprobe.NFS_PROGRAM, 3)
    thread.join(5)


@pytest.mark.parametrize(("status", "expected"), [(0, True), (10021, False)])
def test_nfs4_minor_probe_reads_the_compound_status(status: int, expected: bool) -> None:
    port, thread = _fake_rpc_server(struct.pack(">III", status, 0, 0))
    assert rpcprobe.nfs4_minor_supported("127.0.0.1", port, 2) is expected
    thread.join(5)


def test_nobody_listening_is_an_oserror() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connection refused
        with pytest.raises(OSError):
            rpcprobe.tcp_null("127.0.0.1", port, rpcprobe.NFS_PROGRAM, 3, timeout=1)


# --- the real server (root) --------------------------------------------------------------------

def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def _host_listeners(port: int) -> list[object]:
    return [c for c in psutil.net_connections("tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port]


def _our_servers() -> list[psutil.Process]:
    """ganesha.nfsd / rpcbind processes this test run could have left behind."""
    return [p for p in psutil.process_iter(["name", "cmdline"])
            if p.info["name"] in ("ganesha.nfsd", "rpcbind")]


def _in_netns(ns_id: str) -> list[int]:
    found = []
    for pid in psutil.pids():
        try:
            if os.readlink(f"/proc/{pid}/ns/net") == ns_id:
                found.append(pid)
        except OSError:
            pass
    return found


@needs_root_and_ganesha
@pytest.mark.parametrize("vers", ALL)
def test_real_server_answers_in_the_namespace_only_and_leaves_nothing(
        vers: str, tmp_path: Path) -> None:
    before = {p.pid for p in _our_servers()}
    prof = NfsProfile(vers)
    side = prof.provision(tmp_path, "/mnt")
    ns = prof._ns
    assert ns is not None and prof._server is not None and prof._rundir is not None
    rundir = prof._rundir
    ns_id = ns.ns_id
    assert ns_id is not None
    pids = [ns.pid, *prof._server.pids.values()]
    try:
        assert len(_alive(pids)) == (3 if vers == "3" else 2)  # holder, ganesha (+ rpcbind)
        assert set(prof._server.pids) == ({"ganesha", "rpcbind"} if vers == "3" else {"ganesha"})
        major = 3 if vers == "3" else 4
        ns.call_inside(lambda: rpcprobe.tcp_null("127.0.0.1", 20490, rpcprobe.NFS_PROGRAM, major))
        if vers == "3":
            ns.call_inside(lambda: rpcprobe.tcp_null("127.0.0.1", 20048,
                                                     rpcprobe.MOUNT_PROGRAM, 3))
        else:
            minor = int(vers[-1])
            assert ns.call_inside(lambda: rpcprobe.nfs4_minor_supported("127.0.0.1", 20490, minor))
            other = (minor + 1) % 3
            assert not ns.call_inside(
                lambda: rpcprobe.nfs4_minor_supported("127.0.0.1", 20490, other))
        assert not _host_listeners(20490), "NFS port visible in the host's network namespace"
        assert side.enter_argv == ["nsenter", "-t", str(ns.pid), "-n", "--"]
        assert side.facts["server"].startswith("nfs-ganesha ")
        assert side.facts["nfs_version"] == vers
        assert (rundir / "export").is_dir()
    finally:
        prof.teardown()
    deadline = time.monotonic() + 5
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive(pids) == []
    assert _in_netns(ns_id) == []
    assert not [p for p in _our_servers() if p.pid not in before
                and any(str(rundir) in arg for arg in p.info["cmdline"] or [])]
    assert not rundir.exists()
    assert (tmp_path / f"{prof.name}-ganesha.log").exists()
    prof.teardown()  # second teardown after a real run is harmless


@needs_root_and_ganesha
def test_a_server_that_dies_while_serving_is_seen_with_how_and_when(tmp_path: Path) -> None:
    with NfsProfile("3") as prof:
        prof.provision(tmp_path, "/mnt")
        assert prof._server is not None and prof.server_exits() == []
        os.killpg(prof._server.pids["rpcbind"], signal.SIGKILL)  # not needed once serving
        pid = prof._server.pids["ganesha"]
        killed = time.time()
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while not prof.server_exits() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        [gone] = prof.server_exits()
        assert (gone.program, gone.pid, gone.how) == ("nfs-ganesha", pid, "killed by SIGKILL")
        assert killed <= gone.at <= killed + 1.0
        assert gone.describe().startswith(
            f"The NFS server (nfs-ganesha, pid {pid}) was killed by SIGKILL at ")
    assert [e.pid for e in prof.server_exits()] == [pid]  # still said after the teardown


@needs_root_and_ganesha
def test_servers_stopped_by_the_teardown_are_not_deaths(tmp_path: Path) -> None:
    with NfsProfile("3") as prof:
        prof.provision(tmp_path, "/mnt")
    assert prof.server_exits() == []


@needs_root_and_ganesha
def test_something_else_in_the_namespace_is_killed_too(tmp_path: Path) -> None:
    with NfsProfile() as prof:
        prof.provision(tmp_path, "/mnt")
        assert prof._ns is not None
        stray = subprocess.Popen([*prof._ns.enter_argv(mount=False), "sleep", "300"],
                                 start_new_session=True)
        time.sleep(0.2)
    stray.wait(5)  # would time out if the sleep were still running
    assert _alive([stray.pid]) == []


@needs_root_and_ganesha
def test_ganesha_failing_to_start_is_one_line_with_its_log_and_cleans_up(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    render = GaneshaConfig.render
    # an address the namespace does not have: ganesha cannot bind and exits
    monkeypatch.setattr(GaneshaConfig, "render",
                        lambda self: render(self).replace("127.0.0.1", "198.51.100.7"))
    before = {p.pid for p in _our_servers()}
    with pytest.raises(ProfileError) as info:
        NfsProfile().provision(tmp_path, "/mnt")
    message = str(info.value)
    assert message.startswith("nfs-ganesha exited during start-up:")
    assert "Cannot bind" in message and "\n" not in message
    assert {p.pid for p in _our_servers()} <= before
    assert [p.name for p in tmp_path.iterdir()] == ["nfs-ganesha.log"]


@needs_root_and_ganesha
def test_config_errors_fail_fast_instead_of_serving_defaults(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(GaneshaConfig, "render", lambda self: "EXPORT { Export_Id = 1; }\n")
    started = time.monotonic()
    with pytest.raises(ProfileError, match="nfs-ganesha rejected its config: .*Path is missing"):
        NfsProfile().provision(tmp_path, "/mnt")
    assert time.monotonic() - started < 10


@needs_root_and_ganesha
def test_port_in_use_in_the_namespace_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    squatters: list[socket.socket] = []
    original = GaneshaServer._start_ganesha

    def squat_then_start(self: GaneshaServer, timeout: float) -> None:
        squatters.append(self.ns.call_inside(lambda: socket.create_server(("127.0.0.1", 20490))))
        original(self, timeout)

    monkeypatch.setattr(GaneshaServer, "_start_ganesha", squat_then_start)
    with pytest.raises(ProfileError, match="port 20490 is already in use"):
        NfsProfile().provision(tmp_path, "/mnt")
    squatters[0].close()
    assert not _host_listeners(20490)


@needs_root_and_ganesha
def test_ctrl_c_during_provision_still_cleans_up(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    started: list[int] = []
    original = GaneshaServer._start_ganesha

    def start_then_interrupt(self: GaneshaServer, timeout: float) -> None:
        original(self, timeout)
        started.extend([self.ns.pid, *self.pids.values()])
        raise KeyboardInterrupt

    monkeypatch.setattr(GaneshaServer, "_start_ganesha", start_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        NfsProfile().provision(tmp_path, "/mnt")
    assert len(started) == 3 and _alive(started) == []


@needs_root_and_ganesha
def test_servers_die_with_the_harness_even_on_sigkill(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from fs_profiles.nfs import NfsProfile
        prof = NfsProfile()
        prof.provision(Path({str(tmp_path)!r}), "/mnt")
        print(prof._ns.pid, *prof._server.pids.values(), flush=True)
        time.sleep(300)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    pids = [int(p) for p in child.stdout.readline().split()]
    assert len(pids) == 3 and len(_alive(pids)) == 3
    child.kill()
    child.wait(5)
    deadline = time.monotonic() + 5
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive(pids) == []


# --- end to end in a real guest ----------------------------------------------------------------

def _qemu_assets() -> tuple[object, object]:
    from guests.assets.kernels import find_kernel
    from guests.assets.selftests import find_selftests

    kernel, selftests = find_kernel("x86_64"), find_selftests("x86_64")
    if kernel is None or selftests is None or "gup_longterm" not in selftests.binaries:
        pytest.skip("no cached x86_64 kernel/selftests: run harness setup")
    return kernel, selftests


def _local_tmpfile_results(output: str) -> list[str]:
    """Result lines of gup_longterm's 'local tmpfile' cases (6.12 prints the name on [RUN])."""
    found, current = [], ""
    for line in output.splitlines():
        line = line.strip()
        if "[RUN]" in line:
            current = line
        elif line.startswith(("ok ", "not ok ")) and current:
            if current.endswith("with local tmpfile"):
                found.append(line)
            current = ""
    return found


@pytest.mark.qemu
@needs_root_and_ganesha
@pytest.mark.parametrize(("vers", "fstype", "fallocate_works"),
                         [("3", "nfs", False), ("4.2", "nfs4", True)])
def test_guest_mounts_the_export_and_sees_the_versions_fallocate(
        vers: str, fstype: str, fallocate_works: bool, tmp_path: Path) -> None:
    from guests.base import MOUNTPOINT
    from guests.qemu_guest import QemuGuest
    from guests.run import RunRequest, run_selftests

    kernel, selftests = _qemu_assets()
    prof = NfsProfile(vers)
    request = RunRequest(fs="nfs", out=tmp_path, cmdline="minimal", tests=("gup_longterm",),
                         boot_timeout=240, test_timeout=600)
    result = run_selftests(QemuGuest(kernel, selftests, prof, request), request)
    assert result.facts is not None
    mount = result.facts.fs_mount
    assert mount is not None and mount.target == MOUNTPOINT
    assert mount.fstype == fstype and mount.source == "10.0.2.2:/export"
    assert f"vers={vers}" in mount.options.split(",")
    assert result.facts.fs_facts["server"].startswith("nfs-ganesha")
    local = _local_tmpfile_results(result.tests[0].output)
    assert local, "no 'local tmpfile' results in gup_longterm's output"
    failed = [r for r in local if r.startswith("not ok")]
    if fallocate_works:
        assert failed == []
    else:
        assert failed and all(r.endswith("fallocate() failed") for r in failed)
    assert prof._ns is None and not list(tmp_path.glob("work/qemu-*"))


@needs_root_and_ganesha
def test_two_profiles_at_once_get_separate_namespaces(tmp_path: Path) -> None:
    with NfsProfile("3") as first, NfsProfile("4.2") as second:
        a = first.provision(tmp_path / "a", "/mnt")
        b = second.provision(tmp_path / "b", "/mnt")
        assert a.enter_argv != b.enter_argv
        assert first._ns is not None and second._ns is not None
        assert first._ns.ns_id != second._ns.ns_id
        # same port numbers, different servers: each answers only its own version
        first._ns.call_inside(lambda: rpcprobe.tcp_null("127.0.0.1", 20490,
                                                        rpcprobe.NFS_PROGRAM, 3))
        assert second._ns.call_inside(lambda: rpcprobe.nfs4_minor_supported("127.0.0.1",
                                                                            20490, 2))
        with pytest.raises(rpcprobe.RpcError, match="version mismatch"):
            second._ns.call_inside(lambda: rpcprobe.tcp_null("127.0.0.1", 20490,
                                                             rpcprobe.NFS_PROGRAM, 3))
