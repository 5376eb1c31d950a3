"""nfs-ganesha and rpcbind inside a private network namespace: config rendering, start, stop."""

from __future__ import annotations

import functools
import glob
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fs_profiles import rpcprobe
from fs_profiles.base import SERVER_POLL, ProfileError, ServerExit
from fs_profiles.namespace import require_tool
from fs_profiles.netns import NetNamespace

NFS_PORT = 20490
MNT_PORT = 20048
VERSIONS = ("3", "4.0", "4.1", "4.2")
PSEUDO_PATH = "/export"
BIND_ADDR = "::ffff:127.0.0.1"  # ganesha binds AF_INET6 sockets; a plain IPv4 address is ignored

# rpcbind gets only the local transports: it listens on its unix socket and nowhere else.
# (`rpcbind -h 127.0.0.1` crashes with a double free in Debian 12's rpcbind 1.2.6.)
LOCAL_NETCONFIG = (
    "local      tpi_cots_ord  -     loopback  -      -       -\n"
    "unix       tpi_cots_ord  -     loopback  -      -       -\n"
)

EXPORT_OPTIONS = {
    "Access_Type": "RW",
    "Squash": "No_Root_Squash",
    "Transports": "TCP",
    "SecType": "sys",
    "PrivilegedPort": "false",
}

_FSAL_DIRS = ("/usr/lib/*/ganesha", "/usr/lib64/ganesha", "/usr/lib/ganesha")


def check_version(vers: str) -> str:
    """The NFS version string if supported, else a ProfileError naming the valid ones."""
    if vers not in VERSIONS:
        raise ProfileError(f"unsupported NFS version {vers!r}: use one of {', '.join(VERSIONS)}")
    return vers


def _quoted(path: Path) -> str:
    text = str(path)
    if any(c in text for c in '"\n;{}'):
        raise ProfileError(f"path not usable in a ganesha config: {text!r}")
    return f'"{text}"'


@dataclass(frozen=True)
class GaneshaConfig:
    """Everything the rendered ganesha.conf depends on."""

    vers: str
    export_dir: Path
    recovery_dir: Path
    plugins_dir: Path
    nfs_port: int = NFS_PORT
    mnt_port: int = MNT_PORT
    pseudo: str = PSEUDO_PATH

    @property
    def major(self) -> int:
        return int(self.vers.split(".")[0])

    @property
    def minor(self) -> int | None:
        return int(self.vers.split(".")[1]) if "." in self.vers else None

    def render(self) -> str:
        check_version(self.vers)
        protocols = str(self.major)
        core = [
            f"Bind_addr = {BIND_ADDR};",
            f"NFS_Port = {self.nfs_port};",
            f"MNT_Port = {self.mnt_port};",
            f"Protocols = {protocols};",
            "Enable_NLM = false;",
            "Enable_RQUOTA = false;",
            "Enable_UDP = false;",
            "Mount_Path_Pseudo = true;",
            f"Plugins_Dir = {_quoted(self.plugins_dir)};",
        ]
        nfsv4 = ["Graceless = true;", "RecoveryBackend = fs;",
                 f"RecoveryRoot = {_quoted(self.recovery_dir)};"]
        if self.minor is not None:
            nfsv4.append(f"Minor_Versions = {self.minor};")
        export = [
            "Export_Id = 1;",
            f"Path = {_quoted(self.export_dir)};",
            f"Pseudo = {self.pseudo};",
            f"Protocols = {protocols};",
            *(f"{key} = {value};" for key, value in EXPORT_OPTIONS.items()),
            "FSAL { Name = VFS; }",
        ]

        def block(name: str, lines: list[str]) -> str:
            return name + " {\n" + "".join(f"    {line}\n" for line in lines) + "}\n"

        return (block("NFS_CORE_PARAM", core) + block("NFSV4", nfsv4)
                + block("NFS_KRB5", ["Active_krb5 = false;"]) + block("EXPORT", export))


def find_plugins_dir() -> Path:
    """Directory holding ganesha's FSAL plugins, which must include the VFS one."""
    for pattern in _FSAL_DIRS:
        for candidate in sorted(glob.glob(pattern)):
            if (Path(candidate) / "libfsalvfs.so").exists():
                return Path(candidate)
    raise ProfileError("nfs-ganesha's VFS FSAL (libfsalvfs.so) is missing: install "
                       "nfs-ganesha-vfs (run `harness setup`)")


def ganesha_version(binary: str) -> str:
    """'4.3' for 'NFS-Ganesha Release = V4.3'; 'unknown' if the binary does not say."""
    try:
        out = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10,
                             check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    match = re.search(r"Release\s*=\s*V?([0-9][0-9A-Za-z.\-]*)", out)
    return match.group(1) if match else "unknown"


# always in ganesha's log here and never the reason for a failure
_NOISE = (":DBUS :", "krb5", "keytab", "principal nfs", "RADOS", "default realm")
_SEVERE = (":FATAL :", ":MAJ :", ":CRIT :", ":WARN :")


def _strip_prefix(line: str) -> str:
    return re.sub(r"^.*?\]\s*", "", line).strip()


def log_tail(path: Path, lines: int = 3) -> str:
    """The last warnings/errors of a log (else its last lines), joined with ' | ' for one line."""
    try:
        text = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "(no log)"
    useful = [ln for ln in text if not any(n in ln for n in _NOISE)]
    severe = [ln for ln in useful if any(s in ln for s in _SEVERE)]
    picked = (severe or useful)[-lines:]
    return " | ".join(_strip_prefix(ln) for ln in picked) or "(empty log)"


def config_errors(path: Path) -> list[str]:
    """Config errors ganesha logged; it keeps running with defaults after them, so we stop."""
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    return [_strip_prefix(ln) for ln in text if ":CONFIG :CRIT :" in ln]


def _wait_for(check: Callable[[], None], alive: Callable[[], bool], timeout: float,
              what: str, log: Path, config_log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not alive():
            raise ProfileError(f"{what} exited during start-up: {log_tail(log)}")
        if config_log is not None and (errors := config_errors(config_log)):
            raise ProfileError(f"{what} rejected its config: {errors[0]}")
        try:
            check()
            return
        except (OSError, rpcprobe.RpcError) as exc:
            last = exc
        time.sleep(0.1)
    raise ProfileError(f"{what} not ready after {timeout:.0f} s ({last}): {log_tail(log)}")


class GaneshaServer:
    """rpcbind + ganesha.nfsd serving ``export_dir`` inside ``ns``; files live in ``rundir``."""

    def __init__(self, ns: NetNamespace, rundir: Path, vers: str, export_dir: Path) -> None:
        self.ns = ns
        self.rundir = rundir
        self.vers = check_version(vers)
        self.export_dir = export_dir
        self.ganesha_bin = require_tool("ganesha.nfsd", "nfs-ganesha")
        self.config = GaneshaConfig(vers=vers, export_dir=export_dir,
                                    recovery_dir=rundir / "recovery",
                                    plugins_dir=find_plugins_dir())
        self.log = rundir / "ganesha.log"
        self.rpcbind_log = rundir / "rpcbind.log"
        # v3 only (see start); checked here so a missing rpcbind is reported before anything runs
        self.rpcbind_bin = require_tool("rpcbind", "rpcbind") if self.config.major == 3 else ""
        self.version = ganesha_version(self.ganesha_bin)
        self._ganesha: subprocess.Popen[bytes] | None = None
        self._rpcbind: subprocess.Popen[bytes] | None = None
        self.exits: list[ServerExit] = []  # servers that ended on their own while serving
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in (("rpcbind", self._rpcbind), ("ganesha", self._ganesha))
                if p is not None}

    def start(self, timeout: float = 30.0) -> None:
        # ganesha refuses to serve v3 unless it can register with rpcbind ("Cannot register NFS
        # V3 on TCP"); v4.x-only servers start without it and clients never ask a portmapper.
        if self.config.major == 3:
            self._start_rpcbind(timeout)
        self._start_ganesha(timeout)
        self._watcher = threading.Thread(target=self._watch, name="nfs-server-watch", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        """Notice (within SERVER_POLL s) ganesha ending before stop(): killed, crashed.
        rpcbind is not watched: ganesha needs it only to register at start-up, and a guest
        that mounts with explicit ports and nolock never asks it (a run without it goes on)."""
        watched = {"nfs-ganesha": (self._ganesha, self.log)}
        while watched and not self._stopping.wait(SERVER_POLL):
            for program, (child, log) in list(watched.items()):
                if child is None:
                    del watched[program]
                elif (code := child.poll()) is not None:
                    del watched[program]
                    self.exits.append(ServerExit("the NFS server", program, child.pid, code,
                                                 time.time(), log_tail(log)))

    def _start_rpcbind(self, timeout: float) -> None:
        netconfig = self.rundir / "netconfig"
        netconfig.write_text(LOCAL_NETCONFIG)
        # rpcbind alone gets a mount namespace of its own where /etc/netconfig lists only the
        # local transports; ganesha needs the normal file. /run (the socket) is shared.
        script = 'mount --bind "$1" /etc/netconfig && exec "$2" -f'
        self._rpcbind = self.ns.spawn(
            [require_tool("unshare", "util-linux"), "--mount", "--propagation", "private", "--",
             "sh", "-c", script, "sh", str(netconfig), self.rpcbind_bin],
            self.rpcbind_log)
        sock = f"/proc/{self.ns.pid}/root/run/rpcbind.sock"
        rpcbind = self._rpcbind
        _wait_for(lambda: rpcprobe.unix_null(sock, rpcprobe.RPCBIND_PROGRAM, 4),
                  lambda: rpcbind.poll() is None, timeout, "rpcbind", self.rpcbind_log)

    def _start_ganesha(self, timeout: float) -> None:
        cfg = self.config
        for port in (cfg.nfs_port, cfg.mnt_port):
            if self.ns.call_inside(functools.partial(rpcprobe.port_open, "127.0.0.1", port)):
                raise ProfileError(f"port {port} is already in use in the NFS namespace")
        cfg.recovery_dir.mkdir(exist_ok=True)
        conf = self.rundir / "ganesha.conf"
        conf.write_text(cfg.render())
        self._ganesha = self.ns.spawn(
            [self.ganesha_bin, "-F", "-f", str(conf), "-L", str(self.log),
             "-p", str(self.rundir / "ganesha.pid"), "-N", "NIV_EVENT"],
            self.rundir / "ganesha.out")
        ganesha = self._ganesha
        _wait_for(lambda: self.ns.call_inside(self._answers), lambda: ganesha.poll() is None,
                  timeout, "nfs-ganesha", self.log, config_log=self.log)

    def _answers(self) -> None:
        """Raises unless every program the guest will use answers on 127.0.0.1."""
        cfg = self.config
        rpcprobe.tcp_null("127.0.0.1", cfg.nfs_port, rpcprobe.NFS_PROGRAM, cfg.major)
        if cfg.major == 3:
            rpcprobe.tcp_null("127.0.0.1", cfg.mnt_port, rpcprobe.MOUNT_PROGRAM, 3)
        elif not rpcprobe.nfs4_minor_supported("127.0.0.1", cfg.nfs_port, cfg.minor or 0):
            raise ProfileError(f"nfs-ganesha {self.version} does not serve NFS {self.vers}")

    def stop(self) -> None:
        """Stop ganesha, then rpcbind. Idempotent."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join()
            self._watcher = None
        for attr in ("_ganesha", "_rpcbind"):
            child = getattr(self, attr)
            if child is not None:
                self.ns.stop_child(child)
                setattr(self, attr, None)
