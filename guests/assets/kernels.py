"""Kernels: Debian's generic kernel extracted into the cache, or a user's own image and modules."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from guests.assets.cache import AssetError, building, read_manifest, run_tool, write_manifest
from guests.assets.debian import (
    apt_candidate,
    apt_names,
    deb_field,
    download_deb,
    pick_kernel_package,
    upstream_version,
    version_key,
)
from guests.assets.kernel_image import (
    extract_vmlinux,
    plain_arm64_image,
    release_from_image,
    user_boot_images,
    version_from_release,
)
from guests.assets.modules import (
    copy_user_modules,
    modules_ready,
    modules_release_dir,
    prepare_modules,
)
from harness.arch import get_arch
from harness.cache import cache_dir, locked
from harness.errors import UsageError


@dataclass(frozen=True)
class KernelAssets:
    arch: str
    release: str
    version: str
    image: Path
    modules_dir: Path | None  # None only for a user's kernel given without modules
    config: Path | None
    vmlinux: Path | None = None  # x86: uncompressed ELF for QEMU's PVH entry, when extractable


def _kernel_manifest(root: Path, arch: str, release: str, deb: Path) -> dict[str, object]:
    boot = root / "boot"
    vmlinuz = boot / f"vmlinuz-{release}"
    if not vmlinuz.is_file():
        raise AssetError(f"{deb.name} has no boot/vmlinuz-{release}")
    if arch == "arm64":
        image = plain_arm64_image(vmlinuz, boot / f"Image-{release}")
        vmlinux = None
    else:
        image = vmlinuz
        vmlinux = extract_vmlinux(vmlinuz, boot / f"vmlinux-{release}")
    config = boot / f"config-{release}"
    modules = root / "lib" / "modules" / release
    count = prepare_modules(modules, release)
    rel = lambda p: str(p.relative_to(root)) if p else None
    return {
        "arch": arch, "release": release,
        "version": upstream_version(deb_field(deb, "Version")),
        "package": deb_field(deb, "Package"), "package_version": deb_field(deb, "Version"),
        "image": rel(image), "vmlinux": rel(vmlinux), "config": rel(config) if config.is_file()
        else None, "modules_dir": rel(modules), "modules": count,
    }


def _kernel_from_manifest(directory: Path, data: dict[str, object]) -> KernelAssets:
    def path(key: str) -> Path | None:
        value = data.get(key)
        return directory / str(value) if value else None

    image = path("image")
    assert image is not None
    return KernelAssets(
        arch=str(data["arch"]), release=str(data["release"]), version=str(data["version"]),
        image=image, modules_dir=path("modules_dir"), config=path("config"),
        vmlinux=path("vmlinux"),
    )


def _series_of(version: str) -> str:
    return ".".join(version.split(".")[:2])


def find_kernel(arch: str, series: str = "6.12") -> KernelAssets | None:
    """The newest cached Debian kernel of a series, without touching the network."""
    arch = get_arch(arch).name
    found: list[KernelAssets] = []
    for directory in sorted((cache_dir() / "kernels" / arch).glob("*")):
        data = read_manifest(directory)
        if data and data.get("package") and _series_of(str(data["version"])) == series:
            found.append(_kernel_from_manifest(directory, data))
    return max(found, key=lambda k: version_key(k.version)) if found else None


def _kernel_package(arch: str, series: str) -> tuple[str, str]:
    """(package, Debian version) of the image package to use for an arch and series."""
    names = apt_names(rf"^linux-image-{re.escape(series)}\.")
    source = apt_candidate(f"linux-source-{series}")
    package = pick_kernel_package(names, arch, series, upstream_version(source) if source else None)
    version = apt_candidate(f"{package}:{get_arch(arch).deb_arch}") if package else None
    if package is None or version is None:
        hint = " --arch arm64" if arch == "arm64" else ""
        raise AssetError(
            f"no package linux-image-{series}.*-{get_arch(arch).deb_arch}: run harness setup{hint}"
        )
    return package, version


def ensure_kernel(arch: str, series: str = "6.12") -> KernelAssets:
    """Download and extract Debian's generic kernel of a series (idempotent)."""
    arch = get_arch(arch).name
    package, deb_version = _kernel_package(arch, series)
    release = package.removeprefix("linux-image-")
    final = cache_dir() / "kernels" / arch / release
    with locked(f"kernel-{arch}-{release}"):
        data = read_manifest(final)
        if data:
            return _kernel_from_manifest(final, data)
        deb = download_deb(package, get_arch(arch).deb_arch, deb_version)
        with building(final) as staging:
            run_tool(["dpkg", "-x", str(deb), str(staging)], f"dpkg -x {deb.name}")
            shutil.rmtree(staging / "usr" / "share" / "doc", ignore_errors=True)
            write_manifest(staging, _kernel_manifest(staging, arch, release, deb))
    data = read_manifest(final)
    assert data is not None
    return _kernel_from_manifest(final, data)


def _user_config(image: Path, release: str) -> Path | None:
    candidates = [image.parent / f"config-{release}"]
    parts = image.resolve().parts
    if "arch" in parts:  # <tree>/arch/<arch>/boot/bzImage
        candidates.append(Path(*parts[: parts.index("arch")]) / ".config")
    return next((c for c in candidates if c.is_file()), None)


def kernel_from_image(image: Path, modules: Path | None, arch: str) -> KernelAssets:
    """Describe a user's own kernel (--kernel/--modules), preparing modules in the cache if
    needed."""
    arch = get_arch(arch).name
    if not image.is_file():
        raise AssetError(f"kernel image {image} does not exist")
    release = release_from_image(image)
    modules_dir = None
    if modules is not None:
        if not modules.is_dir():
            raise AssetError(f"modules directory {modules} does not exist")
        modules_dir = modules_release_dir(modules, release)
        if release is not None and modules_dir.name != release:
            raise AssetError(f"{image} is kernel {release} but {modules_dir} holds modules for "
                             f"{modules_dir.name}: pass the matching --modules")
        release = release or modules_dir.name
        if not modules_ready(modules_dir):
            modules_dir = copy_user_modules(modules_dir, arch, modules_dir.name)
    if release is None:
        raise AssetError(f"cannot read a kernel release from {image}; pass --modules too")
    boot_image, vmlinux = user_boot_images(image, arch)
    return KernelAssets(
        arch=arch, release=release, version=version_from_release(release), image=boot_image,
        modules_dir=modules_dir, config=_user_config(image, release), vmlinux=vmlinux,
    )


def resolve_kernel(arch: str, kernel_image: str | None, modules: Path | None,
                   kernel_version: str | None) -> KernelAssets:
    """The kernel --kernel/--modules/--kernel-version name, from the cache or the user's files."""
    if kernel_image and kernel_image.startswith("debian-"):
        series = kernel_image.removeprefix("debian-")
        kernel = find_kernel(arch, series)
        if kernel is None:
            raise UsageError(f"--kernel {kernel_image}: no Debian {series} kernel for {arch} in "
                             f"the cache: run `harness setup --arch {arch} --kernel-version "
                             f"{series}`")
        return kernel
    if kernel_image:
        image = Path(kernel_image)
        if not image.is_file():
            raise UsageError(f"--kernel {kernel_image}: no such file")
        return kernel_from_image(image, modules, arch)
    series = kernel_version or "6.12"
    kernel = find_kernel(arch, series)
    if kernel is None:
        raise UsageError(f"no {series} kernel for {arch} in the cache: run "
                         f"`harness setup --arch {arch}` first")
    return kernel
