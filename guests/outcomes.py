"""What guest operations end in: a command's result, or a GuestError (one line for the user).

guests/base.py re-exports these; modules that base.py itself needs (facts, cmdline) import them
from here, so the interface and its helpers do not import each other."""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import HarnessError


class GuestError(HarnessError):
    """A guest could not be started or used; the message is one line for the user."""


class BootTimeout(GuestError):
    """The guest did not reach its ready marker in time."""


class KernelCrash(GuestError):
    """The guest kernel printed an Oops, BUG, panic or WARNING; ``excerpt`` holds the console
    lines."""

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
    gave_up: str = ""  # why the command was abandoned before its timeout (timed_out is set)


__all__ = ["BootTimeout", "CommandResult", "GuestError", "KernelCrash"]
