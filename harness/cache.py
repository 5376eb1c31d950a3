"""The private cache directory and its per-entry locks (bottom layer: no project imports)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from harness.errors import HarnessError


class CacheError(HarnessError):
    """The cache directory cannot be used."""


def cache_dir() -> Path:
    """The private cache directory: $HARNESS_CACHE, else ~/.cache/harness (mode 0700)."""
    env = os.environ.get("HARNESS_CACHE")
    root = Path(env).expanduser() if env else Path.home() / ".cache" / "harness"
    root.mkdir(parents=True, exist_ok=True)
    st = root.stat()
    if st.st_uid != os.getuid():
        raise CacheError(f"cache dir {root} belongs to another user; set HARNESS_CACHE")
    if st.st_mode & 0o077:
        root.chmod(0o700)
    return root


def store_whole(where: Path, data: bytes) -> None:
    """Write ``data`` to ``where`` whole or not at all: into a file of its own beside it, then
    renamed over it, so concurrent processes and readers never see a torn file."""
    import tempfile  # only when something is stored: not on every run's start-up

    fd, tmp = tempfile.mkstemp(dir=where.parent, prefix=f".{where.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, where)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    """Serialise work on one cache entry between concurrent harness processes."""
    locks = cache_dir() / "locks"
    locks.mkdir(mode=0o700, exist_ok=True)
    with open(locks / f"{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
