"""A disk image with a partition table whose second partition holds a filesystem image.

The thread's machines boot with ``root=/dev/vda2``: a small first partition, the root on the
second. ``sfdisk`` (util-linux) writes the table; the filesystem made in its own file is copied
in at the second partition's offset, skipping holes so the image stays sparse.
"""

from __future__ import annotations

import errno
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
    """Copy ``src`` into ``dst`` at ``offset``; holes and blocks of zeros are left as holes.

    Only the data extents of ``src`` are read (SEEK_DATA/SEEK_HOLE), so a mostly empty 512 MiB
    image copies in milliseconds.
    """
    zero = bytes(CHUNK)
    fd = os.open(dst, os.O_WRONLY)
    try:
        with open(src, "rb") as f:
            for start, end in _data_extents(f.fileno()):
                pos = start
                while pos < end:
                    chunk = os.pread(f.fileno(), min(CHUNK, end - pos), pos)
                    if not chunk:
                        break
                    if chunk != zero[:len(chunk)]:
                        os.pwrite(fd, chunk, offset + pos)
                    pos += len(chunk)
    finally:
        os.close(fd)


def copy_image(src: Path, dst: Path) -> None:
    """A sparse copy of the image ``src`` as the new file ``dst`` (same size)."""
    with open(dst, "wb") as f:
        f.truncate(src.stat().st_size)
    copy_sparse(src, dst, 0)


def _data_extents(fd: int) -> list[tuple[int, int]]:
    """(start, end) of the regions of ``fd`` that hold data; the whole file where the
    filesystem cannot say."""
    size = os.fstat(fd).st_size
    extents: list[tuple[int, int]] = []
    pos = 0
    try:
        while pos < size:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError as e:
                if e.errno == errno.ENXIO:  # no data after pos
                    break
                raise
            end = os.lseek(fd, start, os.SEEK_HOLE)
            extents.append((start, end))
            pos = end
    except OSError:
        return [(0, size)]
    return extents
