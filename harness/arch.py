"""Every per-architecture fact in one record per architecture (bottom layer: no project imports).

The harness names arches x86_64 and arm64; Debian, gcc, ELF/PE headers and ``uname -m`` each
have their own name or number for them, and all of those live here.
"""

from __future__ import annotations

import gzip
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from harness.errors import HarnessError


class ArchError(HarnessError):
    """An architecture the harness does not support."""


@dataclass(frozen=True)
class Arch:
    """One architecture: its names elsewhere, its toolchain and how to boot it under QEMU.

    deb_arch / multiarch: Debian's architecture name and multiarch triplet.
    compiler: the C compiler producing static binaries for it (cross on other hosts).
    uname: ``platform.machine()`` on such a host (where KVM can run this arch).
    elf_machine / pe_machine: e_machine of its ELF files, Machine of its PE (EFI zboot) images.
    kernel_image: the image kind ``-kernel`` expects; checked against the file's header.
    hugepage_sizes: the sizes (as written on the kernel command line) its kernel accepts.
    thread_numa_mib: per-node memory that makes the thread's reservations succeed (measured).
    extra_kernel_args: arguments this arch needs for reliable hugepage reservations.
    """

    name: str
    deb_arch: str
    multiarch: str
    compiler: str
    uname: str
    elf_machine: int
    pe_machine: int
    qemu_binary: str
    qemu_package: str
    machine: str
    tcg_cpu: str
    kvm_cpu: str
    console: str
    kernel_image: str
    hugepage_sizes: tuple[str, ...]
    thread_numa_mib: tuple[int, ...]
    blk_device: str = "virtio-blk-pci"
    extra_kernel_args: tuple[str, ...] = ()


X86_64 = Arch(
    name="x86_64",
    deb_arch="amd64",
    multiarch="x86_64-linux-gnu",
    compiler="gcc",
    uname="x86_64",
    elf_machine=62,
    pe_machine=0x8664,
    qemu_binary="qemu-system-x86_64",
    qemu_package="qemu-system-x86",
    machine="pc",
    # -erms,-fsrm: clearing 1G pages with `rep stosb` is very slow under TCG.
    tcg_cpu="max,-erms,-fsrm",
    kvm_cpu="host",
    console="ttyS0",
    kernel_image="bzImage",
    hugepage_sizes=("2M", "1G"),
    # 1G pages on both nodes reserve on every boot only with nokaslr and at least this much.
    thread_numa_mib=(4224, 3072),
    extra_kernel_args=("nokaslr",),
)

ARM64 = Arch(
    name="arm64",
    deb_arch="arm64",
    multiarch="aarch64-linux-gnu",
    compiler="aarch64-linux-gnu-gcc",
    uname="aarch64",
    elf_machine=183,
    pe_machine=0xAA64,
    qemu_binary="qemu-system-aarch64",
    qemu_package="qemu-system-arm",
    machine="virt",
    # pauth-impdef: the architected pointer-auth algorithm is ~5x slower to emulate.
    tcg_cpu="max,pauth-impdef=on",
    kvm_cpu="host",
    console="ttyAMA0",
    kernel_image="Image",
    hugepage_sizes=("64K", "2M", "32M", "1G"),
    thread_numa_mib=(6144, 6144),
)

ARCHES: dict[str, Arch] = {a.name: a for a in (X86_64, ARM64)}
_ALIASES = {"amd64": "x86_64", "x86-64": "x86_64", "aarch64": "arm64"}


def get_arch(name: str) -> Arch:
    """The record for ``name`` (x86_64, arm64 or an alias such as amd64/aarch64)."""
    try:
        return ARCHES[_ALIASES.get(name, name)]
    except KeyError:
        raise ArchError(
            f"unsupported arch {name!r}: choose one of {', '.join(sorted(ARCHES))}"
        ) from None


def host_arch() -> str:
    """The harness name of the machine we run on (``uname -m`` when it is not one of ours)."""
    machine = platform.machine()
    return next((a.name for a in ARCHES.values() if machine in (a.uname, a.name)), machine)


def _by_elf(number: int) -> str | None:
    return next((a.name for a in ARCHES.values() if a.elf_machine == number), None)


def elf_machine(path: Path) -> str | None:
    """The arch an ELF file is built for (x86_64/arm64), None if not ELF or another arch."""
    with open(path, "rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    order: Literal["little", "big"] = "little" if head[5] == 1 else "big"
    return _by_elf(int.from_bytes(head[18:20], order))


def kernel_image_arch(path: Path) -> str | None:
    """The arch a kernel image boots on, read from its header; None when not recognised.

    Knows x86 bzImage ("HdrS" at 0x202), arm64 Image ("ARM\\x64" at 0x38, also inside gzip),
    PE images (EFI zboot, by PE machine) and ELF vmlinux.
    """
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:4] == b"\x7fELF":
        return elf_machine(path)
    if head[0x202:0x206] == b"HdrS":
        return "x86_64"
    if head[0x38:0x3C] == b"ARM\x64":
        return "arm64"
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as g:
            inner = g.read(0x40)
        return "arm64" if inner[0x38:0x3C] == b"ARM\x64" else None
    if head[:2] == b"MZ" and len(head) >= 0x40:
        pe = int.from_bytes(head[0x3C:0x40], "little")
        if head[pe : pe + 4] == b"PE\0\0":
            number = int.from_bytes(head[pe + 4 : pe + 6], "little")
            return next((a.name for a in ARCHES.values() if a.pe_machine == number), None)
    return None
