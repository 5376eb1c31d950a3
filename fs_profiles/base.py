"""What every filesystem profile provides: host-side provisioning and the guest-side mount
recipe."""

from __future__ import annotations

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
    facts: dict[str, str] = field(default_factory=dict)


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
    def provision(self, workdir: Path, mountpoint: str, as_root: bool = False) -> GuestSide:
        """Prepare the host side in the private directory ``workdir``; with ``as_root`` the
        filesystem becomes the guest's ``/`` (GuestSide.root_args name it)."""

    @abstractmethod
    def teardown(self) -> None:
        """Stop everything ``provision`` started and remove what it made. Idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.teardown()
