"""LTP's own result lines: the Linux Test Project's tests report each check on one line.

The test library (``tst_test.c``, 2016 on) prints ``<file>:<line>: <TYPE>: <message>``::

    madvise08.c:196: TPASS: madvise(..., MADV_DONTDUMP)
    madvise08.c:203: TFAIL: No sequence in dump after MADV_DODUMP.
    tst_test.c:1291: BROK: Test killed by SIGBUS!
    ../../../../include/lapi/pkey.h:49: TCONF: pku is not supported on this CPU

(before 2019 the type had no "T": ``INFO:``, ``BROK:``, ``PASS:``), and the old library
(``test.h``) prints ``<test> <n> <TYPE> : <message>``::

    mmstress    0  TINFO  :  run mmstress -h for all options
    move_pages04    1  TFAIL  :  move_pages04.c:142: status[1] is ENOENT, expected EFAULT

Each TPASS/TFAIL/TBROK/TCONF/TWARN line is one result of the test it belongs to: the runltp
block it is in (``<<<test_start>>>`` / ``tag=ksm01 stime=...`` / ``<<<test_end>>>``, as the
0-day robot and LKFT paste it, or LAVA's ``<LAVA_SIGNAL_STARTTC chdir01>`` /
``<LAVA_SIGNAL_ENDTC chdir01>`` in LKFT's logs), else the test file the line names - never a
library file (``tst_test.c``, ``mem.c``, ``uevent.h``): such a line belongs to the test named
before it (or, at the start, after it). TBROK (the test could not run its check) is a failure,
"Test killed by SIG..." a crash of the test process, TCONF a skip (the machine lacks what the
test needs), TWARN a failure (LTP counts warnings and the run exits non-zero: ltp-pan "reported
some tests FAIL"). TINFO is no result. kirk's summary line (``fsmount02: fail | tainted
(2.116s)``) is a test's one result when none of its own lines is in the text. A TFAIL line a
mail client wrapped (the rest of the message on the next line: ``... if fd is an invalid fd`` /
``expected EBADF: EINVAL (22)``) is joined. In an errno-expectation message (TST_EXP_FAIL's
``expected EPERM: EFAULT (14)``) the errno the call gave is the last one, not the one expected.
Used only when the input holds no result lines of another kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

# (a console or the robot may put a printk stamp or the runner's "# " before it)
PRINTK_STAMP = r"\[\s*\d+\.\d+\s*\]\s*"
STAMP = rf"(?:{PRINTK_STAMP}|#\s+)?"
NEW = lazy(rf"^{STAMP}(?P<path>(?:[\w.+-]*/)*)(?P<file>[\w.+-]+)\.(?P<ext>[ch]):"
           r"(?P<line>\d+): (?P<type>T?(?:PASS|FAIL|BROK|CONF|WARN|INFO)): (?P<msg>.*)$")
OLD = lazy(rf"^{STAMP}(?P<test>[a-z][\w.+-]*)\s+(?P<n>\d+)\s+"
           r"(?P<type>T(?:PASS|FAIL|BROK|CONF|WARN|INFO))\s+:\s+(?P<msg>.*)$")
# runltp / ltp-pan's block around one test's output
TAG = lazy(rf"^{STAMP}tag=(?P<test>[\w.+-]+) stime=\d+")
END = lazy(rf"^{STAMP}<<<test_end>>>")
# LAVA's test-case signals around one test's output in LKFT's logs ("<8>[   53.655971]
# <LAVA_SIGNAL_STARTTC chdir01>" ... "<LAVA_SIGNAL_ENDTC chdir01>")
# (a web archive's copy escapes the brackets: "&lt;LAVA_SIGNAL_STARTTC chdir01&gt;")
LAVA_START = lazy(r"(?:<|&lt;)LAVA_SIGNAL_STARTTC (?P<test>[\w.+-]+)(?:>|&gt;)")
LAVA_END = lazy(r"(?:<|&lt;)LAVA_SIGNAL_ENDTC [\w.+-]+(?:>|&gt;)")
# kirk (LTP's runner since 2023): "fsmount02: fail | tainted  (2.116s)", colours stripped
# (the kernel test robot marks the line it reports with an arrow: "proc01: fail | tainted
# (7.624s)     <----", 2025; a web archive's copy escapes it: "&lt;----")
# (behind a console's printk stamp when the robot's mail was captured from a console)
KIRK = lazy(rf"^(?:{PRINTK_STAMP})?"
            r"(?P<test>[\w.+-]+): (?P<verdict>pass|fail|broken|skip|warn)\b"
            r"(?:\s*\|\s*[\w ]+)?\s+\((?:\d+[hm] )*\d+(?:\.\d+)?[sm]\)(?:\s+(?:<|&lt;)-{2,})?$")
KIRK_STATUS = {"pass": "PASS", "fail": "FAIL", "broken": "BROK", "skip": "CONF", "warn": "WARN"}
OWN_FILE = lazy(r"^([\w.+-]+)\.c:\d+: ")
# a viewer's line number ("   12\t"; "    84 statx04.c:53: TFAIL: ...", CKI's log snippet
# as a reply pasted it, 2021) or ISO stamp, then quote marks ("> > ", "&gt; ")
QUOTES = r"(?:(?:>|&gt;) ?)*"
NUMBERED = r"\d{1,6} +(?=(?:[\w.+-]*/)*[\w.+-]+\.[ch]:\d+: T?(?:PASS|FAIL|BROK|CONF|WARN|INFO): )"
PREFIX = lazy(rf"^{QUOTES}\s*(?:\d+\t\s*|{NUMBERED}|\d{{4}}-\d\d-\d\d[T ][\d:.]+Z?\s+)?"
              rf"{QUOTES}")
INVISIBLE = str.maketrans({"\u200b": None, "\ufeff": None, "\u00a0": " ", "\u202f": " "})
ANSI = lazy(r"\x1b\[[0-9;]*[A-Za-z]")
STATUS = {"PASS": Status.PASS, "FAIL": Status.FAIL, "BROK": Status.FAIL, "CONF": Status.SKIP,
          "WARN": Status.FAIL}
KILLED = lazy(r"\bkilled by SIG[A-Z]+\b", re.IGNORECASE)
ERRNO = lazy(r"\b(E[A-Z0-9]{2,})\b(?: \(\d+\))?")
# TST_EXP_FAIL's "expected EPERM: EFAULT (14)": the errno after the colon is the one it got
EXPECTED = lazy(r"\bexpected (E[A-Z0-9]{2,})\s*:\s*(E[A-Z0-9]{2,})\b")
CALL = lazy(r"\b(?P<call>[a-z_][a-z0-9_]*)\([^)]*\)(?:\s+failed)?|"
            r"\bFailed to (?P<opened>open)\b")
# the library's own files, not a test: lib/tst_*.c and safe_*.c, the libs/ helpers (mem.c of
# libltpmem, hugetlb.c, numa_helper.c, libswap.c, libipc.c ...) and any header (uevent.h,
# lapi/pkey.h)
LIBRARY = lazy(r"^(?:tst_|safe_|lib)|^(?:mem|hugetlb|numa_helper|parse_opts|self_exec|"
               r"cloner|get_path|random_range|sigwait|parse_vdso)$")
# a wrapped message's rest: no LTP, log or shell line of its own (its errno may follow, as the
# old library prints it: "expected EBADF: TEST_ERRNO=EOPNOTSUPP(95): ...", or that alone)
CONTINUATION = lazy(r"^(?:TEST_ERRNO=E[A-Z0-9/]+\(\d+\):.*|"
                    r"[\w(\"'][^:]{0,60}(?::\s+(?:TEST_ERRNO=)?E[A-Z0-9]{2,}\b.*)?)$")
WRAP_AT = 70
KINDS = ("PASS", "FAIL", "BROK", "CONF", "INFO", "WARN")  # a line without one is no LTP line
# a line a mail client wrapped right after LTP's "file.c:63:", in a sentence ("i am getting
# message madvise06.c:63:" / "CONF: System swap is too small ...", LTP list 2021): its next line
# is that line's rest
WRAPPED_HEAD = lazy(r"(?:^|\s)(?P<head>[\w.+-]+\.[ch]:\d+:)\s*$")
STAMPED = lazy(rf"^{STAMP}")
WRAPPED_REST = lazy(r"^T?(?:PASS|FAIL|BROK|CONF|WARN|INFO):\s")
# ... or the whole line inside the sentence ("i am getting message madvise06.c:63: CONF: System
# swap is too small (838860800 bytes needed) can someone suggest ...", the same post's HTML part)
IN_SENTENCE = lazy(r"\s(?=[\w.+-]+\.[ch]:\d+: T?(?:PASS|FAIL|BROK|CONF|WARN|INFO):\s)")
MAX_RESULTS = 5000


@dataclass
class Reader:
    found: list[tuple[LogLine, str, str, str]] = field(default_factory=list)  # line, test, T, msg
    test: str = ""  # the test whose lines came last
    tag: str = ""  # the runltp block being read
    kirk: dict[str, tuple[LogLine, str]] = field(default_factory=dict)  # test -> line, verdict
    last: LogLine | None = None  # the line last read as a result, if it may have been wrapped
    quiet: set[tuple[str, int]] = field(default_factory=set)  # TINFO lines
    blocks: list[tuple[str, int, int, str]] = field(default_factory=list)  # source, from, to, test
    opened: tuple[str, int] | None = None  # where the runltp block being read starts
    head: str = ""  # a wrapped line's "file.c:63:" (WRAPPED_HEAD), its rest on the next line

    def _unwrapped(self, text: str) -> str:
        """The LTP line a sentence holds or a mail client wrapped (``WRAPPED_HEAD``,
        ``IN_SENTENCE``), else the text as it is."""
        head, self.head = self.head, ""
        if head:
            bare = PREFIX.sub("", STAMPED.sub("", text, count=1), count=1)
            if WRAPPED_REST.match(bare):
                return f"{head} {bare}"
        # (cheap tests first: this runs on every line of a log)
        if (text.rstrip().endswith(":") and "PASS" not in text
                and (m := WRAPPED_HEAD.search(text))):
            self.head = m.group("head")
            return text
        if (any(k in text for k in KINDS) and not NEW.match(text)
                and (m := IN_SENTENCE.search(text))):
            return text[m.end():]
        return text

    def feed(self, line: LogLine) -> None:
        text = self._unwrapped(_clean(line.text))
        if text != line.text.strip():  # the line as LTP printed it, where it is in the file
            line = LogLine(line.line, text, line.source)
        if "LAVA_SIGNAL_" in text and (LAVA_START.search(text) or LAVA_END.search(text)):
            m = LAVA_START.search(text)
            self._close_block(line)
            self.tag = m.group("test") if m else ""
            self.opened = (line.source, line.line) if m else None
            self.last = None
            return
        if (m := TAG.match(text)) or END.match(text):
            self._close_block(line)
            self.tag = m.group("test") if m else ""
            self.opened = (line.source, line.line) if m else None
            self.last = None
            return
        if not any(k in text for k in KINDS):
            self._kirk_or_rest(text, line)
            return
        if m := NEW.match(text):
            test = m.group("file")
            if m.group("ext") == "h" or LIBRARY.match(test):
                # the old safe_macros name the caller: "safe_macros.c:223: BROK: aio02.c:130: "
                own = OWN_FILE.match(m.group("msg"))
                caller = own.group(1) if own and not LIBRARY.match(own.group(1)) else ""
                # else the test before it ("" at the start: named by the test after it)
                test = self.tag or caller or self.test
            else:
                test = self.tag or test
            kind, msg = m.group("type").removeprefix("T"), m.group("msg")
        elif m := OLD.match(text):
            test, kind, msg = self.tag or m.group("test"), m.group("type")[1:], m.group("msg")
        else:
            self._kirk_or_rest(text, line)
            return
        self.test = test or self.test
        self.last = None
        if kind == "INFO" and len(self.quiet) < MAX_RESULTS:
            self.quiet.add((line.source, line.line))
        if kind in STATUS and len(self.found) < MAX_RESULTS:
            self.found.append((line, test, kind, msg.strip()))
            self.last = line if len(text) >= WRAP_AT - 20 else None

    def _kirk_or_rest(self, text: str, line: LogLine) -> None:
        if (m := KIRK.match(text)) and len(self.kirk) < MAX_RESULTS:
            self.kirk[m.group("test")] = (line, m.group("verdict"))
        elif self._wrapped(text):  # a result line the mail client wrapped: its message goes on
            at, test, kind, msg = self.found[-1]
            self.found[-1] = (at, test, kind, f"{msg} {text}")
        self.last = None

    def _close_block(self, line: LogLine) -> None:
        if self.opened is not None and len(self.blocks) < MAX_RESULTS:
            self.blocks.append((*self.opened, line.line, self.tag))
        self.opened = None

    def name_tests(self, results: list[Result]) -> None:
        """Results another reader made of LTP's lines (a TFAIL/TBROK line's failed call) get
        the LTP test's name; so does a tool's own error line in a test's output (``mkfs.vfat:
        unable to open /dev/loop0: Device or resource busy`` before ``tst_mkfs.c:101: BROK:
        ...``): the runltp block it is in, else the test whose result lines come both before
        and after it."""
        named = self._named()
        tests = {(line.source, line.line): test for line, test, _, _ in named}
        blocks = self.blocks + ([(*self.opened, 1 << 62, self.tag)] if self.opened else [])
        for r in results:
            if r.result_line is None:
                continue
            at = (r.result_line.source, r.result_line.line)
            if test := tests.get(at) or _block_test(blocks, *at) or _between(named, *at):
                r.suite = test

    def _wrapped(self, text: str) -> bool:
        last = self.last
        return (last is not None and bool(self.found) and self.found[-1][0] is last
                and bool(text) and CONTINUATION.match(text) is not None
                and len(last.text.rstrip()) + 1 + len(text.split()[0]) > WRAP_AT)

    def quiet_lines(self) -> set[tuple[str, int]]:
        """LTP's lines that are no failure (TPASS, TCONF, TINFO): where another reader must
        not see a failed call."""
        return self.quiet | {(at.source, at.line) for at, _, kind, _ in self.found
                             if STATUS[kind] in (Status.PASS, Status.SKIP)}

    def lines(self) -> set[tuple[str, int]]:
        """Where LTP's result lines (and kirk's) are: (source, line number)."""
        return {(at.source, at.line) for at, _, _, _ in self.found} | {
            (at.source, at.line) for at, _ in self.kirk.values()}

    def _named(self) -> list[tuple[LogLine, str, str, str]]:
        """The lines, a library line read before any test's named by the test after it."""
        out, after = [], ""
        for line, test, kind, msg in reversed(self.found):
            after = test or after
            out.append((line, test or after or "ltp", kind, msg))
        return out[::-1]

    def results(self) -> list[Result]:
        out = []
        numbers: dict[str, int] = {}
        found = self._named()
        shown = {test for _, test, _, _ in found}
        found += [(line, test, KIRK_STATUS[verdict], f"kirk: {test}: {verdict}")
                  for test, (line, verdict) in self.kirk.items() if test not in shown]
        for line, test, kind, msg in found:
            numbers[test] = numbers.get(test, 0) + 1
            status = STATUS[kind]
            if kind == "BROK" and KILLED.search(msg):
                status = Status.CRASH
            result = Result(test, numbers[test], msg, "", status, msg, result_line=line)
            if status is not Status.PASS and (errno := _errno(msg)):
                # "Failed to open FILE '/proc/sys/vm/compact_memory' for writing: ENOENT (2)",
                # "shmget(218366029, 103079215104, b80) failed: ENOMEM": the failed call
                call = CALL.search(msg)
                result.errno = errno
                result.syscall = (call.group("call") or call.group("opened")) if call else None
                result.syscall_source = "diagnostic"
            out.append(result)
        return out


def _block_test(blocks: list[tuple[str, int, int, str]], source: str, line: int) -> str:
    """The test of the runltp block that holds the line, if any."""
    return next((test for src, first, last, test in blocks
                 if src == source and first < line < last), "")


def _between(named: list[tuple[LogLine, str, str, str]], source: str, line: int) -> str:
    """The test whose own result lines come right before and right after the line."""
    before = [test for at, test, _, _ in named if at.source == source and at.line < line]
    after = [test for at, test, _, _ in named if at.source == source and at.line > line]
    return before[-1] if before and after and before[-1] == after[0] else ""


def _clean(raw: str) -> str:
    """The line as LTP printed it: without what a mail, a web page or a log viewer put around
    it (quote marks, a viewer's line number or ISO stamp, zero-width and non-breaking spaces,
    colours)."""
    text = raw.translate(INVISIBLE).strip()
    if "\x1b" in text:
        text = ANSI.sub("", text)
    if text[:1] in ">&" or text[:1].isdigit():
        text = PREFIX.sub("", text, count=1)
    return text


def _errno(msg: str) -> str | None:
    if m := EXPECTED.search(msg):
        return m.group(2)
    return m.group(1) if (m := ERRNO.search(msg)) else None


def note(found: list[Result]) -> str:
    failing = sum(r.status not in (Status.PASS, Status.SKIP) for r in found)
    tests = sorted({r.suite for r in found})
    return (f"LTP's own result lines: {len(found)} check(s) of {', '.join(tests[:4])}"
            f"{' ...' if len(tests) > 4 else ''} read (TPASS/TFAIL/TBROK/TCONF/TWARN), "
            f"{failing} not passing")
