"""A private network + mount namespace held open by one watchdog process.

The holder is a tiny Python process started under ``unshare --net --mount``. Servers (and QEMU)
join its namespaces with ``nsenter``. The holder reads a pipe whose write end only this process
holds: when we close it, or die in any way (even SIGKILL), the holder kills every process left in
its network namespace and exits, so nothing outlives the harness.
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import psutil

from fs_profiles.base import ProfileError

T = TypeVar("T")

CLONE_NEWNET = 0x40000000
SBIN_DIRS = ("/usr/sbin", "/sbin")  # looked at too: PATH of a non-login root shell may lack them

# Runs inside the new namespaces. Says "ready" once unshare is done, waits for EOF on stdin,
# then kills whatever still lives in its network namespace.
_HOLDER_SCRIPT = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
me = os.getpid()
ns = os.readlink("/proc/self/ns/net")
sys.stdout.write("ready " + ns + "\\n")
sys.stdout.flush()
try:
    sys.stdin.buffer.read()
except BaseException:
    pass
for entry in os.listdir("/proc"):
    if entry.isdigit() and int(entry) != me:
        try:
            if os.readlink("/proc/" + entry + "/ns/net") == ns:
                os.kill(int(entry), signal.SIGKILL)
        except OSError:
            pass
"""


def _netns_of(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return None


def require_tool(name: str, package: str) -> str:
    """Absolute path of ``name`` or a ProfileError telling the user what to install."""
    path = shutil.which(name) or next(
        (str(Path(d) / name) for d in SBIN_DIRS if (Path(d) / name).exists()), None
    )
    if path is None:
        raise ProfileError(f"{name} not found: install {package} (run `harness setup`)")
    return path


class NetNamespace:
    """A private network and mount namespace with only loopback (plus a DOWN placeholder device)."""

    def __init__(self) -> None:
        self._holder: subprocess.Popen[bytes] | None = None
        self._children: list[subprocess.Popen[bytes]] = []
        self.ns_id: str | None = None
        self.addrconfig_device = ""

    @property
    def pid(self) -> int:
        if self._holder is None:
            raise ProfileError("network namespace is not started")
        return self._holder.pid

    def start(self, timeout: float = 10.0) -> None:
        if os.geteuid() != 0:
            raise ProfileError("the NFS profile needs root "
                               "(it creates a private network namespace)")
        unshare = require_tool("unshare", "util-linux")
        require_tool("nsenter", "util-linux")
        argv = [unshare, "--net", "--mount", "--propagation", "private", "--",
                sys.executable, "-S", "-c", _HOLDER_SCRIPT]
        self._holder = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        assert self._holder.stdout is not None
        ready, _, _ = select.select([self._holder.stdout], [], [], timeout)
        line = self._holder.stdout.readline().decode(errors="replace") if ready else ""
        if not line.startswith("ready "):
            err = self._holder.stderr.read().decode(errors="replace") if self._holder.poll() else ""
            self.close()
            detail = err.strip().splitlines()[-1] if err.strip() else "no answer"
            raise ProfileError(f"cannot create a network namespace with unshare: {detail}")
        self.ns_id = line.split(" ", 1)[1].strip()
        if self.ns_id == _netns_of(os.getpid()):
            self.close()
            raise ProfileError("unshare --net did not give a new network namespace")
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    def _setup(self) -> None:
        ip = require_tool("ip", "iproute2")
        self.run([ip, "link", "set", "lo", "up"])
        # ganesha resolves its bind address with AI_ADDRCONFIG, which fails when only loopback
        # holds addresses. A DOWN device with documentation-range addresses (never routed) fixes it.
        attempts = {"tap": ["tuntap", "add", "dev", "nfsph0", "mode", "tap"],
                    "dummy": ["link", "add", "nfsph0", "type", "dummy"]}
        for kind, args in attempts.items():
            if self.run([ip, *args], check=False).returncode == 0:
                self.addrconfig_device = kind
                break
        else:
            raise ProfileError("cannot create a tap or dummy device in the NFS namespace "
                               "(/dev/net/tun missing and no dummy module)")
        self.run([ip, "addr", "add", "192.0.2.1/32", "dev", "nfsph0"])
        self.run([ip, "-6", "addr", "add", "2001:db8::1/128", "dev", "nfsph0", "nodad"])
        # A private /run: rpcbind's socket and lock files stay in the namespace.
        self.run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=16m", "nfsrun", "/run"])

    def enter_argv(self, mount: bool = True) -> list[str]:
        """argv prefix that runs a program inside this namespace (network, and mount if asked)."""
        argv = ["nsenter", "-t", str(self.pid), "-n"]
        if mount:
            argv.append("-m")
        return [*argv, "--"]

    def run(self, argv: list[str], check: bool = True,
            timeout: float = 10.0) -> subprocess.CompletedProcess[str]:
        """Run a short command inside the namespace; a failure is a ProfileError."""
        try:
            proc = subprocess.run([*self.enter_argv(), *argv], capture_output=True, text=True,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            what = " ".join(argv)
            raise ProfileError(f"setting up the NFS namespace timed out: {what}") from None
        if check and proc.returncode != 0:
            msg = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
            raise ProfileError(f"setting up the NFS namespace failed: {' '.join(argv)}: {msg}")
        return proc

    def spawn(self, argv: list[str], log: Path, mount: bool = True) -> subprocess.Popen[bytes]:
        """Start a long-running process inside the namespace (own session, output to ``log``)."""
        with open(log, "ab") as out:
            child = subprocess.Popen(
                [*self.enter_argv(mount), *argv], stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        self._children.append(child)
        return child

    def call_inside(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` in a helper thread that joined this network namespace (sockets land there)."""
        ns_path = f"/proc/{self.pid}/ns/net"

        def body() -> T:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(ns_path, os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns into the NFS namespace failed")
            finally:
                os.close(fd)
            return fn()

        # a fresh thread each time: the one that called setns() never runs anything else
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="netns") as pool:
            return pool.submit(body).result()

    def members(self) -> list[psutil.Process]:
        """Processes (other than the holder and us) whose network namespace is this one."""
        if self.ns_id is None:
            return []
        skip = {os.getpid(), self._holder.pid if self._holder else -1}
        found = []
        for proc in psutil.process_iter():
            if proc.pid not in skip and _netns_of(proc.pid) == self.ns_id:
                found.append(proc)
        return found

    def stop_child(self, child: subprocess.Popen[bytes], grace: float = 3.0) -> None:
        if child.poll() is None:
            try:
                os.killpg(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                child.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                child.wait(5)

    def close(self) -> None:
        """Kill everything in the namespace and the holder. Idempotent."""
        for child in reversed(self._children):
            self.stop_child(child)
        self._children.clear()
        deadline = time.monotonic() + 5
        while (left := self.members()) and time.monotonic() < deadline:
            for proc in left:
                try:
                    proc.kill()
                except psutil.Error:
                    pass
            psutil.wait_procs(left, timeout=1)
        holder, self._holder = self._holder, None
        if holder is not None:
            for stream in (holder.stdin, holder.stdout, holder.stderr):
                if stream is not None:
                    stream.close()  # EOF on stdin: the holder sweeps and exits
            try:
                holder.wait(5)
            except subprocess.TimeoutExpired:
                holder.kill()
                holder.wait(5)
        self.ns_id = None
