"""SimGuest: the static selftests on the host kernel, in a SimMachine, under a fault model."""

from __future__ import annotations

import platform
import shlex
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from fs_profiles.faults.injector import injector_argv, injector_binary
from fs_profiles.faults.models import FaultModel, load_model
from guests.assets.selftests import SelftestAssets
from guests.base import MOUNTPOINT, CommandResult, Guest, GuestError
from guests.events import Event
from guests.facts import GuestFacts, collect_facts, modelled
from guests.run import RunRequest
from guests.sim.hostlog import HostKernelLog, crash_excerpts
from guests.sim.machine import ACCEL, LOG_DIR, SimMachine, xfs_unavailable
from harness.arch import elf_machine, host_arch


def sim_command(binary: str, name: str, *, strace: bool, prefix: list[str]) -> str:
    """The shell command for one test: [injector ... --] [strace -f -o LOG] BINARY."""
    argv = list(prefix)
    if strace:
        argv += ["strace", "-f", "-o", f"{LOG_DIR}/{name}.strace"]
    return shlex.join([*argv, binary])


class SimGuest(Guest):
    """The host kernel as a guest, the work dir under ``model_name``'s faults (None: none)."""

    kind = "sim"
    label = "sim guest"
    accel = ACCEL

    def __init__(self, selftests: SelftestAssets, model_name: str | None,
                 request: RunRequest) -> None:
        missing = [t for t in request.tests if t not in selftests.binaries]
        if missing:
            raise GuestError(f"selftest {missing[0]} was not built: run harness setup")
        arch = host_arch()
        for t in request.tests:
            built = elf_machine(selftests.binaries[t])
            if built is not None and built != arch:
                raise GuestError(f"the sim guest runs the host kernel ({arch}); {t} is built for "
                                 f"{built}: run harness setup --arch {arch}")
        if request.strace and not shutil.which("strace"):
            raise GuestError("strace not found on the host: apt-get install strace")
        self.selftests, self.request, self.arch = selftests, request, arch
        self.model: FaultModel | None = load_model(model_name) if model_name else None
        self.fs_name = self.model.name if self.model else "none"
        request.workdir.mkdir(parents=True, exist_ok=True)
        self._log = request.workdir / f"console-sim-{self.fs_name}.log"
        self._log.write_bytes(b"")
        self.notes: list[str] = []
        self.work_fs = "tmpfs"
        self.machine: SimMachine | None = None
        self.klog: HostKernelLog | None = None
        self.binaries: dict[str, str] = {}
        self.injector: str | None = None

    @property
    def console_log(self) -> Path:
        return self._log

    def provision(self, on_event: Callable[[Event], None]) -> None:
        if self.model is not None and self.model.looks_like == "xfs":
            why = xfs_unavailable()
            if why:
                self.notes.append(f"fault model {self.model.name} looks like xfs, but {why}: "
                                  f"the work dir is on tmpfs")
            else:
                self.work_fs = "xfs"
        self.notes.append(f"simulated guest: host kernel {platform.release()}, fault model "
                          f"{self.fs_name}")
        self.klog = HostKernelLog()
        if self.klog.why_not:
            self.notes.append(f"{self.klog.why_not}: kernel crashes during the tests go unnoticed")

    def boot(self) -> None:
        self.stop()
        start = time.monotonic()
        self.machine = SimMachine(self.request.workdir, self._log, work_fs=self.work_fs)
        try:
            self.machine.start()
        except GuestError as exc:
            if self.work_fs != "xfs":
                raise
            self.notes.append(f"the XFS loop image did not work ({exc}): the work dir is on tmpfs")
            self.work_fs = "tmpfs"
            self.machine = SimMachine(self.request.workdir, self._log, work_fs="tmpfs")
            self.machine.start()
        self.boot_seconds = time.monotonic() - start
        self.notes += self.machine.notes
        if self.model is not None and self.model.rules:
            self.injector = self.machine.copy_in(injector_binary(self.arch), "faultinject")
        self.binaries = {t: self.machine.copy_in(self.selftests.binaries[t], t)
                         for t in self.request.tests}

    @property
    def alive(self) -> bool:
        return self.machine is not None and self.machine.running

    def run(self, command: str, timeout: float) -> CommandResult:
        if self.machine is None:
            raise GuestError("sim guest is not running")
        return self.machine.run(command, timeout)

    def log_error(self) -> OSError | None:
        return self.machine.log_error if self.machine else None

    def facts(self) -> GuestFacts:
        facts = collect_facts(self)
        real = facts.mount_at(MOUNTPOINT)
        facts.backing_fs = real
        facts.fs_mount = modelled(real, self.model, f"sim:{self.model.name}") if (
            real and self.model) else real
        facts.fs_facts = {"guest": "sim", "fault_model": self.fs_name, "backing": self.work_fs}
        return facts

    def _fault_log_path(self, name: str) -> str:
        return f"{LOG_DIR}/{name}.faults"

    def test_command(self, name: str) -> str:
        prefix: list[str] = []
        if self.model is not None and self.injector is not None:
            prefix = injector_argv(self.model, self.injector, MOUNTPOINT,
                                   self._fault_log_path(name))
        return sim_command(self.binaries[name], name, strace=self.request.strace, prefix=prefix)

    def new_crashes(self, during: str | None) -> list[list[str]]:
        """Log what the host kernel said; during a test its crash blocks are the run's."""
        lines = self.klog.read() if self.klog else []
        if not lines or self.machine is None:
            return []
        self.machine.log_text("".join(f"# host kernel: {line}\n" for line in lines))
        if during is None:
            return []
        found = crash_excerpts(lines)
        for excerpt in found:
            self.notes.append(f"the host kernel logged {excerpt[0].split('] ', 1)[-1]!r} during "
                              f"{during} (the host log is shared: check that the test caused it)")
        return found

    def strace_log(self, name: str) -> str | None:
        assert self.machine is not None
        path = self.machine.host_path(f"{LOG_DIR}/{name}.strace")
        return path.read_text(errors="replace") if path.exists() else None

    def fault_log(self, name: str) -> Path | None:
        if self.machine is None or self.injector is None:
            return None
        source = self.machine.host_path(self._fault_log_path(name))
        text = source.read_text(errors="replace") if source.exists() else ""
        dest = self.request.workdir / f"faults-{name}.log"
        dest.write_text(text)
        count = sum(1 for line in text.splitlines() if line.strip())
        self.notes.append(f"fault model {self.fs_name}: {count} fault(s) injected into {name} "
                          f"(log: {dest})")
        return dest

    def stop(self) -> None:
        if self.machine is not None:
            self.machine.close()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            if self.klog is not None:
                self.klog.close()
