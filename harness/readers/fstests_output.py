"""fstests' (xfstests') own result lines: ``check`` prints one line per test::

    generic/001 4s ...  5s
    generic/733       14s - output mismatch (see /root/fstests/results//generic/733.out.bad)
        --- tests/generic/733.out	2023-11-21 22:30:22.763204339 +0000
        +++ /root/fstests/results//generic/733.out.bad	2023-11-22 03:53:00.901173257 +0000
        @@ -3,4 +3,4 @@
        -test completed successfully
        +clone finished before any reads
    generic/475 [failed, exit status 1]- output mismatch (see .../generic/475.out.bad)
    generic/123       [not run] this test requires a valid $SCRATCH_DEV
    xfs/046 _check_dmesg: something found (see /results/xfs/046.dmesg)

and a summary: ``Ran: ...``, ``Not run: ...``, ``Failures: generic/733 xfs/046``, ``Failed 2 of
40 tests`` (btrfs CI, gocryptfs and fuse-xfstests issues, IBM's and the kernel lists' reports).
Each test line is one result: a mismatch, a non-zero exit, a dmesg or filesystem check that
found something is a failure (the lines the diff adds and removes are its message), ``[not
run]`` a skip with its reason, a bare time a pass; a test the summary lists as failing or not
run that has no line of its own is one result too. Used only when the input holds no result
lines of another kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

TEST = r"(?P<test>[a-z][a-z0-9_-]*/\d{3,4})"
# (xfstests before 2013 had no test directories: "127\t - output mismatch (see 127.out.bad)")
OLD_TEST = r"(?P<test>(?:[a-z][a-z0-9_-]*/)?\d{3,4})"
# (a mail's quote marks, a markdown list's "- " or "* ", the runner's indentation before it)
# (a log viewer's right-aligned line number, cat -n's "    46\t", before the quote marks; a
# bare number at the margin is old xfstests' test: "127\t - output mismatch")
VIEWER = r"(?:\s+\d+\t)?"
VIEWER_ONLY = lazy(r"^\s+\d+\t")
# (a console capture's printk stamp, "[   12.054296] ", or a log's ISO time, "2024-12-01T10:00:
# 01.123Z ", and a terminal's colours, an HTML page's zero-width and non-breaking spaces)
STAMP = lazy(r"^(?:\[\s*\d+\.\d+\]|\d{4}-\d\d-\d\d[T ][\d:.]+Z?)\s?")
INVISIBLE = str.maketrans({"\u200b": None, "\ufeff": None, "\u00a0": " ", "\u202f": " "})
ANSI = lazy(r"\x1b\[[0-9;]*[A-Za-z]")
QUOTES = lazy(rf"^{VIEWER}(?:\s*(?:>|&gt;)\s?)*\s*")
LEAD = lazy(rf"^{VIEWER}(?:\s*(?:>|&gt;)\s?)*\s*(?:[-*]\s+)?")
FAILED = lazy(rf"^{OLD_TEST}\s+(?:\d+s\s+(?:\.\.\.\s+)?)?(?P<what>(?:\[failed, exit status "
              r"\d+\]\s*)?-?\s*output mismatch\b.*|\[failed, exit status \d+\].*|"
              r"_check_\w+: .*(?:found|inconsistent|corrupt).*)$")
NOT_RUN = lazy(rf"^{OLD_TEST}\s+(?:\d+s\s+(?:\.\.\.\s+)?)?\[not run\]\s*(?P<why>.*)$")
PASSED = lazy(rf"^{TEST}\s+(?:\d+s\s+\.\.\.\s+)?\d+s$")
LISTED = lazy(r"^(?P<kind>Failures|Not run):\s*(?P<tests>(?:[a-z][a-z0-9_-]*/\d{3,4}\s*)+)$")
STARTS = lazy(rf"^{OLD_TEST}\s")
DIFF = lazy(r"^[+-](?![+-]{2}\s).*$")
MARKS = ("output mismatch", "[not run]", "[failed")
MAX_TESTS = 5000
MAX_DIFF = 3


@dataclass
class Reader:
    found: list[tuple[LogLine, str, Status, str]] = field(default_factory=list)
    listed: list[tuple[LogLine, str, Status]] = field(default_factory=list)
    diff_of: int | None = None  # the index in found of the mismatch whose diff lines follow

    def feed(self, line: LogLine) -> None:
        raw = line.text
        # (the diff is indented under the test's line, or - older check - at the margin)
        raw = _bare(raw)
        in_diff = self.diff_of is not None and raw[:1] in " \t>+-@"
        if not in_diff and "/" not in raw and not any(w in raw for w in MARKS):
            self.diff_of = None
            return
        text = LEAD.sub("", raw, count=1).rstrip()
        if in_diff and not STARTS.match(text):
            # the diff check prints under the mismatch, indented: its "-"/"+" lines are the
            # message; its headers, context lines, "..." and "(Run 'diff ..." are not
            if m := DIFF.match(QUOTES.sub("", raw, count=1).rstrip()):
                self._diff(m.group(0))
            return
        self.diff_of = None
        if len(self.found) + len(self.listed) >= MAX_TESTS or len(text) > 400:
            return
        if m := FAILED.match(text):
            self.found.append((line, m.group("test"), Status.FAIL, m.group("what").strip("- ")))
            self.diff_of = len(self.found) - 1 if "mismatch" in m.group("what") else None
        elif m := NOT_RUN.match(text):
            why = m.group("why").strip()
            self.found.append((line, m.group("test"), Status.SKIP,
                               f"[not run] {why}" if why else "[not run]"))
        elif m := PASSED.match(text):
            self.found.append((line, m.group("test"), Status.PASS, "passed"))
        elif m := LISTED.match(text):
            status = Status.FAIL if m.group("kind") == "Failures" else Status.SKIP
            self.listed += [(line, test, status) for test in m.group("tests").split()]

    def _diff(self, text: str) -> None:
        assert self.diff_of is not None
        line, test, status, what = self.found[self.diff_of]
        if what.count(" | ") < MAX_DIFF and text.strip():
            self.found[self.diff_of] = (line, test, status, f"{what} | {text.strip()}")

    def results(self) -> list[Result]:
        seen = {test for _, test, _, _ in self.found}
        out = [Result("fstests", i, test, "", status, what, result_line=line)
               for i, (line, test, status, what) in enumerate(self.found, 1)]
        for line, test, status in self.listed:
            if test not in seen:
                seen.add(test)
                what = "fstests' summary lists it as failed" if status is Status.FAIL \
                    else "fstests' summary lists it as not run"
                out.append(Result("fstests", len(out) + 1, test, "", status, what,
                                  result_line=line))
        return out

    def note(self) -> str:
        results = self.results()
        failed = sum(r.status is Status.FAIL for r in results)
        skipped = sum(r.status is Status.SKIP for r in results)
        return (f"fstests' own result lines: {len(results)} test(s) read, {failed} failed, "
                f"{skipped} not run (a failure's message is what its output diff adds and "
                "removes)")


def _bare(raw: str) -> str:
    """The line as check printed it: without invisible characters, a terminal's colours, a
    console's printk stamp or a log's time, or a log viewer's line number in front."""
    raw = raw.translate(INVISIBLE)
    if "\x1b" in raw:
        raw = ANSI.sub("", raw)
    if raw[:1] == "[" or raw[:1].isdigit():
        raw = STAMP.sub("", raw, count=1)
    return VIEWER_ONLY.sub("", raw, count=1) if raw[:1] == " " else raw
