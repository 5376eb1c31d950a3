"""The one per-test loop: run_selftests(guest, request) for QEMU and the sim guest alike.

The CLI builds a RunRequest (like kunit_tool's KunitRequest), picks a Guest and calls
run_selftests; progress goes out as events (guests/events.py), never as text.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fs_profiles.base import SERVER_POLL
from guests.base import Guest, GuestError, KernelCrash
from guests.events import (
    Booting,
    Event,
    Provisioning,
    Ready,
    Stopping,
    TestFinished,
    TestStarted,
)
from guests.facts import GuestFacts
from harness.errors import UsageError

if TYPE_CHECKING:
    from fs_profiles.base import ServerExit

SELFTESTS = ("gup_longterm", "cow")
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def parse_tests(spec: str) -> tuple[str, ...]:
    tests = tuple(t.strip() for t in spec.split(",") if t.strip())
    if not tests or any(t not in SELFTESTS for t in tests):
        raise UsageError(f"--tests {spec}: choose from gup_longterm,cow")
    return tests


@dataclass(frozen=True)
class RunRequest:
    """One run of the selftests, as the user asked for it.

    fs: the filesystem spec (9p, nfs, xfs:size_mib=1024 ...); for the sim guest a fs name or a
        fault model. inject: a fault model applied on the work dir inside QEMU.
    kernel: an image path or debian-X.Y (None: Debian's kernel_version); modules: its modules.
    kernel_tree: build the selftests from this tree. out: where outputs go (workdir: out/work).
    """

    fs: str
    out: Path
    guest: str = "qemu"
    arch: str = "x86_64"
    tests: tuple[str, ...] = SELFTESTS
    scope: str = "work"
    nfs_vers: str | None = None
    kernel: str | None = None
    modules: Path | None = None
    kernel_version: str | None = None
    kernel_tree: Path | None = None
    cmdline: str = "thread"
    append: str = ""
    strace: bool = False
    memory: str | None = None
    smp: int = 2
    test_timeout: float = 1800.0
    boot_timeout: float = 240.0
    inject: str | None = None
    keep: bool = False
    swap: bool = True  # zram swap in a QEMU guest (cow's swapped-out cases)

    @property
    def workdir(self) -> Path:
        return self.out / "work"


@dataclass
class TestRun:
    __test__ = False  # not a pytest test class

    name: str
    command: str
    output: str
    exit_code: int | None
    timed_out: bool
    seconds: float
    strace_log: str | None = None
    fault_log: Path | None = None  # the fault injector's log, saved on the host


@dataclass
class GuestRun:
    console_log: Path
    kind: str  # "qemu" or "sim"
    fs_name: str
    tests: list[TestRun] = field(default_factory=list)
    facts: GuestFacts | None = None
    notes: list[str] = field(default_factory=list)
    accel: str = ""
    crash: list[str] | None = None
    boot_seconds: list[float] = field(default_factory=list)  # one per boot (retries, restarts)
    hugepage_shortfall: list[str] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C: the tests that finished are still here
    aborted: str = ""  # why the tests after the finished ones could not run (said as lost)
    server_exit: ServerExit | None = None  # a server the filesystem needs died (NFS)
    server_exit_during: str = ""  # the test it died during ("": before or after a test)
    server_exit_when: str = ""  # "during gup_longterm", "after gup_longterm", "before cow"
    disk_full: str = ""  # "No space left on device: FILE": the run stopped there
    fs_gone: str = ""  # "The 9p share's directory ... was removed": seen after fs_gone_during
    fs_gone_during: str = ""

    def add_crash(self, lines: list[str]) -> None:
        self.crash = (self.crash or []) + lines


def _ignore(_event: Event) -> None:
    """No one is listening."""


def run_selftests(guest: Guest, request: RunRequest,
                  on_event: Callable[[Event], None] = _ignore) -> GuestRun:
    """Provision, boot, collect facts and run ``request.tests`` one by one in ``guest``.

    A test that hangs is marked timed out (a QEMU guest is booted again for the next one); a
    kernel crash is recorded in ``crash`` and the results so far are kept; Ctrl-C returns what
    finished. The guest is always closed (machines stopped, filesystem torn down).
    """
    result = GuestRun(console_log=guest.console_log, kind=guest.kind, fs_name=guest.fs_name,
                      notes=guest.notes)
    try:
        on_event(Provisioning(guest.fs_name))
        guest.provision(on_event)
        _boot(guest, result, guest.fs_name, on_event)
        result.facts = guest.facts()
        result.hugepage_shortfall = guest.hugepage_shortfall(result.facts)
        result.notes += result.hugepage_shortfall
        for index, name in enumerate(request.tests, start=1):
            if _server_died(guest, result, "", name):
                break
            if not guest.alive and not _boot_again(guest, result, name, on_event):
                break
            on_event(TestStarted(name, index, len(request.tests)))
            started = time.time()
            _run_one(guest, request, name, result, on_event)
            later = request.tests[index:]
            if _server_died(guest, result, name, later[0] if later else "",
                            (started, time.time())):
                break
            if not result.fs_gone and (gone := guest.fs_gone()):
                result.fs_gone, result.fs_gone_during = gone, name
                result.notes.append(f"{gone} (seen after {name}): the failures of {name} and "
                                    "of the tests after it may be its doing")
            if (full := guest.log_error()) is not None:
                raise full
    except OSError as exc:
        if exc.errno not in DISK_FULL:
            raise
        _disk_full(result, exc, guest.console_log, request.tests)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (harness.signals raises it alike)
        from harness.signals import interrupted_by

        result.interrupted = True
        result.notes.append(f"interrupted by {interrupted_by()}: only the tests that finished "
                            "are reported")
    except KernelCrash as e:
        known = set(result.crash or [])
        result.add_crash([ln for ln in e.excerpt if ln not in known])
        result.notes.append(str(e))
    finally:
        on_event(Stopping())
        try:
            for excerpt in guest.new_crashes(None):
                result.add_crash(excerpt)
        finally:
            guest.close()
    return result


def _run_one(guest: Guest, request: RunRequest, name: str, result: GuestRun,
             on_event: Callable[[Event], None]) -> None:
    for excerpt in guest.new_crashes(None):  # from before the test: not its doing
        result.add_crash(excerpt)
    command = guest.test_command(name)
    r = guest.run(command, request.test_timeout)
    test = TestRun(name=name, command=command, output=r.output, exit_code=r.exit_code,
                   timed_out=r.timed_out, seconds=r.seconds)
    result.tests.append(test)
    for excerpt in guest.new_crashes(name):
        result.add_crash(excerpt)
    if r.gave_up:
        result.notes.append(f"{name} was stopped after {r.seconds:.0f} s: {r.gave_up}"
                            f"{guest.hung(name)}")
    elif r.timed_out:
        result.notes.append(f"{name} timed out after {request.test_timeout:g} s{guest.hung(name)}")
        if not guest.alive:
            return
    elif not guest.alive:
        result.notes.append(f"the {guest.died(r)} during {name} (exit code unknown)")
        return
    else:
        on_event(TestFinished(name, r.exit_code, r.seconds))
    if request.strace:
        test.strace_log = guest.strace_log(name)
        if test.strace_log is None:
            result.notes.append(f"no strace log for {name}")
    test.fault_log = guest.fault_log(name)


def _server_died(guest: Guest, result: GuestRun, ran: str, following: str,
                 span: tuple[float, float] = (0.0, 0.0)) -> bool:
    """A server the tests' filesystem needs ended: the tests from ``following`` on are lost
    (a guest cannot boot onto its filesystem without it), and the run says which server,
    how and when. ``ran``: the test that ran in ``span`` (wall clock, start and end)."""
    exits = guest.server_exits()
    if not exits:
        return False
    gone = result.server_exit = exits[0]
    # it is seen gone up to SERVER_POLL s after it ended
    during = ran and span[0] <= gone.at <= span[1] + SERVER_POLL
    result.server_exit_during = ran if during else ""
    when = (f"during {ran}" if during else f"after {ran}" if ran and gone.at > span[1]
            else f"before {following or ran}")
    result.server_exit_when = when
    result.aborted = (f"{gone.role} ({gone.program}, pid {gone.pid}) died {when} "
                      f"({gone.how} at {gone.clock})")
    lost = f": the tests from {following} on were not run" if following else ""
    result.notes.append(result.aborted + lost)
    return True


def _disk_full(result: GuestRun, exc: OSError, console_log: Path,
               tests: tuple[str, ...]) -> None:
    """A file of the run could not be written (the disk is full): the run stops, the tests
    that finished are kept, the rest are said to be lost."""
    written = exc.filename2 or exc.filename  # a copy's error names its source first
    result.disk_full = f"{exc.strerror or exc}: {written or console_log}"
    ran = {t.name for t in result.tests}
    lost = [t for t in tests if t not in ran]
    result.aborted = f"the run stopped: {result.disk_full}"
    result.notes.append(result.aborted + (f"; {', '.join(lost)} not run" if lost else ""))


def _boot_again(guest: Guest, result: GuestRun, name: str,
                on_event: Callable[[Event], None]) -> bool:
    """Boot again for ``name`` after a hang or a death; when that fails (the NFS server died,
    the 9p share is gone) the finished tests are kept and the rest are said to be lost."""
    try:
        _boot(guest, result, f"again for {name}", on_event)
    except GuestError as exc:
        result.aborted = f"the guest could not be booted again for {name} ({exc.one_line()})"
        result.notes.append(f"{result.aborted}: the tests from {name} on are lost")
        return False
    return True


def _boot(guest: Guest, result: GuestRun, why: str, on_event: Callable[[Event], None]) -> None:
    """Boot once; a kernel crash while booting is retried once (and said so)."""
    for attempt in (1, 2):
        on_event(Booting(guest.label, why))
        try:
            guest.boot()
        except KernelCrash as e:
            result.boot_seconds.append(guest.boot_seconds)
            if attempt == 2:
                raise
            result.notes.append(f"kernel crashed while booting ({e}); booted again")
            result.add_crash(e.excerpt)
            continue
        result.boot_seconds.append(guest.boot_seconds)
        if not result.accel:
            result.accel = guest.accel
            if guest.accel_why:
                result.notes.append(f"accelerator: {guest.accel_why}")
        on_event(Ready(guest.boot_seconds, guest.accel))
        return
