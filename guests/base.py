"""The one interface every guest (QEMU or simulated) offers to the runner."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from harness.errors import HarnessError


class GuestError(HarnessError):
    """A guest could not be started or used; the message is one line for the user."""


class BootTimeout(GuestError):
    """The guest did not reach its ready marker in time."""


class KernelCrash(GuestError):
    """The guest kernel printed an Oops, BUG, panic or WARNING; ``excerpt`` holds the console lines."""

    def __init__(self, message: str, excerpt: list[str]):
        super().__init__(message)
        self.excerpt = excerpt


@dataclass
class CommandResult:
    command: str
    output: str
    exit_code: int | None  # None when the command timed out or the guest died
    timed_out: bool
    seconds: float


class Guest(ABC):
    kind: str = ""  # "qemu" or "sim"

    @abstractmethod
    def start(self) -> None:
        """Boot (or prepare) the guest and wait until it accepts commands."""

    @abstractmethod
    def run(self, command: str, timeout: float) -> CommandResult:
        """Run one shell command in the guest, with its own timeout."""

    @abstractmethod
    def close(self) -> None:
        """Power off and kill whatever is left. Idempotent; safe after errors and on Ctrl-C."""

    @property
    @abstractmethod
    def console_log(self) -> Path:
        """Path of the raw console log of this guest."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
