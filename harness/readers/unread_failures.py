"""The last fallback: lines that state a failure no reader knows, so a readable report is never
refused.

When no reader found a result, a crash or a system call, a text a person reads at a glance as a
failure report ("foo_setup: open_tree: Invalid argument", "ERROR: cannot bind the ring",
"Segmentation fault (core dumped)") would still read "no selftest results ... found". Here a
failure statement is a line with an errno name (``EINVAL``), a strerror as printed
(``Invalid argument``) or a failure word (error, failed, FATAL, panic, Segmentation fault,
Killed, Aborted, ...), that is not code, not a commit trailer or a link, not a question, not
what should or could happen, and not negated or counted as zero in the word's clause
("no errors", "0 failed"). Each such line (the first few) is one failed result quoting it;
what it was is no rule's to say, so the triage leaves it ``unknown``. Text with no such line
(a README, a list, binary garbage) is still refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.catalogue import ERRNO_NAME, ERRNO_NAMES, STRERROR
from harness.readers.prose_failures import errnos_in
from harness.readers.stated_failures import CODE, HYPOTHETICAL, STATED_NAME, TRAILER

# gVisor's own "Unsupported syscall" log line names the call, or its number in brackets when
# it has no name: "Container Sandbox: Unsupported syscall UNKNOWN[439/0x1b7](0xff...)" (Cloud
# Run, google/gvisor #7575), "Unsupported syscall memfd_secret(0x0, ...)".
# (the line may end there: a title wrapped at 72 columns leaves the call on the next line)
SANDBOX_CALL = r"\s+(?:UNKNOWN\[\d+|[a-z_][a-z0-9_]*\()|\s*$"
FAILURE_WORD = lazy(
    r"\b(?:fail(?:s|ed|ing|ure|ures)?|errors?(?![ -](?:messages? strings?|strings?|handling|"
    r"paths?|codes?|reporting|checks?|cases?|values?)\b)|fatal|panic(?:ked|s)?|segmentation fault|"
    r"segfault(?:s|ed)?|crash(?:es|ed)?|killed|aborted|bus error|core dumped|oops|BUG|cannot|"
    r"can ?not|TBROK|TFAIL|unable to|died|dies|SIG(?:SEGV|BUS|ABRT|KILL|ILL|FPE)|"
    # a resource the run lacked ("Insufficient hugepages-1Mi", "Not enough hugepages can be
    # allocated"), and an orchestrator's event reason ("FailedScheduling", "FailedMount")
    r"insufficient|not enough|r[au]n(?:ning)? out of|(?-i:Failed(?=[A-Z][a-z]))|"
    # an exception a program died of, by its class name: Java's "java.nio.file.
    # NoSuchFileException: /proc/sys/vm/max_map_count" (google/gvisor #2337), Python's
    # "FileNotFoundError:"
    r"(?-i:\b[A-Z]\w+(?:Exception|Error)\b)|"
    # behaviour told as wrong against the native machine's or Linux's: "the syscall
    # `__NR_execveat`'s behavior doesnt match a x86_64 native machine" (FEX-Emu #5234), "`mmap()`
    # syscall behaviour abnormal" (colima #1452)
    r"behaviou?r\s+(?:does(?:n'?t|\s+not)\s+match|differs\s+from|(?:is\s+)?(?:abnormal|"
    r"incorrect|wrong))|(?:abnormal|incorrect|wrong|non-atomic)\s+(?:[\w-]+\s+)?behaviou?r|"
    # a failure a tracker issue tells in other words: "the requested memory size ... gets
    # rounded up and overflows to zero" (unicorn on Debian, 2022), "on arm64 ustat is not
    # available (as deprecated) however is still tested" (LTP, 2015)
    r"overflow(?:s|ed)?|(?:is|are) not (?:available|implemented|supported)(?! on \w+ yet)|"
    # a test told to race: "msync04 suffers races" (ltp #1157), "cpuset_hotplug test fails due
    # to race condition" (ltp #693), "the test is racy"
    r"suffers? (?:from )?(?:a |the )?races?\b|(?:is|are|was|were) racy\b|"
    # and what a person writes when nothing printed a failure word: "I'm getting Errno 38 not
    # implemented" (Python's "[Errno 38]", WSL 2016), "the following python code doesn't work",
    # "Hugepages on GitHub runners are not properly set up" (tt-exalens, 2025), "Without this
    # tests are broken" (a ppc64 selftests patch, 2022), "causing this check to trip"
    # (libhugetlbfs, 2018)
    r"errno:? ?[1-9]\d{0,2}|(?:does|did|do)(?:n't| not) work|not working|stopped working|"
    # a result told unreliable: "The test result can't be expected to be always successful"
    # (ltp #1259, msync01), "the test does not always pass"
    r"(?:can't|cannot|can not|won't|will not)\s+be\s+expected\s+to\s+(?:always\s+)?(?:be\s+)?"
    r"(?:always\s+)?(?:succeed|pass|successful|reliable)|(?:does|do)(?:n't| not)\s+always\s+"
    r"(?:pass|succeed|work)|"
    # a memory call told not to do its job: "WSL1: ftruncate does not truncate mmap'd files"
    # (microsoft/WSL #11302 and #902), "msync doesn't flush the mapping" - not "mmap doesn't
    # fail"
    r"(?<![\w-])`?(?:f?truncate|mmap|munmap|mremap|mprotect|madvise|msync|fallocate|mlock|"
    r"munlock|shmat|shmget|memfd_create|move_pages|mbind)(?:\(\))?`?\s+(?:does|did|do)(?:n't| not)"
    r"\s+(?!(?:fail|crash|error|return\s+an?\s+error|hang|segfault)\w*\b)[a-z]{3,}|"
    r"(?:does|do)(?:n't| not) (?:actually |really )?support|"
    # a resource the machine lacks, said with "have": kubelet's "Node didn't have enough
    # resource: hugepages-2Mi" (OutOfhugepages-2Mi), "The node does not have configured hugepages"
    r"(?:does|did|do)(?:n't| not) have (?:enough|any|configured|reserved|free)\b|"
    r"not (?:properly|correctly) (?:set ?up|configured|mounted|reserved|allocated|installed|"
    r"initiali[sz]ed|enabled)|broken(?!\s*:?\s*\d+\s*$)|"
    r"(?:checks?|assert(?:ions?)?|BUG_ON|WARN_ON\w*) (?:to )?"
    r"trip(?:s|ped)?|trip(?:s|ped)? (?:the|this|that|an?) (?:check|assert(?:ion)?|BUG_ON)|"
    # an interface a report finds absent: "The memory interfaces for /sys/kernel/mm/hugepages
    # are missing", "The hugetlbfs filesystem implementation is incomplete" (WSL 1, 2019)
    r"(?:is|are) (?:missing|absent|incomplete)(?! (?:a|an|the|some|from the (?:docs?|man))\b)|"
    r"(?:partially|partly|not fully) implemented|"
    # a program that never comes back, told in words: "If flock is run on a file in an NFS
    # mount, the program hangs" (go-nfs #98, 2023), "blocks forever in uninterruptible sleep"
    # (e2b #3618); and what a tool says is missing: "mount: /mnt/9: special device
    # 192.168.0.87 does not exist" (WSL2 #207)
    r"hangs|hung|(?:blocks?|blocked|waits?|sleeps?) (?:forever|indefinitely)|gets? stuck|"
    # what a release took away: "Starting with Docker Desktop for Mac 4.26.1, `/proc/meminfo` no
    # longer reports `Hugepagesize`" (docker/for-mac #7117), "the kernel no longer exposes
    # /sys/kernel/mm/hugepages"
    r"no longer (?:reports?|shows?|lists?|exposes?|provides?|contains?|includes?|supports?|"
    r"works?)\b|"
    r"never returns|(?:does|did)(?:n't| not) exist|"
    # an emulator's or sandbox's own word that it lacks the call the program made: QEMU user
    # mode's "qemu: Unsupported syscall: 352", Valgrind's "unhandled amd64-linux syscall: 334"
    r"(?:unsupported|unimplemented|unhandled)\s+(?:[\w-]+\s+)?(?:syscall|system call)s?"
    r"(?=\s*(?:number|nr\.?|no\.?)?\s*[:=#]?\s*\d|" + SANDBOX_CALL + r")|"
    # iSH's own dmesg line ("134 missing syscall 318", "14 missing syscall 403"; "dmesg show
    # missing system call 204", a reader's words for it, ish-app/ish #770) and the shell's
    # word for the SIGSYS it sends for a call it lacks ("Bad system call", ish-app/ish #1093)
    r"missing\s+(?:syscall|system\s+call)\s+\d|bad system call|"
    # a build that failed, as the linker prints it ("seal_elf.c:(.text+0x7af): undefined
    # reference to `sys_mprotect'", "multiple definition of `main'") or as a patch says it
    # ("otherwise the test won't build")
    r"undefined reference to|multiple definition of|won't (?:build|compile|link)|"
    # memory a report finds leaked: "1/4 of the memory allocated to virtual machines is not
    # freed upon exit" (Void Linux #49269, 2024)
    r"(?:is|are|was|were|gets?|got) (?:never|not) (?:freed|released|reclaimed|returned)|"
    # what a report says went wrong without a failure word: "This causes a problem for
    # Android, where the `/tmp` directory isn't writeable" (ltp #986), "causing issues on
    # arm64"; "the cow self test skip some cases" (a fix's commit message, 2023), "skipped
    # 12 tests"; and what a fix says it restores: "I confirmed this patchset make it work
    # again", "which gets the test working again"
    r"caus(?:es|ed|ing) (?:a |an |the |this |that |some |many |several |real )?"
    r"(?:problems?|issues?|troubles?|breakage|regressions?)|"
    r"(?:is|are|was|were)(?:n't| not) (?:writ(?:e)?able|readable|accessible|executable)|"
    r"(?:can't|cannot|can not|couldn't|could not) be (?:built|compiled|run|installed|mounted|"
    r"loaded|started|created|written)|"
    r"skip(?:s|ped)? (?:some|several|many|most|all|the|these|those|half|\d+) (?:of (?:the|its) )?"
    r"(?:test ?)?(?:cases|tests|subtests)|"
    r"(?:make|makes|made|get|gets|got|have|has)(?: it| them| this| that| (?:the|this|these) "
    r"(?:[\w-]+ ){0,2}?(?:self)?tests?)? (?:to )?work(?:ing)? again|"
    # a setting a test needs changed, said by the change for it: "So, need to change
    # unprivileged_userfaultfd behavior ... for our OSD guest migration test" (openQA, 2021)
    r"need(?:s|ed)? to (?:change|set|enable|raise|increase|adjust|turn on|disable|lower)\b"
    r"(?=[^.;]{0,80}\bfor (?:our|the|this|these|that) (?:[\w-]+ ){0,4}tests?\b))\b",
    re.IGNORECASE)
# The strerror texts of 12 characters or more, longest first: as printed (capital first), or
# in any case when three words or more ("function not implemented").
_LONG = sorted((s for s in STRERROR if len(s) >= 12), key=len, reverse=True)
STRERRORS = lazy("|".join(
    re.escape(s) if s.count(" ") < 2 else "(?i:" + re.escape(s) + ")" for s in _LONG))
# ("without this (patch)" tells what happens unpatched: no negation of what follows it)
NEGATED = lazy(r"(?<![\w=-])(?:not|never|no longer|no|nothing|zero)(?![\w=-])|"
               r"(?<![\w=-])without(?! (?:this|that|these|it|the (?:patch|fix|change)))"
               r"(?![\w=-])|n't\b", re.IGNORECASE)
ZERO_COUNT = lazy(r"\b(?:errors?|fail(?:ed|ures?)?)\s*[=:]\s*0\b|"
                  r"\b0\s+(?:errors?|fail(?:ed|ures?)?)\b|"
                  # a summary's aligned column: LTP's "failed   0", "FAIL:  0"
                  r"^(?:errors?|fail(?:ed|ures?|s)?|broken)\s*:?\s+0$", re.IGNORECASE)
# systemd's unmet start condition: "ConditionPathExists=/sys/kernel/mm/ksm was not met" says the
# path does not exist (ENOENT); a negated condition ("=!/path") says the opposite: left alone.
UNMET_PATH = lazy(r"\bCondition(?:PathExists|PathIsDirectory)=(?!!)\S+ was not met\b")
CLAUSE_BREAK = lazy(r"[.;!?]\s|,\s|\b(?:but|however|although|though|while)\b",
                    re.IGNORECASE)
# "should be fixed", "will be resolved", "needs to be fixed": the fix is still to come
TO_BE_DONE = lazy(r"\b(?:should|will|would|must|needs? to|has to|have to|to)\s+"
                  r"(?:be\s+|get\s+)?$", re.IGNORECASE)
# A failure the same clause says was dealt with is none now ("failed last week and was fixed").
# (Not a path "resolved against the caller's cwd", also when a wrap left "resolved" at the end
# of its line.)
DEALT_WITH = lazy(r"\b(?:fixed|resolved(?! against| relative|$)|solved|works? now|went "
                  r"away|gone)\b",
                  re.IGNORECASE)
# A kernel's console line (a boot log's "Failed to ..." on a run that went fine) is the log
# parser's to read, as a crash or not at all; a word that is an option ("panic=-1",
# "oops=panic") states nothing.
PRINTK = lazy(r"\[\s*\d+\.\d{6}\]")
# (a link's brackets and full stop stay: "results (https://...). Kernelci should have
# reported failure" keeps its sentence break)
URL = lazy(r"[^\s(\[<]*://\S*?(?=[)\]>.,;:]*(?:\s|$))")
# A markdown heading of an issue template ("## Execution failed at", "### Failed tests") names
# a section; a tool's own "## ERROR: ..." line (a colon after its word) is no heading.
# (A template's heading ends in its colon: "#### Reason for failure:", "#### Since when has it
# been failing:" - the Kubernetes failing-test issue form.)
HEADING = lazy(r"#{2,6} (?:(?![^:]*:)(?:\S+ ?){1,8}|[^:]{1,80}:\s*)$")
# A compiler's closing tally restates the errors printed above it: clang's "1 error
# generated." ("2 warnings and 1 error generated."), gcc's "compilation terminated.".
COMPILER_TALLY = lazy(r"^(?:\d+ warnings? and )?\d+ errors? generated\.$|"
                      r"^compilation terminated\.$")
OPTION = lazy(r"[=_-]")
# "... tested as LTP. Can it ...?" (and two spaces after the full stop, as many still type)
SENTENCE_BREAK = lazy(r"[A-Za-z0-9)][.!?]\s+[A-Z][a-z]")
# A question's own part of a line: a sentence, or a clause after '; ' - gcc's "error: 'X'
# undeclared (first use in this function); did you mean 'Y'?" asks only after the ';'.
ASKED_BREAK = lazy(SENTENCE_BREAK.pattern + r"|; ")
# A failure word whose subject is a person ("I've been failing for days to get a ppc64 machine
# internally provisioned", ppc e500 thread 2025; "I was unable to find anything in the Web
# about the issue", Void #49269; "we cannot have folios larger than ...") tells what the
# writer could not do, no test's or program's failure - unless what follows is running or
# building something ("I failed to boot the kernel", "we keep failing to mount it").
PERSON = lazy(r"(?<![\w'])(?:I|we|you|he|she)(?:'ve|'d|'m|'re|\s+(?:have|had|am|are|was|"
              r"were|keep|kept|still|also|just))*(?:\s+been)?(?:\s+\w+ly)?\s+$")
PERSON_WORD = lazy(r"fail|unable to|can ?not|can't|could ?n[o']t", re.IGNORECASE)
PERSON_TASK = lazy(r"(?:\s+\w+){0,3}?\s+(?:to\s+)?(?:boot|run|build|compile|mount|load|start|"
                   r"allocate|map|mmap|install|execute|open|create|reserve)\b|"
                   r"\s*(?:with|on|in|at)\b", re.IGNORECASE)
# A failure named with a definite article is one that happened, whatever the clause around it
# wonders ("If we can configure one with swap space then we can check if it resolves the test
# failure", openj9 #17472): "the (test) failure", "this failure" - not a kind of failure ("the
# failure mode", "the failure path").
PRESUPPOSED = lazy(
    r"\b(?:the|this|that|these|those)\s+(?:(?:same|(?:self)?test|build|CI|job|run)\s+)?"
    r"failures?\b(?!\s*(?:rates?|modes?|paths?|handling|cases?|messages?|outputs?|counts?|"
    r"conditions?|points?|scenarios?|injection|domains?)\b)|"
    # a failure that should have been reported and was not: "Kernelci should have reported
    # failure" (kernelci-core #1787: a renamed suite ran nothing and passed)
    r"\b(?:should|ought\s+to)\s+have\s+(?:been\s+)?(?:reported|caught|flagged|detected|shown|"
    r"raised|given)\s+(?:a\s+|an\s+|the\s+|any\s+|as\s+(?:a\s+)?)?(?:failures?|errors?)\b",
    re.IGNORECASE)
# A tracker's furniture, no statement: the labels as a search service's copy keeps them
# ("labels: kind/bug, priority/important-soon", "labels: bug, fixed-in-wsl2"), Prow's commands
# in an issue body ("/kind bug", "/sig storage", "/priority critical-urgent"), GitLab's quick
# actions ("/label ~bug").
TRACKER_FURNITURE = lazy(r"^(?:labels?: |/(?:kind|sig|area|priority|triage|label|assign|"
                               r"milestone|cc|remove-kind|lifecycle)\s+\S)", re.IGNORECASE)
MAX_RESULTS = 5
MAX_LINE = 400
INTRODUCED = 4  # lines from a caption ending in ':' to the failure it introduces
# A sentence ends at '.', '!' or '?' before a space and a capital, a backtick or a bracket
# (not inside "e.g. foo" or a version "6.2 kernel").
SENTENCE_END = lazy(r"(?<=[.!?])\s+(?=[A-Z`(\[\"'])")


# A commit named by id and its title, the title wrapped or not: 'c46241a370a6 ("powerpc/pkeys:
# Check vma before returning key fault error to the user")' (linuxppc-dev 2020) names a change,
# it states no failure - whatever words ("error", "fail") its title has.
# (after a lead-in: Sasha Levin's 'on: 611fbeb44a77 ("selftests:core: test coverage for dup_fd()
# failure handling in unshare_fd()")', linux-kselftest 2025)
COMMIT_NAMED = lazy(r"^\s*(?:(?:commit|on|to|at|is|was)\b:?\s+)*[0-9a-f]{12,40}\s+\(\"")


# A CI mail's own mark of a failed test, kept where a reply trimmed the mail around it: CKI's
# "❌ LTP" under "x86_64:" (Jan Stancek's reply calling CKI's dmesg "BUG" match a false
# positive, 2020), a cross mark before a test's name.
CI_FAILED_MARK = lazy(r"^(?:>\s*)*(?:🚧\s*)?(?:❌|✗|✘|❎)\s*[A-Za-z0-9]")


def _states_failure(text: str, continued: bool = False) -> bool:
    """Whether one line states a failure that happened (see the module's docstring)."""
    if CI_FAILED_MARK.match(text) and len(text) <= MAX_LINE:
        return True
    if "://" in text:  # a link's words ("...#L12-fail", "/check-kernel-oops/") state nothing
        text = URL.sub(" ", text).strip()
    if (not text or len(text) > MAX_LINE or TRAILER.match(text) or _code(text)
            or TRACKER_FURNITURE.match(text)
            or ZERO_COUNT.search(text) or PRINTK.search(text) or HEADING.match(text)
            or COMPILER_TALLY.match(text) or COMMIT_NAMED.match(text)):
        return False
    marks = [m for m in ERRNO_NAME.finditer(text) if m.group(1) in ERRNO_NAMES]
    marks += list(STRERRORS.finditer(text))
    marks += list(UNMET_PATH.finditer(text))
    marks += [m for m in FAILURE_WORD.finditer(text) if m.group(0) not in ("BUG", "oops", "Oops")
              and not OPTION.match(text, m.end()) and text[m.start() - 1:m.start()] != "="]
    return any(_happened(text, m.start(), m.end(), continued) for m in marks)


states_failure = _states_failure  # for readers that check one line (``quoted_run``)


def _code(text: str) -> bool:
    """A line of program source - not a sentence that ends in ';' before a list ("I hit the
    same problem(...). And my setup was;"): prose has a sentence break inside."""
    return bool(CODE.search(text)) and not (text.endswith(";") and SENTENCE_BREAK.search(text))


# A program's own error message in perror's form, "<what it could not do>: <strerror>": "Could
# not set SO_LINGER: Invalid argument" (osquery under WSL 1, microsoft/WSL #3992), "cannot
# start extension manager", "Unable to map file: No such device" - the "not" and the "could" are
# the message's words for the failure, which happened.
PERROR_LEAD = lazy(r"(?:^|[\s(\[\"'`])(?:could\s*not|couldn't|can\s*not|can't|unable\s+to|"
                   r"failed\s+to)\s[^:;.?!]{1,80}:\s*$", re.IGNORECASE)


UNRELIABLE = lazy(r"(?:can't|cannot|can not|won't|will not)\s+be\s+expected\s+to\s+.*",
                  re.IGNORECASE)


def _happened(text: str, begin: int, finish: int, continued: bool) -> bool:
    """Whether the failure mark at ``begin``..``finish`` is not negated (before it, in its
    clause) and its clause says nothing of what should or could happen; in the tail of a
    wrapped line (more ``)`` than ``(`` before it), only when the line is ``continued`` from
    the one above (its beginning is in the text)."""
    start = 0
    for brk in CLAUSE_BREAK.finditer(text, 0, begin):
        start = brk.end()
    end = CLAUSE_BREAK.search(text, finish)
    clause = text[start:end.start() if end else len(text)]
    if text[:begin].count(")") > text[:begin].count("(") and not continued:
        return False  # the tail of a wrapped line whose beginning is not in the text
    if _asked(text, begin, finish):
        return False
    if STRERRORS.fullmatch(text, begin, finish) and PERROR_LEAD.search(text, 0, begin):
        return True  # "Could not set SO_LINGER: Invalid argument": the message of a failure
    dealt = DEALT_WITH.search(text, begin)
    if dealt and TO_BE_DONE.search(text, 0, dealt.start()):
        dealt = None  # "they should be fixed in the next version": not dealt with yet
    if (PERSON_WORD.match(text[begin:finish]) and PERSON.search(text, start, begin)
            and not PERSON_TASK.match(text, finish)):
        return False  # "I've been failing for days to get a ppc64 machine": a person, no test
    if PRESUPPOSED.search(text, max(0, begin - 40), finish + 12) and not NEGATED.search(
            text, start, begin) and not dealt:
        return True  # "check if it resolves the test failure": the failure is given
    if UNRELIABLE.fullmatch(text, begin, finish):
        # ("can't be expected to ..." is the mark's own wording, no supposition)
        clause = clause.replace(text[begin:finish], " ")
    return not (NEGATED.search(text, start, begin) or HYPOTHETICAL.search(clause) or dealt)


def _asked(text: str, begin: int, finish: int) -> bool:
    """Whether the sentence of the mark at ``begin``..``finish`` is a question ("... tested as
    LTP. Can it ...?": the statement before the question is no question; so is a compiler's
    "error: 'X' undeclared (...); did you mean 'Y'?" before its ';')."""
    start = 0
    for brk in ASKED_BREAK.finditer(text, 0, begin):
        start = brk.end()
    end = ASKED_BREAK.search(text, finish)
    return text[start:end.start() + 1 if end else len(text)].rstrip().endswith("?")


SUITE = "report"  # the suite of a failure only this fallback read


def is_fallback(r: Result) -> bool:
    """A result this last fallback made (a line that states a failure no reader knows)."""
    return r.suite == SUITE and r.name.endswith(STATED_NAME)


# A selftest's own skip line printed before TAP (6.1's userfaultfd and memfd_secret, uffd-stress,
# uffd-unit-tests, mlock2-tests, the shell scripts): "skip: Skipping userfaultfd test (missing
# __NR_userfaultfd)", "Userfaultfd not supported or unprivileged, skip all tests", "Module
# hwpoison_inject not found, skipping...". A skip with its reason, not a failure.
# So is the instruction a test prints before it gives up on its environment: "Please run this
# test as root" (6.1 gup_test), "Please do echo 1073741824 > /proc/sys/kernel/shmmax",
# "Please boot with hugepagesz=1G hugepages=2" (thuge-gen).
SKIP_LINE = lazy(r"^(?:skip|SKIP)\s*:\s*\S|^\[SKIP\]\s+\S|^Skipping\s+\S.*(?:\.\.\.|\))|"
                 r"[,.]\s+(?:[Ss]kip all tests|[Ss]kipping(?: (?:the )?test)?\.{0,3})$|"
                 r"^Please (?:run (?:this |the )?\w+ as root|do echo \S+ > /proc/sys/|"
                 r"boot with \S+=)")


def results(lines: list[LogLine], patch: bool) -> list[Result]:
    """The lines that state a failure (``_failures``), and before them a skip result per
    selftest skip line, quoting it; for a text that carries a patch, only what its commit
    message states (no reader of patches took it: a patch that says the tests are broken is
    a readable report, an honest ``unknown``, not a refusal)."""
    if patch:
        return _failures(lines, False)
    skipped = [x for x in lines if len(x.text) <= MAX_LINE and SKIP_LINE.search(x.text.strip())]
    skips = [Result(SUITE, i + 1, f"a skip no rule knows{STATED_NAME}", "", Status.SKIP,
                    line.text.strip(), result_line=line)
             for i, line in enumerate(skipped[:MAX_RESULTS])]
    failures = _failures([x for x in lines if x not in skipped], patch)
    for r in failures:
        r.number += len(skips)
    return skips + failures


RESTATED = lazy(r"(?:>\s*)*(?:the|this|that)\s+(?:same\s+)?(?:error|failure|seg\s?fault|"
                r"segmentation\s+fault|crash|oops|problem|issue)\s+(?:happens|happened|occurs|"
                r"occurred|appears|appeared|shows\s+up|is\s+(?:hit|seen|triggered)|comes)\b|"
                # ... or is met again: "While perform "(*func)();" we get the segmentation
                # fault." under "mprotect04[1] crashed by SEGV_PKUERR" (linuxppc #126, 2018)
                r".*\b(?:we|I|it)\s+(?:get|got|see|saw|hit)\s+the\s+(?:same\s+)?(?:error|"
                r"failure|seg\s?fault|segmentation\s+fault|crash|oops)\b",
                re.IGNORECASE)


def _failures(lines: list[LogLine], patch: bool) -> list[Result]:
    """One failed result per line that states a failure (the first ``MAX_RESULTS``), quoting
    it; none when no line does."""
    lines = list(_sentences(_outside_expected(lines)))
    stated = [x for i, x in enumerate(lines)
              if _states_failure(x.text.strip(), i > 0 and _open(lines[i - 1], x))
              or _answers_failing(lines, i)] or _bug_title(lines)
    # a sentence that introduces the lines under it ("... and fails the test:") is their
    # caption when they state the failure themselves, not another failure
    stated = [x for x, after in zip(stated, stated[1:] + [None])
              if not (x.text.rstrip().endswith(":") and after is not None
                      and 0 < after.line - x.line <= INTRODUCED)]
    # a sentence that points back at the failure already stated ("... gives an error of
    # segmentation fault." then "The error happens during the execution of the following test
    # case" and "The seg fault happens on line 145:", linux-kselftest 2021-10) says where it
    # happened, no second failure
    stated = [x for i, x in enumerate(stated) if i == 0 or not RESTATED.match(" ".join(
        y.text.strip() for y in [*_beginning(lines, x), x]))]
    # the lines that name an errno are the failure; the others around them tell it again in
    # words or what followed from it ("Cannot open file", "I get the following error:")
    # (a statement wrapped over lines - an LTP line cut at 72 columns - goes with its errno line)
    named = [(x, found) for x in stated if (found := errnos_in(x.text) or _unmet(x.text))]
    if named:
        return [Result(SUITE, i + 1, f"a failure no rule knows{STATED_NAME}", "local file",
                       Status.FAIL, line.text.strip(), result_line=line, errno=found[0][1],
                       syscall_source="diagnostic", diagnostics=_beginning(lines, line))
                for i, (line, found) in enumerate(named[:MAX_RESULTS])]
    return [Result(SUITE, i + 1, f"a failure no rule knows{STATED_NAME}", "", Status.FAIL,
                   line.text.strip(), result_line=line)
            for i, line in enumerate(stated[:MAX_RESULTS])]


# A tracker issue labelled a bug whose text states its failure in no words a line knows
# ("labels: bug" over "# Placeholder: Various (potentially NFS) filesystem-related bugs",
# pantsbuild #14599): the title says what is wrong - the last resort before refusing it.
BUG_LABEL = lazy(r"^labels?: .*(?<![\w-])(?:bug|kind/bug|type: bug|defect|regression|crash)"
                       r"(?![\w-])", re.IGNORECASE)
TITLE = lazy(r"^# \S")


def _bug_title(lines: list[LogLine]) -> list[LogLine]:
    """The title of a tracker issue its labels call a bug (``BUG_LABEL``), as its failure."""
    for i, line in enumerate(lines[:6]):
        if BUG_LABEL.match(line.text.strip()):
            title = next((x for x in lines[i + 1:i + 3] if TITLE.match(x.text.strip())), None)
            return [title] if title is not None else []
    return []


# An issue form's section on what should happen: "### Expected Behavior", "**Expected
# behavior**", "## Expected result", "**What you expected to happen**:" (Kubernetes), "Expected
# output:". Its lines say what the writer wanted ("mmap of an empty file should fail with
# EINVAL", "The test should not fail"), not what failed; the section ends at the next heading
# ("### Actual Behavior", "**What happened**:") or turn. A heading with its answer on the same
# line ("**Expected behavior**: no error") is the section's only line.
EXPECTED_HEADING = lazy(
    r"^(?:#{1,6}\s*|\*\*|__|\*\s+)?\s*(?:(?:the\s+)?expected|desired|intended|correct)\s+"
    r"(?:behaviou?rs?|results?|outcomes?|output|outputs?|response)\b|"
    r"^(?:#{1,6}\s*|\*\*|__)?\s*what\s+(?:you|I|we)\s+expect(?:ed)?(?:\s+to\s+happen)?\b|"
    r"^(?:#{1,6}\s*|\*\*|__)?\s*expected\s*:", re.IGNORECASE)
# the next section: a markdown heading, a bold label alone or before its answer, a bullet label
# when the form's labels are bullets ("* Expected results" ... "* Actual results (with terminal
# output if applicable)", the old WSL template), a plain "Actual behavior:" label, a tracker
# turn's header
SECTION_START = lazy(
    r"^#{1,6}\s|^(?:\*\*|__)[^*_]{2,80}(?:\*\*|__)\s*:?|^(?:[-*]\s+)?(?:actual|current|observed|"
    r"real)\s+(?:behaviou?rs?|results?|outcomes?|output)\b|^\S+ \u00b7 [\w ]+ \u00b7 "
    r"\d{4}-\d\d-\d\d$", re.IGNORECASE)
BULLET_LABEL = lazy(r"^[-*]\s+\S")


def _outside_expected(lines: list[LogLine]) -> list[LogLine]:
    """The lines, less those of an "Expected behavior" section (``EXPECTED_HEADING``)."""
    out: list[LogLine] = []
    inside, bullets = False, False
    for line in lines:
        text = UNQUOTE.sub("", line.text).strip()
        if EXPECTED_HEADING.match(text):
            inside, bullets = True, BULLET_LABEL.match(text) is not None
            continue
        if inside and (SECTION_START.match(text) or bullets and BULLET_LABEL.match(text)):
            inside = False
        if not inside:
            out.append(line)
    return out


# A template's question whose answer names what fails: the Kubernetes failing-test issue's
# "#### Which test(s) are failing:" (the answer under it is the failure, the heading is not).
FAILING_HEADING = lazy(r"^#{2,6}\s+which\s+(?:tests?|test\(s\)|jobs?|job\(s\))\s+"
                       r"(?:are|is)\s+(?:failing|flaking|broken)\s*:?\s*$", re.IGNORECASE)


UNQUOTE = lazy(r"^[ \t]*(?:>[ \t]?)+")


def _answers_failing(lines: list[LogLine], at: int) -> bool:
    """Whether line ``at`` is the first line of the answer under a "which tests are failing"
    heading (blank lines are not in ``lines``)."""
    answer = UNQUOTE.sub("", lines[at].text).strip() if at > 0 else ""
    return (bool(answer) and not answer.startswith("#")
            and FAILING_HEADING.match(UNQUOTE.sub("", lines[at - 1].text).strip()) is not None)


def _unmet(text: str) -> list[tuple[int, str]]:
    """(column, "ENOENT") for a systemd path condition the line says was not met."""
    return [(m.start(), "ENOENT") for m in UNMET_PATH.finditer(text)]


def _beginning(lines: list[LogLine], line: LogLine) -> list[LogLine]:
    """The lines above ``line`` that its sentence continues (a wrapped statement's start)."""
    at = next(i for i, x in enumerate(lines) if x is line)
    start = at
    while start > 0 and at - start < 3 and _open(lines[start - 1], lines[start]):
        start -= 1
    return lines[start:at]


def _sentences(lines: list[LogLine]) -> Iterator[LogLine]:
    """The lines, a line too long for one statement (a markdown paragraph) cut into its
    sentences, each with the line's number."""
    for line in lines:
        if len(line.text.strip()) <= MAX_LINE:
            yield line
            continue
        for piece in SENTENCE_END.split(line.text.strip()):
            if piece.strip():
                yield LogLine(line.line, piece.strip(), line.source)


def _open(above: LogLine, line: LogLine) -> bool:
    """Whether ``line`` continues ``above``: the next line, and ``above`` ends no sentence."""
    text = above.text.rstrip()
    return above.line + 1 == line.line and bool(text) and text[-1] not in ".!?:"


def note(found: list[Result]) -> str:
    where = ", ".join(f"L{r.result_line.line}" for r in found if r.result_line is not None)
    what = "a failure or a skip" if any(r.status is Status.SKIP for r in found) else "a failure"
    return (f"nothing in the text is a result any reader knows: {len(found)} line(s) that state "
            f"{what} ({where}) are taken as the failure, and no rule knows them")
