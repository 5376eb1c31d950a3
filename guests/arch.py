"""Per-architecture QEMU definitions: small frozen data, one instance per supported arch."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

from guests.base import GuestError


@dataclass(frozen=True)
class ArchDef:
    """How to boot one architecture under QEMU.

    hugepage_sizes: the sizes (as written on the kernel command line) this arch's kernel accepts.
    thread_numa_mib: per-node memory that makes the thread's reservations succeed (measured).
    kernel_image: the image kind ``-kernel`` expects; checked against the file's header.
    ninep_device / blk_device: QEMU device models for 9p and virtio-blk.
    qemu_package: the Debian package that has ``qemu_binary``.
    extra_kernel_args: arguments this arch needs for reliable hugepage reservations.
    """

    name: str
    qemu_binary: str
    machine: str
    tcg_cpu: str
    kvm_cpu: str
    console: str
    kernel_image: str
    elf_machine: int
    hugepage_sizes: tuple[str, ...]
    thread_numa_mib: tuple[int, ...]
    qemu_package: str
    ninep_device: str = "virtio-9p-pci"
    blk_device: str = "virtio-blk-pci"
    extra_kernel_args: tuple[str, ...] = ()
    kvm_host: str = ""  # platform.machine() on which KVM can run this arch


X86_64 = ArchDef(
    name="x86_64",
    qemu_binary="qemu-system-x86_64",
    qemu_package="qemu-system-x86",
    machine="pc",
    # -erms,-fsrm: clearing 1G pages with `rep stosb` is very slow under TCG.
    tcg_cpu="max,-erms,-fsrm",
    kvm_cpu="host",
    console="ttyS0",
    kernel_image="bzImage",
    elf_machine=62,
    hugepage_sizes=("2M", "1G"),
    # 1G pages on both nodes reserve on every boot only with nokaslr and at least this much.
    thread_numa_mib=(4224, 3072),
    extra_kernel_args=("nokaslr",),
    kvm_host="x86_64",
)

ARM64 = ArchDef(
    name="arm64",
    qemu_binary="qemu-system-aarch64",
    qemu_package="qemu-system-arm",
    machine="virt",
    # pauth-impdef: the architected pointer-auth algorithm is ~5x slower to emulate.
    tcg_cpu="max,pauth-impdef=on",
    kvm_cpu="host",
    console="ttyAMA0",
    kernel_image="Image",
    elf_machine=183,
    hugepage_sizes=("64K", "2M", "32M", "1G"),
    thread_numa_mib=(6144, 6144),
    kvm_host="aarch64",
)

ARCHES: dict[str, ArchDef] = {"x86_64": X86_64, "arm64": ARM64}
ALIASES = {"amd64": "x86_64", "x86-64": "x86_64", "aarch64": "arm64"}


def get_arch(name: str) -> ArchDef:
    """The definition for ``name`` (x86_64, arm64 or an alias such as amd64/aarch64)."""
    key = ALIASES.get(name, name)
    try:
        return ARCHES[key]
    except KeyError:
        raise GuestError(
            f"unsupported arch {name!r}: choose one of {', '.join(sorted(ARCHES))}"
        ) from None


_ELF_MACHINES = {62: "x86_64", 183: "arm64"}
_PE_MACHINES = {0x8664: "x86_64", 0xAA64: "arm64"}


def elf_machine(path: Path) -> str | None:
    """The arch an ELF file is built for (x86_64/arm64), None if not ELF or another arch."""
    with open(path, "rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    order = "little" if head[5] == 1 else "big"
    return _ELF_MACHINES.get(int.from_bytes(head[18:20], order))


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
            return _PE_MACHINES.get(int.from_bytes(head[pe + 4 : pe + 6], "little"))
    return None
