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
cause, when the note states one, is for the rules to read). ``None`` lists nothing; a
``Skipped / blacklisted:`` or ``Note:`` section lists no failure. Used only when the input holds
no result lines at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.model import LogLine, Result, Status

HEADER = re.compile(r"^Issue to note in (?P<where>[^:]{1,60}):\s*$")
ITEM = re.compile(r"^[ \t]{1,8}(?:\*[ \t]+)?(?P<suite>[A-Za-z][\w.+/-]{1,60})[ \t]+-"
                  r"(?:[ \t]+(?P<note>\S.*?))?\s*$")
MAX_ITEMS = 2000


@dataclass
class Reader:
    where: str = ""
    items: list[tuple[LogLine, str, str, str]] = field(default_factory=list)

    def feed(self, line: LogLine) -> None:
        text = line.text.rstrip()
        if header := HEADER.match(text):
            self.where = header.group("where").strip()
            return
        if not self.where:
            return
        if not text.strip() or not text[:1].isspace():  # a blank or unindented line ends it
            self.where = ""
            return
        if len(self.items) < MAX_ITEMS and (item := ITEM.match(text)):
            self.items.append((line, item.group("suite"), self.where, item.group("note") or ""))

    def results(self) -> list[Result]:
        return [Result(suite, n, where, "", Status.FAIL, note, result_line=line)
                for n, (line, suite, where, note) in enumerate(self.items, 1)]


def note(found: list[Result]) -> str:
    places = len({r.name for r in found})
    return (f"a regression-test review: {len(found)} suite note(s) under {places} 'Issue to "
            "note in' header(s), each the reviewer's reason for a suite that did not pass "
            "(no log; the note is the evidence)")
