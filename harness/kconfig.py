"""Kernel options the guest and the selftests need, checked against a kernel's config before boot.

Like kunit_tool with a ``.kunitconfig``: read the config (a ``.config``, ``/boot/config-*`` or the
``IKCONFIG`` copy inside the image), name every missing option, say which tests will skip
because of it, and refuse a run that cannot work at all (no serial console, no 9p for
``--fs 9p``) with one line. Pure functions, but for parse_config_file (a config file read once
per run: the check before boot, the guest and gup_test all ask).
"""

from __future__ import annotations

import functools
import gzip
import zlib
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from harness.lazy_regex import lazy

_LINE = lazy(r"^CONFIG_([A-Za-z0-9_]+)=(.*)$")
_UNSET = lazy(r"^# CONFIG_([A-Za-z0-9_]+) is not set$")
IKCFG_START, IKCFG_END = b"IKCFG_ST", b"IKCFG_ED"


def parse_config(text: str) -> dict[str, str]:
    """``CONFIG_FOO=y`` -> {'FOO': 'y'}; ``# CONFIG_BAR is not set`` -> {'BAR': 'n'}."""
    options: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if m := _LINE.match(line):
            options[m.group(1)] = m.group(2).strip('"')
        elif m := _UNSET.match(line):
            options[m.group(1)] = "n"
    return options


@functools.lru_cache(maxsize=8)
def _parsed_file(path: Path, size: int, mtime_ns: int) -> dict[str, str]:
    return parse_config(path.read_text(errors="replace"))


def parse_config_file(path: Path) -> dict[str, str]:
    """parse_config of a file, remembered while its size and mtime stay (a copy each call)."""
    st = path.stat()
    return dict(_parsed_file(path, st.st_size, st.st_mtime_ns))


def ikconfig_from_image(data: bytes) -> str | None:
    """The config a kernel built with CONFIG_IKCONFIG carries (what scripts/extract-ikconfig does).

    ``data`` must be the uncompressed image (vmlinux, arm64 Image); the config sits gzip'd
    between the IKCFG_ST and IKCFG_ED markers.
    """
    start = data.find(IKCFG_START)
    while start != -1:
        end = data.find(IKCFG_END, start)
        if end == -1:
            return None
        blob = data[start + len(IKCFG_START):end]
        if blob[:2] == b"\x1f\x8b":
            try:
                return gzip.decompress(blob).decode("utf-8", "replace")
            except (OSError, EOFError, zlib.error):
                pass
        start = data.find(IKCFG_START, start + 1)
    return None


class Severity(Enum):
    FATAL = "fatal"  # the run cannot work: refuse it before booting
    SKIPS = "skips"  # some tests will skip (or a fact will be missing)


@dataclass(frozen=True)
class Requirement:
    """One thing the run needs, met when every option in ``options`` is y (or m when allowed).

    An option written ``A|B`` is met by either. ``fs``/``arch`` limit it to those runs.
    """

    options: tuple[str, ...]
    why: str
    severity: Severity
    fs: tuple[str, ...] = ()
    arch: tuple[str, ...] = ()
    builtin: bool = False  # must be =y: needed before any module can be loaded
    swap: bool = False  # only when the run gives the guest swap
    provided_by: str = ""  # key of something the harness supplies instead (see check())


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(("BLK_DEV_INITRD",), "the guest boots from the harness's initramfs",
                Severity.FATAL, builtin=True),
    Requirement(("BINFMT_ELF",), "/init and the selftests are ELF programs", Severity.FATAL,
                builtin=True),
    Requirement(("DEVTMPFS", "PROC_FS", "SYSFS", "TMPFS"),
                "/init mounts devtmpfs, proc, sysfs and tmpfs", Severity.FATAL, builtin=True),
    Requirement(("SERIAL_8250", "SERIAL_8250_CONSOLE"),
                "the harness drives the guest through the ttyS0 serial console", Severity.FATAL,
                arch=("x86_64",), builtin=True),
    Requirement(("SERIAL_AMBA_PL011", "SERIAL_AMBA_PL011_CONSOLE"),
                "the harness drives the guest through the ttyAMA0 serial console",
                Severity.FATAL, arch=("arm64",), builtin=True),
    Requirement(("VIRTIO_PCI", "VIRTIO_BLK"), "the XFS/ext4 image is a virtio-blk disk",
                Severity.FATAL, fs=("xfs", "ext4")),
    Requirement(("XFS_FS",), "--fs xfs mounts an XFS image", Severity.FATAL, fs=("xfs",)),
    Requirement(("EXT4_FS",), "--fs ext4 mounts an ext4 image", Severity.FATAL, fs=("ext4",)),
    Requirement(("VIRTIO_PCI", "NET_9P", "NET_9P_VIRTIO", "9P_FS"),
                "--fs 9p mounts a virtio-9p share", Severity.FATAL, fs=("9p",)),
    Requirement(("VIRTIO_PCI", "VIRTIO_NET", "INET", "NFS_FS", "NFS_V3|NFS_V4"),
                "--fs nfs mounts the host's ganesha export over virtio-net", Severity.FATAL,
                fs=("nfs",)),
    Requirement(("DEBUG_FS",), "gup_test is a debugfs file: gup_longterm's long-term pinning "
                "cases and cow's R/O pinning cases will skip", Severity.SKIPS),
    Requirement(("GUP_TEST",), "gup_longterm's long-term pinning cases and cow's R/O pinning "
                "cases will skip", Severity.SKIPS, provided_by="gup_test"),
    Requirement(("SWAP",), "cow's swapped-out cases will skip (MADV_PAGEOUT needs swap)",
                Severity.SKIPS, swap=True),
    Requirement(("ZRAM",), "the guest's swap is a zram device: cow's swapped-out cases will skip",
                Severity.SKIPS, swap=True),
    Requirement(("TRANSPARENT_HUGEPAGE",), "the THP cases of cow and gup_longterm will skip",
                Severity.SKIPS),
    Requirement(("HUGETLBFS", "HUGETLB_PAGE"),
                "the hugetlb cases of cow and gup_longterm will skip and the command line's "
                "hugepage reservations cannot be made", Severity.SKIPS),
    Requirement(("IO_URING",), "the io_uring cases of gup_longterm and cow will skip",
                Severity.SKIPS),
    Requirement(("ADVISE_SYSCALLS",), "madvise() fails with ENOSYS: most cow cases fail",
                Severity.SKIPS),
    Requirement(("MEMFD_CREATE",), "the memfd cases of cow and gup_longterm will fail",
                Severity.SKIPS),
    Requirement(("USERFAULTFD",), "not used by gup_longterm or cow in 6.12 (other mm selftests "
                "need it)", Severity.SKIPS),
    Requirement(("NUMA",), "the thread's command line reserves hugepages per NUMA node",
                Severity.SKIPS),
)


@dataclass
class Missing:
    requirement: Requirement
    options: list[str]  # the options that are off ("FOO=m" when it must be built in)

    def line(self) -> str:
        return f"{', '.join(self.options)}: {self.requirement.why}"


@dataclass
class ConfigCheck:
    source: str  # where the config came from
    fatal: list[Missing] = field(default_factory=list)
    skips: list[Missing] = field(default_factory=list)
    provided: list[str] = field(default_factory=list)  # "GUP_TEST: <how the harness adds it>"

    @property
    def ok(self) -> bool:
        return not self.fatal

    def lines(self) -> list[str]:
        """What to print before booting (empty when nothing is missing)."""
        out = [f"kernel config ({self.source}): {m.line()}" for m in self.fatal + self.skips]
        return out + [f"kernel config ({self.source}): {p}" for p in self.provided]

    def error(self) -> str:
        """The one line for a run that cannot work."""
        first = self.fatal[0]
        more = f" (and {len(self.fatal) - 1} more)" if len(self.fatal) > 1 else ""
        return (f"the kernel cannot run this ({self.source}): {', '.join(first.options)} "
                f"missing - {first.requirement.why}{more}")


def _state(options: dict[str, str], name: str) -> str:
    return options.get(name, "n")


def _off(options: dict[str, str], spec: str, builtin: bool) -> str | None:
    """None when ``spec`` (A or A|B) is met, else how it is off ('A', 'A=m')."""
    alternatives = spec.split("|")
    states = [_state(options, a) for a in alternatives]
    if any(s == "y" for s in states):
        return None
    if not builtin and any(s == "m" for s in states):
        return None
    if builtin and any(s == "m" for s in states):
        return f"{spec}=m (must be =y)"
    return spec


def check(options: dict[str, str], source: str, *, fs: str, arch: str, swap: bool = True,
          provided: dict[str, str] | None = None) -> ConfigCheck:
    """Which requirements of a run on ``fs``/``arch`` the config leaves unmet.

    ``provided`` maps a requirement's ``provided_by`` key to how the harness supplies it anyway
    (``{'gup_test': 'module built from ...'}``): such a requirement is reported as provided.
    """
    provided = provided or {}
    result = ConfigCheck(source=source)
    base_fs = fs.split(":", 1)[0]
    for req in REQUIREMENTS:
        if req.fs and base_fs not in req.fs:
            continue
        if req.arch and arch not in req.arch:
            continue
        if req.swap and not swap:
            continue
        off = [o for spec in req.options if (o := _off(options, spec, req.builtin))]
        if not off:
            continue
        if req.provided_by and req.provided_by in provided:
            result.provided.append(f"{', '.join(off)} unset; {provided[req.provided_by]}")
            continue
        target = result.fatal if req.severity is Severity.FATAL else result.skips
        target.append(Missing(req, off))
    return result
