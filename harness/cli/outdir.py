"""Where a run's console log and raw outputs go: an absolute directory, unique by default.

The path is made absolute before anything uses it: the NFS server runs in a private mount
namespace where a relative path means something else. The default
``harness-out/<time>-<label>`` gets a ``-2``, ``-3`` ... suffix when another run (two CI jobs
in one workspace) took that name in the same second; ``mkdir`` without ``exist_ok`` makes the
claim atomic. Nothing is created until the caller has checked every value it was given.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from harness.errors import UsageError
from harness.lazy_regex import lazy

DEFAULT_BASE = "harness-out"
_UNSAFE = lazy(r"[^A-Za-z0-9._=,:+-]")


def label_of(text: str) -> str:
    """A name usable as one path component ('9p:cache=mmap' stays, '../x' does not escape)."""
    cleaned = _UNSAFE.sub("_", text).strip(".") or "run"
    return cleaned[:64]


def claim(requested: str | None, label: str) -> Path:
    """Create and return the output directory (absolute); UsageError when it cannot be made."""
    if requested:
        path = Path(requested).absolute()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise UsageError(f"--out {requested}: exists and is not a directory") from None
        except OSError as exc:
            raise UsageError(f"--out {requested}: cannot create: {exc.strerror}") from None
        return path
    base = Path(DEFAULT_BASE).absolute()
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{label_of(label)}"
    try:
        base.mkdir(exist_ok=True)
        for n in itertools.count(1):
            path = base / (stamp if n == 1 else f"{stamp}-{n}")
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return path
    except OSError as exc:
        raise UsageError(f"cannot create the output directory under {base}: "
                         f"{exc.strerror}") from None
    raise AssertionError("unreachable")
