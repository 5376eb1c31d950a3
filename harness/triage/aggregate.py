"""A finding built one member at a time, in memory that does not grow with its members.

Grouping results into findings needs, of all the members, only: how many there are, the
first one, the first three's evidence, the weakest confidence, the distinct suites and
configs (for "52 cow tests with memfd"), and the four smallest messages (for an unexplained
group). ``FindingAggregate`` keeps exactly that; ``Members`` shows it to the explanation
renderer as if it were the list of members. The member test ids go to ``tests`` (a list,
or a ``TestIds`` spill when the caller streams).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Protocol

from harness.model import Category, Confidence, Finding, LogLine, Result

FIRST_EVIDENCE = 3  # members whose evidence a finding quotes
SMALLEST_MESSAGES = 4  # distinct messages an unexplained group names


class TestSink(Protocol):
    def append(self, test_id: str) -> None: ...


class Members:
    """Stands in for the list of a finding's members where only counts and sets are read.

    ``len`` is the member count and ``[0]`` the first member; iterating gives one member per
    distinct (suite, config) and the members with the smallest distinct messages, so every
    set built over the members (suites, configs, hugepage sizes, the smallest messages) is
    the same as over the whole list.
    """

    def __init__(self) -> None:
        self.count = 0
        self.first: Result | None = None
        self.by_place: dict[tuple[str, str], Result] = {}
        self.messages: list[str] = []  # the smallest distinct messages, sorted
        self.by_message: dict[str, Result] = {}

    def add(self, r: Result) -> None:
        self.count += 1
        if self.first is None:
            self.first = r
        self.by_place.setdefault((r.suite, r.config), r)
        message = r.message
        if message and message not in self.by_message and (
                len(self.messages) < SMALLEST_MESSAGES or message < self.messages[-1]):
            bisect.insort(self.messages, message)
            self.by_message[message] = r
            if len(self.messages) > SMALLEST_MESSAGES:
                del self.by_message[self.messages.pop()]

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Result:
        if index != 0 or self.first is None:
            raise IndexError(index)
        return self.first

    def __iter__(self) -> Iterator[Result]:
        yield from self.by_place.values()
        yield from self.by_message.values()


class FindingAggregate:
    """One (category, cause) group as its members arrive."""

    def __init__(self, tests: TestSink | None = None) -> None:
        self.members = Members()
        self.tests: TestSink = tests if tests is not None else []
        self.confidence = Confidence.HIGH
        self.evidence: list[LogLine] = []

    def add(self, r: Result) -> None:
        d = r.diagnosis
        assert d is not None
        if self.members.count < FIRST_EVIDENCE:
            self.evidence += d.evidence
        self.confidence = Confidence.weakest((self.confidence, d.confidence))
        self.members.add(r)
        self.tests.append(r.test_id)

    def wants(self, suite: str, config: str, message: str) -> bool:
        """Whether a member with these would change what is kept (else ``count`` will do)."""
        m = self.members
        return (m.count < FIRST_EVIDENCE or (suite, config) not in m.by_place
                or bool(message) and message not in m.by_message and (
                    len(m.messages) < SMALLEST_MESSAGES or message < m.messages[-1]))

    def count(self, test_id: str, confidence: Confidence) -> None:
        """A member that changes nothing kept but the count, the confidence and the ids."""
        if confidence is not self.confidence:
            self.confidence = Confidence.weakest((self.confidence, confidence))
        self.members.count += 1
        self.tests.append(test_id)

    def finding(self, explanation: str, evidence: list[LogLine]) -> Finding:
        first = self.members.first
        assert first is not None and first.diagnosis is not None
        d = first.diagnosis
        tests = self.tests if isinstance(self.tests, list) else []
        return Finding(Category(d.category), d.cause, self.confidence, tests, explanation,
                       evidence, d.reference, d.action, self.members.count)
