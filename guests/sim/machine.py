"""The simulated guest: the static selftests on the host kernel, in a private mount namespace.

Layout inside the namespace (nothing of it is visible on the host):

    /mnt                 a small tmpfs (scaffolding, hides the host's /mnt)
    /mnt/harness         the tests' cwd: a fresh tmpfs, or an XFS loop image
    /mnt/harness-host    bind mount of a private host dir: bin/ (selftests, injector), logs/
    /tmp                 a fresh tmpfs (glibc tmpfile() always uses /tmp, as in the QEMU guest)
    /sys/kernel/debug    debugfs, when the host kernel has it and we may mount it

A NamespaceHolder (fs_profiles/namespace.py, the NFS server's too) owns the mount namespace
(and a user namespace when we are not root); every command enters it with ``nsenter`` in a
session of its own, so a timeout kills the command's process group. close() kills every process
left in the namespace; the namespace, and with it every mount, goes away with its last process.
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
from pathlib import Path
from typing import BinaryIO

from fs_profiles.base import ProfileError
from fs_profiles.namespace import NamespaceHolder
from guests.base import MOUNTPOINT, CommandResult, GuestError, Machine
from harness import signals

HOST_MOUNT = "/mnt/harness-host"
BIN_DIR = f"{HOST_MOUNT}/bin"
LOG_DIR = f"{HOST_MOUNT}/logs"
ACCEL = "none (host kernel)"
START_TIMEOUT = 30.0
XFS_IMAGE_BYTES = 512 * 1024 * 1024  # mkfs.xfs needs ~300 MB at least
COMMAND_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "LC_ALL": "C", "HOME": "/tmp", "TERM": "dumb"}
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
                probe = subprocess.run(["modprobe", "xfs"], capture_output=True, check=False)
                if probe.returncode != 0:
                    return "the host kernel has no xfs"
    except OSError:
        return "cannot read /proc/filesystems"
    proc = subprocess.run(["losetup", "-f"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return f"no free loop device ({proc.stderr.strip() or 'losetup -f failed'})"
    return None


class SimMachine(Machine):
    """The host kernel as a guest: private mounts, same commands and results as the QEMU guest."""

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
        self.holder: NamespaceHolder | None = None
        self._log: BinaryIO | None = None
        self.log_error: OSError | None = None  # the console log could not be written
        self._running: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ properties

    @property
    def console_log(self) -> Path:
        return self.log_path

    @property
    def running(self) -> bool:
        return self.holder is not None and self.holder.running

    @property
    def pid(self) -> int | None:
        return self.holder.pid if self.holder else None

    def members(self) -> list[int]:
        """Pids of every process in the namespace but the holder."""
        return [p.pid for p in self.holder.members()] if self.holder else []

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
        if self._log is not None and self.log_error is None:
            try:
                self._log.write(text.encode("utf-8", errors="replace"))
                self._log.flush()
            except OSError as exc:  # the disk is full: the run stops after this command
                self.log_error = exc

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
        args = (self.work_fs, device, str(self.host_dir))
        self.holder = NamespaceHolder(kinds=("mount",), map_root=self.userns, setup=_SETUP,
                                      setup_args=args, env=COMMAND_ENV)
        self._write_log(f"# sim guest: host kernel {platform.release()}, work fs {self.work_fs}"
                        f"{' (user namespace)' if self.userns else ''}\n"
                        f"$ unshare --mount SETUP {shlex.join(args)}\n"
                        + "".join(f"# SETUP: {ln}\n" for ln in _SETUP.strip().splitlines()))
        try:
            lines = self.holder.start(self.start_timeout)
        except ProfileError as exc:
            self._write_log("".join(f"{ln}\n" for ln in self.holder.output))
            why = str(exc).removeprefix(FAILED).strip()
            if "did not finish" in why:
                raise GuestError(f"sim guest: {why}") from None
            raise GuestError(f"sim guest: namespace setup failed: {why}") from None
        self._write_log("".join(f"{ln}\n" for ln in lines))
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

    def close(self) -> None:
        """Kill every process in the namespace, let it vanish, detach the loop device."""
        try:
            if self._running is not None:
                self._kill_group(self._running)
            if self.holder is not None:
                self.holder.close()
        finally:
            self.holder = None
            self._detach_loop()
            if self.private is not None:
                shutil.rmtree(self.private, ignore_errors=True)
                self.private = None
            if self._log is not None:
                log, self._log = self._log, None
                try:
                    log.close()
                except OSError as exc:  # what was buffered could not be written
                    self.log_error = self.log_error or exc

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
        if self.holder is None or not self.holder.running:
            raise GuestError("sim guest is not running")
        script = f"cd {MOUNTPOINT} || exit 125\n{command}"
        argv = [*self.holder.enter_argv(), "/bin/sh", "-c", script]
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
            signals.check()
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


