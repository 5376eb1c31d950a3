"""A reply whose only run is quoted: the run is the other side's, the failure is in its words.

A reviewer answers a patch whose commit message shows a passing run ("On current x86-64 ...
all tests pass: ok 1 ... ok 19") and says in their own, unquoted words that the test fails
for them ("We are seeing really horrible RAS errors with this test when run on arm64 tx2").
The quoted run is the patch author's, not the reply's: read alone it makes the reply "clean".
When every result in the text comes from quoted lines, none of them failed, and the reply's
own lines say a test failed (a failure word tied to "test": "errors with this test", "the test
fails", "test failures", "it fails with a test assertion"), those lines are the reply's
failures (``unknown``: what they are is no rule's to say) beside the quoted run.

Not when the reply carries its own patch (its commit message is the patch readers' to read),
and not for a failure word about something else ("copy and paste error", "error cleanup").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.line_kinds import QUOTE
from harness.readers.stated_failures import STATED_NAME
from harness.readers.unread_failures import states_failure

_FAILED = r"(?:fail(?:s|ed|ing|ures?)?|errors?|crash(?:es|ed)?|hangs?|hung|broken|breaks)"
TEST_FAILURE = lazy(
    rf"\btest(?:s|cases?)?\b[^.;?]{{0,40}}\b{_FAILED}\b|"
    rf"\b{_FAILED}\b[^.;?]{{0,30}}\b(?:with|in|of|from|on|by|(?:when|while) \w+ing) "
    r"(?:this|the|that|these|a|an) "
    r"(?:\w+[ -])?tests?\b",
    re.IGNORECASE)
FAILED_STATUS = (Status.FAIL, Status.ERROR, Status.CRASH, Status.TIMEOUT, Status.XPASS)
MAX_RESULTS = 3


@dataclass
class QuotedRun:
    """What the lines said about quoting, recorded as they pass to the normaliser."""

    quoted: set[int] = field(default_factory=set)  # numbers of the quoted lines
    own: list[LogLine] = field(default_factory=list)  # the unquoted lines
    own_patch: bool = False  # an unquoted "diff --git": the reply carries its own patch

    def record(self, lines: Iterable[LogLine]) -> Iterator[LogLine]:
        for line in lines:
            if QUOTE.match(line.text):
                self.quoted.add(line.line)
            else:
                self.own.append(line)
                self.own_patch = self.own_patch or line.text.startswith("diff --git ")
            yield line

    def results(self, found: list[Result]) -> list[Result]:
        """The reply's own failure lines, when the text's only run is quoted and passed."""
        if self.own_patch or not found or any(r.status in FAILED_STATUS for r in found):
            return []
        if not all(r.result_line is not None and r.result_line.line in self.quoted
                   for r in found):
            return []
        stated = [x for i, x in enumerate(self.own) if _says_test_failed(self.own, i)]
        stated = stated[:MAX_RESULTS]
        return [Result("report", i + 1, f"a failure no rule knows{STATED_NAME}", "",
                       Status.FAIL, x.text.strip(), result_line=x)
                for i, x in enumerate(stated)]


def _says_test_failed(own: list[LogLine], i: int) -> bool:
    """Whether own line ``i`` (with the next one, when it continues the sentence: a mail
    client wraps at 72 columns) says a test failed."""
    text = own[i].text.strip()
    if i + 1 < len(own) and own[i + 1].line == own[i].line + 1 and text[-1:] not in ".!?:":
        text = f"{text} {own[i + 1].text.strip()}"
    return bool(TEST_FAILURE.search(text)) and states_failure(text)


def note(stated: list[Result], shown: int) -> str:
    where = ", ".join(f"L{r.result_line.line}" for r in stated if r.result_line is not None)
    return (f"the {shown} result(s) in the text are quoted (the run of the patch or mail "
            f"answered), and the reply's own words say a test failed ({where}): those lines "
            "are taken as its failure, and no rule knows them")
