"""A failure a patch's commit message states in words, with no log and no errno.

A fix to a selftest often says what went wrong only in prose: "It was noticed that mlock2
tests are failing after 9c4e6b1a7027f", "This leads to a division-by-zero error on systems
with !CONFIG_HUGETLB", "causing the test to read the wrong character ... and fail", or an
"Error Example:" with the tool's own line under it (``awk: not an option: -e``). Without a
result the input would read "no failures", which it is not. A statement is an unquoted prose
line (not code, not a log line, not a question, not what should or could happen, not negated
before its failure word) with a failure word, in a text that carries a patch to the
selftests; it fails each test the patch changes (its sources and scripts, named without the
extension), quoting the line - or the tool line right under a statement that ends in ``:``.
Used only when nothing else in the input is a result; what kind of cause it was is then the
patch's to say (``statements``), never this reader's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.line_kinds import LOG_LIKE
from harness.readers.prose_failures import STATED, errnos_in

# (an "error message string", "error handling", "error path" is code, no failure)
FAILURE = lazy(
    r"\b(?:fail(?:s|ed|ing|ure|ures)?|errors?(?![ -](?:messages? strings?|strings?|handling|"
    r"paths?|codes?|"
    r"reporting|checks?|cases?|values?)\b)|crash(?:es|ed)?|division[- ]by[- ]zero|"
    r"segfaults?|segmentation fault|floating point exception|dies|died|abort(?:s|ed)?|"
    r"false[- ](?:negative|positive)s?|deadlocks?|hangs?|tim(?:es|ed|ing) out)\b",
    re.IGNORECASE,
)
# Tests a patch says were skipped when they should have run: "so those became skipped", "this
# test was skipped even on XFS which has large folio support" (a test-side bug makes a test
# skip; with no failure word, the skip is the failure the patch fixes).
SKIPPED = lazy(
    r"\b(?:became|become|becomes|were|are|was|is|get|gets|got|been|being|always|silently|now)"
    r"\s+(?:(?:always|now|silently|all|then|being|unconditionally)\s+)?skipped\b",
    re.IGNORECASE)
# A skip the same sentence makes conditional is the test working as designed.
CONDITION = lazy(r"\b(?:if|when|unless|whenever)\b", re.IGNORECASE)
# Before the failure word, in its clause: the failure did not happen.
NEGATED = lazy(r"\b(?:not|never|no longer|nothing|no)\b|n't\b", re.IGNORECASE)
# What should, would or could happen is no failure that did ("the test should fail, since we
# hit the bug"); a conditional is not a report either.
HYPOTHETICAL = lazy(r"\b(?:should|would|could|must|might|may|expect(?:s|ed)?|supposed|"
                    r"ought|want(?:s|ed)?|if|unless|whether)\b", re.IGNORECASE)
# (A consequence starts a clause of its own: in "not implemented by NFSv3 ... leading to
# spurious failures" the "not" is the cause's, not the failure's.)
# An "and" that starts a new subject or a modal verb starts a clause too: in "... does not make
# sense and will even incorrectly fail", "there might not be any resident page ... and the test
# may fail" the "not" is the first clause's.
CLAUSE_BREAK = lazy(r"[.;!?]\s|,\s|\b(?:but|however|although|though|while|leading to|"
                    r"leads to|resulting in|results in|causing)\b|"
                    r"\band\s+(?=(?:the|this|that|it|they|so|thus|then|hence|therefore|"
                    r"will|may|might|can|could)\b)", re.IGNORECASE)
# A fix's hedge on the failure it fixes ("the test may fail", "can spuriously fail", "will even
# incorrectly fail"): an intermittent or environment-dependent failure, not what should happen.
# Only right before the failure word, and only with no condition or obligation in the clause.
HEDGE = lazy(r"\b(?:may|might|can|will)\s+(?:(?:even|also|then|still|randomly|"
             r"spuriously|incorrectly|wrongly|falsely|sometimes|occasionally|"
             r"intermittently|easily)\s+){0,2}$", re.IGNORECASE)
# Commit-message trailers and list furniture: never a statement.
TRAILER = lazy(r"^(?:[\w-]+-by|Fixes|Link|Cc|Closes|Reported|Suggested|Signed|"
               r"Change-Id|Message-ID|Subject|From|Date|To)\s*:", re.IGNORECASE)
CODE = lazy(r"[;{}]\s*$|^(?:#\s*include|static\b|return\b|if\s*\(|for\s*\(|/\*|\*|//)")
# A selftest source or script a patch changes; helpers, headers and build files are no test.
TEST_FILE = lazy(r"(?:^|/)selftests/[\w.-]+/(?:[\w.-]+/)*([\w.+-]+)\.(?:c|sh)$")
SUITE_DIR = lazy(r"(?:^|/)selftests/([\w.-]+)/")
NOT_A_TEST = lazy(r"(?:^|[_-])(?:common|util|utils|helpers?|lib)$|^(?:vm_util|thp_settings)$")
# A process crash a report states in words: "will reliably crash with a SIGBUS", "the daemon
# dies with SIGSEGV", "SIGBUS coredumps".
SIGNALS = {"sigbus": "SIGBUS", "bus error": "SIGBUS", "sigsegv": "SIGSEGV",
           "segmentation fault": "SIGSEGV", "sigill": "SIGILL", "sigfpe": "SIGFPE",
           "sigabrt": "SIGABRT"}
CRASH_STATED = lazy(
    r"\b(?:crash(?:es|ed)?|dies|died|killed|terminated|aborts?|coredumps?)\b[^.;]{0,40}?"
    r"\b(SIGBUS|SIGSEGV|SIGILL|SIGFPE|SIGABRT|bus error|segmentation fault)\b|"
    r"\b(SIGBUS|SIGSEGV|SIGILL|SIGFPE|SIGABRT)\b[^.;]{0,20}?\b(?:crash|coredumps?|core dump)",
    re.IGNORECASE)
# A program that panicked (Rust's "thread 'main' panicked at src/x.rs:10:5", Go's "panic: ...",
# a report's "the suite panicked after ~39 tests and nothing else ran"): a crashed process, told
# or shown. Never a kernel panic: a line that names the kernel is no program's.
PANICKED = lazy(r"\bpanick(?:ed|ing)\b|^panic: \S|\bpanic (?:killed|aborted|stopped|took)\b",
                re.IGNORECASE)
KERNEL_WORD = lazy(r"(?<![/\w])kernel\b(?!/)|\bOops\b|\bBUG:", re.IGNORECASE)
# (a path such as /sys/kernel/mm/hugepages names no kernel)
# A failed assertion ends the program with abort(): glibc's "prog: f.c:12: main: Assertion
# `x' failed.", "Assertion '0' failed in pkg/noun/manage.c:1810" (urbit vere #624).
ASSERTION_FAILED = lazy(r"\bAssertion [`'\"].{1,200}?[`'\"] failed\b")
WRAPPED_ASSERTION = lazy(r"\bAssertion\s*$")
# A program's own error line: "Error booting VM: VmBoot(KernelLoad(...))", "FATAL: ...", also
# under its component's tag ("EAL: FATAL: Cannot get hugepage information.", DPDK) and with
# the backtick of an inline code span in front.
PG_ZONE = r"(?:[A-Z]{2,5}|[+-]\d\d(?::?\d\d)?)"  # "UTC", "CDT", "+04"
# PostgreSQL's log_line_prefix before its level ("2020-07-19 03:38:05.728 CDT [213] FATAL:",
# "2013-08-23 13:00:27 UTC FATAL:", and what is left once a paste's ISO stamps are taken off:
# "CDT [213] FATAL:", "UTC FATAL:").
PG_STAMP = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?\s+"
PG_PREFIX = (r"(?:(?:" + PG_STAMP + r")?(?:" + PG_ZONE + r"\s+)?\[\d+\](?:-\d+)?\s+|"
             + PG_STAMP + PG_ZONE + r"\s+|[A-Z]{3,5}\s+(?=(?:FATAL|ERROR|PANIC):))")
TOOL_ERROR = lazy(r"^[`'\"]?(?:" + PG_PREFIX + r")?(?:[\w.-]{1,24}:\s+)?"
                  r"(?:Error|ERROR|Fatal|FATAL|PANIC)(?: [a-z]+ing\b[^:]{0,40})?:\s+\S")
# The same prefixed lines run together into one by a service wrapper ("The PostgreSQL server
# failed to start. Please check the log output: 2017-09-23 06:17:11.595 UTC [12433] FATAL: ...
# 2017-09-23 06:17:11.595 UTC [12433] DETAIL: ...", kali-nethunter #999): split before each.
RUN_TOGETHER = lazy(r"\s(?=" + PG_STAMP + PG_ZONE + r"\s+(?:\[\d+\]\s+)?[A-Z]+:\s)")
LEVEL = lazy(r"^[`'\"]?(?:" + PG_PREFIX + r")?([^:]*)")
# The call a program's error detail names: PostgreSQL's "DETAIL:  Failed system call was
# shmget(key=1, size=56, 03600)." (and "semget", "shmat" ...).
FAILED_CALL = lazy(r"\b[Ff]ail(?:ed|ing) system call (?:was|is):?\s+`?([a-z_][a-z0-9_]*)\(")
# An error line about huge pages is itself the request for them ("Cannot get hugepage info").
NAMES_HUGE = lazy(r"\bhuge ?pages?\b|\bhugetlb", re.IGNORECASE)
# Huge pages asked for, and a hugetlb pool the text shows empty or never set up.
HUGE_REQUEST = lazy(r"hugepages?=on|hugepage_size=|MAP_HUGETLB|HUGETLB_MORECORE|"
                    r"--hugepages?\b|hugetlbfs", re.IGNORECASE)
HUGE_NONE = lazy(
    r"nr_hugepages\W{0,4}=?\s*0\b|echo 0 > \S*nr_hugepages|HugePages_(?:Total|Free):\s*0\b|"
    r"\bno free huge ?pages\b|"
    r"\b(?:no|not|without|never)\b.{0,60}\bhuge ?pages?\b.{0,30}\b(?:available|reserved|"
    r"enabled|allocated)|\bhuge ?pages?\b.{0,40}\b(?:not|never) (?:been )?(?:available|reserved|"
    r"enabled|allocated)", re.IGNORECASE)
# Huge pages reserved but no hugetlbfs mounted where the program looks: "EAL: 1024 hugepages of
# size 2097152 reserved, but no mounted hugetlbfs found for that size" (DPDK).
HUGE_UNMOUNTED = lazy(r"\bno (?:mounted )?hugetlbfs\b.{0,30}\b(?:found|mounted|mount)\b|"
                      r"\bhugetlbfs\b.{0,20}\bnot mounted\b|\bno hugetlbfs mount",
                      re.IGNORECASE)
MAX_LINES = 3000  # a commit message is short; a long input is a log
MAX_LONG, MAX_PARAGRAPH = 50, 4000  # long prose lines kept, and the longest
MAX_STATEMENT = 300  # a statement is a line or a sentence; longer is no prose
# Right before a failure word: it happens every time.
ALWAYS = lazy(r"\b(?:always|consistently|reliably|invariably|systematically|"
              r"deterministically)\s+$", re.IGNORECASE)
# A sentence that points back to the one before it for its cause.
ANAPHOR = lazy(r"(?:In (?:that|this|such a|which) case|As a (?:result|consequence)|"
               r"Consequently|Because of (?:this|that)|Due to (?:this|that)|Thus|Hence|"
               r"Then|So)\b", re.IGNORECASE)
SENTENCE_END = lazy(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
STATED_NAME = " (stated)"  # how this reader and ``prose_failures`` name a result from words


def is_stated(r: Result) -> bool:
    """A result whose only evidence is what the text says (this reader's or the prose reader's),
    not a log line."""
    return r.suite == STATED or r.name.endswith(STATED_NAME)


@dataclass
class Reader:
    lines: list[LogLine] = field(default_factory=list)
    # a markdown paragraph is one long line: kept apart, for the last fallback to read by
    # sentence (``unread_failures``)
    long_lines: list[LogLine] = field(default_factory=list)

    def feed(self, line: LogLine) -> None:
        if len(self.lines) < MAX_LINES and len(line.text) <= MAX_STATEMENT:
            self.lines.append(line)
        elif len(self.long_lines) < MAX_LONG and len(line.text) <= MAX_PARAGRAPH:
            self.long_lines.append(line)

    def _sentences(self) -> list[LogLine]:
        """The lines, and the long ones (a paragraph the unwrapper joined into one line: a
        commit message's 7-line paragraph is some 500 characters) a sentence at a time."""
        pieces = [LogLine(x.line, sentence, x.source) for x in self.long_lines
                  for sentence in SENTENCE_END.split(x.text) if 0 < len(sentence) <= MAX_STATEMENT]
        return sorted(self.lines + pieces, key=lambda x: x.line)

    def results(self, patched: list[str]) -> list[Result]:
        """One failed result per test the patch changes, quoting the first statement; none
        when the text carries no patch to the selftests or states no failure."""
        tests = _tests(patched)
        if not tests:
            return []
        stated, status = self._statement(FAILURE), Status.FAIL
        if stated is None:
            stated, status = self._statement(SKIPPED), Status.SKIP
        if stated is None:
            return []
        message = self._with_antecedent(stated, self._sentence_of(stated))
        return [Result(test, 1, f"{test}{STATED_NAME}", "", status, message,
                       result_line=stated) for test in tests]

    def _with_antecedent(self, stated: LogLine, message: str) -> str:
        """A statement that points back ("In that case the logic ... will even incorrectly
        fail", "As a result ... the test may fail") with the sentence it points to in front:
        the cause is there ("If not enough physical memory is available the kernel may fail
        mmap()")."""
        if not ANAPHOR.match(message):
            return message
        sentences = self._sentences()
        index = next((i for i, x in enumerate(sentences) if x is stated), -1)
        if index < 0:
            index = next((i for i, x in enumerate(sentences)
                          if x.line == stated.line and x.text == stated.text), -1)
        # the nearest sentence above it, across the blank line of a paragraph break
        previous = next((t for x in sentences[max(index - 3, 0):max(index, 0)][::-1]
                         if (t := x.text.strip())), "")
        if (not previous or LOG_LIKE.match(previous) or CODE.search(previous)
                or TRAILER.match(previous) or len(previous) + len(message) > 2 * MAX_STATEMENT):
            return message
        return f"{previous} {message}"

    def _sentence_of(self, stated: LogLine) -> str:
        """The statement with the start of its sentence from the lines above it, when a mail
        client's wrap left them apart ("... under /sys/kernel/mm/ksm, which" / "requires" /
        "root privileges. When run unprivileged, it fails ..."): the cause is often there."""
        # the lines fed before it, nearest first (an unwrapped line keeps its first number)
        before = [x for x in self.lines if stated.line - 4 <= x.line < stated.line][::-1]
        pieces, line = [stated.text.strip()], stated.line
        for x in before[:3]:
            text = x.text.strip()
            if (x.line < line - 3 or not text or text.endswith((".", "!", "?", ":"))
                    or LOG_LIKE.match(text) or CODE.search(text)):
                break
            pieces.insert(0, SENTENCE_END.split(text)[-1])
            if SENTENCE_END.search(text):
                break
            line = x.line
        joined = " ".join(pieces)
        return joined if len(joined) <= MAX_STATEMENT else pieces[-1]

    def crashes_or_errors(self, commands: list[LogLine]) -> list[Result]:
        """A crash the text states in words (with its signal), else a program's own error lines;
        each with the lines (``commands`` the text shows among them) that show huge pages asked
        for where none were reserved."""
        out: list[Result] = []
        for line in self._prose():
            if m := CRASH_STATED.search(line.text):
                signal = SIGNALS.get((m.group(1) or m.group(2) or "").lower(), "")
                if signal:
                    out.append(Result(STATED, 1, f"a process ({signal}){STATED_NAME}", "",
                                      Status.CRASH, f"{line.text.strip()} (killed by {signal})",
                                      result_line=line))
                    break
        if not out and (panicked := self._panicked()) is not None:
            out.append(Result(STATED, 1, f"a process (panic){STATED_NAME}", "", Status.CRASH,
                              f"{panicked.text.strip()} (the process panicked)",
                              result_line=panicked))
        if not out and (failed := self._assertion()) is not None:
            out.append(Result(STATED, 1, f"a process (assertion){STATED_NAME}", "",
                              Status.CRASH, f"{failed.text.strip()} (the process aborted on a "
                              "failed assertion)", result_line=failed,
                              errno=self._errno_before(failed)))
        if not out:
            out = self._tool_errors()
        context = self._hugetlb_context(
            commands, [r.result_line for r in out if r.result_line is not None
                       and r.status is Status.FAIL and NAMES_HUGE.search(r.result_line.text)])
        for r in out:
            r.diagnostics = context + r.diagnostics
        return out

    def _tool_errors(self) -> list[Result]:
        """A program's own error lines, each failure once: the same line said again (quoted
        in the prose) is the same failure, and when some lines name an errno the others are
        what followed from it ("Error: initdb failed" under PostgreSQL's "FATAL: could not
        create shared memory segment: Function not implemented"). The call a following line
        names ("DETAIL:  Failed system call was shmget(key=1, ...)") is the failure's."""
        # (a service wrapper's run-together log is one long line: read it too)
        lines = sorted(self.lines + [x for x in self.long_lines if RUN_TOGETHER.search(x.text)],
                       key=lambda x: x.line)
        pieces = [(line, text.strip()) for line in lines
                  for text in RUN_TOGETHER.split(line.text) if text.strip()]
        errors: list[tuple[int, LogLine, str]] = []
        for i, (line, text) in enumerate(pieces):
            if TOOL_ERROR.match(text) and text not in {t for _, _, t in errors}:
                errors.append((i, line, text))
        errors = [e for e in errors if errnos_in(e[2])] or errors
        out = []
        for n, (i, line, text) in enumerate(errors[:5]):
            after = [t for x, t in pieces[i + 1:i + 4] if x.line <= line.line + 2]
            named = next((m.group(1) for t in after if (m := FAILED_CALL.search(t))), None)
            out.append(Result("command", n + 1, f"{_level(text)}{STATED_NAME}", "",
                              Status.FAIL, text, result_line=line, syscall=named,
                              errno=_first_errno(text) if named else None,
                              syscall_source="diagnostic" if named else ""))
        return out

    def _hugetlb_context(self, commands: list[LogLine], asking: list[LogLine]) -> list[LogLine]:
        lines = sorted(self.lines + commands, key=lambda x: x.line)
        request = [x for x in lines if HUGE_REQUEST.search(x.text)] or asking
        none = [x for x in lines if HUGE_NONE.search(x.text) or HUGE_UNMOUNTED.search(x.text)]
        return (request[:1] + [x for x in none[:2] if x not in request[:1]]) if request and none \
            else []

    def _panicked(self) -> LogLine | None:
        """The first line that shows or says a program panicked, not what would happen ("it
        panics if the directory is missing"), not negated, not the kernel's."""
        for line in self.lines:
            text = line.text.strip()
            m = PANICKED.search(text)
            if m is None or KERNEL_WORD.search(text) or CODE.search(text) or text.endswith("?"):
                continue
            start = _clause_start(text, m.start())
            if NEGATED.search(text, start, m.start()) or HYPOTHETICAL.search(_clause(text, start)):
                continue
            return line
        return None

    def _errno_before(self, failed: LogLine) -> str | None:
        """The errno the program printed on the line right above its failed assertion ("FAILED:
        errno=38 (Function not implemented)" over rr's sysfs test's assert): why it aborted."""
        above = [x for x in self.lines if failed.line - 2 <= x.line < failed.line]
        if not above or ASSERTION_FAILED.search(above[-1].text):
            return None
        found = errnos_in(above[-1].text)
        return found[0][1] if len(found) == 1 else None

    def _assertion(self) -> LogLine | None:
        """The first line that shows a program's failed assertion (not the kernel's); glibc's
        message wrapped by a mail client after its "Assertion" ("sysfs: sysfs.c:9: main:
        Assertion" / "`check_cond(num_types > 0)' failed.") is read as the one line it was."""
        for index, x in enumerate(self.lines):
            text = x.text
            if WRAPPED_ASSERTION.search(text) and index + 1 < len(self.lines) \
                    and self.lines[index + 1].line == x.line + 1:
                text = f"{text.rstrip()} {self.lines[index + 1].text.strip()}"
            if ASSERTION_FAILED.search(text) and not KERNEL_WORD.search(text):
                return x if text is x.text else LogLine(x.line, text, x.source)
        return None

    def _prose(self) -> list[LogLine]:
        return [x for x in self.lines
                if (t := x.text.strip()) and not LOG_LIKE.match(t) and not CODE.search(t)
                and not t.endswith("?") and "://" not in t]

    def _statement(self, said: re.Pattern[str]) -> LogLine | None:
        """The first statement of a failure (``said``: a failure word, or a skip)."""
        lines = self._sentences()
        for index, line in enumerate(lines):
            text = line.text.strip()
            if (not text or LOG_LIKE.match(text) or TRAILER.match(text) or CODE.search(text)
                    or "://" in text or text.endswith("?")):
                continue
            m = said.search(text)
            if m is None:
                continue
            start = _clause_start(text, m.start())
            if NEGATED.search(text, start, m.start()) or _hypothetical(text, start, m.start()):
                continue
            if said is SKIPPED and CONDITION.search(text, 0, m.start()):
                continue  # "If NUMA is not enabled ..., then the test is skipped": by design
            if text.endswith(":") and index + 1 < len(lines) \
                    and (shown := lines[index + 1]).text.strip():
                return shown  # "Error Example:" and the tool's line under it
            return line
        return None



def one_test(patched: list[str]) -> str:
    """The test a patch changes, when it changes exactly one (the name of results that have
    none: kselftest_harness output quoted in the patch's commit message)."""
    tests = _tests(patched)
    return tests[0] if len(tests) == 1 else ""


def _tests(patched: list[str]) -> list[str]:
    """The tests a patch changes; when it changes only a suite's headers, helpers or settings
    (a build fix in pkey-powerpc.h, the suite's timeout), the suite ("mm")."""
    names: list[str] = []
    for path in patched:
        m = TEST_FILE.search(path)
        if m and not NOT_A_TEST.search(m.group(1)) and m.group(1) not in names:
            names.append(m.group(1))
    if not names:
        names = list(dict.fromkeys(m.group(1) for p in patched if (m := SUITE_DIR.search(p))))
    return names[:5]


def _clause_start(text: str, column: int) -> int:
    start = 0
    for m in CLAUSE_BREAK.finditer(text, 0, column):
        start = m.end()
    return start


def _clause(text: str, start: int) -> str:
    """The clause of ``text`` that starts at ``start``."""
    end = CLAUSE_BREAK.search(text, start)
    return text[start:end.start() if end else len(text)]


def _hypothetical(text: str, start: int, column: int) -> bool:
    """Whether the clause of the failure word at ``column`` says what should, would or could
    happen, not what did; a fix's hedge right before the word ("the test may fail") is no
    hypothesis, unless the clause also has one of its own ("may fail if ..."). A failure said
    to happen every time ("It always fails if KDIR points to an out-of-tree build", "causes
    the test to consistently fail when ...") is a fact, and its "if" the failure's condition."""
    clause = _clause(text, start)
    if ALWAYS.search(text, start, column) and not HYPOTHETICAL.search(text, start, column):
        return False
    hedge = HEDGE.search(text, start, column)
    if hedge is not None:
        offset = hedge.start() - start
        clause = clause[:offset] + clause[offset + len(hedge.group(0)):]
    return HYPOTHETICAL.search(clause) is not None


def _first_errno(text: str) -> str | None:
    found = errnos_in(text)
    return found[0][1] if found else None


def _level(text: str) -> str:
    """The error line's own word before its colon, its log prefix left out ("FATAL")."""
    m = LEVEL.match(text)
    return m.group(1) if m else text.split(":", 1)[0]
