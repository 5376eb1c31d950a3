"""A text quoted whole is the quoted message itself.

A user who pastes a mail as their mail client quoted it (every line behind ``> ``, perhaps
under one "On ..., X wrote:" line) has added no words of their own: the statements in it are
the report's, not someone else's quoted ones. One level of quote marks is taken off while every
non-blank line carries one, so the text is read as it was first written. Texts with any
unquoted line of their own are left as they are (a reply's own words weigh more than what it
quotes). Looked at only for inputs that fit in ``LOOK_AHEAD`` lines; longer logs stream as
they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, islice

from harness.lazy_regex import lazy
from harness.model import LogLine

LOOK_AHEAD = 20_000
MAX_LEVELS = 4
ONE_LEVEL = lazy(r"^[ \t]*>[ \t]?")
ATTRIBUTION = lazy(r"^\s*(?:On\b.{0,200}\bwrote:|.{1,120}\b(?:wrote|writes):)\s*$")


def _whole_quoted(lines: list[LogLine]) -> bool:
    said = [ln.text for ln in lines if ln.text.strip()]
    if not said:
        return False
    if ATTRIBUTION.match(said[0]):
        said = said[1:]
    return bool(said) and all(ONE_LEVEL.match(t) for t in said)


def unquote_whole(lines: Iterable[LogLine]) -> Iterator[LogLine]:
    """The lines, with the quote levels every line shares taken off (see the module)."""
    it = iter(lines)
    head = list(islice(it, LOOK_AHEAD + 1))
    if len(head) > LOOK_AHEAD:
        yield from chain(head, it)
        return
    for _ in range(MAX_LEVELS):
        if not _whole_quoted(head):
            break
        head = [LogLine(ln.line, ONE_LEVEL.sub("", ln.text, count=1), ln.source)
                if ln.text.strip() else ln for ln in head]
    yield from head
