"""A mail thread as triage input: each message part that holds a log is one input, and its
results carry the message they come from (``run_id`` "message N"), so every finding says
which message posted the evidence."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import FAILING, LogLine, RunId, Status
from harness.readers.ingest import Parsed
from harness.readers.mbox import Message, thread_inputs
from harness.readers.paste import COMMIT_ID
from harness.readers.prose_failures import STATED
from harness.readers.report_input import ReportInput, read_report_lines
from harness.readers.stated_failures import is_stated
from harness.readers.statements import Conclusion, StatementScanner, scan_lines
from harness.readers.strace_only import results_from_syscalls
from harness.readers.test_verdicts import says_test_to_change
from harness.readers.unread_failures import is_fallback


@dataclass(frozen=True, slots=True)
class MessageRun(RunId):
    """The run a thread's message posted: written "message N"; no filesystem of its own."""

    message: int = 0

    def __str__(self) -> str:
        return f"message {self.message}"

    @property
    def label(self) -> str:
        return str(self)


@dataclass
class ThreadInput:
    path: str
    messages: list[Message] = field(default_factory=list)
    inputs: list[tuple[Message, str, ReportInput]] = field(default_factory=list)
    straces: list[Parsed] = field(default_factory=list)  # strace parts beside a message's log
    notes: list[str] = field(default_factory=list)
    conclusion: Conclusion | None = None  # what the thread's own words say the cause was
    bisect_disputed: LogLine | None = None  # a message says the bisect result is wrong
    bisected: LogLine | None = None  # a message says the failure was bisected to a commit
    # a later message concludes the test (or the configuration) is at fault: the bisected
    # commit is what the test broke on (often the patch that added the failing cases), not a
    # kernel regression
    bisect_overruled: LogLine | None = None
    # the thread's statements, for what needs the run's facts (a feature newer than the kernel)
    statements: StatementScanner | None = None

    def reply_target(self) -> Message | None:
        """The message that posted the log to answer: the last one with a failure or a crash,
        else the last one with a skip, else the last one with any result, else the first."""
        def has(ri: ReportInput, statuses: frozenset[Status]) -> bool:
            return any(r.status in statuses for r in ri.parsed.results)

        # A message whose test output or kernel log shows the failure is the one to answer,
        # before one whose only "failure" is a line of prose (a reply that says "the bisect
        # landed on ... failure handling"): the reply quotes the log, not the discussion.
        with_shown = [m for m, _, ri in self.inputs if _shows_crash(ri) or any(
            r.status in FAILING and not is_fallback(r) and not is_stated(r)
            for r in ri.parsed.results)]
        with_failures = [m for m, _, ri in self.inputs if has(ri, FAILING)
                         or ri.parsed.crashes]
        with_skips = [m for m, _, ri in self.inputs if has(ri, frozenset({Status.SKIP}))]
        with_results = [m for m, _, ri in self.inputs if ri.parsed.results]
        chosen = with_shown or with_failures or with_skips or with_results
        if chosen:
            return chosen[-1]
        # No message shows a result or a crash: answer the report that opened the thread.
        return self.messages[0] if self.messages else None


def _drop_stated_beside_logs(inputs: list[ReportInput]) -> None:
    """A failure stated only in a message's prose is evidence when no message shows a log or an
    strace; beside one it is discussion of that log, not another failure. A later message that
    states it again for the same test (a reply quoting the patch) adds no failure either, and
    the last fallback (a line stating a failure no reader knows) is the thread's last resort:
    beside any other message's result it is that failure talked about again."""
    if any(not is_fallback(r) for ri in inputs for r in ri.parsed.results) or \
            any(_shows_crash(ri) for ri in inputs):
        for ri in inputs:
            ri.parsed.results = [r for r in ri.parsed.results if not is_fallback(r)]
    if any(not is_stated(r) for ri in inputs for r in ri.parsed.results) or \
            any(ri.parsed.syscalls for ri in inputs):
        for ri in inputs:
            ri.parsed.results = [r for r in ri.parsed.results if not is_stated(r)]
        return
    seen: set[str] = set()
    for ri in inputs:
        tests = {r.suite for r in ri.parsed.results if r.suite != STATED}
        ri.parsed.results = [r for r in ri.parsed.results if r.suite == STATED
                             or r.suite not in seen]
        seen |= tests


def _subject_made(line: LogLine | None) -> bool:
    return line is not None and line.line == 0


def _note_bisect(thread: ThreadInput, ri: ReportInput, message: Message) -> None:
    """A reply that bisected the report's failure ("The bad commit points to, commit ...")
    holds no log of its own, but its bisect is the thread's."""
    if ri.info.bisected is None or ri.robot_failure_bisect:
        return
    said = _with_commit(ri.info.bisected, message)
    # (a reply's bisect to a commit is sharper than a report's range of builds: LKFT's
    # "BAD: next-20210118" / "GOOD: next-20210115", then "This suspecting commit reverted")
    if thread.bisected is None or (not COMMIT_ID.search(thread.bisected.text)
                                   and COMMIT_ID.search(said.text)):
        thread.bisected = said


def _robot_failure_bisect(thread: ThreadInput, inputs: list[ReportInput],
                          parts: list[tuple[Message, ReportInput]]) -> None:
    """The kernel test robot's bisect of a test failure (not of a kernel crash) is the
    thread's bisect: the report's own inputs do not carry it (the thread's replies may still
    say what the failure was: an LTP test to fix - 2023's ksm01 smart scan, 2025's swapon03
    limit - and a later test-side conclusion then overrules it, ``_overrules_bisect``; a reply
    disputing it, ``bisect_disputed``). When nobody answered the robot, or no reply puts the
    failure on the test (f2fs's swapon03 EINVAL, 2021: the replies discuss the kernel's fix),
    the bisect stands."""
    robot = [(m, ri) for m, ri in parts if ri.robot_failure_bisect
             and ri.info.bisected is not None]
    if not robot:
        return
    message, first = robot[0]
    if thread.bisected is None and (said := first.info.bisected) is not None:
        thread.bisected = _with_commit(said, message)
    if len(thread.messages) > 1:
        for ri in inputs:
            if ri.robot_failure_bisect:
                ri.info.bisected = None


def _with_commit(line: LogLine, message: Message, reach: int = 3) -> LogLine:
    """The bisect's line as the message's, with the lines after it up to the commit it names
    when the line itself names none ("The bad commit points to," / "commit d55564cfc222")."""
    said = LogLine(line.line, line.text.strip(), message.label)
    if COMMIT_ID.search(line.text):
        return said
    for label, full in message.full_parts:
        if label == "body" and 0 < line.line <= len(full) and full[line.line - 1] == line.text:
            after = [t.strip() for t in full[line.line:line.line + reach]
                     if t.strip() and not t.lstrip().startswith(">")]
            for i, text in enumerate(after):
                if COMMIT_ID.search(text):
                    return LogLine(line.line, " ".join([said.text] + after[:i + 1]),
                                   message.label)
    return said


MESSAGE_NUMBER = lazy(r"^message (\d+)\b")


def _message_number(source: str) -> int:
    m = MESSAGE_NUMBER.match(source)
    return int(m.group(1)) if m else 0


def _overrules_bisect(conclusion: Conclusion | None, bisected: LogLine | None) -> LogLine | None:
    """The thread's conclusion, when it puts the failure on the test or the configuration and
    comes from a later message than the bisect (the maintainers answering the report: "the
    test should skip if /mnt/thp_fs does not exist, I'll send a fix", "LTP needs fixing")."""
    if conclusion is None or bisected is None or conclusion.category not in ("test-bug",
                                                                              "config"):
        return None
    later = _message_number(conclusion.line.source) > _message_number(bisected.source) > 0
    return conclusion.line if later else None


def _shows_crash(ri: ReportInput) -> bool:
    """The part shows a crash in its own lines (a kernel splat, a segfault), not only in a
    Subject it repeats."""
    return any(c and not _subject_made(c[0]) for c in ri.parsed.crashes)


def _drop_subject_stats_beside_logs(inputs: list[ReportInput]) -> None:
    """A reply keeps the kernel test robot's Subject ("Re: [mm/page_alloc] 2bd8eec68f:
    BUG:sleeping_function_called_..."): what the robot found, told again. Beside a message that
    shows it (the report's own console lines or results) it is no second crash or failure."""
    def shown(ri: ReportInput) -> bool:
        return any(not _subject_made(c[0] if c else None) for c in ri.parsed.crashes) or any(
            not _subject_made(r.result_line) for r in ri.parsed.results)

    if not any(shown(ri) for ri in inputs):
        return
    for ri in inputs:
        ri.parsed.crashes = [c for c in ri.parsed.crashes if c and not _subject_made(c[0])]
        ri.parsed.results = [r for r in ri.parsed.results if not _subject_made(r.result_line)]


SENTENCE_END = lazy(r"[.!?][)\"']?$")
# quotes, diffs, diffstats, a commit's trailers ("Fixes: ...", "Cc: ...")
NOT_PROSE = lazy(r"^\s*(?:>|[-+@|#$]|\S+ +\| +\d|diff --git |index [0-9a-f]+\.\.)|^\s*$|"
                 r"^[A-Z][\w-]*: ")


QUOTE_ROOM = 150  # a conclusion is quoted up to 160 characters


def whole_sentence(line: LogLine, messages: list[Message], reach: int = 4) -> LogLine:
    """The statement's sentence, not the one wrapped line of it the scanner saw: "the test to
    fail." is quoted as "... causing the test to fail.", and "... with ENOMEM. I suspect" as
    "... with ENOMEM." (the line's own lines around it, within ``reach``, joined)."""
    lines = next((full for m in messages for label, full in m.full_parts
                  if line.source == m.label + ("" if label == "body" else f" {label}")), None)
    if lines is None or not 0 < line.line <= len(lines) or NOT_PROSE.match(line.text):
        return line
    first = last = line.line - 1
    while (first > 0 and line.line - 1 - first < reach and lines[first][:1].strip()
           and lines[first].lstrip()[:1].islower() and not NOT_PROSE.match(lines[first - 1])
           and not SENTENCE_END.search(lines[first - 1].rstrip())):
        first -= 1
    text = " ".join(x.strip() for x in lines[first:last + 1])
    if not SENTENCE_END.search(text):
        cut = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
        if cut > 0 and says_test_to_change(text[cut + 2:]) and not says_test_to_change(
                text[:cut + 1]):
            # the statement is the sentence that starts on the line ("Got it. I will send a
            # fixup to skip the ... test when the mount"): it, with its continuation
            text, cut = text[cut + 2:], 0
        if cut > 0:
            text = text[:cut + 1]
        else:
            while (last + 1 < len(lines) and last - line.line + 1 < reach
                   and not NOT_PROSE.match(lines[last + 1]) and not SENTENCE_END.search(text)):
                last += 1
                text += " " + lines[last].strip()
    if len(text) > QUOTE_ROOM and first == line.line - 1 < last:
        # the statement opens the sentence ("Ok, this is a simple race in the selftests, that
        # I overlooked and which ..."): its start
        text = text[:QUOTE_ROOM].rsplit(" ", 1)[0] + " ..."
    elif len(text) > QUOTE_ROOM:  # the part of the sentence that ends where the statement does
        text = "... " + text[-QUOTE_ROOM:].split(" ", 1)[-1]
    return LogLine(first + 1, text, line.source) if text != line.text.strip() else line


def read_thread_input(path: str, default_suite: str = "") -> ThreadInput:
    thread = ThreadInput(path)
    by_message: dict[int, list[tuple[str, ReportInput]]] = {}
    for message, label, lines in thread_inputs(path):
        if message.index not in by_message:
            by_message[message.index] = []
            thread.messages.append(message)
        ri = read_report_lines(lines, lines[0].source if lines else path, default_suite,
                               message.subject if label == "body" else "")
        ri.info.statements = StatementScanner()  # the thread's conclusion is read whole, below
        by_message[message.index].append((label, ri))
        _note_bisect(thread, ri, message)
    _robot_failure_bisect(thread, [ri for parts in by_message.values() for _, ri in parts],
                          [(m, ri) for m in thread.messages for _, ri in by_message[m.index]])
    _drop_stated_beside_logs([ri for parts in by_message.values() for _, ri in parts])
    _drop_subject_stats_beside_logs([ri for parts in by_message.values() for _, ri in parts])
    for message in thread.messages:
        parts = by_message[message.index]
        has_log = any(ri.parsed.results and not ri.parsed.tap_from_writes for _, ri in parts)
        run = MessageRun("", "", message.index)
        for label, ri in parts:
            parsed = ri.parsed
            if parsed.syscalls and (not parsed.results or parsed.tap_from_writes):
                if has_log:  # an strace of the run whose log is in the same message
                    thread.straces.append(parsed)
                    continue
                if not parsed.results:
                    results_from_syscalls([parsed])  # an strace excerpt on its own
            if not (parsed.results or parsed.crashes):
                continue
            for r in parsed.results:
                r.run_id = run
            where = message.label + ("" if label == "body" else f" {label}")
            ri.notes = [f"{where}: {n}" for n in ri.notes]
            thread.inputs.append((message, label, ri))
    # Each message's subject first ("selftests: mm: cow: flag ... tests as XFAIL" says what
    # the patch is), then its parts with their diffs.
    scanner = scan_lines([
        line for message in thread.messages
        for line in [LogLine(0, message.subject, message.label)] + [
            LogLine(i, text, message.label + ("" if label == "body" else f" {label}"))
            for label, full in message.full_parts for i, text in enumerate(full, 1)]
    ])
    thread.conclusion = scanner.conclusion()
    thread.statements = scanner
    if thread.conclusion is not None:
        thread.conclusion = dataclasses.replace(
            thread.conclusion, line=whole_sentence(thread.conclusion.line, thread.messages))
    thread.bisect_disputed = scanner.bisect_disputed
    thread.bisect_overruled = _overrules_bisect(thread.conclusion, thread.bisected)
    patches = [m for m in thread.messages if m.is_patch]
    posted = sorted({m.index for m, _, _ in thread.inputs})
    where = ", ".join(str(i) for i in posted)
    count = len(thread.messages)
    thread.notes.append(f"{'stdin' if path == '-' else path}: {count} "
                        f"message{'s' if count != 1 else ''}; "
                        + (f"logs in message {where}" if posted else "no message holds a log"))
    if patches:
        dropped = sum(m.dropped_diff_lines for m in patches)
        thread.notes.append(
            f"message {', '.join(str(m.index) for m in patches)} carr"
            f"{'ies' if len(patches) == 1 else 'y'} a patch: the {dropped} lines inside the "
            "diff are code, not test output, and were not read")
    return thread
