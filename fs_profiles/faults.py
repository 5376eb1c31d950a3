"""Fault models as data, and the seccomp supervisor (faultinject.c) that plays them back.

A model says which syscalls a filesystem fails, on which files, with which errno: for example
Arm FVP's 9p server fails fstatfs with EOPNOTSUPP and ftruncate with ENOENT once an open file
was unlinked. ``injector_argv`` turns a model into the argv prefix that makes the real, static
selftest binaries see exactly that on a local filesystem, so triage can be checked without the
server. One model per file in ``fs_profiles/faults/NAME.toml``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from fs_profiles.base import ProfileError

MODELS_DIR = Path(__file__).with_name("faults")
SOURCE = Path(__file__).with_name("faultinject.c")
WHENS = ("unlinked", "on_mount", "any")
LOOKS_LIKE = ("9p", "nfs", "xfs", "tmpfs", "ext4")
# arch -> C compiler producing static binaries for it (the harness calls arm64 what gcc calls aarch64)
COMPILERS = {"x86_64": "gcc", "arm64": "aarch64-linux-gnu-gcc"}
ARCH_ALIASES = {"aarch64": "arm64", "amd64": "x86_64"}


@dataclass(frozen=True)
class FaultRule:
    """Fail ``syscall`` with ``errno`` when its fd's file matches ``when``.

    when: "unlinked" (file unlinked while open, on the modelled mount), "on_mount" (any file on
        the modelled mount) or "any".
    flag: narrows the rule: for mmap "MAP_SHARED"/"MAP_PRIVATE", for fallocate a mode ("0",
        "KEEP_SIZE", "PUNCH_HOLE|KEEP_SIZE").
    """

    syscall: str
    when: str
    errno: str
    flag: str | None = None

    def spec(self) -> str:
        """The faultinject --rule value: SYSCALL:WHEN:ERRNO[:FLAG]."""
        return ":".join([self.syscall, self.when, self.errno] + ([self.flag] if self.flag else []))


@dataclass(frozen=True)
class FaultModel:
    """What a filesystem does to the selftests, as far as syscall results go.

    looks_like: the fs type a triage should assume (what ``--fs`` or the mount table would say).
    mount_options: what the real mount would show, for the report.
    """

    name: str
    looks_like: str
    description: str
    reference: str
    rules: tuple[FaultRule, ...]
    mount_options: str = ""


def model_names() -> list[str]:
    return sorted(p.stem for p in MODELS_DIR.glob("*.toml"))


def _rule(name: str, raw: object) -> FaultRule:
    if not isinstance(raw, dict) or not {"syscall", "when", "errno"} <= raw.keys():
        raise ProfileError(f"fault model {name}: each [[rules]] needs syscall, when and errno")
    if raw["when"] not in WHENS:
        raise ProfileError(f"fault model {name}: when must be one of {', '.join(WHENS)}")
    flag = raw.get("flag")
    return FaultRule(str(raw["syscall"]), str(raw["when"]), str(raw["errno"]),
                     None if flag is None else str(flag))


def load_model(name: str) -> FaultModel:
    path = MODELS_DIR / f"{name}.toml"
    if "/" in name or not path.is_file():
        raise ProfileError(f"unknown fault model {name!r}: choose one of {', '.join(model_names())}")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"fault model {name}: {path}: {exc}") from exc
    missing = {"looks_like", "description", "reference"} - data.keys()
    if missing:
        raise ProfileError(f"fault model {name}: missing {', '.join(sorted(missing))}")
    if data["looks_like"] not in LOOKS_LIKE:
        raise ProfileError(f"fault model {name}: looks_like must be one of {', '.join(LOOKS_LIKE)}")
    return FaultModel(
        name=name, looks_like=data["looks_like"], description=data["description"].strip(),
        reference=data["reference"].strip(),
        rules=tuple(_rule(name, r) for r in data.get("rules", [])),
        mount_options=data.get("mount_options", ""),
    )


def _cache_root() -> Path:
    from guests.assets import cache_dir

    return cache_dir()


def injector_binary(arch: str = "x86_64") -> Path:
    """Build faultinject statically for ``arch`` once (rebuilt when the source changes)."""
    arch = ARCH_ALIASES.get(arch, arch)
    if arch not in COMPILERS:
        raise ProfileError(f"unknown arch {arch!r} for faultinject: choose one of "
                           f"{', '.join(COMPILERS)}")
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    directory = _cache_root() / "injector" / arch
    binary, stamp = directory / "faultinject", directory / "faultinject.sha256"
    if binary.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
        return binary
    compiler = COMPILERS[arch]
    if shutil.which(compiler) is None:
        raise ProfileError(f"{compiler} not found: install it to build the fault injector for {arch}")
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=directory))
    try:
        out = staging / "faultinject"
        proc = subprocess.run([compiler, "-static", "-O2", "-Wall", "-o", str(out), str(SOURCE)],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
        if proc.returncode != 0:
            last = [ln for ln in proc.stderr.splitlines() if ln.strip()] or ["(no output)"]
            raise ProfileError(f"building faultinject with {compiler} failed: {last[-1].strip()}")
        (staging / "faultinject.sha256").write_text(digest + "\n")
        os.replace(out, binary)  # binary first: a stamp never vouches for an older binary
        os.replace(staging / "faultinject.sha256", stamp)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return binary


def injector_argv(model: FaultModel, injector: str, mount_dir: str,
                  log: str | None = None) -> list[str]:
    """The argv prefix that runs a program under ``model`` (ends with "--")."""
    argv = [str(injector)]
    for rule in model.rules:
        argv += ["--rule", rule.spec()]
    argv += ["--mount", str(mount_dir)]
    if log is not None:
        argv += ["--log", str(log)]
    return argv + ["--"]
