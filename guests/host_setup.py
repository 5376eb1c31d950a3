"""Prepare this host: Debian packages, kernels and selftest binaries (idempotent).

Also tells the initramfs builder where host binaries and their shared libraries are.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from guests.assets.cache import AssetError, run_tool
from guests.assets.debian import download_deb
from guests.assets.gup_test import ensure_gup_test, ensure_tree_gup_test, is_module_tree
from guests.assets.kernels import ensure_kernel
from guests.assets.selftest_source import ensure_selftest_source
from guests.assets.selftests import ensure_selftests
from harness.arch import ARM64, get_arch, host_arch
from harness.cache import cache_dir

COMMON_PACKAGES = (
    "qemu-system-x86", "busybox-static", "xfsprogs", "e2fsprogs", "nfs-ganesha",
    "nfs-ganesha-vfs", "rpcbind", "strace", "kmod", "cpio", "xz-utils", "zstd", "gcc",
    "libc6-dev", "liburing-dev", "iproute2",
    # harness lava: the job schema (lava_common.schemas) and lava-run for local runs.
    "lava-common", "lava-dispatcher",
    # gup_test.ko is built against Debian's linux-headers, whose Makefiles call gcc-12
    "make", "gcc-12",
)
ARM64_PACKAGES = ("qemu-system-arm", "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross",
                  "gcc-12-aarch64-linux-gnu")
# Wanted but not required: without it the arm64 selftests are built without io_uring cases.
ARM64_OPTIONAL = ("liburing-dev:arm64",)


def packages_for(arches: list[str]) -> list[str]:
    """The Debian packages a run on these arches needs."""
    wanted = list(COMMON_PACKAGES)
    if "arm64" in arches:
        wanted += ARM64_PACKAGES
    return wanted


def missing_packages(packages: list[str]) -> list[str]:
    """Packages dpkg does not report as installed ('ii')."""
    missing = []
    for package in packages:
        proc = subprocess.run(
            ["dpkg-query", "-W", "-f", "${db:Status-Abbrev}", package],
            capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
        )
        if proc.returncode != 0 or not proc.stdout.startswith("ii"):
            missing.append(package)
    return missing


def _apt_install(packages: list[str]) -> None:
    run_tool(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
         "apt-get install " + " ".join(packages))


def _ensure_foreign_arch(deb_arch: str, lines: list[str]) -> None:
    out = run_tool(["dpkg", "--print-foreign-architectures"], "dpkg --print-foreign-architectures")
    if deb_arch in out.split():
        return
    run_tool(["dpkg", "--add-architecture", deb_arch], f"dpkg --add-architecture {deb_arch}")
    run_tool(["apt-get", "update", "-q"], "apt-get update")
    lines.append(f"added dpkg architecture {deb_arch} and ran apt-get update")


def _install_packages(arches: list[str], lines: list[str]) -> None:
    if os.geteuid() != 0:
        missing = missing_packages(packages_for(arches))
        if missing:
            raise AssetError("missing packages (run harness setup as root): " + " ".join(missing))
        return
    if "arm64" in arches:
        _ensure_foreign_arch(ARM64.deb_arch, lines)
    missing = missing_packages(packages_for(arches))
    if missing:
        # A fresh machine may have no (or stale) package lists.
        if not any(line.startswith("added dpkg architecture") for line in lines):
            run_tool(["apt-get", "update", "-q"], "apt-get update")
        _apt_install(missing)
        lines.append("installed: " + " ".join(missing))
    else:
        lines.append("packages: all present")
    if "arm64" in arches:
        for optional in missing_packages(list(ARM64_OPTIONAL)):
            try:
                _apt_install([optional])
                lines.append(f"installed: {optional}")
            except AssetError as exc:
                lines.append(f"not installed: {optional} ({exc}); arm64 selftests build without "
                             "liburing, so their io_uring cases are skipped")


def setup_host(arches: list[str], kernel_tree: Path | None, series: list[str]) -> list[str]:
    """Install what is missing, then fetch kernels and build selftests; returns report lines."""
    arches = [get_arch(arch).name for arch in arches]
    lines = [f"cache: {cache_dir()}"]
    _install_packages(arches, lines)
    for arch in arches:
        for one in series:
            kernel = ensure_kernel(arch, one)
            lines.append(f"kernel {arch} {kernel.release}: {kernel.image}")
            if kernel.vmlinux:
                lines.append(f"kernel {arch} {kernel.release} PVH vmlinux: {kernel.vmlinux}")
            lines.append(f"modules {arch} {kernel.release}: {kernel.modules_dir}")
            gup = ensure_gup_test(kernel, ensure_selftest_source())
            lines.append(f"gup_test {arch} {kernel.release}: {gup.module or gup.source}"
                         + "".join(f" ({note})" for note in gup.notes))
        tests = ensure_selftests(arch, kernel_tree)
        if kernel_tree is not None:
            lines.append(tree_gup_test_line(kernel_tree, arch))
        uring = "" if _built_with_liburing(tests.binaries["cow"]) else " (without liburing)"
        for name, path in sorted(tests.binaries.items()):
            lines.append(f"selftest {arch} {name} from {tests.source}{uring}: {path}")
        if tests.source_dir:
            lines.append(f"selftest sources: {tests.source_dir}")
        if arch != host_arch():
            # the initramfs builder takes a foreign-arch busybox from this .deb; fetch it now so
            # that runs need no network
            deb = download_deb("busybox-static", get_arch(arch).deb_arch)
            lines.append(f"busybox {arch}: {deb}")
    for arch in arches:
        lines.append(f"strace for {arch} guests: {strace_note(arch)}")
    return lines


def tree_gup_test_line(tree: Path, arch: str) -> str:
    """Build gup_test.ko against a --kernel-tree built without CONFIG_GUP_TEST (for the runs
    that boot that tree's kernel); one report line either way."""
    if not is_module_tree(tree):
        return (f"gup_test {arch} for {tree}: not built (no .config, Module.symvers or "
                "include/generated/utsrelease.h: build the kernel in the tree first)")
    try:
        gup = ensure_tree_gup_test(tree, arch, ensure_selftest_source)
    except AssetError as exc:
        return f"gup_test {arch} for {tree}: not built ({exc})"
    return (f"gup_test {arch} for {tree}: {gup.module or gup.source}"
            + "".join(f" ({note})" for note in gup.notes))


def _built_with_liburing(binary: Path) -> bool:
    manifest = binary.parent / "manifest.json"
    return '"liburing": true' in manifest.read_text() if manifest.is_file() else False


def strace_note(arch: str) -> str:
    """Where the guest's strace comes from (fetched now for a foreign arch, so runs need no
    network)."""
    from guests.strace_bundle import strace_files

    try:
        files = strace_files(arch)
    except (AssetError, OSError) as exc:
        return f"not available ({exc})"
    return f"{files['/usr/bin/strace']} and {len(files) - 1} libraries"
