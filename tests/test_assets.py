"""guests.assets and guests.host_setup: version picking, cache layout, builds, host binaries."""

from __future__ import annotations

import gzip
import lzma
import os
import re
import shutil
import stat
import struct
import subprocess
from pathlib import Path

import pytest

from guests.assets import cache, debian, kernels, modules, selftest_source
from guests.assets.cache import AssetError, publish, read_manifest
from guests.assets.debian import pick_kernel_package, pick_source_package, upstream_version
from guests.assets.kernel_image import extract_vmlinux, release_from_image
from guests.assets.kernels import ensure_kernel, find_kernel, kernel_from_image
from guests.assets.selftest_source import makefile_version
from guests.assets.selftests import (
    compile_argv,
    ensure_selftests,
    find_selftests,
    helper_sources,
    local_config_h,
)
from guests.host_setup import missing_packages
from harness.arch import ArchError
from harness.cache import cache_dir


def _extracted_source() -> Path | None:
    """Top of an extracted linux-source tree in the cache (harness setup extracts one)."""
    trees = [t for d in (cache_dir() / "sources").glob("linux-source-*") if read_manifest(d)
             for t in sorted(d.glob("linux-source-*/Makefile"))]
    return trees[-1].parent if trees else None


# Looked up before any test points HARNESS_CACHE elsewhere: the real cache, if `harness setup` ran.
REAL_SOURCE = _extracted_source()
REAL_SELFTESTS = find_selftests("x86_64")
REAL_KERNEL = find_kernel("x86_64")

APT_SEARCH = """\
linux-image-6.12-amd64 - Linux 6.12 for 64-bit PCs (meta-package)
linux-image-6.12.113+deb12-amd64 - Linux 6.12 for 64-bit PCs (signed)
linux-image-6.12.113+deb12-amd64-unsigned - Linux 6.12 for 64-bit PCs
linux-image-6.12.115+deb12-amd64 - Linux 6.12 for 64-bit PCs (signed)
linux-image-6.12.115+deb12-cloud-amd64 - Linux 6.12 for x86-64 cloud (signed)
linux-image-6.12.117+deb12-amd64 - Linux 6.12 for 64-bit PCs (signed)
linux-image-6.12.117+deb12-amd64-dbg - Debug symbols for linux-image-6.12.117+deb12-amd64
linux-image-6.12.117+deb12-rt-amd64 - Linux 6.12 for 64-bit PCs (signed), PREEMPT_RT
linux-image-6.12.117+deb12-arm64 - Linux 6.12 for 64-bit ARMv8 machines (signed)
linux-image-6.1.0-9-amd64 - Linux 6.1 for 64-bit PCs (signed)
linux-image-6.1.0-57-amd64 - Linux 6.1 for 64-bit PCs (signed)
linux-image-6.1.0-57-cloud-amd64 - Linux 6.1 for x86-64 cloud (signed)
linux-image-6.1.0-56-amd64 - Linux 6.1 for 64-bit PCs (signed)
"""
NAMES = [line.split(" - ")[0] for line in APT_SEARCH.splitlines()]


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("HARNESS_CACHE", str(root))
    return root


# --------------------------------------------------------------------------- versions


def test_upstream_version_drops_revision_and_epoch():
    assert upstream_version("6.12.117-1~deb12u1") == "6.12.117"
    assert upstream_version("1:6.1.158-1") == "6.1.158"
    assert upstream_version("6.12.117") == "6.12.117"


def test_picks_the_image_matching_linux_source_not_cloud_rt_or_meta():
    assert pick_kernel_package(NAMES, "x86_64", "6.12", "6.12.117") == \
        "linux-image-6.12.117+deb12-amd64"
    # an older linux-source wins over a newer image: selftests and kernel stay the same version
    assert pick_kernel_package(NAMES, "x86_64", "6.12", "6.12.115") == \
        "linux-image-6.12.115+deb12-amd64"


def test_falls_back_to_newest_image_when_source_version_has_none():
    assert pick_kernel_package(NAMES, "x86_64", "6.12", "6.12.200") == \
        "linux-image-6.12.117+deb12-amd64"
    assert pick_kernel_package(NAMES, "x86_64", "6.12") == "linux-image-6.12.117+deb12-amd64"


def test_series_6_1_picks_newest_abi_numerically():
    assert pick_kernel_package(NAMES, "x86_64", "6.1") == "linux-image-6.1.0-57-amd64"


def test_arm64_uses_arm64_flavour_and_none_when_missing():
    assert pick_kernel_package(NAMES, "arm64", "6.12") == "linux-image-6.12.117+deb12-arm64"
    assert pick_kernel_package(NAMES, "arm64", "6.1") is None
    assert pick_kernel_package([], "x86_64", "6.12") is None


def test_source_package_is_the_newest_series():
    names = ["linux-source-6.1", "linux-source-6.12", "linux-source", "linux-source-5.10"]
    assert pick_source_package(names) == "linux-source-6.12"
    assert pick_source_package(["linux-source"]) is None


def test_makefile_version():
    text = "# SPDX\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\nNAME = x\n"
    assert makefile_version(text) == "6.12.117"
    assert makefile_version(text.replace("EXTRAVERSION =", "EXTRAVERSION = -rc3")) == "6.12.117-rc3"
    with pytest.raises(AssetError):
        makefile_version("all:\n\techo hi\n")


# --------------------------------------------------------------------------- build inputs


MM_MAKEFILE = """\
$(TEST_GEN_PROGS): vm_util.c
$(TEST_GEN_FILES): vm_util.c

$(OUTPUT)/uffd-stress: uffd-common.c
$(OUTPUT)/cow: thp_settings.c
$(OUTPUT)/cow: LDLIBS += $(IOURING_EXTRA_LIBS)
$(OUTPUT)/mlock-random-test $(OUTPUT)/memfd_secret: LDLIBS += -lcap
LOCAL_HDRS += $(selfdir)/mm/local_config.h $(top_srcdir)/mm/gup_test.h
"""


def test_helper_sources_follow_the_trees_makefile():
    assert helper_sources(MM_MAKEFILE, "cow") == ["vm_util.c", "thp_settings.c"]
    assert helper_sources(MM_MAKEFILE, "gup_longterm") == ["vm_util.c"]


def test_installed_uapi_headers_of_a_tree_come_first(tmp_path):
    (tmp_path / "usr" / "include").mkdir(parents=True)
    argv = compile_argv("x86_64", "cow", tmp_path, tmp_path / "o", False)
    systems = [argv[i + 1] for i, a in enumerate(argv) if a == "-isystem"]
    assert systems == [str(tmp_path / "usr" / "include"),
                       str(tmp_path / "tools" / "include" / "uapi")]


def test_local_config_h_matches_check_config_sh_output():
    assert local_config_h(True) == "#define LOCAL_CONFIG_HAVE_LIBURING 1\n"
    assert "LOCAL_CONFIG_HAVE_LIBURING" not in local_config_h(False)


def test_arm64_cross_build_is_static_and_links_liburing_only_when_present(tmp_path):
    argv = compile_argv("arm64", "cow", tmp_path, tmp_path / "out", have_liburing=False)
    assert argv[0] == "aarch64-linux-gnu-gcc"
    assert "-static" in argv and "-luring" not in argv
    assert argv[argv.index("-isystem") + 1] == str(tmp_path / "tools" / "include" / "uapi")
    assert argv[argv.index("-o") + 3:argv.index("-lrt")] == ["vm_util.c", "thp_settings.c"]
    assert compile_argv("x86_64", "cow", tmp_path, tmp_path / "o", True)[-1] == "-luring"


# --------------------------------------------------------------------------- cache


def test_cache_dir_is_created_private(private_cache):
    root = cache_dir()
    assert root == private_cache
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_cache_dir_tightens_an_existing_open_dir(private_cache):
    private_cache.mkdir(mode=0o755)
    os.chmod(private_cache, 0o755)
    cache_dir()
    assert stat.S_IMODE(private_cache.stat().st_mode) == 0o700


def test_find_functions_never_fetch(private_cache, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("find_* must not run apt")

    for module in (cache, debian, kernels, modules, selftest_source):
        monkeypatch.setattr(module, "run_tool", no_network, raising=False)
    assert find_kernel("x86_64") is None
    assert find_selftests("arm64") is None


def test_missing_arm64_kernel_tells_user_to_run_setup(private_cache, monkeypatch):
    monkeypatch.setattr(kernels, "apt_names", lambda regex: [])
    monkeypatch.setattr(kernels, "apt_candidate", lambda package: None)
    with pytest.raises(AssetError, match=r"run harness setup --arch arm64"):
        ensure_kernel("arm64")


def test_unknown_arch_is_rejected(private_cache):
    with pytest.raises(ArchError, match="unsupported arch"):
        ensure_selftests("riscv64")


def test_publish_replaces_a_stale_entry(tmp_path):
    final = tmp_path / "entry"
    final.mkdir()
    (final / "old").write_text("stale")
    staging = tmp_path / ".staging"
    staging.mkdir()
    (staging / "new").write_text("fresh")
    publish(staging, final)
    assert sorted(p.name for p in final.iterdir()) == ["new"]
    assert [p.name for p in tmp_path.iterdir()] == ["entry"]


# --------------------------------------------------------------------------- images


def _fake_bzimage(release: str) -> bytes:
    data = bytearray(0x1000)
    data[0x202:0x206] = b"HdrS"
    data[0x20E:0x210] = (0x600 - 0x200).to_bytes(2, "little")
    text = f"{release} (builder@host) #1 SMP".encode()
    data[0x600:0x600 + len(text)] = text
    return bytes(data)


def test_release_from_bzimage_header(tmp_path):
    image = tmp_path / "bzImage"
    image.write_bytes(_fake_bzimage("6.9.0-rc2-00004-gabc"))
    assert release_from_image(image) == "6.9.0-rc2-00004-gabc"


def test_gzipped_arm64_image_is_decompressed_for_qemu(private_cache, tmp_path):
    plain = b"\x00" * 64 + b"Linux version 6.9.0-rr+ (me@box) (gcc) #1 SMP\x00" + b"\x01" * 64
    image = tmp_path / "Image.gz"
    image.write_bytes(gzip.compress(plain))
    kernel = kernel_from_image(image, None, "arm64")
    assert kernel.release == "6.9.0-rr+" and kernel.version == "6.9.0"
    assert kernel.image.read_bytes() == plain
    assert kernel.modules_dir is None


def _elf(pvh: bool) -> bytes:
    """A minimal little-endian ELF64 with one PT_NOTE segment, with or without the PVH note."""
    note = struct.pack("<III", 4, 4, 18 if pvh else 17) + b"Xen\0" + b"\x00\x00\x20\x00"
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x20, 64)  # e_phoff
    struct.pack_into("<HH", header, 0x36, 56, 1)  # e_phentsize, e_phnum
    phdr = struct.pack("<IIQQQQQQ", 4, 4, 64 + 56, 0, 0, len(note), len(note), 4)
    return bytes(header) + phdr + note + os.urandom(64)


def test_vmlinux_is_extracted_from_an_xz_payload_only_with_a_pvh_note(tmp_path):
    elf = _elf(pvh=True)
    bzimage = tmp_path / "bzImage"
    bzimage.write_bytes(_fake_bzimage("6.1.0") + b"junk" + lzma.compress(elf) + b"\x00" * 32)
    out = extract_vmlinux(bzimage, tmp_path / "vmlinux")
    assert out is not None and out.read_bytes() == elf
    bzimage.write_bytes(_fake_bzimage("6.1.0") + lzma.compress(_elf(pvh=False)))
    assert extract_vmlinux(bzimage, tmp_path / "no-pvh") is None
    bzimage.write_bytes(_fake_bzimage("6.1.0"))
    assert extract_vmlinux(bzimage, tmp_path / "none") is None


def test_user_elf_kernels_boot_via_pvh_or_are_refused(private_cache, tmp_path):
    vmlinux = tmp_path / "vmlinux"
    vmlinux.write_bytes(_elf(pvh=True) + b"Linux version 6.9.0 (me@box) #1\0")
    kernel = kernel_from_image(vmlinux, None, "x86_64")
    assert kernel.image == vmlinux and kernel.vmlinux == vmlinux
    vmlinux.write_bytes(_elf(pvh=False) + b"Linux version 6.9.0 (me@box) #1\0")
    with pytest.raises(AssetError, match="bzImage"):
        kernel_from_image(vmlinux, None, "x86_64")
    with pytest.raises(AssetError, match="arm64/boot/Image"):
        kernel_from_image(vmlinux, None, "arm64")


def _user_modules(root: Path, *releases: str) -> None:
    for release in releases:
        (root / "lib" / "modules" / release / "kernel").mkdir(parents=True)
        (root / "lib" / "modules" / release / "modules.dep").write_text("")


def test_modules_for_another_release_are_refused(private_cache, tmp_path):
    _user_modules(tmp_path, "6.8.0-other")
    image = tmp_path / "bzImage"
    image.write_bytes(_fake_bzimage("6.9.0-mine"))
    with pytest.raises(AssetError, match="modules for 6.8.0-other"):
        kernel_from_image(image, tmp_path / "lib" / "modules" / "6.8.0-other", "x86_64")


def test_modules_root_with_several_releases_picks_the_kernels(private_cache, tmp_path):
    _user_modules(tmp_path, "6.8.0-other", "6.9.0-mine")
    image = tmp_path / "bzImage"
    image.write_bytes(_fake_bzimage("6.9.0-mine"))
    for given in (tmp_path, tmp_path / "lib" / "modules"):
        kernel = kernel_from_image(image, given, "x86_64")
        assert kernel.modules_dir == tmp_path / "lib" / "modules" / "6.9.0-mine"
    (tmp_path / "empty").mkdir()
    with pytest.raises(AssetError, match="modules_install"):
        kernel_from_image(image, tmp_path / "empty", "x86_64")


def test_cached_debs_are_chosen_by_arch_and_pinned_version(private_cache, monkeypatch):
    debs = cache_dir() / "debs"
    debs.mkdir()
    for name in ("busybox-static_1%3a1.35.0-4_arm64.deb", "busybox-static_1%3a1.35.0-4_amd64.deb",
                 "linux-source-6.12_6.12.115-1_all.deb"):
        (debs / name).write_bytes(b"")
    monkeypatch.setattr(debian, "native_deb_arch", lambda: "amd64")
    calls: list[list[str]] = []

    def fake_apt(argv, what, cwd=None):
        calls.append(argv)
        (cwd / "linux-source-6.12_6.12.117-1_all.deb").write_bytes(b"")
        return ""

    monkeypatch.setattr(debian, "run_tool", fake_apt)
    assert debian.download_deb("busybox-static").name.endswith("_amd64.deb")
    assert debian.download_deb("busybox-static", "arm64").name.endswith("_arm64.deb")
    assert debian.download_deb("linux-source-6.12", version="6.12.115-1").name == \
        "linux-source-6.12_6.12.115-1_all.deb"
    assert calls == []
    newer = debian.download_deb("linux-source-6.12", version="6.12.117-1")
    assert calls == [["apt-get", "download", "linux-source-6.12=6.12.117-1"]]
    assert newer == debs / "linux-source-6.12_6.12.117-1_all.deb"


def test_missing_user_kernel_is_a_user_error(tmp_path):
    with pytest.raises(AssetError, match="does not exist"):
        kernel_from_image(tmp_path / "bzImage", None, "x86_64")


@pytest.mark.skipif(REAL_KERNEL is None, reason="no cached x86_64 kernel (run harness setup)")
def test_users_compressed_modules_are_prepared_in_cache_and_left_untouched(private_cache, tmp_path):
    assert REAL_KERNEL is not None and REAL_KERNEL.modules_dir is not None
    release = "6.9.0-test"
    user = tmp_path / "lib" / "modules" / release
    (user / "kernel" / "fs").mkdir(parents=True)
    module = next(REAL_KERNEL.modules_dir.rglob("netfs.ko"))
    (user / "kernel" / "fs" / "netfs.ko.xz").write_bytes(lzma.compress(module.read_bytes()))
    image = tmp_path / "bzImage"
    image.write_bytes(_fake_bzimage(release))
    kernel = kernel_from_image(image, tmp_path, "x86_64")
    assert kernel.modules_dir is not None and private_cache in kernel.modules_dir.parents
    assert (kernel.modules_dir / "kernel" / "fs" / "netfs.ko").read_bytes() == module.read_bytes()
    assert "kernel/fs/netfs.ko:" in (kernel.modules_dir / "modules.dep").read_text()
    assert (user / "kernel" / "fs" / "netfs.ko.xz").is_file()  # the user's tree is unchanged
    assert not (user / "modules.dep").exists()
    # a rebuilt module (new size) gets a fresh copy, not the stale one
    (user / "kernel" / "fs" / "netfs.ko.xz").write_bytes(
        lzma.compress(module.read_bytes() + b"\0" * 8))
    again = kernel_from_image(image, tmp_path, "x86_64")
    assert again.modules_dir != kernel.modules_dir


@pytest.mark.skipif(REAL_KERNEL is None, reason="no cached x86_64 kernel (run harness setup)")
def test_cached_kernel_is_bootable_shape():
    assert REAL_KERNEL is not None and REAL_KERNEL.modules_dir is not None
    assert release_from_image(REAL_KERNEL.image) == REAL_KERNEL.release
    assert (REAL_KERNEL.modules_dir / "modules.dep").is_file()
    assert not list(REAL_KERNEL.modules_dir.rglob("*.ko.xz"))
    if REAL_KERNEL.vmlinux:
        assert REAL_KERNEL.vmlinux.read_bytes()[:4] == b"\x7fELF"


# --------------------------------------------------------------------------- selftests


def test_a_tree_without_selftests_is_rejected(private_cache, tmp_path):
    (tmp_path / "Makefile").write_text("VERSION = 6\nPATCHLEVEL = 1\n")
    with pytest.raises(AssetError, match="not a kernel tree"):
        ensure_selftests("x86_64", tmp_path)


@pytest.mark.skipif(REAL_SOURCE is None, reason="no extracted linux-source (run harness setup)")
def test_build_from_a_user_tree_and_rebuild_when_it_changes(private_cache, tmp_path):
    assert REAL_SOURCE is not None
    tree = tmp_path / "linux"
    shutil.copytree(REAL_SOURCE, tree)
    built = ensure_selftests("x86_64", tree)
    assert built.source == str(tree.resolve()) and built.version == makefile_version(
        (tree / "Makefile").read_text())
    for binary in built.binaries.values():
        assert "statically linked" in subprocess.run(
            ["file", str(binary)], capture_output=True, text=True, check=True).stdout
    assert find_selftests("x86_64", tree) == built
    cow = tree / "tools" / "testing" / "selftests" / "mm" / "cow.c"
    cow.write_text(cow.read_text() + "\n/* edited */\n")
    assert find_selftests("x86_64", tree) is None  # stale after an edit


@pytest.mark.skipif(REAL_SELFTESTS is None, reason="no cached x86_64 selftests (run harness setup)")
@pytest.mark.parametrize("test", ["gup_longterm", "cow"])
def test_built_binary_prints_a_tap_plan(test, tmp_path):
    assert REAL_SELFTESTS is not None
    proc = subprocess.run([str(REAL_SELFTESTS.binaries[test])], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert "TAP version 13" in proc.stdout
    assert re.search(r"^1\.\.\d+$", proc.stdout, re.MULTILINE)
    assert re.search(r"^# Totals: pass:\d+ fail:\d+", proc.stdout, re.MULTILINE)


# --------------------------------------------------------------------------- host packages


def test_missing_packages_reports_only_missing():
    assert missing_packages(["dpkg", "no-such-package-harness"]) == ["no-such-package-harness"]
