"""A text quoted whole is the quoted message itself.

A user who pastes a mail as their mail client quoted it (every line behind ``> ``, perhaps
under one "On ..., X wrote:" line) has added no words of their own: the statements in it are
the report's, not someone else's quoted ones. One level of quote marks is taken off while every
non-blank line carries one, so the text is read as it was first written. Texts with any
unquoted line of their own are left as they are (a reply's own words weigh more than what it
quotes) - except a note that says nothing against what it quotes: a top-posted "Any idea?",
"Thanks", "+1", "FYI", a "Tested-by:"/"Reviewed-by:" tag, and a signature after "-- " (``NOTE``).
Under such a note the quoted statement counts as a quoted bisect does: as the message's own.
Looked at only for inputs that fit in ``LOOK_AHEAD`` lines; longer logs stream as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from harness.lazy_regex import lazy
from harness.model import LogLine

LOOK_AHEAD = 20_000
MAX_LEVELS = 4
ONE_LEVEL = lazy(r"^[ \t]*>")
# the space after the mark, when every quoted line has one (a '>' quote without it keeps the
# text's own indentation: " # [SKIP] reason" under ">")
SPACED = lazy(r"^[ \t]*> ")
MARKS_ONLY = lazy(r"^[ \t]*>[ \t>]*$")
ATTRIBUTION = lazy(r"^\s*(?:On\b.{0,200}\bwrote:|.{1,120}\b(?:wrote|writes):)\s*$")


# A reply's own words that neither answer nor dispute what it quotes: a question for anyone
# ("Any idea?", "Any thoughts?"), thanks, "+1", "FYI", a ping, a trailer tag, a greeting's
# sign-off.
NOTE = lazy(r"^\s*(?:(?:hi|hello|hey)\b[\w ,.!]{0,30}|any (?:ideas?|thoughts|updates?|news|"
            r"comments?|clue|hints?)\b[^.!]{0,40}\?|thoughts\?|(?:gentle |friendly |kind )?ping\b"
            r"[^.!?]{0,20}[.!]?|\+1[.!]?|thanks?(?: you)?\b[\w ,.!]{0,30}|thx[.!]?|fyi[.:!]?|"
            r"(?:tested|reviewed|acked|reported)-by:.{0,120}|cheers[,.!]?|(?:best |kind )?regards"
            r"[,.!]?)\s*$", re.IGNORECASE)
SIGNATURE = "-- "  # the signature marker: what follows it is no statement
NOTE_LINES = 4  # at most this many lines of a note


def _own_note(said: list[str]) -> bool:
    """Whether the unquoted lines are only a note (``NOTE``), an attribution and a
    signature: nothing that answers or disputes the quoted message."""
    own = [t for t in said if not ONE_LEVEL.match(t)]
    if SIGNATURE in [t.rstrip(" ") + " " for t in own]:
        own = own[:[t.rstrip(" ") + " " for t in own].index(SIGNATURE)]
    own = [t for t in own if not ATTRIBUTION.match(t)]
    return len(own) <= NOTE_LINES and all(NOTE.match(t) for t in own)


def _whole_quoted(lines: list[LogLine]) -> bool:
    said = [ln.text for ln in lines if ln.text.strip()]
    if not said:
        return False
    if ATTRIBUTION.match(said[0]):
        said = said[1:]
    quoted = sum(1 for t in said if ONE_LEVEL.match(t))
    return quoted > 0 and (quoted == len(said) or (quoted >= 3 and _own_note(said)))


def _off(level: re.Pattern[str], text: str) -> str:
    """One level of quote marks off ``text`` (a line of marks only, "> >", keeps the rest)."""
    if MARKS_ONLY.match(text):
        return ONE_LEVEL.sub("", text, count=1).lstrip(" \t")
    return level.sub("", text, count=1)


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
        marks = [ln.text for ln in head if ONE_LEVEL.match(ln.text) and ln.text.strip() != ">"]
        level = SPACED if all(SPACED.match(t) for t in marks) else ONE_LEVEL
        head = [LogLine(ln.line, _off(level, ln.text), ln.source)
                if ONE_LEVEL.match(ln.text) else ln for ln in head]
    yield from head
