"""A plain-text reply for a kernel mailing list: conclusion first, one paragraph per cause.

Every line fits in 72 columns; quoted log lines are hard-wrapped (at most three lines, then
cut with a marker). No markdown: this is read in mutt and on lore.kernel.org.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import formataddr, getaddresses, parseaddr, parsedate_to_datetime

import harness
from harness.lazy_regex import lazy
from harness.model import FAILING, Category, Finding, LogLine, Report, Result, Status
from harness.readers.ktap import CRASH
from harness.readers.mbox import Message
from harness.readers.prose_failures import STATED
from harness.readers.stated_failures import is_stated
from harness.report.common import (
    UNDIAGNOSED,
    all_findings,
    clean_text,
    compact_numbers,
    finding_size,
    first_sentence,
    results_of,
    severity_rank,
    test_list,
    where_from,
)

WIDTH = 72
BETWEEN_TESTS = "(between tests)"  # the test id of a crash no test result is tied to
QUOTE_INDENT = "    "
MAX_EVIDENCE = 6  # quoted lines per finding
MAX_QUOTE_ROWS = 3  # physical lines one quoted log line may take
CUT = " [...]"

# What explains a failure, as the end of "explained by ...".
BY_CATEGORY = {
    Category.ENV: "the environment",
    Category.CONFIG: "the kernel configuration",
    Category.KNOWN_ISSUE: "known issues",
    Category.TEST_BUG: "bugs in the tests themselves",
    Category.KERNEL_BUG: "a kernel bug",
    Category.UNKNOWN: "no known cause",
}
# (singular, plural) verb phrases for what a test did.
VERBS = {
    Status.FAIL: ("fails", "fail"),
    Status.SKIP: ("is skipped", "are skipped"),
    Status.TIMEOUT: ("times out", "time out"),
    Status.CRASH: ("crashes", "crash"),
    Status.ERROR: ("ends in an error", "end in an error"),
    Status.MISSING: ("never reports a result", "never report a result"),
    Status.XFAIL: ("fails as expected", "fail as expected"),
    Status.XPASS: ("passes unexpectedly", "pass unexpectedly"),
    Status.PASS: ("passes", "pass"),
}
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEST_ID = lazy(r"(?P<suite>[\w.-]+) #(?P<number>\d+)\b")


# --- phrasing helpers (the terminal writer uses some of them too) ----------------------------

def count_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def plural(n: int, singular: str, many: str | None = None) -> str:
    return f"{count_word(n)} {singular if n == 1 else (many or singular + 's')}"


def ids_list(test_ids: Iterable[str], limit: int = 8) -> str:
    """The same for bare test ids ("gup_longterm #3: ...") when no result objects are known."""
    groups: dict[str, list[int]] = {}
    for test_id in test_ids:
        m = TEST_ID.search(test_id)
        if m:
            groups.setdefault(m["suite"], []).append(int(m["number"]))
    return "; ".join(f"{suite} {compact_numbers(nums, limit)}" for suite, nums in groups.items())


def verb_phrase(results: Sequence[Result]) -> str:
    statuses = Counter(r.status for r in results)
    index = 0 if len({(r.suite, r.number, r.name) for r in results}) == 1 else 1
    return " or ".join(VERBS.get(s, (str(s), str(s)))[index] for s, _ in statuses.most_common())


def subject(results: Sequence[Result], with_run: bool = False) -> str:
    """ "The 10 'local tmpfile' gup_longterm tests (3, 8 ... 48)" or one test by name."""
    suites = list(dict.fromkeys(r.suite for r in results))
    suite = suites[0] if len(suites) == 1 else "mm"
    if len({(r.suite, r.number, r.name) for r in results}) == 1:  # one test, maybe many runs
        r = results[0]
        if is_stated(r):  # taken from the report's words: it has no number or name of its own
            return "The program the report describes" if r.suite == STATED else (
                f"The {r.suite} test the report describes")
        what = f" ('{r.description}' with {r.config})" if r.config and r.description else (
            f" ('{r.name}')" if r.name else "")
        # (a thread's "message N" is the harness's own label: the reply names the message by
        # who wrote it, under "X wrote:", never by that number)
        runs = list(dict.fromkeys(str(x.run_id) for x in results if x.run_id
                                  and not str(x.run_id).startswith("message ")))
        run = f" on {_and(runs)}" if (with_run or len(results) > 1) and runs else ""
        return f"{r.suite} test {r.number}{what}{run}"
    configs = list(dict.fromkeys(r.config for r in results))
    descriptions = list(dict.fromkeys(r.description for r in results))
    if len(configs) == 1 and configs[0]:
        qualifier = f"'{configs[0]}' "
    elif len(descriptions) == 1 and descriptions[0]:
        qualifier = f"'{descriptions[0]}' "
    else:
        qualifier = ""
    return f"The {len(results)} {qualifier}{suite} tests ({test_list(results)})"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def common_call(results: Sequence[Result]) -> str:
    """ "ftruncate() returns ENOENT" when every result names the same failed call."""
    calls = {(r.syscall, r.errno) for r in results}
    if len(calls) != 1:
        return ""
    syscall, errno = calls.pop()
    return f"{syscall}() returns {errno}" if syscall and errno else ""


def explained_by(counts: Counter[str]) -> str:
    """ "the environment" or "the environment (10) and the kernel configuration (2)"."""
    ordered = sorted(counts.items(), key=lambda kv: severity_rank(kv[0]))
    if len(ordered) == 1:
        return _by(ordered[0][0])
    parts = [f"{_by(cat)} ({n})" for cat, n in ordered]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _by(category: str) -> str:
    try:
        return BY_CATEGORY[Category(category)]
    except ValueError:
        return category


def conclusion(report: Report) -> str:
    """The verdict in words, counted from the results."""
    results = report.results
    failing = [r for r in results if r.status in FAILING]
    category: Counter[str] = Counter(
        str(r.diagnosis.category) if r.diagnosis else UNDIAGNOSED for r in failing)
    kernel = category.pop(str(Category.KERNEL_BUG), 0)
    unknown = category.pop(str(Category.UNKNOWN), 0) + category.pop(UNDIAGNOSED, 0)
    others = sum(category.values())
    n = len(failing)
    sentences = []
    if not results and report.findings:
        sentences.append(_from_findings(report))
    elif not results:
        sentences.append("The report shows no test output - no test results, kernel log or "
                         "failed call - so there is nothing here to triage: the output of the "
                         "failing test (and the kernel log of that run) would settle it.")
    elif n == 0:
        sentences.append(_nothing_failed(report))
    elif kernel:
        sentences.append(_kernel_sentence(report, failing))
        if unknown:
            sentences.append(f"{_cap(plural(unknown, 'other'))} could not be explained.")
        if others:
            sentences.append(f"The remaining {others} {'is' if others == 1 else 'are'} "
                             f"explained by {explained_by(category)}.")
    elif unknown == n:
        sentences.append("The failure matches no known cause, so it may point at the kernel."
                         if n == 1 else f"None of the {n} failures matches a known cause, so "
                         "they may point at the kernel.")
    elif unknown:
        sentences.append(f"No failure is a known kernel bug, but {count_word(unknown)} of the "
                         f"{plural(n, 'failure')} could not be explained and may point at the "
                         "kernel.")
        if others:
            sentences.append(f"The other {others} {'is' if others == 1 else 'are'} explained "
                             f"by {explained_by(category)}.")
    elif n == 1:
        sentences.append(f"The failure does not point at the kernel: it is explained by "
                         f"{explained_by(category)}.")
    else:
        every = "both failures are" if n == 2 else f"all {n} failures are"
        sentences.append(f"None of the failures points at the kernel: {every} explained by "
                         f"{explained_by(category)}.")
    return " ".join(_asides(report, failing, bool(kernel), sentences)
                    + _skip_sentences(results, bool(failing)))


def _asides(report: Report, failing: Sequence[Result], kernel: bool,
            sentences: list[str]) -> list[str]:
    """The verdict's sentences with what a reader would otherwise miss: the same failures
    posted again in several messages, a kernel crash beside failures explained otherwise."""
    if sentences and (repeated := _repeated(failing)):
        sentences[0] = sentences[0].rstrip(".") + f" ({repeated})."
    if failing and not kernel and (crash := _kernel_crash_causes(report)):
        sentences.append(f"But the kernel itself reported a crash or warning during the run "
                         f"({', '.join(crash)}), and that points at the kernel.")
    return sentences


def _nothing_failed(report: Report) -> str:
    """No test failed: nothing points at the kernel - unless the kernel itself crashed."""
    n = len(report.results)
    if crash := _kernel_crash_causes(report):
        passed = "the one test passed" if n == 1 else f"none of the {n} tests failed"
        return (f"The kernel itself reported a crash or warning during the run "
                f"({', '.join(crash)}), although {passed}: that points at the kernel.")
    return "Nothing points at the kernel: " + (
        "the one test did not fail." if n == 1 else f"none of the {n} tests failed.")


def _repeated(failing: Sequence[Result]) -> str:
    """ "one test, in three messages" when a thread's messages post the same failures again."""
    tests = {(r.suite, r.number, r.name) for r in failing}
    runs = {str(r.run_id) for r in failing if r.run_id}
    if len(tests) == len(failing) or len(runs) < 2:
        return ""
    return f"{plural(len(tests), 'test')}, in {plural(len(runs), 'message')}"


def _kernel_crash_causes(report: Report) -> list[str]:
    """Causes of the kernel-bug findings that explain no test result (an Oops, a panic)."""
    return sorted({f.cause for f in report.findings if f.category == Category.KERNEL_BUG
                   and not results_of(report, f)})


def _skip_sentences(results: Sequence[Result], failing: bool) -> list[str]:
    skipped = [r for r in results if r.status == Status.SKIP]
    if not skipped:
        return []
    passed = sum(r.status == Status.PASS for r in results)
    out = [_skips(skipped, passed, "Of the other tests, " if failing else "")]
    odd = [r for r in skipped if r.diagnosis and r.diagnosis.category == Category.UNKNOWN]
    if odd:
        have = "has" if len(odd) == 1 else "have"
        out.append(f"{_cap(plural(len(odd), 'skip'))} {have} no known cause and could hide a "
                   f"kernel problem: {test_list(odd, with_suite=True)}.")
    return out


def _kernel_sentence(report: Report, failing: Sequence[Result]) -> str:
    """ "Both failures point at a kernel bug (cause): the 2 cow tests (3, 4) fail." """
    kernel_results = [r for r in failing if r.diagnosis
                      and r.diagnosis.category == Category.KERNEL_BUG]
    kernel, n = len(kernel_results), len(failing)
    causes = sorted({r.diagnosis.cause for r in kernel_results if r.diagnosis})
    if kernel == n:
        who = "The failure" if n == 1 else "Both failures" if n == 2 else f"All {n} failures"
    else:
        who = f"{_cap(count_word(kernel))} of the {plural(n, 'failure')}"
    return (f"{who} {'points' if kernel == 1 else 'point'} at a kernel bug "
            f"({', '.join(causes)}): {_what_happened(kernel_results, several_runs(report))}.")


def _from_findings(report: Report) -> str:
    """The verdict of an input without results whose findings stand alone (a crash pasted
    without the tests around it)."""
    worst = min(report.findings, key=lambda f: severity_rank(str(f.category)))
    if worst.category == Category.KERNEL_BUG:
        return (f"This points at a kernel bug ({worst.cause}), although the report shows no "
                "test result around it.")
    if worst.category == Category.UNKNOWN:
        return ("The report shows no test result, and what it shows matches no known cause "
                f"({worst.cause}).")
    return (f"The report shows no test result; what it shows is explained by "
            f"{_by(str(worst.category))} ({worst.cause}).")


def _skips(skipped: Sequence[Result], passed: int, lead: str) -> str:
    """ "Of the other tests, 4 passed and 36 were skipped, because of ..." (lead may be "")."""
    why = Counter(str(r.diagnosis.category) for r in skipped  # unknown ones are named next
                  if r.diagnosis and r.diagnosis.category != Category.UNKNOWN)
    reason = f", because of {explained_by(why)}" if why else ""
    were = "was" if len(skipped) == 1 else "were"
    if passed:
        return _cap(f"{lead}{passed} passed and {len(skipped)} {were} skipped{reason}.")
    other = "other " if lead else ""
    return f"The {other}{plural(len(skipped), 'test')} {were} skipped{reason}."


def several_runs(report: Report) -> bool:
    return len({r.run_id for r in report.results}) > 1


def _what_happened(results: Sequence[Result], with_run: bool) -> str:
    text = subject(results, with_run)
    if len(results) > 1:
        text = text[0].lower() + text[1:]
    return f"{text} {verb_phrase(results)}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- who said what: the words a mail uses for the harness's own references ------------------

# A path the harness read (the thread or pasted file), with a line number: "x.txt L26: ".
# Only a reference (a line number follows): a file name the report itself mentions stays.
_INPUT_REF = lazy(r"(?<![\w/.-])(?:(?:[\w.~+-]*/)*[\w.+-]+\.(?:txt|log|mbox|mbx|eml|mail|gz"
                  r"|json)|<?stdin>?)(?::L\d+| L\d+):? ?")
STDIN = ("stdin", "<stdin>", "-")  # what the harness calls a log piped to it
_LINE_REF = lazy(r" at L\d+\b|\(L\d+\) ?|(?<=\()L\d+: |\bL\d+: ")
_HARNESS_CMD = lazy(r" ?\(harness [a-z]+ [^()]*\)")
_HARNESS_FLAG = lazy(r"(?<![\w-])--(?:fs|tmp-fs|suite|kernel-version|selftests-version|"
                     r"strace|out|rules)\b")
_THREAD_SUMMARY = lazy(r"^\S.*: \d+ messages?; (?:logs in|no message)")
_NOT_READ = lazy(r"were not read|are code, not test output|is the same file as .*: read "
                 r"once|nothing in it can be judged, so the verdict is")
_STATED_TEST = lazy(r"(?<![\w.-])(?P<suite>[\w.-]+) test #\d+ "
                    r"\((?:[^()]|\([^()]*\))*?\(stated\)(?:[^()]|\([^()]*\))*\)")
# The name a reader gives a suite it could not name ("the selftest test #45").
_PLACEHOLDER_SUITE = lazy(r"(?<=\bthe )selftest (?=tests?\b)|(?<=\bThe )selftest (?=tests?\b)"
                          r"|(?<=\d )selftest (?=tests?\b)|of selftest \(")
# The names a reader gives what is no selftest (a failed call of a tool's message or an strace,
# a failure stated in words), said as a maintainer would: "the fallocate() call", not "the
# strace test #1 (fallocate())".
_CALL_NAME = r"(?P<call>[a-z_0-9]+\(\))(?P<rest>[^()]*(?:\([^()]*\)[^()]*)*)"
_PLACEHOLDER_WORDS = (
    (lazy(r"\b(?P<the>[Tt]he )?(?:strace|command) test #?\d+ \(" + _CALL_NAME + r"\)"),
     lambda m: f"{'T' if (m['the'] or 't')[0] == 'T' else 't'}he {m['call']} call"
     + (f" ({m['rest'].strip()})" if m["rest"].strip() else "")),
    (lazy(r"\b(?P<the>[Tt]he )?(?P<n>\d+) (?:strace|command) tests(?: with [\w ]+?)?"
          r"(?= fail| were| are| is| ended| did)"),
     lambda m: f"{'The' if m['the'] and m['the'][0] == 'T' else 'the'} {m['n']} calls"),
    (lazy(r"\b(?P<the>[Tt]he )?(?P<n>\d+) report tests\b"),
     lambda m: f"{'The' if m['the'] and m['the'][0] == 'T' else 'the'} {m['n']} failures "
               "the report states"),
    (lazy(r"(?<=[\w-])/selftest (?=tests?\b)"), " "),
    (lazy(r"(?<=\] )selftest (?=\d)"), ""),  # "[Miaohe Lin] selftest 5, 6" in a list
    (lazy(r"\b(?:[Tt]he )?selftest test #?(?=\d)"), "test "),
)
# A patch's diffstat line quoted as what someone "wrote": the sentence already names the
# files, so say whose patch it is.
_DIFFSTAT_QUOTE = lazy(r"(?P<who>[A-Z][^.:()']*?) wrote(?P<when> on [^:']+)?: "
                       r"'[\w./-]+ +\| +\d+ [+-]+'\.?")
# One message's tests named twice in a row in a test list.
_SAME_RUN = lazy(r"(\[[^\]]+\]) ([^\[\]()]*?); \1 ")
# Causes a result was checked against; "the report does not say the cause is X" is no news.
_RULED_OUT = lazy(r"Known causes were considered and ruled out by the run: (.*?)\. "
                  r"(?=No known)")
_NOT_SAID = "the report does not say"
# The harness's own options named inside a rule's words: the list cannot pass them.
_OPTION_ASIDE = ((lazy(r" ?\((?:use |with )?--[a-z][\w-]*\)"), ""),
                 (lazy(r"pass --fs to confirm"), "knowing it would settle this"),
                 (lazy(r" is not known: pass --[a-z][\w-]*"),
                  " is not known, and knowing it would settle this"))
# Notes in the harness's words, said the way the list would read them.
_REPHRASE = ((lazy(r"nothing in the text is a result any reader knows: \d+ line\(s\) that "
                   r"states? a failure(?: \([^)]*\))? are taken as the failure, and no "
                   r"rule knows them"),
              ("no test output shows the failure: it is taken from the line that states it, "
               "and no known cause matches it")),)
# A rule's words for a failure a report only states (no log): what the report names instead.
_NO_LOG = ((lazy(r"no (environment or configuration|environment|configuration) cause "
                 r"(?:in the log )?explains (it|them)"),
            r"the report names no \1 cause for \2"),
           (lazy(r"the log alone does not show it"), "the report has no log to show it"))


@dataclass
class Voice:
    """How a mail names where its evidence came from. A reply to a thread names each message
    by its author ("your message", "Lorenzo Stoakes's message"), not "message 2 (...) L43"
    (lines of the harness's copy of the thread); no mail names the harness's input paths or
    its own options, and a report without a log is not said to have one."""

    messages: Sequence[Message] = ()
    target: Message | None = None
    quoted: set[LogLine] = field(default_factory=set)  # lines the reply already quotes

    @property
    def reply(self) -> bool:
        return self.target is not None

    def who(self, message: Message) -> str:
        name, when = self.author(message)
        if name == "you":
            return "your message" + (f" of {when}" if when else "")
        if name in ("the report", f"message {message.index}"):
            return name
        return f"{name}'s message" + (f" of {when}" if when else "")

    def author(self, message: Message) -> tuple[str, str]:
        """(name, when): "you" for the message replied to; ``when`` only tells apart two
        messages of one sender."""
        name = parseaddr(message.sender)[0] or parseaddr(message.sender)[1]
        if not name:  # a text without headers: nobody to call "you"
            return ("the report" if len(self.messages) == 1 else f"message {message.index}"), ""
        same = [m for m in self.messages if parseaddr(m.sender) == parseaddr(message.sender)]
        when = _short_date(message.date) if len(same) > 1 else ""
        if self.target is not None and message.index == self.target.index:
            return "you", ""
        if self.target is not None and parseaddr(self.target.sender) == parseaddr(message.sender):
            return "you", when  # "your message of 4 Mar 18:25": your other one
        return name, when

    def whose(self, source: str) -> str:
        m = re.search(r"\bmessage (\d+)\b", source)
        for message in self.messages:
            if m and message.index == int(m[1]):
                return self.who(message)
        return "the report"

    def say(self, text: str, results: Sequence[Result] = ()) -> str:
        for message in sorted(self.messages, key=lambda x: -x.index):
            who = self.who(message)
            label = re.escape(message.label)
            # a file name starts a word (a lookbehind, not a try at every letter of a long one)
            text = re.sub(rf"(?:(?<![\w.~+/-])[\w.~+/-]+\.(?:mbox|mbx|eml|mail|txt|gz) )?{label}"
                          rf"(?: (?:attachment|part) \S+)?(?: L\d+)?", who, text)
            name, when = self.author(message)
            if self.reply and name not in ("the report", f"message {message.index}"):
                # a quoted statement: "Miaohe Lin wrote: '...'", not "...'s message: '...'"
                wrote = f"{name} wrote" + (f" on {when}" if when else "")
                text = re.sub(rf"{re.escape(who)}: (?=['\"])", f"{wrote}: ", text)
            text = text.replace(f"[message {message.index}]",
                                f"[{self.who(message)}]" if name == "you" else f"[{name}]")
        text = _INPUT_REF.sub("", text)
        text = _HARNESS_CMD.sub("", text).replace("a longer --timeout", "a longer timeout")
        text = _STATED_TEST.sub(lambda m: "program the report describes" if m["suite"] == STATED
                                else f"{m['suite']} test the report describes", text)
        text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", _RULED_OUT.sub(_ruled_out, text))
        text = _PLACEHOLDER_SUITE.sub(lambda m: "(" if m[0].startswith("of") else "", text)
        for placeholder, words in _PLACEHOLDER_WORDS:
            text = placeholder.sub(words, text)
        text = _DIFFSTAT_QUOTE.sub(lambda m: f"the patch is {m['who']}'s{m['when'] or ''}.",
                                   text)
        while (merged := _SAME_RUN.sub(r"\1 \2; ", text)) != text:  # "[Ann] a 1; [Ann] b 2"
            text = merged
        for aside, words in _OPTION_ASIDE:
            text = aside.sub(words, text)
        if results and all(is_stated(r) for r in results):
            for log_words, report_words in _NO_LOG:
                text = log_words.sub(report_words, text)
        if self.reply:
            text = _LINE_REF.sub(lambda m: "(" if m[0].startswith("(") and ":" in m[0]
                                 else "", text)
        return re.sub(r"  +", " ", text).replace(" )", ")").replace("( ", "(")

    def notes(self, notes: Sequence[str]) -> list[str]:
        """The notes a reader of the mail needs: not the harness's own bookkeeping (which
        file it read, which lines it skipped, which option would firm it up). A reply says
        once what several messages have in common."""
        kept: dict[str, list[Message]] = {}
        for note in notes:
            note = note.removesuffix("; --fs confirms it")  # what the note says stands alone
            if _THREAD_SUMMARY.match(note) or _NOT_READ.search(note) \
                    or _HARNESS_FLAG.search(note):
                continue
            for bookkeeping, words in _REPHRASE:
                note = bookkeeping.sub(words, note)
            message = next((m for m in self.messages if note.startswith(m.label + ": ")), None)
            if self.reply and message is not None:
                kept.setdefault(self.say(note[len(message.label) + 2:]), []).append(message)
            else:
                kept.setdefault(self.say(note), [])
        out = []
        for text, messages in kept.items():
            if not messages:  # a sentence starts upper case, a file or option name as it is
                out.append(_cap(text) if re.match(r"[a-z]+\b(?![._/-])", text) else text)
                continue
            text = text[:1].lower() + text[1:] if text[1:2].islower() else text
            if len(messages) == 1:
                out.append(f"In {self.who(messages[0])}, {text}")
                continue
            names = []
            for m in messages:
                name, when = self.author(m)
                names.append(name + (f" ({when})" if when else ""))
            out.append(f"In the messages of {_and(list(dict.fromkeys(names)))}, {text}")
        return out


def _ruled_out(m: re.Match[str]) -> str:
    """The causes a result was checked against, without the ones the report merely did not
    state (a list of every rule that did not apply reads as noise)."""
    kept = [part for part in m[1].split("; ") if _NOT_SAID not in part]
    return f"Known causes were ruled out by the run: {'; '.join(kept)}. " if kept else ""


def _short_date(date: str) -> str:
    """ "12 Jan 17:19" from an RFC 5322 date, or the date as given."""
    try:
        return f"{parsedate_to_datetime(date):%d %b %H:%M}".lstrip("0")
    except (TypeError, ValueError):
        return date


# --- layout ----------------------------------------------------------------------------------

def _words(text: str, width: int) -> str:
    """The text's words, the longer ones cut into pieces of ``width``: textwrap breaks a long
    word by re-slicing what is left of it (quadratic: a 2 MB word took seconds, 20 MB hours)."""
    width = max(width, 1)
    return " ".join(word[i:i + width] for word in clean_text(text).split()
                    for i in range(0, len(word), width))


def fill(text: str, indent: str = "", width: int = WIDTH) -> list[str]:
    return textwrap.wrap(_words(text, width - len(indent)), width=width, initial_indent=indent,
                         subsequent_indent=indent, break_long_words=True,
                         break_on_hyphens=False) or [indent.rstrip()]


def labelled(label: str, text: str) -> list[str]:
    """ "Suggested action: ..." wrapped with a hanging indent of two spaces."""
    return textwrap.wrap(f"{label} {_words(text, WIDTH - 2)}", width=WIDTH,
                         subsequent_indent="  ", break_long_words=True,
                         break_on_hyphens=False)


def quote(line: LogLine) -> list[str]:
    """One log line as "    L123: text", hard-wrapped under its text and cut after 3 rows."""
    prefix = f"{QUOTE_INDENT}{where_from(line)}: "
    if len(prefix) > WIDTH // 2 or line.source in STDIN:
        prefix = f"{QUOTE_INDENT}L{line.line}: "
    room = WIDTH - len(prefix)
    text = clean_text(line.text[:(MAX_QUOTE_ROWS + 1) * room * 4]).rstrip()  # rows shown, no more
    chunks = textwrap.wrap(text, width=room, break_long_words=True, break_on_hyphens=False,
                           replace_whitespace=False) or [""]
    if len(chunks) > MAX_QUOTE_ROWS:
        chunks = chunks[:MAX_QUOTE_ROWS]
        chunks[-1] = chunks[-1][:room - len(CUT)] + CUT
    pad = " " * len(prefix)
    return [prefix + chunks[0]] + [pad + c for c in chunks[1:]]


def shape(text: str) -> str:
    """What a log line says regardless of test number: repeated evidence is quoted once."""
    if "[RUN]" in text:
        return "[RUN]"
    return re.sub(r"\d+", "#", text)


def evidence_block(lines: Sequence[LogLine], voice: Voice | None = None) -> list[str]:
    voice = voice or Voice()
    if voice.reply and lines and lines[0] in voice.quoted:
        return []  # the reply quotes this excerpt above, under "X wrote:"
    unique = [line for line in dict.fromkeys(lines) if line not in voice.quoted
              and (line.text.strip() or not voice.reply)]
    shown: list[LogLine] = []
    shapes: set[tuple[str, str]] = set()
    for line in unique:
        # A reply names each message once; the same line from two messages is one line.
        key = ("" if voice.reply else line.source, shape(line.text))
        if key not in shapes and len(shown) < MAX_EVIDENCE:
            shapes.add(key)
            shown.append(line)
    if not voice.reply:
        out = [row for line in shown for row in quote(line)]
    else:  # line numbers of the harness's copy mean nothing to the list: say whose text it is
        out, last = [], None
        for line in shown:
            who = voice.whose(line.source)
            if who != last:
                out += fill(f"From {who}:")
                last = who
            out += _reply_quote(line.text)
    if len(unique) > len(shown):
        out.append(f"{QUOTE_INDENT}({len(unique) - len(shown)} more)")
    return out


def _reply_quote(text: str) -> list[str]:
    """A log line quoted in a reply: its continuation rows indented two more columns, every
    row (the "[...]" of a cut one too) within WIDTH - a row wider than that was hard-wrapped
    again by the 72-column check and left one orphaned letter ("x_table" / "s")."""
    room = WIDTH - len(QUOTE_INDENT)
    rows = textwrap.wrap(clean_text(text[:(MAX_QUOTE_ROWS + 1) * room * 4]).rstrip(),
                         width=WIDTH, initial_indent=QUOTE_INDENT,
                         subsequent_indent=QUOTE_INDENT + "  ", break_long_words=True,
                         break_on_hyphens=False, replace_whitespace=False) or [QUOTE_INDENT]
    if len(rows) > MAX_QUOTE_ROWS:
        rows = rows[:MAX_QUOTE_ROWS]
        rows[-1] = rows[-1][:WIDTH - len(CUT)] + CUT
    return rows


def _crash_runs(report: Report, findings: Sequence[Finding]
                ) -> list[tuple[Finding, list[Finding]]]:
    """Findings with the ones they stand for: the kernel findings of one cause that explain
    no test result (an Oops, then the BUG and panic lines it set off) are told as one
    paragraph, the first in full, the others named - not one paragraph per console line."""
    out: list[tuple[Finding, list[Finding]]] = []
    first: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        key = (str(finding.category), finding.cause)
        if finding.category == Category.KERNEL_BUG and not results_of(report, finding):
            if key in first:
                first[key].append(finding)
                continue
            first[key] = []
            out.append((finding, first[key]))
        elif (at := _same_tests(report, finding, out)) is not None:
            # a second reading of tests a paragraph already tells; a named cause leads over
            # "no known cause" (a timeout over the runner's bare failure line)
            told, others = out[at]
            if told.cause.startswith("unexplained") and not finding.cause.startswith(
                    "unexplained"):
                out[at] = (finding, [told, *others])
            else:
                others.append(finding)
        else:
            out.append((finding, []))
    return out


def _same_tests(report: Report, finding: Finding,
                told: list[tuple[Finding, list[Finding]]]) -> int | None:
    """The earlier paragraph that already tells the very results this finding is about (a test
    killed by SIGSEGV, and the kernel's line about that segfault), if neither is about the
    kernel: the reader gets one paragraph per failed test, not two readings of it. Two runs
    of one test (a failure, then a skip after the fix) are two results and stay apart."""
    tests = set(finding.tests) - {BETWEEN_TESTS}
    if not tests or finding.category == Category.KERNEL_BUG:
        return None
    mine = results_of(report, finding)
    for i, (earlier, _) in enumerate(told):
        if earlier.category == Category.KERNEL_BUG or not tests <= set(earlier.tests):
            continue
        theirs = {id(r) for r in results_of(report, earlier)}
        if all(id(r) in theirs for r in mine):
            return i
    return None


PRINTK_STAMP = lazy(r"^\s*\[\s*\d+\.\d+\]\s?")


def crash_head(finding: Finding) -> tuple[str, bool]:
    """The console line a kernel finding is about ("BUG: Bad page map in process x") without
    its printk stamp, and whether it had one (a console line, not a summary in prose)."""
    for line in finding.evidence:
        if CRASH.search(line.text):
            return PRINTK_STAMP.sub("", line.text).strip(), bool(PRINTK_STAMP.match(line.text))
    quoted = re.search(r"'(.+?)'", finding.explanation)
    if quoted:
        return PRINTK_STAMP.sub("", quoted[1]).strip(), bool(PRINTK_STAMP.match(quoted[1]))
    return first_sentence(finding.explanation), False


def _also_sentence(first: Finding, also: Sequence[Finding]) -> str:
    """ "After it the kernel reported 'BUG: Bad page map ...' (12 times) and 'Kernel panic ...'."
    A line the report also sums up in prose (above its log) is counted once."""
    def key(head: str) -> str:
        return re.sub(r"\b[0-9a-fx]*\d[0-9a-fx]*\b", "#", head)

    stamped: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for finding in also:
        head, console = crash_head(finding)
        shown.setdefault(key(head), head[:90])
        stamped[key(head)] += console
    first_key = key(crash_head(first)[0])
    named = [f"'{shown[k]}'" + (f" ({n} times)" if n > 1 else "")
             for k, n in ((k, stamped[k] - (k == first_key)) for k in shown)
             if k != first_key or n > 0]
    return f"After it the kernel reported {_and(named)}." if named else ""


def finding_paragraph(report: Report, finding: Finding, voice: Voice | None = None,
                      also: Sequence[Finding] = ()) -> list[str]:
    voice = voice or Voice()
    results = results_of(report, finding)
    explanation = " ".join(finding.explanation.split())
    crashes = [f for f in also if f.cause == finding.cause]
    readings = [f for f in also if f.cause != finding.cause]
    if crashes:
        explanation += " " + _also_sentence(finding, crashes)
    for other in readings:
        explanation += (f" Also ({other.category}/{other.cause}): "
                        f"{' '.join(other.explanation.split())}")
    if results and _names_its_group(explanation, len(results)):
        # The explanation already says "The 208 cow tests were skipped because ...".
        text = f"{explanation} (Tests {test_list(results)}.)"
    elif len(results) == 1 and f"#{results[0].number} " in first_sentence(explanation):
        text = explanation  # it already names its one test: "cow test #758 (...) was skipped"
    elif results:
        call = common_call(results)
        sentence = f"{subject(results, several_runs(report))} {verb_phrase(results)}"
        sentence += f" because {call}." if call else "."
        text = f"{sentence} {explanation}"
    elif ids_list(finding.tests):
        n = finding_size(finding)
        text = (f"{_cap(plural(n, 'test'))} ({ids_list(finding.tests)}) "
                f"{'is' if n == 1 else 'are'} affected. {explanation}")
    else:  # a finding about a whole suite's output, or about no test in particular
        text = explanation
    text += f" [{finding.category}/{finding.cause}, {finding.confidence} confidence]"
    out = fill(voice.say(text, results))
    block = evidence_block([*finding.evidence, *(x for f in readings for x in f.evidence)], voice)
    if block:
        out += [""] + block
    extra = []
    for action in dict.fromkeys([finding.action, *(f.action for f in readings)]):
        if action:
            extra += labelled("Suggested action:", voice.say(action, results))
    if finding.reference:
        extra += labelled("Reference:", finding.reference)
    if extra:
        out += [""] + extra
    return out


def _names_its_group(explanation: str, count: int) -> bool:
    """Whether the explanation's first sentence already counts the tests it explains."""
    head = first_sentence(explanation)
    return count > 1 and re.search(rf"(?<![\d#]){count} \S*\s?tests?\b", head) is not None


def environment_paragraph(report: Report) -> list[str]:
    env = report.environment
    where = ", ".join(x for x in (env.arch, env.guest and env.guest.upper() if env.guest == "qemu"
                                  else env.guest, env.accel and env.accel.upper()) if x)
    kernel = f"Linux {env.kernel_release}" if env.kernel_release else "kernel release unknown"
    parts = [f"Environment: {kernel}" + (f" ({where})" if where else "") + "."]
    if env.fs:
        source = f" (from the {env.fs_source})" if env.fs_source in ("mount table", "log") else ""
        parts.append(f"The tests' working directory was on {env.fs}{source}"
                     + (f", /tmp on {env.tmp_fs}." if env.tmp_fs else
                        "; /tmp is taken to be on it too." if env.facts.get("tmp_fs_assumed")
                        else "."))
    if env.hugepages:
        sizes = "; ".join(f"{size} " + ", ".join(f"{k} {v}" for k, v in counts.items())
                          for size, counts in env.hugepages.items())
        parts.append(f"Huge pages: {sizes}.")
    if env.hugepage_shortfall:
        parts.append(f"Not obtained: {'; '.join(env.hugepage_shortfall)}.")
    if env.thp:
        parts.append(f"THP: {env.thp}.")
    if env.swap_kb is not None:
        parts.append("No swap." if env.swap_kb == 0 else f"Swap: {env.swap_kb} kB.")
    if env.gup_test is not None:
        parts.append("gup_test is available." if env.gup_test else "No gup_test.")
    if env.gup_test_source and env.gup_test:
        parts.append(f"gup_test: {env.gup_test_source}.")
    out = fill(" ".join(parts))
    if env.fs and env.fs_options:
        out += [f"Mount options of {env.fs}:"] + _options(env.fs_options)
    return out


def _options(options: str) -> list[str]:
    """Mount options on indented lines, broken after commas."""
    room = WIDTH - len(QUOTE_INDENT)
    rows, row = [], ""
    for option in clean_text(options).split(","):
        piece = option if not row else "," + option
        if row and len(row) + len(piece) + 1 > room:
            rows.append(row + ",")
            row = option
        else:
            row += piece
    rows.append(row)
    return [QUOTE_INDENT + chunk for r in rows for chunk in _hard(r, room)]


def _hard(text: str, room: int) -> list[str]:
    return [text[i:i + room] for i in range(0, len(text), room)] or [""]


def render_mail(report: Report, voice: Voice | None = None) -> str:
    voice = voice or Voice()
    blocks: list[list[str]] = [fill(voice.say(conclusion(report)))]
    notes = voice.notes(report.environment.notes)
    if notes:
        blocks.append([row for note in notes for row in fill(f"Note: {note}")])
    for finding, also in _crash_runs(report, all_findings(report)):
        blocks.append(finding_paragraph(report, finding, voice, also))
    env = report.environment
    if env.kernel_release or env.arch or env.fs or env.hugepages or env.thp \
            or env.swap_kb is not None or env.gup_test is not None:
        blocks.append(environment_paragraph(report))  # "kernel release unknown" alone says nothing
    lines = [row for block in blocks for row in block + [""]]
    lines += ["-- ", f"triaged by harness {harness.__version__}"]
    # Nothing above should exceed the width; make sure no log text ever can.
    return "\n".join(chunk for row in lines for chunk in _hard(row, WIDTH)) + "\n"


# --- a reply to the thread message that posted the log
# A reply to the message of a thread that posted the log: headers for threading
# (In-Reply-To, References, Subject: Re:), the evidence quoted from that message, then the
# triage, conclusion first. Every line fits in 72 columns; ready for `git send-email` or a
# mail client (the From: line is left to them).

MAX_QUOTED = 8


def _fold(name: str, value: str) -> list[str]:
    """An RFC 5322 header folded to fit the width, between addresses for address lists (a
    name is never split) and at spaces otherwise; an item longer than a line (a long
    Message-ID) stays whole, on the header's own line when it is the first."""
    value = " ".join(value.split())
    if name in ("To", "Cc"):
        addresses = [formataddr(a) for a in getaddresses([value]) if a[1]]
        items = [a + ("," if i < len(addresses) - 1 else "") for i, a in enumerate(addresses)]
    else:
        items = value.split()
    if not items:
        return []
    rows = [f"{name}: {items[0]}"]
    for item in items[1:]:
        if len(rows[-1]) + 1 + len(item) > WIDTH:
            rows.append(" " + item)
        else:
            rows[-1] += " " + item
    return rows


def _subject(subject: str) -> str:
    subject = " ".join(subject.split())
    return subject if re.match(r"(?i)^re:", subject) else f"Re: {subject}"


MAX_QUOTED_LINE = 200  # a quoted log line stays whole (as the list saw it) up to this


PROSE = lazy(r"^[\w(\"'][^\[\]#=|<>{}]*$")  # words, no log's brackets, marks or fields


def _quote(text: str) -> list[str]:
    """One line of the message quoted as it was: a log line is not re-wrapped (wrapped, it
    would read as two log lines), only cut when it is very long; a sentence the reader joined
    from a paragraph is wrapped as a mail client would."""
    text = clean_text(text).rstrip()
    if len(text) > WIDTH - 2 and len(text.split()) >= 8 and PROSE.match(text):
        rows = textwrap.wrap(text[:MAX_QUOTED_LINE * 2], width=WIDTH - 2,
                             break_long_words=False, break_on_hyphens=False)
        return [f"> {row}" for row in rows[:2 * MAX_QUOTE_ROWS]]
    if len(text) > MAX_QUOTED_LINE:
        text = text[:MAX_QUOTED_LINE - len(CUT)] + CUT
    return [f"> {text}" if text else ">"]


def quoted_evidence(report: Report, message: Message) -> tuple[list[LogLine], int]:
    """The lines of that message's log that show what went wrong (one example of each kind
    of failure, in log order), and how many more failures are like them."""
    run = f"message {message.index}"
    mine = [r for r in report.results if str(r.run_id or "") == run]
    failing = [r for r in mine if r.status in FAILING]
    unexplained = [r for r in mine if r.status is Status.SKIP and r.diagnosis is not None
                   and r.diagnosis.category.value in ("unknown", "kernel-bug")]
    lines: list[LogLine] = []
    kinds: set[str] = set()
    shown = 0
    chosen = failing or unexplained
    for r in chosen:
        kind = re.sub(r"\d+", "#", r.result_line.text if r.result_line else r.message)
        if kind in kinds or len(lines) >= MAX_QUOTED:
            continue
        kinds.add(kind)
        shown += 1
        calls = [c.line for c in r.syscalls[-1:]]
        for line in (r.run_line, *r.diagnostics[-1:], r.result_line, *calls):
            if line is not None and line not in lines:
                lines.append(line)
    if not chosen:  # a crash pasted without results: the finding's lines from this message
        lines = [line for f in all_findings(report) for line in f.evidence
                 if line.text.strip() and re.search(rf"\bmessage {message.index}\b", line.source)]
        lines = list(dict.fromkeys(lines))
        crashes = [i for i, line in enumerate(lines) if CRASH.search(line.text)]
        console = [i for i in crashes if PRINTK_STAMP.match(lines[i].text)]  # not its summary
        start = (console or crashes or [0])[0]
        lines = lines[start:start + MAX_QUOTED]
        while lines and lines[-1].text.rstrip().endswith(":"):  # "Full log:" leads to nothing
            lines.pop()
    return lines[:MAX_QUOTED], max(len(chosen) - shown, 0)


GREETING = lazy(r"(?i)^(hi|hello|hey|dear)\b.{0,40}$|^on .* wrote:$|^-- ?$")


def _opening(message: Message, limit: int = 6) -> list[LogLine]:
    """The first paragraph of the message's own words (not a greeting, a quote or a header
    line), which a reply quotes when the message has no log to show."""
    body = next((lines for label, lines in message.parts if label == "body"), [])
    out: list[LogLine] = []
    for number, text in enumerate(body, 1):
        if not text.strip() or text.lstrip().startswith(">") or GREETING.match(text.strip()):
            if out:
                break
            continue
        out.append(LogLine(number, text, message.label))
        if len(out) >= limit:
            break
    return out


def render_reply(report: Report, message: Message, messages: Sequence[Message] = ()) -> str:
    """The reply to ``message`` (one of the thread's ``messages``): threading headers when the
    message has them (nothing is made up for a text without headers), its failing lines
    quoted under "X wrote:", then the triage with every reference said the list's way."""
    headers: list[str] = []
    if message.subject:
        headers += _fold("Subject", _subject(message.subject))
    me = parseaddr(message.sender)
    if message.sender:
        headers += _fold("To", message.sender)
    cc = [a for a in getaddresses([message.to, message.cc]) if a[1] and a[1] != me[1]]
    headers += _fold("Cc", ", ".join(dict.fromkeys(formataddr(a) for a in cc)))
    if message.message_id:
        headers += _fold("In-Reply-To", message.message_id)
        # RFC 5322 3.6.4: the parent's References, else its In-Reply-To, then its own id
        references = message.references.split() or message.in_reply_to.split()[:1]
        headers += _fold("References", " ".join(dict.fromkeys(
            [*references, message.message_id])))
    name = me[0] or me[1]
    evidence, more = quoted_evidence(report, message)
    if not evidence:  # nothing to show from a log: what the message says, as a reply quotes it
        evidence = _opening(message)
    body: list[str] = []
    if evidence:
        when = f"On {message.date}, " if message.date and name else ""
        body = textwrap.wrap(f"{when}{name} wrote:" if name else "The report says:",
                             width=WIDTH)
        for line in evidence:
            body += _quote(line.text)
        if more:
            body.append(f"> [... {more} more like {'it' if len(evidence) <= 3 else 'these'}]")
        body.append("")
    voice = Voice(messages or [message], message, set(evidence))
    body += render_mail(report, voice).splitlines()
    return "\n".join(headers + ([""] if headers else []) + body) + "\n"
