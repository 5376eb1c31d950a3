"""strace for the guest's initramfs: the host's when the arch matches, else Debian's for the arch.

Either way the result maps guest paths to host files: the binary, every library it needs (found
by walking DT_NEEDED) and the dynamic loader, each at the path the loader looks for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from guests.base import GuestError
from harness.arch import elf_machine, get_arch

# strace and what Debian 12's strace links against (libunwind is amd64-only, but harmless).
PACKAGES = ("strace", "libc6", "libunwind8", "liblzma5", "libgcc-s1")
LIB_DIRS = ("lib/{m}", "usr/lib/{m}", "lib", "usr/lib")


def _readelf(args: list[str], path: Path) -> str:
    readelf = shutil.which("readelf")
    if not readelf:
        raise GuestError("readelf not found: apt-get install binutils")
    proc = subprocess.run([readelf, *args, str(path)], capture_output=True, text=True,
                          check=False, env={**os.environ, "LC_ALL": "C"})
    if proc.returncode != 0:
        raise GuestError(f"readelf {' '.join(args)} {path} failed: {proc.stderr.strip()}")
    return proc.stdout


def needed(path: Path) -> list[str]:
    """DT_NEEDED names of an ELF file."""
    out = _readelf(["-d", "-W"], path)
    return [line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines()
            if "(NEEDED)" in line and "[" in line]


def interpreter(path: Path) -> str | None:
    out = _readelf(["-l", "-W"], path)
    for line in out.splitlines():
        if "Requesting program interpreter:" in line:
            return line.split(":", 1)[1].strip().rstrip("]").strip()
    return None


def resolve_in_root(root: Path, guest_path: str) -> Path | None:
    """The real file for ``guest_path`` inside the unpacked tree ``root`` (symlinks followed
    inside the tree, absolute ones too); None if it is not there."""
    parts = [p for p in guest_path.split("/") if p]
    current: list[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if current:
                current.pop()
            continue
        candidate = root.joinpath(*current, part)
        if candidate.is_symlink():
            hops += 1
            if hops > 40:
                return None
            target = os.readlink(candidate)
            if target.startswith("/"):
                current = []
            parts = [p for p in target.split("/") if p] + parts
            continue
        if not candidate.exists():
            return None
        current.append(part)
    found = root.joinpath(*current)
    return found if found.is_file() else None


def closure(root: Path, binary: str, arch: str) -> dict[str, Path]:
    """Guest path -> host file for ``binary`` (a path in ``root``), its libraries and loader."""
    multi = get_arch(arch).multiarch
    host_bin = resolve_in_root(root, binary)
    if host_bin is None:
        raise GuestError(f"{binary} is missing from {root}")
    files = {binary: host_bin}
    interp = interpreter(host_bin)
    if interp:
        loader = resolve_in_root(root, interp)
        if loader is None:
            raise GuestError(f"the dynamic loader {interp} is missing from {root}")
        files[interp] = loader
    queue = [host_bin]
    seen: set[str] = set()
    while queue:
        for name in needed(queue.pop()):
            if name in seen:
                continue
            seen.add(name)
            for d in LIB_DIRS:
                guest = f"/{d.format(m=multi)}/{name}"
                host = resolve_in_root(root, guest)
                if host is not None:
                    if guest != interp and host not in files.values():
                        files[guest] = host
                    queue.append(host)
                    break
            else:
                raise GuestError(f"{binary} needs {name}, which is not in {root}")
    return files


def _unpack_debian_strace(arch: str) -> Path:
    from guests.assets.cache import AssetError
    from guests.assets.debian import download_deb
    from harness.cache import cache_dir

    a = get_arch(arch)
    root = cache_dir() / "strace" / a.name
    done = root / ".complete"
    if done.exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    try:
        for pkg in PACKAGES:
            deb = download_deb(pkg, a.deb_arch)
            subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True, capture_output=True)
    except (AssetError, OSError, subprocess.SubprocessError) as e:
        raise GuestError(
            f"cannot fetch strace for {a.name} ({str(e).splitlines()[0] if str(e) else e!r}): "
            f"run `dpkg --add-architecture {a.deb_arch} && apt-get update`, then retry"
        ) from None
    done.write_text("")
    return root


def strace_files(arch: str) -> dict[str, Path]:
    """Guest path -> host file of an strace that runs in an ``arch`` guest."""
    a = get_arch(arch)
    host = shutil.which("strace")
    if host and elf_machine(Path(host).resolve()) == a.name:
        files = closure(Path("/"), str(Path(host).resolve()), a.name)
        files["/usr/bin/strace"] = Path(host).resolve()
        return files
    root = _unpack_debian_strace(a.name)
    return closure(root, "/usr/bin/strace", a.name)
