"""What a guest says about itself (release, mounts, memory, hugepages ...), read by one script."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Protocol

from guests.cmdline import ANY_NODE, CmdlinePlan, size_label
from guests.outcomes import CommandResult, GuestError

if TYPE_CHECKING:
    from fs_profiles.faults.models import FaultModel

FACTS_TIMEOUT = 60.0

# Shell builtins only (read, echo, [ ]): every fork+exec costs tens of ms in a TCG guest, and
# the cat/$(...) version of this script took 1-2.6 s there; this one 0.25-0.7 s, same output.
_FACT_SCRIPT = r"""
echo @@release; read -r v < /proc/sys/kernel/osrelease; echo "$v"
r() { while IFS= read -r l || [ -n "$l" ]; do echo "$l"; done < "$1"; } 2>/dev/null
echo @@cmdline; r /proc/cmdline
echo @@mounts; r /proc/mounts
echo @@meminfo; r /proc/meminfo
echo @@node_hugepages
for f in /sys/devices/system/node/node*/hugepages/hugepages-*/nr_hugepages; do
  [ -e "$f" ] && read -r v < "$f" && echo "$f $v"; done
echo @@hugepages
for d in /sys/kernel/mm/hugepages/hugepages-*; do
  [ -e "$d" ] && read -r a < "$d/nr_hugepages" && read -r b < "$d/free_hugepages" &&
  read -r c < "$d/resv_hugepages" && read -r e < "$d/surplus_hugepages" && echo "$d $a $b $c $e"
done
echo @@thp; r /sys/kernel/mm/transparent_hugepage/enabled
echo @@swaps; r /proc/swaps
echo @@gup_test; [ -e /sys/kernel/debug/gup_test ] && echo yes || echo no
echo @@gup_test_module; m=no
{ while read -r n rest; do [ "$n" = gup_test ] && m=yes; done < /proc/modules; } 2>/dev/null
echo $m
echo @@nodes; for d in /sys/devices/system/node/node*; do [ -e "$d" ] && echo "$d"; done
echo @@end
"""
_NODE_HP = re.compile(r"/node(\d+)/hugepages/hugepages-(\d+)kB/nr_hugepages (\d+)")
_HP = re.compile(r"/hugepages-(\d+)kB (\d+) (\d+) (\d+) (\d+)")


@dataclass(frozen=True)
class Mount:
    """One /proc/mounts entry, with the keys harness.model.Environment.mounts uses."""

    source: str
    target: str
    fstype: str
    options: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class HugePool:
    """One hugepage size's counters (/sys/kernel/mm/hugepages/hugepages-<kB>kB)."""

    nr: int
    free: int
    resv: int
    surplus: int


@dataclass
class GuestFacts:
    """The guest's own view, plus what the run knows about the tests' work dir.

    fs_mount: the work dir's mount as triage should judge it (a fault model's fs type when one
        is injected); backing_fs: the real mount under a fault model.
    fs_facts: host-side facts of the filesystem (server, image, fault model ...).
    """

    kernel_release: str = ""
    cmdline: str = ""
    mounts: list[Mount] = field(default_factory=list)
    meminfo: dict[str, int] = field(default_factory=dict)
    hugepages_per_node: dict[int, dict[int, int]] = field(default_factory=dict)  # node -> kB -> nr
    hugepages: dict[int, HugePool] = field(default_factory=dict)  # kB -> counters
    thp_enabled: str = ""
    swaps: list[str] = field(default_factory=list)
    gup_test: bool = False
    gup_test_module: bool = False  # gup_test.ko loaded (a kernel without CONFIG_GUP_TEST)
    nodes: list[int] = field(default_factory=list)
    fs_mount: Mount | None = None
    backing_fs: Mount | None = None
    fs_facts: dict[str, str] = field(default_factory=dict)

    def mount_at(self, target: str) -> Mount | None:
        """The mount at ``target`` (the last entry wins, as in the kernel)."""
        found = [m for m in self.mounts if m.target == target]
        return found[-1] if found else None


class _Shell(Protocol):
    def run(self, command: str, timeout: float) -> CommandResult: ...


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("@@"):
            current = line[2:].strip()
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return out


def _meminfo(lines: list[str]) -> dict[str, int]:
    meminfo: dict[str, int] = {}
    for line in lines:
        key, _, value = line.partition(":")
        num = value.split()
        if num and num[0].isdigit():
            meminfo[key.strip()] = int(num[0])
    return meminfo


def _hugepages(s: dict[str, list[str]]) -> tuple[dict[int, dict[int, int]], dict[int, HugePool]]:
    per_node: dict[int, dict[int, int]] = {}
    for line in s.get("node_hugepages", []):
        if m := _NODE_HP.search(line):
            per_node.setdefault(int(m.group(1)), {})[int(m.group(2))] = int(m.group(3))
    pools = {int(m.group(1)): HugePool(*map(int, m.groups()[1:]))
             for line in s.get("hugepages", []) if (m := _HP.search(line))}
    return per_node, pools


def parse_facts(text: str) -> GuestFacts:
    """The facts from the output of the facts script."""
    s = _sections(text)
    mounts = [Mount(*parts[:4]) for line in s.get("mounts", []) if len(parts := line.split()) >= 4]
    per_node, pools = _hugepages(s)
    thp_raw = " ".join(s.get("thp", [])).strip()
    thp = re.search(r"\[(\w+)\]", thp_raw)
    return GuestFacts(
        kernel_release=" ".join(s.get("release", [])).strip(),
        cmdline=" ".join(s.get("cmdline", [])).strip(),
        mounts=mounts,
        meminfo=_meminfo(s.get("meminfo", [])),
        hugepages_per_node=per_node,
        hugepages=pools,
        thp_enabled=thp.group(1) if thp else thp_raw,
        swaps=[line.split()[0] for line in s.get("swaps", [])[1:] if line.strip()],
        gup_test=(s.get("gup_test") or ["no"])[0].strip() == "yes",
        gup_test_module=(s.get("gup_test_module") or ["no"])[0].strip() == "yes",
        nodes=sorted(int(m.group(1)) for line in s.get("nodes", [])
                     if (m := re.search(r"node(\d+)$", line.strip()))),
    )


def collect_facts(shell: _Shell) -> GuestFacts:
    """What the guest says about itself: release, cmdline, mounts, memory, hugepages per node ..."""
    r = shell.run(_FACT_SCRIPT.strip(), FACTS_TIMEOUT)
    if r.exit_code is None or "@@end" not in r.output:
        raise GuestError("could not read the guest's facts (the console stopped answering)")
    return parse_facts(r.output)


def check_hugepages(plan: CmdlinePlan, facts: GuestFacts) -> list[str]:
    """One line per requested reservation the guest did not get (per node, as sysfs counts)."""
    lines = []
    for (node, kb), want in sorted(plan.requested_hugepages.items()):
        label = size_label(kb)
        if kb not in facts.hugepages:
            lines.append(f"hugepages {label}: requested {want}, but the kernel has no {label} pool")
            continue
        if node == ANY_NODE:
            got = facts.hugepages[kb].nr
            where = "in total"
        elif node not in facts.hugepages_per_node:
            lines.append(f"hugepages {label} on node {node}: requested {want}, "
                         f"but the guest has no node {node}")
            continue
        else:
            got = facts.hugepages_per_node[node].get(kb, 0)
            where = f"on node {node}"
        if got < want:
            lines.append(f"hugepages {label} {where}: {got} of {want} reserved")
    return lines


def modelled(real: Mount, model: FaultModel, source: str) -> Mount:
    """The mount triage should see under a fault model: the model's fs type over the real one."""
    return Mount(source=source, target=real.target, fstype=model.looks_like,
                 options=model.mount_options or real.options)
