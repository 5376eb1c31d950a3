"""Regular expressions compiled on first use, not at import.

A module that holds `X = re.compile(...)` at top level pays for every such compile each time
it is imported, whether or not the text at hand ever reaches the pattern: ~600 of them cost a
one-line `harness triage` more CPU than reading and judging the line. `lazy(pattern, flags)`
returns an object typed as `re.Pattern[str]` that compiles the pattern the first time any of
its attributes is used, then holds the compiled pattern's bound methods and attributes itself,
so later calls (`X.search(line)`) go straight to the compiled pattern's C methods: no Python
frame per call.

It is not an `re.Pattern` instance: give it to `re.search(X, ...)`-style module functions as
`X.search(...)`, or `X.compiled` when something needs the real object (`isinstance`); a
match's `.re` is the compiled pattern, so ask `m.re == X` (identity is never true). Pickling into
another process is fine: it pickles as its source.
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast

from harness.regex_codes import compile_pattern

# What a pattern offers (re.Pattern's public attributes): copied onto the object at first use.
_ATTRS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split",
          "scanner", "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """A pattern that compiles when first used (see the module's docstring)."""

    def __init__(self, source: str | bytes, flags: int = 0) -> None:
        self._source = source
        self._flags = flags

    @property
    def compiled(self) -> re.Pattern[Any]:
        """The compiled pattern (compiling it now if it was not yet)."""
        if "_compiled" not in self.__dict__:
            self.__getattr__("pattern")
        return cast(re.Pattern[Any], self.__dict__["_compiled"])

    def __getattr__(self, name: str) -> Any:
        # Called only for what the instance does not hold yet: the first use, or a name no
        # pattern has (then re.Pattern's own AttributeError).
        if name in ("_source", "_flags", "_compiled"):  # mid-unpickling: nothing set yet
            raise AttributeError(name)
        compiled = compile_pattern(self._source, self._flags)
        for attr in _ATTRS:
            self.__dict__[attr] = getattr(compiled, attr)
        self.__dict__["_compiled"] = compiled
        return getattr(compiled, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyPattern, (self._source, self._flags))

    def __repr__(self) -> str:
        return f"lazy({self._source!r}, {self._flags!r})"

    def __eq__(self, other: object) -> bool:
        # A match's `.re` is the compiled pattern, never this object: ask `m.re == X`.
        if isinstance(other, LazyPattern):
            return (self._source, self._flags) == (other._source, other._flags)
        if isinstance(other, re.Pattern):
            return self.compiled == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._source, self._flags))


def lazy(source: AnyStr, flags: int | re.RegexFlag = 0) -> re.Pattern[AnyStr]:
    """`re.compile(source, flags)`, compiled on first use."""
    return cast(re.Pattern[AnyStr], LazyPattern(source, int(flags)))
