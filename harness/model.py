"""The data the harness passes from stage to stage: results, syscalls, environment, findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum

SCHEMA = "harness.triage/1"  # the JSON form of a Report (report/json.py writes it)
# A big log's streamed report: results as rows over a table of distinct outcomes (README)
SCHEMA_ROWS = "harness.triage/2"

class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    XFAIL = "xfail"
    XPASS = "xpass"
    ERROR = "error"
    TIMEOUT = "timeout"
    CRASH = "crash"
    MISSING = "missing"


class Category(StrEnum):
    KERNEL_BUG = "kernel-bug"
    UNKNOWN = "unknown"
    TEST_BUG = "test-bug"
    CONFIG = "config"
    ENV = "env"
    KNOWN_ISSUE = "known-issue"


# Most severe first; the verdict of a report is the first category present.
SEVERITY: tuple[Category, ...] = (
    Category.KERNEL_BUG,
    Category.UNKNOWN,
    Category.TEST_BUG,
    Category.CONFIG,
    Category.ENV,
    Category.KNOWN_ISSUE,
)
POINTS_AT_KERNEL = frozenset({Category.KERNEL_BUG, Category.UNKNOWN})
# Categories that explain a failure away from the kernel under test.
ENVIRONMENTAL = frozenset({Category.ENV, Category.CONFIG, Category.KNOWN_ISSUE})


class Verdict(StrEnum):
    """A report's verdict: its most severe category, or clean when nothing needs explaining."""

    KERNEL_BUG = "kernel-bug"
    UNKNOWN = "unknown"
    TEST_BUG = "test-bug"
    CONFIG = "config"
    ENV = "env"
    KNOWN_ISSUE = "known-issue"
    CLEAN = "clean"

    @classmethod
    def of(cls, categories: Iterable[Category]) -> Verdict:
        present = set(categories)
        return next((cls(c.value) for c in SEVERITY if c in present), cls.CLEAN)

    @property
    def points_at_kernel(self) -> bool:
        return self in (Verdict.KERNEL_BUG, Verdict.UNKNOWN)


class Confidence(StrEnum):
    """How sure a diagnosis is; declared from the surest down."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    def lower(self, steps: int = 1) -> Confidence:
        order = list(Confidence)
        return order[min(order.index(self) + steps, len(order) - 1)]

    @staticmethod
    def weakest(values: Iterable[Confidence]) -> Confidence:
        order = list(Confidence)
        return max(values, key=order.index)


@dataclass(frozen=True, slots=True)
class RunId:
    """Which run a result belongs to: the filesystem, and with two kernels the kernel's label
    ("A-debian-6.1"); written "fs" or "kernel/fs"."""

    fs: str
    kernel: str = ""

    def __str__(self) -> str:
        return f"{self.kernel}/{self.fs}" if self.kernel else self.fs

    @classmethod
    def parse(cls, text: str) -> RunId:
        kernel, _, fs = text.rpartition("/")
        return cls(fs, kernel)

    @property
    def label(self) -> str:
        """The short column name: "xfs", or "A:xfs" with two kernels."""
        return f"{self.kernel[:1]}:{self.fs}" if self.kernel else self.fs
# Statuses of a test that did not get through (a skip or an expected failure did).
FAILING = frozenset({Status.FAIL, Status.ERROR, Status.TIMEOUT, Status.CRASH, Status.MISSING})


@dataclass(slots=True, frozen=True)
class LogLine:
    """One line of evidence: where it came from and what it said."""

    line: int
    text: str
    source: str = ""

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"line": self.line, "text": self.text}
        if self.source:
            out["source"] = self.source
        return out


@dataclass(slots=True)
class Syscall:
    """One completed strace event."""

    pid: int
    name: str
    args: str
    ret: str
    errno: str | None
    line: LogLine
    path: str | None = None  # the file behind the fd argument, when known
    unlinked: bool = False  # that file's name had been unlinked before this call
    # what the program did right after this failed call: exited with an error, was killed by a
    # signal, or wrote an error ("Assertion failed", its strerror) - the failure it gave up on
    fatal: str = ""

    @property
    def failed(self) -> bool:
        return self.errno is not None


@dataclass(slots=True)
class Diagnosis:
    """What triage concluded about one result (or one finding)."""

    category: Category
    cause: str
    confidence: Confidence
    explanation: str
    reference: str
    action: str
    evidence: list[LogLine] = field(default_factory=list)
    rule: str = ""  # the rule that concluded it, when its cause is not its id


@dataclass(slots=True)
class Result:
    suite: str
    number: int
    name: str
    config: str
    status: Status
    message: str = ""
    result_line: LogLine | None = None
    run_line: LogLine | None = None
    diagnostics: list[LogLine] = field(default_factory=list)
    syscall: str | None = None
    errno: str | None = None
    syscall_source: str = ""  # "diagnostic", "strace", "catalogue"
    syscalls: list[Syscall] = field(default_factory=list)
    run_id: RunId | None = None  # which run (fs, kernel) this result belongs to
    diagnosis: Diagnosis | None = None

    @property
    def test_id(self) -> str:
        label = self.name or self.message or "?"
        return f"{self.suite} #{self.number}: {label}"

    @property
    def description(self) -> str:
        """The test case without its config: "R/W longterm GUP pin in MAP_SHARED file mapping"."""
        if " ... with " in self.name:
            return self.name.split(" ... with ", 1)[0]
        return self.name


MAX_DIAGNOSTICS = 16  # per result; keeps memory bounded on pathological logs


@dataclass
class SuiteRun:
    """What one selftest binary's output amounted to (plan, totals, oddities)."""

    name: str
    planned: int | None = None
    totals: dict[str, int] | None = None
    bail_out: LogLine | None = None
    anomalies: list[tuple[str, LogLine]] = field(default_factory=list)  # (kind, line)
    crashed: LogLine | None = None
    exit_code: int | None = None
    first_line: int = 0
    # The name the binary printed, when this is its second (third ...) run in one input and
    # ``name`` says so: "gup_longterm (run 2)".
    run_of: str | None = None


@dataclass
class Environment:
    """What is known about where the tests ran; None/empty means unknown."""

    guest: str | None = None  # qemu, sim, or None for a log from elsewhere
    arch: str | None = None
    accel: str | None = None
    kernel_release: str | None = None
    kernel_version: str | None = None
    selftests_version: str | None = None
    cmdline: str | None = None
    fs: str | None = None  # fs of the tests' working directory (local tmpfile)
    fs_options: str | None = None
    tmp_fs: str | None = None  # fs of /tmp (tmpfile)
    fs_source: str | None = None  # where fs came from: "mount table", "--fs", "log"
    mounts: list[dict[str, str]] = field(default_factory=list)
    hugepages: dict[str, dict[str, int]] = field(default_factory=dict)  # "2048kB" -> counts
    hugepage_shortfall: list[str] = field(default_factory=list)
    thp: str | None = None
    swap_kb: int | None = None
    swap_source: str | None = None  # "/dev/zram0: 524284 kB (...)", "none (--no-swap)"
    gup_test: bool | None = None
    gup_test_source: str | None = None  # "built in", "module built from ...", "missing: ..."
    notes: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], {})}


@dataclass
class Finding:
    category: Category
    cause: str
    confidence: Confidence
    tests: list[str]
    explanation: str
    evidence: list[LogLine]
    reference: str
    action: str
    count: int = 0


@dataclass
class Summary:
    """The counts every report carries (matrix reports also list their runs)."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    findings: int = 0
    points_at_kernel: int = 0
    runs: list[RunId] | None = None  # several runs combined (matrix, two kernels)
    interrupted: bool = False  # Ctrl-C: the results so far

    @classmethod
    def from_json(cls, data: dict) -> Summary:
        runs = data.get("runs")
        return cls(int(data.get("total", 0)), dict(data.get("by_status") or {}),
                   dict(data.get("by_category") or {}), int(data.get("findings", 0)),
                   int(data.get("points_at_kernel", 0)),
                   None if runs is None else [RunId.parse(str(r)) for r in runs],
                   bool(data.get("interrupted", False)))

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {} if self.runs is None else {"runs": [str(r) for r in self.runs]}
        out.update(total=self.total, by_status=self.by_status, by_category=self.by_category,
                   findings=self.findings, points_at_kernel=self.points_at_kernel)
        if self.interrupted:
            out["interrupted"] = True
        return out


@dataclass
class Report:
    environment: Environment
    results: list[Result]
    findings: list[Finding]
    suites: list[SuiteRun]
    verdict: Verdict
    summary: Summary
    sources: list[str] = field(default_factory=list)
