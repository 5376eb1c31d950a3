"""Build the guest's busybox initramfs: applets, modules in load order, test binaries, strace,
/init."""

from __future__ import annotations

import gzip
import lzma
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fs_profiles.base import ProfileError
from guests.base import GuestError
from harness.arch import elf_machine, get_arch

INIT_SCRIPT = Path(__file__).with_name("init.sh")
READY_MARKER = "HARNESS-GUEST-READY"
SETUP_FAILED_MARKER = "HARNESS-SETUP-FAILED"
SELFTEST_DIR = "/selftests"
MODULE_DIR = "/lib/modules/harness"
VIRTIO_TRANSPORTS = ("virtio_pci", "virtio_mmio")
_KO_SUFFIXES = (".ko.xz", ".ko.gz", ".ko.zst", ".ko")


def module_name(path: str) -> str:
    """'kernel/fs/xfs/xfs.ko.xz' -> 'xfs'; dashes and underscores are the same to the kernel."""
    base = path.rsplit("/", 1)[-1]
    for suffix in _KO_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return base.replace("-", "_")


@dataclass
class ModuleIndex:
    """modules.dep, modules.softdep, modules.alias and modules.builtin of one kernel."""

    root: Path
    deps: dict[str, list[str]] = field(default_factory=dict)  # relpath -> dependency relpaths
    by_name: dict[str, str] = field(default_factory=dict)  # module name -> relpath
    softdeps: dict[str, list[str]] = field(default_factory=dict)  # name -> "pre:" names
    aliases: dict[str, list[str]] = field(default_factory=dict)  # alias -> module names
    builtin: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, modules_dir: Path) -> ModuleIndex:
        dep = modules_dir / "modules.dep"
        if not dep.exists():
            _run_depmod(modules_dir)
        idx = cls(root=modules_dir)
        for line in dep.read_text().splitlines():
            mod, _, rest = line.partition(":")
            if not mod:
                continue
            idx.deps[mod] = rest.split()
            idx.by_name[module_name(mod)] = mod
        for line in _lines(modules_dir / "modules.softdep"):
            words = line.split()
            if len(words) >= 3 and words[0] == "softdep":
                pre: list[str] = []
                in_pre = False
                for w in words[2:]:
                    if w.endswith(":"):
                        in_pre = w == "pre:"
                    elif in_pre:
                        pre.append(w)
                idx.softdeps[words[1].replace("-", "_")] = pre
        for line in _lines(modules_dir / "modules.alias"):
            words = line.split()
            if len(words) == 3 and words[0] == "alias":
                idx.aliases.setdefault(words[1], []).append(words[2].replace("-", "_"))
        idx.builtin = {module_name(x) for x in _lines(modules_dir / "modules.builtin")}
        return idx

    def candidates(self, name: str) -> list[str]:
        """Module names that provide ``name`` (itself, or what the alias points at)."""
        n = name.replace("-", "_")
        if n in self.by_name or n in self.builtin:
            return [n]
        return [m for m in self.aliases.get(name, []) if m in self.by_name or m in self.builtin]

    def resolve(self, names: list[str]) -> list[str]:
        """Relpaths of the .ko files to load for ``names``, dependencies and softdeps first."""
        return [rel for rel, _ in self.resolve_with_optional(names)]

    def resolve_with_optional(self, names: list[str]) -> list[tuple[str, bool]]:
        """(relpath, optional) in load order; optional = only wanted as a softdep.

        A softdep that fails to load (crc32c_intel on a CPU without SSE4.2) must not stop boot.
        """
        order: list[str] = []
        seen: set[str] = set()
        required: set[str] = set()

        def visit_path(rel: str, needed: bool) -> None:
            if needed and rel not in required:
                required.add(rel)
                for dep in self.deps.get(rel, []):
                    visit_path(dep, True)
            if rel in seen:
                return
            seen.add(rel)
            for soft in self.softdeps.get(module_name(rel), []):
                for cand in self.candidates(soft):
                    if cand in self.by_name:
                        visit_path(self.by_name[cand], False)
            for dep in self.deps.get(rel, []):
                visit_path(dep, needed)
            order.append(rel)

        for name in names:
            for rel in self._paths_of(name):
                visit_path(rel, True)
        return [(rel, rel not in required) for rel in order]

    def _paths_of(self, name: str) -> list[str]:
        """The .ko relpaths that provide ``name``; ProfileError when nothing does."""
        cands = self.candidates(name)
        if not cands:
            raise ProfileError(
                f"kernel module {name} is neither in {self.root} nor built in: "
                f"use a kernel that has it (CONFIG option for {name} =m or =y)"
            )
        return [self.by_name[cand] for cand in cands if cand in self.by_name]


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _run_depmod(modules_dir: Path) -> None:
    parts = modules_dir.resolve().parts
    if len(parts) < 3 or parts[-3:-1] != ("lib", "modules"):
        raise ProfileError(
            f"{modules_dir} has no modules.dep and is not a lib/modules/<release> dir: run depmod"
        )
    base = Path(*parts[:-3])
    depmod = shutil.which("depmod") or "/sbin/depmod"
    try:
        subprocess.run([depmod, "-b", str(base), parts[-1]], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise ProfileError(f"depmod failed for {modules_dir} ({e}): install kmod") from None


def decompress_module(src: Path, dst: Path) -> None:
    """busybox insmod wants plain .ko: unpack .ko.xz / .ko.gz / .ko.zst."""
    name = src.name
    if name.endswith(".ko.xz"):
        dst.write_bytes(lzma.decompress(src.read_bytes()))
    elif name.endswith(".ko.gz"):
        dst.write_bytes(gzip.decompress(src.read_bytes()))
    elif name.endswith(".ko.zst"):
        zstd = shutil.which("zstd")
        if not zstd:
            raise ProfileError(f"{src} is zstd-compressed: install zstd")
        with open(dst, "wb") as out:
            subprocess.run([zstd, "-dc", str(src)], stdout=out, check=True)
    else:
        shutil.copyfile(src, dst)


def find_busybox(arch: str) -> Path:
    """A static busybox for ``arch``: the host's if it matches, else busybox-static from Debian."""
    from guests.assets.cache import AssetError
    from guests.assets.debian import download_deb
    from harness.cache import cache_dir

    a = get_arch(arch)
    host = Path("/bin/busybox")
    if host.exists() and elf_machine(host) == a.name:
        return host
    root = cache_dir() / "busybox" / a.name
    cached = root / "bin" / "busybox"
    if cached.exists():
        return cached
    deb_arch = a.deb_arch
    try:
        deb = download_deb("busybox-static", deb_arch)
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True, capture_output=True)
    except (AssetError, OSError, subprocess.SubprocessError):
        raise GuestError(
            f"no static busybox for {a.name}: run `dpkg --add-architecture {deb_arch} && "
            f"apt-get update`, then retry"
        ) from None
    if elf_machine(cached) != a.name:
        raise GuestError(f"{cached} is not an {a.name} busybox: remove it and retry")
    return cached


@dataclass
class InitramfsSpec:
    """Everything that goes into one initramfs.

    modules: top-level module names (dependencies are added). mount: the profile's commands.
    binaries: name -> host file, installed as /selftests/<name>.
    extra_files: guest path -> host file (strace and its libraries, at their own paths).
    optional_modules: module names loaded when the kernel has them (zram for the swap).
    late_modules: name -> host .ko loaded after the others, optionally (gup_test.ko).
    swap_mib: size of the zram swap /init sets up (0: none).
    payload_key: for a root that already holds the payload (busybox, selftests, extra files,
        /init: guests/root_payload.py) with this key; the initramfs then carries only what
        stage 1 needs (busybox, modules, settings, /init), and /init checks the root's key.
    """

    arch: str
    mountpoint: str
    busybox: Path
    modules_dir: Path | None = None
    modules: list[str] = field(default_factory=list)
    mount: list[str] = field(default_factory=list)
    scope: str = "work"
    binaries: dict[str, Path] = field(default_factory=dict)
    extra_files: dict[str, Path] = field(default_factory=dict)
    ready_marker: str = READY_MARKER
    optional_modules: list[str] = field(default_factory=list)
    late_modules: dict[str, Path] = field(default_factory=dict)
    swap_mib: int = 0
    payload_key: str = ""


FS_SCOPES = ("work", "tmp", "root")  # the tests' cwd / also /tmp / the whole root on the fs


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _applets(busybox: Path) -> list[str]:
    """Applet paths (bin/ls ...) when the busybox runs here, or when the host's busybox has the
    same applets (Debian builds busybox-static alike for every arch); else [] and /init
    installs them at boot."""
    for runnable in (busybox, HOST_BUSYBOX):
        if runnable != busybox and _applet_names(runnable) != _applet_names(busybox):
            continue
        try:
            out = subprocess.run([str(runnable), "--list-full"], capture_output=True, text=True,
                                 check=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        return [line.strip() for line in out.splitlines() if line.strip()]
    return []


HOST_BUSYBOX = Path("/bin/busybox")


def _applet_names(busybox: Path) -> bytes | None:
    """The NUL-separated applet name table in the binary (it starts with '[' and '[[')."""
    try:
        data = busybox.read_bytes()
    except OSError:
        return None
    start = data.find(b"[\x00[[\x00")
    if start < 0:
        return None
    end = data.find(b"\x00\x00", start)
    return data[start:end] if end > start else None


def _install_busybox(busybox: Path, root: Path) -> None:
    """busybox as /bin/busybox, with a link for each of its applets (/bin/sh at least)."""
    shutil.copyfile(busybox, root / "bin/busybox")
    os.chmod(root / "bin/busybox", 0o755)
    for applet in _applets(busybox) or ["bin/sh"]:
        link = root / applet.lstrip("/")
        if applet.lstrip("/") == "bin/busybox" or link.exists():
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink("/bin/busybox", link)
    if not (root / "bin/sh").exists():
        os.symlink("/bin/busybox", root / "bin/sh")


def _install_modules(spec: InitramfsSpec, root: Path) -> list[str]:
    """The profile's modules, decompressed in load order; their guest paths ('?' optional)."""
    loaded: list[str] = []
    if spec.modules and (spec.modules_dir is None or not spec.modules_dir.is_dir()):
        raise ProfileError(
            f"the profile needs kernel modules {' '.join(spec.modules)} but the kernel has "
            f"no modules dir ({spec.modules_dir}): fetch the kernel's modules"
        )
    if spec.modules_dir is not None and spec.modules_dir.is_dir() and (
            spec.modules or spec.optional_modules):
        for rel, optional in _module_order(spec):
            guest = f"{MODULE_DIR}/{module_name(rel)}.ko"
            decompress_module(spec.modules_dir / rel, root / guest.lstrip("/"))
            loaded.append(f"?{guest}" if optional else guest)
    return loaded


# What stage 1 of /init mounts first, in one `mount -a` (debugfs: /sys/kernel/debug/gup_test).
SYSTEM_FSTAB = """\
proc /proc proc defaults 0 0
sysfs /sys sysfs defaults 0 0
devtmpfs /dev devtmpfs defaults 0 0
debugfs /sys/kernel/debug debugfs defaults 0 0
tmpfs /tmp tmpfs mode=1777 0 0
"""
PAYLOAD_KEY_FILE = "etc/harness-payload"  # on a root holding the payload: its key


def populate_payload(root: Path, arch: str, busybox: Path, binaries: dict[str, Path],
                     extra_files: dict[str, Path]) -> None:
    """What the tests' root needs: busybox and its links, /selftests/<name>, the extra files
    (strace and its libraries, the fault injector) at their guest paths, and /init."""
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "etc",
              SELFTEST_DIR.strip("/")):
        (root / d).mkdir(parents=True, exist_ok=True)
    _install_busybox(busybox, root)
    for name, src in binaries.items():
        if "/" in name:
            raise GuestError(f"bad test binary name {name!r}")
        if elf_machine(src) not in (None, get_arch(arch).name):
            raise GuestError(f"{src} is built for {elf_machine(src)}, not {arch}: rebuild it")
        shutil.copyfile(src, root / SELFTEST_DIR.strip("/") / name)
        os.chmod(root / SELFTEST_DIR.strip("/") / name, 0o755)
    for guest_path, src in extra_files.items():
        dst = root / guest_path.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)  # follows symlinks: the guest gets the real file at this path
        os.chmod(dst, 0o755)
    shutil.copyfile(INIT_SCRIPT, root / "init")
    os.chmod(root / "init", 0o755)


def populate(spec: InitramfsSpec, root: Path) -> list[str]:
    """Lay the initramfs tree out under ``root``; returns the guest paths of the modules in order.

    Optional modules (softdeps only) are marked with a leading '?': /init goes on without them.
    With ``spec.payload_key`` the binaries and extra files are on the root, not in here.
    """
    if spec.scope not in FS_SCOPES:
        raise GuestError(f"bad fs scope {spec.scope!r}: use {', '.join(FS_SCOPES)}")
    for d in ("proc", "sys", "dev", "tmp", "etc/harness", "lib/modules/harness",
              spec.mountpoint.strip("/")):
        (root / d).mkdir(parents=True, exist_ok=True)
    if spec.payload_key:
        populate_payload(root, spec.arch, spec.busybox, {}, {})
    else:
        populate_payload(root, spec.arch, spec.busybox, spec.binaries, spec.extra_files)
    loaded = _install_modules(spec, root)
    for name, src in spec.late_modules.items():
        guest = f"{MODULE_DIR}/{name}.ko"
        shutil.copyfile(src, root / guest.lstrip("/"))
        loaded.append(f"?{guest}")
    (root / "etc/harness/fstab").write_text(SYSTEM_FSTAB)
    (root / "etc/harness/modules").write_text("".join(f"{m}\n" for m in loaded))
    (root / "etc/harness/mount.sh").write_text("".join(f"{c}\n" for c in spec.mount))
    (root / "etc/harness/env").write_text(
        f"HARNESS_MNT={_shell_quote(spec.mountpoint)}\n"
        f"HARNESS_SCOPE={_shell_quote(spec.scope)}\n"
        f"HARNESS_READY={_shell_quote(spec.ready_marker)}\n"
        f"HARNESS_SWAP_MB={int(spec.swap_mib)}\n"
        f"HARNESS_PAYLOAD={_shell_quote(spec.payload_key)}\n"
    )
    return loaded


def _module_order(spec: InitramfsSpec) -> list[tuple[str, bool]]:
    """(relpath, optional) of every module to load: the profile's, then the optional ones."""
    assert spec.modules_dir is not None
    idx = ModuleIndex.load(spec.modules_dir)
    order: list[tuple[str, bool]] = []
    if spec.modules:
        # The virtio transports are built in on Debian 6.12 but modules on 6.1: without them
        # no virtio device (disk, 9p, net) appears at all.
        transports = [m for m in VIRTIO_TRANSPORTS if m in idx.by_name and m not in idx.builtin]
        order += idx.resolve_with_optional(transports + list(spec.modules))
    for name in spec.optional_modules:
        if any(c in idx.by_name for c in idx.candidates(name)):
            seen = {rel for rel, _ in order}
            order += [(rel, True) for rel, _ in idx.resolve_with_optional([name])
                      if rel not in seen]
    return order


def build_initramfs(spec: InitramfsSpec, out: Path) -> list[str]:
    """Write a gzip'd newc cpio of the initramfs to ``out``; returns the module load order."""
    cpio = shutil.which("cpio")
    if not cpio:
        raise GuestError("cpio is not installed: apt-get install cpio")
    tree = Path(tempfile.mkdtemp(prefix="harness-initramfs-"))
    try:
        loaded = populate(spec, tree)
        names = sorted(str(p.relative_to(tree)) for p in tree.rglob("*"))
        listing = "\n".join(["."] + names) + "\n"
        proc = subprocess.run(
            [cpio, "--quiet", "-o", "-H", "newc", "-R", "0:0"],
            cwd=tree, input=listing.encode(), capture_output=True, check=False,
        )
        if proc.returncode != 0:
            raise GuestError(f"cpio failed: {proc.stderr.decode(errors='replace').strip()}")
        with gzip.open(out, "wb", compresslevel=1) as f:
            f.write(proc.stdout)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    return loaded
