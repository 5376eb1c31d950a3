"""A streaming reader for kselftest/KTAP output, raw or nested in runners and consoles.

Lines go in one at a time (``feed``); results come out as soon as they are complete. Each
nesting depth ('# ' prefixes added by run_vmtests.sh and the kselftest runner) has its own
suite state. A result line at depth d closes a suite that was running at depth d+1: that line
is the runner's verdict on the whole binary, not a test of its own.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from operator import add
from typing import Protocol

from harness.lazy_regex import lazy
from harness.model import MAX_DIAGNOSTICS, LogLine, Result, Status, SuiteRun
from harness.readers import catalogue
from harness.readers.blockscan import HOLE, MAX_RECORD_DEPTH, Scan
from harness.readers.logread import split_printk, strip_nesting
from harness.readers.numbers import number_of

RESULT = lazy(r"^(not ok|ok)\s+(-?\d+)(?:\s+-)?(?:\s+(.*))?$")
DIRECTIVE = lazy(r"(?:^|\s)#\s*(SKIP|XFAIL|XPASS|TODO|TIMEOUT|error)\b:?\s*(.*)$",
                 re.IGNORECASE)
PLAN = lazy(r"^1\.\.(\d+)\b")
VERSION = lazy(r"^K?TAP version")
TOTALS = lazy(
    r"^Totals:\s*pass:(\d+)\s+fail:(\d+)\s+xfail:(\d+)\s+xpass:(\d+)\s+skip:(\d+)\s+error:(\d+)"
)
PLANNED_MISMATCH = lazy(r"^Planned tests != run tests \((\d+) != (\d+)\)")
RUN = lazy(r"^\[RUN\]\s+(.*)$")
HARNESS_RUN = lazy(r"^RUN\s+[\w.-]+ \.\.\.$")  # kselftest_harness: "#  RUN  f.test ..."
# run_vmtests.sh's "running ./cow" (5.x: "running userfaultfd"); not a test's own prose that
# starts with the word ("running PKEY tests for unsupported CPU/OS", protection_keys)
HEADER_RUNNING = lazy(r"^running\s+(?![A-Za-z]+\s+[a-z]+\b)(\S+)")
HEADER_SELFTESTS = lazy(r"^selftests:\s*\S+:\s*(\S+)")
BAIL = lazy(r"^Bail out!\s*(.*)$")
FAIL_SUMMARY = lazy(r"^\d+ out of \d+ tests failed")
EXIT_CODE = lazy(r"#\s*exit=(\d+)")
CRASH = lazy(
    # (a word that ends in "BUG:" or "Oops" - a program's "DEBUG:" line - is no kernel's; nor
    # is a writer's "Oops sorry about that": the kernel's is "Oops: 0002 [#1]", "Oops[#1]:",
    # "Oops - BUG: 0 [#1]", "Oops [#1]" (riscv))
    r"((?<![A-Za-z])Oops(?::|\s*\[#\d+\]|\s+-\s)|(?<![A-Za-z])BUG: |kernel BUG at|"
    r"Kernel panic - not syncing|"
    # __warn()'s header: "WARNING: CPU: 3 PID: 42 at mm/gup.c:1234 f+0x1/0x2" (3.x-6.17),
    # "WARNING: mm/vmalloc.c:3937 at vmalloc_fix_flags+0x6c/0xa0, CPU#69: comm/6500" and
    # "WARNING: at f+0x1/0x2, CPU#0: comm/1" (6.18 on; a mail client may wrap it after "at"),
    # "WARNING: at mm/slub.c:123 f+0x1/0x2()" (2.6)
    r"WARNING: (?:CPU: \d+|\S+\.[chS]:\d+ at\b|at \S+\.[chS]:\d+ |"
    r"at [\w.]+\+0x[0-9a-f]+/0x[0-9a-f]+, CPU#\d+)|"
    # lockdep's and RCU's reports (kernel/locking/lockdep.c, kernel/rcu/): "WARNING: suspicious
    # RCU usage", "WARNING: bad unlock balance detected!", "WARNING: possible circular locking
    # dependency detected", "WARNING: systemd/1 still has locks held!" ...
    r"WARNING: (?:suspicious RCU usage|bad unlock balance detected|possible (?:circular|"
    r"recursive) locking|inconsistent lock state|possible irq lock inversion|lock held when "
    r"returning|held lock freed|lock held by \S+ is not|Nested lock was not taken|[\w.:-]+/\d+ "
    r"still has locks held)|"
    r"VM_BUG_ON|general protection fault|Unable to handle kernel|"
    r"\bsegfault at\b|Segmentation fault|Internal error: |list_del corruption|"
    r"page dumped because|Bad page state|"
    # x86's die() header for a trap in the kernel: "invalid opcode: 0000 [#1] PREEMPT SMP" (a
    # BUG()), "divide error: 0000 [#1]", "stack segment: 0000 [#1]", "double fault: 0000 [#1]"
    r"\b(?:invalid opcode|divide error|stack segment|double fault|segment not present|"
    r"invalid TSS|alignment check|bounds|overflow|int3): [0-9a-f]{4} \[#\d+\]|"
    # and any trap's die() header, s390's too ('illegal operation: 0001 ilc:1 [#1]'): a trap
    # name, the error code, the count, at the start of the console line (after its printk
    # stamp or the runner's '# '); x86's pgtable_bad() capitalises its name ("Bad pagetable:
    # 0009 [#1] SMP PTI", the kernel test robot's LTP cve run on an mremap patch, 2021).
    r"(?:^|\d\]|^#)[ \t]*[A-Za-z][a-z ,-]{1,60}: [0-9a-f]{4}\b[^\n\[]{0,24}\[#\d+\])"
)
# An oops seen from its tail only (its head cut from the excerpt): a kernel stack frame
# "[<ffffffff8123d392>] ? SyS_shmget+0x42/0x50" (x86 before 4.x) or the report's last line
# "---[ end trace bd4bcad000598c5b ]---". Such a line starts a crash excerpt only when no
# crash line or other tail line came in the CRASH_TAIL_GAP lines before it.
CRASH_TAIL = lazy(r"\[<(?:[0-9a-f]{16}|[0-9a-f]{8})>\] (?:\? )?[\w.]+\+0x[0-9a-f]+/"
                  r"0x[0-9a-f]+|---\[ end trace [0-9a-f]{8,16} \]")
CRASH_TAIL_GAP = 300
# A commit named by its id and title - a `git log --oneline` listing in a report ("87dedf7c61ab
# arm64/mm: Change BUG_ON() to VM_BUG_ON() in [pmd|pud]_set_huge()", linux-arm-kernel 2019),
# "commit f2f3c25dea3a (\"hugetlb: ...\")", a "Fixes: 1234567890ab (\"...\")" trailer - is
# not a console line, whatever its title says: no crash excerpt starts there.
COMMIT_TITLE = lazy(
    r"^\s*(?:(?:Fixes|commit|Commit|[Rr]evert(?:ing)?):?\s+)?[0-9a-f]{7,40}\s+(?:\(\"|[\w./-]+: |"
    r"[A-Z][a-z])")
RUN_PREFIX = "# [RUN] "
END_OF_PANIC = "---[ end Kernel panic"  # the panic's last line, not another crash
# The common record of a TAP stream, matched whole in a block of lines: a [RUN] line, up to
# MAX_DIAGNOSTICS diagnostic lines, the result line - each in exactly the form the
# line-by-line path reads the same way (no stray spaces, no TAP structure in a diagnostic, no
# '-' after the number). Anything else goes line by line. Blocks are matched loosely
# (``blockscan.records_re``); the first of each kind must be a ``record_re`` exactly, else
# none of its kind is read in bulk (they all go line by line).
@functools.lru_cache(maxsize=MAX_RECORD_DEPTH + 1)
def record_re(depth: int) -> re.Pattern[str]:
    p = "# " * depth
    return re.compile(
        p + r"# \[RUN\] ([^\s#](?:[^\n]*\S)?)\n"
        r"((?:" + p + r"# (?!(?:not )?ok\s)[^\s#\[1TKPBrsS](?:[^\n]*\S)?\n){0,"
        + str(MAX_DIAGNOSTICS) + "})"
        + p + r"(ok|not ok) ([1-9][0-9]{0,17})(?: ([^\s\-](?:[^\n]*\S)?))?(?=\n|\Z)")


RECORD = record_re(0)


CHUNK = 2048  # records looked up at once
MAX_PROTOS = 20_000  # distinct records read in bulk per parser; past that, line by line
FAILING_STATUSES = frozenset({Status.FAIL, Status.ERROR, Status.CRASH, Status.MISSING,
                              Status.TIMEOUT})
MADE_UP_BUDGET = 1000  # missing results made up per parser (numbering gaps, plans not run)
BITMAP_LIMIT = 1 << 24  # test numbers up to this are tracked in a bitmap (2 MiB at most)
CRASH_CONTEXT = 24  # console lines kept after a crash signature
SAME_OOPS_LINES = 4  # an oops's numbered header ("[#1]") comes this close after its first line

STATUS_BY_DIRECTIVE = {
    "skip": Status.SKIP,
    "xfail": Status.XFAIL,
    "xpass": Status.XPASS,
    "todo": Status.XFAIL,
    "timeout": Status.TIMEOUT,
    "error": Status.ERROR,
}


def config_of(name: str) -> str:
    """'R/W ... file mapping ... with local tmpfile' -> 'local tmpfile'; '' without a config."""
    return name.split(" ... with ", 1)[1] if " ... with " in name else ""


_guess_suite = functools.lru_cache(maxsize=4096)(catalogue.guess_suite)
_config_of = functools.lru_cache(maxsize=4096)(config_of)


@functools.lru_cache(maxsize=4096)
def _directive(rest: str) -> tuple[str, str, Status] | None:
    """(description, reason, status) of a result text with a TAP directive ('# SKIP why')."""
    directive = DIRECTIVE.search(rest)
    if directive is None:
        return None
    return (rest[: directive.start()].strip(), directive.group(2).strip(),
            STATUS_BY_DIRECTIVE[directive.group(1).lower()])


RUNNER_WORDS = ("[PASS]", "[SKIP]", "[FAIL]", "[XFAIL]", "[TIMEOUT]", "[ERROR]", "SUMMARY:",
                "TOP-LEVEL SUMMARY")


def _runner_line(body: str) -> bool:
    """run_vmtests.sh's per-binary verdicts and SUMMARY line (read by runner_summary)."""
    return body[:17].upper().startswith(RUNNER_WORDS)


def _may_crash(text: str) -> bool:
    """Every CRASH signature contains one of these words: a line without any skips the regex."""
    return ("Oops" in text or "BUG" in text or "panic" in text or "WARNING" in text
            or "fault" in text or "Unable" in text or "Internal error" in text
            or "corruption" in text or "dumped" in text or "Bad page" in text
            or "[<" in text or "end trace" in text or "[#" in text)


class NumbersSeen:
    """The set of test numbers seen in one suite, as a bitmap: 1M results cost 125 KB, not 40 MB."""

    __slots__ = ("bits", "large")

    def __init__(self) -> None:
        self.bits = bytearray()
        self.large: set[int] = set()

    def add(self, number: int) -> None:
        if number >= BITMAP_LIMIT or number < 0:
            self.large.add(number)
            return
        byte = number >> 3
        if byte >= len(self.bits):
            self.bits.extend(bytes(max(byte + 1 - len(self.bits), len(self.bits))))
        self.bits[byte] |= 1 << (number & 7)

    def add_range(self, first: int, last: int) -> None:
        """Add first..last (inclusive): the bytes at either end masked, whole ones between."""
        if first > last:
            return
        if first < 0 or last >= BITMAP_LIMIT:
            for number in range(first, last + 1):
                self.add(number)
            return
        bits, low, high = self.bits, first >> 3, last >> 3
        if high >= len(bits):
            bits.extend(bytes(max(high + 1 - len(bits), len(bits))))
        head, tail = (0xff << (first & 7)) & 0xff, 0xff >> (7 - (last & 7))
        if low == high:
            bits[low] |= head & tail
            return
        bits[low] |= head
        bits[low + 1:high] = b"\xff" * (high - low - 1)
        bits[high] |= tail

    def __contains__(self, number: int) -> bool:
        if number >= BITMAP_LIMIT or number < 0:
            return number in self.large
        byte = number >> 3
        return byte < len(self.bits) and bool(self.bits[byte] & (1 << (number & 7)))


# A consumer that takes results as they come (and the suite each belongs to, whose name may
# only be known when the suite closes) instead of the parser keeping them.
Sink = Callable[[Result, SuiteRun], None]


class BulkSink(Protocol):
    """A sink that also takes repeats of a record in bulk (``feed_block``): the first of each
    kind arrives as a Result (``sink``, then ``proto``), the repeats as rows (kind, number,
    line number of the result line) given as three columns, in log order with the single
    results."""

    def proto(self, kind: int, result: Result, suite: SuiteRun, diagnostics: int) -> None: ...

    def rows(self, suite: SuiteRun, kinds: list[int], numbers: list[int],
             lines: list[int]) -> None: ...

# A kind of record as a fleet worker remembers it across logs: (name, config, status,
# message, [RUN] line text, diagnostic texts, result line text before and after the number,
# the suite name its [RUN] line suggests).
KindTemplate = tuple[str, str, Status, str, str, tuple[str, ...], str, str, str]
MAX_SHARED_KINDS = 20_000


class SharedKinds:
    """The kinds of record that the logs read so far (in this process) read line by line, by
    depth and text: a later log's first record of such a kind is made from it, not read
    line by line again (the texts are the same, so are the Result and the parser's state)."""

    def __init__(self) -> None:
        self.kinds: dict[tuple[int, tuple[str, ...]], KindTemplate] = {}

    def get(self, key: tuple[int, tuple[str, ...]]) -> KindTemplate | None:
        return self.kinds.get(key)

    def learn(self, depth: int, key: tuple[str, ...], result: Result, guess: str) -> None:
        if len(self.kinds) >= MAX_SHARED_KINDS or (depth, key) in self.kinds:
            return
        assert result.result_line is not None and result.run_line is not None
        text, number = result.result_line.text, str(result.number)
        head = key[0][key[0].rfind("\n") + 1:]  # the result line up to its number
        if text != f"{head}{number}{key[-1]}":
            return
        self.kinds[(depth, key)] = (
            result.name, result.config, result.status, result.message, result.run_line.text,
            tuple(d.text for d in result.diagnostics), head, key[-1], guess or "")


_Handler = Callable[[int, re.Match[str], LogLine], list[Result]]


@dataclass
class _Level:
    depth: int
    suite: SuiteRun
    run_line: LogLine | None = None
    diagnostics: list[LogLine] = field(default_factory=list)
    numbers_seen: NumbersSeen = field(default_factory=NumbersSeen)
    last_number: int = 0
    results: int = 0
    wrapped: int = 0  # verdicts on nested binaries
    header_seen: bool = False
    named: bool = False
    guesses: dict[str, int] = field(default_factory=dict)
    pending: list[Result] = field(default_factory=list)  # results of this suite so far
    failing: int = 0  # of those, how many failed (kept also when the results are not)
    bulk: Counter[int] = field(default_factory=Counter)  # kind -> rows not yet in the above
    harness_open: bool = False  # a kselftest_harness "#  RUN name ..." awaits its result

    @property
    def running(self) -> str:
        """The name on the open [RUN] line ("" when no test is running)."""
        return self.run_line.text[len(RUN_PREFIX):] if self.run_line else ""

    @property
    def has_content(self) -> bool:
        return self.results > 0 or self.run_line is not None or self.suite.planned is not None


def _runner_verdict(level: _Level, match: re.Match[str], line: LogLine, timed_out: bool) -> None:
    """What the runner's "ok/not ok N selftests: mm: NAME" line says about the binary."""
    suite = level.suite
    code = EXIT_CODE.search(match.group(3) or "")
    suite.exit_code = number_of(code.group(1)) if code else (0 if match.group(1) == "ok" else 1)
    if timed_out:
        suite.anomalies.append(("runner-timeout", line))
    elif match.group(1) == "not ok" and not level.failing:
        suite.anomalies.append(("runner-fail-without-failures", line))


class KselftestParser:
    """Feed lines; collect ``Result``s and ``SuiteRun``s.

    Without a sink, results come back from ``feed`` and each suite's results are kept until
    it closes (its name may only be known then): memory O(results). With a sink, every
    result goes to the sink with its SuiteRun as soon as it is read, nothing is kept, and the
    consumer names results of unnamed suites when the suite has closed (``suite_of``).
    """

    def __init__(self, default_suite: str = "", sink: Sink | None = None,
                 bulk: BulkSink | None = None, shared: SharedKinds | None = None) -> None:
        self.default_suite = default_suite
        self.sink = sink
        self.bulk = bulk if sink is not None else None
        self.shared = shared if self.bulk is not None else None
        self._kinds: dict[tuple[str, ...], int] = {}  # of the level below
        # blockscan's record keys by number, and their kinds in ``_kinds`` (kept for it)
        self._table: list[tuple[str, str]] = []
        self._lid: dict[tuple[str, str], int] = {}
        self._local_kinds: list[int | None] = []
        self._local_for: dict[tuple[str, ...], int] | None = None
        self._holed: list[int] = []  # the scan's records with kernel messages inside
        self._kinds_level: _Level | None = None
        self._kind_info: list[tuple[bool, str]] = []  # kind -> (failing, suite guess)
        self._span: list[int] = []  # kind -> its lines
        self._offset: list[int] = []  # kind -> its result line after its [RUN] line
        self._captured: Result | None = None
        self._depth = 0  # of the records of the block being read (block_lines)
        self.emitted = 0  # results handed on so far
        self.kind_rows: Counter[int] = Counter()  # kind -> rows read in bulk (once levels close)
        self.runner_lines = 0  # kselftest runner / run_vmtests.sh lines (headers, verdicts)
        # run_vmtests.sh's binaries ("running ./X" .. "[PASS]") that printed no result of
        # their own (or a verdict with no "running" before it): the in-memory reader makes a
        # whole-binary result of each (runner_summary), the streaming path declines the log
        self.bare_binaries = 0
        self._binary_from: int | None = None  # results emitted when the open binary started
        self.banner: LogLine | None = None  # a 'Linux version' line that is not printk's
        self.levels: dict[int, _Level] = {}
        self.suites: list[SuiteRun] = []
        self._runs_of: dict[str, int] = {}  # suite name -> runs closed so far
        self.kernel_lines: list[LogLine] = []  # printk lines worth keeping (bounded)
        self.crashes: list[list[LogLine]] = []
        self._crash_open: list[LogLine] | None = None
        self._crash_seen = -CRASH_TAIL_GAP - 1  # the last crash or crash-tail line
        self._pending_name: dict[int, str] = {}
        self.last_line = 0
        self.made_up_left = MADE_UP_BUDGET  # gaps and plans are noted, not materialised
        # The structural lines, in the order they are tried.
        self._shapes: tuple[tuple[re.Pattern[str], _Handler], ...] = (
            (RESULT, self._result), (PLAN, self._plan), (VERSION, self._version),
            (RUN, self._run), (TOTALS, self._totals), (PLANNED_MISMATCH, self._planned_mismatch),
            (BAIL, self._bail_line), (HEADER_RUNNING, self._binary_header),
            (HEADER_SELFTESTS, self._binary_header))

    # -- input -----------------------------------------------------------------------------
    def feed(self, line: LogLine) -> list[Result]:
        return self.feed_text(line.line, line.text, line.source)

    def feed_text(self, number: int, raw: str, source: str = "") -> list[Result]:
        """One line by number and text; LogLine objects are made only for lines kept."""
        self.last_line = number
        first = raw[:1]
        if first == "[" or first == "<" or first.isspace():
            is_kernel, text = split_printk(raw)
        else:
            is_kernel, text = False, raw
        if is_kernel or self._crash_open is not None:  # the common test line skips the call
            self._follow_crash(number, raw, source, is_kernel)
        if _may_crash(text) and not text.startswith(END_OF_PANIC) and self._crash_line(
                number, text):
            return self._crash(LogLine(number, raw, source))
        if is_kernel:
            if len(self.kernel_lines) < 2000:
                self.kernel_lines.append(LogLine(number, raw, source))
            return []
        if first == "o" and raw.startswith("ok ") or first == "n" and raw.startswith("not ok "):
            match = RESULT.match(raw.strip())  # the common line: a top-level result
            if match:
                return self._result(0, match, LogLine(number, raw, source))
        elif first == "#" and raw.startswith("# [RUN] ") and not raw.startswith("# [RUN] #"):
            desc = raw[8:].strip()  # the other common line: a test starts
            if desc:
                self._run_line(1, desc, number, source)
                return []
        if text[:1] == "#":
            depth, body = strip_nesting(text)
            body = body.strip()
        else:
            depth, body = 0, text.strip()
        return self._body(depth, body, number, raw, source)

    def scan_lines(self, scan: Scan, source: str, clean: Callable[[str], bool]
                   ) -> Iterator[tuple[int, str, str]]:
        """Read a block of whole lines as ``blockscan`` found its records (at the depth of the
        block's first) and the lines between them: records are read in bulk - the first of
        each kind line by line, its repeats to the bulk sink as rows; every other line is
        yielded, (number, text, source), for the caller to read as it reads any line (and
        feed to this parser) before the next record is looked at.
        ``clean(line)``: whether a line may go straight to the parser (it is no strace)."""
        number = scan.number
        if scan.reset:
            self._table, self._lid = [], {}
            self._local_kinds, self._local_for = [], None
        self._holed = sorted(scan.kernel)
        for key in scan.new:
            self._lid[key] = len(self._table)
            self._table.append(key)
        if scan.depth is None:
            for text in scan.text.split("\n"):
                yield number, text, source
                number += 1
            return
        self._depth = scan.depth
        marks, texts = scan.marks, scan.texts
        i, total, record, line = 0, len(marks), 0, 0  # item, record and line of the scan
        while i < total:
            j = marks.find(1, i)
            j = total if j < 0 else j
            for text in texts[line:line + j - i]:  # the lines before the next record
                yield number, text, source
                number += 1
            line += j - i
            end = marks.find(0, j)  # records j .. end-1 follow each other
            i, end = j, total if end < 0 else end
            while i < end:
                stop = record + min(end - i, CHUNK)
                number, done, slow = self._records(scan, record, stop, number, source, clean)
                i += done
                record += done
                for text in slow:
                    yield number, text, source
                    number += 1

    def _records(self, scan: Scan, first: int, stop: int, number: int, source: str,
                 clean: Callable[[str], bool]) -> tuple[int, int, list[str]]:
        """Records ``first`` .. ``stop``-1 of a scan, which follow each other: those whose
        kind is known and whose numbers go on from the suite's go to the sink as rows; the
        first of a kind is read line by line (or made from the same kind of an earlier log,
        ``SharedKinds``), else it is handed back as lines and the call ends there.
        Returns (next line number, how many records were read, the lines handed back)."""
        level = self._fast_level()
        if level is None:
            return number, stop - first, "\n".join(
                self._record_text(scan, k) for k in range(first, stop)).split("\n")
        ids = scan.ids[first:stop]
        kinds = self._kinds_of(ids)
        numbers = scan.numbers[first:stop]
        done, total = 0, len(kinds)
        while True:
            known = self._known(kinds, ids, done) - done
            last = level.last_number
            if numbers[done:done + known] != list(range(last + 1, last + 1 + known)):
                known = next(k for k in range(known) if numbers[done + k] != last + 1 + k)
            known, holed = self._holes(scan, first + done, known, clean)
            if known:
                ks: list[int] = kinds[done:done + known]  # type: ignore[assignment]
                number = self._rows(level, scan, first + done, ks, numbers[done:done + known],
                                    number, source, holed)
                done += known
            if done == total:
                return number, done, []
            lid, n = ids[done], numbers[done]
            if kinds[done] is not None or n != level.last_number + 1 \
                    or len(self._kind_info) >= MAX_PROTOS:
                return number, done + 1, self._record_text(scan, first + done).split("\n")
            key = self._table[lid]
            template = self.shared.get((self._depth, key)) if self.shared is not None else None
            if template is not None:
                number = self._adopt(level, template, key, n, number, source)
            else:
                text = self._record_text(scan, first + done).split("\n")
                if not (record_re(self._depth).fullmatch(self._record_text(scan, first + done,
                                                                           False))
                        and all(map(clean, text))):
                    return number, done + 1, text
                number = self._first_of_kind(text, number, source, key)
            if self._local_for is self._kinds and key in self._kinds:
                self._local_kinds[lid] = self._kinds[key]
            done += 1
            if self._fast_level() is not level:
                return number, done, []

    def _known(self, kinds: list[int | None], ids: list[int], start: int) -> int:
        """Where the first record from ``start`` on whose kind is not known (yet) is; a kind
        met since ``kinds`` was looked up is filled in."""
        at = start
        while True:
            try:
                at = kinds.index(None, at)
            except ValueError:
                return len(kinds)
            kind = self._local_kinds[ids[at]]
            if kind is None:
                return at
            kinds[at] = kind

    def _record_text(self, scan: Scan, record: int, kernel: bool = True) -> str:
        """A record's text; ``kernel``: with the kernel messages inside it."""
        head, rest = self._table[scan.ids[record]]
        if HOLE not in rest:
            return f"{head}{scan.numbers[record]}{rest}"
        rest, places = rest.rsplit(HOLE, 1)
        lines = f"{head}{scan.numbers[record]}{rest}".split("\n")
        if kernel:
            for place, text in zip(places.split(","), scan.kernel[record], strict=True):
                lines.insert(int(place), text)
        return "\n".join(lines)

    def _holes(self, scan: Scan, start: int, known: int, clean: Callable[[str], bool]
               ) -> tuple[int, list[int]]:
        """How many of the ``known`` records from ``start`` on may be rows: up to the first
        whose kernel messages are not plain ones (a crash signature, strace); and which of
        those have kernel messages inside."""
        holed = self._holed[bisect_left(self._holed, start):bisect_left(self._holed,
                                                                        start + known)]
        for i, record in enumerate(holed):
            for text in scan.kernel[record]:
                if not clean(text) or _may_crash(split_printk(text)[1]):
                    return record - start, holed[:i]
        return known, holed

    def _rows(self, level: _Level, scan: Scan, start: int, kinds: list[int],
              numbers: list[int], number: int, source: str, holed: list[int]) -> int:
        """Records from ``start`` on as rows (the kernel messages inside ``holed`` ones read
        as any kernel line); returns the next line number."""
        starts = list(accumulate(map(self._span.__getitem__, kinds), initial=number))
        for record in holed:
            places = self._table[scan.ids[record]][1].rsplit(HOLE, 1)[1].split(",")
            for place, message in zip(places, scan.kernel[record], strict=True):
                self.feed_text(starts[record - start] + int(place), message, source)
        lines = map(add, starts, map(self._offset.__getitem__, kinds))  # the result lines
        self._flush_rows(level, kinds, numbers, list(lines))
        return starts[-1]

    def _kinds_of(self, ids: list[int]) -> list[int | None]:
        """The kinds of records by their key numbers (None: not a kind at this level)."""
        if self._local_for is not self._kinds:  # a new level: its kinds start afresh
            self._local_kinds = [None] * len(self._local_kinds)
            for key, kind in self._kinds.items():
                if key in self._lid:
                    self._local_kinds[self._lid[key]] = kind
            self._local_for = self._kinds
        if len(self._local_kinds) < len(self._table):
            self._local_kinds += map(self._kinds.get, self._table[len(self._local_kinds):])
        return list(map(self._local_kinds.__getitem__, ids))

    def _fast_level(self) -> _Level | None:
        """The level of the block's records (``_depth``), when a record may be read in bulk
        now: it is the deepest level (else None)."""
        level = self.levels.get(self._depth)
        if level is None or self._crash_open is not None or max(self.levels) != self._depth:
            return None
        if level is not self._kinds_level:
            self._kinds, self._kinds_level = {}, level
        return level

    def _first_of_kind(self, text: list[str], number: int, source: str,
                       key: tuple[str, ...]) -> int:
        """Read a record line by line and remember its kind for the repeats."""
        self._captured = None
        before = self.levels.get(self._depth)
        for line in text:
            self.feed_text(number, line, source)
            number += 1
        level = self._fast_level()
        result = self._captured
        if level is not None and level is before and result is not None \
                and result.result_line is not None \
                and result.result_line.line == number - 1:
            run_line = text[0]
            guess = _guess_suite(run_line[run_line.index("[RUN] ") + 6:])
            kernel = sum(line[:1] == "[" for line in text)  # messages inside (not shared)
            self._new_kind(level, key, result, len(text) - 2 - kernel, guess, len(text))
            if self.shared is not None and not kernel \
                    and not any("Linux version" in t for t in text):
                self.shared.learn(self._depth, key, result, guess)
        return number

    def _new_kind(self, level: _Level, key: tuple[str, ...], result: Result, diagnostics: int,
                  guess: str, lines: int = 0) -> None:
        """``lines``: the record's, when kernel messages inside make it more than its
        [RUN] line, diagnostics and result line."""
        kind = len(self._kind_info)
        self._kind_info.append((result.status in FAILING_STATUSES, guess))
        self._kinds[key] = kind
        self._span.append(lines or diagnostics + 2)
        self._offset.append((lines or diagnostics + 2) - 1)
        assert self.bulk is not None
        self.bulk.proto(kind, result, level.suite, diagnostics)

    def _adopt(self, level: _Level, template: KindTemplate, key: tuple[str, ...], n: int,
               number: int, source: str) -> int:
        """A record of a kind an earlier log (or suite) read line by line: the Result and
        the parser state reading its lines gives, made from that one's texts."""
        (name, config, status, message, run_text, diagnostics, head, tail, guess) = template
        end = number + len(diagnostics) + 1
        result = Result(level.suite.name or self.default_suite, n, name, config, status,
                        message, LogLine(end, f"{head}{n}{tail}", source),
                        LogLine(number, run_text, source),
                        [LogLine(number + 1 + i, text, source)
                         for i, text in enumerate(diagnostics)])
        self.last_line = end
        if guess:  # what its [RUN] line adds
            level.guesses[guess] = level.guesses.get(guess, 0) + 1
        level.numbers_seen.add(n)
        level.last_number = max(level.last_number, n)
        level.results += 1
        level.run_line = None
        level.diagnostics = []
        self._emit(level, result, [])
        self._new_kind(level, key, result, len(diagnostics), guess)
        return end + 1

    def _flush_rows(self, level: _Level, kinds: list[int], numbers: list[int],
                    lines: list[int]) -> None:
        """What feeding the rows' lines one by one would have done to the parser's state."""
        assert self.bulk is not None
        self.bulk.rows(level.suite, kinds, numbers, lines)
        count = len(kinds)
        self.emitted += count
        level.results += count
        level.numbers_seen.add_range(numbers[0], numbers[-1])
        level.last_number = numbers[-1]
        level.run_line = None
        level.diagnostics = []
        self.last_line = lines[-1]
        level.bulk.update(kinds)  # failing and guesses: see _fold

    def _body(self, depth: int, body: str, number: int, raw: str, source: str) -> list[Result]:
        first = body[:1]
        # Only result lines start with o/n and only [RUN] lines with '[' among the shapes
        # below, so those two (and text no shape starts with) skip the chain.
        if first == "[" and (match := RUN.match(body)):
            self._run_line(depth, match.group(1), number, source)
            return []
        if (first == "o" or first == "n") and (match := RESULT.match(body)):
            return self._result(depth, match, LogLine(number, raw, source))
        if first and first in "1TKPBrs":
            line = LogLine(number, raw, source)
            for shape, handle in self._shapes:
                if match := shape.match(body):
                    return handle(depth, match, line)
            if depth >= 1 and body and _runner_line(body):
                self._runner_word(body)
        elif (first == "[" or first == "S") and _runner_line(body):
            self._runner_word(body)
        self._text(depth, body, number, raw, source)
        return []

    def _runner_word(self, body: str) -> None:
        """run_vmtests.sh's [PASS]/[SKIP]/[FAIL] on the binary it ran, or its SUMMARY."""
        self.runner_lines += 1
        if body[:1] == "[":
            self._end_binary()

    def _end_binary(self) -> None:
        if self._binary_from is None or self._binary_from == self.emitted:
            self.bare_binaries += 1
        self._binary_from = None

    def _text(self, depth: int, body: str, number: int, raw: str, source: str) -> None:
        """A line that is no TAP structure: a diagnostic of the test running, or the banner."""
        if depth >= 1 and body:
            self._diagnostic(depth - 1, number, body, source)
            if body[:3] == "RUN" and HARNESS_RUN.match(body):
                self.levels[depth - 1].harness_open = True
        elif body and (level := self.levels.get(depth)) is not None and (
                level.harness_open or level.suite.planned is not None):
            # the test's own printf() inside its TAP stream, at the results' depth: between
            # kselftest_harness's "#  RUN" and its result ("Didn't migrate 1 pages" before
            # migration's assertion), or after the plan ("No. Free pages before allocation :
            # 7" before hugetlb_dio's verdict): the next result's diagnostic
            self._diagnostic(depth, number, body, source)
        if self.banner is None and "Linux version" in body:  # also under a runner's '# '
            self.banner = LogLine(number, raw, source)

    def _plan(self, depth: int, match: re.Match[str], line: LogLine) -> list[Result]:
        out: list[Result] = []
        level = self._level(depth)
        if level.suite.planned is not None:
            if level.results:
                out += self._close_level(depth)
                level = self._level(depth)
            else:
                level.suite.anomalies.append(("duplicate-plan", line))
        level.suite.planned = number_of(match.group(1))
        rest = match.string[match.end():]
        if level.suite.planned == 0 and "#" in rest:
            out += self._skip_all(level, rest, line)
        return out

    def _skip_all(self, level: _Level, rest: str, line: LogLine) -> list[Result]:
        """"1..0 # SKIP why" (kselftest's ksft_exit_skip() before any result): the whole binary
        was skipped for that reason; one skip result says so."""
        directive = _directive(rest)
        if directive is None or directive[2] is not Status.SKIP:
            return []
        out: list[Result] = []
        level.suite.planned = 1
        result = Result(level.suite.name or self.default_suite, 1, "", "", Status.SKIP,
                        directive[1] or directive[0], result_line=line,
                        diagnostics=list(level.diagnostics))
        level.numbers_seen.add(1)
        level.last_number = max(level.last_number, 1)
        level.results += 1
        level.diagnostics = []
        self._emit(level, result, out)
        return out

    def _version(self, depth: int, match: re.Match[str], line: LogLine) -> list[Result]:
        out: list[Result] = []
        level = self.levels.get(depth)
        if level is not None and level.results:
            out += self._close_level(depth)
        elif level is not None and level.header_seen:
            level.suite.anomalies.append(("duplicate-header", line))
        self._level(depth, line).header_seen = True
        return out

    def _run(self, depth: int, match: re.Match[str], line: LogLine) -> list[Result]:
        self._run_line(depth, match.group(1), line.line, line.source)
        return []

    def _totals(self, depth: int, match: re.Match[str], line: LogLine) -> list[Result]:
        level = self._level(max(depth - 1, 0))  # a pasted run that lost its "# ": its own
        keys = ("pass", "fail", "xfail", "xpass", "skip", "error")
        level.suite.totals = dict(zip(keys, map(number_of, match.groups()), strict=True))
        return []

    def _planned_mismatch(self, depth: int, match: re.Match[str], line: LogLine) -> list[Result]:
        self._level(max(depth - 1, 0)).suite.anomalies.append(("planned-mismatch", line))
        return []

    def _bail_line(self, depth: int, match: re.Match[str], line: LogLine) -> list[Result]:
        if FAIL_SUMMARY.match(match.group(1)):
            self._level(depth, line).suite.anomalies.append(("fail-summary", line))
            return []
        return self._bail(depth, match.group(1), line)

    def _binary_header(self, depth: int, match: re.Match[str], line: LogLine) -> list[Result]:
        """"running NAME" / "selftests: mm: NAME": the binary whose output follows."""
        out: list[Result] = []
        self.runner_lines += 1
        if match.re == HEADER_RUNNING:  # run_vmtests.sh starts a binary (a lazy pattern: ==)
            if self._binary_from is not None:
                self._end_binary()
            self._binary_from = self.emitted
        name = match.group(1).rsplit("/", 1)[-1]
        level = self.levels.get(depth)
        if level is not None and level.has_content:
            out += self._close_level(depth)
            level = None
        if level is None:
            self._pending_name[depth] = name
        else:
            level.suite.name, level.named = name, True
        return out

    # -- levels ----------------------------------------------------------------------------
    def _level(self, depth: int, line: LogLine | None = None) -> _Level:
        level = self.levels.get(depth)
        if level is None:
            name = self._pending_name.pop(depth, "")
            suite = SuiteRun(name=name, first_line=line.line if line else self.last_line)
            level = _Level(depth, suite, named=bool(name))
            self.levels[depth] = level
        return level

    def _run_line(self, depth: int, desc: str, number: int, source: str) -> None:
        depth = max(depth, 1)  # " [RUN] ..." pasted without its "# " is the run's own
        level = self.levels.get(depth - 1)
        if level is None:
            level = self._level(depth - 1, LogLine(number, "", source))
        level.run_line = LogLine(number, RUN_PREFIX + desc, source)
        level.diagnostics = []
        guess = _guess_suite(desc)
        if guess:
            level.guesses[guess] = level.guesses.get(guess, 0) + 1

    def _diagnostic(self, depth: int, number: int, text: str, source: str) -> None:
        level = self.levels.get(depth)
        if level is None:
            level = self._level(depth, LogLine(number, text, source))
        if len(level.diagnostics) < MAX_DIAGNOSTICS:
            level.diagnostics.append(LogLine(number, text, source))

    def _result(self, depth: int, match: re.Match[str], line: LogLine) -> list[Result]:
        out: list[Result] = []
        child = self.levels.get(depth + 1)
        if child is not None and (child.results or child.wrapped):
            # A runner's verdict on a whole binary at depth+1: it counts in the runner's plan.
            out += self._close_level(depth + 1, verdict=(match, line))
            parent = self._level(depth, line)
            number = number_of(match.group(2))
            parent.numbers_seen.add(number)
            parent.last_number = max(parent.last_number, number)
            parent.wrapped += 1
            return out
        level = self._level(depth, line)
        number = number_of(match.group(2))
        if number in level.numbers_seen:
            # a new run: numbering starts over after several results, or a runner's verdict
            # on a binary ("not ok 1 selftests: vm: run_vmtests") comes again (make run_tests
            # invoked once more, its header not pasted)
            if number == 1 and (level.results > 1
                                or (match.group(3) or "").lstrip().startswith("selftests: ")):
                out += self._close_level(depth)
                level = self._level(depth, line)
            else:
                level.suite.anomalies.append(("duplicate-number", line))
        elif number > level.last_number + 1:
            out += self._gap(level, level.last_number + 1, number)
        self._emit(level, self._make_result(level, match, line), out)
        return out

    def _make_result(self, level: _Level, match: re.Match[str], line: LogLine) -> Result:
        ok = match.group(1) == "ok"
        number = number_of(match.group(2))
        rest = (match.group(3) or "").strip()
        status = Status.PASS if ok else Status.FAIL
        desc, reason = rest, ""
        if "#" in rest and (directive := _directive(rest)) is not None:
            desc, reason, status = directive
            if status is Status.XFAIL and not ok:
                status = Status.FAIL  # a 'not ok' with the TAP todo directive still failed
        run_name = level.running
        name = run_name or (desc if catalogue.looks_like_name(desc) else "")
        diagnostics = level.diagnostics
        message = reason or desc
        if (not message or message == name) and diagnostics:
            diags = [d for d in diagnostics if not d.text.startswith("[INFO]")]
            if diags:
                message = diags[-1].text
            elif message == name:
                message = ""
        elif message == name:
            message = ""
        config = _config_of(name)
        result = Result(
            suite=level.suite.name or self.default_suite,
            number=number,
            name=name,
            config=config,
            status=status,
            message=message,
            result_line=line,
            run_line=level.run_line,
            diagnostics=diagnostics,  # the level gets a new list below, so no copy
        )
        level.numbers_seen.add(number)
        level.last_number = max(level.last_number, number)
        level.results += 1
        level.run_line = None
        level.diagnostics = []
        level.harness_open = False
        return result

    def _emit(self, level: _Level, result: Result, out: list[Result]) -> None:
        """Hand a result on (to the sink or back from ``feed``) and count it for its suite."""
        self.emitted += 1
        if result.status in FAILING_STATUSES:
            level.failing += 1
        if self.sink is not None:
            self.sink(result, level.suite)
            self._captured = result
            return
        level.pending.append(result)
        out.append(result)

    def suite_of(self, result: Result, suite: SuiteRun) -> str:
        """The suite name a result gets once its suite has closed (what ``_close_level`` sets)."""
        if not result.suite or result.suite == self.default_suite or result.suite == suite.run_of:
            return suite.name or self.default_suite or "selftest"
        return result.suite

    def _number_rerun(self, suite: SuiteRun) -> None:
        """A binary seen again in one input (a mail quoting the run before and after a patch, a
        runner that runs it twice) is another run, not more results of the first:
        "gup_longterm (run 2)", so neither its results nor its Totals are mixed with the first's."""
        if not suite.name:
            return
        runs = self._runs_of.get(suite.name, 0) + 1
        self._runs_of[suite.name] = runs
        if runs > 1:
            suite.run_of, suite.name = suite.name, f"{suite.name} (run {runs})"

    def _gap(self, level: _Level, first: int, upto: int) -> list[Result]:
        gap = LogLine(self.last_line, f"{first}..{upto - 1}")
        level.suite.anomalies.append(("numbering-gap", gap))
        out: list[Result] = []
        for number in range(first, min(upto, first + self.made_up_left)):
            self.made_up_left -= 1
            result = Result(level.suite.name or self.default_suite, number, "", "", Status.MISSING,
                            "no result line in the log")
            level.numbers_seen.add(number)
            self._emit(level, result, out)
        return out

    def _bail(self, depth: int, text: str, line: LogLine) -> list[Result]:
        level = self._level(depth, line)
        level.suite.bail_out = line
        number = level.last_number + 1
        name = level.running
        result = Result(level.suite.name or self.default_suite, number, name, config_of(name),
                        Status.ERROR, "Bail out! " + text, result_line=line,
                        run_line=level.run_line, diagnostics=list(level.diagnostics))
        level.numbers_seen.add(number)
        level.last_number = number
        level.results += 1
        level.run_line = None
        out: list[Result] = []
        self._emit(level, result, out)
        return out

    def _follow_crash(self, number: int, raw: str, source: str, is_kernel: bool) -> None:
        """A line after a crash: kept in its excerpt (up to CRASH_CONTEXT), and a kernel line
        close to it keeps the crash going - its register dump and trace run on to its own
        "---[ end trace ]---", which is then no second crash seen from its tail."""
        if is_kernel and number - self._crash_seen <= CRASH_TAIL_GAP:
            self._crash_seen = number
        if self._crash_open is not None:
            if len(self._crash_open) < CRASH_CONTEXT:
                self._crash_open.append(LogLine(number, raw, source))
            else:
                self._crash_open = None

    def _crash_line(self, number: int, text: str) -> bool:
        """Whether the line starts a crash excerpt: a crash signature, or the tail of one
        whose head the input does not hold (see CRASH_TAIL). A commit named by its id and
        title is not the kernel speaking (see COMMIT_TITLE)."""
        if CRASH.search(text) and not COMMIT_TITLE.match(text):
            self._crash_seen = number
            return not self._same_oops(number, text)
        if CRASH_TAIL.search(text):
            last, self._crash_seen = self._crash_seen, number
            return number - last > CRASH_TAIL_GAP
        return False

    def _same_oops(self, number: int, text: str) -> bool:
        """Whether a crash line is the numbered header of the oops that just started: "kernel
        BUG at include/linux/swapops.h:497!" then "invalid opcode: 0000 [#1] PREEMPT SMP",
        "BUG: Kernel NULL pointer dereference ..." then "Oops: Kernel access of bad area, sig:
        11 [#1]" - one crash, one excerpt. A second numbered header ([#2]) is a second oops."""
        excerpt = self._crash_open
        return (excerpt is not None and "[#" in text and bool(excerpt)
                and number - excerpt[0].line <= SAME_OOPS_LINES
                and not any("[#" in line.text for line in excerpt[:-1]))

    def _crash(self, line: LogLine) -> list[Result]:
        excerpt = [line]
        self.crashes.append(excerpt)
        self._crash_open = excerpt
        if len(self.crashes) > 50:
            self.crashes.pop(0)
        # The test running now (deepest level with an open [RUN]) is the one that crashed.
        for depth in sorted(self.levels, reverse=True):
            level = self.levels[depth]
            if level.run_line is not None and level.suite.crashed is None:
                level.suite.crashed = line
                break
        else:
            if self.levels:
                deepest = self.levels[max(self.levels)]
                if deepest.suite.crashed is None:
                    deepest.suite.crashed = line
        return []

    def _close_level(self, depth: int, verdict: tuple[re.Match[str], LogLine] | None = None
                     ) -> list[Result]:
        out: list[Result] = []
        for deeper in sorted((d for d in self.levels if d > depth), reverse=True):
            out += self._close_level(deeper)
        level = self.levels.pop(depth, None)
        if level is None:
            return out
        self._fold(level)
        suite = level.suite
        if level.wrapped and not level.results and not suite.anomalies:
            return out  # a runner level: its binaries are the suites
        if not suite.name:
            suite.name = self._guess_name(level, verdict)
        self._number_rerun(suite)
        for result in level.pending:
            result.suite = self.suite_of(result, suite)
        timed_out = verdict is not None and "TIMEOUT" in (verdict[0].group(3) or "")
        if level.run_line is not None:
            # A test started and never reported: cut off by a crash, a kill or the end of the log.
            name = level.running
            status = Status.CRASH if suite.crashed else Status.MISSING
            if timed_out:
                status = Status.TIMEOUT
            result = Result(suite.name or "selftest", level.last_number + 1, name, config_of(name),
                            status, "started but never reported a result",
                            run_line=level.run_line, diagnostics=list(level.diagnostics))
            level.last_number += 1
            self._emit(level, result, out)
        if suite.planned is not None and not suite.bail_out:
            last = min(suite.planned, level.last_number + self.made_up_left)
            for number in range(level.last_number + 1, last + 1):
                self.made_up_left -= 1
                result = Result(suite.name or "selftest", number, "", "", Status.MISSING,
                                "planned but not run")
                self._emit(level, result, out)
        if verdict is not None:
            _runner_verdict(level, *verdict, timed_out)
        self.suites.append(suite)
        return out

    def _fold(self, level: _Level) -> None:
        """Count a level's rows (read in bulk) in its failures and suite-name guesses (every
        guess is there already, from the first of the kind, so the order of the guesses is
        the same as if each had been counted when read)."""
        info = self._kind_info
        for kind, times in level.bulk.items():
            failing, guess = info[kind]
            if failing:
                level.failing += times
            if guess:
                level.guesses[guess] = level.guesses.get(guess, 0) + times
        self.kind_rows.update(level.bulk)
        level.bulk.clear()

    def _guess_name(self, level: _Level, verdict: tuple[re.Match[str], LogLine] | None) -> str:
        if verdict is not None:
            desc = (verdict[0].group(3) or "").split("#", 1)[0].strip()
            desc = desc.removeprefix("running ").strip()
            if desc:
                return desc.split()[-1].rsplit("/", 1)[-1]
        if level.guesses:
            return max(level.guesses, key=level.guesses.__getitem__)
        return self.default_suite

    def finish(self) -> list[Result]:
        if self._binary_from is not None:
            self._end_binary()
        out: list[Result] = []
        for depth in sorted(self.levels):
            if depth in self.levels:
                out += self._close_level(depth)
        return out
