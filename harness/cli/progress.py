"""How a run's progress events look on stderr: one updating line on a terminal, else plain lines."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TextIO

from guests.events import (
    Booting,
    Building,
    Event,
    Provisioning,
    Ready,
    Stopping,
    TestFinished,
    TestStarted,
)


@dataclass(frozen=True)
class Triaging:
    """The guest's outputs are being parsed and triaged."""


def describe(event: Event | Triaging) -> str:
    """One line for one event."""
    match event:
        case Provisioning(fs):
            return f"provisioning {fs}"
        case Building(what):
            return f"building the {what}"
        case Booting(guest, why):
            return f"booting {guest} ({why})"
        case Ready(seconds, accel):
            return f"guest ready after {seconds:.1f} s ({accel})"
        case TestStarted(name, index, total):
            return f"running {name} (test {index} of {total})"
        case TestFinished(name, exit_code, seconds):
            return f"{name}: exit {exit_code} in {seconds:.1f} s"
        case Stopping():
            return "powering off and tearing down"
        case Triaging():
            return "triaging"
    raise TypeError(f"not a progress event: {event!r}")


class Progress:
    """Renders events as they come, with the seconds since the run started."""

    def __init__(self, stream: TextIO = sys.stderr, prefix: str = "") -> None:
        self.stream = stream
        self.tty = stream.isatty() and not prefix  # several runs at once: never one line redrawn
        self.prefix = f"{prefix}: " if prefix else ""
        self.start = time.monotonic()

    def __call__(self, event: Event | Triaging) -> None:
        elapsed = time.monotonic() - self.start
        message = self.prefix + describe(event)
        if self.tty:
            self.stream.write(f"\r\x1b[K[{elapsed:6.1f}s] {message}")
        else:
            self.stream.write(f"harness: [{elapsed:6.1f}s] {message}\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
