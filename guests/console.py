"""A guest's serial console over pipes: ready marker, framed commands, crash detection, log file."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import select
import shutil
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from guests.base import CommandResult
from harness import signals

# Kernel messages that mean the kernel is in trouble; optional printk timestamp first.
_TS = r"^(?:\[\s*\d+\.\d+\]\s*)?"
CRASH_RE = re.compile(
    _TS + r"(?:Oops(?::| -)|BUG: |kernel BUG at |Kernel panic - not syncing|"
    r"general protection fault|Unable to handle kernel |Internal error: |"
    r"WARNING: CPU: \d+ PID: \d+|"
    r"INFO: task \S+ blocked for more than)"
)
WARNING_RE = re.compile(_TS + r"WARNING: CPU: ")
END_TRACE_RE = re.compile(r"---\[ end (?:trace|Kernel panic)")
# The last line of a panic that does not reboot (no panic=-1): the machine is dead from here on.
PANIC_END_RE = re.compile(_TS + r"---\[ end Kernel panic - not syncing")
EXCERPT_LINES = 60
TAIL_LINES = 80


@dataclass
class Crash:
    """One kernel problem seen on the console: its first line and what followed."""

    kind: str  # "warning" or "oops" (Oops, BUG, panic, GPF, hung task ...)
    lines: list[str] = field(default_factory=list)
    line_no: int = 0  # line number in the console log (1-based)
    closed: bool = False

    @property
    def title(self) -> str:
        return self.lines[0].strip() if self.lines else ""


SHELL_EXITED_RE = re.compile(r"HARNESS-SHELL-EXITED: (\d+)")


@dataclass
class ConsoleResult(CommandResult):
    died: bool = False  # the guest (QEMU) went away, or its shell exited, during the command
    shell_exited: bool = False  # /init said the shell exited (it starts a new one)


@functools.cache
def _die_with_harness() -> tuple[str, ...]:
    """argv prefix that SIGKILLs the process when the harness dies, however it dies (a pty's
    hangup did that for a process on a terminal; a pipe does not): util-linux's setpriv."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ()
    try:
        helptext = subprocess.run([setpriv, "--help"], capture_output=True, text=True,
                                  timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return (setpriv, "--pdeathsig", "KILL", "--") if "--pdeathsig" in helptext else ()


class PipeChild:
    """A process whose stdin and stdout (stderr too) are pipes, in its own session.

    Not a pty: QEMU's serial port writes a byte at a time, and through a pty every byte goes
    through the tty layer and a kworker wake-up before the reader sees it, which on this 2-core
    TCG host made a boot to the ready marker 1-2 s slower than with a pipe. The guest's own
    tty (echo off, Ctrl-C) is the guest kernel's, not the host's, so nothing is lost.
    """

    def __init__(self, argv: list[str], env: dict[str, str] | None = None,
                 cwd: Path | None = None):
        self.proc = subprocess.Popen(
            [*_die_with_harness(), *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env, start_new_session=True, bufsize=0, cwd=cwd)
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self._out = self.proc.stdout.fileno()
        self._in = self.proc.stdin
        os.set_blocking(self._out, False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def read(self, size: int, timeout: float) -> bytes | None:
        """Up to ``size`` bytes; None when nothing came within ``timeout``; b'' at EOF."""
        ready, _, _ = select.select([self._out], [], [], max(0.0, timeout))
        if not ready:
            return None
        try:
            return os.read(self._out, size)
        except BlockingIOError:
            return None

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._in.write(view) or 0
            view = view[written:]

    def close(self) -> None:
        """SIGKILL if it still runs, reap it, close the pipes."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


class SerialConsole:
    """Drives a process whose stdio is the guest's serial console (QEMU -nographic).

    Every byte read goes to ``log_path`` (carriage returns dropped). Lines are scanned for kernel
    crash messages as they arrive, whatever the caller is waiting for.
    """

    def __init__(self, argv: list[str], log_path: Path, env: dict[str, str] | None = None,
                 cwd: Path | None = None):
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in close()
        self.child = PipeChild(argv, env, cwd)
        self._partial = ""
        self.lines_seen = 0
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.crashes: list[Crash] = []
        self._open_crash: Crash | None = None
        self.eof = False  # no more output: the process ended, or the kernel's panic did
        self.panicked = False  # a panic ended (the process may still spin until it is killed)
        self.last_output = time.monotonic()  # when the console last said anything
        self.log_error: OSError | None = None  # the log could not be written (disk full)
        self.busy = False  # a command is running (or was interrupted before it ended)

    @property
    def pid(self) -> int:
        return self.child.pid

    def _feed(self, data: bytes) -> list[str]:
        self.last_output = time.monotonic()
        if self.log_error is None:
            try:
                self._log.write(data.replace(b"\r", b""))
                self._log.flush()
            except OSError as exc:  # the disk is full: the run stops after this command
                self.log_error = exc
        text = self._partial + data.decode("utf-8", errors="replace").replace("\r", "")
        *complete, self._partial = text.split("\n")
        for line in complete:
            self._scan(line)
        return complete

    def _scan(self, line: str) -> None:
        self.lines_seen += 1
        self.tail.append(line)
        if PANIC_END_RE.search(line):
            self.panicked = self.eof = True  # whoever waits for output stops waiting
        crash = self._open_crash
        if crash is not None:
            crash.lines.append(line)
            if END_TRACE_RE.search(line) or len(crash.lines) >= EXCERPT_LINES:
                crash.closed = True
                self._open_crash = None
            return
        if CRASH_RE.search(line):
            kind = "warning" if WARNING_RE.search(line) else "oops"
            crash = Crash(kind=kind, lines=[line], line_no=self.lines_seen)
            self.crashes.append(crash)
            self._open_crash = crash

    def _read(self, timeout: float) -> list[str]:
        """Read what is there (waiting up to ``timeout``); returns completed lines."""
        if self.eof:
            return []
        data = self.child.read(65536, timeout)
        if data is None:
            return []
        if not data:
            self.eof = True
            if self._partial:
                tail = self._partial
                self._partial = ""
                self._scan(tail)
                return [tail]
            return []
        return self._feed(data)

    def expect_line(self, patterns: list[re.Pattern[str]],
                    timeout: float) -> tuple[int, str] | None:
        """Wait for a line matching one of ``patterns``: (index, line), or None on timeout/EOF."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            signals.check()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            for line in self._read(min(left, 0.5)):
                for i, pat in enumerate(patterns):
                    if pat.search(line):
                        return i, line
        return None

    def send(self, text: str) -> None:
        self.child.send(text.encode())

    def run(self, command: str, timeout: float,
            give_up: Callable[[float], str] | None = None) -> ConsoleResult:
        """Run ``command`` in the guest shell, framed by a random sentinel; capture ``$?``.

        ``give_up(seconds the console has been silent)`` is asked twice a second; a reason
        ends the wait early, as a timeout whose ``gave_up`` says why (a server it needs died).
        """
        tok = secrets.token_hex(6)
        begin = re.compile(rf"HB{tok}$")
        end = re.compile(rf"HE{tok}:(\d+)")
        # The sentinel is split in the command text, so an echoed command never matches it.
        framed = (
            f"printf 'H%s\\n' B{tok}; {{ {command}\n}} </dev/null; printf 'H%s:%d\\n' E{tok} $?\n"
        )
        start = time.monotonic()
        self.busy = True
        self.send(framed)
        out: list[str] = []
        started = False
        while True:
            signals.check()
            left = start + timeout - time.monotonic()
            why = give_up(time.monotonic() - self.last_output) if give_up and left > 0 else ""
            if left <= 0 or self.eof or why:
                return ConsoleResult(
                    command=command,
                    output="\n".join(out + ([self._partial] if self._partial else [])),
                    exit_code=None,
                    timed_out=not self.eof,
                    seconds=time.monotonic() - start,
                    gave_up=why if not self.eof else "",
                    died=self.eof,
                )
            for line in self._read(min(left, 0.5)):
                if not started:
                    started = bool(begin.search(line))
                    continue
                if SHELL_EXITED_RE.search(line):
                    self.busy = False
                    return ConsoleResult(
                        command=command, output="\n".join(out), exit_code=None, timed_out=False,
                        seconds=time.monotonic() - start, died=True, shell_exited=True,
                    )
                m = end.search(line)
                if m:
                    before = line[: m.start()]
                    if before:
                        out.append(before)
                    self.busy = False
                    return ConsoleResult(
                        command=command,
                        output="\n".join(out),
                        exit_code=int(m.group(1)),
                        timed_out=False,
                        seconds=time.monotonic() - start,
                    )
                out.append(line)

    def drain(self, seconds: float) -> None:
        """Read (and log) whatever arrives during ``seconds``."""
        deadline = time.monotonic() + seconds
        while not self.eof and time.monotonic() < deadline:
            self._read(max(0.0, min(0.2, deadline - time.monotonic())))

    def wait_exit(self, timeout: float) -> bool:
        """Read until the process exits; True if it did within ``timeout``."""
        self.drain(timeout)
        return self.eof

    def close(self) -> None:
        """Kill the process if it still runs and reap it; close the log."""
        try:
            self.child.close()
        finally:
            try:
                self._log.close()
            except OSError as exc:  # what was buffered could not be written
                self.log_error = self.log_error or exc
