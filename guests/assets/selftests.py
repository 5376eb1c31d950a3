"""The static gup_longterm and cow binaries, built for an arch from a kernel tree."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from guests.assets.cache import AssetError, building, read_manifest, write_manifest
from guests.assets.selftest_source import (
    SOURCE_PATTERNS,
    TREE_EXTRA_PATTERNS,
    ensure_selftest_source,
    makefile_version,
)
from harness.arch import get_arch
from harness.cache import cache_dir, locked

SELFTESTS = ("gup_longterm", "cow")


SELFTEST_HELPERS = ("vm_util.c", "thp_settings.c")


@dataclass(frozen=True)
class SelftestAssets:
    arch: str
    source: str
    version: str
    binaries: dict[str, Path] = field(hash=False)
    source_dir: Path | None = None  # tools/testing/selftests/mm of the source that was built


def local_config_h(have_liburing: bool) -> str:
    """The local_config.h that check_config.sh would write (written by hand for cross builds)."""
    if have_liburing:
        return "#define LOCAL_CONFIG_HAVE_LIBURING 1\n"
    return "// No liburing support found\n"


def helper_sources(mm_makefile: str, test: str) -> list[str]:
    """The .c files the mm Makefile links into ``test`` besides ``test.c``.

    Reads ``$(TEST_GEN_PROGS): vm_util.c ...`` and ``$(OUTPUT)/<test>: ...`` prerequisite lines
    (target-specific variables such as ``LDLIBS += ...`` are skipped); the list differs between
    kernel versions (vm_util.c only in 6.3; thp_settings.c from 6.8; pkey_util.c in some trees).
    """
    found: list[str] = []
    for line in mm_makefile.splitlines():
        targets, sep, prereqs = line.partition(":")
        if not sep or "=" in prereqs or prereqs.startswith("="):
            continue
        names = targets.split()
        if "$(TEST_GEN_PROGS)" in names or f"$(OUTPUT)/{test}" in names:
            found += [w for w in prereqs.split() if w.endswith(".c") and w not in found]
    return found


def compile_argv(arch: str, test: str, tree: Path, output: Path, have_liburing: bool,
                 helpers: tuple[str, ...] | list[str] = SELFTEST_HELPERS) -> list[str]:
    """The compiler command line for one static selftest, run from tools/testing/selftests/mm.

    Headers as lib.mk orders them: the tree's installed uapi headers (usr/include, present after
    ``make headers``) if any, then tools/include/uapi; otherwise the toolchain's own.
    """
    includes = ["-I", str(tree), "-I", str(tree / "tools" / "testing" / "selftests")]
    if (tree / "usr" / "include").is_dir():
        includes += ["-isystem", str(tree / "usr" / "include")]
    includes += ["-isystem", str(tree / "tools" / "include" / "uapi")]
    argv = [get_arch(arch).compiler, "-Wall", "-O2", *includes, "-U_FORTIFY_SOURCE", "-no-pie",
            "-static", "-o", str(output), f"{test}.c", *helpers, "-lrt", "-lpthread", "-lm"]
    return argv + (["-luring"] if have_liburing else [])


def _links_liburing(arch: str, workdir: Path) -> bool:
    """Can the target compiler link a static program against liburing (header + liburing.a)?"""
    probe = workdir / "uring_probe.c"
    probe.write_text("#include <liburing.h>\nint main(void)\n"
                     "{ struct io_uring r; return io_uring_queue_init(1, &r, 0); }\n")
    try:
        proc = subprocess.run([get_arch(arch).compiler, "-static", "-o",
                               str(workdir / "uring_probe"), str(probe), "-luring"],
                              check=False, capture_output=True,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return False
    return proc.returncode == 0


def _copy_sources(tree: Path, dest: Path) -> None:
    for pattern in SOURCE_PATTERNS + TREE_EXTRA_PATTERNS:
        for src in tree.glob(pattern):
            target = dest / src.relative_to(tree)
            if src.is_dir():
                shutil.copytree(src, target, dirs_exist_ok=True)
            elif src.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)


def _sources_digest(tree: Path) -> str:
    """Content hash of everything the build reads from a tree, to notice edits to a user tree."""
    mm = tree / "tools" / "testing" / "selftests" / "mm"
    files = [tree / "Makefile", tree / "mm" / "gup_test.h",
             tree / "tools" / "testing" / "selftests" / "kselftest.h"]
    files += sorted(mm.glob("*.[ch]")) + [mm / "Makefile"]
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + (f.read_bytes() if f.is_file() else b"-"))
    return h.hexdigest()[:16]


def _check_tree(tree: Path) -> None:
    mm = tree / "tools" / "testing" / "selftests" / "mm"
    missing = [f"{t}.c" for t in SELFTESTS if not (mm / f"{t}.c").is_file()]
    if not (tree / "Makefile").is_file() or missing:
        what = ", ".join(missing) or "Makefile"
        raise AssetError(f"{tree} is not a kernel tree with selftests/mm ({what} missing)")


def _build(arch: str, tree: Path, out: Path) -> dict[str, object]:
    """Compile the selftests from ``tree`` into ``out``; returns manifest fields."""
    work = Path(tempfile.mkdtemp(prefix="harness-build-"))
    try:
        _copy_sources(tree, work)
        mm = work / "tools" / "testing" / "selftests" / "mm"
        uring = _links_liburing(arch, work)
        (mm / "local_config.h").write_text(local_config_h(uring))
        log: list[str] = []
        started = time.monotonic()
        makefile = (mm / "Makefile").read_text() if (mm / "Makefile").is_file() else ""
        for test in SELFTESTS:
            helpers = [h for h in helper_sources(makefile, test) if (mm / h).is_file()]
            argv = compile_argv(arch, test, work, out / test, uring,
                                helpers or [h for h in SELFTEST_HELPERS if (mm / h).is_file()])
            proc = subprocess.run(argv, check=False, cwd=mm, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL)
            log += ["$ " + " ".join(argv), proc.stdout, proc.stderr]
            if proc.returncode != 0:
                (out / "build.log").write_text("\n".join(log))
                err = [ln for ln in proc.stderr.splitlines() if "error" in ln] or ["?"]
                raise AssetError(f"building {test} for {arch} failed: {err[0].strip()}")
        seconds = round(time.monotonic() - started, 2)
        (out / "build.log").write_text("\n".join(log))
        return {"liburing": uring, "build_seconds": seconds}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _selftests_key(kernel_tree: Path | None) -> str:
    if kernel_tree is None:
        return "debian"
    return "tree-" + hashlib.sha256(str(kernel_tree.resolve()).encode()).hexdigest()[:12]


def _selftests_from_manifest(directory: Path, data: dict[str, object]) -> SelftestAssets:
    source_dir = data.get("source_dir")
    return SelftestAssets(
        arch=str(data["arch"]), source=str(data["source"]), version=str(data["version"]),
        binaries={t: directory / t for t in SELFTESTS},
        source_dir=Path(str(source_dir)) if source_dir else None,
    )


def _selftests_current(directory: Path, tree: Path | None) -> dict[str, object] | None:
    data = read_manifest(directory)
    if not data or not all((directory / t).is_file() for t in SELFTESTS):
        return None
    if tree is not None and data.get("digest") != _sources_digest(tree):
        return None  # the user's tree changed since the build
    return data


def find_selftests(arch: str, kernel_tree: Path | None = None) -> SelftestAssets | None:
    """Cached static selftest binaries for an arch (and a user tree), without building."""
    arch = get_arch(arch).name
    directory = cache_dir() / "selftests" / arch / _selftests_key(kernel_tree)
    data = _selftests_current(directory, kernel_tree)
    return _selftests_from_manifest(directory, data) if data else None


def ensure_selftests(arch: str, kernel_tree: Path | None = None) -> SelftestAssets:
    """Build static gup_longterm and cow for an arch from a user tree or Debian's linux-source."""
    arch = get_arch(arch).name
    if kernel_tree is not None:
        _check_tree(kernel_tree)
    final = cache_dir() / "selftests" / arch / _selftests_key(kernel_tree)
    with locked(f"selftests-{arch}-{final.name}"):
        if not _selftests_current(final, kernel_tree):
            tree = kernel_tree.resolve() if kernel_tree else ensure_selftest_source()
            version = makefile_version((tree / "Makefile").read_text())
            source = str(tree) if kernel_tree else f"{tree.name} {version}"
            with building(final) as staging:
                fields = _build(arch, tree, staging)
                write_manifest(staging, {
                    "arch": arch, "source": source, "version": version,
                    "source_dir": str(tree / "tools" / "testing" / "selftests" / "mm"),
                    "digest": _sources_digest(tree), "compiler": get_arch(arch).compiler, **fields,
                })
    data = read_manifest(final)
    assert data is not None
    return _selftests_from_manifest(final, data)

