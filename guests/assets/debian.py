"""Debian packages: choosing kernel and source packages, apt-get download into the cache."""

from __future__ import annotations

import glob
import re
import shutil
from pathlib import Path

from guests.assets.cache import AssetError, run_tool, staging_dir
from harness.arch import get_arch
from harness.cache import cache_dir


def upstream_version(deb_version: str) -> str:
    """'6.12.117-1~deb12u1' -> '6.12.117' (epoch and Debian revision dropped)."""
    v = deb_version.split(":", 1)[-1]
    return v.rsplit("-", 1)[0] if "-" in v else v


def version_key(text: str) -> tuple[int, ...]:
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
    return max(found, key=lambda item: version_key(item[0]))[1]


def pick_source_package(names: list[str]) -> str | None:
    """The newest linux-source-X.Y package name (the selftests need 6.x with mm/cow.c)."""
    rx = re.compile(r"^linux-source-(\d+\.\d+)$")
    found = [(m.group(1), n) for n in names if (m := rx.match(n.strip()))]
    return max(found, key=lambda item: version_key(item[0]))[1] if found else None


def apt_names(regex: str) -> list[str]:
    out = run_tool(["apt-cache", "search", "--names-only", regex], "apt-cache search")
    return [line.split(" - ", 1)[0].strip() for line in out.splitlines() if line.strip()]


def apt_candidate(package: str) -> str | None:
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
    return max(hits, key=lambda p: version_key(p.name)) if hits else None


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
    staging = staging_dir(debs)
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


def deb_field(deb: Path, name: str) -> str:
    return run_tool(["dpkg-deb", "-f", str(deb), name], f"dpkg-deb -f {deb.name}").strip()

