"""Test output as a patch's commit message quotes it.

Two conventions of commit messages change how quoted kselftest output reads:

- ``git commit`` drops lines that start with ``#``, so authors write ``~`` (or ``-``) for the
  kselftest ``#``: ``~ running ./thuge-gen``, ``~ ~ WARNING: ...``, ``not ok 28 thuge-gen ~
  exit=1``, ``- [RUN] test_unmerge``. ``uncomment`` gives the ``#`` back (a ``-`` only in front
  of a kselftest marker: a ``- `` list item in prose stays prose).
- a before/after pair (``Before patch:`` ... ``After patch:``, ``----Before----`` ...
  ``----After----``, ``Old output:`` ... ``New output:``) shows the failure and then the run
  with the patch applied. The "after" run is the patch's, not the failure reported: when the
  section ends at the patch's own trailers (``Signed-off-by:``, ``Fixes:``, ``---``), its lines
  are left out (``drop_patched_after``) and counted for a note. An "after" section that does not
  end at a patch's trailers (a regression report: "Before commit X: ... After commit X: ...")
  is kept: there the "after" side is the failure.

Linear; holds at most ``HOLD`` lines of one section.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine
from harness.readers.line_kinds import LOG_LIKE, QUOTE

TILDE_NEST = lazy(r"^(?:~(?: |$))+(?![#$]\s)")  # not a prompt: "~ # ./vdso_test"
DASH_MARK = lazy(r"^- (?=\[(?:RUN|PASS|FAIL|SKIP|OK|INFO)\]|Planned tests|Totals:|"
                 r"Bail out!|SUMMARY:|running \./|TAP version|1\.\.\d)")
# "not ok 28 thuge-gen ~ exit=1", "1..0 ~ SKIP reason": the directive's '#'.
TILDE_DIRECTIVE = lazy(r"^((?:# )*(?:(?:not )?ok \d+\b|1\.\.\d+)[^~#]*?) ~ "
                       r"(?=exit=|SKIP\b|TODO\b|TIMEOUT\b|XFAIL\b)")

_WORDS = (r"(?:\s+(?:applying\s+)?(?:the\s+|this\s+|my\s+)?"
          r"(?:patch(?:es|set)?|fix|change|commit|series)(?:\s+applied)?)")
# "Test Result without this patch", "Output before the fix:", "Logs with the patch applied"
_LEAD = r"(?:(?:test\s+)?(?:results?|outputs?|logs?|runs?)\s+)?"
BEFORE_HEADER = lazy(rf"^[-=~*#\s]*{_LEAD}(?:before{_WORDS}?|without{_WORDS}|old\s+output)"
                     r"\s*:?\s*[-=~*]*\s*$", re.IGNORECASE)
AFTER_HEADER = lazy(rf"^[-=~*#\s]*{_LEAD}(?:after{_WORDS}?|with{_WORDS}|"
                    r"new(?:\s+and\s+correct)?\s+output)\s*:?\s*[-=~*]*\s*$", re.IGNORECASE)
# Where a commit message's body ends: its trailers, or the '---' before the diffstat.
TRAILER = lazy(r"^(?:(?:Signed-off-by|Fixes|Reported-by|Acked-by|Reviewed-by|Tested-by|"
               r"Suggested-by|Co-developed-by|Link|Closes|Cc):\s|---\s*$)")
HOLD = 400
_TRAILER_STARTS = frozenset("SFRATCL-")


def might_be_header(text: str) -> bool:
    """A cheap test before the header regexes (most lines are neither short nor headers)."""
    if len(text) > 60:
        return False
    low = text.lower()
    return "before" in low or "after" in low or "with" in low or "old" in low or "new" in low


def is_trailer(text: str) -> bool:
    return text[:1] in _TRAILER_STARTS and TRAILER.match(text) is not None


def uncomment(text: str) -> str:
    """The ``#`` that a commit message's author wrote as ``~`` (or ``-``), given back."""
    if text[:1] == "~" and (m := TILDE_NEST.match(text)):
        text = "# " * m.group(0).count("~") + text[m.end():]
    elif text[:2] == "- " and DASH_MARK.match(text):
        text = "# " + text[2:]
    if " ~ " in text:
        text = TILDE_DIRECTIVE.sub(r"\1 # ", text, count=1)
    return text


@dataclass
class AfterSections:
    """What ``drop_patched_after`` left out."""

    lines: int = 0
    header: LogLine | None = None  # the first "after" header whose section was left out
    seen_before: bool = field(default=False, repr=False)


def _bare(line: LogLine) -> str:
    return QUOTE.sub("", line.text, count=1).strip() if line.text[:1] in " \t>" else \
        line.text.strip()


def drop_patched_after(lines: Iterable[LogLine], out: AfterSections,
                       bare: Callable[[LogLine], str] = _bare) -> Iterator[LogLine]:
    """The lines, without the "after" half of a before/after pair that a patch's commit
    message shows (see the module's doc); ``bare`` gives a line's text without quote marks
    (and whatever else was put in front of it)."""
    held: list[LogLine] = []
    blank = False
    for line in lines:
        text = bare(line)
        if held:
            if is_trailer(text):  # the patch's own trailers: the section was its "after"
                out.lines += sum(1 for h in held[1:] if h.text.strip())
                out.header = out.header or held[0]
                held = []
            elif ((might_be_header(text) and BEFORE_HEADER.match(text)) or len(held) >= HOLD
                  or (blank and text and not LOG_LIKE.match(uncomment(text)) and len(text) > 40)):
                yield from held
                held = []
            else:
                held.append(line)
                blank = not text
                continue
        if not might_be_header(text):
            pass
        elif BEFORE_HEADER.match(text):
            out.seen_before = True
        elif out.seen_before and AFTER_HEADER.match(text):
            held, blank = [line], False
            continue
        yield line
    yield from held
