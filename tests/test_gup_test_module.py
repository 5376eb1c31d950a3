"""gup_test.ko for kernels without CONFIG_GUP_TEST (guests/assets/gup_test.py)."""

from __future__ import annotations

import pytest

from guests.assets.gup_test import (
    PINNABLE_SYMBOL,
    exported,
    find_gup_test,
    headers_packages,
    make_argv,
    vermagic,
)

# The Depends fields of Debian's real linux-headers packages (dpkg-deb -f ... Depends).
DEPENDS_612 = ("linux-base (>= 4.12~), linux-headers-6.12.118+deb12-common (= 6.12.118-1~deb12u1),"
               " linux-image-6.12.118+deb12-amd64 (= 6.12.118-1~deb12u1) | "
               "linux-image-6.12.118+deb12-amd64-unsigned (= 6.12.118-1~deb12u1), "
               "linux-kbuild-6.12.118+deb12, gcc-12")
DEPENDS_61 = ("linux-headers-6.1.0-57-common (= 6.1.192-3), linux-kbuild-6.1 (>= 6.1.192-3), "
              "linux-compiler-gcc-12-x86")


def test_headers_packages_name_the_common_tree_and_the_kbuild_tools() -> None:
    assert headers_packages(DEPENDS_612) == ("linux-headers-6.12.118+deb12-common",
                                             "linux-kbuild-6.12.118+deb12")
    assert headers_packages(DEPENDS_61) == ("linux-headers-6.1.0-57-common", "linux-kbuild-6.1")
    assert headers_packages("linux-base, gcc-12") == (None, None)


def test_exported_reads_module_symvers_columns() -> None:
    symvers = ("0x6ecc607e\tmem_section\tvmlinux\tEXPORT_SYMBOL\t\n"
               "0x12345678\tpin_user_pages\tvmlinux\tEXPORT_SYMBOL\t\n")
    assert exported(symvers, "pin_user_pages")
    assert not exported(symvers, PINNABLE_SYMBOL)
    assert not exported(symvers, "vmlinux")


def test_make_argv_cross_builds_arm64_without_btf(tmp_path) -> None:
    argv = make_argv(tmp_path / "headers", tmp_path / "m", "arm64", "-DX")
    assert "ARCH=arm64" in argv and "CROSS_COMPILE=aarch64-linux-gnu-" in argv
    assert "CONFIG_DEBUG_INFO_BTF_MODULES=" in argv and argv[-1] == "modules"


@pytest.mark.parametrize(("arch", "series"), [("x86_64", "6.12"), ("arm64", "6.12"),
                                              ("x86_64", "6.1"), ("arm64", "6.1")])
def test_the_cached_module_matches_its_kernel(arch: str, series: str) -> None:
    """What `harness setup` built loads into that kernel: same vermagic as its own modules."""
    from guests.assets.kernels import find_kernel

    kernel = find_kernel(arch, series)
    if kernel is None or kernel.modules_dir is None:
        pytest.skip(f"no Debian {series} {arch} kernel in the cache: harness setup "
                    f"--arch {arch} --kernel-version {series}")
    found = find_gup_test(kernel)
    assert found is not None and found.module is not None, "harness setup did not build it"
    own = next(kernel.modules_dir.rglob("xfs.ko"))
    assert vermagic(found.module) == vermagic(own)
    assert vermagic(own).startswith(kernel.release + " ")
    assert f"against linux-headers-{kernel.release}" in found.source
    # arm64 Debian kernels have CONFIG_CMA and do not export get_pfnblock_flags_mask.
    assert bool(found.notes) is (arch == "arm64")
