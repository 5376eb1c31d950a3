"""A pasted TAP run whose line breaks a mail client dropped: "./tools/testing/selftests/mm/
hugetlb_dio TAP version 13 1..4 # No. Free pages before allocation : 0 # No. Free pages after
munmap : 100 not ok 1 : Huge pages not freed! # ... # Totals: pass:0 fail:4 ..." wrapped into
one paragraph (Donet Tom's reply on hugetlb_dio, 2024, and its re-send quoted with "> "). A
paragraph whose line holds both TAP's header and its plan ("TAP version 13 1..4") is joined
and cut again where TAP's records start (the header, the plan, "# " diagnostics, "ok N" and
"not ok N", the end of the Totals line), each piece numbered with the line it starts on and
keeping the paragraph's quote marks. Everything else passes through as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from harness.lazy_regex import lazy
from harness.model import LogLine

# TAP's header and its plan on one line, with text around them: a flattened run
FLAT = lazy(r"\S\s+TAP version \d+\s+1\.\.\d+\b|\bTAP version \d+\s+1\.\.\d+\s+\S")
QUOTE_MARKS = lazy(r"^(?:(?:>|&gt;)\s?)+")  # "> ", a web copy's "&gt; "
# where a record starts inside the joined paragraph (the whitespace before it)
CUT = lazy(r"\s+(?=TAP version \d+\b|1\.\.\d+\s|#\s|not ok \d+\b|\./[\w./-]+\s+TAP version)|"
           r"(?<!not)\s+(?=ok \d+\b)|"
           r"(?<=error:\d)\s+(?=\D)")
MAX_PARAGRAPH = 200
NBSP = "\xa0"  # a web copy's non-breaking spaces between the words


def unflatten(lines: Iterable[LogLine]) -> Iterator[LogLine]:
    """The lines, with each flattened TAP paragraph cut back into its records."""
    held: list[LogLine] = []
    for line in lines:
        if held:
            if line.text.strip() and QUOTE_MARKS.sub("", line.text).strip() \
                    and len(held) < MAX_PARAGRAPH:
                held.append(line)
                continue
            yield from _cut(held)
            held = []
        if FLAT.search(line.text.replace(NBSP, " ")):
            held = [line]
            continue
        yield line
    yield from _cut(held)


def _cut(paragraph: list[LogLine]) -> Iterator[LogLine]:
    if not paragraph:
        return
    marks = m.group(0) if (m := QUOTE_MARKS.match(paragraph[0].text)) else ""
    text, starts = "", []  # the joined text, and where each line begins in it
    for line in paragraph:
        starts.append((len(text), line.line))
        text += QUOTE_MARKS.sub("", line.text.replace(NBSP, " ")).strip() + " "
    start = 0
    for m in list(CUT.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        piece = text[start:end].strip()
        if piece:
            number = max(n for offset, n in starts if offset <= start)
            yield LogLine(number, marks + piece, paragraph[0].source)
        if m:
            start = m.end()
