"""Questions every reader of pasted text asks of a line: is it quoted, is it log, is it code
inside a patch's diff?"""

from __future__ import annotations

from harness.lazy_regex import lazy

# A mail quote prefix: "> ", ">> ", "> > ", after any indentation (in ">\t# x" the tab is text).
QUOTE = lazy(r"^[ \t]*(?:> ?)+")
# Lines that show the console going on (not prose, not a mail signature).
LOG_LIKE = lazy(
    r"^(?:ok\s|not ok\s|#|TAP version|KTAP version|1\.\.\d|Bail out|\[\s*\d+\.\d+\]|<\d>|"
    r"\[(?:PASS|FAIL|SKIP|RUN)\]|running\s|selftests:|SUMMARY|(?:\[pid\s+\d+\]\s+|\d+\s+)?"
    r"[a-z_]\w*\(.*\)\s+=|[/~][\w/.-]*\s*[#$]\s*$|\+\+\+ |--- SIG|"
    # LTP's result lines, runltp's old layout ("access01    1  TPASS  :  ...") and the new
    # library's ("tst_test.c:900: TINFO: ..."), but not TCONF (a sentence saying what the
    # system lacks: "FAN_REPORT_FID not supported on exfat filesystem"); runltp's block around
    # each test's output ("<<<test_start>>>", "tag=mbind01 stime=...", "passed   1")
    r"[\w.+-]+\s+\d+\s+T(?:PASS|FAIL|BROK|INFO|WARN)\s+:|"
    r"[\w.+-]+\.[ch]:\d+:\s+T?(?:PASS|FAIL|BROK|INFO|WARN):|<<<\w+>>>|"
    r"(?:tag|cmdline|contacts|analysis|initiation_status|duration|cutime)=|"
    r"(?:passed|failed|broken|skipped|warnings)\s+\d+\s*$)"
)
# A patch's diff: where it starts, and the lines that continue it (after the quote prefix).
DIFF_START = lazy(r"^(?:diff --git |Index: |--- a/|\+\+\+ b/|@@ -\d)")
DIFF_BODY = lazy(r"^(?:[ +\-]|@@ |diff --git |index [0-9a-f]|new file mode|deleted file mode|"
                 r"similarity index|rename (?:from|to) |old mode|new mode|\\ No newline|"
                 r"Binary files |--- |\+\+\+ |$)")


WRAP_WIDTH = 66  # a wrapped line's first part is near the client's width (72-80 columns)
WRAP_COLUMNS = 72  # the narrowest width mail clients wrap at


def wrapped_piece(width_before: int, bare: str) -> bool:
    """Whether ``bare`` (a line without its quote marks) is the rest of the line before, as
    wide as ``width_before``, that a mail client broke: that line was near the client's width,
    or this line's first word would not have fit after it ("diff --git a/tools/.../x.c" and
    "b/tools/..." on a line of its own)."""
    text = bare.strip()
    if text in ("", "--"):
        return False
    return (width_before >= WRAP_WIDTH
            or width_before + 1 + len(text.split(None, 1)[0]) > WRAP_COLUMNS)


TIGHT_QUOTE = lazy(r"^[ \t]*(?:> ?)*>")
# A diff whose header is quoted with '>' and no space (">diff --git", ">@@ -172,13"): inside it
# "> CATEGORY=..." is the context line " CATEGORY=...", not quoted prose.
TIGHT_DIFF_START = lazy(r"^[ \t]*(?:> ?)*>(?:diff --git |--- a/|\+\+\+ b/|@@ -\d)")
TIGHT_CONTEXT = lazy(r"^ (?:\t| *[{}()*/#;]| *$)")


def in_diff_after(in_diff: bool, line: str) -> bool:
    """Whether ``line`` is inside a patch's diff, given whether the line before it was: a diff
    starts at its header and ends at the first line that cannot continue it (or the ``--``
    before a mail signature). Quote prefixes are looked through, so a quoted patch is code too.
    """
    bare = QUOTE.sub("", line, count=1) if line[:1] in " \t>" else line
    if not in_diff:
        return DIFF_START.match(bare) is not None
    if bare.rstrip() == "--":
        return False
    return DIFF_BODY.match(bare) is not None


def tight_diff(in_diff: bool, tight: bool, line: str) -> bool:
    """Whether a diff quoted tightly (``tight``: its header was, see TIGHT_DIFF_START) goes on
    at ``line``: the line after its '>' marks continues a diff, its own space kept."""
    if not in_diff:
        return TIGHT_DIFF_START.match(line) is not None
    if not tight or line[:1] not in " \t>":
        return False
    body = TIGHT_QUOTE.sub("", line, count=1)
    return body.rstrip() != "--" and DIFF_BODY.match(body) is not None


def tight_context(line: str) -> bool:
    """Whether a quoted line, inside a diff, is a context line whose own space is the one after
    the quote marks (quoted with '>' and no space: "> \t\tksft_print_msg(...)" is " \t\t...")."""
    tight = TIGHT_QUOTE.sub("", line, count=1)
    return line[:1] in " \t>" and TIGHT_CONTEXT.match(tight) is not None
