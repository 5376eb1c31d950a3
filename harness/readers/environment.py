"""What is known about where the tests ran: from the log itself, the guest's facts, the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterable

from harness.errors import EnvironmentValueError
from harness.lazy_regex import lazy
from harness.model import Environment
from harness.readers.ingest import Parsed

LINUX_VERSION = lazy(r"Linux version (\S+)")
CMDLINE = lazy(r"(?:Kernel )?[Cc]ommand line: (.*)$")
HUGETLB_REGISTERED = lazy(
    r"HugeTLB: registered ([\d.]+) ([KMG])iB page size, pre-allocated (\d+) pages")
HUGETLB_FAILED = lazy(r"HugeTLB: allocating (\d+) of page size ([\d.]+) ([KMG])iB failed")
UNIT_KB = {"K": 1, "M": 1024, "G": 1024 * 1024}
FS_ALIASES = {"9p": "9p", "v9fs": "9p", "nfs": "nfs", "nfs3": "nfs", "nfs4": "nfs", "nfsv3": "nfs",
              "nfsv4": "nfs", "xfs": "xfs", "tmpfs": "tmpfs", "ext4": "ext4", "btrfs": "btrfs",
              "virtiofs": "virtiofs", "fuse": "fuse", "ramfs": "ramfs", "overlay": "overlay",
              "overlayfs": "overlay", "shmem": "tmpfs", "devtmpfs": "tmpfs",
              # Others people run the selftests on; no rule knows them, but they are real.
              "ext2": "ext2", "ext3": "ext3", "f2fs": "f2fs", "vfat": "vfat", "fat": "vfat",
              "exfat": "exfat", "ntfs3": "ntfs3", "cifs": "cifs", "smb3": "cifs", "smb": "cifs",
              "ceph": "ceph", "gfs2": "gfs2", "ocfs2": "ocfs2", "zfs": "zfs",
              "bcachefs": "bcachefs",
              "erofs": "erofs", "squashfs": "squashfs", "jfs": "jfs", "reiserfs": "reiserfs",
              "hugetlbfs": "hugetlbfs", "nilfs2": "nilfs2", "orangefs": "orangefs",
              # the hypervisors' shared folders (VirtualBox, VMware)
              "vboxsf": "vboxsf", "vboxfs": "vboxsf", "vmhgfs": "vmhgfs",
              # what people call them in reports: FUSE filesystems by their program's name
              # ("fuse.sshfs" in /proc/mounts), 9p by its protocol, SMB and NTFS by theirs
              "sshfs": "fuse", "s3fs": "fuse", "rclone": "fuse", "mergerfs": "fuse",
              "gcsfuse": "fuse", "juicefs": "fuse", "fuseblk": "fuse", "ntfs-3g": "fuse",
              "virtio-fs": "virtiofs", "virtio_fs": "virtiofs", "9pfs": "9p", "9p2000": "9p",
              "smbfs": "cifs", "ntfs": "ntfs3",
              # Docker Desktop's file sharing (macOS) and WSL's Windows drives
              "osxfs": "fuse", "grpcfuse": "fuse", "fakeowner": "virtiofs", "drvfs": "9p"}


def normalise_fs(name: str) -> str:
    key = name.strip().lower()
    base = re.sub(r"[-_.].*$", "", key)  # "9p-fvp" -> "9p", "nfs-4.2" -> "nfs", "fuse.sshfs"
    if key in FS_ALIASES:
        return FS_ALIASES[key]
    if base in FS_ALIASES:
        return FS_ALIASES[base]
    known = ", ".join(sorted(set(FS_ALIASES.values())))
    raise EnvironmentValueError(f"unknown filesystem {name!r}; known: {known}")


def version_of(release: str) -> str:
    match = re.match(r"(\d+\.\d+(?:\.\d+)?)", release)
    return match.group(1) if match else release


def from_logs(parsed: Iterable[Parsed], env: Environment) -> Environment:
    """Fill what the console says (kernel version, command line, hugetlb reservations)."""
    for p in parsed:
        for line in p.kernel_lines:
            text = line.text
            if env.kernel_release is None and (m := LINUX_VERSION.search(text)):
                env.kernel_release = m.group(1)
                env.kernel_version = version_of(m.group(1))
            elif env.cmdline is None and (m := CMDLINE.search(text)):
                env.cmdline = m.group(1).strip()
            elif m := HUGETLB_REGISTERED.search(text):
                size = f"{int(float(m.group(1)) * UNIT_KB[m.group(2)])}kB"
                pool = env.hugepages.setdefault(size, {})
                pool.setdefault("nr_hugepages", int(m.group(3)))
            elif m := HUGETLB_FAILED.search(text):
                size = f"{int(float(m.group(2)) * UNIT_KB[m.group(3)])}kB"
                env.hugepage_shortfall.append(f"{size}: {text.strip()}")
    return env
