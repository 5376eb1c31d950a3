"""The root payload: what a guest's ``/`` holds when the root is on the filesystem under test.

busybox and its links, every selftest binary built for the arch, the run's extra files (strace
and its libraries, the fault injector) and /init - laid out once per set of inputs in the harness
cache (``rootfs/<arch>-<key>/tree``) and copied from there onto each run's fresh root by the
profile (a 9p share or NFS export: a copy of the tree; xfs/ext4: a copy of a disk image formatted
and filled once from it). The key hashes the inputs' signatures and /init's text, so a rebuilt
selftest or a changed /init gets a new payload. Nothing of the kernel is in it (modules load from
the initramfs before switch_root), so one payload serves every kernel of the arch.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from fs_profiles.base import RootPayload
from guests.assets.cache import building
from guests.initramfs import INIT_SCRIPT, PAYLOAD_KEY_FILE, populate_payload
from guests.initramfs_cache import file_signature
from harness.cache import cache_dir, locked

FORMAT = 1  # bump when the tree's layout changes
KEEP = 6  # payloads kept (a few MiB each, plus a sparse disk image per filesystem)


def payload_key(arch: str, busybox: Path, binaries: dict[str, Path],
                extra_files: dict[str, Path]) -> str:
    data = {
        "format": FORMAT, "arch": arch, "busybox": file_signature(busybox),
        "init": hashlib.sha256(INIT_SCRIPT.read_bytes()).hexdigest(),
        "binaries": {k: file_signature(v) for k, v in sorted(binaries.items())},
        "extra_files": {k: file_signature(v) for k, v in sorted(extra_files.items())},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:24]


def root_payload(arch: str, busybox: Path, binaries: dict[str, Path],
                 extra_files: dict[str, Path]) -> RootPayload:
    """The cached payload for these inputs, laid out on first use."""
    key = payload_key(arch, busybox, binaries, extra_files)
    store = cache_dir() / "rootfs"
    entry = store / f"{arch}-{key}"
    tree = entry / "tree"
    if not tree.is_dir():
        with locked(f"rootfs-{arch}-{key}"):
            if not tree.is_dir():
                with building(entry) as staging:
                    populate_payload(staging / "tree", arch, busybox, binaries, extra_files)
                    (staging / "tree" / PAYLOAD_KEY_FILE).write_text(key + "\n")
            _prune(store)
    with contextlib.suppress(OSError):
        os.utime(entry)  # recently used
    return RootPayload(tree=tree, key=key, store=entry)


def _prune(store: Path) -> None:
    """Drop payloads (and their disk images) beyond the KEEP most recently used, unless one
    was used within the last hour (a run may be copying it)."""
    now = time.time()
    used: list[tuple[float, Path]] = []
    for entry in store.iterdir():
        if not entry.name.startswith("."):
            with contextlib.suppress(OSError):
                used.append((entry.stat().st_mtime, entry))
    for mtime, entry in sorted(used, reverse=True)[KEEP:]:
        if now - mtime > 3600:
            shutil.rmtree(entry, ignore_errors=True)
