"""Profile names -> factories. A spec is NAME or NAME:key=value[,key=value] (9p:cache=mmap)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from fs_profiles.base import FsProfile, ProfileError

# name -> (module, class, accepted options). Imported lazily: a broken or missing profile module
# only matters when that profile is asked for.
PROFILES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "tmpfs": ("fs_profiles.tmpfs", "TmpfsProfile", ()),
    "ext4": ("fs_profiles.ext4", "Ext4Profile", ("size_mib",)),
    "xfs": ("fs_profiles.xfs", "XfsProfile", ("size_mib",)),
    "9p": ("fs_profiles.ninep", "NinePProfile", ("cache", "security_model")),
    "nfs": ("fs_profiles.nfs", "NfsProfile", ("vers",)),
}
_INT_OPTIONS = {"size_mib"}


def names() -> list[str]:
    return list(PROFILES)


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    """'9p:cache=mmap' -> ('9p', {'cache': 'mmap'})."""
    name, _, rest = spec.strip().partition(":")
    options: dict[str, str] = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ProfileError(f"bad filesystem option {item!r} in {spec!r}: use key=value")
        options[key.strip()] = value.strip()
    return name.strip(), options


def factory(name: str) -> Callable[..., FsProfile]:
    if name not in PROFILES:
        raise ProfileError(f"unknown filesystem {name!r}: choose one of {', '.join(PROFILES)}")
    module, cls, _ = PROFILES[name]
    try:
        return getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError) as e:
        raise ProfileError(f"filesystem {name!r} is not available ({e})") from None


def make_profile(spec: str, **options: str | int | None) -> FsProfile:
    """A new profile for ``spec`` (options in the spec and keyword options are merged)."""
    name, parsed = parse_spec(spec)
    merged: dict[str, str | int | None] = {**parsed, **options}
    allowed = PROFILES.get(name, ("", "", ()))[2]
    unknown = sorted(set(merged) - set(allowed))
    if unknown:
        raise ProfileError(
            f"filesystem {name!r} has no option {unknown[0]!r}"
            + (f": it takes {', '.join(allowed)}" if allowed else "")
        )
    for key in _INT_OPTIONS & set(merged):
        try:
            merged[key] = int(merged[key])  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ProfileError(f"{key} must be a number, not {merged[key]!r}") from None
    return factory(name)(**{k: v for k, v in merged.items() if v is not None})
