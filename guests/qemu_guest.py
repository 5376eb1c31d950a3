"""QemuGuest: a filesystem profile provisioned on the host, an initramfs, QEMU boots of a kernel."""

from __future__ import annotations

import base64
import contextlib
import gzip
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fs_profiles.base import FsProfile, GuestSide, ServerExit
from fs_profiles.faults.injector import injector_argv, injector_binary
from fs_profiles.faults.models import FaultModel, load_model
from guests.assets.kernels import KernelAssets
from guests.assets.selftests import SelftestAssets
from guests.base import MOUNTPOINT, CommandResult, Guest, GuestError
from guests.cmdline import build_cmdline, parse_memory, place_root, resize_numa
from guests.console import Crash
from guests.events import Building, Event
from guests.facts import GuestFacts, check_hugepages, collect_facts, modelled
from guests.initramfs import SELFTEST_DIR, InitramfsSpec, find_busybox
from guests.initramfs_cache import cached_initramfs
from guests.qemu import QemuMachine, device_args
from guests.root_payload import root_payload
from guests.run import RunRequest
from guests.strace_bundle import strace_files
from harness.arch import get_arch

STRACE_DIR = "/var/harness"
INJECTOR = "/usr/bin/faultinject"
# zram swap for cow's swapped-out cases (MADV_PAGEOUT of at most a THP at a time); zram only
# holds what is swapped out, compressed.
SWAP_MIB = 512
STRACE_CAT_TIMEOUT = 300.0
# A command is given up this long after a server the guest mounts died, once the console has
# been silent as long: on a hard NFS mount it would hang until its timeout (30 min by default).
SERVER_GONE_GRACE = 20.0
LAST_LINES = 25

_B64_LINE = re.compile(r"^[A-Za-z0-9+/=]+$")


def decode_gzip_base64(output: str) -> str:
    """Text from ``gzip -c FILE | base64`` output; lines that are not base64 (printk) are dropped.

    Raises ValueError/OSError/EOFError when the stream is damaged.
    """
    data = "".join(ln.strip() for ln in output.splitlines() if _B64_LINE.match(ln.strip()))
    if not data:
        raise ValueError("no base64 data")
    return gzip.decompress(base64.b64decode(data, validate=True)).decode("utf-8", "replace")


def fetch_text(machine: QemuMachine, path: str, timeout: float) -> str | None:
    """A guest file's text over the console: gzip+base64 (~10x less to send), else plain cat."""
    r = machine.run(f"[ -s {path} ] && gzip -c {path} | base64", timeout)
    if r.exit_code == 0:
        try:
            return decode_gzip_base64(r.output)
        except (ValueError, OSError, EOFError):
            pass
    r = machine.run(f"cat {path}", timeout)
    return r.output if r.exit_code == 0 else None


def test_command(name: str, strace: bool, inject: list[str] | None = None) -> str:
    """The guest command line for one selftest (under the fault injector, then strace)."""
    binary = f"{SELFTEST_DIR}/{name}"
    if strace:
        binary = f"strace -f -o {STRACE_DIR}/{name}.strace {binary}"
    if inject:
        binary = " ".join(inject) + " " + binary
    return binary


class QemuGuest(Guest):
    """``kernel`` booted under QEMU with ``profile``'s filesystem as the tests' cwd.

    The guest gets ``swap_mib`` of zram swap (0: none) and loads ``late_modules`` (gup_test.ko
    for a kernel without CONFIG_GUP_TEST) after the profile's modules.
    """

    kind = "qemu"

    def __init__(self, kernel: KernelAssets, selftests: SelftestAssets, profile: FsProfile,
                 request: RunRequest, *, swap_mib: int = SWAP_MIB,
                 late_modules: dict[str, Path] | None = None) -> None:
        self.arch = get_arch(request.arch)
        missing = [t for t in request.tests if t not in selftests.binaries]
        if missing:
            raise GuestError(f"selftest {missing[0]} was not built for {self.arch.name}: "
                             f"run harness setup")
        self.kernel, self.selftests = kernel, selftests
        self.profile, self.request = profile, request
        self.swap_mib, self.late_modules = swap_mib, dict(late_modules or {})
        self.label, self.fs_name = f"{self.arch.name} guest", profile.name
        self.plan = build_cmdline(self.arch, request.cmdline, request.append)
        self.numa = (resize_numa(self.plan.numa, parse_memory(request.memory)) if request.memory
                     else list(self.plan.numa))
        self.notes = list(self.plan.notes)
        request.workdir.mkdir(parents=True, exist_ok=True)
        self.private = Path(tempfile.mkdtemp(prefix=f"qemu-{self.arch.name}-{profile.name}-",
                                             dir=request.workdir))
        self._log = request.workdir / f"console-{self.arch.name}-{profile.name}.log"
        self._log.write_bytes(b"")
        self.model: FaultModel | None = None
        self.side: GuestSide | None = None
        self.machine: QemuMachine | None = None
        self._seen: list[Crash] = []
        self._closed = False

    @property
    def console_log(self) -> Path:
        return self._log

    def provision(self, on_event: Callable[[Event], None]) -> None:
        extra = strace_files(self.arch.name) if self.request.strace else {}
        if self.request.inject:
            self.model = load_model(self.request.inject)
            extra[INJECTOR] = injector_binary(self.arch.name)
            self.notes.append(f"fault model {self.model.name} ({self.model.looks_like}) injected "
                              f"on the {self.profile.name} work dir: {self.model.description}")
        as_root = self.request.scope == "root"
        busybox = find_busybox(self.arch.name)
        # A root on the filesystem gets the cached payload from the host where it can (all the
        # built selftests, so one payload serves every --tests); a tmpfs root from /init.
        payload = (root_payload(self.arch.name, busybox, dict(self.selftests.binaries), extra)
                   if as_root else None)
        self.side = side = self.profile.provision(self.private / "fs", MOUNTPOINT,
                                                  as_root=as_root, payload=payload)
        self.plan.kernel_args, root_notes = place_root(self.plan.kernel_args, side.root_args)
        self.notes += root_notes
        if self.kernel.modules_dir is None and side.modules:
            raise GuestError(f"{self.profile.name} needs kernel modules; the kernel was given "
                             f"without its modules dir: pass --modules")
        spec = InitramfsSpec(
            arch=self.arch.name, mountpoint=side.mountpoint, busybox=busybox,
            modules_dir=self.kernel.modules_dir, modules=list(side.modules),
            mount=list(side.mount), scope=self.request.scope, extra_files=extra,
            binaries={t: self.selftests.binaries[t] for t in self.request.tests},
            optional_modules=["zram"] if self.swap_mib else [],
            late_modules=self.late_modules, swap_mib=self.swap_mib, payload_key=side.payload_key,
        )
        on_event(Building("initramfs"))
        cached_initramfs(spec, self.private / "initrd.gz")
        if self.request.strace:
            # strace writes to the initramfs root, never to the filesystem under test.
            self.notes.append(f"strace logs are written to {STRACE_DIR} on the initramfs")

    def boot(self) -> None:
        assert self.side is not None
        self.stop()
        pvh = self.kernel.vmlinux if self.arch.name == "x86_64" else None
        self.machine = machine = QemuMachine(
            arch=self.arch, kernel=pvh or self.kernel.image, initrd=self.private / "initrd.gz",
            log_path=self._log, numa=self.numa, smp=self.request.smp,
            kernel_args=self.plan.kernel_args, qemu_args=device_args(self.arch, self.side),
            qemu_prefix=list(self.side.enter_argv), accel=self.accel or "auto",
            boot_timeout=self.request.boot_timeout, panic_reboot=self.plan.panic_reboot,
            run_dir=self.private,
        )
        try:
            machine.start()
        finally:
            self.boot_seconds = machine.boot_seconds
        self.accel, self.accel_why = machine.accel, machine.accel_why
        if self.request.strace or self.model:
            machine.run(f"mkdir -p {STRACE_DIR}", 30)

    @property
    def alive(self) -> bool:
        return self.machine is not None and self.machine.alive

    def run(self, command: str, timeout: float) -> CommandResult:
        if self.machine is None:
            raise GuestError("the guest is not running")
        return self.machine.run(command, timeout, give_up=self._server_gone)

    def server_exits(self) -> list[ServerExit]:
        return self.profile.server_exits()

    def fs_gone(self) -> str:
        return self.profile.gone()

    def log_error(self) -> OSError | None:
        return self.machine.log_error if self.machine else None

    def _server_gone(self, silent: float) -> str:
        """Why to stop waiting for a command: its server died and the console went quiet."""
        exits = self.profile.server_exits()
        if not exits:
            return ""
        gone = time.time() - exits[0].at
        if min(gone, silent) < SERVER_GONE_GRACE:
            return ""
        return (f"{exits[0].role} died {gone:.0f} s before and the console had been silent "
                f"for {silent:.0f} s")

    def facts(self) -> GuestFacts:
        assert self.side is not None
        facts = collect_facts(self)
        facts.fs_facts = dict(self.side.facts)
        # With / on the filesystem the work dir is a directory of the root, not a mount.
        facts.fs_mount = facts.mount_at("/" if self.request.scope == "root"
                                        else self.side.mountpoint)
        if self.model is not None and facts.fs_mount:
            # Triage judges the fs the model imitates; the real one is kept beside it.
            facts.backing_fs = facts.fs_mount
            facts.fs_mount = modelled(facts.fs_mount, self.model, facts.fs_mount.source)
        return facts

    def hugepage_shortfall(self, facts: GuestFacts) -> list[str]:
        return check_hugepages(self.plan, facts)

    def test_command(self, name: str) -> str:
        prefix = None
        if self.model is not None:
            prefix = injector_argv(self.model, INJECTOR, MOUNTPOINT, f"{STRACE_DIR}/{name}.faults")
        return test_command(name, self.request.strace, prefix)

    def new_crashes(self, during: str | None) -> list[list[str]]:
        """The console's crash excerpts not handed out yet (each one once)."""
        found = []
        for crash in self.machine.crashes if self.machine else []:
            if not any(crash is seen for seen in self._seen):
                self._seen.append(crash)
                found.append(crash.lines)
        return found

    def hung(self, name: str) -> str:
        assert self.machine is not None
        tail = self.machine.tail(LAST_LINES)
        self.stop()
        return "; last console lines: " + " | ".join(x.strip() for x in tail[-5:])

    def died(self, result: CommandResult) -> str:
        self.stop()
        return "shell exited" if getattr(result, "shell_exited", False) else "guest died"

    def strace_log(self, name: str) -> str | None:
        assert self.machine is not None
        path = f"{STRACE_DIR}/{name}.strace"
        text = fetch_text(self.machine, path, STRACE_CAT_TIMEOUT)
        self.machine.run(f"rm -f {path}", 30)
        return text

    def fault_log(self, name: str) -> Path | None:
        if self.model is None or self.machine is None:
            return None
        text = fetch_text(self.machine, f"{STRACE_DIR}/{name}.faults", STRACE_CAT_TIMEOUT)
        if text is None:
            return None
        saved = self.request.workdir / f"faults-{self.arch.name}-{name}.log"
        saved.write_text(text)
        return saved

    def stop(self) -> None:
        """Power the machine off (boot() starts a new one)."""
        if self.machine is not None:
            self.machine.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.stop()
        finally:
            if self.request.keep:
                self.notes.append(f"--keep: the initramfs and the filesystem's files are in "
                                  f"{self.private}")
                self.profile.keep()
            self.profile.teardown()
            for log in (self.private / "fs").glob("*.log"):  # a server's log (nfs-ganesha.log)
                with contextlib.suppress(OSError):
                    shutil.move(log, self.request.workdir / log.name)
            if not self.request.keep:
                shutil.rmtree(self.private, ignore_errors=True)

