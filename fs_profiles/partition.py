"""A disk image with a partition table whose second partition holds a filesystem image.

The thread's machines boot with ``root=/dev/vda2``: a small first partition, the root on the
second. ``sfdisk`` (util-linux) writes the table; the filesystem made in its own file is copied
in at the second partition's offset, skipping holes so the image stays sparse.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from fs_profiles.base import ProfileError

SECTOR = 512
FIRST_MIB = 16  # vda1: an empty Linux partition in front of the root, as on the thread's disks
ALIGN_SECTORS = 2048
CHUNK = 1 << 20


def partitioned_image(fs_image: Path, disk: Path) -> None:
    """``disk``: an MBR table, vda1 of FIRST_MIB, vda2 holding ``fs_image`` byte for byte."""
    sfdisk = shutil.which("sfdisk") or shutil.which("/sbin/sfdisk")
    if not sfdisk:
        raise ProfileError("sfdisk not found: apt-get install fdisk")
    fs_sectors = fs_image.stat().st_size // SECTOR
    first = FIRST_MIB * (1 << 20) // SECTOR
    second_start = ALIGN_SECTORS + first
    with open(disk, "wb") as f:
        f.truncate((second_start + fs_sectors) * SECTOR)
    table = (f"label: dos\nstart={ALIGN_SECTORS}, size={first}, type=83\n"
             f"start={second_start}, size={fs_sectors}, type=83\n")
    proc = subprocess.run([sfdisk, "--no-reread", "--no-tell-kernel", "-q", str(disk)],
                          input=table, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        err = (proc.stderr or proc.stdout).strip().splitlines()
        raise ProfileError(f"sfdisk failed: {err[-1] if err else proc.returncode}")
    copy_sparse(fs_image, disk, second_start * SECTOR)


def copy_sparse(src: Path, dst: Path, offset: int) -> None:
    """Copy ``src`` into ``dst`` at ``offset``; blocks of zeros are left as holes."""
    zero = bytes(CHUNK)
    fd = os.open(dst, os.O_WRONLY)
    try:
        with open(src, "rb") as f:
            pos = 0
            while chunk := f.read(CHUNK):
                if chunk != zero[:len(chunk)]:
                    os.pwrite(fd, chunk, offset + pos)
                pos += len(chunk)
    finally:
        os.close(fd)
