"""The same program's run on a machine where it works, pasted beside the failing one for
contrast, is not the failure.

A report about a system call translation layer or an emulator often shows what a Linux kernel
does: "An strace on a linux kernel will return" and then ``bind(...) = -1 EADDRINUSE`` under the
WSL 1 run's ``= -1 EINVAL`` (microsoft/WSL #395), "Inside my Ubuntu 18.04 VM where this works fine
the strace is as follows:" (#3992). Read as the report's own run, that contrast would be the
failure, or hide it. The block that such a line introduces (the next code fence, or the log-like
lines right after it) is left out and counted for a note.

A line introduces a contrast when it speaks of a real Linux kernel or machine as the place the
output comes from and says what happens there in the contrastive mood ("will return", "would
return"), or that it works there ("works", "succeeds", "passes"), or names the place where this
works ("where this works fine the strace is"), or is a caption for the Linux side alone
("Execution on Linux:", microsoft/WSL #3107). A line that only names Linux ("on Linux 6.1 the
test gives:") introduces the report's own run. So is the writer's run with a fix applied, last
on its line ("With this change the tests are passing."): the failure is the run before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from harness.lazy_regex import lazy
from harness.model import LogLine
from harness.readers.line_kinds import LOG_LIKE

CONTRAST_LEAD = lazy(
    r"(?i)\b(?:on|in|with|under|inside|from)\s+(?:an?\s+|my\s+|the\s+|our\s+)?"
    r"(?:(?:(?:real|native|genuine|regular|normal|plain|actual)\s+)linux\b|linux\b(?![-/.]\w))"
    r"(?:\s+(?:kernel|machine|box|host|system|vm))?"
    r"[^.:]{0,60}?\b(?:will\s+return|would\s+return|works?|succeeds?|passes)\b|"
    r"\bwhere\s+(?:this|it)\s+(?:works|succeeds|passes)(?:\s+fine)?\b[^.]{0,40}?\b(?:strace|"
    r"output|log|trace)\b|"
    # a caption for the Linux side of a comparison: "Execution on Linux:" (microsoft/WSL #3107)
    r"^(?:execution|output|results?|run(?:ning)?|strace|trace|behaviou?r)\s+(?:on|in|under)\s+"
    r"(?:an?\s+)?(?:(?:real|native|plain)\s+)?linux(?:\s+kernel)?\s*:$|"
    # the writer's run with the fix applied: "With this change the tests are passing." and
    # hugetlb_dio's passing run below it (Donet Tom's reply, 2024) - the failure is the run
    # before it
    r"\b(?:with|after(?:\s+applying)?)\s+(?:this|that|the|my|your)\s+(?:change|patch|fix)"
    r"(?:es)?(?:\s+applied)?,?\s+(?:all\s+)?(?:the\s+)?(?:tests?\s+)?(?:are\s+|is\s+|now\s+)?"
    r"(?:pass(?:es|ing)?|work(?:s|ing)?|succeed(?:s|ing)?)\b[^.:]{0,20}[.:!]?\s*$")
FENCE = lazy(r"^\s*(?:```|~~~)")
# a sentence after the caption that still introduces the block
INTRODUCES = lazy(r"(?i)\b(?:the following|as follows)\b[^.:]{0,20}[.:]?\s*$|:\s*$")
# the command that ran it, between the lead and the block ("./tools/testing/selftests/mm/
# hugetlb_dio"): kept, the block still to come
RUN_COMMAND = lazy(r"^(?:\$\s*)?(?:sudo\s+)?\.{1,2}/[\w./-]+(?:\s+-{1,2}[\w=-]+)*\s*$")
LOOKAHEAD = 2  # blank lines allowed between the lead and its block


@dataclass
class Contrast:
    """What ``drop_contrast_runs`` left out."""

    lead: LogLine | None = None
    lines: int = 0


def drop_contrast_runs(lines: Iterable[LogLine], out: Contrast,
                       bare: Callable[[LogLine], str]) -> Iterator[LogLine]:
    """The lines, without a block that a contrast line introduces (see the module's doc);
    ``bare`` gives a line's text without quote marks and capture prefixes."""
    state = ""  # "", "lead" (a lead seen, its block not begun), "fence", "log"
    gap = 0
    for line in lines:
        text = bare(line).strip()
        if state == "lead":
            if not text and gap < LOOKAHEAD:
                gap += 1
                yield line
                continue
            if FENCE.match(text):
                state = "fence"
                out.lines += 1
                continue
            if LOG_LIKE.match(text):
                state = "log"
            elif _still_leading(text):  # the caption goes on, or the command that ran it
                gap = 0
                yield line
                continue
            else:
                state = ""
        if state == "fence":
            out.lines += 1
            if FENCE.match(text):
                state = ""
            continue
        if state == "log":
            if text and LOG_LIKE.match(text):
                out.lines += 1
                continue
            state = ""
        if text and not LOG_LIKE.match(text) and CONTRAST_LEAD.search(text):
            state, gap = "lead", 0
            out.lead = out.lead or line
        yield line


def _still_leading(text: str) -> bool:
    """A line between the lead and its block: a caption that goes on ("Exits always with 0 and
    errno set like the following."), or the command that ran the block."""
    return bool(INTRODUCES.search(text) or RUN_COMMAND.match(text))
