"""Kernels and selftest binaries a guest needs, fetched and built into a private cache.

Cache layout (under ``cache_dir()``)::

    debs/<package>_<version>_<arch>.deb            downloaded with ``apt-get download``
    kernels/<arch>/<release>/manifest.json         one extracted Debian kernel
    kernels/<arch>/<release>/boot/...              vmlinuz-*, config-*, System.map-*, Image-* (arm64)
    kernels/<arch>/<release>/lib/modules/<release> modules as plain .ko, depmod'ed
    kernels/<arch>/user-<digest>/...               a user's modules, prepared the same way
    sources/linux-source-<version>/linux-source-<series>/...  the selftest files extracted from it
    selftests/<arch>/<key>/{gup_longterm,cow,build.log,manifest.json}

Every entry is built in a temporary directory inside the cache and renamed into place, so
a half-built entry never looks complete.
"""

from __future__ import annotations

import contextlib
import glob
import gzip
import hashlib
import json
import lzma
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from harness.arch import get_arch
from harness.cache import cache_dir, locked
from harness.errors import HarnessError

SELFTESTS = ("gup_longterm", "cow")
SELFTEST_HELPERS = ("vm_util.c", "thp_settings.c")

# Files (relative to the top of a kernel tree) the two selftests are built from; globs allowed.
SOURCE_PATTERNS = (
    "Makefile",
    "mm/gup_test.h",
    "tools/testing/selftests/mm/*",
    "tools/testing/selftests/kselftest*",
    "tools/testing/selftests/lib.mk",
    "tools/testing/selftests/run_kselftest.sh",
    "tools/include/*",
    "tools/arch/x86/include/*",
    "tools/arch/arm64/include/*",
)
# Also copied from a user's tree when present (installed uapi headers after `make headers`).
TREE_EXTRA_PATTERNS = ("usr/include/*",)

MANIFEST = "manifest.json"


class AssetError(HarnessError):
    """An asset could not be found or built; the message is one line for the user."""


@dataclass(frozen=True)
class KernelAssets:
    arch: str
    release: str
    version: str
    image: Path
    modules_dir: Path | None  # None only for a user's kernel given without modules
    config: Path | None
    vmlinux: Path | None = None  # x86: uncompressed ELF for QEMU's PVH entry, when extractable


@dataclass(frozen=True)
class SelftestAssets:
    arch: str
    source: str
    version: str
    binaries: dict[str, Path] = field(hash=False)
    source_dir: Path | None = None  # tools/testing/selftests/mm of the source that was built


# --------------------------------------------------------------------------- cache


STALE_SECONDS = 6 * 3600


def _staging(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    _sweep(parent)
    return Path(tempfile.mkdtemp(prefix=".staging-", dir=parent))


def _sweep(parent: Path) -> None:
    """Remove staging dirs that a killed process left behind (only old ones: others may be live)."""
    now = time.time()
    for entry in parent.glob(".*-*"):
        if entry.name.split("-", 1)[0] in (".staging", ".old", ".deb") and entry.is_dir():
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def _building(final: Path) -> Iterator[Path]:
    """A private staging dir beside ``final``: renamed into place on success, removed on failure."""
    staging = _staging(final.parent)
    try:
        yield staging
        _publish(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _publish(staging: Path, final: Path) -> None:
    """Rename a finished staging dir into place, replacing a stale entry."""
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=".old-", dir=final.parent))
        final.rename(old / "entry")
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(final)


def _write_manifest(directory: Path, data: dict[str, object]) -> None:
    (directory / MANIFEST).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _read_manifest(directory: Path) -> dict[str, object] | None:
    try:
        return json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def run_tool(argv: list[str], what: str, cwd: Path | None = None) -> str:
    """Run a command without a shell; raise AssetError with its last stderr line on failure."""
    try:
        proc = subprocess.run(
            argv, check=False, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"},
        )
    except FileNotFoundError as exc:
        raise AssetError(f"{what}: {argv[0]} not found: run harness setup") from exc
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()] or ["(no output)"]
        raise AssetError(f"{what} failed (exit {proc.returncode}): {lines[-1].strip()}")
    return proc.stdout


# --------------------------------------------------------------------------- apt


def upstream_version(deb_version: str) -> str:
    """'6.12.117-1~deb12u1' -> '6.12.117' (epoch and Debian revision dropped)."""
    v = deb_version.split(":", 1)[-1]
    return v.rsplit("-", 1)[0] if "-" in v else v


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def kernel_package_regex(arch: str, series: str) -> re.Pattern[str]:
    """Matches the real generic-flavour image packages of a series, capturing the ABI part.

    6.12: linux-image-6.12.117+deb12-amd64; 6.1: linux-image-6.1.0-57-amd64. Cloud, rt, -dbg,
    -unsigned and the metapackages (linux-image-6.12-amd64) do not match.
    """
    flavour = get_arch(arch).deb_arch
    return re.compile(
        rf"^linux-image-(?P<abi>{re.escape(series)}\.\d+(?:-\d+)?(?:\+deb\d+)?)-{flavour}$"
    )


def pick_kernel_package(
    names: list[str], arch: str, series: str, source_version: str | None = None
) -> str | None:
    """Choose the image package: the one matching the linux-source version, else the newest."""
    rx = kernel_package_regex(arch, series)
    found = [(m.group("abi"), n) for n in names if (m := rx.match(n.strip()))]
    if not found:
        return None
    if source_version:
        same = [n for abi, n in found if abi.split("+")[0] == source_version]
        if same:
            return same[0]
    return max(found, key=lambda item: _version_key(item[0]))[1]


def pick_source_package(names: list[str]) -> str | None:
    """The newest linux-source-X.Y package name (the selftests need 6.x with mm/cow.c)."""
    rx = re.compile(r"^linux-source-(\d+\.\d+)$")
    found = [(m.group(1), n) for n in names if (m := rx.match(n.strip()))]
    return max(found, key=lambda item: _version_key(item[0]))[1] if found else None


def _apt_names(regex: str) -> list[str]:
    out = run_tool(["apt-cache", "search", "--names-only", regex], "apt-cache search")
    return [line.split(" - ", 1)[0].strip() for line in out.splitlines() if line.strip()]


def _apt_candidate(package: str) -> str | None:
    """Candidate version of a package, or None when apt does not know it."""
    try:
        out = run_tool(["apt-cache", "policy", package], "apt-cache policy")
    except AssetError:
        return None
    m = re.search(r"^\s*Candidate:\s*(\S+)", out, re.MULTILINE)
    return m.group(1) if m and m.group(1) != "(none)" else None


def native_deb_arch() -> str:
    return run_tool(["dpkg", "--print-architecture"], "dpkg --print-architecture").strip()


def _deb_path(package: str, deb_arch: str | None, version: str | None) -> Path | None:
    debs = cache_dir() / "debs"
    arches = [deb_arch] if deb_arch else [native_deb_arch(), "all"]
    ver = version.replace(":", "%3a") if version else "*"
    hits = [p for a in arches for p in debs.glob(f"{glob.escape(package)}_{ver}_{a}.deb")]
    return max(hits, key=lambda p: _version_key(p.name)) if hits else None


def download_deb(package: str, deb_arch: str | None = None, version: str | None = None) -> Path:
    """apt-get download into the cache (idempotent).

    deb_arch selects a foreign architecture (default: the native one or 'all'); version pins
    the exact Debian version, so a newer candidate is fetched instead of reusing an old .deb.
    """
    existing = _deb_path(package, deb_arch, version)
    if existing is not None:
        return existing
    debs = cache_dir() / "debs"
    debs.mkdir(mode=0o700, exist_ok=True)
    spec = (f"{package}:{deb_arch}" if deb_arch else package) + (f"={version}" if version else "")
    staging = _staging(debs)
    try:
        run_tool(["apt-get", "download", spec], f"apt-get download {spec}", cwd=staging)
        got = list(staging.glob("*.deb"))
        if len(got) != 1:
            raise AssetError(f"apt-get download {spec} produced no .deb")
        final = debs / got[0].name
        got[0].rename(final)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _deb_field(deb: Path, name: str) -> str:
    return run_tool(["dpkg-deb", "-f", str(deb), name], f"dpkg-deb -f {deb.name}").strip()


# --------------------------------------------------------------------------- kernels


def release_from_image(image: Path) -> str | None:
    """The kernel release (uname -r) recorded in a bzImage header or an uncompressed image."""
    data = image.read_bytes()
    if len(data) > 0x210 and data[0x202:0x206] == b"HdrS":
        offset = int.from_bytes(data[0x20E:0x210], "little") + 0x200
        if 0x200 < offset < len(data):
            text = data[offset:offset + 256].split(b"\0", 1)[0].decode("ascii", "replace")
            if text.strip():
                return text.split()[0]
    m = re.search(rb"Linux version (\S+) \(", _maybe_gunzip(data))
    return m.group(1).decode("ascii", "replace") if m else None


def _maybe_gunzip(data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:  # decompressobj stops at the end of the stream, so padding after it is fine
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
    except zlib.error:
        return data


def version_from_release(release: str) -> str:
    m = re.match(r"\d+\.\d+(?:\.\d+)?", release)
    return m.group(0) if m else release


def _plain_arm64_image(src: Path, dest: Path) -> Path:
    """Debian's arm64 vmlinuz is a gzip'd Image: store it decompressed next to it."""
    data = src.read_bytes()
    if data[:2] != b"\x1f\x8b":
        return src
    plain = _maybe_gunzip(data)
    if plain is data:
        raise AssetError(f"{src} looks gzip-compressed but does not decompress")
    dest.write_bytes(plain)
    return dest


def _zstd_decompress(data: bytes) -> bytes:
    """Decompress the first zstd frame of ``data``; trailing bytes make zstd complain, not fail."""
    if shutil.which("zstd") is None:
        return b""
    proc = subprocess.run(["zstd", "-dcq"], input=data, capture_output=True, check=False)
    return proc.stdout


def _decoders() -> dict[bytes, object]:
    return {
        b"\x28\xb5\x2f\xfd": _zstd_decompress,
        b"\xfd7zXZ\x00": lambda d: lzma.LZMADecompressor().decompress(d),
        b"\x1f\x8b\x08": lambda d: zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(d),
    }


def has_pvh_note(elf: bytes) -> bool:
    """Does a little-endian ELF64 kernel carry XEN_ELFNOTE_PHYS32_ENTRY (QEMU's PVH entry)?"""
    if elf[:4] != b"\x7fELF" or len(elf) < 64 or elf[4] != 2 or elf[5] != 1:
        return False
    try:
        return _pvh_note_in_phdrs(elf)
    except struct.error:  # truncated or malformed headers
        return False


def _pvh_note_in_phdrs(elf: bytes) -> bool:
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", elf, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        offset, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 8)
        size, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 0x20)
        pos, end = offset, offset + size
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz]
            if name == b"Xen\0" and ntype == 18:  # XEN_ELFNOTE_PHYS32_ENTRY
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def _extract_vmlinux(bzimage: Path, dest: Path) -> Path | None:
    """Decompress a bzImage's payload (zstd, xz or gzip) to the ELF vmlinux QEMU can boot via PVH."""
    data = bzimage.read_bytes()
    for magic, decode in _decoders().items():
        start = data.find(magic)
        while start != -1:
            try:
                out = decode(data[start:])  # type: ignore[operator]
            except (lzma.LZMAError, zlib.error):
                out = b""
            if out[:4] == b"\x7fELF":
                if not has_pvh_note(out):
                    return None  # built without CONFIG_PVH: QEMU can only boot the bzImage
                dest.write_bytes(out)
                return dest
            start = data.find(magic, start + 1)
    return None


def _decompress_module(path: Path) -> None:
    name = path.name
    if name.endswith(".ko.xz"):
        data = lzma.decompress(path.read_bytes())
    elif name.endswith(".ko.gz"):
        data = gzip.decompress(path.read_bytes())
    elif name.endswith(".ko.zst"):
        data = subprocess.run(
            ["zstd", "-dc", str(path)], check=True, capture_output=True, stdin=subprocess.DEVNULL
        ).stdout
    else:
        return
    path.with_name(name.rsplit(".", 1)[0]).write_bytes(data)
    path.unlink()


def prepare_modules(modules_dir: Path, release: str) -> int:
    """Decompress every module to plain .ko and run depmod; returns the module count."""
    compressed = [p for p in modules_dir.rglob("*.ko.*") if p.suffix in (".xz", ".gz", ".zst")]
    try:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(_decompress_module, compressed))
    except (lzma.LZMAError, OSError, subprocess.CalledProcessError) as exc:
        raise AssetError(f"cannot decompress modules in {modules_dir}: {exc}") from exc
    base = modules_dir.parents[2]  # <base>/lib/modules/<release>
    run_tool(["depmod", "-b", str(base), release], f"depmod {release}")
    return sum(1 for _ in modules_dir.rglob("*.ko"))


def _kernel_manifest(root: Path, arch: str, release: str, deb: Path) -> dict[str, object]:
    boot = root / "boot"
    vmlinuz = boot / f"vmlinuz-{release}"
    if not vmlinuz.is_file():
        raise AssetError(f"{deb.name} has no boot/vmlinuz-{release}")
    if arch == "arm64":
        image = _plain_arm64_image(vmlinuz, boot / f"Image-{release}")
        vmlinux = None
    else:
        image = vmlinuz
        vmlinux = _extract_vmlinux(vmlinuz, boot / f"vmlinux-{release}")
    config = boot / f"config-{release}"
    modules = root / "lib" / "modules" / release
    count = prepare_modules(modules, release)
    rel = lambda p: str(p.relative_to(root)) if p else None
    return {
        "arch": arch, "release": release,
        "version": upstream_version(_deb_field(deb, "Version")),
        "package": _deb_field(deb, "Package"), "package_version": _deb_field(deb, "Version"),
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
        data = _read_manifest(directory)
        if data and data.get("package") and _series_of(str(data["version"])) == series:
            found.append(_kernel_from_manifest(directory, data))
    return max(found, key=lambda k: _version_key(k.version)) if found else None


def _kernel_package(arch: str, series: str) -> tuple[str, str]:
    """(package, Debian version) of the image package to use for an arch and series."""
    names = _apt_names(rf"^linux-image-{re.escape(series)}\.")
    source = _apt_candidate(f"linux-source-{series}")
    package = pick_kernel_package(names, arch, series, upstream_version(source) if source else None)
    version = _apt_candidate(f"{package}:{get_arch(arch).deb_arch}") if package else None
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
        data = _read_manifest(final)
        if data:
            return _kernel_from_manifest(final, data)
        deb = download_deb(package, get_arch(arch).deb_arch, deb_version)
        with _building(final) as staging:
            run_tool(["dpkg", "-x", str(deb), str(staging)], f"dpkg -x {deb.name}")
            shutil.rmtree(staging / "usr" / "share" / "doc", ignore_errors=True)
            _write_manifest(staging, _kernel_manifest(staging, arch, release, deb))
    data = _read_manifest(final)
    assert data is not None
    return _kernel_from_manifest(final, data)


def _is_release_dir(path: Path) -> bool:
    return (path / "kernel").is_dir() or (path / "modules.order").is_file()


def _modules_release_dir(modules: Path, release: str | None) -> Path:
    """Accept lib/modules/<release>, lib/modules, or an INSTALL_MOD_PATH root holding them."""
    candidates = [modules, *sorted(modules.glob("*")), *sorted(modules.glob("lib/modules/*"))]
    found = [c for c in candidates if c.is_dir() and _is_release_dir(c)]
    if release is not None and any(c.name == release for c in found):
        return next(c for c in found if c.name == release)
    if len(found) == 1:
        return found[0]
    what = "no" if not found else "several (" + ", ".join(c.name for c in found) + ")"
    raise AssetError(f"{modules} holds {what} lib/modules/<release> dirs: run `make "
                     "modules_install INSTALL_MOD_PATH=DIR` and pass DIR/lib/modules/<release>")


def _modules_ready(directory: Path) -> bool:
    if not (directory / "modules.dep").is_file():
        return False
    return not any(p.suffix in (".xz", ".gz", ".zst") for p in directory.rglob("*.ko.*"))


def _tree_stat_digest(root: Path) -> str:
    """Cheap identity of a directory's contents: path, size and mtime of every file."""
    h = hashlib.sha256(str(root.resolve()).encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            h.update(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:12]


def _copy_user_modules(src: Path, arch: str, release: str) -> Path:
    """Copy a user's modules into the cache, decompressed and depmod'ed; the source is untouched."""
    digest = _tree_stat_digest(src)
    final = cache_dir() / "kernels" / arch / f"user-{digest}"
    target = final / "lib" / "modules" / release
    with locked(f"user-{digest}"):
        if _modules_ready(target):
            return target
        with _building(final) as staging:
            shutil.copytree(src, staging / "lib" / "modules" / release, symlinks=True,
                            ignore=shutil.ignore_patterns("build", "source"))
            prepare_modules(staging / "lib" / "modules" / release, release)
    return target


def _user_config(image: Path, release: str) -> Path | None:
    candidates = [image.parent / f"config-{release}"]
    parts = image.resolve().parts
    if "arch" in parts:  # <tree>/arch/<arch>/boot/bzImage
        candidates.append(Path(*parts[: parts.index("arch")]) / ".config")
    return next((c for c in candidates if c.is_file()), None)


def kernel_from_image(image: Path, modules: Path | None, arch: str) -> KernelAssets:
    """Describe a user's own kernel (--kernel/--modules), preparing modules in the cache if needed."""
    arch = get_arch(arch).name
    if not image.is_file():
        raise AssetError(f"kernel image {image} does not exist")
    release = release_from_image(image)
    modules_dir = None
    if modules is not None:
        if not modules.is_dir():
            raise AssetError(f"modules directory {modules} does not exist")
        modules_dir = _modules_release_dir(modules, release)
        if release is not None and modules_dir.name != release:
            raise AssetError(f"{image} is kernel {release} but {modules_dir} holds modules for "
                             f"{modules_dir.name}: pass the matching --modules")
        release = release or modules_dir.name
        if not _modules_ready(modules_dir):
            modules_dir = _copy_user_modules(modules_dir, arch, modules_dir.name)
    if release is None:
        raise AssetError(f"cannot read a kernel release from {image}; pass --modules too")
    boot_image, vmlinux = _user_boot_images(image, arch)
    return KernelAssets(
        arch=arch, release=release, version=version_from_release(release), image=boot_image,
        modules_dir=modules_dir, config=_user_config(image, release), vmlinux=vmlinux,
    )


def _user_boot_images(image: Path, arch: str) -> tuple[Path, Path | None]:
    """(image for -kernel, PVH vmlinux or None); derived files go to the cache, keyed by content."""
    data = image.read_bytes()
    is_elf = data[:4] == b"\x7fELF"
    if is_elf and (arch == "arm64" or not has_pvh_note(data)):
        what = "arch/arm64/boot/Image" if arch == "arm64" else "arch/x86/boot/bzImage"
        raise AssetError(f"{image} is an ELF vmlinux QEMU cannot boot directly: pass {what}")
    if is_elf:
        return image, image
    dest = cache_dir() / "kernels" / arch / f"image-{hashlib.sha256(data).hexdigest()[:12]}"
    dest.mkdir(parents=True, exist_ok=True)
    if arch == "arm64":
        return _plain_arm64_image(image, dest / "Image"), None
    cached, no_pvh = dest / "vmlinux", dest / "no-pvh"
    if cached.is_file() or no_pvh.is_file():
        return image, cached if cached.is_file() else None
    vmlinux = _extract_vmlinux(image, cached)
    if vmlinux is None:
        no_pvh.touch()
    return image, vmlinux


# --------------------------------------------------------------------------- selftest sources


def makefile_version(makefile_text: str) -> str:
    """'VERSION = 6 / PATCHLEVEL = 12 / SUBLEVEL = 117 / EXTRAVERSION =' -> '6.12.117'."""
    fields = dict(re.findall(r"^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)\s*=[ \t]*(\S*)",
                             makefile_text, re.MULTILINE))
    if "VERSION" not in fields or "PATCHLEVEL" not in fields:
        raise AssetError("top-level Makefile has no VERSION/PATCHLEVEL")
    version = f"{fields['VERSION']}.{fields['PATCHLEVEL']}"
    if fields.get("SUBLEVEL"):
        version += f".{fields['SUBLEVEL']}"
    return version + fields.get("EXTRAVERSION", "")


def _source_package() -> tuple[str, str]:
    """(package, Debian version) of the newest linux-source-X.Y apt offers."""
    package = pick_source_package(_apt_names(r"^linux-source-[0-9]+\.[0-9]+$"))
    candidate = _apt_candidate(package) if package else None
    if package is None or candidate is None:
        raise AssetError("no linux-source-X.Y package in apt: run apt-get update (harness setup)")
    return package, candidate


def _source_tree_in(directory: Path) -> Path | None:
    trees = sorted(directory.glob("linux-source-*/Makefile"))
    return trees[0].parent if trees else None


def find_selftest_source() -> Path | None:
    """Top of the newest extracted linux-source tree in the cache (no network)."""
    trees = [t for d in (cache_dir() / "sources").glob("linux-source-*")
             if _read_manifest(d) and (t := _source_tree_in(d))]
    return max(trees, key=lambda t: _version_key(t.parent.name)) if trees else None


def ensure_selftest_source() -> Path:
    """Extract the selftest files from Debian's linux-source package; returns the tree top."""
    package, deb_version = _source_package()
    version = upstream_version(deb_version)
    final = cache_dir() / "sources" / f"linux-source-{version}"
    with locked(f"source-{version}"):
        if _read_manifest(final) and (tree := _source_tree_in(final)):
            return tree
        deb = download_deb(package, version=deb_version)
        with _building(final) as staging:
            _extract_source(deb, package, staging)
            _write_manifest(staging, {"package": package, "version": version,
                                      "package_version": _deb_field(deb, "Version")})
    tree = _source_tree_in(final)
    assert tree is not None
    return tree


def _extract_source(deb: Path, package: str, dest: Path) -> None:
    unpacked = Path(tempfile.mkdtemp(prefix=".deb-", dir=dest.parent))
    try:
        run_tool(["dpkg", "-x", str(deb), str(unpacked)], f"dpkg -x {deb.name}")
        tarballs = list((unpacked / "usr" / "src").glob(f"{package}.tar.*"))
        if not tarballs:
            raise AssetError(f"{deb.name} has no /usr/src/{package}.tar.*")
        patterns = [f"{package}/{p}" for p in SOURCE_PATTERNS]
        run_tool(["tar", "-xf", str(tarballs[0]), "-C", str(dest), "--wildcards", *patterns],
             f"tar -x {tarballs[0].name}")
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)


# --------------------------------------------------------------------------- selftest build


def local_config_h(have_liburing: bool) -> str:
    """The local_config.h that check_config.sh would write (written by hand for cross builds)."""
    if have_liburing:
        return "#define LOCAL_CONFIG_HAVE_LIBURING 1\n"
    return "// No liburing support found\n"


def helper_sources(mm_makefile: str, test: str) -> list[str]:
    """The .c files the mm Makefile links into ``test`` besides ``test.c``.

    Reads ``$(TEST_GEN_PROGS): vm_util.c ...`` and ``$(OUTPUT)/<test>: ...`` prerequisite lines
    (target-specific variables such as ``LDLIBS += ...`` are skipped); the list differs between
    kernel versions (vm_util.c only in 6.3; thp_settings.c from 6.8; pkey_util.c in some trees).
    """
    found: list[str] = []
    for line in mm_makefile.splitlines():
        targets, sep, prereqs = line.partition(":")
        if not sep or "=" in prereqs or prereqs.startswith("="):
            continue
        names = targets.split()
        if "$(TEST_GEN_PROGS)" in names or f"$(OUTPUT)/{test}" in names:
            found += [w for w in prereqs.split() if w.endswith(".c") and w not in found]
    return found


def compile_argv(arch: str, test: str, tree: Path, output: Path, have_liburing: bool,
                 helpers: tuple[str, ...] | list[str] = SELFTEST_HELPERS) -> list[str]:
    """The compiler command line for one static selftest, run from tools/testing/selftests/mm.

    Headers as lib.mk orders them: the tree's installed uapi headers (usr/include, present after
    ``make headers``) if any, then tools/include/uapi; otherwise the toolchain's own.
    """
    includes = ["-I", str(tree), "-I", str(tree / "tools" / "testing" / "selftests")]
    if (tree / "usr" / "include").is_dir():
        includes += ["-isystem", str(tree / "usr" / "include")]
    includes += ["-isystem", str(tree / "tools" / "include" / "uapi")]
    argv = [get_arch(arch).compiler, "-Wall", "-O2", *includes, "-U_FORTIFY_SOURCE", "-no-pie", "-static",
            "-o", str(output), f"{test}.c", *helpers, "-lrt", "-lpthread", "-lm"]
    return argv + (["-luring"] if have_liburing else [])


def _links_liburing(arch: str, workdir: Path) -> bool:
    """Can the target compiler link a static program against liburing (header + liburing.a)?"""
    probe = workdir / "uring_probe.c"
    probe.write_text("#include <liburing.h>\nint main(void)\n"
                     "{ struct io_uring r; return io_uring_queue_init(1, &r, 0); }\n")
    try:
        proc = subprocess.run([get_arch(arch).compiler, "-static", "-o", str(workdir / "uring_probe"),
                               str(probe), "-luring"], check=False, capture_output=True,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return False
    return proc.returncode == 0


def _copy_sources(tree: Path, dest: Path) -> None:
    for pattern in SOURCE_PATTERNS + TREE_EXTRA_PATTERNS:
        for src in tree.glob(pattern):
            target = dest / src.relative_to(tree)
            if src.is_dir():
                shutil.copytree(src, target, dirs_exist_ok=True)
            elif src.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)


def _sources_digest(tree: Path) -> str:
    """Content hash of everything the build reads from a tree, to notice edits to a user tree."""
    mm = tree / "tools" / "testing" / "selftests" / "mm"
    files = [tree / "Makefile", tree / "mm" / "gup_test.h",
             tree / "tools" / "testing" / "selftests" / "kselftest.h"]
    files += sorted(mm.glob("*.[ch]")) + [mm / "Makefile"]
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + (f.read_bytes() if f.is_file() else b"-"))
    return h.hexdigest()[:16]


def _check_tree(tree: Path) -> None:
    mm = tree / "tools" / "testing" / "selftests" / "mm"
    missing = [f"{t}.c" for t in SELFTESTS if not (mm / f"{t}.c").is_file()]
    if not (tree / "Makefile").is_file() or missing:
        what = ", ".join(missing) or "Makefile"
        raise AssetError(f"{tree} is not a kernel tree with selftests/mm ({what} missing)")


def _build(arch: str, tree: Path, out: Path) -> dict[str, object]:
    """Compile the selftests from ``tree`` into ``out``; returns manifest fields."""
    work = Path(tempfile.mkdtemp(prefix="harness-build-"))
    try:
        _copy_sources(tree, work)
        mm = work / "tools" / "testing" / "selftests" / "mm"
        uring = _links_liburing(arch, work)
        (mm / "local_config.h").write_text(local_config_h(uring))
        log: list[str] = []
        started = time.monotonic()
        makefile = (mm / "Makefile").read_text() if (mm / "Makefile").is_file() else ""
        for test in SELFTESTS:
            helpers = [h for h in helper_sources(makefile, test) if (mm / h).is_file()]
            argv = compile_argv(arch, test, work, out / test, uring,
                                helpers or [h for h in SELFTEST_HELPERS if (mm / h).is_file()])
            proc = subprocess.run(argv, check=False, cwd=mm, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL)
            log += ["$ " + " ".join(argv), proc.stdout, proc.stderr]
            if proc.returncode != 0:
                (out / "build.log").write_text("\n".join(log))
                err = [ln for ln in proc.stderr.splitlines() if "error" in ln] or ["?"]
                raise AssetError(f"building {test} for {arch} failed: {err[0].strip()}")
        seconds = round(time.monotonic() - started, 2)
        (out / "build.log").write_text("\n".join(log))
        return {"liburing": uring, "build_seconds": seconds}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _selftests_key(kernel_tree: Path | None) -> str:
    if kernel_tree is None:
        return "debian"
    return "tree-" + hashlib.sha256(str(kernel_tree.resolve()).encode()).hexdigest()[:12]


def _selftests_from_manifest(directory: Path, data: dict[str, object]) -> SelftestAssets:
    source_dir = data.get("source_dir")
    return SelftestAssets(
        arch=str(data["arch"]), source=str(data["source"]), version=str(data["version"]),
        binaries={t: directory / t for t in SELFTESTS},
        source_dir=Path(str(source_dir)) if source_dir else None,
    )


def _selftests_current(directory: Path, tree: Path | None) -> dict[str, object] | None:
    data = _read_manifest(directory)
    if not data or not all((directory / t).is_file() for t in SELFTESTS):
        return None
    if tree is not None and data.get("digest") != _sources_digest(tree):
        return None  # the user's tree changed since the build
    return data


def find_selftests(arch: str, kernel_tree: Path | None = None) -> SelftestAssets | None:
    """Cached static selftest binaries for an arch (and a user tree), without building."""
    arch = get_arch(arch).name
    directory = cache_dir() / "selftests" / arch / _selftests_key(kernel_tree)
    data = _selftests_current(directory, kernel_tree)
    return _selftests_from_manifest(directory, data) if data else None


def ensure_selftests(arch: str, kernel_tree: Path | None = None) -> SelftestAssets:
    """Build static gup_longterm and cow for an arch from a user tree or Debian's linux-source."""
    arch = get_arch(arch).name
    if kernel_tree is not None:
        _check_tree(kernel_tree)
    final = cache_dir() / "selftests" / arch / _selftests_key(kernel_tree)
    with locked(f"selftests-{arch}-{final.name}"):
        if not _selftests_current(final, kernel_tree):
            tree = kernel_tree.resolve() if kernel_tree else ensure_selftest_source()
            version = makefile_version((tree / "Makefile").read_text())
            source = str(tree) if kernel_tree else f"{tree.name} {version}"
            with _building(final) as staging:
                fields = _build(arch, tree, staging)
                _write_manifest(staging, {
                    "arch": arch, "source": source, "version": version,
                    "source_dir": str(tree / "tools" / "testing" / "selftests" / "mm"),
                    "digest": _sources_digest(tree), "compiler": get_arch(arch).compiler, **fields,
                })
    data = _read_manifest(final)
    assert data is not None
    return _selftests_from_manifest(final, data)
