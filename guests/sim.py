"""The simulated guest: the static selftests on the host kernel, in a private mount namespace.

Layout inside the namespace (nothing of it is visible on the host):

    /mnt                 a small tmpfs (scaffolding, hides the host's /mnt)
    /mnt/harness         the tests' cwd: a fresh tmpfs, or an XFS loop image
    /mnt/harness-host    bind mount of a private host dir: bin/ (selftests, injector), logs/
    /tmp                 a fresh tmpfs (glibc tmpfile() always uses /tmp, as in the QEMU guest)
    /sys/kernel/debug    debugfs, when the host kernel has it and we may mount it

A holder process (``unshare --mount --propagation private [--map-root-user] sh``) owns the
namespace; every command enters it with ``nsenter`` in a session of its own, so a timeout kills
the command's process group. close() kills every process left in the namespace; the namespace,
and with it every mount, goes away with its last process.
"""

from __future__ import annotations

import contextlib
import os
import platform
import pty
import select
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from guests.base import CommandResult, Guest, GuestError
from guests.console import CRASH_RE, END_TRACE_RE, EXCERPT_LINES
from guests.session import MOUNTPOINT, GuestRun, TestRun, collect_facts, mount_of
from harness.arch import elf_machine, host_arch

if TYPE_CHECKING:
    from fs_profiles.faults.models import FaultModel
    from guests.assets import SelftestAssets

HOST_MOUNT = "/mnt/harness-host"
BIN_DIR = f"{HOST_MOUNT}/bin"
LOG_DIR = f"{HOST_MOUNT}/logs"
ACCEL = "none (host kernel)"
START_TIMEOUT = 30.0
XFS_IMAGE_BYTES = 512 * 1024 * 1024  # mkfs.xfs needs ~300 MB at least
COMMAND_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "LC_ALL": "C", "HOME": "/tmp", "TERM": "dumb"}
READY = "HARNESS-SIM-READY"
FAILED = "HARNESS-SIM-FAILED:"

# Run by the holder in the new namespace: $1 work fs kind, $2 block device (xfs), $3 host dir.
_SETUP = r"""
fail() { echo "HARNESS-SIM-FAILED: $*"; exit 1; }
[ -d /mnt ] || fail "the host has no /mnt to mount the work dir under"
mount -t tmpfs -o mode=0755,size=16m harness-sim /mnt || fail "mount tmpfs on /mnt"
mkdir /mnt/harness /mnt/harness-host || fail "mkdir under /mnt"
if [ "$1" = xfs ]; then
  mount -t xfs "$2" /mnt/harness || fail "mount -t xfs $2"
  chmod 1777 /mnt/harness
else
  mount -t tmpfs -o mode=1777 harness-work /mnt/harness || fail "mount tmpfs on /mnt/harness"
fi
mount --bind "$3" /mnt/harness-host || fail "bind $3"
mount -t tmpfs -o mode=1777 harness-tmp /tmp || fail "mount tmpfs on /tmp"
if grep -qw debugfs /proc/filesystems && ! grep -q " /sys/kernel/debug " /proc/mounts; then
  mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || echo "harness-sim: no debugfs mount"
fi
echo HARNESS-SIM-READY
read -r _ || true
"""


def xfs_unavailable() -> str | None:
    """Why an XFS loop image cannot back the work dir here (None when it can)."""
    if os.geteuid() != 0:
        return "XFS loop images need root"
    if not shutil.which("mkfs.xfs"):
        return "mkfs.xfs not found (apt-get install xfsprogs)"
    if not shutil.which("losetup"):
        return "losetup not found"
    try:
        with open("/proc/filesystems") as f:
            if not any(line.split()[-1:] == ["xfs"] for line in f):
                proc = subprocess.run(["modprobe", "xfs"], capture_output=True, check=False)
                if proc.returncode != 0:
                    return "the host kernel has no xfs"
    except OSError:
        return "cannot read /proc/filesystems"
    proc = subprocess.run(["losetup", "-f"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return f"no free loop device ({proc.stderr.strip() or 'losetup -f failed'})"
    return None


def _mnt_ns(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/mnt")
    except OSError:
        return None


def kmsg_line(record: bytes) -> str | None:
    """One /dev/kmsg record ("PRIO,SEQ,USEC,FLAGS;text" + " KEY=VALUE" lines) as a console line."""
    head, sep, rest = record.decode("utf-8", errors="replace").partition(";")
    fields = head.split(",")
    if not sep or len(fields) < 3 or not fields[2].isdigit():
        return None
    text = rest.split("\n", 1)[0]
    return f"[{int(fields[2]) / 1e6:12.6f}] {text}"


def crash_excerpts(lines: list[str]) -> list[list[str]]:
    """The Oops/BUG/WARNING blocks in kernel log lines (first line to end marker or 60 lines)."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if current is not None:
            current.append(line)
            if END_TRACE_RE.search(line) or len(current) >= EXCERPT_LINES:
                current = None
            continue
        if CRASH_RE.search(line):
            current = [line]
            found.append(current)
    return found


class HostKernelLog:
    """What the host kernel logs from now on (/dev/kmsg, read without blocking)."""

    def __init__(self) -> None:
        self.why_not: str | None = None
        try:
            self.fd: int | None = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
            os.lseek(self.fd, 0, os.SEEK_END)
        except OSError as exc:
            self.fd = None
            self.why_not = f"cannot read the host kernel log (/dev/kmsg: {exc.strerror})"

    def read(self) -> list[str]:
        lines: list[str] = []
        while self.fd is not None:
            try:
                record = os.read(self.fd, 8192)
            except BlockingIOError:
                break
            except BrokenPipeError:  # records were overwritten before we read them
                lines.append("[harness-sim] some host kernel log records were lost")
                continue
            if not record:
                break
            line = kmsg_line(record)
            if line is not None:
                lines.append(line)
        return lines

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class SimGuest(Guest):
    """The host kernel as a guest: private mounts, same commands and results as the QEMU guest."""

    kind = "sim"

    def __init__(self, workdir: Path, log_path: Path, *, work_fs: str = "tmpfs",
                 start_timeout: float = START_TIMEOUT):
        if work_fs not in ("tmpfs", "xfs"):
            raise GuestError(f"sim guest: unknown work fs {work_fs!r} (tmpfs or xfs)")
        self.workdir = workdir
        self.log_path = log_path
        self.work_fs = work_fs
        self.start_timeout = start_timeout
        self.userns = os.geteuid() != 0
        self.notes: list[str] = []
        self.private: Path | None = None
        self.loop_device: str | None = None
        self.holder: subprocess.Popen[bytes] | None = None
        self.namespace: str | None = None  # the holder's /proc/PID/ns/mnt link
        self._ns_fd: int | None = None  # held open: the namespace's id cannot be reused meanwhile
        self._log = None
        self._running: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ properties

    @property
    def console_log(self) -> Path:
        return self.log_path

    @property
    def pid(self) -> int | None:
        return self.holder.pid if self.holder else None

    @property
    def host_dir(self) -> Path:
        """The host side of HOST_MOUNT (bin/ and logs/)."""
        if self.private is None:
            raise GuestError("sim guest not started")
        return self.private / "host"

    def host_path(self, guest_path: str) -> Path:
        """The host path of a file the namespace sees under HOST_MOUNT."""
        rel = os.path.relpath(guest_path, HOST_MOUNT)
        if rel.startswith(".."):
            raise GuestError(f"{guest_path} is not under {HOST_MOUNT}")
        return self.host_dir / rel

    # ------------------------------------------------------------------ lifecycle

    def log_text(self, text: str) -> None:
        """Append to the console log (the run's own annotations)."""
        self._write_log(text)

    def _write_log(self, text: str) -> None:
        if self._log is not None:
            self._log.write(text.encode("utf-8", errors="replace"))
            self._log.flush()

    def start(self) -> None:
        if self.holder is not None:
            return
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        self.private = Path(tempfile.mkdtemp(prefix="sim-", dir=self.workdir))
        for sub in ("host/bin", "host/logs"):
            (self.private / sub).mkdir(parents=True)
        try:
            self._start_holder()
        except BaseException:
            self.close()
            raise

    def _start_holder(self) -> None:
        assert self.private is not None
        device = ""
        if self.work_fs == "xfs":
            device = self._make_xfs()
        argv = ["unshare", "--mount", "--propagation", "private"]
        if self.userns:
            argv += ["--user", "--map-root-user"]
        argv += ["--", "/bin/sh", "-c", _SETUP, "sim-setup", self.work_fs, device,
                 str(self.host_dir)]
        self._write_log(f"# sim guest: host kernel {platform.release()}, work fs {self.work_fs}"
                        f"{' (user namespace)' if self.userns else ''}\n"
                        f"$ {shlex.join(argv[:-5])} SETUP sim-setup {shlex.join(argv[-3:])}\n"
                        + "".join(f"# SETUP: {ln}\n" for ln in _SETUP.strip().splitlines()))
        try:
            self.holder = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, env=COMMAND_ENV,
                                           start_new_session=True)
        except FileNotFoundError as exc:
            raise GuestError("sim guest: unshare not found (apt-get install util-linux)") from exc
        assert self.holder.stdout is not None
        lines: list[str] = []
        partial = b""
        deadline = time.monotonic() + self.start_timeout
        fd = self.holder.stdout.fileno()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise GuestError(f"sim guest: namespace setup did not finish in "
                                 f"{self.start_timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if not ready:
                continue
            data = os.read(fd, 4096)
            if not data:
                said = next((ln for ln in lines if ln.startswith(FAILED)), None)
                why = said[len(FAILED):].strip() if said else (lines[-1] if lines else "no output")
                raise GuestError(f"sim guest: namespace setup failed: {why}")
            self._write_log(data.decode("utf-8", errors="replace"))
            *done, rest = (partial + data).split(b"\n")
            partial = rest
            lines += [ln.decode("utf-8", errors="replace").strip() for ln in done]
            if READY in lines:
                break
            if any(ln.startswith(FAILED) for ln in lines):
                continue  # the holder exits; EOF reports the reason
        self._ns_fd = os.open(f"/proc/{self.holder.pid}/ns/mnt", os.O_RDONLY)
        self.namespace = _mnt_ns(self.holder.pid)
        if any("no debugfs" in ln for ln in lines):
            self.notes.append("debugfs could not be mounted in the namespace (gup_test cases skip)")

    def _make_xfs(self) -> str:
        assert self.private is not None
        image = self.private / "xfs.img"
        with open(image, "wb") as f:
            f.truncate(XFS_IMAGE_BYTES)
        for argv in (["mkfs.xfs", "-q", "-f", str(image)],
                     ["losetup", "--find", "--show", str(image)]):
            proc = subprocess.run(argv, capture_output=True, text=True, check=False,
                                  stdin=subprocess.DEVNULL)
            if proc.returncode != 0:
                last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
                raise GuestError(f"sim guest: {argv[0]} failed: {last}")
        self.loop_device = proc.stdout.strip()
        self._write_log(f"# xfs image {image} on {self.loop_device}\n")
        return self.loop_device

    def members(self) -> list[int]:
        """Pids of every process in the namespace (the holder included)."""
        if self.namespace is None:
            return []
        found = []
        for proc in psutil.process_iter(["pid"]):
            if _mnt_ns(proc.pid) == self.namespace:
                found.append(proc.pid)
        return found

    def close(self) -> None:
        """Kill every process in the namespace, let it vanish, detach the loop device."""
        try:
            if self._running is not None:
                self._kill_group(self._running)
            holder = self.holder
            for _ in range(3):
                others = [p for p in self.members() if holder is None or p != holder.pid]
                if not others:
                    break
                for pid in others:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                psutil.wait_procs([psutil.Process(p) for p in others if psutil.pid_exists(p)],
                                  timeout=5)
            if holder is not None:
                with contextlib.suppress(OSError):
                    if holder.stdin:
                        holder.stdin.close()
                try:
                    holder.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(holder.pid, signal.SIGKILL)
                    holder.wait()
                if holder.stdout:
                    holder.stdout.close()
        finally:
            self.holder = None
            self.namespace = None
            if self._ns_fd is not None:
                os.close(self._ns_fd)  # the last reference: the namespace and its mounts go
                self._ns_fd = None
            self._detach_loop()
            if self.private is not None:
                shutil.rmtree(self.private, ignore_errors=True)
                self.private = None
            if self._log is not None:
                self._log.close()
                self._log = None

    def _detach_loop(self) -> None:
        if self.loop_device is None:
            return
        # The namespace's last mount of the device went with it; detach (retry: the kernel
        # may release the mount a moment after the last process exited).
        for _ in range(20):
            proc = subprocess.run(["losetup", "-d", self.loop_device], capture_output=True,
                                  check=False)
            if proc.returncode == 0 or not Path(f"/sys/block/{Path(self.loop_device).name}"
                                                f"/loop/backing_file").exists():
                break
            time.sleep(0.1)
        self.loop_device = None

    # ------------------------------------------------------------------ commands

    def run(self, command: str, timeout: float) -> CommandResult:
        """Run ``command`` with sh in the namespace, cwd the work dir; kill it on timeout."""
        if self.holder is None or self.holder.poll() is not None:
            raise GuestError("sim guest is not running")
        argv = ["nsenter", f"--target={self.holder.pid}", "--mount"]
        if self.userns:
            argv += ["--user", "--preserve-credentials"]
        script = f"cd {MOUNTPOINT} || exit 125\n{command}"
        argv += ["--", "/bin/sh", "-c", script]
        self._write_log(f"$ {command}\n")
        master, slave = pty.openpty()
        start = time.monotonic()
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                                    env=COMMAND_ENV, start_new_session=True)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self._running = proc
        chunks: list[bytes] = []
        timed_out = False
        try:
            timed_out = not self._read_until_exit(proc, master, chunks, start + timeout)
            if timed_out:
                self._kill_group(proc)
                self._read_until_exit(proc, master, chunks, time.monotonic() + 1.0)
        except BaseException:
            self._kill_group(proc)
            raise
        finally:
            self._running = None
            os.close(master)
        seconds = time.monotonic() - start
        output = b"".join(chunks).decode("utf-8", errors="replace").replace("\r", "")
        code = None if timed_out else proc.returncode
        if code is not None and code < 0:
            code = 128 - code  # killed by a signal: as a shell reports it
        self._write_log(output + ("" if not output or output.endswith("\n") else "\n"))
        self._write_log(f"# {'timed out' if timed_out else f'exit {code}'} after {seconds:.2f} s\n")
        return CommandResult(command=command, output=output.rstrip("\n"), exit_code=code,
                             timed_out=timed_out, seconds=seconds)

    @staticmethod
    def _read_until_exit(proc: subprocess.Popen[bytes], master: int, chunks: list[bytes],
                         deadline: float) -> bool:
        """Collect output until the process exited and the pty is quiet; False on timeout."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return proc.poll() is not None
            ready, _, _ = select.select([master], [], [], min(left, 0.1))
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: no writer left on the pty
                    data = b""
                if data:
                    chunks.append(data)
                    continue
                proc.wait()
                return True
            if proc.poll() is not None:
                return True

    def _kill_group(self, proc: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)

    def copy_in(self, source: Path, name: str) -> str:
        """Copy a host file into the namespace's bin dir; its path there."""
        dest = self.host_dir / "bin" / name
        shutil.copy2(source, dest)
        dest.chmod(0o755)
        return f"{BIN_DIR}/{name}"


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


__all__ = ["ACCEL", "SimGuest", "run_in_sim", "sim_command", "xfs_unavailable"]
