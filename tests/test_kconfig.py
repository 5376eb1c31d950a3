"""The kernel-option check that runs before a guest boots (harness/kconfig.py)."""

from __future__ import annotations

import gzip

import pytest

from harness.kconfig import check, ikconfig_from_image, parse_config

# The options a Debian 6.12 generic kernel has for these runs, in .config syntax.
DEBIAN_LIKE = """\
CONFIG_BLK_DEV_INITRD=y
CONFIG_BINFMT_ELF=y
CONFIG_DEVTMPFS=y
CONFIG_PROC_FS=y
CONFIG_SYSFS=y
CONFIG_TMPFS=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=m
CONFIG_VIRTIO_NET=m
CONFIG_INET=y
CONFIG_XFS_FS=m
CONFIG_EXT4_FS=m
CONFIG_NET_9P=m
CONFIG_NET_9P_VIRTIO=m
CONFIG_9P_FS=m
CONFIG_NFS_FS=m
CONFIG_NFS_V3=m
CONFIG_DEBUG_FS=y
# CONFIG_GUP_TEST is not set
CONFIG_SWAP=y
CONFIG_ZRAM=m
CONFIG_TRANSPARENT_HUGEPAGE=y
CONFIG_HUGETLBFS=y
CONFIG_HUGETLB_PAGE=y
CONFIG_IO_URING=y
CONFIG_ADVISE_SYSCALLS=y
CONFIG_MEMFD_CREATE=y
CONFIG_USERFAULTFD=y
CONFIG_NUMA=y
CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"
"""


def with_changes(text: str, **changes: str) -> dict[str, str]:
    options = parse_config(text)
    options.update(changes)
    return options


def test_parse_reads_set_unset_and_quoted_values() -> None:
    options = parse_config(DEBIAN_LIKE)
    assert options["XFS_FS"] == "m"
    assert options["GUP_TEST"] == "n"
    assert options["CC_VERSION_TEXT"].startswith("gcc-12 ")


def test_debian_like_kernel_only_lacks_gup_test() -> None:
    result = check(parse_config(DEBIAN_LIKE), "config-6.12", fs="xfs", arch="x86_64")
    assert result.ok
    assert [m.options for m in result.skips] == [["GUP_TEST"]]
    assert "R/O pinning cases will skip" in result.lines()[0]


def test_gup_test_module_from_the_harness_counts_as_provided() -> None:
    result = check(parse_config(DEBIAN_LIKE), "config-6.12", fs="xfs", arch="x86_64",
                   provided={"gup_test": "gup_test.ko built from linux-source-6.12"})
    assert result.ok and not result.skips
    assert result.lines() == [("kernel config (config-6.12): GUP_TEST unset; "
                               "gup_test.ko built from linux-source-6.12")]


def test_no_9p_makes_a_9p_run_pointless_but_not_an_xfs_run() -> None:
    # Debian's cloud kernel has CONFIG_NET_9P unset (and so no 9P_FS).
    cloud = with_changes(DEBIAN_LIKE, NET_9P="n", NET_9P_VIRTIO="n", **{"9P_FS": "n"})
    result = check(cloud, "config-6.12-cloud", fs="9p:cache=mmap", arch="x86_64")
    assert not result.ok
    assert result.error() == ("the kernel cannot run this (config-6.12-cloud): NET_9P, "
                              "NET_9P_VIRTIO, 9P_FS missing - --fs 9p mounts a virtio-9p share")
    assert check(cloud, "config-6.12-cloud", fs="xfs", arch="x86_64").ok


def test_console_as_a_module_is_fatal_because_it_is_needed_before_modules() -> None:
    result = check(with_changes(DEBIAN_LIKE, SERIAL_AMBA_PL011="m"), "c", fs="tmpfs",
                   arch="arm64")
    assert not result.ok
    assert "SERIAL_AMBA_PL011=m (must be =y)" in result.error()
    # The x86 console is another driver: the same config is fine there.
    assert check(with_changes(DEBIAN_LIKE, SERIAL_AMBA_PL011="m"), "c", fs="tmpfs",
                 arch="x86_64").ok


def test_nfs_needs_v3_or_v4() -> None:
    only_v4 = with_changes(DEBIAN_LIKE, NFS_V3="n", NFS_V4="m")
    assert check(only_v4, "c", fs="nfs", arch="x86_64").ok
    neither = with_changes(DEBIAN_LIKE, NFS_V3="n")
    result = check(neither, "c", fs="nfs", arch="x86_64")
    assert [m.options for m in result.fatal] == [["NFS_V3|NFS_V4"]]


@pytest.mark.parametrize("swap", [True, False])
def test_missing_swap_matters_only_when_the_run_gives_the_guest_swap(swap: bool) -> None:
    no_zram = with_changes(DEBIAN_LIKE, ZRAM="n")
    result = check(no_zram, "c", fs="xfs", arch="x86_64", swap=swap)
    names = [o for m in result.skips for o in m.options]
    assert ("ZRAM" in names) is swap
    assert ("swapped-out cases will skip" in " ".join(result.lines())) is swap


def test_several_missing_test_options_are_each_named_with_what_skips() -> None:
    bare = with_changes(DEBIAN_LIKE, TRANSPARENT_HUGEPAGE="n", IO_URING="n", HUGETLBFS="n")
    lines = check(bare, "c", fs="xfs", arch="x86_64").lines()
    joined = "\n".join(lines)
    assert "TRANSPARENT_HUGEPAGE: the THP cases of cow and gup_longterm will skip" in joined
    assert "IO_URING: the io_uring cases" in joined
    assert "HUGETLBFS: the hugetlb cases" in joined


def test_ikconfig_is_read_from_an_uncompressed_image() -> None:
    # kernel/configs.c places the gzip'd .config between these two markers.
    image = (b"\x7fELF" + b"\0" * 4096 + b"IKCFG_ST" + gzip.compress(DEBIAN_LIKE.encode())
             + b"IKCFG_ED" + b"\0" * 128)
    assert ikconfig_from_image(image) == DEBIAN_LIKE
    assert ikconfig_from_image(b"\x7fELF" + b"\0" * 64) is None


def test_the_cached_debian_kernel_config_needs_only_gup_test() -> None:
    from guests.assets.kernels import find_kernel

    kernel = find_kernel("x86_64", "6.12")
    if kernel is None or kernel.config is None:
        pytest.skip("no Debian 6.12 kernel in the cache: run harness setup")
    options = parse_config(kernel.config.read_text())
    for fs in ("xfs", "ext4", "9p", "nfs", "tmpfs"):
        result = check(options, kernel.config.name, fs=fs, arch="x86_64")
        assert result.ok, result.error()
        assert [m.options for m in result.skips] == [["GUP_TEST"]]
