"""What every filesystem profile provides: host-side provisioning and the guest-side mount
recipe."""

from __future__ import annotations

import shutil
import signal
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from harness.errors import HarnessError


class ProfileError(HarnessError):
    """A profile cannot be provisioned; the message says what to do (one line)."""


@dataclass(frozen=True)
class Disk:
    """A raw image file the guest sees as a virtio block device (the first one is /dev/vda)."""

    image: Path


@dataclass(frozen=True)
class Share:
    """A host directory the guest mounts over virtio-9p by its mount ``tag``."""

    path: Path
    tag: str
    security_model: str = "none"


@dataclass(frozen=True)
class RootPayload:
    """What a root filesystem must hold for the guest (busybox, the selftests, strace, /init),
    built once and cached: ``tree`` is a read-only directory to copy from, ``key`` names its
    contents (the guest checks the root's ``etc/harness-payload`` against it) and ``store`` is
    a cache directory for what a profile derives from it (a formatted disk image)."""

    tree: Path
    key: str
    store: Path


@dataclass
class GuestSide:
    """What the guest needs for this filesystem once the host side is provisioned.

    The profile says what (disks, shares, a network); the guest turns that into its own devices.
    modules: top-level kernel modules to load (dependencies are resolved by the initramfs builder
        from modules.dep, in order).
    mount: shell commands (busybox sh) run in the guest that mount the filesystem at ``mountpoint``.
    user_network: one virtio NIC on user-mode networking (the host side's 127.0.0.1 is 10.0.2.2).
    enter_argv: argv prefix that starts the guest (e.g. nsenter into the server's namespace).
    root_args: for a root filesystem (``provision(..., as_root=True)``), the kernel command-line
        arguments that name it (root=, rootfstype=, rootflags=, nfsroot=, ip=); the guest's
        /init mounts what they name and switch_roots into it, as a distribution's initramfs does.
    payload_key: the key of the RootPayload the profile put on the root ('' when it did not:
        the guest's /init then copies the payload from the initramfs, as for a tmpfs root).
    facts: host-side facts worth reporting (server, version, export options, image size ...).
    """

    mountpoint: str
    modules: list[str] = field(default_factory=list)
    mount: list[str] = field(default_factory=list)
    disks: list[Disk] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    user_network: bool = False
    enter_argv: list[str] = field(default_factory=list)
    root_args: list[str] = field(default_factory=list)
    payload_key: str = ""
    facts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerExit:
    """A server process a profile started that ended while the guest still used it.

    ``returncode`` is Popen's (negative: killed by that signal); ``at`` is the wall-clock time
    the harness saw it gone (it looks every ``SERVER_POLL`` seconds); ``last_log`` the
    server's last log lines then (its log is removed with the rest of the profile's files).
    """

    role: str  # "the NFS server"
    program: str  # "nfs-ganesha"
    pid: int
    returncode: int
    at: float
    last_log: str = ""

    @property
    def how(self) -> str:
        """'killed by SIGKILL', 'exited with status 1'."""
        if self.returncode < 0:
            try:
                return f"killed by {signal.Signals(-self.returncode).name}"
            except ValueError:
                return f"killed by signal {-self.returncode}"
        return f"exited with status {self.returncode}"

    @property
    def clock(self) -> str:
        """When it was seen gone, as HH:MM:SS UTC."""
        return time.strftime("%H:%M:%S UTC", time.gmtime(self.at))

    def describe(self) -> str:
        """'The NFS server (nfs-ganesha, pid 123) was killed by SIGKILL at 13:16:05 UTC'."""
        verb = f"was {self.how}" if self.returncode < 0 else self.how
        return (f"{self.role[0].upper()}{self.role[1:]} ({self.program}, pid {self.pid}) "
                f"{verb} at {self.clock}")


SERVER_POLL = 0.25  # seconds between looks at a profile's server processes


class FsProfile(ABC):
    """One filesystem variant. ``provision`` starts servers / makes images; ``teardown`` undoes
    it."""

    name: str = ""
    fs_type: str = ""  # the type the guest's mount table should show (9p, nfs, xfs, tmpfs, ext4)
    kept: bool = False  # teardown stops servers but leaves the files (harness run --keep)

    def keep(self) -> None:
        """Leave the image/share/export on disk at teardown (servers are still stopped)."""
        self.kept = True

    @abstractmethod
    def provision(self, workdir: Path, mountpoint: str, as_root: bool = False,
                  payload: RootPayload | None = None) -> GuestSide:
        """Prepare the host side in the private directory ``workdir``; with ``as_root`` the
        filesystem becomes the guest's ``/`` (GuestSide.root_args name it), holding a fresh
        copy of ``payload`` where the host can put it there (GuestSide.payload_key says so)."""

    def gone(self) -> str:
        """What of the host side the guest uses vanished since provision() (a share's
        directory removed), as a sentence; "" while all is there."""
        return ""

    def server_exits(self) -> list[ServerExit]:
        """The profile's servers that ended on their own since provision() (none for a disk
        image or a share QEMU serves itself)."""
        return []

    @abstractmethod
    def teardown(self) -> None:
        """Stop everything ``provision`` started and remove what it made. Idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.teardown()


def place_payload(payload: RootPayload, dest: Path) -> str:
    """A fresh copy of the payload's tree in ``dest`` (a share or an export that becomes the
    guest's ``/``); returns the payload's key for GuestSide.payload_key."""
    shutil.copytree(payload.tree, dest, symlinks=True, dirs_exist_ok=True)
    return payload.key
