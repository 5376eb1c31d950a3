"""One input as a person hands it over: pasted, quoted, cut, from a CI mail or a runner.

The lines are de-quoted and unwrapped (``paste``), parsed as kselftest output and strace
(``ingest``), run_vmtests.sh and kselftest-runner verdicts are read (``runner_summary``), plain
command output is read (``command_output``), and what the parser made up for lines that were
only not pasted is dropped (``excerpt``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from harness.lazy_regex import lazy
from harness.model import LogLine, Status
from harness.readers import (
    address_checks,
    arch_facts,
    avocado_jobs,
    before_run,
    case_verdicts,
    ci_counts,
    ci_status_mail,
    cki_report,
    command_output,
    compile_errors,
    config_lines,
    excerpt,
    expected_crash,
    flattened,
    fstests_output,
    harness_only,
    hung_run,
    kernelci_legacy,
    lava_notification,
    lkft_mail,
    lkft_summary,
    lkp_mail,
    ltp_output,
    ok_over_errors,
    quoted_run,
    service_journal,
    sru_review,
    stated_failures,
    totals_only,
    translation_layer,
    unread_failures,
)
from harness.readers.arch_facts import ArchFacts
from harness.readers.ingest import Parsed, parse_lines
from harness.readers.logread import read_lines
from harness.readers.paste import FS_WORDS, PasteInfo, normalise
from harness.readers.prose_failures import ProseReader, call_before_errno, call_failed_on_fs
from harness.readers.runner_summary import RunnerTracker, fix_runner_verdicts, whole_binary_results
from harness.readers.strace import looks_like_strace
from harness.readers.strace_only import shows_failure
from harness.readers.translation_layer import Layer
from harness.readers.whole_quote import unquote_whole


@dataclass
class ReportInput:
    parsed: Parsed
    info: PasteInfo
    notes: list[str] = field(default_factory=list)
    machine: ArchFacts = field(default_factory=ArchFacts)  # the arch and page size it names
    # the bisect is the kernel test robot's of a test's failure (not of a kernel crash): its
    # own mail's evidence, which the replies of a thread may overturn
    robot_failure_bisect: bool = False
    layer: Layer | None = None  # the syscall translation layer it ran under (WSL 1, gVisor)


class _Feeds(Protocol):
    def feed(self, line: LogLine) -> None: ...


def _tee(lines: Iterable[LogLine], info: PasteInfo, *readers: _Feeds) -> Iterator[LogLine]:
    for line in lines:
        for reader in readers:
            reader.feed(line)
        if info.strace_start is None and looks_like_strace(line.text):
            info.strace_start = "execve(" in line.text
        yield line


def _raw_tee(lines: Iterable[LogLine], *readers: _Feeds) -> Iterator[LogLine]:
    for line in lines:
        for reader in readers:
            reader.feed(line)
        yield line


def read_report_lines(lines: Iterable[LogLine], source: str, default_suite: str = "",
                      subject: str = "") -> ReportInput:
    """``subject``: the mail's Subject when the lines are a message's body (the kernel test
    robot puts the statistic it found there)."""
    info = PasteInfo()
    tracker = RunnerTracker(indent=info.indent)
    commands = command_output.Reader()
    status = ci_status_mail.Reader()
    prose = ProseReader()
    totals, before, verdicts = totals_only.Reader(), before_run.Reader(), harness_only.Reader()
    hung, patch_prose = hung_run.Reader(), stated_failures.Reader()
    replied, addresses = quoted_run.QuotedRun(), address_checks.Reader()
    jobs, lkft, review = avocado_jobs.Reader(), lkft_mail.Reader(), sru_review.Reader()
    summary, legacy = lkft_summary.Reader(), kernelci_legacy.Reader()
    counts, ltp, compiled = ci_counts.Reader(), ltp_output.Reader(), compile_errors.Reader()
    machine, layer = arch_facts.Reader(), translation_layer.Reader()
    lava, cki = lava_notification.Reader(), cki_report.Reader()
    lkp, fstests = lkp_mail.Reader(), fstests_output.Reader()
    config_off = config_lines.Reader()
    journal = service_journal.Reader()
    if subject:
        lkp.feed(LogLine(0, " ".join(subject.split()), source))
    # (a review's note lines are read as written: the unwrapper would join them)
    # (as written: indentation tells a quoted git listing, and the unwrapper would join an LTP
    # line a mail client left long to the next result line)
    expected = expected_crash.Reader()
    # (the journal as written: a tracker's markdown puts it inside a code span's backticks)
    raw = _raw_tee(replied.record(flattened.unflatten(lines)), review, compiled, ltp,
                   fstests, expected, journal)
    fed = _tee(normalise(raw, info), info, tracker, commands, status, prose, totals, before,
               verdicts, hung, patch_prose, addresses, jobs, lkft, machine, lava, lkp, counts,
               summary, legacy, cki, config_off, layer)
    parsed = parse_lines(fed, source, default_suite)
    parsed.config_off = config_off.unset
    notes_first = (_review_notes(parsed, review) + _lava_notes(parsed, lava)
                   + _listed_by_ci(parsed, cki, ltp))
    suite = default_suite or info.suite_hint or stated_failures.one_test(
        info.statements.own_submitted)
    _name_suites(parsed, suite, default_suite)
    fix_runner_verdicts(parsed.results, suite, frozenset(b.name for b in tracker.blocks))
    parsed.results += whole_binary_results(tracker, parsed.results, suite)
    notes = notes_first + ok_over_errors.reopen(parsed.results) + excerpt.judge(parsed, info)
    notes += case_verdicts.name_failed_cases(parsed.results)
    if tracker.summary is not None:
        passed, skipped, failed = tracker.summary
        notes.append(f"run_vmtests.sh's SUMMARY: PASS={passed} SKIP={skipped} FAIL={failed} "
                     "(binaries, not test cases)")
    notes += expected_crash.take_expected(parsed, expected)
    notes += _build_calls_ltp_or_prose(parsed, info, compiled, commands, ltp, prose)
    notes += _ltp_range(parsed, info, ltp, lkft) + _crash_range(parsed, info, lkft)
    notes += _verdict_lines(parsed, suite, jobs, verdicts)
    if not parsed.results and not parsed.crashes and (listed := lkft.results()):
        parsed.results += listed
        notes.append(lkft.note())
    for listing in (summary, legacy, fstests):  # CI summaries, fstests' own lines
        if not parsed.results and not parsed.crashes and (listed := listing.results()):
            parsed.results += listed
            notes.append(listing.note())
    if not parsed.results and not parsed.crashes and (counted := counts.results()):
        parsed.results += counted
        notes.append(counts.note())
    robot_bisect = info.bisected is None
    notes += _robot_report(parsed, info, lkp)
    robot_bisect = robot_bisect and info.bisected is not None and not parsed.crashes
    notes += _closing_or_before(parsed, info, suite, totals, before)
    if not parsed.results and not parsed.crashes and (stuck := hung.results(suite)):
        parsed.results += stuck
        notes.append("no result line: the text says the test hung, and its last [RUN] line is "
                     "taken as the case that never finished")
    notes += _stated_by_patch(parsed, info, patch_prose)
    notes += _reply_over_quoted_run(parsed, replied)
    if not parsed.results and not parsed.crashes and status.results:
        parsed.results += status.results
        notes.append(f"a CI status mail: {len(status.results)} tests with their result history "
                     "and no logs; a failure in it is not explained by the mail alone")
    if not parsed.results and not parsed.crashes and (stopped := journal.results()):
        parsed.results += stopped
        notes.append(journal.note())
    _add_address_checks(parsed, addresses)
    notes += _unread(parsed, sorted(patch_prose.lines + patch_prose.long_lines,
                                    key=lambda x: x.line), info, prose, _layer_name(layer.layer()))
    notes += _what_was_not_read(parsed, info)
    config_lines.attach(parsed.config_off, parsed.results)
    return ReportInput(parsed, info, notes, machine.facts(), robot_bisect, layer.layer())



def _build_calls_ltp_or_prose(parsed: Parsed, info: PasteInfo, compiled: compile_errors.Reader,
                              commands: command_output.Reader, ltp: ltp_output.Reader,
                              prose: ProseReader) -> list[str]:
    """Results for a text without result lines: a build's error lines, else its failed calls,
    else LTP's own lines, else what its prose states."""
    notes: list[str] = []
    if not parsed.results and not parsed.crashes and (errors := compiled.results()):
        parsed.results += errors  # a build that failed: its error lines, not its prose
        notes.append(compile_errors.note(errors))
    if parsed.results or (parsed.crashes and not _shell_reported_crashes(parsed)):
        return notes
    # (a failed call on one of LTP's passing or TINFO lines - "TPASS: creat() failed with
    # EMFILE", "INFO: malloc 538608648 kB failed" - is no failure)
    quiet = ltp.quiet_lines()
    parsed.results += [r for r in commands.results(parsed.syscalls, info.commands)
                       if r.result_line is None
                       or (r.result_line.source, r.result_line.line) not in quiet]
    # LTP's TFAIL/TPASS lines, when no failed call of its TBROK lines explains the run,
    # before the fallbacks that would take them for prose
    if not parsed.results and (checks := ltp.results()):
        parsed.results += checks
        notes.append(ltp_output.note(checks))
    else:
        ltp.name_tests(parsed.results)  # a failed call on an LTP line is that test's
    if not parsed.results and not shows_failure(parsed.syscalls) and (
            empty := parsed.stale_reads.results()):
        parsed.results += empty
        notes.append(f"the strace shows no failed call, but {len(empty)} read(s) of a file "
                     "came back empty after data was written to it (no errno shows that)")
    if not parsed.results and not shows_failure(parsed.syscalls) and (
            stated := prose.results(info.in_code)):
        parsed.results += stated
        notes.append(f"no log in the text: {len(stated)} failed call(s) taken from what its "
                     "prose states (a statement is weaker evidence than a log line)")
    prose.mark_file_state(parsed.results, info.commands)
    notes += _crash_after_error(parsed)
    return notes


def _crash_after_error(parsed: Parsed) -> list[str]:
    """The shell's "Segmentation fault" right under a program's own error line: the program
    died on the error path of the call it reports, so the crash is that failure's outcome (the
    line is kept as its evidence), not a second failure of unknown cause."""
    ends = {r.result_line.line: r for r in parsed.results
            if r.result_line is not None and r.status is Status.FAIL}
    kept, notes = [], []
    for crash in parsed.crashes:
        head = crash[0] if crash else None
        failed = ends.get(head.line - 1) if head is not None else None
        if head is None or failed is None or not SHELL_CRASH.match(head.text.strip()):
            kept.append(crash)
            continue
        failed.diagnostics.append(head)
        notes.append(f"L{head.line}: {head.text.strip()!r} right under the program's error line "
                     f"(L{head.line - 1}) is taken as that failure's outcome")
    parsed.crashes[:] = kept
    return notes


# The shell's report of a program it ran that died ("Segmentation fault (core dumped)", "Bus
# error"), as the first line of a crash excerpt: a user-space crash, whose program may have
# said what failed on the lines above it ("./build_recorder: mmaping `/sys/...': No such
# device", eellak/build-recorder #167).
# (or at the end of the program's own unfinished line, the dump named: "[.../spvw_mmap.d:498]
# errno = 22 (Segmentation fault (core dumped)", clisp under WSL 1, microsoft/WSL #3403)
SHELL_CRASH = lazy(r"^(?:[\w./-]+: line \d+: \d+ )?(?:Segmentation fault|Bus error|Aborted)"
                   r"(?: \(core dumped\))?\s*$|"
                   r"^`?[^`]*\S.*?[\s(](?:Segmentation fault|Bus error|Aborted) "
                   r"\(core dumped\)\)?`?\s*$")


def _shell_reported_crashes(parsed: Parsed) -> bool:
    return all(c and SHELL_CRASH.match(c[0].text.strip()) for c in parsed.crashes)


def _ltp_range(parsed: Parsed, info: PasteInfo, ltp: ltp_output.Reader,
               lkft: lkft_mail.Reader) -> list[str]:
    """An LKFT mail's last good and first bad build over LTP's own failing lines: the test
    (a pinned LTP release) passed on the good build and fails on the bad one, so the kernel
    changes between them brought the failure - the range is its bisect. Not for kselftests,
    which change with the kernel tree."""
    if info.bisected is not None or (bad := lkft.bad_build()) is None:
        return []
    lines = ltp.lines()
    if not any(r.status not in (Status.PASS, Status.SKIP) and r.result_line is not None
               and (r.result_line.source, r.result_line.line) in lines for r in parsed.results):
        return []
    info.bisected = bad
    return [(f"LKFT names the last good and the first bad build (L{bad.line}: "
             f"{bad.text.strip()}): the LTP failures came with the kernel changes between them")]


def _crash_range(parsed: Parsed, info: PasteInfo, lkft: lkft_mail.Reader) -> list[str]:
    """A kernel crash in a report naming the last good and the first bad build ("Good:
    next-20230112" / "Bad: next-20230113", "last good ... first bad ..."): the crash came with
    the kernel changes between them - the range is its bisect (LKFT's boot and test-time Oopses
    in linux-next, 2023). The crash stays the kernel's either way; the range names its cause."""
    if info.bisected is not None or not parsed.crashes or (bad := lkft.bad_build()) is None:
        return []
    info.bisected = bad
    return [(f"the report names the last good and the first bad build (L{bad.line}: "
             f"{bad.text.strip()}): the kernel crash came with the changes between them")]


def _robot_report(parsed: Parsed, info: PasteInfo, lkp: lkp_mail.Reader) -> list[str]:
    """The kernel test robot's report: its statistics are the results and the kernel's crashes
    when the text shows none of its own; the commit it names is its bisect - of a kernel crash
    and of a test's failure alike (the test passed on the parent: LTP's madvise11 and
    memfd_create03 in linux-next, 2024), unless that commit is a selftest's. A failure a rule
    explains stays that rule's; the bisect explains the rest (rule kernel-regression)."""
    if not lkp.seen:
        return []
    notes = []
    if not parsed.results and not parsed.crashes:
        parsed.crashes += lkp.crashes()
        parsed.results += lkp.results()
        if parsed.results or parsed.crashes:
            notes.append(lkp.note())
    if info.bisected is None and (parsed.crashes or not info.quoted and any(
            r.status not in (Status.PASS, Status.SKIP) for r in parsed.results)):
        # (a reply quoting the robot's failure says in its own words what it was)
        info.bisected = lkp.bisect()
        info.bisect_intended = lkp.intended_change()
        info.bisect_widens = lkp.widening_change()
        info.test_change = lkp.test_commit
    return notes


def _name_suites(parsed: Parsed, suite: str, default_suite: str) -> None:
    """Give a paste's results and runs the name of the binary it shows (``suite``); without
    one, a run named nothing is the default "selftest" its results carry (or a Totals line's
    counted failures look like failures not shown)."""
    if default_suite:
        return
    if suite:
        for r in parsed.results:
            if r.suite in ("", "selftest"):
                r.suite = suite
        for s in parsed.suites:
            if s.name in ("", "selftest"):
                s.name = suite
    elif any(r.suite == "selftest" for r in parsed.results):
        for s in parsed.suites:
            if s.name == "":
                s.name = "selftest"


def _review_notes(parsed: Parsed, review: sru_review.Reader) -> list[str]:
    """A regression-test review's per-suite notes, for a text without result lines: read before
    any fallback that would take a note's words for a failed call of its own."""
    if parsed.results or parsed.crashes or not (noted := review.results()):
        return []
    parsed.results += noted
    return [sru_review.note(noted)]


def _lava_notes(parsed: Parsed, lava: lava_notification.Reader) -> list[str]:
    """A LAVA job notification's test cases and job error, for a text without result lines:
    read before the fallbacks that would take each of LAVA's failed actions for a failure."""
    if parsed.results or parsed.crashes or not (cases := lava.results()):
        return []
    parsed.results += cases
    return [lava.note()]


def _listed_by_ci(parsed: Parsed, cki: cki_report.Reader, ltp: ltp_output.Reader) -> list[str]:
    """A CKI report's listed tests, for a text without result lines: read before the fallbacks
    that would take its verdict header ("Tests: FAILED") or its legend ("Aborted tests") for a
    failure of their own. Not when the text shows LTP's own failing lines (a reply pasting the
    failure's log under the mail's "❌ LTP", Li Wang on statx04, 2021): they are the results."""
    if parsed.results or parsed.crashes or not (listed := cki.results()):
        return []
    if any(r.status is not Status.PASS and r.status is not Status.SKIP for r in ltp.results()):
        return []
    parsed.results += listed
    return [cki.note()]


def _add_address_checks(parsed: Parsed, addresses: address_checks.Reader) -> None:
    """va_high_addr_switch's check lines, beside whatever else was read; a line another reader
    already took as a result (a failed call's message, a statement) is not added again."""
    taken = {(r.result_line.source, r.result_line.line) for r in parsed.results
             if r.result_line is not None}
    added = [r for r in addresses.results() if r.result_line is not None
             and (r.result_line.source, r.result_line.line) not in taken]
    # the runner's verdict on the script ("running bash ./va_high_addr_switch.sh" ... "[FAIL]")
    # is these checks' verdict: with them shown it is no result of its own, as for a binary
    # that printed TAP
    shown = {r.suite for r in added} | {f"{r.suite}.sh" for r in added}
    parsed.results[:] = [r for r in parsed.results
                         if not (r.name.endswith("(whole binary)") and r.suite in shown)]
    parsed.results += added


def _verdict_lines(parsed: Parsed, suite: str, jobs: avocado_jobs.Reader,
                   verdicts: harness_only.Reader) -> list[str]:
    """Results for a text without result lines: a CI job summary's per-test lines, else
    kselftest_harness's own verdict lines."""
    if parsed.results or parsed.crashes:
        return []
    if tests := jobs.results():
        parsed.results += tests
        return [avocado_jobs.note(tests)]
    if cases := verdicts.results(suite):
        parsed.results += cases
        if all(r.run_line is None and r.result_line is not None
               and ":Expected" in r.result_line.text for r in cases):
            return [(f"only kselftest_harness's failed-assertion line(s) were pasted: {len(cases)} "
                     "test(s) read as failed from them (no RUN line, verdict or TAP line in the "
                     "text)")]
        told = (f" ({verdicts.unfinished} without a verdict: a RUN line followed by failed "
                "assertions)") if verdicts.unfinished else ""
        return [(f"only kselftest_harness's own lines were pasted: {len(cases)} case "
                 f"verdict(s) read from them{told} (the TAP lines after them are not in the "
                 "text)")]
    return []


def _closing_or_before(parsed: Parsed, info: PasteInfo, suite: str, totals: totals_only.Reader,
                       before: before_run.Reader) -> list[str]:
    """Results for a text without result lines: a run's closing lines, or the commands under a
    before/after pair's "before" header."""
    notes: list[str] = []
    if not parsed.results and not parsed.crashes and (
            closing := totals.results(suite, info.statements.files())):
        parsed.results += closing
        for suite_run in parsed.suites:  # the closing lines are the result now, not a check
            suite_run.totals = None
        notes.append("only the run's closing lines were pasted (no result lines): the run is "
                     f"judged by them ({closing[0].message})")
    if not parsed.results and not parsed.crashes and (shown := before.results(info.commands)):
        parsed.results += shown
        notes.append(f"no test output: the {len(shown)} command(s) under the text's 'before' "
                     "header, with what they printed, are taken as the failure")
    return notes


def _stated_by_patch(parsed: Parsed, info: PasteInfo, reader: stated_failures.Reader
                     ) -> list[str]:
    """Results for a patch whose commit message states the failure only in words; else for a
    crash a text states in words, or a program's own error lines."""
    if parsed.results or parsed.crashes:
        return []
    stated = reader.results(info.statements.own_submitted or info.statements.submitted)
    if not stated:
        # (an strace's failed calls are explained by the caller, when nothing else is)
        if not shows_failure(parsed.syscalls) and (
                told := reader.crashes_or_errors(info.commands)):
            parsed.results += told
            note = (f"no log in the text: {told[0].message[:60]!r} is taken as the failure "
                    "(what the text says, or a program's own error line)")
            return [note]
        return []
    parsed.results += stated
    note = ("no log in the text: the failure is the one its commit message states "
            f"({_cut(stated[0].message, 60)!r}), for the test(s) its patch changes")
    return [note]


def _reply_over_quoted_run(parsed: Parsed, replied: quoted_run.QuotedRun) -> list[str]:
    """A reply whose only run is quoted (and passed) and whose own words say a test failed."""
    mine = replied.results(parsed.results)
    notes = [quoted_run.note(mine, len(parsed.results))] if mine else []
    parsed.results += mine
    return notes


def _cut(text: str, width: int) -> str:
    """The text up to ``width`` characters, cut between words ("..." when cut)."""
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " ..."


# Under a system call translation layer (WSL 1, gVisor) these errnos say the layer lacks the
# call or flag, whichever call it was: "script command fails, Function not implemented" (WSL
# #2053, signalfd) needs no call named.
# (And WSL 1's EINVAL for what it does not translate: "Could not set SO_LINGER: Invalid
# argument", microsoft/WSL #3992 - rule wsl1-rejects-valid-call, low and last.)
LAYER_ERRNOS = frozenset({"ENOSYS", "EOPNOTSUPP", "ENOTSUP", "ENOTSUPP"})
# ... and a file of the kernel's interfaces it does not provide (gVisor's procfs without
# /proc/sys/vm/max_map_count, google/gvisor #2337)
LAYER_FILE = lazy(r"(?<![\w.-])/(?:proc|sys)/\w")
# ... said absent in words, no strerror printed: "When /proc/cpuinfo does not exist the syscall
# get_cpu does not work" (iSH #1093), "/proc/cpuinfo not found", "/proc/sys/vm/x is missing"
LAYER_FILE_ABSENT = lazy(r"(?i)(?<![\w.-])/(?:proc|sys)/[\w/.-]*\w`?\s+(?:(?:does|did)(?:n't| not)"
                         r"\s+exist|(?:is|was)\s+(?:not\s+(?:found|there|present)|missing|"
                         r"absent)|not\s+found)\b")


def _layer_name(layer: Layer | None) -> str:
    return layer.name if layer is not None else ""


def _unread(parsed: Parsed, lines: list[LogLine], info: PasteInfo, prose: ProseReader,
            layered: str = "") -> list[str]:
    """The last fallback: a readable report is never refused; lines that state a failure no
    reader knows are its failures (``unknown`` - unless what the text shows of the file, the one
    open flag it names, makes the line's errno a call a rule knows, or the text shows a
    translation layer that answers the line's errno for any call it lacks: ``layered``, the
    layer's name)."""
    if parsed.results or parsed.crashes or shows_failure(parsed.syscalls):
        return []
    # (an strace's own lines were read as calls: a lookup's "= -1 ENOENT" states no failure)
    lines = [x for x in lines if not looks_like_strace(x.text)] if parsed.syscalls else lines
    unread = unread_failures.results(lines, info.diff_lines > 0)
    for r in unread:  # a call the line names before its errno ("problem(io_uring operation not
        if r.errno and (call := call_before_errno(r.message)):  # permitted)") is the call
            r.syscall = call
        elif r.errno is None and (call := call_failed_on_fs(r.message, FS_WORDS)):
            r.syscall, r.config, r.syscall_source = call, "file", "diagnostic"
    prose.mark_file_state(unread, info.commands)
    for r in unread:
        if layered and r.errno is None and LAYER_FILE_ABSENT.search(r.message or ""):
            r.errno = "ENOENT"
        if r.syscall is None and not (layered and (r.errno in LAYER_ERRNOS or (
                r.errno == "EINVAL" and layered == "WSL 1") or (
                r.errno == "ENOENT" and LAYER_FILE.search(r.message or "")))):
            r.errno, r.syscall_source = None, ""  # an errno without its call: no rule knows it
    parsed.results += unread
    return [unread_failures.note(unread)] if unread else []


def _what_was_not_read(parsed: Parsed, info: PasteInfo) -> list[str]:
    """Notes on the parts of the text that were left out or are missing."""
    notes: list[str] = []
    if info.diff_lines and parsed.results:
        notes.append(f"the {info.diff_lines} lines inside a patch's diff are code, not test "
                     "output, and were not read")
    if info.after.lines and (header := info.after.header) is not None:
        notes.append(f"the {info.after.lines} lines under {header.text.strip()[:40]!r} "
                     f"(L{header.line}) show the run with the patch applied, not the failure "
                     "reported, and were not read")
    if info.contrast.lines and (lead := info.contrast.lead) is not None:
        notes.append(f"the {info.contrast.lines} lines after {lead.text.strip()[:50]!r} "
                     f"(L{lead.line}) show a run where it works, for contrast, and were not read")
    if info.strace_start is False and not parsed.tap_from_writes:
        notes.append("the strace starts after the program did (no execve line): it shows part "
                     "of the run; calls before the excerpt are not known")
    return notes


def read_report(name: str, default_suite: str = "") -> ReportInput:
    return read_report_lines(unquote_whole(read_lines(name)), name, default_suite)
