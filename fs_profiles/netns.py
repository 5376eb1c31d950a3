"""The NFS server's private network + mount namespace: only loopback, a private /run.

Held open by a NamespaceHolder (fs_profiles/namespace.py): servers (and QEMU) join it with
``nsenter``, and nothing in it outlives the harness.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from fs_profiles.base import ProfileError
from fs_profiles.namespace import NamespaceError, NamespaceHolder, ns_of, require_tool

T = TypeVar("T")

CLONE_NEWNET = 0x40000000


class NetNamespace:
    """A private network and mount namespace with only loopback (plus a DOWN placeholder device)."""

    def __init__(self) -> None:
        self._holder = NamespaceHolder(kinds=("net", "mount"))
        self._children: list[subprocess.Popen[bytes]] = []
        self.addrconfig_device = ""

    @property
    def pid(self) -> int:
        return self._holder.pid

    @property
    def ns_id(self) -> str | None:
        return self._holder.ns_id

    def start(self, timeout: float = 10.0) -> None:
        if os.geteuid() != 0:
            raise ProfileError("the NFS profile needs root "
                               "(it creates a private network namespace)")
        try:
            self._holder.start(timeout)
        except NamespaceError as exc:
            raise ProfileError(f"cannot create a network namespace with unshare: {exc}") from None
        if self.ns_id == ns_of(os.getpid()):
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
        return self._holder.enter_argv(("net", "mount") if mount else ("net",))

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
        """Stop the servers, kill everything in the namespace and the holder. Idempotent."""
        for child in reversed(self._children):
            self.stop_child(child)
        self._children.clear()
        self._holder.close()
