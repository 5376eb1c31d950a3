"""The typed results of big-log (streamed) and fleet triage: what triage/stream.py and
triage/fleet.py produce and report/digest.py and report/fleet_summary.py render."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness.model import (
    POINTS_AT_KERNEL,
    Category,
    Confidence,
    Environment,
    Finding,
    RunId,
    SuiteRun,
    Summary,
    Verdict,
)

FIRST_NUMBERS = 64  # test numbers kept per finding and suite for the WHICH column


class NumberList:
    """The first test numbers of a group and its last one: enough for '3, 8, 13 ... 48'."""

    __slots__ = ("first", "last")

    def __init__(self) -> None:
        self.first: list[int] = []
        self.last = 0

    def add(self, number: int) -> None:
        if len(self.first) < FIRST_NUMBERS:
            self.first.append(number)
        self.last = number

    def numbers(self) -> list[int]:
        return [*self.first, self.last]

@dataclass
class StreamFinding:
    finding: Finding
    statuses: Counter = field(default_factory=Counter)
    numbers: dict[str, NumberList] = field(default_factory=dict)  # suite -> numbers


@dataclass
class StreamReport:
    """What the terminal, the mail and the fleet summary need of a streamed triage."""

    environment: Environment
    findings: list[StreamFinding]
    suites: list[SuiteRun]
    verdict: Verdict
    summary: Summary
    sources: list[str]
    statuses: Counter
    categories: Counter  # per result, as report.common.category_counts
    failing: int
    failing_at_kernel: int  # kernel-bug or unknown (not explained away from the kernel)
    odd: int  # non-failing results whose cause points at the kernel
    distinct_outcomes: int = 0
    failing_kernel_bug: int = 0  # of failing_at_kernel, those found to be the kernel's

@dataclass(frozen=True)
class LogMeta:
    path: str
    machine: str = ""
    kernel: str = ""
    fs: str = ""
    date: str = ""
    tmp_fs: str = ""

    @property
    def run(self) -> RunId:
        label = "/".join(x for x in (self.machine, self.kernel, self.date) if x)
        return RunId(self.fs or "?", label or Path(self.path).stem)

# Where a worker parked a piece of a log's output: (part file, byte offset, length).
Segment = tuple[str, int, int]


@dataclass
class CauseOfLog:
    category: str
    cause: str
    confidence: str
    count: int
    explanation: str | None  # None: sent with an earlier log of the same worker
    evidence: list[dict[str, object]] | None
    reference: str
    action: str
    tests: list[Segment]  # its member test ids, JSON strings joined by ", "

@dataclass
class LogVerdict:
    """What the parent keeps of one log."""

    meta: LogMeta
    verdict: str
    total: int
    by_status: dict[str, int]
    causes: list[CauseOfLog]
    results: list[Segment]  # its results' JSON, joined by ",\n"
    junit: list[tuple[str, list[Segment], dict[str, int]]]  # (label, test cases, counts)
    suites: list[dict[str, object]]
    streamed: bool
    error: str = ""

@dataclass
class FleetCause:
    """One cause across the fleet."""

    category: str
    cause: str
    confidence: str
    explanation: str
    evidence: list[dict[str, object]]
    reference: str
    action: str
    example: str = ""  # the log the explanation and evidence come from
    results: int = 0
    logs: int = 0
    kernels: Counter = field(default_factory=Counter)
    machines: Counter = field(default_factory=Counter)
    filesystems: Counter = field(default_factory=Counter)
    first_seen: str = ""
    last_seen: str = ""
    tests: list[list[Segment]] = field(default_factory=list)  # per log

    def add(self, verdict: LogVerdict, cause: CauseOfLog) -> None:
        meta = verdict.meta
        self.results += cause.count
        self.logs += 1
        self.kernels[meta.kernel or "?"] += 1
        self.machines[meta.machine or "?"] += 1
        self.filesystems[meta.fs or "?"] += 1
        when = meta.date or ""
        if when and (not self.first_seen or when < self.first_seen):
            self.first_seen = when
        if when and (not self.last_seen or when > self.last_seen):
            self.last_seen = when
        self.confidence = str(Confidence.weakest((Confidence(self.confidence),
                                                  Confidence(cause.confidence))))
        self.tests.append(cause.tests)

    def to_json(self) -> dict[str, object]:
        return {"category": self.category, "cause": self.cause, "confidence": self.confidence,
                "tests": [], "count": self.results, "explanation": self.explanation,
                "evidence": self.evidence, "reference": self.reference, "action": self.action,
                "logs": self.logs, "kernels": dict(self.kernels.most_common()),
                "machines": dict(self.machines.most_common()),
                "filesystems": dict(self.filesystems.most_common()),
                "first_seen": self.first_seen or None, "last_seen": self.last_seen or None,
                "example_log": self.example}

@dataclass
class FleetReport:
    logs: list[LogVerdict]
    causes: list[FleetCause]
    verdict: str
    total: int
    by_status: Counter
    jobs: int

    @property
    def points_at_kernel(self) -> bool:
        return any(Category(c.category) in POINTS_AT_KERNEL for c in self.causes)
