"""The kernel test robot's reports (Intel's 0-DAY CI / LKP, lkp@intel.com) and the robot's own
replies. The robot runs a test job on a commit and on its parent and mails what changed:

    FYI, we noticed WARNING:suspicious_RCU_usage due to commit (built with gcc-11):
    kernel test robot noticed "kernel-selftests.mm.ksm_functional_tests.fail" on:
    commit: 8b7e3b7ca3897ebc4cb7b23c65a4618d64056e3b ("[PATCH RFC 05/10] mm/hugetlb: ...")
    in testcase: kernel-selftests
    Subject: [hugetlbfs] 3a47c54f09: kernel-selftests.vm.run_vmtests.sh../userfaultfd_...fail

Naming the commit is the robot's bisect: what it reports appeared on that commit and not on
the parent. Its statistics are named `kernel-selftests.<group>.<test>.fail` / `.pass` and, for
the kernel log, `dmesg.BUG:...` / `dmesg.WARNING:at_...` (spaces as '_'), in two tables:

           v5.19-rc2 eec0ff5df2945d19039d16841b9 2bd8eec68f740608db5ea58ecff
    ---------------- --------------------------- ---------------------------
           fail:runs  %reproduction    fail:runs  %reproduction    fail:runs
               |             |             |             |             |
               :31           0%            :20          55%          11:20    dmesg.BUG:...
             31:31         -35%          20:20         -30%          14:20    kernel-selftests...

    | boot_successes                     | 12         | 0          |
    | BUG:sleeping_function_called_...   | 0          | 560        |

(the first column is the parent or the base, the last the commit; "11:20" is 11 runs of 20).
A test statistic becomes a result (`.fail` counted on the commit and never on the parent: a
failure; failing on both: no change the commit made, named in the note and not judged; `.pass`
in fewer runs than on the parent: a failure in some runs), kernel log statistics new on the
commit become one crash excerpt (the robot's rows: the console itself is an attachment the text
does not hold). Used only when the input holds no selftest result or crash of its own; its
bisect is used whenever the robot's layout is seen - unless the commit it names is a selftest's
("selftests/memfd: add tests ..."): then the bisect points at the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

# The robot's name for the commit it found: its bisect result (the first two since 2018,
# the third since 2023; the Subject's "[<topic>] <sha>: <stat>" too).
NOTICED = lazy(r"\bnoticed (?:the following commit\b|\S+ due to commit\b)|"
               r"\bkernel test robot noticed\b.{0,240}\bon:?\s*$|"
               r"^(?:Re:\s*)?(?:\[[^\]]{1,80}\]\s*)+[0-9a-f]{10,12}:\s+\S", re.IGNORECASE)
# "commit: 11f75a01448f... ("selftests/memfd: add tests for MFD_NOEXEC_SEAL MFD_EXEC")": the
# commit the robot names changes only a selftest - its bisect then points at the test, not at
# the kernel.
COMMIT = lazy(r"^commit:\s+[0-9a-f]{12,40}\s+\(\"(?:\[[^\]]*\]\s*)?(?P<subject>[^\"]*)")
# ... also behind its subsystem's prefix: "KVM: selftests: Use data load to trigger LLC
# references/misses in Intel PMU" (pmu_counters_test, 2025), "mm/selftests: ..."
TEST_COMMIT = lazy(r"^(?:[\w./-]{1,30}:\s*)?(?:selftests?|kselftests?|tools/testing)\b",
                   re.IGNORECASE)
# A commit whose subject says it changes on purpose what the kernel returns, accepts or supports:
# "pidfs: return -EREMOTE when PIDFD_GET_INFO is called on another ns" (ioctl_pidfd06, 2026),
# "pidfs: validate extensible ioctls" (ioctl_pidfd05's EINVAL now ENOTTY, 2025), "fs: don't let
# statmount return empty strings" (statmount_test, 2024), "fs: remove mandatory file locking
# support" (ftruncate04, 2021) - each answered "intentional", "expected", "the test needs to be
# changed". Not a limit lifted ("lift block size restrictions to 64k" was completed in the
# kernel) nor a new function or option: those say nothing of an old behaviour given up.
INTENDED = lazy(
    r"\breturns?\s+-?E[A-Z]{2,}\b|\breturn(?:ing)?\s+(?:an?\s+)?(?:error|empty)\b|"
    r"\b(?:don'?t|do not|never|no longer)\s+(?:let\b[^\"]{0,40}\breturn|allow|permit|accept|"
    r"support)\b|\b(?:reject|disallow|forbid|refuse|validate)[sd]?\b|"
    r"\b(?:remove|drop)[sd]?\b[^\"]{0,40}\bsupport\b|\bdeprecate[sd]?\b|"
    # ... or stops reading one value as another: "mm/mempolicy: don't handle MPOL_LOCAL like a
    # fake MPOL_PREFERRED policy" (mbind01's "Wrong policy: 1, expected: 4", 2021: the kernel
    # now reports MPOL_LOCAL, kept; LTP accepted it)
    r"\b(?:don'?t|do not|no longer|stop)\s+(?:treat|handle|report|count|consider|expose)"
    r"(?:ing)?\b[^\"]{0,60}\b(?:as|like)\b", re.IGNORECASE)
# a subject that widens what the kernel accepts or does: a new flag, field or mode, a check
# relaxed. A test that expects the old refusal then sees a call succeed (or fail otherwise).
WIDENS = lazy(
    r"\b(?:add(?:s|ed)?|introduce[sd]?|extend[sd]?|allow[sd]?|permit[sd]?|relax(?:e[sd])?)\b|"
    r"\bfalse[- ]positives?\b|"
    # a check dropped ("fs: don't block i_writecount during exec": LTP's creat07 "creat()
    # succeeded unexpectedly", 2024) - the kernel lets through what it refused
    r"\b(?:don'?t|do not|no longer|stop)\s+(?:block|prevent|deny|restrict|refuse)(?:ing)?\b|"
    # ... or a commit that changes which error a call returns: "fs/namespace: correctly handle
    # errors returned by grab_requested_mnt_ns" (listmount04's expected EINVAL became EBADF,
    # 2025: an intended uapi change). Like a widening, a test checking the old errno fails.
    r"\b(?:correctly|properly)\s+(?:handle|report|return|propagate)\b[^\"]{0,20}\berr(?:or|no)s?\b|"
    r"\b(?:fix|correct)(?:e[sd])?\s+(?:the\s+)?(?:error|return)\s+(?:code|value|errno)s?\b",
    re.IGNORECASE)
ROBOT = lazy(r"kernel test robot|0-DAY CI|0day robot|\blkp@intel\.com|/oe-lkp/|"
             r"\bin testcase: kernel-selftests\b|intel-lab-lkp|lkp-tests")
# (LTP's too, "ltp.fanotify22.fail": the robot's kirk runs since 2025 print no TFAIL line in the
# mail, only "fanotify22: fail | tainted")
TEST_STAT = lazy(r"(?<![\w.-])(?:kernel-selftests\.(?P<group>[\w-]+)|(?P<ltp>ltp))\."
                 r"(?P<test>\S+?)\.(?P<verdict>fail|pass)(?=$|[\s\"'),:;])")
# a kernel log statistic: "dmesg.BUG:..." in a fail:runs table, bare in a '|' table or a
# "noticed" line
CRASH_STAT = lazy(r"(?<![\w-])(?:dmesg\.)?(?P<head>(?:BUG|WARNING|Oops|kernel_BUG_at|"
                  r"Kernel_panic-not_syncing|general_protection_fault|invalid_opcode|"
                  r"Unable_to_handle_kernel|UBSAN|KASAN)[:_]\S*)")
# (searched for: a mail client's unwrapping may have joined it to the dashes above it)
FAIL_RUNS_HEADER = lazy(r"\bfail:runs(?:\s+%reproduction\s+fail:runs)+\s*$")
# a fail:runs row: the counts per kernel ("31:31", ":20"), the changes between them ("-35%"),
# the statistic last
FAIL_RUNS_ROW = lazy(r"^\s*((?:(?:\d*:\d+|[-+]?\d+%)\s+)+)(\S+)\s*$")
COUNT = lazy(r"(\d*):(\d+)")
PIPE_ROW = lazy(r"^\|\s*([A-Za-z]\S*)\s*((?:\|\s*\d*\s*)+)\|\s*$")
PIPE_HEADER = lazy(r"^\|\s*((?:\|\s*[0-9a-f]{7,40}\s*|\|\s*v\d[\w.-]*\s*){2,})\|\s*$")
KERNEL_NAME = r"(?:v\d[\w.-]*|[0-9a-f]{10,40})"  # a release or a commit, as the tables name them
COLUMN_NAMES = lazy(rf"^\s*((?:{KERNEL_NAME}\s+)+{KERNEL_NAME})\s*$")
MAX_ROWS = 2000
# a printk stamp the capture kept in front of a row that names a kernel message ("dmesg.BUG:")
STAMP = lazy(r"^\[\s*\d+\.\d+\]\s*")


@dataclass
class Row:
    stat: str
    counts: list[tuple[int, int]]  # (times seen, runs) per kernel, the parent's first
    line: LogLine
    names: list[str]


@dataclass
class Reader:
    robot: bool = False  # the text is (or quotes) the robot's report
    bisected: LogLine | None = None  # the line naming the commit the robot found
    headline: list[tuple[str, LogLine]] = field(default_factory=list)  # stats it "noticed"
    rows: list[Row] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # the kernels of the table being read
    in_table: bool = False
    test_commit: LogLine | None = None  # the commit it names is a selftest change
    intended: LogLine | None = None  # its subject says it changes a behaviour on purpose
    widens: LogLine | None = None  # its subject says it widens what the kernel accepts
    # a commit line whose subject a mail client wrapped: the line and the subject so far
    open_subject: tuple[LogLine, str] | None = None
    wrapped_notice: bool = False  # the last line ended at "kernel test robot noticed"

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if not text or len(text) > 400 or len(self.rows) >= MAX_ROWS:
            return
        if text[0] == "[" and not (text := STAMP.sub("", text, count=1)):
            return
        self._header(text, line)
        if m := COLUMN_NAMES.match(text):
            self.names = m.group(1).split()
        elif FAIL_RUNS_HEADER.search(text):
            self.in_table = self.robot = True  # the robot's own comparison layout
        elif text[0] == "|":
            self._pipe(text, line)
        elif self.in_table and (m := FAIL_RUNS_ROW.match(text)):
            counts = [(int(a or 0), int(b)) for a, b in COUNT.findall(m.group(1))]
            if len(counts) >= 2:
                self.rows.append(Row(m.group(2), counts, line, self.names))
        elif not text.startswith(("|", "-")):
            self.in_table = False

    def _header(self, text: str, line: LogLine) -> None:
        """The robot's own lines: its name, the commit it found, the statistics it noticed."""
        if not self.robot and ROBOT.search(text):
            self.robot = True
        if self.wrapped_notice:  # a mail client broke the robot's first line after "noticed"
            self.wrapped_notice, text = False, f"kernel test robot noticed {text}"
        elif text.endswith("kernel test robot noticed"):
            self.wrapped_notice = True
        if NOTICED.search(text):
            if self.bisected is None:
                self.bisected = line
            told = {stat for stat, _ in self.headline}  # the Subject and the body say it twice
            self.headline += [(m.group(0), line) for m in _stats(text) if m.group(0) not in told]
        if self.open_subject is not None:  # the rest of a wrapped subject, up to its quote
            (line, start), self.open_subject = self.open_subject, None
            self._subject(f"{start} {text.split(chr(34), 1)[0]}", line)
        elif m := COMMIT.match(text):
            if m.end() >= len(text):  # no closing quote on the line: wrapped
                self.open_subject = (line, m.group("subject"))
            else:
                self._subject(m.group("subject"), line)

    def _subject(self, subject: str, line: LogLine) -> None:
        """What the bisected commit's subject says it changes."""
        if TEST_COMMIT.match(subject):
            self.test_commit = self.test_commit or line
        elif INTENDED.search(subject):
            self.intended = self.intended or line
        elif WIDENS.search(subject):
            self.widens = self.widens or line

    def _pipe(self, text: str, line: LogLine) -> None:
        if m := PIPE_HEADER.match(text):
            self.names = [c.strip() for c in m.group(1).split("|") if c.strip()]
        elif m := PIPE_ROW.match(text):
            cells = [c.strip() for c in m.group(2).split("|")[1:]]
            if len(cells) >= 2 and all(c.isdigit() or not c for c in cells):
                # a '|' table counts the runs that showed the statistic, not out of how many
                self.rows.append(Row(m.group(1), [(int(c or 0), 0) for c in cells], line,
                                     self.names))

    @property
    def seen(self) -> bool:
        """The robot's layout is in the text: its name, or its statistics with its bisect."""
        return self.robot and (self.bisected is not None or bool(self.rows))

    def crashes(self) -> list[list[LogLine]]:
        """Kernel log statistics the robot counted on the commit and never on the parent (the
        rows: one excerpt, their lines in the table's order - one run's console, counted), else
        the one it noticed (the headline)."""
        rows = [r.line for r in self.rows if CRASH_STAT.fullmatch(r.stat) and _new(r)]
        if rows:
            return [rows]
        if self.rows:
            return []
        return [[line] for stat, line in self.headline if CRASH_STAT.fullmatch(stat)][:1]

    def bisect(self) -> LogLine | None:
        """The line that names the commit the robot found, else a row new on the commit (never
        on the parent: the comparison is its bisect); none when that commit is a selftest's."""
        if self.test_commit is not None:
            return None
        return self.bisected or next((r.line for r in self.rows if _new(r)), None)

    def intended_change(self) -> LogLine | None:
        """The commit line, when the bisect names a kernel commit whose subject says it changes
        a behaviour on purpose: the test may have to follow it (a maintainer's to say)."""
        return self._kernel_bisect(self.intended)

    def widening_change(self) -> LogLine | None:
        """The commit line, when the bisect names a kernel commit whose subject says it widens
        what the kernel accepts (a new flag, field, mode; a relaxed check)."""
        return self._kernel_bisect(self.widens)

    def _kernel_bisect(self, line: LogLine | None) -> LogLine | None:
        """``line``, when the robot's bisect names a kernel commit (not a selftest's)."""
        return line if self.test_commit is None and self.bisect() is not None else None

    def results(self) -> list[Result]:
        """The test statistics: from the tables, else the ones the robot noticed."""
        numbers: dict[str, int] = {}
        out = [r for row in self.rows if (r := _row_result(row, numbers)) is not None]
        if not self.rows:
            for stat, line in self.headline:
                if (m := TEST_STAT.fullmatch(stat)) and m.group("verdict") == "fail":
                    out.append(_result(m, numbers, Status.FAIL, line,
                                       "the kernel test robot reports it failing on the commit "
                                       "it names, not on its parent (no log in the text)"))
        return out

    def old_failures(self) -> list[str]:
        """Test statistics that fail on the first kernel compared as well: no change the
        commit made, so no result of it."""
        return [m.group("test") for r in self.rows if (m := TEST_STAT.fullmatch(r.stat))
                and m.group("verdict") == "fail" and r.counts[0][0] and r.counts[-1][0]]

    def note(self) -> str:
        where = "comparison tables" if self.rows else "report"
        bisect = ("the commit it names changes only a selftest, so its bisect points at the "
                  "test, not at the kernel" if self.test_commit is not None else
                  "the commit it names is its bisect (the parent did not show them)")
        note = (f"the kernel test robot's {where}: its statistics are results without a log; "
                f"{bisect}")
        if old := self.old_failures():
            note += (f"; {len(old)} fail on the first kernel compared as well, not new with the "
                     f"commit, and are not judged ({', '.join(old[:3])}"
                     f"{' ...' if len(old) > 3 else ''})")
        return note


def _stats(text: str) -> list[re.Match[str]]:
    return [m for m in re.finditer(r"[\w./:#!=+,()-]+", text.replace('"', " "))
            if TEST_STAT.fullmatch(m.group(0)) or CRASH_STAT.fullmatch(m.group(0))]


def _new(row: Row) -> bool:
    return row.counts[0][0] == 0 and any(seen for seen, _ in row.counts[1:])


def _result(m: re.Match[str], numbers: dict[str, int], status: Status, line: LogLine,
            message: str) -> Result:
    group, name = m.group("group") or m.group("ltp"), m.group("test")
    if "../" in name:  # "run_vmtests.sh../userfaultfd_anon_20_16": the runner, "./" a command
        runner, command = name.split("../", 1)
        name = f"{runner}: {command}"
    number = numbers[group] = numbers.get(group, 0) + 1
    return Result(group, number, name, "", status, message, result_line=line)


def _count(seen: int, runs: int) -> str:
    return f"{seen} of {runs} runs" if runs else f"{seen} runs"


def _row_result(row: Row, numbers: dict[str, int]) -> Result | None:
    m = TEST_STAT.fullmatch(row.stat)
    if m is None:
        return None
    (base, base_runs), (last, last_runs) = row.counts[0], row.counts[-1]
    names = row.names if len(row.names) == len(row.counts) else []
    first = names[0] if names else "the first kernel compared"
    newest = names[-1] if names else "the commit"
    if m.group("verdict") == "fail":
        if not last:
            return _result(m, numbers, Status.PASS, row.line, f"no failure counted on {newest}")
        if base:  # failing on the parent too: not what the commit changed (see old_failures)
            return None
        return _result(m, numbers, Status.FAIL, row.line,
                       f"the kernel test robot counted it failing in {_count(last, last_runs)} "
                       f"on {newest}, never on {first} (no log in the text)")
    if last_runs and last < last_runs and base == base_runs:
        return _result(m, numbers, Status.FAIL, row.line,
                       f"the kernel test robot counted it passing in only "
                       f"{_count(last, last_runs)} on {newest}, in all {base_runs} on {first} "
                       "(no log in the text)")
    return _result(m, numbers, Status.PASS, row.line,
                   f"passed in {_count(last, last_runs)} on {newest}")
