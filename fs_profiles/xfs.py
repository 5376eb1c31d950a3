"""XFS in a sparse image on virtio-blk (the thread's large-folio filesystem)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fs_profiles.base import ProfileError
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

    def populate_args(self, tree: Path, scratch: Path) -> list[str]:
        proto = scratch / "protofile"
        proto.write_text(protofile(tree))
        return ["-p", str(proto)]


def protofile(tree: Path) -> str:
    """mkfs.xfs's prototype file for ``tree``: its directories, files and symlinks, owned by
    root, with their permission bits (mkfs.xfs(8), -p)."""
    lines = ["harness-root", "0 0", "d--755 0 0"]

    def walk(directory: Path, depth: int) -> None:
        pad = "  " * depth
        for entry in sorted(directory.iterdir()):
            st = entry.lstat()
            perm = f"{stat.S_IMODE(st.st_mode) & 0o777:03o}"
            name = entry.name
            if any(c.isspace() for c in str(entry)) or name in ("$", ":"):
                raise ProfileError(f"{entry}: a path mkfs.xfs -p cannot take (set HARNESS_CACHE "
                                   "to a directory without spaces)")
            if stat.S_ISLNK(st.st_mode):
                lines.append(f"{pad}{name} l--{perm} 0 0 {os.readlink(entry)}")
            elif stat.S_ISDIR(st.st_mode):
                lines.append(f"{pad}{name} d--{perm} 0 0")
                walk(entry, depth + 1)
                lines.append(f"{pad}$")
            elif stat.S_ISREG(st.st_mode):
                lines.append(f"{pad}{name} ---{perm} 0 0 {entry}")
            else:
                raise ProfileError(f"{entry}: only files, directories and symlinks go on a root")

    walk(tree, 1)
    lines.append("$")
    return "\n".join(lines) + "\n"
