"""run_in_sim: the selftests in a SimGuest under a fault model."""

from __future__ import annotations

import platform
import shlex
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from guests.base import GuestError
from guests.session import MOUNTPOINT, GuestRun, TestRun, collect_facts, mount_of
from harness.arch import elf_machine, host_arch

if TYPE_CHECKING:
    from fs_profiles.faults.models import FaultModel
    from guests.assets.selftests import SelftestAssets

from guests.sim.guest import ACCEL, LOG_DIR, SimGuest, xfs_unavailable
from guests.sim.hostlog import HostKernelLog, crash_excerpts

# ----------------------------------------------------------------------------------- run


def sim_command(binary: str, name: str, *, strace: bool, prefix: list[str]) -> str:
    """The shell command for one test: [injector ... --] [strace -f -o LOG] BINARY."""
    argv = list(prefix)
    if strace:
        argv += ["strace", "-f", "-o", f"{LOG_DIR}/{name}.strace"]
    return shlex.join([*argv, binary])


def _fs_mount(real: dict | None, model: FaultModel | None) -> dict | None:
    """The mount entry the triage should see: the model's fs type over the real entry."""
    if real is None or model is None:
        return dict(real) if real else None
    return {**real, "device": f"sim:{model.name}", "fstype": model.looks_like,
            "options": model.mount_options or real.get("options", "")}


def run_in_sim(
    selftests: SelftestAssets,
    model_name: str | None = None,
    *,
    tests: tuple[str, ...] | list[str] = ("gup_longterm", "cow"),
    strace: bool = False,
    test_timeout: float = 900.0,
    workdir: Path,
    progress: Callable[[str], None] | None = None,
) -> GuestRun:
    """Run ``tests`` on the host kernel from a private work dir, under ``model_name``'s faults.

    The GuestRun looks like one from run_in_qemu: facts from inside the namespace, with
    ``fs_mount`` showing the modelled fs type (``backing_fs`` the real one). A test that hangs
    is killed and marked timed out. Everything started is stopped, also on errors and Ctrl-C.
    """
    say = progress or (lambda _msg: None)
    missing = [t for t in tests if t not in selftests.binaries]
    if missing:
        raise GuestError(f"selftest {missing[0]} was not built: run harness setup")
    arch = host_arch()
    for t in tests:
        built = elf_machine(selftests.binaries[t])
        if built is not None and built != arch:
            raise GuestError(f"the sim guest runs the host kernel ({arch}); {t} is built for "
                             f"{built}: run harness setup --arch {arch}")
    if strace and not shutil.which("strace"):
        raise GuestError("strace not found on the host: apt-get install strace")
    model = None
    if model_name:
        from fs_profiles.faults.models import load_model

        model = load_model(model_name)
    label = model.name if model else "none"
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"console-sim-{label}.log"
    log.write_bytes(b"")
    result = GuestRun(console_log=log, tests=[], facts={}, notes=[], accel=ACCEL, crash=None)
    work_fs = "tmpfs"
    if model is not None and model.looks_like == "xfs":
        why = xfs_unavailable()
        if why:
            result.notes.append(f"fault model {model.name} looks like xfs, but {why}: "
                                f"the work dir is on tmpfs")
        else:
            work_fs = "xfs"
    result.notes.append(f"simulated guest: host kernel {platform.release()}, fault model {label}")
    say(f"starting sim guest ({work_fs} work dir, fault model {label})")
    start = time.monotonic()
    guest = SimGuest(workdir, log, work_fs=work_fs)
    klog = HostKernelLog()
    if klog.why_not:
        result.notes.append(f"{klog.why_not}: kernel crashes during the tests go unnoticed")
    try:
        try:
            guest.start()
        except GuestError as exc:
            if work_fs != "xfs":
                raise
            result.notes.append(f"the XFS loop image did not work ({exc}): the work dir is on "
                                f"tmpfs")
            guest.close()
            guest = SimGuest(workdir, log, work_fs="tmpfs")
            guest.start()
            work_fs = "tmpfs"
        result.boot_seconds.append(time.monotonic() - start)
        result.notes += guest.notes
        injector = None
        if model is not None and model.rules:
            from fs_profiles.faults.injector import injector_binary

            injector = guest.copy_in(injector_binary(arch), "faultinject")
        result.facts = collect_facts(guest)
        real = mount_of(result.facts, MOUNTPOINT)
        result.facts["backing_fs"] = real
        result.facts["fs_mount"] = _fs_mount(real, model)
        result.facts["scope"] = "work"
        result.facts["profile"] = {"guest": "sim", "fault_model": label, "backing": work_fs}
        result.facts["fault_logs"] = {}
        for name in tests:
            binary = guest.copy_in(selftests.binaries[name], name)
            faults = f"{LOG_DIR}/{name}.faults"
            pre: list[str] = []
            if model is not None and injector is not None:
                from fs_profiles.faults.injector import injector_argv

                pre = injector_argv(model, injector, MOUNTPOINT, faults)
            command = sim_command(binary, name, strace=strace, prefix=pre)
            say(f"running {name}")
            _record_kernel_log(klog, guest, None, result)  # from before the test: not its doing
            r = guest.run(command, test_timeout)
            t = TestRun(name=name, command=command, output=r.output, exit_code=r.exit_code,
                        timed_out=r.timed_out, seconds=r.seconds)
            result.tests.append(t)
            _record_kernel_log(klog, guest, name, result)
            if r.timed_out:
                result.notes.append(f"{name} timed out after {test_timeout:g} s and was killed")
            else:
                say(f"{name}: exit {r.exit_code} in {r.seconds:.1f} s")
            if strace:
                path = guest.host_path(f"{LOG_DIR}/{name}.strace")
                if path.exists():
                    t.strace_log = path.read_text(errors="replace")
                else:
                    result.notes.append(f"no strace log for {name}")
            if pre:
                _keep_fault_log(guest.host_path(faults), workdir / f"faults-{name}.log",
                                name, model, result)
    finally:
        klog.close()
        guest.close()
    return result


def _record_kernel_log(klog: HostKernelLog, guest: SimGuest, name: str | None,
                       result: GuestRun) -> None:
    """Log what the host kernel said; during a test (``name``) its crash blocks are the run's."""
    lines = klog.read()
    if not lines:
        return
    guest.log_text("".join(f"# host kernel: {line}\n" for line in lines))
    if name is None:
        return
    for excerpt in crash_excerpts(lines):
        result.crash = (result.crash or []) + excerpt
        result.notes.append(f"the host kernel logged {excerpt[0].split('] ', 1)[-1]!r} during "
                            f"{name} (the host log is shared: check that the test caused it)")


def _keep_fault_log(source: Path, dest: Path, name: str, model: FaultModel | None,
                    result: GuestRun) -> None:
    text = source.read_text(errors="replace") if source.exists() else ""
    dest.write_text(text)
    count = sum(1 for line in text.splitlines() if line.strip())
    result.facts["fault_logs"][name] = str(dest)
    label = model.name if model else "none"
    result.notes.append(f"fault model {label}: {count} fault(s) injected into {name} "
                        f"(log: {dest})")
