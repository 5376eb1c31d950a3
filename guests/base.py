"""The one interface every guest (QEMU or simulated) offers to the runner."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Self

from guests.outcomes import BootTimeout, CommandResult, GuestError, KernelCrash

if TYPE_CHECKING:
    from collections.abc import Callable

    from fs_profiles.base import ServerExit
    from guests.events import Event
    from guests.facts import GuestFacts

MOUNTPOINT = "/mnt/harness"  # the tests' work dir in every guest


class Machine(ABC):
    """One running system that takes shell commands: a QEMU process, or the sim's namespace."""

    @abstractmethod
    def start(self) -> None:
        """Boot (or prepare) the machine and wait until it accepts commands."""

    @abstractmethod
    def run(self, command: str, timeout: float) -> CommandResult:
        """Run one shell command in it, with its own timeout."""

    @abstractmethod
    def close(self) -> None:
        """Power off and kill whatever is left. Idempotent; safe after errors and on Ctrl-C."""

    @property
    @abstractmethod
    def console_log(self) -> Path:
        """Path of the raw console log of this machine."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Guest(ABC):
    """What run_selftests (guests/run.py) drives: QEMU (qemu_guest.py) or the host kernel (sim/).

    A guest provisions the tests' work filesystem, boots machines (again after a hang or a
    crash), runs commands, reports its facts and hands back what a test left (strace, faults).
    ``notes`` collects what the report should say about the run; close() undoes everything.
    """

    kind: str = ""  # "qemu" or "sim"
    label: str = ""  # said while booting: "x86_64 guest", "sim guest"
    fs_name: str = ""  # the filesystem the tests' work dir is on (profile or fault model)
    accel: str = ""  # known after the first boot
    accel_why: str = ""
    boot_seconds: float = 0.0  # of the last boot (also when it crashed)
    notes: list[str]

    @property
    @abstractmethod
    def console_log(self) -> Path:
        """The raw console log of the run (every boot)."""

    @abstractmethod
    def provision(self, on_event: Callable[[Event], None]) -> None:
        """Make the work filesystem and everything the tests need on the host side."""

    @abstractmethod
    def boot(self) -> None:
        """Start a fresh machine (stopping a dead one); KernelCrash when it crashed booting."""

    @property
    @abstractmethod
    def alive(self) -> bool:
        """Does the machine still take commands?"""

    @abstractmethod
    def run(self, command: str, timeout: float) -> CommandResult:
        """One shell command on the machine, in the tests' work dir."""

    @abstractmethod
    def facts(self) -> GuestFacts:
        """The machine's facts, with the work dir's mount as triage should see it."""

    @abstractmethod
    def test_command(self, name: str) -> str:
        """The command that runs selftest ``name`` (under the fault injector and strace)."""

    def hugepage_shortfall(self, facts: GuestFacts) -> list[str]:
        """Requested hugepage reservations the machine did not get."""
        return []

    def new_crashes(self, during: str | None) -> list[list[str]]:
        """Kernel crash excerpts seen since the last call (``during``: the test that ran)."""
        return []

    def server_exits(self) -> list[ServerExit]:
        """Servers the filesystem needs that ended on their own (the NFS server), in order."""
        return []

    def fs_gone(self) -> str:
        """What of the filesystem's host side vanished (a 9p share removed), "" if nothing."""
        return ""

    def log_error(self) -> OSError | None:
        """Why the console log could not be written (its disk is full); None if it could."""
        return None

    def hung(self, name: str) -> str:
        """Test ``name`` timed out and its command was killed: the rest of the note."""
        return " and was killed"

    def died(self, result: CommandResult) -> str:
        """The machine stopped answering during a command: what went (the machine is stopped)."""
        return "guest died"

    @abstractmethod
    def strace_log(self, name: str) -> str | None:
        """The strace log test ``name`` left, None when there is none."""

    @abstractmethod
    def fault_log(self, name: str) -> Path | None:
        """The fault injector's log of test ``name``, saved on the host."""

    @abstractmethod
    def close(self) -> None:
        """Stop every machine and undo provision(). Idempotent; safe after errors and on Ctrl-C."""


__all__ = [
    "MOUNTPOINT",
    "BootTimeout",
    "CommandResult",
    "Guest",
    "GuestError",
    "KernelCrash",
    "Machine",
]
