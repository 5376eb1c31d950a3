"""What is known about where the tests ran: from the log itself, the guest's facts, the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from harness.ingest import Parsed
from harness.model import Environment

LINUX_VERSION = re.compile(r"Linux version (\S+)")
CMDLINE = re.compile(r"(?:Kernel )?[Cc]ommand line: (.*)$")
HUGETLB_REGISTERED = re.compile(r"HugeTLB: registered ([\d.]+) ([KMG])iB page size, pre-allocated (\d+) pages")
HUGETLB_FAILED = re.compile(r"HugeTLB: allocating (\d+) of page size ([\d.]+) ([KMG])iB failed")
UNIT_KB = {"K": 1, "M": 1024, "G": 1024 * 1024}
FS_ALIASES = {"9p": "9p", "v9fs": "9p", "nfs": "nfs", "nfs3": "nfs", "nfs4": "nfs", "nfsv3": "nfs",
              "nfsv4": "nfs", "xfs": "xfs", "tmpfs": "tmpfs", "ext4": "ext4", "btrfs": "btrfs",
              "virtiofs": "virtiofs", "fuse": "fuse", "ramfs": "ramfs", "overlay": "overlay"}


class EnvironmentError_(ValueError):
    """A user-given environment value is not understood."""


def normalise_fs(name: str) -> str:
    key = name.strip().lower()
    base = re.sub(r"[-_].*$", "", key)  # "9p-fvp" -> "9p", "nfs-4.2" -> "nfs"
    if key in FS_ALIASES:
        return FS_ALIASES[key]
    if base in FS_ALIASES:
        return FS_ALIASES[base]
    raise EnvironmentError_(f"unknown filesystem {name!r}; known: {', '.join(sorted(set(FS_ALIASES.values())))}")


def version_of(release: str) -> str:
    match = re.match(r"(\d+\.\d+(?:\.\d+)?)", release)
    return match.group(1) if match else release


def from_logs(parsed: Iterable[Parsed], env: Environment) -> Environment:
    """Fill what the console says (kernel version, command line, hugetlb reservations)."""
    for p in parsed:
        for line in p.kernel_lines:
            text = line.text
            if env.kernel_release is None and (m := LINUX_VERSION.search(text)):
                env.kernel_release = m.group(1)
                env.kernel_version = version_of(m.group(1))
            elif env.cmdline is None and (m := CMDLINE.search(text)):
                env.cmdline = m.group(1).strip()
            elif m := HUGETLB_REGISTERED.search(text):
                size = f"{int(float(m.group(1)) * UNIT_KB[m.group(2)])}kB"
                pool = env.hugepages.setdefault(size, {})
                pool.setdefault("nr_hugepages", int(m.group(3)))
            elif m := HUGETLB_FAILED.search(text):
                size = f"{int(float(m.group(2)) * UNIT_KB[m.group(3)])}kB"
                env.hugepage_shortfall.append(f"{size}: {text.strip()}")
    return env


def parse_mounts(text: str) -> list[dict[str, str]]:
    mounts = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            mounts.append({"source": parts[0], "target": parts[1], "fstype": parts[2],
                           "options": parts[3]})
    return mounts


def mount_of(path: str, mounts: list[dict[str, str]]) -> dict[str, str] | None:
    best = None
    for mount in mounts:
        target = mount["target"].rstrip("/") or "/"
        if path == target or path.startswith(target.rstrip("/") + "/") or target == "/":
            if best is None or len(target) >= len(best["target"]):
                best = mount
    return best


def from_facts(facts: Mapping[str, object], env: Environment, workdir: str | None = None) -> Environment:
    """Fill from what a guest reported (see guests.session.collect_facts)."""
    release = facts.get("uname_r") or facts.get("uname")
    if isinstance(release, str) and release.strip():
        env.kernel_release = release.strip().split()[0]
        env.kernel_version = version_of(env.kernel_release)
    if isinstance(facts.get("cmdline"), str):
        env.cmdline = str(facts["cmdline"]).strip()
    mounts_raw = facts.get("mounts")
    if isinstance(mounts_raw, str):
        env.mounts = parse_mounts(mounts_raw)
    elif isinstance(mounts_raw, list):
        env.mounts = [dict(m) for m in mounts_raw]
    if env.mounts:
        cwd = workdir or str(facts.get("workdir") or "")
        if cwd:
            mount = mount_of(cwd, env.mounts)
            if mount:
                env.fs = FS_ALIASES.get(mount["fstype"], mount["fstype"])
                env.fs_options = mount["options"]
                env.fs_source = "mount table"
        tmp = mount_of("/tmp", env.mounts)
        if tmp:
            env.tmp_fs = FS_ALIASES.get(tmp["fstype"], tmp["fstype"])
    pools = facts.get("hugepages")
    if isinstance(pools, dict):
        env.hugepages = {str(k): {kk: int(vv) for kk, vv in dict(v).items()}
                         for k, v in pools.items()}
    for key in ("thp",):
        if isinstance(facts.get(key), str):
            env.thp = str(facts[key]).strip()
    if facts.get("swap_kb") is not None:
        env.swap_kb = int(facts["swap_kb"])  # type: ignore[arg-type]
    if facts.get("gup_test") is not None:
        env.gup_test = bool(facts["gup_test"])
    return env
