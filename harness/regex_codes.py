"""Compiled regular expressions kept across runs: what `re.compile` makes of a pattern, stored.

`re.compile` parses a pattern and turns it into the regex engine's code in Python; only the
last step (`_sre.compile(pattern, flags, code, ...)`) is C. A one-line `harness triage` meets
~250 of the project's patterns and spends more CPU compiling them than reading and judging
the line. This module keeps each pattern's engine code (its words packed in bytes, its flags
and group names) in `<cache>/regex/<python>.marshal` and makes the pattern from it directly.

Each stored code was checked when stored: the pattern it makes must equal what `re.compile`
makes (a Pattern's equality compares its code), and the file is per Python build and regex
engine version. Anything unusual - another Python, the DEBUG flag, no cache directory, a torn
file - is `re.compile` as before. New codes are added to the file when the process exits.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # the regex engine: what re.compile ends in
import atexit
import contextlib
import marshal
import re
import sys
from array import array
from pathlib import Path
from typing import Any

Codes = dict[tuple[str | bytes, int], tuple[Any, ...]]
CODE = "I"  # the engine's code words (_sre.CODESIZE bytes: 4), packed
LIMIT = 5000  # codes kept; past it the file starts afresh (patterns the code no longer has)

_codes: Codes | None = None  # loaded at the first compile
_new: Codes = {}


def compile_pattern(source: str | bytes, flags: int) -> re.Pattern[Any]:
    """`re.compile(source, flags)`, from the stored code when there is one."""
    flags = int(flags)
    stored = _stored().get((source, flags))
    if stored is not None:
        with contextlib.suppress(Exception):  # an engine that refuses the code: compile
            return _make(source, stored)
    compiled = re.compile(source, flags)
    if not flags & re.DEBUG and (stored := _engine_args(source, flags)) is not None:
        _new[(source, flags)] = stored
    return compiled


def _make(source: str | bytes, stored: tuple[Any, ...]) -> re.Pattern[Any]:
    flags, code, groups, groupindex, indexgroup = stored
    return _sre.compile(source, flags, array(CODE, code).tolist(), groups, groupindex,
                        indexgroup)


def _engine_args(source: str | bytes, flags: int) -> tuple[Any, ...] | None:
    """What re.compile gives the engine for this pattern (the code packed in bytes), None when
    making the pattern from it does not give re.compile's own pattern (another Python's
    compiler, say)."""
    try:
        parsed = re._parser.parse(source, flags)  # type: ignore[attr-defined]
        code = array(CODE, re._compiler._code(parsed, flags)).tobytes()  # type: ignore[attr-defined]
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        stored = (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex,
                  tuple(indexgroup))
        same = _make(source, stored) == re.compile(source, flags)
    except Exception:  # noqa: BLE001 - an re module unlike 3.11's: no stored code
        return None
    return stored if same else None


def _stored() -> Codes:
    global _codes
    if _codes is None:
        _codes = {}
        if (where := _file()) is not None:
            with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
                loaded = marshal.loads(where.read_bytes())
                if isinstance(loaded, dict):
                    _codes = loaded
        atexit.register(_save)
    return _codes


def _file() -> Path | None:
    from harness.cache import CacheError, cache_dir

    tag = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre.MAGIC}"
    try:
        where = cache_dir() / "regex"
        where.mkdir(mode=0o700, exist_ok=True)
    except (OSError, CacheError):
        return None
    return where / f"{tag}.marshal"


def _save() -> None:
    """Add this process's new codes to the file (read again: other runs may have added)."""
    if not _new or (where := _file()) is None:
        return
    codes: Codes = {}
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        loaded = marshal.loads(where.read_bytes())
        if isinstance(loaded, dict) and len(loaded) < LIMIT:
            codes = loaded
    codes.update(_new)
    _new.clear()
    from harness.cache import store_whole

    with contextlib.suppress(OSError, ValueError):
        store_whole(where, marshal.dumps(codes))
