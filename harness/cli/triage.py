"""`harness triage`: logs in, explanations out."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli.exit_codes import exit_code
from harness.errors import InputError, OutputError, UsageError
from harness.model import Environment, LogLine
from harness.readers.arch_facts import apply_machine
from harness.readers.environment import from_logs, normalise_fs, version_of
from harness.readers.ingest import Parsed, parse_file, suite_hint
from harness.report.outputs import check_writable, write_outputs
from harness.triage.engine import major_minor, triage
from harness.triage.rules import load_rules

if TYPE_CHECKING:  # the readers of reports, CI files and mail threads load when one is read
    from harness.model import Report
    from harness.readers.report_input import ReportInput
    from harness.readers.statements import Conclusion, StatementScanner
    from harness.readers.thread_input import ThreadInput


def environment_from_args(args: argparse.Namespace) -> Environment:
    env = Environment()
    if args.fs:
        env.fs = normalise_fs(args.fs)
        env.fs_source = "--fs"
    if args.tmp_fs:
        env.tmp_fs = normalise_fs(args.tmp_fs)
    env.fs_options = args.fs_options
    if args.kernel_version:
        env.kernel_version = version_of(args.kernel_version)
        env.kernel_release = args.kernel_version
    if getattr(args, "selftests_version", None):
        env.selftests_version = version_of(args.selftests_version)
    return env


def _thread_doubts(statements: StatementScanner, env: Environment) -> None:
    """A thread's doubt about the emulator and its blame of the machine, with their message."""
    if (doubt := statements.emulator_doubt) is not None:
        env.facts.setdefault("emulator_doubt", f"{doubt.source} L{doubt.line}: "
                             f"{doubt.text.strip()[:160]!r}")
    if (host := statements.host_blamed) is not None:
        env.facts.setdefault("host_blamed", f"{host.source} L{host.line}: "
                             f"{host.text.strip()[:160]!r}")


def read_all(logs: list[str], straces: list[str], suite: str | None,
             env: Environment | None = None
             ) -> tuple[list[Parsed], list[Parsed], ThreadInput | None]:
    """Read every input as a person would hand it over (pasted, quoted, cut, a CI mail, a
    whole mail thread); the first thread read is the one a --mail reply answers."""
    from harness.readers.ci_inputs import ci_inputs
    from harness.readers.report_input import read_report

    inputs: list[ReportInput] = []
    thread: ThreadInput | None = None
    thread_straces: list[Parsed] = []
    for name in logs:
        if is_mail(name):
            from harness.readers.thread_input import read_thread_input

            read = read_thread_input(name, suite or "")
            inputs += [ri for _, _, ri in read.inputs]
            thread_straces += read.straces
            if env is not None:
                env.notes += read.notes
                if read.conclusion is not None:
                    apply_conclusion(read.conclusion, env, thread=len(read.messages) > 1)
                if (disputed := read.bisect_disputed) is not None:
                    env.facts.setdefault("bisect_disputed",
                                         f"{disputed.source} L{disputed.line}: "
                                         f"{disputed.text.strip()[:120]!r}")
                if (overruled := read.bisect_overruled) is not None:
                    env.facts.setdefault("bisect_overruled",
                                         f"{overruled.source} L{overruled.line}: "
                                         f"{overruled.text.strip()[:120]!r}")
                if read.statements is not None:
                    _thread_doubts(read.statements, env)
                if (bisect := read.bisected or _introducing(read)) is not None:
                    env.facts.setdefault("bisected", f"{bisect.source} L{bisect.line}: "
                                         f"{bisect.text.strip()}")
            thread = thread or read
        else:
            fleet = ci_inputs(name, suite or suite_hint(name))
            inputs += fleet if fleet is not None else [read_report(name, suite or suite_hint(name))]
    strace = [parse_file(name, suite or suite_hint(name)) for name in straces] + thread_straces
    parsed = [i.parsed for i in inputs]
    if thread is None and not any(p.results or p.syscalls or p.crashes for p in parsed + strace):
        names = ", ".join(logs)
        lava = [n.split(": ", 1)[1] for i in inputs for n in i.notes if ": LAVA job result" in n]
        raise InputError(f"{names}: no selftest results, strace lines, failed commands or "
                         "kernel crashes found" + (f" ({lava[0]})" if lava else ""))
    if env is not None:
        apply_inputs(inputs, env)
        scanners = [i.info.statements for i in inputs]
        if thread is not None and thread.statements is not None:
            scanners.insert(0, thread.statements)
        apply_feature_newer(scanners, env)
    return parsed, strace, thread


def _introducing(read: ThreadInput) -> LogLine | None:
    """A reply's "my patchset, which introduced the issue" over a kernel change: the thread's
    bisect when it has none of its own."""
    return read.statements.introducing_change() if read.statements is not None else None


def apply_feature_newer(scanners: list[StatementScanner], env: Environment) -> None:
    """With no stated cause, a feature the text says came with a kernel newer than the one
    that ran (its version given or read from the text) is the test's use of what this kernel
    lacks (``harness/readers/feature_since.py``)."""
    kernel = major_minor(env.kernel_version or env.kernel_release)
    if "stated" in env.facts or not kernel:
        return
    for scanner in scanners:
        if (conclusion := scanner.feature_newer(kernel)) is not None:
            apply_conclusion(conclusion, env)
            return


def triage_fleet(args: argparse.Namespace, targets: dict[str, str | None]) -> int:
    """Many logs, each its own run: per-log verdicts and causes counted across logs."""
    import os
    import sys

    from harness.report.fleet_summary import exit_code, render_fleet_mail, render_fleet_terminal
    from harness.report.outputs import write_text
    from harness.triage.fleet import collect, run_fleet

    if args.strace or args.kcidb:
        raise UsageError("--strace and --kcidb take one run; a fleet (a directory, --manifest "
                         "or --fleet) is many runs")
    jobs = args.jobs or os.cpu_count() or 1
    metas = collect(args.logs, args.manifest)
    report = run_fleet(metas, jobs, normalise_fs(args.fs) if args.fs else None,
                       normalise_fs(args.tmp_fs) if args.tmp_fs else None, args.rules,
                       targets["json"], targets["junit"])
    if targets["mail"]:
        write_text(targets["mail"], render_fleet_mail(report))
    if not any(t == "-" for t in targets.values()):
        width = min(os.get_terminal_size(sys.stdout.fileno()).columns, 120) \
            if sys.stdout.isatty() else 100
        sys.stdout.write(render_fleet_terminal(report, width))
        sys.stdout.flush()
    return exit_code(report)


def stream_candidate(args: argparse.Namespace) -> str | None:
    """The log to triage streaming: one big whole capture (or --stream), nothing beside it
    that needs every result in memory (a separate strace, KCIDB output, a mail thread)."""
    from harness.triage import STREAM_BYTES

    if args.strace or args.kcidb or len(args.logs) != 1 or args.logs[0] == "-":
        return None
    path = Path(args.logs[0])
    if not path.is_file() or not (args.stream or path.stat().st_size >= STREAM_BYTES):
        return None
    return None if is_mail(args.logs[0]) else args.logs[0]


def triage_streaming(name: str, args: argparse.Namespace, env: Environment,
                     rules: tuple, targets: dict[str, str | None]) -> int | None:
    """Triage one log streaming; None when it must be judged in memory (and why, on stderr
    when --stream asked for it)."""
    import os
    import sys

    from harness.report.digest import render_stream_mail, render_stream_terminal
    from harness.report.outputs import write_text
    from harness.triage.stream import Declined, exit_code, read_log, triage_log

    try:
        log = read_log(name, args.suite or suite_hint(name), ahead=True)
    except Declined as exc:
        if args.stream:
            print(f"harness: streaming not possible ({exc}); reading it whole", file=sys.stderr)
        return None
    try:
        if env.fs is None:
            env.notes.append("filesystem not given: pass --fs for firmer conclusions")
        report = triage_log(log, env, rules, targets["json"], targets["junit"])
    finally:
        log.close()
    if targets["mail"]:
        write_text(targets["mail"], render_stream_mail(report))
    if not any(t == "-" for t in targets.values()):
        tty = sys.stdout.isatty()
        width = min(os.get_terminal_size(sys.stdout.fileno()).columns, 120) if tty else 100
        sys.stdout.write(render_stream_terminal(report, width, args.color and tty))
        sys.stdout.flush()
    return exit_code(report)


def _log_directories(names: list[str]) -> bool:
    """Whether a name is a directory of logs (not the directory of a run)."""
    dirs = [name for name in names if _is_dir(name)]
    if not dirs:
        return False
    from harness.readers.ci_inputs import is_run_directory

    return any(not is_run_directory(Path(name)) for name in dirs)


def _is_dir(name: str) -> bool:
    try:
        return Path(name).is_dir()
    except OSError:
        return False  # a name too long for the OS: reading it says so in one line


def once(names: list[str], env: Environment) -> list[str]:
    """Each file read once: the same log given twice (any spelling, a hard link) would count
    every result twice. Said in a note."""
    seen: dict[object, str] = {}
    out = []
    for name in names:
        try:
            st = os.stat(name) if name != "-" else None
            key: object = (st.st_dev, st.st_ino) if st else "-"
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror}") from None
        if key in seen:
            env.notes.append(f"{name} is the same file as {seen[key]}: read once")
            continue
        seen[key] = name
        out.append(name)
    return out


def is_mail(name: str) -> bool:
    from harness.readers.logread import open_input

    try:
        if name != "-" and Path(name).is_dir():
            return False
    except OSError:
        return False  # open_input says why in one line
    from harness.readers.mbox import looks_like_mail, stdin_head

    if name == "-":  # a thread piped in (`b4 mbox -o -`, lore's mbox.gz through curl)
        return looks_like_mail(name, stdin_head())
    with open_input(name) as handle:
        head = handle.read(4096)
    return looks_like_mail(name, head)


def apply_conclusion(conclusion: Conclusion, env: Environment, thread: bool = False) -> None:
    """The cause the input's own words state (a thread's conclusion), kept as a quoted fact:
    the first input that states one wins."""
    if "stated" in env.facts:
        return
    env.facts["stated"] = conclusion.cause
    env.facts["stated_quote"] = conclusion.quote(conclusion.line.source)
    env.facts["stated_why"] = conclusion.why
    env.facts["stated_in"] = "thread" if thread else "report"
    if conclusion.names:
        env.facts["stated_names"] = " ".join(conclusion.names)
    if conclusion.reported:  # a diagnosis in prose (harness/readers/diagnosis.py)
        env.facts["stated_cause"] = conclusion.reported
        env.facts["stated_category"] = conclusion.category
    if conclusion.about:
        env.facts["stated_about"] = " ".join(conclusion.about)
    if conclusion.scope:
        env.facts["stated_scope"] = conclusion.scope
    if conclusion.outranks:
        env.facts["stated_outranks"] = " ".join(conclusion.outranks)
    if conclusion.abi_break:
        env.facts["stated_abi_break"] = conclusion.abi_break


def apply_bisect(i: ReportInput, env: Environment) -> None:
    """What an input says about a bisect: the commit it names, and what that commit's subject
    says it changes (on purpose, widening what the kernel accepts, or only the tests)."""
    if i.info.bisected is not None and "bisected" not in env.facts:
        env.facts["bisected"] = f"L{i.info.bisected.line}: {i.info.bisected.text.strip()}"
    if (intended := i.info.bisect_intended) is not None:  # (a thread's bisect is its own)
        env.facts.setdefault("bisect_intended", f"L{intended.line}: {intended.text.strip()}")
    if (widens := i.info.bisect_widens) is not None:
        env.facts.setdefault("bisect_widens", f"L{widens.line}: {widens.text.strip()}")
    if (changed := i.info.test_change) is not None and "bisected" not in env.facts:
        env.facts.setdefault("bisect_test_change", f"L{changed.line}: {changed.text.strip()}")
    elif "bisected" not in env.facts and (
            broke := i.info.statements.breaking_kernel_patch()
            or i.info.statements.introducing_change()) is not None:
        env.facts["bisected"] = f"L{broke.line}: {broke.text.strip()}"


def apply_inputs(inputs: list[ReportInput], env: Environment) -> None:
    """What the inputs say about the run: notes on what they cover, the kernel release."""
    for i in inputs:
        if (conclusion := i.info.statements.conclusion()) is not None:
            apply_conclusion(conclusion, env)
        if (doubt := i.info.statements.emulator_doubt) is not None:
            env.facts.setdefault("emulator_doubt", f"L{doubt.line}: {doubt.text.strip()[:160]!r}")
        if (host := i.info.statements.host_blamed) is not None:
            env.facts.setdefault("host_blamed", f"L{host.line}: {host.text.strip()[:160]!r}")
        if (disputed := i.info.statements.bisect_disputed) is not None:
            env.facts.setdefault("bisect_disputed", f"L{disputed.line}: "
                                 f"{disputed.text.strip()[:120]!r}")
        env.notes += [n for n in i.notes if n not in env.notes]
        if env.fs is None and (named := i.info.fs_from_text) is not None:
            env.fs, env.fs_source = named[0], "text"
            env.notes.append(f"filesystem {named[0]} taken from the text of the report "
                             f"(L{named[1].line}: {named[1].text.strip()[:80]!r}); "
                             "--fs confirms it")
        if i.info.commits:
            known = env.facts.get("commits", "").split()
            env.facts["commits"] = " ".join(dict.fromkeys(known + i.info.commits))
        apply_bisect(i, env)
        if (made := i.info.exec_only) is not None and not i.info.pkeys_used:
            env.facts.setdefault("exec_only", f"L{made.line}: {made.text.strip()[:120]}")
        if i.info.own_setup and "own_setup" not in env.facts:
            env.facts["own_setup"] = " ".join(i.info.own_setup)
        if env.kernel_release is None and i.info.kernel_release:
            env.kernel_release = i.info.kernel_release
            env.kernel_version = version_of(i.info.kernel_release)
        apply_machine(i.machine, env)
        if i.layer is not None and "translation_layer" not in env.facts:
            env.facts["translation_layer"] = i.layer.name
            env.facts["translation_layer_line"] = (f"L{i.layer.line.line}: "
                                                   f"{i.layer.line.text.strip()[:100]!r}")
            env.facts["translation_layer_why"] = i.layer.why


# What writing an output may meet: a full disk or quota, /dev/full, a file too big, I/O errors.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


@contextlib.contextmanager
def _write_errors(targets: dict[str, str | None]) -> Iterator[None]:
    """The streamed and fleet writers write as they go: a write that fails is one line
    naming the outputs (exit 2), as the in-memory writers' (``report.outputs``) are."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in WRITE_ERRNOS:
            raise
        named = ", ".join(f"--{kind} {t}" for kind, t in targets.items() if t)
        raise OutputError(f"cannot write {named or 'the outputs'}: {exc.strerror}") from None


def run_triage(args: argparse.Namespace) -> int:
    env = environment_from_args(args)
    targets = {"json": args.json, "junit": args.junit, "mail": args.mail, "kcidb": args.kcidb}
    check_writable(targets, [*args.logs, *args.strace])
    rules = load_rules(Path(args.rules)) if args.rules else load_rules()
    if not args.logs and not args.manifest:
        raise UsageError("no LOG given (a file, - for stdin, or a directory of logs)")
    if args.manifest or args.fleet or _log_directories(args.logs):
        with _write_errors(targets):
            return triage_fleet(args, targets)
    args.logs, args.strace = once(args.logs, env), once(args.strace, env)
    if (name := stream_candidate(args)) is not None:
        with _write_errors(targets):
            code = triage_streaming(name, args, env, rules, targets)
        if code is not None:
            return code
    parsed, strace, thread = read_all(args.logs, args.strace, args.suite, env)
    from_logs(parsed, env)
    if env.fs is None and any(p.results for p in parsed):
        env.notes.append("filesystem not given: pass --fs for firmer conclusions")
    # Straces that carry their own TAP (no separate log) are logs too.
    if not any(p.results for p in parsed):
        parsed = parsed + [s for s in strace if s.results]
        strace = [s for s in strace if not s.results]
    strace_alone = False
    if not any(p.results for p in parsed) and (strace or thread is None):
        from harness.readers.strace_only import results_from_syscalls

        parsed = parsed + strace
        strace = []
        results_from_syscalls(parsed)
        if any(p.syscalls for p in parsed):  # (a kernel crash alone has no calls to explain)
            strace_alone = True
            env.notes.append("no selftest output: explaining the failed calls in the strace log")
    report = triage(parsed, env, strace, rules)
    if not report.results and not report.findings and (thread is not None or strace_alone):
        _nothing_to_judge(report, env, "no message of the thread holds a test result or a "
                          "crash: nothing in it can be judged" if thread is not None else
                          "the strace shows no failed call and no test result: a call that "
                          "succeeded with the wrong data (an empty read, a short write) is "
                          "not something a return value shows")
    overrides = {}
    if thread is not None and (target := thread.reply_target()) is not None:
        from harness.report.mail import render_reply

        overrides["mail"] = lambda r: render_reply(r, target, thread.messages)
    kcidb = None
    if args.kcidb:  # the KCIDB writer loads only when it writes
        from harness.report.kcidb import options_of

        kcidb = options_of(args)
    write_outputs(report, targets, color=args.color, kcidb=kcidb, overrides=overrides)
    return exit_code(report)


def _nothing_to_judge(report: Report, env: Environment, why: str) -> None:
    """A thread whose messages hold no result, or an strace whose calls all succeeded, is
    not a report of a clean run: people post them because something went wrong."""
    from harness.model import Verdict

    report.verdict = Verdict.UNKNOWN
    env.notes.append(f"{why}, so the verdict is unknown, not clean")
