"""New Linux namespaces held open by one watchdog process (the NFS server's, the sim guest's).

The holder is a tiny Python process started under ``unshare``. It runs an optional setup script
(mounts ...) inside, says "ready", then reads a pipe whose write end only this process holds:
when we close it, or die in any way (even SIGKILL), the holder kills every process left in its
namespace and exits, so nothing outlives the harness. Other programs join with ``nsenter``.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from fs_profiles.base import ProfileError

SBIN_DIRS = ("/usr/sbin", "/sbin")  # looked at too: PATH of a non-login root shell may lack them
READY = "ready "
# unshare option and /proc/PID/ns name of each namespace kind
_KINDS = {"net": ("--net", "net", "-n"), "mount": ("--mount", "mnt", "-m")}

# argv[1]: the /proc/self/ns entry that identifies the namespace; argv[2:]: sh -c SETUP NAME ARGS.
_HOLDER_SCRIPT = """
import os, signal, subprocess, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
me = os.getpid()
kind = sys.argv[1]
ns = os.readlink("/proc/self/ns/" + kind)
if len(sys.argv) > 2:
    if subprocess.run(["/bin/sh", "-c", *sys.argv[2:]], stdin=subprocess.DEVNULL).returncode:
        sys.exit(1)
sys.stdout.write("ready " + ns + "\\n")
sys.stdout.flush()
try:
    sys.stdin.buffer.read()
except BaseException:
    pass
for entry in os.listdir("/proc"):
    if entry.isdigit() and int(entry) != me:
        try:
            if os.readlink("/proc/" + entry + "/ns/" + kind) == ns:
                os.kill(int(entry), signal.SIGKILL)
        except OSError:
            pass
"""


class NamespaceError(ProfileError):
    """The namespaces could not be created or set up; the message is one line."""


def require_tool(name: str, package: str) -> str:
    """Absolute path of ``name`` or an error telling the user what to install."""
    path = shutil.which(name) or next(
        (str(Path(d) / name) for d in SBIN_DIRS if (Path(d) / name).exists()), None
    )
    if path is None:
        raise ProfileError(f"{name} not found: install {package} (run `harness setup`)")
    return path


def ns_of(pid: int, kind: str = "net") -> str | None:
    """The /proc/PID/ns link of a process (None when it is gone or not ours to read)."""
    try:
        return os.readlink(f"/proc/{pid}/ns/{_KINDS[kind][1]}")
    except OSError:
        return None


@dataclass
class NamespaceHolder:
    """Namespaces of ``kinds`` (the first one identifies members), held by one process.

    map_root: also a user namespace in which we are root (for non-root users).
    setup: a shell script run inside before "ready", with ``setup_args`` as $1...; what it
        prints is returned by start(); a non-zero exit is a NamespaceError.
    """

    kinds: tuple[str, ...] = ("net", "mount")
    map_root: bool = False
    setup: str = ""
    setup_args: tuple[str, ...] = ()
    env: dict[str, str] | None = None
    ns_id: str | None = field(default=None, init=False)
    output: list[str] = field(default_factory=list, init=False)  # what the holder printed
    _holder: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _ns_fd: int | None = field(default=None, init=False, repr=False)

    @property
    def pid(self) -> int:
        if self._holder is None:
            raise NamespaceError("the namespace is not started")
        return self._holder.pid

    @property
    def running(self) -> bool:
        return self._holder is not None and self._holder.poll() is None

    def start(self, timeout: float = 10.0) -> list[str]:
        """Create the namespaces, run the setup; the lines it printed. Cleans up on failure."""
        argv = [require_tool("unshare", "util-linux")]
        require_tool("nsenter", "util-linux")
        argv += [_KINDS[k][0] for k in self.kinds] + ["--propagation", "private"]
        if self.map_root:
            argv += ["--user", "--map-root-user"]
        argv += ["--", sys.executable, "-S", "-c", _HOLDER_SCRIPT, _KINDS[self.kinds[0]][1]]
        if self.setup:
            argv += [self.setup, "namespace-setup", *self.setup_args]
        self._holder = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, env=self.env,
                                        start_new_session=True)
        try:
            lines = self._wait_ready(timeout)
        except BaseException:
            self.close()
            raise
        self.ns_id = lines.pop()[len(READY):].strip()
        self._ns_fd = os.open(f"/proc/{self.pid}/ns/{_KINDS[self.kinds[0]][1]}", os.O_RDONLY)
        return lines

    def _wait_ready(self, timeout: float) -> list[str]:
        assert self._holder is not None and self._holder.stdout is not None
        fd = self._holder.stdout.fileno()
        lines = self.output
        partial = b""
        deadline = time.monotonic() + timeout
        while not (lines and lines[-1].startswith(READY)):
            left = deadline - time.monotonic()
            if left <= 0:
                raise NamespaceError(f"namespace setup did not finish in {timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if not ready:
                continue
            data = os.read(fd, 4096)
            if not data:
                raise NamespaceError(lines[-1] if lines else "no answer from unshare")
            *done, partial = (partial + data).split(b"\n")
            lines += [ln.decode("utf-8", errors="replace").strip() for ln in done]
        return lines

    def enter_argv(self, kinds: tuple[str, ...] | None = None) -> list[str]:
        """argv prefix that runs a program inside these namespaces (or only ``kinds`` of them)."""
        argv = ["nsenter", "-t", str(self.pid)] + [_KINDS[k][2] for k in kinds or self.kinds]
        if self.map_root:
            argv += ["--user", "--preserve-credentials"]
        return [*argv, "--"]

    def members(self) -> list[psutil.Process]:
        """Processes (other than the holder and us) in the namespace."""
        if self.ns_id is None:
            return []
        skip = {os.getpid(), self._holder.pid if self._holder else -1}
        return [p for p in psutil.process_iter()
                if p.pid not in skip and ns_of(p.pid, self.kinds[0]) == self.ns_id]

    def kill_members(self, wait: float = 5.0) -> None:
        deadline = time.monotonic() + wait
        while (left := self.members()) and time.monotonic() < deadline:
            for proc in left:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            psutil.wait_procs(left, timeout=1)

    def close(self) -> None:
        """Kill everything in the namespace and the holder. Idempotent."""
        self.kill_members()
        holder, self._holder = self._holder, None
        if holder is not None:
            for stream in (holder.stdin, holder.stdout):
                if stream is not None:
                    stream.close()  # EOF on stdin: the holder sweeps and exits
            try:
                holder.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(holder.pid, signal.SIGKILL)
                holder.wait(5)
        if self._ns_fd is not None:
            os.close(self._ns_fd)  # the last reference: the namespace and its mounts go
            self._ns_fd = None
        self.ns_id = None
