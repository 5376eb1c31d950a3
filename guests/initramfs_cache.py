"""Built initramfs images, kept in the harness cache and keyed by what goes into them.

A run's initramfs depends only on its InitramfsSpec, the files it names and the builder
(initramfs.py, init.sh); the same spec gives the same image, so the build (~0.3-0.5 s on this
machine) happens once and later runs copy the cached image. The key hashes the spec's values
and, for every file, its resolved path, size and modification time (cached assets are renamed
into place, a rebuilt kernel tree gets new mtimes); the builder's own source is hashed by
content, so a changed /init never boots from an old image.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from guests import initramfs
from guests.initramfs import INIT_SCRIPT, InitramfsSpec, build_initramfs
from harness.cache import cache_dir, locked

KEEP = 16  # images kept; the least recently used beyond that are removed
_MODULE_INDEX = ("modules.dep", "modules.alias", "modules.softdep", "modules.builtin")


def file_signature(path: Path) -> str:
    """'resolved path:size:mtime_ns' of ``path``, or 'path:missing'."""
    try:
        real = path.resolve()
        st = real.stat()
    except OSError:
        return f"{path}:missing"
    return f"{real}:{st.st_size}:{st.st_mtime_ns}"


def _code_digest() -> str:
    h = hashlib.sha256()
    for src in (Path(initramfs.__file__), INIT_SCRIPT):
        h.update(src.read_bytes())
    return h.hexdigest()


def spec_key(spec: InitramfsSpec) -> str:
    """The cache key of ``spec``: a hash of its values, its files' signatures and the builder."""
    mdir = spec.modules_dir
    data = {
        "code": _code_digest(),
        "arch": spec.arch, "mountpoint": spec.mountpoint, "scope": spec.scope,
        "busybox": file_signature(spec.busybox),
        "modules_dir": str(mdir.resolve()) if mdir else None,
        "module_index": [file_signature(mdir / n) for n in _MODULE_INDEX] if mdir else [],
        "modules": list(spec.modules), "optional_modules": list(spec.optional_modules),
        "mount": list(spec.mount),
        "binaries": {k: file_signature(v) for k, v in sorted(spec.binaries.items())},
        "extra_files": {k: file_signature(v) for k, v in sorted(spec.extra_files.items())},
        "late_modules": {k: file_signature(v) for k, v in sorted(spec.late_modules.items())},
        "ready_marker": spec.ready_marker, "swap_mib": spec.swap_mib,
        "payload_key": spec.payload_key,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def cached_initramfs(spec: InitramfsSpec, out: Path) -> tuple[list[str], bool]:
    """Put ``spec``'s initramfs at ``out``: (module load order, True if it came from the cache).

    Built into the cache on a miss (under the entry's lock, so two runs build it once).
    """
    store = cache_dir() / "initramfs"
    store.mkdir(exist_ok=True)
    key = spec_key(spec)
    image, order = store / f"{key}.gz", store / f"{key}.modules.json"
    hit = _copy_entry(image, order, out)
    if hit is not None:
        return hit, True
    with locked(f"initramfs-{key}"):
        hit = _copy_entry(image, order, out)
        if hit is not None:
            return hit, True
        fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".gz", dir=store)
        os.close(fd)
        try:
            loaded = build_initramfs(spec, Path(tmp))
            order.write_text(json.dumps(loaded))
            os.replace(tmp, image)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    _prune(store)
    _place(image, out)
    return loaded, False


def _copy_entry(image: Path, order: Path, out: Path) -> list[str] | None:
    """The cached entry copied to ``out`` and its load order; None when it is not there."""
    try:
        loaded = json.loads(order.read_text())
        _place(image, out)
    except (OSError, ValueError):
        return None
    with contextlib.suppress(OSError):
        os.utime(image)  # recently used: kept by _prune
    return [str(x) for x in loaded]


def _place(image: Path, out: Path) -> None:
    """A hard link when the run's directory is on the cache's filesystem, else a copy."""
    with contextlib.suppress(FileNotFoundError):
        out.unlink()
    try:
        os.link(image, out)
    except OSError:
        shutil.copyfile(image, out)


def _prune(store: Path) -> None:
    """Keep the KEEP most recently used images (other runs may be pruning at the same time)."""
    used: list[tuple[float, Path]] = []
    for path in store.glob("*.gz"):
        if not path.name.startswith("."):  # .build-*: another run's image being written
            with contextlib.suppress(OSError):
                used.append((path.stat().st_mtime, path))
    for _, old in sorted(used, reverse=True)[KEEP:]:
        for path in (old, old.with_name(old.name[: -len(".gz")] + ".modules.json")):
            with contextlib.suppress(OSError):
                path.unlink()
