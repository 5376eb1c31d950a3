"""ext4 in a sparse image on virtio-blk."""

from __future__ import annotations

from pathlib import Path

from fs_profiles.blockimage import BlockImageProfile


class Ext4Profile(BlockImageProfile):
    name = "ext4"
    fs_type = "ext4"
    mkfs = "mkfs.ext4"
    package = "e2fsprogs"
    modules = ("ext4",)

    def mkfs_argv(self, mkfs: str, image: Path) -> list[str]:
        # Initialise inode tables and journal now, not in the (slow, emulated) guest.
        return [mkfs, "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", str(image)]

    def populate_args(self, tree: Path, scratch: Path) -> list[str]:
        return ["-d", str(tree)]  # files keep their owners: root's when the harness runs as root
