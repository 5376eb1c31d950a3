"""LTP's own result lines: the Linux Test Project's tests report each check on one line.

The test library (``tst_test.c``, 2016 on) prints ``<file>.c:<line>: <TYPE>: <message>``::

    madvise08.c:196: TPASS: madvise(..., MADV_DONTDUMP)
    madvise08.c:203: TFAIL: No sequence in dump after MADV_DODUMP.
    tst_test.c:1291: BROK: Test killed by SIGBUS!
    hugemmap05.c:235: INFO: original nr_hugepages is 0

(before 2019 the type had no "T": ``INFO:``, ``BROK:``, ``PASS:``), and the old library
(``test.h``) prints ``<test> <n> <TYPE> : <message>``::

    mmstress    0  TINFO  :  run mmstress -h for all options
    mmstress    1  TFAIL  :  mmstress.c:322: test1: read fault failed

Each TPASS/TFAIL/TBROK/TCONF line is one result of the test the file (or the old library's
first word) names; a line of the library's own files (``tst_test.c``, ``tst_safe_*.c``) belongs
to the test whose lines came before it. TBROK (the test could not run its check) is a failure,
"Test killed by SIG..." a crash of the test process, TCONF a skip (the machine lacks what the
test needs). TINFO and TWARN are no results. Used only when the input holds no result lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.model import LogLine, Result, Status

# (an LKFT mail or a console may put a printk stamp or the runner's "# " before it)
NEW = re.compile(r"^(?:\[\s*\d+\.\d+\]\s*|#\s+)?(?P<file>[\w.+-]+)\.c:(?P<line>\d+): "
                 r"(?P<type>T?(?:PASS|FAIL|BROK|CONF|WARN|INFO)): (?P<msg>.*)$")
OLD = re.compile(r"^(?P<test>[a-z][\w.+-]*)\s+(?P<n>\d+)\s+"
                 r"(?P<type>T(?:PASS|FAIL|BROK|CONF|WARN|INFO))\s+:\s+(?P<msg>.*)$")
STATUS = {"PASS": Status.PASS, "FAIL": Status.FAIL, "BROK": Status.FAIL, "CONF": Status.SKIP}
KILLED = re.compile(r"\bkilled by SIG[A-Z]+\b", re.IGNORECASE)
ERRNO = re.compile(r"\b(E[A-Z0-9]{2,})\b(?: \(\d+\))?")
CALL = re.compile(r"\b(?P<call>[a-z_][a-z0-9_]*)\([^)]*\)(?:\s+failed)?|"
                  r"\bFailed to (?P<opened>open)\b")
LIBRARY = re.compile(r"^(?:tst_|safe_)")  # the library's own files, not a test
MAX_RESULTS = 5000


@dataclass
class Reader:
    found: list[tuple[LogLine, str, str, str]] = field(default_factory=list)  # line, test, T, msg
    test: str = ""  # the test whose lines came last

    def feed(self, line: LogLine) -> None:
        text = line.text.strip()
        if "PASS" not in text and "FAIL" not in text and "BROK" not in text and (
                "CONF" not in text and "INFO" not in text and "WARN" not in text):
            return
        if m := NEW.match(text):
            test = m.group("file")
            if LIBRARY.match(test):
                test = self.test or test
            kind, msg = m.group("type").removeprefix("T"), m.group("msg")
        elif m := OLD.match(text):
            test, kind, msg = m.group("test"), m.group("type")[1:], m.group("msg")
        else:
            return
        self.test = test
        if kind in STATUS and len(self.found) < MAX_RESULTS:
            self.found.append((line, test, kind, msg.strip()))

    def name_tests(self, results: list[Result]) -> None:
        """Results another reader made of LTP's lines (a TFAIL/TBROK line's failed call) get
        the LTP test's name."""
        tests = {(line.source, line.line): test for line, test, _, _ in self.found}
        for r in results:
            if r.result_line is not None and (
                    test := tests.get((r.result_line.source, r.result_line.line))):
                r.suite = test

    def results(self) -> list[Result]:
        out = []
        numbers: dict[str, int] = {}
        for line, test, kind, msg in self.found:
            numbers[test] = numbers.get(test, 0) + 1
            status = STATUS[kind]
            if kind == "BROK" and KILLED.search(msg):
                status = Status.CRASH
            result = Result(test, numbers[test], msg, "", status, msg, result_line=line)
            if status is not Status.PASS and (errno := ERRNO.search(msg)):
                # "Failed to open FILE '/proc/sys/vm/compact_memory' for writing: ENOENT (2)",
                # "shmget(218366029, 103079215104, b80) failed: ENOMEM": the failed call
                call = CALL.search(msg)
                result.errno = errno.group(1)
                result.syscall = (call.group("call") or call.group("opened")) if call else None
                result.syscall_source = "diagnostic"
            out.append(result)
        return out


def note(found: list[Result]) -> str:
    failing = sum(r.status not in (Status.PASS, Status.SKIP) for r in found)
    tests = sorted({r.suite for r in found})
    return (f"LTP's own result lines: {len(found)} check(s) of {', '.join(tests[:4])}"
            f"{' ...' if len(tests) > 4 else ''} read (TPASS/TFAIL/TBROK/TCONF), {failing} not "
            "passing")
