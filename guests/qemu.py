"""QemuMachine: one QEMU (TCG or KVM) process with a serial console, booted from kernel +
initramfs."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from fs_profiles.base import GuestSide
from guests.base import BootTimeout, CommandResult, GuestError, KernelCrash, Machine
from guests.console import Crash, SerialConsole
from guests.initramfs import READY_MARKER, SETUP_FAILED_MARKER
from harness.arch import Arch, get_arch, kernel_image_arch

POWEROFF_WAIT = 15.0
QMP_SOCKET = "qmp.sock"
KVM_PROBE_TIMEOUT = 25.0
_accel_cache: dict[str, tuple[str, str]] = {}  # arch -> (accel, why)


@dataclass(frozen=True)
class QemuConfig:
    """Everything the QEMU command line depends on; ``build_argv`` is a pure function of it."""

    arch: Arch
    kernel: Path
    initrd: Path
    numa: tuple[int, ...]  # MiB per node; one entry = no NUMA topology
    smp: int = 2
    kernel_args: str = ""
    extra_args: tuple[str, ...] = ()
    accel: str = "tcg"
    panic_reboot: bool = True  # panic=-1 on the command line (see CmdlinePlan.panic_reboot)


def build_argv(cfg: QemuConfig) -> list[str]:
    """The QEMU argv for ``cfg`` (without any prefix such as nsenter)."""
    a = cfg.arch
    if cfg.accel not in ("tcg", "kvm"):
        raise GuestError(f"bad accelerator {cfg.accel!r}: use tcg or kvm")
    nodes = len(cfg.numa)
    if nodes < 1 or cfg.smp < 1:
        raise GuestError("a guest needs at least one NUMA node and one CPU")
    cpu = a.tcg_cpu if cfg.accel == "tcg" else a.kvm_cpu
    smp = str(cfg.smp)
    if nodes > 1 and cfg.smp % nodes == 0:
        # One socket per node: plain -smp 2 with two nodes makes the kernel warn about topology.
        smp = f"{cfg.smp},sockets={nodes}"
    argv = [a.qemu_binary, "-M", a.machine, "-accel", cfg.accel, "-cpu", cpu, "-smp", smp,
            "-m", f"{sum(cfg.numa)}M"]
    if nodes > 1:
        per = cfg.smp // nodes
        for i, mib in enumerate(cfg.numa):
            argv += ["-object", f"memory-backend-ram,id=mem{i},size={mib}M"]
            node = f"node,nodeid={i},memdev=mem{i}"
            if per:
                first = i * per
                last = cfg.smp - 1 if i == nodes - 1 else first + per - 1
                node += f",cpus={first}" if first == last else f",cpus={first}-{last}"
            argv += ["-numa", node]
    panic = "panic=-1 " if cfg.panic_reboot else ""
    append = f"console={a.console} {panic}{cfg.kernel_args}".strip()
    argv += ["-kernel", str(cfg.kernel), "-initrd", str(cfg.initrd), "-append", append,
             "-nographic", "-no-reboot"]
    argv += list(cfg.extra_args)
    return argv


def qemu_path(path: Path) -> str:
    """A path inside a QEMU option value: commas are doubled."""
    return str(path).replace(",", ",,")


def device_args(arch: Arch, side: GuestSide) -> list[str]:
    """QEMU arguments for what a filesystem profile asked for: disks, 9p shares, a network."""
    argv: list[str] = []
    for i, disk in enumerate(side.disks):
        argv += ["-drive", f"file={qemu_path(disk.image)},if=none,format=raw,id=hd{i},cache=unsafe",
                 "-device", f"{arch.blk_device},drive=hd{i}"]
    for i, share in enumerate(side.shares):
        virtfs = (f"local,path={qemu_path(share.path)},mount_tag={share.tag},"
                  f"security_model={share.security_model},id=fs{i}")
        argv += ["-virtfs", virtfs]
    if side.user_network:
        # virtio-net-pci on x86 pc and arm64 virt alike; no option ROM
        argv += ["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0,romfile="]
    return argv


def check_qemu_binary(arch: Arch) -> str:
    path = shutil.which(arch.qemu_binary)
    if not path:
        raise GuestError(f"{arch.qemu_binary} not found: apt-get install {arch.qemu_package}")
    return path


def check_kernel(arch: Arch, kernel: Path) -> None:
    if not kernel.is_file():
        raise GuestError(f"kernel image {kernel} does not exist: fetch or build the kernel first")
    found = kernel_image_arch(kernel)
    if found is None:
        raise GuestError(f"{kernel} is not a kernel image QEMU can boot for {arch.name}")
    if found != arch.name:
        raise GuestError(f"{kernel} is a {found} kernel, not {arch.name}: "
                         f"pass a {arch.name} kernel")


def kvm_possible(arch: Arch) -> str:
    """Why KVM cannot be used, or '' if it is worth a probe."""
    if platform.machine() != arch.uname:
        return f"host is {platform.machine()}, guest {arch.name}"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "no usable /dev/kvm"
    return ""


def choose_accel(arch: Arch, kernel: Path, initrd: Path) -> tuple[str, str]:
    """('kvm'|'tcg', why), probing KVM with one short boot when worth it.

    The probe's answer is remembered in the cache, keyed by what decides it (host kernel,
    /dev/kvm, QEMU version), so it runs once per host setup, not once per run.
    HARNESS_ACCEL=tcg|kvm skips the probe; HARNESS_ACCEL=probe forgets the answer and probes.
    """
    from guests import accel_memory

    forced = os.environ.get("HARNESS_ACCEL", "")
    if forced in ("tcg", "kvm"):
        return forced, f"HARNESS_ACCEL={forced}"
    if arch.name in _accel_cache:
        return _accel_cache[arch.name]
    why = kvm_possible(arch)
    if why:
        result = ("tcg", f"TCG: {why}")
    else:
        key = accel_memory.probe_key(arch.name, arch.qemu_binary)
        if forced == "probe":
            accel_memory.forget(key)
        known = accel_memory.recall(key)
        if known is not None:
            note = f"remembered from a probe on {known.when}; HARNESS_ACCEL=probe probes again"
            result = (known.accel, f"{known.why} ({note})")
        else:
            result = _probe_kvm(arch, kernel, initrd)
            accel_memory.remember(key, *result)
    _accel_cache[arch.name] = result
    return result


def _probe_kvm(arch: Arch, kernel: Path, initrd: Path) -> tuple[str, str]:
    tmp = Path(tempfile.mkdtemp(prefix="harness-kvm-probe-"))
    cfg = QemuConfig(arch=arch, kernel=kernel, initrd=initrd, numa=(1024,), smp=1, accel="kvm")
    console = SerialConsole(build_argv(cfg), tmp / "console.log")
    try:
        # Setup may fail (the probe has no disks or shares): reaching /init is what counts.
        pats = [re.compile(READY_MARKER), re.compile(SETUP_FAILED_MARKER)]
        ready = console.expect_line(pats, KVM_PROBE_TIMEOUT)
        if ready is not None:
            return "kvm", "KVM: probe boot reached the guest's /init"
        last = next((x for x in reversed(console.tail) if x.strip()), "no output")
        return "tcg", f"TCG: KVM probe boot failed ({last.strip()[:120]})"
    finally:
        kill_tree(console.pid)
        console.close()
        shutil.rmtree(tmp, ignore_errors=True)


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and everything below it (QEMU may run under nsenter/unshare).

    Descendants are waited for here; ``pid`` itself is reaped by whoever spawned it.
    """
    try:
        proc = psutil.Process(pid)
        below = proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for p in [proc, *below]:
        try:
            p.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(below, timeout=5)


@dataclass
class QemuMachine(Machine):
    """One QEMU guest. ``start`` boots and waits for the ready marker; ``close`` always cleans
    up."""

    arch: Arch | str
    kernel: Path
    initrd: Path
    log_path: Path
    numa: list[int] = field(default_factory=lambda: [2048])
    smp: int = 2
    kernel_args: str = ""
    qemu_args: list[str] = field(default_factory=list)
    qemu_prefix: list[str] = field(default_factory=list)
    accel: str = "auto"  # auto = probe KVM once, else TCG
    boot_timeout: float = 180.0
    panic_reboot: bool = True
    accel_why: str = field(default="", init=False)
    boot_seconds: float = field(default=0.0, init=False)
    _console: SerialConsole | None = field(default=None, init=False, repr=False)
    _alive: bool = field(default=False, init=False, repr=False)
    run_dir: Path | None = None  # QEMU's cwd, where its QMP socket is (None: no QMP socket)

    def __post_init__(self) -> None:
        if isinstance(self.arch, str):
            self.arch = get_arch(self.arch)

    @property
    def arch_def(self) -> Arch:
        assert isinstance(self.arch, Arch)
        return self.arch

    @property
    def console_log(self) -> Path:
        return self.log_path

    @property
    def crashes(self) -> list[Crash]:
        return self._console.crashes if self._console else []

    @property
    def alive(self) -> bool:
        return self._alive and self._console is not None and not self._console.eof

    @property
    def log_error(self) -> OSError | None:
        """Why the console log could not be written (the disk is full), None if it could."""
        return self._console.log_error if self._console else None

    def tail(self, n: int = 30) -> list[str]:
        return list(self._console.tail)[-n:] if self._console else []

    @property
    def qmp_socket(self) -> Path | None:
        """The machine's QMP socket (query-status, inject-nmi, dump-guest-memory ...: look at a
        guest that hangs without stopping the run). In ``run_dir``, QEMU's cwd, named by a
        relative path: a unix socket's path must be under 108 bytes, --out's may be longer."""
        return self.run_dir / QMP_SOCKET if self.run_dir else None

    def argv(self) -> list[str]:
        monitor = ["-qmp", f"unix:{QMP_SOCKET},server=on,wait=off"] if self.run_dir else []
        # No default NIC (an e1000 with its iPXE ROM and a slirp stack on x86's pc): a profile
        # that needs a network asks for its own; ~0.15 s less before the kernel starts.
        no_nic = ["-nic", "none"]
        return self.qemu_prefix + build_argv(
            QemuConfig(
                arch=self.arch_def, kernel=self.kernel, initrd=self.initrd, numa=tuple(self.numa),
                smp=self.smp, kernel_args=self.kernel_args,
                extra_args=(*no_nic, *self.qemu_args, *monitor), accel=self.accel,
                panic_reboot=self.panic_reboot,
            )
        )

    def start(self) -> None:
        a = self.arch_def
        check_qemu_binary(a)
        check_kernel(a, self.kernel)
        if self.accel == "auto":
            self.accel, self.accel_why = choose_accel(a, self.kernel, self.initrd)
        elif not self.accel_why:
            self.accel_why = f"{self.accel.upper()}: requested"
        t0 = time.monotonic()
        try:
            self._console = SerialConsole(self.argv(), self.log_path, cwd=self.run_dir)
            self._wait_ready(t0)
        except BaseException:
            self.close()
            raise
        self._alive = True

    def _wait_ready(self, t0: float) -> None:
        con = self._console
        assert con is not None
        hit = con.expect_line(
            [re.compile(re.escape(READY_MARKER) + "$"), re.compile(SETUP_FAILED_MARKER)],
            self.boot_timeout,
        )
        self.boot_seconds = time.monotonic() - t0
        oops = [c for c in con.crashes if c.kind == "oops"]
        if oops:
            con.drain(1.0)
            raise KernelCrash(f"kernel crashed while booting: {oops[0].title}", oops[0].lines)
        if hit is None:
            last = " | ".join(x.strip() for x in list(con.tail)[-3:] if x.strip())
            if con.eof:
                raise GuestError(f"QEMU exited before the guest was ready: {last or 'no output'}")
            raise BootTimeout(
                f"guest not ready after {self.boot_timeout:.0f} s (last console lines: {last})"
            )
        if hit[0] == 1:
            raise GuestError(f"guest setup failed: {hit[1].split(SETUP_FAILED_MARKER + ':')[-1]}")

    def run(self, command: str, timeout: float,
            give_up: Callable[[float], str] | None = None) -> CommandResult:
        """``command`` in the guest's shell; ``give_up`` as SerialConsole.run has it."""
        if not self.alive:
            raise GuestError("the guest is not running (it crashed, timed out or was closed)")
        assert self._console is not None
        result = self._console.run(command, timeout, give_up)
        if result.timed_out or result.died:
            self._alive = False
        return result

    def close(self) -> None:
        con = self._console
        try:
            if con is not None:
                self._power_off(con)
        finally:
            if self.qmp_socket is not None:
                with contextlib.suppress(OSError):
                    self.qmp_socket.unlink(missing_ok=True)

    def _power_off(self, con: SerialConsole) -> None:
        try:
            # Only an idle shell can take the poweroff (not one interrupted by Ctrl-C mid-test).
            if self._alive and not con.eof and not con.busy:
                try:
                    con.send("poweroff -f\n")
                    con.wait_exit(POWEROFF_WAIT)
                except OSError:
                    pass
        finally:
            self._alive = False
            kill_tree(con.pid)
            con.close()
