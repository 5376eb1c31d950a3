"""Kernel modules made usable by the initramfs builder: decompressed to plain .ko, depmod'ed."""

from __future__ import annotations

import gzip
import hashlib
import lzma
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from guests.assets.cache import AssetError, building, run_tool
from harness.cache import cache_dir, locked


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


def _is_release_dir(path: Path) -> bool:
    return (path / "kernel").is_dir() or (path / "modules.order").is_file()


def modules_release_dir(modules: Path, release: str | None) -> Path:
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


def modules_ready(directory: Path) -> bool:
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


def copy_user_modules(src: Path, arch: str, release: str) -> Path:
    """Copy a user's modules into the cache, decompressed and depmod'ed; the source is untouched."""
    digest = _tree_stat_digest(src)
    final = cache_dir() / "kernels" / arch / f"user-{digest}"
    target = final / "lib" / "modules" / release
    with locked(f"user-{digest}"):
        if modules_ready(target):
            return target
        with building(final) as staging:
            shutil.copytree(src, staging / "lib" / "modules" / release, symlinks=True,
                            ignore=shutil.ignore_patterns("build", "source"))
            prepare_modules(staging / "lib" / "modules" / release, release)
    return target

