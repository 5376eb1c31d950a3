"""NFS profile: nfs-ganesha on loopback in a private namespace, mounted by a QEMU guest via slirp.

QEMU runs inside the server's network namespace (``GuestSide.enter_argv``), where user networking's
10.0.2.2 is that namespace's 127.0.0.1; the server never listens on the host's real network.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import tempfile
from pathlib import Path

from fs_profiles.base import FsProfile, GuestSide, RootPayload, ServerExit, place_payload
from fs_profiles.ganesha import (
    EXPORT_OPTIONS,
    MNT_PORT,
    NFS_PORT,
    PSEUDO_PATH,
    GaneshaServer,
    check_version,
)
from fs_profiles.netns import NetNamespace

GUEST_ADDR = "10.0.2.15/24"
SERVER_ADDR = "10.0.2.2"  # slirp's alias for 127.0.0.1 of QEMU's network namespace


def mount_options(vers: str, nfs_port: int = NFS_PORT, mnt_port: int = MNT_PORT) -> str:
    """Kernel mount options (busybox mount has no NFS helper, so addr= must be given)."""
    check_version(vers)
    if vers == "3":
        return (f"vers=3,proto=tcp,port={nfs_port},mountport={mnt_port},mountproto=tcp,"
                f"mountvers=3,nolock,sec=sys,addr={SERVER_ADDR},mountaddr={SERVER_ADDR}")
    return f"vers={vers},proto=tcp,port={nfs_port},sec=sys,addr={SERVER_ADDR}"


def guest_modules(vers: str) -> list[str]:
    check_version(vers)
    return ["virtio_net", "nfsv3" if vers == "3" else "nfsv4"]


def root_args(vers: str) -> list[str]:
    """The export as the guest's root: nfsroot= with the mount options, ip= for slirp."""
    client = GUEST_ADDR.split("/")[0]
    return ["root=/dev/nfs", f"rootfstype={'nfs' if vers == '3' else 'nfs4'}",
            f"nfsroot={SERVER_ADDR}:{PSEUDO_PATH},{mount_options(vers)}",
            f"ip={client}::{SERVER_ADDR}:255.255.255.0::eth0:off"]


def guest_mount_commands(vers: str, mountpoint: str, nfs_port: int = NFS_PORT,
                         mnt_port: int = MNT_PORT) -> list[str]:
    """busybox sh commands: bring up eth0 with slirp's static address, then mount the export."""
    fstype = "nfs" if vers == "3" else "nfs4"
    opts = mount_options(vers, nfs_port, mnt_port)
    return [
        "ip link set lo up",
        # virtio_net's probe may finish just after insmod returns
        ("nfs_i=0; while [ ! -e /sys/class/net/eth0 ] && [ $nfs_i -lt 50 ]; do"
         " sleep 0.1; nfs_i=$((nfs_i+1)); done"),
        f"ip addr add {GUEST_ADDR} dev eth0",
        "ip link set eth0 up",
        f"mkdir -p {shlex.quote(mountpoint)}",
        f"mount -t {fstype} -o {opts} {SERVER_ADDR}:{PSEUDO_PATH} {shlex.quote(mountpoint)}",
    ]


def _backing_fs(path: Path) -> str:
    """Type of the host filesystem holding ``path`` (longest matching mount point)."""
    best, fstype = "", "unknown"
    target = str(path.resolve())
    try:
        with open("/proc/self/mounts") as mounts:
            for line in mounts:
                fields = line.split()
                mnt = fields[1].replace("\\040", " ")
                inside = target == mnt or target.startswith(mnt.rstrip("/") + "/")
                if inside and len(mnt) >= len(best):
                    best, fstype = mnt, fields[2]
    except OSError:
        pass
    return fstype


class NfsProfile(FsProfile):
    name = "nfs"
    fs_type = "nfs"  # /proc/mounts says nfs for v3 and nfs4 for 4.x; see GuestSide.facts

    def __init__(self, vers: str = "3") -> None:
        self.vers = check_version(vers)
        if vers != "3":
            self.name = f"nfs{vers}"
            self.fs_type = "nfs4"
        self._ns: NetNamespace | None = None
        self._server: GaneshaServer | None = None
        self._rundir: Path | None = None
        self._workdir: Path | None = None
        self._exits: list[ServerExit] = []

    def provision(self, workdir: Path, mountpoint: str, as_root: bool = False,
                  payload: RootPayload | None = None) -> GuestSide:
        self.teardown()
        self._exits = []
        self._workdir = Path(workdir)
        self._workdir.mkdir(parents=True, exist_ok=True)
        self._rundir = Path(tempfile.mkdtemp(prefix="nfs-", dir=self._workdir))
        export_dir = self._rundir / "export"
        try:
            export_dir.mkdir()
            os.chmod(export_dir, 0o1777)
            key = place_payload(payload, export_dir) if as_root and payload else ""
            self._ns = NetNamespace()
            self._server = GaneshaServer(self._ns, self._rundir, self.vers, export_dir)
            self._ns.start()
            self._server.start()
        except BaseException:
            self.teardown()
            raise
        return GuestSide(
            mountpoint=mountpoint,
            modules=guest_modules(self.vers),
            mount=[] if as_root else guest_mount_commands(self.vers, mountpoint),
            root_args=root_args(self.vers) if as_root else [],
            user_network=True,
            enter_argv=self._ns.enter_argv(mount=False),
            payload_key=key,
            facts=self._facts(export_dir),
        )

    def _facts(self, export_dir: Path) -> dict[str, str]:
        assert self._server is not None and self._ns is not None
        return {
            "server": f"nfs-ganesha {self._server.version}",
            "nfs_version": self.vers,
            "protocols": "NFSv3 + MOUNTv3 over TCP, no NLM (nolock)" if self.vers == "3"
            else f"NFSv{self.vers} over TCP",
            "export_options": ",".join(f"{k}={v}" for k, v in EXPORT_OPTIONS.items())
            + ",FSAL=VFS",
            "export_backing_fs": _backing_fs(export_dir),
            "mount_options": mount_options(self.vers),
            "ports": f"nfs={NFS_PORT}" + (f",mount={MNT_PORT}" if self.vers == "3" else ""),
            "listen": "[::ffff:127.0.0.1] in a private network namespace "
            f"(holder pid {self._ns.pid})",
            "addrconfig_device": self._ns.addrconfig_device,
        }

    def server_exits(self) -> list[ServerExit]:
        if self._server is not None:
            self._exits = list(self._server.exits)
        return list(self._exits)

    def teardown(self) -> None:
        self.server_exits()  # kept: the run may ask after the server is stopped
        server, self._server = self._server, None
        ns, self._ns = self._ns, None
        try:
            if server is not None:
                server.stop()
        finally:
            if ns is not None:
                ns.close()
            rundir, self._rundir = self._rundir, None
            if rundir is not None:
                if server is not None and self._workdir is not None and server.log.exists():
                    # kept for the user next to the run's other files; the rest goes
                    with contextlib.suppress(OSError):
                        shutil.copyfile(server.log, self._workdir / f"{self.name}-ganesha.log")
                if not self.kept:
                    shutil.rmtree(rundir, ignore_errors=True)
