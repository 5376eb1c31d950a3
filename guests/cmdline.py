"""The kernel command line a run uses, mapped to the arch, and guest memory/NUMA sized for it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from guests.outcomes import GuestError
from harness.arch import Arch, get_arch

# The command line from the report thread (arm64, two NUMA nodes), verbatim.
THREAD_CMDLINE = (
    "transparent_hugepage=madvise earlycon root=/dev/vda2 secretmem.enable "
    "hugepagesz=1G hugepages=0:2,1:2 "
    "hugepagesz=32M hugepages=0:2,1:2 default_hugepagesz=2M hugepages=0:64,1:64 "
    "hugepagesz=64K hugepages=0:2,1:2"
)
CHOICES = ("thread", "minimal")
MINIMAL_MIB = 2048
DEFAULT_HUGEPAGE = "2M"
ANY_NODE = -1  # a hugepages=N count without a node: the kernel spreads it over the nodes
NODE0_BASE_MIB = 2048  # what node 0 needs besides its hugepages (kernel, initramfs, tests)
OTHER_NODE_BASE_MIB = 1024

_SIZE_RE = re.compile(r"^(\d+)([KMG])$", re.IGNORECASE)
_UNIT_KB = {"K": 1, "M": 1024, "G": 1024 * 1024}


@dataclass
class CmdlinePlan:
    """kernel_args: what goes on the kernel command line (console= is added by the QEMU guest).
    numa: memory per NUMA node in MiB (one entry = no NUMA topology).
    requested_hugepages: (node, size in kB) -> count; node ANY_NODE for counts without a node.
    notes: what was changed from the choice and why.
    panic_reboot: add panic=-1 (with QEMU's -no-reboot a panic ends the machine). Only on the
        harness's own minimal line; the thread's and a literal line are used as given, and a
        panic still ends the run because the console is watched for its end line.
    """

    kernel_args: str
    numa: list[int]
    requested_hugepages: dict[tuple[int, int], int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    panic_reboot: bool = False


def size_kb(text: str) -> int:
    """'2M' -> 2048, '1G' -> 1048576, '64K' -> 64."""
    m = _SIZE_RE.match(text.strip())
    if not m:
        raise GuestError(f"bad hugepage size {text!r}: use a number with K, M or G (e.g. 2M)")
    return int(m.group(1)) * _UNIT_KB[m.group(2).upper()]


def size_label(kb: int) -> str:
    for unit in ("G", "M"):
        if kb % _UNIT_KB[unit] == 0:
            return f"{kb // _UNIT_KB[unit]}{unit}"
    return f"{kb}K"


def parse_memory(text: str | int) -> int:
    """'8G' / '6144M' / 6144 -> MiB."""
    if isinstance(text, int):
        return text
    t = text.strip()
    if t.isdigit() and len(t) <= 9:
        mib = int(t)
    elif _SIZE_RE.match(t) and len(t) <= 10:
        mib = size_kb(t) // 1024
    else:
        raise GuestError(f"guest memory {text[:40]!r}: use a size such as 8G or 6144M")
    if mib < 64:
        raise GuestError(f"guest memory {text!r} is too small: give it in M or G (e.g. 8G)")
    return mib


def _param(token: str) -> tuple[str, str]:
    key, _, value = token.partition("=")
    return key, value


def _parse_counts(spec: str) -> dict[int, int]:
    """'0:2,1:2' -> {0: 2, 1: 2}; '64' -> {ANY_NODE: 64}."""
    counts: dict[int, int] = {}
    for part in spec.split(","):
        node, sep, count = part.partition(":")
        try:
            if sep:
                counts[int(node)] = counts.get(int(node), 0) + int(count)
            else:
                counts[ANY_NODE] = counts.get(ANY_NODE, 0) + int(node)
        except ValueError:
            raise GuestError(f"bad hugepages={spec!r}: use N or node:N[,node:N]") from None
    return counts


def requested_hugepages(args: str) -> dict[tuple[int, int], int]:
    """What a command line asks for, per (node, size kB), as its author meant it.

    A hugepages= applies to the hugepagesz= or default_hugepagesz= before it; one before any size
    applies to the default size.
    """
    tokens = args.split()
    default = DEFAULT_HUGEPAGE
    for tok in tokens:
        key, value = _param(tok)
        if key == "default_hugepagesz":
            default = value
    current: str | None = None
    out: dict[tuple[int, int], int] = {}
    for tok in tokens:
        key, value = _param(tok)
        if key in ("hugepagesz", "default_hugepagesz"):
            current = value
        elif key == "hugepages":
            kb = size_kb(current or default)
            for node, count in _parse_counts(value).items():
                out[(node, kb)] = out.get((node, kb), 0) + count
    return out


def map_to_arch(args: str, arch: Arch) -> tuple[str, list[str]]:
    """Drop hugepage sizes the arch's kernel refuses (with their hugepages=); say what went."""
    supported = {size_kb(s) for s in arch.hugepage_sizes}
    kept: list[str] = []
    dropped: list[str] = []
    skipping = False
    for tok in args.split():
        key, value = _param(tok)
        if key in ("hugepagesz", "default_hugepagesz"):
            skipping = size_kb(value) not in supported
        elif key != "hugepages":
            skipping = False
        if skipping:
            dropped.append(tok)
        else:
            kept.append(tok)
    notes = []
    if dropped:
        notes.append(
            f"{arch.name} supports hugepage sizes {', '.join(arch.hugepage_sizes)} only: "
            f"dropped {' '.join(dropped)}"
        )
    return " ".join(kept), notes


def _numa_for(requested: dict[tuple[int, int], int]) -> list[int]:
    nodes = max((n for n, _ in requested if n != ANY_NODE), default=0) + 1
    mib = [0] * nodes
    for (node, kb), count in requested.items():
        mib[max(node, 0)] += count * kb // 1024
    sized = []
    for i, need in enumerate(mib):
        base = NODE0_BASE_MIB if i == 0 else OTHER_NODE_BASE_MIB
        sized.append(int(math.ceil((need + base) / 128) * 128))
    return sized


def build_cmdline(arch: str | Arch, choice: str, append: str = "") -> CmdlinePlan:
    """The plan for ``choice``: 'thread' (the report's line), 'minimal' or a literal command
    line."""
    a = arch if isinstance(arch, Arch) else get_arch(arch)
    notes: list[str] = []
    if choice == "thread":
        args, notes = map_to_arch(THREAD_CMDLINE, a)
        numa = list(a.thread_numa_mib)
    elif choice == "minimal":
        args = ""
        numa = [MINIMAL_MIB]
        notes.append("minimal command line: no hugepage reservations, one NUMA node")
    elif choice.strip():
        args, notes = map_to_arch(choice.strip(), a)
        numa = []
    else:
        raise GuestError(f"empty --cmdline: use {' or '.join(CHOICES)} or a kernel command line")
    if append.strip():
        args = f"{args} {append.strip()}".strip()
    requested = requested_hugepages(args)
    if not numa:
        numa = _numa_for(requested)
    if a.extra_kernel_args and any(kb >= 1024 * 1024 for _, kb in requested):
        extra = [x for x in a.extra_kernel_args if x not in args.split()]
        if extra:
            args = f"{args} {' '.join(extra)}".strip()
            notes.append(
                f"added {' '.join(extra)}: {a.name} 1G pages per node reserve reliably only so"
            )
    return CmdlinePlan(kernel_args=args, numa=numa, requested_hugepages=requested, notes=notes,
                       panic_reboot=choice == "minimal")


ROOT_KEYS = ("root", "rootfstype", "rootflags", "rootwait", "nfsroot", "ip")


def place_root(args: str, root_args: list[str]) -> tuple[str, list[str]]:
    """``args`` with the root the run really has: ``root_args`` (a root on the filesystem under
    test) or none (the harness's initramfs is ``/``). A root= the line already names is kept
    verbatim when it names the same root (the guest's /init finds the type and waits for the
    device itself); otherwise it is replaced and the note says so."""
    tokens = args.split()
    given = [t for t in tokens if _param(t)[0] in ROOT_KEYS]
    rest = [t for t in tokens if _param(t)[0] not in ROOT_KEYS]
    if not root_args:
        if not given:
            return args, []
        note = (f"dropped {' '.join(given)}: / is the harness's initramfs "
                "(--fs-scope root puts / on the filesystem under test)")
        return " ".join(rest), [note]
    wanted = {_param(t)[0]: t for t in root_args}
    if wanted.get("root") in given:
        return args, []
    if not given:
        return " ".join([*tokens, *root_args]), []
    kept = [t for t in tokens if _param(t)[0] not in ROOT_KEYS or wanted.get(_param(t)[0]) == t]
    changed = [t for t in given if wanted.get(_param(t)[0]) != t]
    placed = kept + [t for t in root_args if t not in kept]
    note = (f"replaced {' '.join(changed)} with {' '.join(root_args)}: / is on the "
            "filesystem under test")
    return " ".join(placed), [note] if changed else []


def resize_numa(numa: list[int], total_mib: int) -> list[int]:
    """Spread ``total_mib`` over the nodes in the plan's proportions (node 0 takes the rest)."""
    if total_mib < 256 * len(numa):
        raise GuestError(f"guest memory {total_mib}M is too small for {len(numa)} NUMA node(s)")
    whole = sum(numa)
    sized = [total_mib * n // whole for n in numa]
    sized[0] += total_mib - sum(sized)
    return sized
