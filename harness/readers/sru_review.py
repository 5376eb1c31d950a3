"""A regression-test review: a reviewer's one-line note per failing suite, by machine class.

Ubuntu's kernel SRU reviews (Cypresslin/regression-testing-reviewer's logs, pasted in bugs and
mails) list, for each architecture or cloud, the suites that did not pass and why::

    3.13.0-125.174 - generic
    Regression test CMPL.

    Issue to note in amd64:
      libhugetlbfs - FAIL no fallocate support in kernels before 4.3.0
      ubuntu_kvm_unit_tests - ioapic, smap, pku, svm, hyperv_clock failed, issue seen before

    Issue to note in s390x (zVM):
      None

Each ``  suite - note`` line under an ``Issue to note in <where>:`` header is one failed
result: the suite, the machine class as its name, the reviewer's note as its message (the
cause, when the note states one, is for the rules to read); an unindented line that starts no
note is the previous note wrapped by a mail client. ``None`` lists nothing; a
``Skipped / blacklisted:`` or ``Note:`` section lists no failure. Used only when the input holds
no result lines at all. A reply's quote marks, a viewer's line numbers, stamps and what a web page
leaves (non-breaking spaces) are taken off each line first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.paste import ANY_STAMP, VIEWER_PREFIX, clean_chars

HEADER = lazy(r"^(?P<indent>[ \t]*)Issue to note in (?P<where>[^:]{1,60}):\s*$")
ITEM = lazy(r"^[ \t]{1,8}(?:\*[ \t]+)?(?P<suite>[A-Za-z][\w.+/-]{1,60})[ \t]+-"
            r"(?:[ \t]+(?P<note>\S.*?))?\s*$")
QUOTED = lazy(r"^[ \t]*(?:>[ \t]?)+")  # a reply's quote marks ("> ", ">> ", "> > ")
MAX_ITEMS = 2000


@dataclass
class Reader:
    where: str = ""
    indent: str = ""  # the whole review's own indentation (a paste indented it), kept off
    items: list[tuple[LogLine, str, str, str]] = field(default_factory=list)

    def feed(self, line: LogLine) -> None:
        text = QUOTED.sub("", clean_chars(line.text).rstrip(), count=1)
        lead = text.lstrip(" \t")
        shown = (VIEWER_PREFIX.match(lead) if lead[:1].isdigit()
                 else ANY_STAMP.match(lead) if lead[:1] == "[" else None)
        if shown:
            text = lead[shown.end():]  # a viewer's line number, a time stamp, a printk stamp
        if header := HEADER.match(text):
            self.where, self.indent = header.group("where").strip(), header.group("indent")
            return
        if not self.where:
            return
        if self.indent and text.startswith(self.indent):
            text = text[len(self.indent):]
        if not text.strip():  # a blank line ends the section
            self.where = ""
            return
        item = ITEM.match(text if text[:1].isspace() else " " + text)
        if item and len(self.items) < MAX_ITEMS:
            self.items.append((line, item.group("suite"), self.where, item.group("note") or ""))
        elif self.items and not text[:1].isspace():  # a note a mail client wrapped
            at, suite, where, note = self.items[-1]
            self.items[-1] = (at, suite, where, f"{note} {text.strip()}".strip())

    def results(self) -> list[Result]:
        return [Result(suite, n, where, "", Status.FAIL, note, result_line=line)
                for n, (line, suite, where, note) in enumerate(self.items, 1)]


def note(found: list[Result]) -> str:
    places = len({r.name for r in found})
    return (f"a regression-test review: {len(found)} suite note(s) under {places} 'Issue to "
            "note in' header(s), each the reviewer's reason for a suite that did not pass "
            "(no log; the note is the evidence)")
