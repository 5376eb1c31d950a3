"""Shared by the disk-image profiles (ext4, xfs): a sparse raw image on virtio-blk."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from abc import abstractmethod
from pathlib import Path

from fs_profiles.base import Disk, FsProfile, GuestSide, ProfileError
from fs_profiles.partition import partitioned_image

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

    def provision(self, workdir: Path, mountpoint: str, as_root: bool = False) -> GuestSide:
        mkfs = shutil.which(self.mkfs) or shutil.which(f"/sbin/{self.mkfs}")
        if not mkfs:
            raise ProfileError(f"{self.mkfs} not found: apt-get install {self.package}")
        workdir.mkdir(parents=True, exist_ok=True)
        free_mib = shutil.disk_usage(workdir).free // (1 << 20)
        if free_mib < self.size_mib + 64:
            raise ProfileError(f"only {free_mib} MiB free in {workdir}; the {self.name} image "
                               f"needs {self.size_mib} MiB: free space or use another --workdir")
        self._dir = Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=workdir))
        image = self._dir / (f"{self.name}-part.img" if as_root else f"{self.name}.img")
        with open(image, "wb") as f:
            f.truncate(self.size_mib << 20)
        proc = subprocess.run(
            self.mkfs_argv(mkfs, image), capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            err = (proc.stderr or proc.stdout).strip().splitlines()
            raise ProfileError(f"{self.mkfs} failed: {err[-1] if err else proc.returncode}")
        version = subprocess.run([mkfs, "-V"], capture_output=True, text=True, check=False)
        vtext = (version.stdout or version.stderr).strip().splitlines()
        facts = {"image_mib": str(self.size_mib), "mkfs": vtext[0] if vtext else self.mkfs}
        if as_root:
            # The thread's layout: a partition table, the root on /dev/vda2.
            disk = self._dir / f"{self.name}-disk.img"
            partitioned_image(image, disk)
            image.unlink()
            return GuestSide(
                mountpoint=mountpoint, modules=["virtio_blk", *self.modules],
                root_args=[f"root={ROOT_DEVICE}", f"rootfstype={self.fs_type}", "rootwait"],
                disks=[Disk(disk)], facts={"image": str(disk), "partition": ROOT_DEVICE, **facts})
        return GuestSide(
            mountpoint=mountpoint,
            modules=["virtio_blk", *self.modules],
            mount=[f"mount -t {self.fs_type} {GUEST_DEVICE} {mountpoint}"],
            disks=[Disk(image)],
            facts={"image": str(image), **facts},
        )

    def teardown(self) -> None:
        if self._dir is not None:
            if not self.kept:
                shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
