"""Fault models as data: which syscalls a filesystem fails, on which files, with which errno.

For example Arm FVP's 9p server fails fstatfs with EOPNOTSUPP and ftruncate with ENOENT once an
open file was unlinked. One model per file in this directory, ``NAME.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from fs_profiles.base import ProfileError

MODELS_DIR = Path(__file__).parent
WHENS = ("unlinked", "on_mount", "any")
LOOKS_LIKE = ("9p", "nfs", "xfs", "tmpfs", "ext4")


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
        raise ProfileError(f"unknown fault model {name!r}: choose one of "
                           f"{', '.join(model_names())}")
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
