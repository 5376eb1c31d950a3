"""One whole guest run for the runner: provision, boot, facts, tests (optionally under strace), cleanup."""

from __future__ import annotations

import base64
import gzip
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fs_profiles.base import FsProfile, GuestSide
from guests.base import Guest, GuestError, KernelCrash
from guests.cmdline import (
    ANY_NODE,
    CmdlinePlan,
    build_cmdline,
    parse_memory,
    resize_numa,
    size_label,
)
from guests.console import Crash
from guests.initramfs import SELFTEST_DIR, InitramfsSpec, build_initramfs, find_busybox
from guests.qemu import QemuGuest, device_args
from harness.arch import get_arch

if TYPE_CHECKING:
    from guests.assets.kernels import KernelAssets
    from guests.assets.selftests import SelftestAssets

MOUNTPOINT = "/mnt/harness"
STRACE_DIR = "/var/harness"
INJECTOR = "/usr/bin/faultinject"
FACTS_TIMEOUT = 60.0
# zram swap for cow's swapped-out cases (MADV_PAGEOUT of at most a THP at a time); zram only
# holds what is swapped out, compressed.
SWAP_MIB = 512
STRACE_CAT_TIMEOUT = 300.0
LAST_LINES = 25


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


@dataclass
class GuestRun:
    console_log: Path
    tests: list[TestRun]
    facts: dict
    notes: list[str]
    accel: str
    crash: list[str] | None
    boot_seconds: list[float] = field(default_factory=list)  # one per boot (retries, restarts)
    hugepage_shortfall: list[str] = field(default_factory=list)
    plan: CmdlinePlan | None = None
    interrupted: bool = False  # Ctrl-C: the tests that finished are still here


# ----------------------------------------------------------------------------------- facts

_FACT_SCRIPT = r"""
echo @@release; uname -r
echo @@cmdline; cat /proc/cmdline
echo @@mounts; cat /proc/mounts
echo @@meminfo; cat /proc/meminfo
echo @@node_hugepages
for f in /sys/devices/system/node/node*/hugepages/hugepages-*/nr_hugepages; do
  [ -e "$f" ] && echo "$f $(cat $f)"; done
echo @@hugepages
for d in /sys/kernel/mm/hugepages/hugepages-*; do
  [ -e "$d" ] && echo "$d $(cat $d/nr_hugepages) $(cat $d/free_hugepages) $(cat $d/resv_hugepages) $(cat $d/surplus_hugepages)"; done
echo @@thp; cat /sys/kernel/mm/transparent_hugepage/enabled
echo @@swaps; cat /proc/swaps
echo @@gup_test; [ -e /sys/kernel/debug/gup_test ] && echo yes || echo no
echo @@gup_test_module; grep -q '^gup_test ' /proc/modules && echo yes || echo no
echo @@nodes; for d in /sys/devices/system/node/node*; do [ -e "$d" ] && echo "$d"; done
echo @@end
"""
_NODE_HP = re.compile(r"/node(\d+)/hugepages/hugepages-(\d+)kB/nr_hugepages (\d+)")
_HP = re.compile(r"/hugepages-(\d+)kB (\d+) (\d+) (\d+) (\d+)")


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("@@"):
            current = line[2:].strip()
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return out


def parse_facts(text: str) -> dict:
    """The facts dict from the output of the facts script (kept separate for tests)."""
    s = _sections(text)
    mounts = []
    for line in s.get("mounts", []):
        parts = line.split()
        if len(parts) >= 4:
            mounts.append({"device": parts[0], "mountpoint": parts[1], "fstype": parts[2],
                           "options": parts[3]})
    meminfo: dict[str, int] = {}
    for line in s.get("meminfo", []):
        key, _, value = line.partition(":")
        num = value.split()
        if num and num[0].isdigit():
            meminfo[key.strip()] = int(num[0])
    per_node: dict[int, dict[int, int]] = {}
    for line in s.get("node_hugepages", []):
        m = _NODE_HP.search(line)
        if m:
            per_node.setdefault(int(m.group(1)), {})[int(m.group(2))] = int(m.group(3))
    pools: dict[int, dict[str, int]] = {}
    for line in s.get("hugepages", []):
        m = _HP.search(line)
        if m:
            pools[int(m.group(1))] = dict(zip(("nr", "free", "resv", "surplus"),
                                              map(int, m.groups()[1:]), strict=True))
    thp_raw = " ".join(s.get("thp", [])).strip()
    thp = re.search(r"\[(\w+)\]", thp_raw)
    swaps = [line.split()[0] for line in s.get("swaps", [])[1:] if line.strip()]
    nodes = sorted(int(m.group(1)) for line in s.get("nodes", [])
                   if (m := re.search(r"node(\d+)$", line.strip())))
    return {
        "kernel_release": " ".join(s.get("release", [])).strip(),
        "cmdline": " ".join(s.get("cmdline", [])).strip(),
        "mounts": mounts,
        "meminfo": meminfo,
        "hugepages_per_node": per_node,
        "hugepages": pools,
        "thp_enabled": thp.group(1) if thp else thp_raw,
        "swaps": swaps,
        "gup_test": (s.get("gup_test") or ["no"])[0].strip() == "yes",
        "gup_test_module": (s.get("gup_test_module") or ["no"])[0].strip() == "yes",
        "nodes": nodes,
    }


def collect_facts(guest: Guest) -> dict:
    """What the guest says about itself: release, cmdline, mounts, memory, hugepages per node ..."""
    r = guest.run(_FACT_SCRIPT.strip(), FACTS_TIMEOUT)
    if r.exit_code is None or "@@end" not in r.output:
        raise GuestError("could not read the guest's facts (the console stopped answering)")
    return parse_facts(r.output)


def mount_of(facts: dict, mountpoint: str) -> dict | None:
    """The /proc/mounts entry (the last one wins, as in the kernel) for ``mountpoint``."""
    found = None
    for m in facts.get("mounts", []):
        if m["mountpoint"] == mountpoint:
            found = m
    return found


def check_hugepages(plan: CmdlinePlan, facts: dict) -> list[str]:
    """One line per requested reservation the guest did not get (per node, as sysfs counts)."""
    lines = []
    per_node: dict[int, dict[int, int]] = facts.get("hugepages_per_node", {})
    pools: dict[int, dict[str, int]] = facts.get("hugepages", {})
    for (node, kb), want in sorted(plan.requested_hugepages.items()):
        label = size_label(kb)
        if kb not in pools:
            lines.append(f"hugepages {label}: requested {want}, but the kernel has no {label} pool")
            continue
        if node == ANY_NODE:
            got = pools[kb]["nr"]
            where = "in total"
        elif node not in per_node:
            lines.append(f"hugepages {label} on node {node}: requested {want}, "
                         f"but the guest has no node {node}")
            continue
        else:
            got = per_node[node].get(kb, 0)
            where = f"on node {node}"
        if got < want:
            lines.append(f"hugepages {label} {where}: {got} of {want} reserved")
    return lines


# ----------------------------------------------------------------------------------- run


def _strace_files(arch: str) -> dict[str, Path]:
    from guests.strace_bundle import strace_files

    return strace_files(arch)


_B64_LINE = re.compile(r"^[A-Za-z0-9+/=]+$")


def decode_gzip_base64(output: str) -> str:
    """Text from ``gzip -c FILE | base64`` output; lines that are not base64 (printk) are dropped.

    Raises ValueError/OSError/EOFError when the stream is damaged.
    """
    data = "".join(ln.strip() for ln in output.splitlines() if _B64_LINE.match(ln.strip()))
    if not data:
        raise ValueError("no base64 data")
    return gzip.decompress(base64.b64decode(data, validate=True)).decode("utf-8", "replace")


def fetch_text(guest: Guest, path: str, timeout: float) -> str | None:
    """A guest file's text over the console: gzip+base64 (~10x less to send), else plain cat."""
    r = guest.run(f"[ -s {path} ] && gzip -c {path} | base64", timeout)
    if r.exit_code == 0:
        try:
            return decode_gzip_base64(r.output)
        except (ValueError, OSError, EOFError):
            pass
    r = guest.run(f"cat {path}", timeout)
    return r.output if r.exit_code == 0 else None


def test_command(name: str, strace: bool, inject: list[str] | None = None) -> str:
    """The guest command line for one selftest (under the fault injector, then strace)."""
    binary = f"{SELFTEST_DIR}/{name}"
    if strace:
        binary = f"strace -f -o {STRACE_DIR}/{name}.strace {binary}"
    if inject:
        binary = " ".join(inject) + " " + binary
    return binary


@dataclass
class _Run:
    """The state of one run_in_qemu call (so boots and restarts share it)."""

    arch: str
    kernel_image: Path
    initrd: Path
    log: Path
    plan: CmdlinePlan
    numa: list[int]
    smp: int
    side: GuestSide
    boot_timeout: float
    progress: Callable[[str], None]
    result: GuestRun
    guest: QemuGuest | None = None
    recorded: list[Crash] = field(default_factory=list)

    def boot(self, why: str) -> QemuGuest:
        """Boot once; a kernel crash before any test ran is retried once (and said so)."""
        for attempt in (1, 2):
            self.progress(f"booting {self.arch} guest ({why})")
            guest = QemuGuest(
                arch=self.arch, kernel=self.kernel_image, initrd=self.initrd, log_path=self.log,
                numa=self.numa, smp=self.smp, kernel_args=self.plan.kernel_args,
                qemu_args=device_args(get_arch(self.arch), self.side),
                qemu_prefix=list(self.side.enter_argv),
                accel=self.result.accel or "auto", boot_timeout=self.boot_timeout,
            )
            self.guest = guest
            try:
                guest.start()
            except KernelCrash as e:
                self.result.boot_seconds.append(guest.boot_seconds)
                if attempt == 2:
                    raise
                self.result.notes.append(f"kernel crashed while booting ({e}); booted again")
                self.result.crash = (self.result.crash or []) + e.excerpt
                continue
            self.result.boot_seconds.append(guest.boot_seconds)
            if not self.result.accel:
                self.result.accel = guest.accel
                self.result.notes.append(f"accelerator: {guest.accel_why}")
            self.progress(f"guest ready after {guest.boot_seconds:.1f} s ({guest.accel})")
            return guest
        raise GuestError("unreachable")

    def record_crashes(self) -> None:
        """Add the guest's new crash excerpts (each one once) to the result."""
        if self.guest is None:
            return
        for crash in self.guest.crashes:
            if not any(crash is seen for seen in self.recorded):
                self.recorded.append(crash)
                self.result.crash = (self.result.crash or []) + crash.lines


def run_in_qemu(
    kernel: KernelAssets,
    selftests: SelftestAssets,
    profile: FsProfile,
    *,
    arch: str,
    scope: str = "work",
    cmdline: str = "thread",
    append: str = "",
    tests: tuple[str, ...] | list[str] = ("gup_longterm", "cow"),
    strace: bool = False,
    memory: str | int | None = None,
    smp: int = 2,
    boot_timeout: float = 240.0,
    test_timeout: float = 1800.0,
    inject: str | None = None,
    keep: bool = False,
    swap_mib: int = SWAP_MIB,
    late_modules: dict[str, Path] | None = None,
    workdir: Path,
    progress: Callable[[str], None] | None = None,
) -> GuestRun:
    """Boot ``kernel`` with ``profile``'s filesystem as the tests' cwd and run ``tests`` in it.

    The guest gets ``swap_mib`` of zram swap (0: none) and loads ``late_modules`` (gup_test.ko
    for a kernel without CONFIG_GUP_TEST) after the profile's modules.

    Always powers off, kills QEMU and tears the profile down (also on errors and Ctrl-C). A test
    that hangs is marked timed out and the guest is booted again for the tests after it; a kernel
    crash is recorded in ``crash`` and the results so far are kept.
    """
    a = get_arch(arch)
    say = progress or (lambda _msg: None)
    missing = [t for t in tests if t not in selftests.binaries]
    if missing:
        raise GuestError(f"selftest {missing[0]} was not built for {a.name}: run harness setup")
    plan = build_cmdline(a, cmdline, append)
    numa = resize_numa(plan.numa, parse_memory(memory)) if memory else list(plan.numa)
    workdir.mkdir(parents=True, exist_ok=True)
    private = Path(tempfile.mkdtemp(prefix=f"qemu-{a.name}-{profile.name}-", dir=workdir))
    log = workdir / f"console-{a.name}-{profile.name}.log"
    log.write_bytes(b"")
    result = GuestRun(console_log=log, tests=[], facts={}, notes=list(plan.notes), accel="",
                      crash=None, plan=plan)
    image = kernel.vmlinux if (getattr(kernel, "vmlinux", None) and a.name == "x86_64") else None
    run: _Run | None = None
    try:
        extra = _strace_files(a.name) if strace else {}
        model = None
        if inject:
            from fs_profiles.faults.injector import injector_binary
            from fs_profiles.faults.models import load_model

            model = load_model(inject)
            extra[INJECTOR] = injector_binary(a.name)
            result.notes.append(f"fault model {model.name} ({model.looks_like}) injected on the "
                                f"{profile.name} work dir: {model.description}")
        say(f"provisioning {profile.name}")
        side = profile.provision(private / "fs", MOUNTPOINT)
        if kernel.modules_dir is None and side.modules:
            raise GuestError(f"{profile.name} needs kernel modules; the kernel was given without "
                             f"its modules dir: pass --modules")
        spec = InitramfsSpec(
            arch=a.name, mountpoint=side.mountpoint, busybox=find_busybox(a.name),
            modules_dir=kernel.modules_dir, modules=list(side.modules), mount=list(side.mount),
            scope=scope, binaries={t: selftests.binaries[t] for t in tests}, extra_files=extra,
            optional_modules=["zram"] if swap_mib else [], late_modules=dict(late_modules or {}),
            swap_mib=swap_mib,
        )
        say("building the initramfs")
        initrd = private / "initrd.gz"
        build_initramfs(spec, initrd)
        if strace:
            # strace writes to the initramfs root, never to the filesystem under test.
            result.notes.append(f"strace logs are written to {STRACE_DIR} on the initramfs")
        run = _Run(arch=a.name, kernel_image=image or kernel.image, initrd=initrd, log=log,
                   plan=plan, numa=numa, smp=smp, side=side, boot_timeout=boot_timeout,
                   progress=say, result=result)
        guest = run.boot(profile.name)
        result.facts = collect_facts(guest)
        result.facts["profile"] = dict(side.facts)
        result.facts["fs_mount"] = mount_of(result.facts, side.mountpoint)
        if model is not None and result.facts["fs_mount"]:
            # Triage judges the fs the model imitates; the real one is kept beside it.
            result.facts["backing_fs"] = dict(result.facts["fs_mount"])
            result.facts["fs_mount"] = {**result.facts["fs_mount"], "fstype": model.looks_like,
                                        "options": model.mount_options or "modelled"}
            result.facts["fault_logs"] = {}
        result.facts["scope"] = scope
        result.hugepage_shortfall = check_hugepages(plan, result.facts)
        result.notes += result.hugepage_shortfall
        if strace or model:
            guest.run(f"mkdir -p {STRACE_DIR}", 30)
        for index, name in enumerate(tests, start=1):
            if guest is None or not guest.alive:
                guest = run.boot(f"again for {name}")
                if strace:
                    guest.run(f"mkdir -p {STRACE_DIR}", 30)
            say(f"running {name} (test {index} of {len(tests)})")
            prefix = None
            if model is not None:
                from fs_profiles.faults.injector import injector_argv

                prefix = injector_argv(model, INJECTOR, side.mountpoint,
                                       f"{STRACE_DIR}/{name}.faults")
            command = test_command(name, strace, prefix)
            r = guest.run(command, test_timeout)
            t = TestRun(name=name, command=command, output=r.output, exit_code=r.exit_code,
                        timed_out=r.timed_out, seconds=r.seconds)
            result.tests.append(t)
            run.record_crashes()
            if r.timed_out:
                tail = guest.tail(LAST_LINES)
                result.notes.append(f"{name} timed out after {test_timeout:.0f} s; last console "
                                    f"lines: " + " | ".join(x.strip() for x in tail[-5:]))
                t.output = r.output
                guest.close()
                guest = None
                continue
            if not guest.alive:
                what = "shell exited" if getattr(r, "shell_exited", False) else "guest died"
                result.notes.append(f"the {what} during {name} (exit code unknown)")
                guest.close()
                guest = None
                continue
            say(f"{name}: exit {r.exit_code} in {r.seconds:.1f} s")
            if strace:
                t.strace_log = fetch_text(guest, f"{STRACE_DIR}/{name}.strace", STRACE_CAT_TIMEOUT)
                if t.strace_log is None:
                    result.notes.append(f"no strace log for {name}")
                guest.run(f"rm -f {STRACE_DIR}/{name}.strace", 30)
            if model is not None:
                text = fetch_text(guest, f"{STRACE_DIR}/{name}.faults", STRACE_CAT_TIMEOUT)
                if text is not None:
                    saved = workdir / f"faults-{a.name}-{name}.log"
                    saved.write_text(text)
                    result.facts["fault_logs"][name] = str(saved)
        run.record_crashes()
    except KeyboardInterrupt:
        result.interrupted = True
        result.notes.append("interrupted by Ctrl-C: only the tests that finished are reported")
    except KernelCrash as e:
        known = set(result.crash or [])
        result.crash = (result.crash or []) + [ln for ln in e.excerpt if ln not in known]
        result.notes.append(str(e))
    finally:
        say("powering off and tearing down")
        try:
            if run is not None and run.guest is not None:
                run.record_crashes()
                run.guest.close()
        finally:
            if keep:
                result.notes.append(f"--keep: the initramfs and the filesystem's files are in {private}")
                profile.keep()
            profile.teardown()
            if not keep:
                shutil.rmtree(private, ignore_errors=True)
    return result
