"""The initramfs: module order from modules.dep + softdeps, contents, /init settings."""

import gzip
import lzma
import shutil
import stat
from pathlib import Path

import pytest

from fs_profiles.base import ProfileError
from guests.initramfs import (
    READY_MARKER,
    InitramfsSpec,
    ModuleIndex,
    build_initramfs,
)

BUSYBOX = Path("/bin/busybox")
needs_host_tools = pytest.mark.skipif(
    not (BUSYBOX.exists() and shutil.which("cpio")), reason="needs busybox-static and cpio"
)


def make_modules(root: Path) -> Path:
    """A tiny modules tree shaped like Debian 6.12's (xz modules, softdep via alias)."""
    mdir = root / "lib/modules/6.12.0-test"
    files = {
        "kernel/fs/xfs/xfs.ko.xz": ["kernel/lib/libcrc32c.ko.xz"],
        "kernel/lib/libcrc32c.ko.xz": [],
        "kernel/crypto/crc32c_generic.ko.xz": [],
        "kernel/arch/x86/crypto/crc32c-intel.ko.xz": [],
        "kernel/drivers/block/virtio_blk.ko.xz": [],
        "kernel/fs/netfs/netfs.ko.xz": [],
        "kernel/net/9p/9pnet.ko.xz": ["kernel/fs/netfs/netfs.ko.xz"],
        "kernel/net/9p/9pnet_virtio.ko.xz": ["kernel/net/9p/9pnet.ko.xz",
                                             "kernel/fs/netfs/netfs.ko.xz"],
        "kernel/fs/9p/9p.ko.xz": ["kernel/net/9p/9pnet.ko.xz", "kernel/fs/netfs/netfs.ko.xz"],
    }
    for rel in files:
        (mdir / rel).parent.mkdir(parents=True, exist_ok=True)
        (mdir / rel).write_bytes(lzma.compress(b"\x7fELF fake module " + rel.encode()))
    (mdir / "modules.dep").write_text(
        "".join(f"{rel}: {' '.join(deps)}\n" for rel, deps in files.items()))
    (mdir / "modules.softdep").write_text("# Soft dependencies\nsoftdep libcrc32c pre: crc32c\n")
    (mdir / "modules.alias").write_text(
        "alias crc32c crc32c_intel\nalias crc32c crc32c_generic\nalias fs-xfs xfs\n")
    (mdir / "modules.builtin").write_text("kernel/fs/ext4/ext4.ko\n"
                                          "kernel/drivers/virtio/virtio_pci.ko\n")
    return mdir


def list_cpio(path: Path) -> dict[str, int]:
    """Names and modes of the entries in a (gzip'd) newc cpio archive."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    entries: dict[str, int] = {}
    pos = 0
    while pos + 110 <= len(data):
        hdr = data[pos : pos + 110]
        if hdr[:6] not in (b"070701", b"070702"):
            raise AssertionError(f"{path} is not a newc cpio archive")
        mode = int(hdr[14:22], 16)
        filesize = int(hdr[54:62], 16)
        namesize = int(hdr[94:102], 16)
        name = data[pos + 110 : pos + 110 + namesize - 1].decode()
        pos = (pos + 110 + namesize + 3) & ~3
        pos = (pos + filesize + 3) & ~3
        if name == "TRAILER!!!":
            break
        entries[name] = mode
    return entries


def test_xfs_order_has_softdep_crc32c_before_libcrc32c(tmp_path):
    idx = ModuleIndex.load(make_modules(tmp_path))
    order = [p.rsplit("/", 1)[-1] for p in idx.resolve(["virtio_blk", "xfs"])]
    assert order[0] == "virtio_blk.ko.xz"
    assert order.index("crc32c-intel.ko.xz") < order.index("libcrc32c.ko.xz")
    assert order.index("crc32c_generic.ko.xz") < order.index("libcrc32c.ko.xz")
    assert order.index("libcrc32c.ko.xz") < order.index("xfs.ko.xz")
    assert order[-1] == "xfs.ko.xz"
    optional = {p.rsplit("/", 1)[-1] for p, opt in idx.resolve_with_optional(["xfs"]) if opt}
    assert optional == {"crc32c-intel.ko.xz", "crc32c_generic.ko.xz"}
    # Asked for by name, a softdep is required after all.
    both = dict(idx.resolve_with_optional(["xfs", "crc32c_generic"]))
    assert both["kernel/crypto/crc32c_generic.ko.xz"] is False


def test_9p_order_and_no_duplicates(tmp_path):
    idx = ModuleIndex.load(make_modules(tmp_path))
    order = [p.rsplit("/", 1)[-1] for p in idx.resolve(["9pnet_virtio", "9p"])]
    assert order == ["netfs.ko.xz", "9pnet.ko.xz", "9pnet_virtio.ko.xz", "9p.ko.xz"]


def test_builtin_is_skipped_missing_is_an_error(tmp_path):
    idx = ModuleIndex.load(make_modules(tmp_path))
    assert idx.resolve(["ext4", "virtio_pci"]) == []
    with pytest.raises(ProfileError, match="nfsv3 is neither in"):
        idx.resolve(["nfsv3"])


@needs_host_tools
def test_initramfs_contents(tmp_path):
    mdir = make_modules(tmp_path)
    test_bin = tmp_path / "gup_longterm"
    shutil.copyfile(BUSYBOX, test_bin)  # any x86 ELF stands in for the selftest
    spec = InitramfsSpec(
        arch="x86_64", mountpoint="/mnt/harness", busybox=BUSYBOX, modules_dir=mdir,
        modules=["virtio_blk", "xfs"], mount=["mount -t xfs /dev/vda /mnt/harness"],
        scope="root", binaries={"gup_longterm": test_bin},
        extra_files={"/usr/bin/strace": BUSYBOX},
    )
    out = tmp_path / "initrd.gz"
    loaded = build_initramfs(spec, out)
    entries = list_cpio(out)
    assert stat.S_ISREG(entries["init"]) and entries["init"] & 0o111
    assert stat.S_ISREG(entries["bin/busybox"])
    assert stat.S_ISLNK(entries["bin/sh"]) and stat.S_ISLNK(entries["bin/mount"])
    assert entries["selftests/gup_longterm"] & 0o111
    assert "usr/bin/strace" in entries
    assert loaded[-1] == "/lib/modules/harness/xfs.ko"
    assert "?/lib/modules/harness/crc32c_intel.ko" in loaded  # optional: boot goes on without
    assert {"lib/modules/harness/xfs.ko", "lib/modules/harness/libcrc32c.ko"} <= set(entries)
    assert {"proc", "sys", "dev", "tmp", "mnt/harness"} <= set(entries)


def test_init_settings_written(tmp_path):
    from guests.initramfs import populate

    mdir = make_modules(tmp_path)
    root = tmp_path / "root"
    spec = InitramfsSpec(arch="x86_64", mountpoint="/mnt/harness", busybox=BUSYBOX,
                         modules_dir=mdir, modules=["9p", "9pnet_virtio"],
                         mount=["mount -t 9p -o trans=virtio harness9p /mnt/harness"], scope="root")
    populate(spec, root)
    mods = (root / "etc/harness/modules").read_text().split()
    names = ("netfs", "9pnet", "9p", "9pnet_virtio")
    assert mods == [f"/lib/modules/harness/{m}.ko" for m in names]
    assert (root / "lib/modules/harness/9p.ko").read_bytes().startswith(b"\x7fELF fake")
    env = (root / "etc/harness/env").read_text()
    assert "HARNESS_SCOPE='root'" in env and f"HARNESS_READY='{READY_MARKER}'" in env
    assert "mount -t 9p" in (root / "etc/harness/mount.sh").read_text()
    init = (root / "init").read_text()
    # debugfs (gup_test), modules, the profile's mount, /tmp on the fs for the root scope, marker.
    for needle in ("debugfs", "insmod", "mount.sh", "mount --bind", 'cd "$HARNESS_MNT"',
                   'echo "$HARNESS_READY"'):
        assert needle in init


def test_wrong_arch_binary_and_missing_modules_dir(tmp_path):
    from guests.base import GuestError
    from guests.initramfs import populate

    with pytest.raises(GuestError, match="not arm64"):
        populate(InitramfsSpec(arch="arm64", mountpoint="/mnt/h", busybox=BUSYBOX,
                               binaries={"cow": BUSYBOX}), tmp_path / "r1")
    with pytest.raises(ProfileError, match="no modules dir"):
        populate(InitramfsSpec(arch="x86_64", mountpoint="/mnt/h", busybox=BUSYBOX,
                               modules=["xfs"]), tmp_path / "r2")


def test_swap_and_gup_test_modules_are_optional_and_last(tmp_path):
    """zram (when the kernel has it) and gup_test.ko load after the profile's modules, and a
    failure of either does not stop the boot; /init is told the swap size."""
    from guests.initramfs import populate

    mdir = make_modules(tmp_path)
    zram = mdir / "kernel/drivers/block/zram/zram.ko.xz"
    zram.parent.mkdir(parents=True)
    zram.write_bytes(lzma.compress(b"\x7fELF fake zram"))
    with open(mdir / "modules.dep", "a") as dep:
        dep.write("kernel/drivers/block/zram/zram.ko.xz: kernel/lib/libcrc32c.ko.xz\n")
    ko = tmp_path / "gup_test.ko"
    ko.write_bytes(b"\x7fELF fake gup_test")
    root = tmp_path / "root"
    spec = InitramfsSpec(arch="x86_64", mountpoint="/mnt/harness", busybox=BUSYBOX,
                         modules_dir=mdir, modules=["9p"], optional_modules=["zram", "nosuch"],
                         late_modules={"gup_test": ko}, swap_mib=512)
    populate(spec, root)
    mods = (root / "etc/harness/modules").read_text().split()
    assert mods[-3:] == ["?/lib/modules/harness/libcrc32c.ko", "?/lib/modules/harness/zram.ko",
                         "?/lib/modules/harness/gup_test.ko"]
    assert mods[0] == "/lib/modules/harness/netfs.ko"
    assert (root / "lib/modules/harness/gup_test.ko").read_bytes() == ko.read_bytes()
    assert "HARNESS_SWAP_MB=512" in (root / "etc/harness/env").read_text()
    assert "swapon /dev/zram0" in (root / "init").read_text()


def test_tmpfs_gets_zram_without_any_profile_module(tmp_path):
    from guests.initramfs import populate

    mdir = make_modules(tmp_path)
    root = tmp_path / "root"
    spec = InitramfsSpec(arch="x86_64", mountpoint="/mnt/harness", busybox=BUSYBOX,
                         modules_dir=mdir, optional_modules=["zram"], swap_mib=0)
    populate(spec, root)  # this kernel has no zram: nothing to load, no error
    assert (root / "etc/harness/modules").read_text() == ""
    assert "HARNESS_SWAP_MB=0" in (root / "etc/harness/env").read_text()


@needs_host_tools
def test_a_root_holding_the_payload_gets_a_small_initramfs(tmp_path):
    """With the payload on the root, the initramfs carries busybox, modules, settings and /init
    only, and tells /init which payload the root must hold."""
    test_bin = tmp_path / "gup_longterm"
    shutil.copyfile(BUSYBOX, test_bin)
    spec = InitramfsSpec(arch="x86_64", mountpoint="/mnt/harness", busybox=BUSYBOX, scope="root",
                         binaries={"gup_longterm": test_bin},
                         extra_files={"/usr/bin/strace": BUSYBOX}, payload_key="abc123")
    out = tmp_path / "initrd.gz"
    build_initramfs(spec, out)
    entries = list_cpio(out)
    assert "bin/busybox" in entries and "init" in entries
    assert "selftests/gup_longterm" not in entries and "usr/bin/strace" not in entries
    assert "HARNESS_PAYLOAD='abc123'" in gzip.decompress(out.read_bytes()).decode("latin-1")


@needs_host_tools
def test_initramfs_is_built_once_per_inputs(tmp_path, monkeypatch):
    from guests.initramfs_cache import cached_initramfs

    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))
    test_bin = tmp_path / "gup_longterm"
    shutil.copyfile(BUSYBOX, test_bin)
    spec = InitramfsSpec(arch="x86_64", mountpoint="/mnt/harness", busybox=BUSYBOX,
                         modules_dir=make_modules(tmp_path), modules=["xfs"],
                         binaries={"gup_longterm": test_bin})
    first, hit1 = cached_initramfs(spec, tmp_path / "a.gz")
    second, hit2 = cached_initramfs(spec, tmp_path / "b.gz")
    assert (hit1, hit2) == (False, True) and first == second and first[-1].endswith("xfs.ko")
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert "selftests/gup_longterm" in list_cpio(tmp_path / "b.gz")
    test_bin.write_bytes(BUSYBOX.read_bytes() + b"rebuilt")  # a rebuilt selftest: built again
    assert cached_initramfs(spec, tmp_path / "c.gz")[1] is False
    assert list_cpio(tmp_path / "c.gz") == list_cpio(tmp_path / "a.gz")
    spec.swap_mib = 512  # any other setting: another image
    assert cached_initramfs(spec, tmp_path / "d.gz")[1] is False


@needs_host_tools
def test_another_archs_busybox_gets_the_hosts_applet_links_when_its_applets_match(tmp_path):
    """A busybox that cannot run here (another arch) with the host's applet table gets the
    host's links in the tree; one with another table gets none (/init installs them)."""
    from guests.initramfs import _applets

    foreign = tmp_path / "busybox"
    foreign.write_bytes(BUSYBOX.read_bytes())
    foreign.chmod(0o644)  # cannot be run, like an arm64 busybox on an x86_64 host
    applets = _applets(foreign)
    assert "bin/sh" in applets and "bin/mount" in applets
    other = tmp_path / "other"
    other.write_bytes(BUSYBOX.read_bytes().replace(b"[\x00[[\x00acpid", b"[\x00[[\x00acpiX"))
    other.chmod(0o644)
    assert _applets(other) == []
