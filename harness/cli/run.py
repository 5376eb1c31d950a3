"""`harness run`: provision a filesystem, boot a guest, run the selftests, triage what they printed.

The only place in harness/ that starts processes (through guests/ and fs_profiles/).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from guests.assets.kernels import resolve_kernel
from guests.base import MOUNTPOINT, Guest
from guests.events import Event
from guests.facts import GuestFacts
from guests.run import DISK_FULL, GuestRun, RunRequest, TestRun, parse_tests, run_selftests
from harness.cli.exit_codes import exit_code, run_exit_code
from harness.cli.outdir import claim
from harness.cli.progress import Progress, Triaging
from harness.errors import HostError, UsageError
from harness.lazy_regex import lazy
from harness.model import Environment, LogLine, Report, RunId, Status
from harness.readers.environment import FS_ALIASES, version_of
from harness.readers.faultlog import parse_fault_log
from harness.readers.ingest import Parsed, parse_file, parse_texts
from harness.readers.runner_summary import killed_by_signal
from harness.report.kcidb import KcidbOptions, options_of
from harness.report.outputs import check_writable, write_outputs
from harness.triage.engine import major_minor, triage

if TYPE_CHECKING:
    from guests.assets.kernels import KernelAssets
    from guests.assets.selftests import SelftestAssets
    from harness.cli.preflight import Preflight

STARTED_NEVER_REPORTED = "started but never reported a result"
SERVER_EXIT_LOG = "server-exit.log"  # what the harness saw of a server that died mid-run
_NOT_RESPONDING = lazy(r"nfs: server \S+ not responding")
# --guest sim: a filesystem name means the fault model of what QEMU 7.2 / ganesha really do.
SIM_MODELS: dict[str, str | None] = {"9p": "9p-qemu7", "nfs": "nfs3", "tmpfs": None}


def _kernel(request: RunRequest) -> KernelAssets:
    return resolve_kernel(request.arch, request.kernel, request.modules, request.kernel_version)


def _selftests(request: RunRequest) -> SelftestAssets:
    from guests.assets.selftests import find_selftests

    arch, tree = request.arch, request.kernel_tree
    built = find_selftests(arch, tree)
    if built is None:
        where = f" --kernel-tree {tree}" if tree else ""
        raise UsageError(f"selftests for {arch} are not built: run "
                         f"`harness setup --arch {arch}{where}`")
    return built


def _save(outdir: Path, name: str, text: str, unsaved: list[str] | None = None) -> Path:
    """``text`` as ``outdir/name``. With ``unsaved``, a full disk is not an error: the partial
    file goes, the name is added to ``unsaved`` and the text is used from memory."""
    path = outdir / name
    try:
        path.write_text(text, encoding="utf-8", errors="replace")
    except OSError as exc:
        if unsaved is None or exc.errno not in DISK_FULL:
            raise
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        unsaved.append(name)
    return path


def _parse_saved(path: Path, text: str, suite: str, unsaved: list[str]) -> Parsed:
    """A saved output parsed from its file, or from memory when it could not be saved."""
    if path.name not in unsaved:
        return parse_file(str(path), suite)
    source = f"{path} (not saved: the disk is full)"
    return parse_texts(((i, line, source) for i, line in enumerate(text.splitlines(), 1)),
                       source, suite)


def environment_of(gr: GuestRun, name: str, arch: str, kernel_release: str | None,
                   selftests_version: str, scope: str) -> Environment:
    """The triage's Environment from what the guest said about itself."""
    facts = gr.facts or GuestFacts()
    env = Environment(guest=gr.kind, arch=arch, accel=gr.accel or None)
    env.kernel_release = facts.kernel_release or kernel_release
    env.kernel_version = version_of(env.kernel_release or "")
    env.selftests_version = selftests_version
    env.cmdline = facts.cmdline or None
    env.mounts = [m.as_dict() for m in facts.mounts]
    if facts.fs_mount:
        env.fs = FS_ALIASES.get(facts.fs_mount.fstype, facts.fs_mount.fstype)
        env.fs_options = facts.fs_mount.options
        env.fs_source = f"mount table ({MOUNTPOINT})"
    env.tmp_fs = _fs_at(env.mounts, "/tmp") or (_fs_at(env.mounts, "/") if gr.facts else None)
    env.hugepages = {f"{kb}kB": {"nr_hugepages": p.nr, "free_hugepages": p.free}
                     for kb, p in facts.hugepages.items()}
    env.hugepage_shortfall = list(gr.hugepage_shortfall)
    env.thp = facts.thp_enabled or None
    if gr.facts:
        env.swap_kb = facts.meminfo.get("SwapTotal", 1) if facts.swaps else 0
        env.gup_test = facts.gup_test
    env.notes = list(gr.notes)
    env.facts = {"profile": name, "scope": scope, "workdir": MOUNTPOINT,
                 **{f"server.{k}": str(v) for k, v in facts.fs_facts.items()}}
    if gr.boot_seconds:
        env.facts["boot_seconds"] = ", ".join(f"{s:.1f}" for s in gr.boot_seconds)
    _version_note(env)
    return env


def gup_test_source(planned: str, facts: GuestFacts | None) -> str:
    """Where /sys/kernel/debug/gup_test came from, as the guest confirmed it."""
    if facts is None or facts.gup_test:
        return planned
    if planned.startswith("module"):
        return f"missing: gup_test.ko did not load ({planned}; see the console log)"
    return planned


def swap_source(swap_mib: int, facts: GuestFacts | None, swap_kb: int | None) -> str:
    """Where the guest's swap came from (or why it has none)."""
    swaps = facts.swaps if facts else []
    if swaps:
        devices = ", ".join(swaps)
        zram = " (the kernel's zram module, set up by the harness's /init)" if any(
            "zram" in d for d in swaps) else ""
        return f"{devices}: {swap_kb} kB{zram}"
    if not swap_mib:
        return "none (--no-swap)"
    if facts is None:
        return f"zram, {swap_mib} MiB requested (the guest's facts were not read)"
    return "none: zram0 could not be set up (no zram module in this kernel? see the console log)"


def _fs_at(mounts: list[dict[str, str]], target: str) -> str | None:
    """The fs type mounted at ``target`` (the last entry wins, as in the kernel)."""
    found = [m["fstype"] for m in mounts if m["target"] == target]
    return FS_ALIASES.get(found[-1], found[-1]) if found else None


def _version_note(env: Environment) -> None:
    tests, kernel = major_minor(env.selftests_version), major_minor(env.kernel_version)
    if tests and kernel and tests > kernel:
        env.notes.append(
            f"the selftests ({env.selftests_version}) are newer than the kernel "
            f"({env.kernel_version}): cases for features the older kernel lacks fail or skip "
            "for that reason alone")


def server_loss(gr: GuestRun, outdir: Path, unsaved: list[str] | None = None
                ) -> tuple[str, list[LogLine]]:
    """A server the run needed died: the sentence every lost result carries, and its evidence
    (what the harness saw of the process, saved as SERVER_EXIT_LOG; the guest's NFS client
    complaining on the console). ("", []) when none died."""
    gone = gr.server_exit
    if gone is None:
        return "", []
    during = gr.server_exit_when or "during the run"
    sentence = (f"{gone.role[0].upper()}{gone.role[1:]} ({gone.program}, pid {gone.pid}) died "
                f"{during} ({gone.how} at {gone.clock})")
    lines = [f"{gone.describe()} (seen by the harness, which polls its servers), {during}",
             f"its last log lines: {gone.last_log or '(none)'}"]
    path = _save(outdir, SERVER_EXIT_LOG, "\n".join(lines) + "\n", unsaved)
    evidence = [LogLine(i, text, str(path)) for i, text in enumerate(lines, 1)]
    try:
        with open(gr.console_log, errors="replace") as console:
            said = [LogLine(i, ln.rstrip("\n"), str(gr.console_log))
                    for i, ln in enumerate(console, 1) if _NOT_RESPONDING.search(ln)]
    except OSError:
        said = []
    return sentence, evidence + said[:1]


def _blame(results: list, sentence: str, evidence: list[LogLine]) -> None:
    """The results a dead server or a full disk cut off say so (not a kernel crash, not a
    slow test)."""
    for r in results if sentence else []:
        if r.status in (Status.TIMEOUT, Status.MISSING):
            r.message = sentence
            r.diagnostics = [*r.diagnostics, *evidence]


def parse_guest_run(gr: GuestRun, outdir: Path, run_id: RunId,
                    loss: tuple[str, list[LogLine]] = ("", []),
                    unsaved: list[str] | None = None) -> tuple[list[Parsed], list[Parsed]]:
    """Save each test's output (and strace log) next to the reports and parse the saved files.
    ``loss``: what server_loss() said (the results a dead server cut off are blamed on it).
    Files a full disk did not take are named in ``unsaved`` and read from memory."""
    logs, straces = [], []
    unsaved = [] if unsaved is None else unsaved
    sentence, evidence = loss
    blamed = False  # from the test the server died during on
    gone = False  # from the test after which the filesystem's host side was gone
    for t in gr.tests:
        parsed = _parse_test(t, outdir, run_id, bool(gr.crash), unsaved)
        blamed = blamed or (bool(sentence) and t.name == gr.server_exit_during)
        if blamed:
            _blame(parsed.results, sentence, evidence)
        gone = gone or (bool(gr.fs_gone) and t.name == gr.fs_gone_during)
        if gone:  # a hypothesis for what nothing else explains (the rule's priority is low)
            said = LogLine(0, f"{gr.fs_gone} during or before {t.name}", str(gr.console_log))
            for r in parsed.results:
                if r.status in (Status.FAIL, Status.ERROR):
                    r.diagnostics = [*r.diagnostics, said]
        logs.append(parsed)
        if t.strace_log:
            spath = _save(outdir, f"{t.name}.strace", t.strace_log, unsaved)
            straces.append(_parse_saved(spath, t.strace_log, t.name, unsaved))
    for t in sorted(gr.tests, key=lambda t: t.name):
        if t.fault_log is not None and t.fault_log.is_file():
            saved = _save(outdir, f"{t.name}.faults", t.fault_log.read_text(errors="replace"),
                          unsaved)
            if saved.name not in unsaved:
                straces.append(parse_fault_log(str(saved)))
    if gr.crash:
        crash_log = _save(outdir, "crash.log", "\n".join(gr.crash) + "\n", unsaved)
        crash = Parsed(source=str(crash_log))
        crash.crashes = [[LogLine(i, line, str(crash_log))
                          for i, line in enumerate(gr.crash[:24], 1)]]
        logs.append(crash)
    return logs, straces


def _parse_test(t: TestRun, outdir: Path, run_id: RunId, crashed: bool,
                unsaved: list[str]) -> Parsed:
    """One test's saved output, parsed; a case cut off by a timeout or a crash says so."""
    path = _save(outdir, f"{t.name}.log", t.output, unsaved)
    parsed = _parse_saved(path, t.output, t.name, unsaved)
    for r in parsed.results:
        r.run_id = run_id
        if r.message == STARTED_NEVER_REPORTED:
            if t.timed_out:
                r.status = Status.TIMEOUT
                r.message = f"no result within the {t.seconds:.0f} s timeout"
            elif crashed:
                r.status = Status.CRASH
    if t.timed_out and not any(r.status is Status.TIMEOUT for r in parsed.results):
        parsed.results.append(_whole_test(t, "timeout", Status.TIMEOUT, path, run_id))
    elif t.exit_code is not None and killed_by_signal(t.exit_code):
        parsed.results.append(_whole_test(t, f"killed by signal {t.exit_code - 128}",
                                          Status.CRASH, path, run_id))
    elif t.exit_code is None and (not parsed.results or crashed and not any(
            r.status is Status.CRASH for r in parsed.results)):
        # the machine died (a panic between two cases, or before any): the binary crashed
        status = Status.CRASH if crashed else Status.MISSING
        parsed.results.append(_whole_test(t, "the guest died before the test finished",
                                          status, path, run_id))
    return parsed


def _whole_test(t: TestRun, what: str, status: Status, path: Path, run_id: RunId):
    from harness.model import Result

    tail = [ln for ln in t.output.splitlines() if ln.strip()][-1:] or [""]
    return Result(t.name, 0, f"{t.name} (whole binary)", "", status,
                  f"{t.name}: {what}", result_line=LogLine(0, tail[0], str(path)), run_id=run_id)


def request_of(args: argparse.Namespace, fs: str, kernel: str | None,
               out: Path = Path()) -> RunRequest:
    """The typed request for one run: ``fs`` with ``kernel``, outputs in ``out``."""
    return RunRequest(
        fs=fs, out=out, guest=args.guest, arch=args.arch, tests=parse_tests(args.tests),
        scope=args.fs_scope, nfs_vers=getattr(args, "nfs_vers", None), kernel=kernel,
        modules=Path(args.modules) if args.modules else None,
        kernel_version=args.kernel_version,
        kernel_tree=Path(args.kernel_tree) if args.kernel_tree else None,
        cmdline=args.cmdline, append=args.append or "", strace=args.strace, memory=args.memory,
        smp=args.smp, test_timeout=args.timeout, boot_timeout=args.boot_timeout,
        inject=getattr(args, "inject", None), keep=getattr(args, "keep", False),
        swap=not getattr(args, "no_swap", False),
    )


def make_guest(request: RunRequest) -> tuple[Guest, str | None, SelftestAssets, Preflight | None]:
    """The guest for ``request``, the kernel release it boots (None: the host's), the selftests
    and, for QEMU, what the kernel check found (printed before the guest is made)."""
    from fs_profiles.registry import make_profile

    selftests = _selftests(request)
    if request.guest == "sim":
        from guests.sim.guest import SimGuest

        sim = SimGuest(selftests, SIM_MODELS.get(request.fs, request.fs), request)
        return sim, None, selftests, None
    from guests.qemu_guest import SWAP_MIB, QemuGuest
    from harness.cli.preflight import preflight as check_kernel
    from harness.cli.preflight import say

    profile = make_profile(request.fs, **({"vers": request.nfs_vers} if request.nfs_vers else {}))
    kernel = _kernel(request)
    pre = check_kernel(kernel, fs=profile.name, arch=request.arch, swap=request.swap,
                       swap_mib=SWAP_MIB, kernel_tree=request.kernel_tree)
    say(pre)
    guest = QemuGuest(kernel, selftests, profile, request, swap_mib=pre.swap_mib,
                      late_modules=pre.late_modules)
    guest.notes += pre.notes
    return guest, kernel.release, selftests, pre


def execute(request: RunRequest, on_event: Callable[[Event | Triaging], None],
            run_id: RunId | None) -> Report:
    """One guest run of the selftests, triaged. Errors the user can fix: HarnessError."""
    try:
        guest, release, selftests, pre = make_guest(request)
        gr = run_selftests(guest, request, on_event)
    except OSError as exc:
        raise HostError(str(exc)) from None
    on_event(Triaging())
    name = request.fs if gr.kind == "sim" else gr.fs_name  # sim: the fs its model stands for
    unsaved: list[str] = []
    loss = server_loss(gr, request.out, unsaved)
    logs, straces = parse_guest_run(gr, request.out, run_id or RunId(name), loss, unsaved)
    full = disk_full(gr, request.out, unsaved)
    if gr.interrupted or gr.aborted:
        lost = lost_tests(gr, request.tests, request.out, run_id or RunId(name))
        _blame(lost.results, *(loss if loss[0] else (full, [])))
        logs.append(lost)
    env = environment_of(gr, name, request.arch, release, selftests.version, request.scope)
    if full:
        if not gr.disk_full:  # else the guest's note says it
            env.notes.append(full)
        env.facts["disk_full"] = gr.disk_full or f"raw outputs not saved: {', '.join(unsaved)}"
    if pre is not None:
        env.gup_test_source = gup_test_source(pre.gup_test_source, gr.facts)
        env.swap_source = swap_source(pre.swap_mib, gr.facts, env.swap_kb)
    env.facts["cell"] = request.fs  # the cell asked for: `harness merge` names the run after it
    report = triage(logs, env, straces)
    report.sources.append(str(gr.console_log))
    if gr.interrupted:
        report.summary.interrupted = True
    return report


def disk_full(gr: GuestRun, out: Path, unsaved: list[str]) -> str:
    """'The output directory OUT is full (...): raw outputs of cow not saved' when the disk
    under the run's files filled up, else ''."""
    if not gr.disk_full and not unsaved:
        return ""
    why = gr.disk_full or f"No space left on device: {out / unsaved[0]}"
    where = why.rsplit(": ", 1)[-1]
    inside = Path(where).resolve().is_relative_to(out.resolve())
    sentence = (f"The output directory {out} is full ({why})" if inside
                else f"The disk of {Path(where).parent} is full ({why})")
    logs = [n.removesuffix(".log") for n in unsaved if n.endswith(".log")
            and n.removesuffix(".log") in {t.name for t in gr.tests}]
    if logs:
        sentence += f": raw outputs of {', '.join(logs)} not saved"
    return sentence


def lost_tests(gr, tests: tuple[str, ...], outdir: Path, run_id: RunId) -> Parsed:
    """The tests an interrupted run did not finish, as one missing result each: the loss is
    a finding (run-interrupted, run-aborted), not a silence."""
    from harness import signals
    from harness.model import Result

    finished = {t.name for t in gr.tests}
    why = (f"interrupted by {signals.interrupted_by()}" if gr.interrupted else gr.aborted)
    lost = Parsed(source=str(outdir))
    for name in tests:
        if name not in finished:
            lost.results.append(Result(
                name, 0, f"{name} (whole binary)", "", Status.MISSING,
                f"{name}: not run: {why}", run_id=run_id))
    return lost


def check_run(request: RunRequest) -> None:
    """Check every value a run was given, creating nothing: a rejected run leaves no trace."""
    from fs_profiles.faults.models import load_model
    from fs_profiles.registry import make_profile

    if request.guest == "sim" and request.scope != "work":
        raise UsageError(f"--fs-scope {request.scope} needs a QEMU guest: the sim guest runs "
                         "in the host's root (use --guest qemu)")
    if request.guest == "sim":
        model = SIM_MODELS.get(request.fs, request.fs)
        if model is not None:
            load_model(model)
    else:
        from guests.qemu_guest import SWAP_MIB
        from harness.cli.preflight import preflight as check_kernel

        profile = make_profile(request.fs, **({"vers": request.nfs_vers} if request.nfs_vers
                                              else {}))
        check_kernel(_kernel(request), fs=profile.name, arch=request.arch, swap=request.swap,
                     swap_mib=SWAP_MIB, kernel_tree=request.kernel_tree)
    _selftests(request)
    if request.inject:
        load_model(request.inject)


def run_inputs(args: argparse.Namespace) -> list[str]:
    """Files a run reads that no output may overwrite."""
    return [k for k in (args.kernel or []) if not k.startswith("debian-")]


def kernels_of(args: argparse.Namespace) -> list[str | None]:
    images = list(args.kernel or [])
    if len(images) > 2:
        raise UsageError("--kernel: give one kernel, or two to compare (A, then B)")
    return images or [None]


def kernel_label(image: str | None, index: int, count: int) -> str:
    if count == 1:
        return ""
    return "AB"[index] + (f"-{Path(image).name}" if image else "")


def run_command(args: argparse.Namespace) -> int:
    targets = {"json": args.json, "junit": args.junit, "mail": args.mail, "kcidb": args.kcidb}
    parse_tests(args.tests)
    check_writable(targets, run_inputs(args))
    images = kernels_of(args)
    for image in images:
        check_run(request_of(args, args.fs, image))
    outdir = claim(args.out, args.fs)
    reports = []
    for index, image in enumerate(images):
        label = kernel_label(image, index, len(images))
        progress = Progress()
        try:
            run_id = RunId(args.fs, label) if label else None
            request = request_of(args, args.fs, image, outdir / label if label else outdir)
            reports.append(execute(request, progress, run_id))
        finally:
            progress.done()
    full = [r.environment.facts["disk_full"] for r in reports
            if "disk_full" in r.environment.facts]
    print(f"harness: console log and raw outputs in {outdir}"
          + (f" (the disk filled up: {full[0]})" if full else ""), file=sys.stderr)
    if len(reports) == 1:
        write_outputs(reports[0], targets, color=args.color, kcidb=options_of(args))
        if reports[0].summary.interrupted:
            from harness import signals

            print(f"harness: interrupted by {signals.interrupted_by()}: the finished tests' "
                  "results are written", file=sys.stderr)
            return signals.exit_code()
        return run_exit_code(reports[0])
    return compare_reports(reports, targets, args.color, options_of(args))


def compare_reports(reports: list[Report], targets: dict[str, str | None], color: bool,
                    kcidb: KcidbOptions | None = None) -> int:
    """Two kernels: write the combined report, then say what B changed against A."""
    from harness.triage.matrix import combine

    combined = combine(reports)
    write_outputs(combined, targets, color=color, kcidb=kcidb)
    return compare_two(reports) or exit_code(combined)


def compare_two(reports: list[Report]) -> int:
    """Kernel A's runs against kernel B's (matched by filesystem); prints the comparison."""
    import json as _json

    from harness.report.json import render_json
    from harness.triage.compare import compare, render_text
    from harness.triage.matrix import combine

    def side(letter: str) -> list[Report]:
        return [r for r in reports
                if any(x.run_id and x.run_id.kernel.startswith(letter) for x in r.results)]

    a, b = side("A"), side("B")
    if not a or not b:
        print("harness: cannot compare: one kernel has no results", file=sys.stderr)
        return 1
    base, new = (_json.loads(render_json(combine(x))) for x in (a, b))
    comparison = compare(base, new, "kernel A", "kernel B")
    print(render_text(comparison), end="")
    return 1 if comparison.introduced_anything else 0
