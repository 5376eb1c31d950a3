"""What every filesystem profile provides: host-side provisioning and the guest-side mount recipe."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from harness.errors import HarnessError


class ProfileError(HarnessError):
    """A profile cannot be provisioned; the message says what to do (one line)."""


@dataclass
class GuestSide:
    """What the guest needs for this filesystem once the host side is provisioned.

    modules: top-level kernel modules to load (dependencies are resolved by the initramfs builder
        from modules.dep, in order).
    mount: shell commands (busybox sh) run in the guest that mount the filesystem at ``mountpoint``.
    qemu_args: extra QEMU arguments (drives, virtfs, netdev ...).
    qemu_prefix: argv prefix to start QEMU with (e.g. nsenter into the server's network namespace).
    facts: host-side facts worth reporting (server, version, export options, image size ...).
    """

    mountpoint: str
    modules: list[str] = field(default_factory=list)
    mount: list[str] = field(default_factory=list)
    qemu_args: list[str] = field(default_factory=list)
    qemu_prefix: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)


class FsProfile(ABC):
    """One filesystem variant. ``provision`` starts servers / makes images; ``teardown`` undoes it."""

    name: str = ""
    fs_type: str = ""  # the type the guest's mount table should show (9p, nfs, xfs, tmpfs, ext4)
    kept: bool = False  # teardown stops servers but leaves the files (harness run --keep)

    def keep(self) -> None:
        """Leave the image/share/export on disk at teardown (servers are still stopped)."""
        self.kept = True

    @abstractmethod
    def provision(self, workdir: Path, arch: str, mountpoint: str) -> GuestSide:
        """Prepare the host side in the private directory ``workdir``."""

    @abstractmethod
    def teardown(self) -> None:
        """Stop everything ``provision`` started and remove what it made. Idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.teardown()
