"""XFS in a sparse image on virtio-blk (the thread's large-folio filesystem)."""

from __future__ import annotations

from pathlib import Path

from fs_profiles.blockimage import BlockImageProfile


class XfsProfile(BlockImageProfile):
    name = "xfs"
    fs_type = "xfs"
    mkfs = "mkfs.xfs"
    package = "xfsprogs"
    modules = ("xfs",)
    min_mib = 300  # mkfs.xfs refuses smaller data sections

    def mkfs_argv(self, mkfs: str, image: Path) -> list[str]:
        return [mkfs, "-q", "-f", str(image)]
