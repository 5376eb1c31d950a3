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


# --- a --kernel-tree: gup_test.ko built against the tree -----------------------------------


def _headers_tree(tmp_path):
    """Debian's linux-headers of the cached 6.12 x86_64 kernel, unpacked: a real tree for
    external modules (.config, Module.symvers, utsrelease.h, kbuild), without mm/gup_test.c."""
    from guests.assets.gup_test import _debian_manifest, _unpack_headers
    from guests.assets.kernels import find_kernel
    from harness.cache import cache_dir

    kernel = find_kernel("x86_64", "6.12")
    trees = sorted((cache_dir() / "sources").glob("linux-source-*/linux-source-*/Makefile"))
    source = trees[-1].parent if trees else None
    if kernel is None or source is None or _debian_manifest(kernel) is None:
        pytest.skip("no Debian 6.12 x86_64 kernel or linux-source in the cache: harness setup")
    manifest = _debian_manifest(kernel)
    assert manifest is not None
    tree = _unpack_headers(kernel, str(manifest["package_version"]), tmp_path / "root")
    return kernel, tree, source


def test_a_kernel_tree_gets_its_own_module_cached_by_release_and_config(tmp_path, monkeypatch):
    import shutil

    from guests.assets.gup_test import ensure_tree_gup_test, find_tree_gup_test, tree_release
    from guests.assets.kernels import KernelAssets
    from harness.cli.preflight import preflight

    kernel, tree, source = _headers_tree(tmp_path)
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))  # a fresh cache: a real build
    assert tree_release(tree) == kernel.release  # utsrelease.h, not include/config's 6.12.118
    assert find_tree_gup_test(tree, "x86_64", kernel.release) is None
    built = ensure_tree_gup_test(tree, "x86_64", lambda: source)
    assert built.module is not None and built.module.is_file()
    own = next(kernel.modules_dir.rglob("xfs.ko"))
    assert vermagic(built.module) == vermagic(own)  # it loads into that kernel
    assert f"against the kernel tree {tree.resolve()} ({kernel.release})" in built.source
    assert built.source.startswith(f"module built from {source.parent.name} mm/gup_test.c")
    stamp = built.module.stat().st_mtime_ns
    again = ensure_tree_gup_test(tree, "x86_64", lambda: source)
    assert again.module == built.module and again.module.stat().st_mtime_ns == stamp

    # A run of that tree's kernel (a user's image, not Debian's cache entry) loads it.
    image = tmp_path / "bzImage"
    shutil.copyfile(kernel.image, image)
    user = KernelAssets(arch="x86_64", release=kernel.release, version=kernel.version,
                        image=image, modules_dir=kernel.modules_dir, config=None)
    pre = preflight(user, fs="xfs", arch="x86_64", swap=True, swap_mib=512, kernel_tree=tree)
    assert pre.late_modules == {"gup_test": built.module}
    assert any("GUP_TEST unset; the guest loads gup_test.ko" in ln for ln in pre.lines)

    # Another config of the same release is another kernel: no module until setup builds one.
    config = tree / ".config"
    config.write_text(config.read_text() + "# CONFIG_SOMETHING_ELSE is not set\n")
    assert find_tree_gup_test(tree, "x86_64", kernel.release) is None
    pre = preflight(user, fs="xfs", arch="x86_64", swap=True, swap_mib=512, kernel_tree=tree)
    assert not pre.late_modules
    assert pre.gup_test_source.startswith("missing: CONFIG_GUP_TEST is not set")
    assert f"harness setup --arch x86_64 --kernel-tree {tree}" in pre.gup_test_source


def test_a_kernel_image_without_tree_or_config_says_what_will_skip(tmp_path) -> None:
    import shutil

    from guests.assets.kernels import KernelAssets, find_kernel
    from harness.cli.preflight import preflight

    kernel = find_kernel("x86_64", "6.12")
    if kernel is None:
        pytest.skip("no Debian 6.12 x86_64 kernel in the cache: harness setup")
    image = tmp_path / "Image.gz"  # no config beside it, and Debian's has no IKCONFIG
    shutil.copyfile(kernel.image, image)
    user = KernelAssets(arch="x86_64", release=kernel.release, version=kernel.version,
                        image=image, modules_dir=kernel.modules_dir, config=None)
    pre = preflight(user, fs="xfs", arch="x86_64", swap=True, swap_mib=512, kernel_tree=None)
    assert not pre.late_modules
    assert pre.gup_test_source.startswith("unknown: no readable config and no gup_test module")
    note = next(n for n in pre.notes if n.startswith("gup_test: "))
    assert "gup_longterm's long-term pinning cases" in note and "--kernel-tree DIR" in note
    assert note in [f"{ln}" for ln in pre.lines]


def test_a_tree_for_another_arch_or_without_a_build_is_refused(tmp_path) -> None:
    from guests.assets.gup_test import ensure_tree_gup_test
    from guests.host_setup import tree_gup_test_line

    (tmp_path / "Makefile").write_text("VERSION = 6\n")
    line = tree_gup_test_line(tmp_path, "x86_64")
    assert line.startswith(f"gup_test x86_64 for {tmp_path}: not built (no .config")
    (tmp_path / ".config").write_text("CONFIG_ARM64=y\n")
    (tmp_path / "Module.symvers").write_text("")
    (tmp_path / "include" / "generated").mkdir(parents=True)
    (tmp_path / "include" / "generated" / "utsrelease.h").write_text(
        '#define UTS_RELEASE "6.12.0-rc1"\n')
    with pytest.raises(Exception, match="not built for x86_64"):
        ensure_tree_gup_test(tmp_path, "x86_64", lambda: tmp_path)
