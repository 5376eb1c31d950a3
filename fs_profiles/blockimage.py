"""Shared by the disk-image profiles (ext4, xfs): a sparse raw image on virtio-blk."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from abc import abstractmethod
from pathlib import Path

from fs_profiles.base import Disk, FsProfile, GuestSide, ProfileError, RootPayload
from fs_profiles.partition import copy_image, partitioned_image
from harness.cache import locked

GUEST_DEVICE = "/dev/vda"
ROOT_DEVICE = "/dev/vda2"  # the thread's root=


class BlockImageProfile(FsProfile):
    """A filesystem made with ``mkfs_argv`` in a sparse image of ``size_mib``, attached as vda."""

    mkfs: str = ""
    package: str = ""
    modules: tuple[str, ...] = ()
    min_mib: int = 64

    def __init__(self, size_mib: int = 512):
        if size_mib < self.min_mib:
            raise ProfileError(f"{self.name} image of {size_mib} MiB is too small: use at least "
                               f"{self.min_mib} MiB")
        self.size_mib = size_mib
        self._dir: Path | None = None

    @abstractmethod
    def mkfs_argv(self, mkfs: str, image: Path) -> list[str]:
        """The mkfs command line that formats ``image``."""

    @abstractmethod
    def populate_args(self, tree: Path, scratch: Path) -> list[str]:
        """mkfs options that fill the new filesystem with the files of ``tree`` (``scratch``
        is a private directory for a prototype file)."""

    def provision(self, workdir: Path, mountpoint: str, as_root: bool = False,
                  payload: RootPayload | None = None) -> GuestSide:
        mkfs = shutil.which(self.mkfs) or shutil.which(f"/sbin/{self.mkfs}")
        if not mkfs:
            raise ProfileError(f"{self.mkfs} not found: apt-get install {self.package}")
        workdir.mkdir(parents=True, exist_ok=True)
        free_mib = shutil.disk_usage(workdir).free // (1 << 20)
        if free_mib < self.size_mib + 64:
            raise ProfileError(f"only {free_mib} MiB free in {workdir}; the {self.name} image "
                               f"needs {self.size_mib} MiB: free space or use another --workdir")
        self._dir = Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=workdir))
        version = subprocess.run([mkfs, "-V"], capture_output=True, text=True, check=False)
        vtext = (version.stdout or version.stderr).strip().splitlines()
        facts = {"image_mib": str(self.size_mib), "mkfs": vtext[0] if vtext else self.mkfs}
        if as_root:
            # The thread's layout: a partition table, the root on /dev/vda2.
            disk = self._dir / f"{self.name}-disk.img"
            key = ""
            if payload is not None:
                # formatted and filled once per payload, copied fresh (sparse) for each run
                copy_image(self._root_disk(mkfs, facts["mkfs"], payload), disk)
                key = payload.key
            else:
                image = self._dir / f"{self.name}-part.img"
                self._format(mkfs, image, [])
                partitioned_image(image, disk)
                image.unlink()
            return GuestSide(
                mountpoint=mountpoint, modules=["virtio_blk", *self.modules],
                root_args=[f"root={ROOT_DEVICE}", f"rootfstype={self.fs_type}", "rootwait"],
                disks=[Disk(disk)], payload_key=key,
                facts={"image": str(disk), "partition": ROOT_DEVICE, **facts})
        image = self._dir / f"{self.name}.img"
        self._format(mkfs, image, [])
        return GuestSide(
            mountpoint=mountpoint,
            modules=["virtio_blk", *self.modules],
            mount=[f"mount -t {self.fs_type} {GUEST_DEVICE} {mountpoint}"],
            disks=[Disk(image)],
            facts={"image": str(image), **facts},
        )

    def _format(self, mkfs: str, image: Path, extra: list[str]) -> None:
        """A sparse file of size_mib formatted by mkfs (``extra``: options before the image)."""
        with open(image, "wb") as f:
            f.truncate(self.size_mib << 20)
        argv = self.mkfs_argv(mkfs, image)
        proc = subprocess.run(argv[:-1] + extra + argv[-1:], capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0:
            err = (proc.stderr or proc.stdout).strip().splitlines()
            raise ProfileError(f"{self.mkfs} failed: {err[-1] if err else proc.returncode}")

    def _root_disk(self, mkfs: str, mkfs_version: str, payload: RootPayload) -> Path:
        """The partitioned disk whose vda2 holds ``payload``, from the payload's store (made
        there on first use, under a lock, by this mkfs at this size)."""
        recipe = hashlib.sha256(
            f"{mkfs_version}|{self.mkfs_argv(mkfs, Path('IMAGE'))}".encode()).hexdigest()[:12]
        cached = payload.store / f"{self.name}-{self.size_mib}M-{recipe}.disk"
        if cached.exists():
            return cached
        with locked(f"rootdisk-{payload.key}-{cached.name}"):
            if cached.exists():
                return cached
            scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=payload.store))
            try:
                image = scratch / "part.img"
                self._format(mkfs, image, self.populate_args(payload.tree, scratch))
                partitioned_image(image, scratch / "disk.img")
                os.replace(scratch / "disk.img", cached)
            finally:
                with contextlib.suppress(OSError):
                    shutil.rmtree(scratch)
        return cached

    def teardown(self) -> None:
        if self._dir is not None:
            if not self.kept:
                shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
