"""--fs-scope root without booting: the root named on the command line, the partitioned image."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from fs_profiles.nfs import root_args as nfs_root_args
from fs_profiles.ninep import NinePProfile
from fs_profiles.partition import partitioned_image
from fs_profiles.tmpfs import TmpfsProfile
from fs_profiles.xfs import XfsProfile
from guests.cmdline import THREAD_CMDLINE, build_cmdline, place_root

THREAD_VERBATIM = (
    "transparent_hugepage=madvise earlycon root=/dev/vda2 secretmem.enable hugepagesz=1G "
    "hugepages=0:2,1:2 hugepagesz=32M hugepages=0:2,1:2 default_hugepagesz=2M "
    "hugepages=0:64,1:64 hugepagesz=64K hugepages=0:2,1:2")


def test_the_thread_line_is_verbatim_on_arm64_with_an_xfs_root():
    assert THREAD_CMDLINE == THREAD_VERBATIM
    plan = build_cmdline("arm64", "thread")
    args, notes = place_root(plan.kernel_args, ["root=/dev/vda2", "rootfstype=xfs", "rootwait"])
    assert args == THREAD_VERBATIM and notes == []


def test_other_roots_replace_only_root_and_say_so():
    args, notes = place_root(THREAD_VERBATIM, nfs_root_args("3"))
    assert "root=/dev/vda2" not in args.split() and "root=/dev/nfs" in args.split()
    assert "earlycon" in args.split() and "hugepagesz=64K" in args.split()
    assert len(notes) == 1 and notes[0].startswith("replaced root=/dev/vda2 with root=/dev/nfs")


def test_without_a_root_on_the_fs_root_is_dropped_with_a_note():
    args, notes = place_root(THREAD_VERBATIM, [])
    assert "root=/dev/vda2" not in args and "earlycon" in args
    assert notes and "initramfs" in notes[0]
    assert place_root("quiet", []) == ("quiet", [])


def test_nfs_root_names_the_export_and_slirps_address():
    args = nfs_root_args("3")
    assert args[0] == "root=/dev/nfs"
    nfsroot = next(a for a in args if a.startswith("nfsroot="))
    assert nfsroot.startswith("nfsroot=10.0.2.2:/") and ",vers=3," in nfsroot
    assert "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off" in args


def test_9p_and_tmpfs_roots(tmp_path):
    side = NinePProfile(cache="mmap").provision(tmp_path, "/mnt/harness", as_root=True)
    assert side.mount == [] and side.root_args[:2] == ["root=harness9p", "rootfstype=9p"]
    assert side.root_args[2] == "rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=mmap"
    work = NinePProfile().provision(tmp_path, "/mnt/harness")
    assert work.root_args == [] and work.mount
    assert TmpfsProfile().provision(tmp_path, "/m", as_root=True).root_args[1] == "rootfstype=tmpfs"


@pytest.mark.skipif(not shutil.which("mkfs.xfs") and not shutil.which("/sbin/mkfs.xfs"),
                    reason="xfsprogs not installed: harness setup installs it")
def test_xfs_root_is_the_second_partition_of_a_real_table(tmp_path):
    profile = XfsProfile()
    side = profile.provision(tmp_path, "/mnt/harness", as_root=True)
    try:
        (disk,) = side.disks
        table = json.loads(subprocess.run(["sfdisk", "-J", str(disk.image)], capture_output=True,
                                          text=True, check=True).stdout)["partitiontable"]
        assert table["label"] == "dos" and len(table["partitions"]) == 2
        second = table["partitions"][1]
        with open(disk.image, "rb") as f:
            f.seek(second["start"] * 512)
            assert f.read(4) == b"XFSB"  # the XFS superblock magic, where vda2 starts
        assert side.root_args == ["root=/dev/vda2", "rootfstype=xfs", "rootwait"]
        # sparse: the 512 MiB image holds only what mkfs wrote
        assert disk.image.stat().st_blocks * 512 < 64 << 20
    finally:
        profile.teardown()


def test_partition_copy_keeps_every_byte(tmp_path):
    fs = tmp_path / "fs.img"
    data = bytes(range(256)) * 4096 * 3  # 3 MiB of non-zero data between holes
    with open(fs, "wb") as f:
        f.truncate(8 << 20)
        f.seek(2 << 20)
        f.write(data)
    disk = tmp_path / "disk.img"
    partitioned_image(fs, disk)
    start = json.loads(subprocess.run(["sfdisk", "-J", str(disk)], capture_output=True, text=True,
                                      check=True).stdout)["partitiontable"]["partitions"][1]["start"]
    with open(disk, "rb") as f:
        f.seek(start * 512)
        assert f.read() == fs.read_bytes()


def test_sim_guest_refuses_a_root_scope_and_creates_nothing(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--guest", "sim", "--fs",
                           "xfs", "--fs-scope", "root"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 2 and "needs a QEMU guest" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and list(tmp_path.iterdir()) == []
