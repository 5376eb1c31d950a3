"""The selftest sources: the files they are built from, taken from Debian's linux-source."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from guests.assets.cache import AssetError, building, read_manifest, run_tool, write_manifest
from guests.assets.debian import (
    apt_candidate,
    apt_names,
    deb_field,
    download_deb,
    pick_source_package,
    upstream_version,
)
from harness.cache import cache_dir, locked

# Files (relative to the top of a kernel tree) the two selftests are built from; globs allowed.
SOURCE_PATTERNS = (
    "Makefile",
    "mm/gup_test.h",
    "mm/gup_test.c",  # built as a module for kernels without CONFIG_GUP_TEST (gup_test.py)
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
    package = pick_source_package(apt_names(r"^linux-source-[0-9]+\.[0-9]+$"))
    candidate = apt_candidate(package) if package else None
    if package is None or candidate is None:
        raise AssetError("no linux-source-X.Y package in apt: run apt-get update (harness setup)")
    return package, candidate


def _source_tree_in(directory: Path) -> Path | None:
    trees = sorted(directory.glob("linux-source-*/Makefile"))
    return trees[0].parent if trees else None


def ensure_selftest_source() -> Path:
    """Extract the selftest files from Debian's linux-source package; returns the tree top."""
    package, deb_version = _source_package()
    version = upstream_version(deb_version)
    final = cache_dir() / "sources" / f"linux-source-{version}"
    with locked(f"source-{version}"):
        if read_manifest(final) and (tree := _source_tree_in(final)):
            return tree
        deb = download_deb(package, version=deb_version)
        with building(final) as staging:
            _extract_source(deb, package, staging)
            write_manifest(staging, {"package": package, "version": version,
                                      "package_version": deb_field(deb, "Version")})
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

