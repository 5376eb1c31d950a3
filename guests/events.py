"""What a run reports while it goes: plain data; the CLI decides how to show it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provisioning:
    fs: str  # the filesystem (or fault model) being made


@dataclass(frozen=True)
class Building:
    what: str  # "initramfs"


@dataclass(frozen=True)
class Booting:
    guest: str  # "x86_64 guest", "sim guest"
    why: str  # the filesystem at the first boot, "again for cow" after a hang or crash


@dataclass(frozen=True)
class Ready:
    seconds: float
    accel: str


@dataclass(frozen=True)
class Stopping:
    """Machines powered off, the filesystem torn down."""


@dataclass(frozen=True)
class TestStarted:
    __test__ = False  # not a pytest test class

    name: str
    index: int  # 1-based
    total: int


@dataclass(frozen=True)
class TestFinished:
    __test__ = False

    name: str
    exit_code: int | None
    seconds: float


Event = Provisioning | Building | Booting | Ready | TestStarted | TestFinished | Stopping
