"""Local filesystem profiles: what they make on the host, what they tell the guest, teardown."""

import shutil
import subprocess

import pytest

from fs_profiles.base import ProfileError
from fs_profiles.ninep import NinePProfile
from fs_profiles.registry import make_profile, names, parse_spec
from fs_profiles.tmpfs import TmpfsProfile
from fs_profiles.xfs import XfsProfile
from guests.qemu import device_args
from harness.arch import ARM64, X86_64

MNT = "/mnt/harness"


def test_tmpfs_needs_nothing_on_the_host(tmp_path):
    side = TmpfsProfile().provision(tmp_path, MNT)
    assert side.modules == [] and not side.disks and not side.shares and not side.user_network
    assert side.mount == [f"mount -t tmpfs -o mode=1777 harness-tmpfs {MNT}"]


@pytest.mark.skipif(not shutil.which("mkfs.xfs"), reason="xfsprogs not installed")
def test_xfs_image_is_formatted_and_removed(tmp_path):
    p = XfsProfile()
    side = p.provision(tmp_path, MNT)
    image = side.facts["image"]
    with open(image, "rb") as f:
        assert f.read(4) == b"XFSB"
    assert side.modules == ["virtio_blk", "xfs"]
    assert side.mount == [f"mount -t xfs /dev/vda {MNT}"]
    args = device_args(X86_64, side)
    assert args[-1] == "virtio-blk-pci,drive=hd0"
    assert f"file={image}," in args[1]
    p.teardown()
    p.teardown()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not shutil.which("mkfs.ext4"), reason="e2fsprogs not installed")
def test_ext4_image(tmp_path):
    p = make_profile("ext4:size_mib=128")
    side = p.provision(tmp_path, MNT)
    out = subprocess.run(["dumpe2fs", "-h", side.facts["image"]], capture_output=True, text=True,
                         check=False).stdout
    assert "Block count" in out
    assert side.modules == ["virtio_blk", "ext4"]
    p.teardown()


def test_mkfs_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(ProfileError, match="apt-get install xfsprogs"):
        XfsProfile().provision(tmp_path, MNT)


def test_no_space_is_a_clear_error(tmp_path, monkeypatch):
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage._replace(free=100 << 20))
    with pytest.raises(ProfileError, match="free"):
        XfsProfile().provision(tmp_path, MNT)


def test_ninep_cache_modes_and_share(tmp_path):
    p = NinePProfile(cache="mmap")
    side = p.provision(tmp_path, MNT)
    assert side.mount == [
        f"mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap harness9p {MNT}"]
    assert side.modules == ["9pnet_virtio", "9p"]
    share = p.share
    assert share is not None and share.is_dir()
    virtfs = f"local,path={share},mount_tag=harness9p,security_model=none,id=fs0"
    assert device_args(ARM64, side) == ["-virtfs", virtfs]
    p.teardown()
    assert not share.exists()
    default = NinePProfile().provision(tmp_path, MNT)
    assert "cache=" not in default.mount[0]
    with pytest.raises(ProfileError, match="bad 9p cache mode"):
        NinePProfile(cache="bogus")


def test_ninep_says_when_its_share_is_gone(tmp_path):
    import shutil

    p = NinePProfile()
    p.provision(tmp_path, MNT)
    share = p.share
    assert share is not None and p.gone() == ""
    (share / "a file the guest made").write_text("x")
    assert p.gone() == ""  # used, not gone
    shutil.rmtree(share)
    assert p.gone() == f"The 9p share's directory {share} was removed"
    p.teardown()
    assert p.gone() == ""


def test_registry_specs():
    assert {"tmpfs", "ext4", "xfs", "9p", "nfs"} <= set(names())
    assert parse_spec("9p:cache=loose") == ("9p", {"cache": "loose"})
    p = make_profile("9p:cache=loose")
    assert isinstance(p, NinePProfile) and p.cache == "loose"
    assert make_profile("9p", cache=None).cache is None
    with pytest.raises(ProfileError, match="unknown filesystem"):
        make_profile("btrfs")
    with pytest.raises(ProfileError, match="has no option 'cache'"):
        make_profile("xfs:cache=mmap")
    with pytest.raises(ProfileError, match="size_mib must be a number"):
        make_profile("xfs:size_mib=big")
    with pytest.raises(ProfileError, match="too small"):
        make_profile("xfs:size_mib=100")


def test_registry_loads_nfs_lazily_by_name():
    p = make_profile("nfs:vers=3")
    assert type(p).__name__ == "NfsProfile" and p.name == "nfs"


def test_keep_leaves_the_share_but_teardown_still_runs(tmp_path):
    from fs_profiles.ninep import NinePProfile

    profile = NinePProfile()
    profile.provision(tmp_path / "fs", "/mnt/harness")
    share = next((tmp_path / "fs").iterdir())
    profile.keep()
    profile.teardown()
    assert share.is_dir()  # still there for a closer look
    other = NinePProfile()
    other.provision(tmp_path / "fs2", "/mnt/harness")
    other.teardown()
    assert not any((tmp_path / "fs2").iterdir())
