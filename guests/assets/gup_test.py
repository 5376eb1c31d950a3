"""gup_test for kernels built without CONFIG_GUP_TEST: mm/gup_test.c as an out-of-tree module.

Debian's kernels lack CONFIG_GUP_TEST (a bool), so /sys/kernel/debug/gup_test is missing and
gup_longterm's long-term pinning cases and cow's R/O pinning cases skip. The module is built
from mm/gup_test.c of the selftests' own linux-source (its ioctls are the ones the selftests
speak: 6.1's own gup_test has no PIN_LONGTERM_TEST_*) against Debian's
``linux-headers-<release>`` of the kernel under test (its .config and Module.symvers, so vermagic
and modversions match), with the amd64 ``linux-kbuild`` host tools (modpost) also for the arm64
headers, and the cross compiler for arm64. ``gup_test_wrapper.c`` adapts it to older kernels
(see there); the source itself is used unchanged.

Cache layout::

    gup_test/<arch>/<release>/{gup_test.ko,build.log,manifest.json}

The headers are unpacked in a temporary directory and removed after the build; their .debs stay
in debs/ so a rebuild needs no network.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from guests.assets.cache import AssetError, building, read_manifest, run_tool, write_manifest
from guests.assets.debian import deb_field, download_deb
from guests.assets.kernels import KernelAssets
from harness.arch import get_arch
from harness.cache import cache_dir, locked
from harness.kconfig import parse_config, parse_config_file

WRAPPER = Path(__file__).with_name("gup_test_wrapper.c")
GUP_TEST_FILES = ("mm/gup_test.c", "mm/gup_test.h")
KBUILD = "obj-m := gup_test.o\nccflags-y += $(GUP_TEST_FLAGS)\n"
KARCH = {"x86_64": "x86", "arm64": "arm64"}
# folio_is_longterm_pinnable() calls it under CONFIG_CMA; Debian's arm64 kernels do not export it.
PINNABLE_SYMBOL = "get_pfnblock_flags_mask"
NO_PINNABLE_NOTE = (f"{PINNABLE_SYMBOL} is not exported: PIN_LONGTERM_BENCHMARK's "
                    "folio_is_longterm_pinnable() WARN is left out (gup_longterm and cow use "
                    "PIN_LONGTERM_TEST_*, which never call it)")


@dataclass(frozen=True)
class GupTest:
    """How a guest gets /sys/kernel/debug/gup_test."""

    source: str  # one line for the environment
    module: Path | None = None  # None: built in (CONFIG_GUP_TEST=y)
    notes: tuple[str, ...] = ()


def headers_packages(depends: str) -> tuple[str | None, str | None]:
    """(linux-headers-*-common, linux-kbuild-*) named in a linux-headers package's Depends."""
    names = [alt.split("(")[0].strip() for part in depends.split(",") for alt in part.split("|")]
    common = next((n for n in names if re.fullmatch(r"linux-headers-.+-common", n)), None)
    kbuild = next((n for n in names if n.startswith("linux-kbuild-")), None)
    return common, kbuild


def exported(symvers: str, symbol: str) -> bool:
    """Is ``symbol`` in a Module.symvers text (CRC, symbol, module, export type per line)?"""
    return any(len(f) > 1 and f[1] == symbol
               for f in (line.split("\t") for line in symvers.splitlines()))


def vermagic(ko: Path) -> str:
    """The vermagic string of a plain .ko (from its .modinfo section)."""
    m = re.search(rb"(?:^|\0)vermagic=([^\0]*)\0", ko.read_bytes())
    return m.group(1).decode("ascii", "replace") if m else ""


def make_argv(headers: Path, workdir: Path, arch: str, flags: str) -> list[str]:
    """Kbuild's external-module build; BTF is off (pahole is not needed for a test module)."""
    return ["make", "-C", str(headers), f"M={workdir}", f"ARCH={KARCH[arch]}",
            f"CROSS_COMPILE={get_arch(arch).multiarch}-", "CONFIG_DEBUG_INFO_BTF_MODULES=",
            f"GUP_TEST_FLAGS={flags}", "modules"]


def _entry(kernel: KernelAssets) -> Path:
    return cache_dir() / "gup_test" / kernel.arch / kernel.release


def _debian_manifest(kernel: KernelAssets) -> dict[str, object] | None:
    data = read_manifest(cache_dir() / "kernels" / kernel.arch / kernel.release)
    return data if data and data.get("package") and data.get("release") == kernel.release else None


def builtin(kernel: KernelAssets) -> bool:
    if kernel.config is None or not kernel.config.is_file():
        return False
    return parse_config_file(kernel.config).get("GUP_TEST") == "y"


def is_debian_kernel(kernel: KernelAssets) -> bool:
    """Is this the Debian kernel the cache holds (not a user's image of the same release)?"""
    home = cache_dir() / "kernels" / kernel.arch / kernel.release
    return _debian_manifest(kernel) is not None and kernel.image.is_relative_to(home)


def find_gup_test(kernel: KernelAssets) -> GupTest | None:
    """gup_test for ``kernel`` without building: built in, or the cached module."""
    if builtin(kernel):
        assert kernel.config is not None
        return GupTest(source=f"built in (CONFIG_GUP_TEST=y in {kernel.config.name})")
    if not is_debian_kernel(kernel):
        return None
    entry = _entry(kernel)
    data = read_manifest(entry)
    if not data or not (entry / "gup_test.ko").is_file():
        return None
    notes = data.get("notes")
    return GupTest(source=str(data["source"]), module=entry / "gup_test.ko",
                   notes=tuple(str(n) for n in notes) if isinstance(notes, list) else ())


def ensure_gup_test(kernel: KernelAssets, source_tree: Path) -> GupTest:
    """Build (once) and cache the gup_test module for a Debian kernel."""
    found = find_gup_test(kernel)
    if found is not None:
        return found
    debian = _debian_manifest(kernel)
    if debian is None or not is_debian_kernel(kernel):
        raise AssetError(f"no gup_test module for {kernel.release}: only Debian's kernels have "
                         "headers to build it against (build yours with CONFIG_GUP_TEST=y)")
    entry = _entry(kernel)
    with locked(f"gup_test-{kernel.arch}-{kernel.release}"):
        if (found := find_gup_test(kernel)) is not None:
            return found
        source = _gup_test_source(source_tree)
        with building(entry) as staging:
            fields = _build(kernel, str(debian["package_version"]), source, staging)
            write_manifest(staging, fields)
    found = find_gup_test(kernel)
    assert found is not None
    return found


def tree_release(tree: Path) -> str | None:
    """The release a built kernel tree's modules carry (UTS_RELEASE: vermagic's first word).

    Debian's headers write the upstream version to include/config/kernel.release but the
    release (6.1.0-57-amd64) to utsrelease.h, so that file comes first."""
    uts = tree / "include" / "generated" / "utsrelease.h"
    if uts.is_file():
        m = re.search(r'UTS_RELEASE\s+"([^"]+)"', uts.read_text(errors="replace"))
        if m:
            return m.group(1)
    release = tree / "include" / "config" / "kernel.release"
    return (release.read_text(errors="replace").strip() or None) if release.is_file() else None


def is_module_tree(tree: Path) -> bool:
    """Can external modules be built against ``tree`` (a built kernel tree, or headers)?"""
    return all((tree / f).is_file() for f in (".config", "Module.symvers", "Makefile")) and (
        tree_release(tree) is not None)


ARCH_OPTION = {"x86_64": "X86_64", "arm64": "ARM64"}


def _tree_entry(tree: Path, arch: str) -> Path:
    """gup_test/<arch>/tree-<release>-<config hash>: one module per release and config."""
    digest = hashlib.sha256((tree / ".config").read_bytes()).hexdigest()[:12]
    return cache_dir() / "gup_test" / arch / f"tree-{tree_release(tree)}-{digest}"


def find_tree_gup_test(tree: Path, arch: str, release: str) -> GupTest | None:
    """gup_test for the kernel ``release`` built in ``tree``, without building: built in, the
    cached module, or None (not this tree's release, not a built tree, nothing cached)."""
    if not is_module_tree(tree) or tree_release(tree) != release:
        return None
    if parse_config((tree / ".config").read_text(errors="replace")).get("GUP_TEST") == "y":
        return GupTest(source=f"built in (CONFIG_GUP_TEST=y in {tree}/.config)")
    entry = _tree_entry(tree, arch)
    data = read_manifest(entry)
    if not data or not (entry / "gup_test.ko").is_file():
        return None
    notes = data.get("notes")
    # The entry is per release and config, so it serves every tree of that build: name this one.
    source = (f"module built from {data.get('gup_test_from', 'its own')} mm/gup_test.c against "
              f"the kernel tree {tree} ({release})")
    return GupTest(source=source, module=entry / "gup_test.ko",
                   notes=tuple(str(n) for n in notes) if isinstance(notes, list) else ())


def ensure_tree_gup_test(tree: Path, arch: str, selftest_source: Callable[[], Path]
                         ) -> GupTest:
    """Build (once per release and .config) gup_test.ko against a built kernel tree.

    The module's source is the tree's own mm/gup_test.[ch]; a tree without them (Debian's
    linux-headers) gets those of ``selftest_source()``, the selftests' linux-source."""
    tree = tree.resolve()
    if not is_module_tree(tree):
        raise AssetError(f"{tree} is not a built kernel tree (.config, Module.symvers and "
                         "include/generated/utsrelease.h are needed to build gup_test.ko)")
    release = str(tree_release(tree))
    config = parse_config((tree / ".config").read_text(errors="replace"))
    if config.get(ARCH_OPTION[arch]) != "y":
        raise AssetError(f"{tree} is not built for {arch} (CONFIG_{ARCH_OPTION[arch]} unset)")
    if (found := find_tree_gup_test(tree, arch, release)) is not None:
        return found
    entry = _tree_entry(tree, arch)
    with locked(f"gup_test-{arch}-{entry.name}"):
        if (found := find_tree_gup_test(tree, arch, release)) is not None:
            return found
        own = all((tree / f).is_file() for f in GUP_TEST_FILES)
        source = tree if own else _gup_test_source(selftest_source())
        work = Path(tempfile.mkdtemp(prefix="harness-gup-test-"))
        try:
            with building(entry) as staging:
                fields = _compile(tree, source, arch, work / "module", staging, "", release,
                                  own_source=own)
                write_manifest(staging, {
                    **fields, "release": release, "tree": str(tree),
                    "gup_test_from": "its own" if own else source.parent.name,
                })
        finally:
            shutil.rmtree(work, ignore_errors=True)
    found = find_tree_gup_test(tree, arch, release)
    assert found is not None
    return found


def _gup_test_source(tree: Path) -> Path:
    """The tree's mm/ with gup_test.[ch]; a cache extracted before gup_test.c was wanted gets it."""
    if all((tree / f).is_file() for f in GUP_TEST_FILES):
        return tree
    data = read_manifest(tree.parent) or {}
    package, version = data.get("package"), data.get("package_version")
    if not package or not version:
        raise AssetError(f"{tree} has no mm/gup_test.c and no record of its linux-source package")
    deb = download_deb(str(package), version=str(version))
    unpacked = Path(tempfile.mkdtemp(prefix="harness-src-"))
    try:
        run_tool(["dpkg", "-x", str(deb), str(unpacked)], f"dpkg -x {deb.name}")
        tarball = next((unpacked / "usr" / "src").glob(f"{package}.tar.*"), None)
        if tarball is None:
            raise AssetError(f"{deb.name} has no /usr/src/{package}.tar.*")
        run_tool(["tar", "-xf", str(tarball), "-C", str(unpacked), "--wildcards",
                  *[f"{package}/{f}" for f in GUP_TEST_FILES]], f"tar -x {tarball.name}")
        for f in GUP_TEST_FILES:
            shutil.copy2(unpacked / str(package) / f, tree / f)
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
    return tree


def _unpack_headers(kernel: KernelAssets, version: str, root: Path) -> Path:
    """Unpack linux-headers-<release>, its -common and the host's linux-kbuild; returns the tree."""
    deb_arch = get_arch(kernel.arch).deb_arch
    headers = download_deb(f"linux-headers-{kernel.release}", deb_arch, version)
    common, kbuild = headers_packages(deb_field(headers, "Depends"))
    if common is None or kbuild is None:
        raise AssetError(f"{headers.name} does not name its -common and linux-kbuild packages")
    debs = [headers, download_deb(common, None, version),
            download_deb(kbuild, None, version)]
    for deb in debs:
        run_tool(["dpkg", "-x", str(deb), str(root)], f"dpkg -x {deb.name}")
    tree = root / "usr" / "src" / f"linux-headers-{kernel.release}"
    makefile = tree / "Makefile"
    # 'include /usr/src/linux-headers-<abi>-common/Makefile': point it at the unpacked copy.
    makefile.write_text(makefile.read_text().replace("/usr/src/", f"{root}/usr/src/"))
    return tree


def _build(kernel: KernelAssets, version: str, source: Path, out: Path) -> dict[str, object]:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="harness-gup-test-"))
    try:
        headers = _unpack_headers(kernel, version, work / "root")
        unpacked = time.monotonic()
        fields = _compile(headers, source, kernel.arch, work / "module", out,
                          _kernel_vermagic(kernel), kernel.release)
        return {
            **fields, "release": kernel.release,
            "source": (f"module built from {source.parent.name} mm/gup_test.c against "
                       f"linux-headers-{kernel.release} {version}"),
            "unpack_seconds": round(unpacked - started, 2),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _compile(tree: Path, source: Path, arch: str, module: Path, out: Path, want: str,
             release: str, own_source: bool = False) -> dict[str, object]:
    """Build gup_test.ko from ``source``'s mm/gup_test.[ch] against the kbuild tree ``tree``
    (Debian's headers or a built kernel tree) into ``out``; returns manifest fields."""
    started = time.monotonic()
    (module / "mm").mkdir(parents=True)
    for f in GUP_TEST_FILES:
        shutil.copy2(source / f, module / f)
    shutil.copy2(WRAPPER, module / "gup_test.c")
    (module / "Kbuild").write_text(KBUILD)
    config = parse_config((tree / ".config").read_text(errors="replace"))
    notes: list[str] = []
    flags = ["-DGUP_TEST_OWN_SOURCE"] if own_source else []
    symvers = (tree / "Module.symvers").read_text(errors="replace")
    if config.get("CMA") == "y" and not exported(symvers, PINNABLE_SYMBOL):
        flags.append("-DGUP_TEST_NO_PINNABLE_CHECK")
        notes.append(NO_PINNABLE_NOTE)
    argv = make_argv(tree, module, arch, " ".join(flags))
    proc = subprocess.run(argv, check=False, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    (out / "build.log").write_text(f"$ {' '.join(argv)}\n{proc.stdout}{proc.stderr}")
    if proc.returncode != 0:
        err = [ln for ln in proc.stderr.splitlines() if "rror" in ln] or ["?"]
        raise AssetError(f"building gup_test for {release} failed: {err[0].strip()}")
    built = module / "gup_test.ko"
    if want and vermagic(built) != want:
        raise AssetError(f"gup_test.ko has vermagic {vermagic(built)!r}, the kernel's modules "
                         f"{want!r}: the headers do not match {release}")
    if not vermagic(built).startswith(release + " "):
        raise AssetError(f"gup_test.ko has vermagic {vermagic(built)!r}: not built for {release}")
    shutil.copy2(built, out / "gup_test.ko")
    return {"arch": arch, "vermagic": vermagic(built), "notes": notes,
            "build_seconds": round(time.monotonic() - started, 2)}


def _kernel_vermagic(kernel: KernelAssets) -> str:
    """The vermagic of one of the kernel's own modules (they all carry the same)."""
    if kernel.modules_dir is None:
        return ""
    for ko in kernel.modules_dir.rglob("*.ko"):
        return vermagic(ko)
    return ""
