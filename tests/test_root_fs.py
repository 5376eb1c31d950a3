"""--fs-scope root without booting: the root named on the command line, the partitioned image."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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


BUSYBOX = Path("/bin/busybox")
needs_busybox = pytest.mark.skipif(not BUSYBOX.exists(), reason="needs busybox-static")


def _payload(tmp_path, monkeypatch):
    from guests.root_payload import root_payload

    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))
    test_bin = tmp_path / "gup_longterm"
    shutil.copyfile(BUSYBOX, test_bin)  # any x86 ELF stands in for the selftest
    return root_payload("x86_64", BUSYBOX, {"gup_longterm": test_bin}, {}), test_bin


def _extents(path: Path, start: int = 0, end: int | None = None):
    """(offset from ``start``, bytes) of the data regions of ``path`` in [start, end)."""
    from fs_profiles.partition import _data_extents

    with open(path, "rb") as f:
        for a, b in _data_extents(f.fileno()):
            a, b = max(a, start), min(b, end if end is not None else b)
            if a < b:
                f.seek(a)
                yield a - start, f.read(b - a)


def _partition(disk: Path, dest: Path) -> Path:
    """vda2 of ``disk`` as its own sparse file (for xfs_db / debugfs)."""
    part = json.loads(subprocess.run(["sfdisk", "-J", str(disk)], capture_output=True, text=True,
                                     check=True).stdout)["partitiontable"]["partitions"][1]
    start, size = part["start"] * 512, part["size"] * 512
    with open(dest, "wb") as out:
        out.truncate(size)
        for offset, data in _extents(disk, start, start + size):
            out.seek(offset)
            out.write(data)
    return dest


@needs_busybox
def test_root_payload_is_built_once_per_inputs(tmp_path, monkeypatch):
    from guests.root_payload import root_payload

    payload, test_bin = _payload(tmp_path, monkeypatch)
    tree = payload.tree
    assert (tree / "bin/busybox").is_file() and (tree / "bin/sh").is_symlink()
    assert (tree / "selftests/gup_longterm").stat().st_mode & 0o111
    assert (tree / "init").read_text().startswith("#!/bin/sh")
    assert (tree / "etc/harness-payload").read_text().strip() == payload.key
    inode = (tree / "selftests/gup_longterm").stat().st_ino
    again = root_payload("x86_64", BUSYBOX, {"gup_longterm": test_bin}, {})
    assert again == payload and (tree / "selftests/gup_longterm").stat().st_ino == inode
    os.utime(test_bin, ns=(1, 1))  # a rebuilt selftest is another payload
    assert root_payload("x86_64", BUSYBOX, {"gup_longterm": test_bin}, {}).key != payload.key


def test_xfs_protofile_lists_dirs_files_and_links(tmp_path):
    from fs_profiles.xfs import protofile

    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/busybox").write_bytes(b"x")
    (tmp_path / "bin/busybox").chmod(0o755)
    (tmp_path / "bin/sh").symlink_to("/bin/busybox")
    lines = protofile(tmp_path).splitlines()
    assert lines[:3] == ["harness-root", "0 0", "d--755 0 0"]
    assert lines[3].split() == ["bin", f"d--{tmp_path.joinpath('bin').stat().st_mode & 0o777:03o}",
                                "0", "0"]
    assert lines[4].split() == ["busybox", "---755", "0", "0", str(tmp_path / "bin/busybox")]
    assert lines[5].split() == ["sh", "l--777", "0", "0", "/bin/busybox"]
    assert [x.strip() for x in lines[6:]] == ["$", "$"]


@needs_busybox
@pytest.mark.parametrize("fs", ["xfs", "ext4"])
def test_disk_root_holds_the_payload_fresh_per_run(tmp_path, monkeypatch, fs):
    """The formatted, filled disk is made once per payload; each run gets its own sparse copy."""
    from fs_profiles.registry import make_profile

    tool = {"xfs": "xfs_db", "ext4": "debugfs"}[fs]
    if not (shutil.which(tool) or shutil.which(f"/sbin/{tool}")):
        pytest.skip(f"{tool} not installed: harness setup installs it")
    payload, _ = _payload(tmp_path, monkeypatch)
    sides = []
    for run in ("run1", "run2"):
        profile = make_profile(fs)
        sides.append(profile.provision(tmp_path / run, "/mnt/harness", as_root=True,
                                       payload=payload))
    assert [s.payload_key for s in sides] == [payload.key, payload.key]
    (cached,) = payload.store.glob(f"{fs}-*.disk")
    disks = [s.disks[0].image for s in sides]
    assert disks[0] != disks[1] and list(_extents(disks[0])) == list(_extents(cached))
    assert disks[0].stat().st_blocks * 512 < 64 << 20  # sparse
    part = _partition(disks[0], tmp_path / "vda2.img")
    if fs == "xfs":
        argv = [tool, "-r", "-c", "ls /selftests", "-c", "ls /etc", str(part)]
    else:
        argv = [tool, "-R", "ls -l /selftests", str(part)]
    listing = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    assert "gup_longterm" in listing
    if fs == "xfs":
        assert "harness-payload" in listing


@needs_busybox
def test_share_and_tmpfs_roots(tmp_path, monkeypatch):
    payload, _ = _payload(tmp_path, monkeypatch)
    profile = NinePProfile()
    side = profile.provision(tmp_path / "w", "/mnt/harness", as_root=True, payload=payload)
    try:
        share = side.shares[0].path
        assert side.payload_key == payload.key
        assert (share / "selftests/gup_longterm").is_file() and (share / "bin/sh").is_symlink()
    finally:
        profile.teardown()
    work = NinePProfile().provision(tmp_path / "w2", "/mnt/harness", payload=payload)
    assert work.payload_key == "" and list(work.shares[0].path.iterdir()) == []
    # tmpfs: nowhere on the host to put it; /init copies it from the initramfs
    tmpfs = TmpfsProfile().provision(tmp_path, "/m", as_root=True, payload=payload)
    assert tmpfs.payload_key == ""
