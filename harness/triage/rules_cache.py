"""The shipped rules, parsed once: a pickle of the parsed rules in the cache directory.

Parsing the ~140 rule files (TOML) and checking their regular expressions costs a one-line
`harness triage` ~50-90 ms of CPU, more than reading and judging the line. The parsed rules
(their patterns compile when first tried, ``harness.lazy_regex``) are kept in
``<cache>/rules/<key>.pickle``; the key is made of every rule file's name, size and
modification time and those of the modules that define what a parsed rule is, and of the
Python version, so an edited rule or rule parser is parsed afresh. A cache that cannot be
read or written is not an error: the rules are then parsed as before.
"""

from __future__ import annotations

import contextlib
import pickle
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
KEEP = 32  # rule sets kept (each checkout or worktree has its own); older ones removed
# The modules whose classes a parsed rule is made of: a change to one parses afresh.
DEFINED_IN = ("harness.triage.rules", "harness.triage.versions", "harness.model",
              "harness.lazy_regex")


def cached_rules(files: list[Path], load: Callable[[list[Path]], tuple[T, ...]]
                 ) -> tuple[T, ...]:
    """``load(files)``, or what it returned for the same files and code before."""
    where, stamp = _where(files)
    if where is not None and (rules := _read(where, stamp)) is not None:
        return rules
    rules = load(files)
    if where is not None:
        with contextlib.suppress(OSError, pickle.PicklingError):
            _store(where, (stamp, rules))
    return rules


def _where(files: list[Path]) -> tuple[Path | None, str]:
    """The cache file for these rule files and this code (None when there is no cache), and
    what the cached rules were parsed from (the files' and the code's names, sizes and times,
    and Python's version): the file holds it beside the rules and must hold the same."""
    from harness.cache import cache_dir
    from harness.errors import HarnessError

    try:
        sources = [Path(sys.modules[name].__file__ or "") for name in DEFINED_IN]
        parts = [sys.version]
        for path in [*sources, *files]:
            st = path.stat()
            parts.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
        stamp = "\n".join(parts)
        where = cache_dir() / "rules"
        where.mkdir(mode=0o700, exist_ok=True)
    except (OSError, KeyError, HarnessError):
        return None, ""
    return where / f"{zlib.crc32(stamp.encode()):08x}.pickle", stamp


def _read(where: Path, stamp: str) -> Any:
    """The cached rules, None when there are none for ``stamp`` (or they cannot be read)."""
    try:
        with where.open("rb") as fh:
            stored, rules = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            TypeError, ValueError, IndexError):
        return None
    return rules if stored == stamp and isinstance(rules, tuple) else None


def _store(where: Path, rules: Any) -> None:
    """Written whole or not at all (concurrent runs each write their own file and rename it);
    only the newest KEEP rule sets are kept."""
    from harness.cache import store_whole

    store_whole(where, pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL))
    old = sorted(where.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
    for path in old[:-KEEP]:
        path.unlink(missing_ok=True)
