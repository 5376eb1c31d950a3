"""Version data of a rule: in which kernel (or selftests) versions a cause can happen.

A rule file may carry

    [version]
    of = "kernel"            # or "selftests": whose version the range is about
    introduced = "6.5"       # first version with the problem
    fixed = "6.16"           # first version without it (absent: not fixed)
    commit = "abcdef123456 (\"subject\")"   # the commit that introduced or fixed it
    required = true          # apply only when the input names the version (default: false)

When the input says which version ran (``uname -r``, a ``Linux version`` banner, a CI
report's header, or ``--kernel-version``), a rule whose range excludes it does not apply: that
is one more known cause ruled out by the run, and the result is explained otherwise or stays
unexplained. Selftests versions fall back to the kernel's (the usual case: both from one tree).
A rule with ``required = true`` is about a version boundary itself (the selftests expect what
a later kernel does): without a version in the input it does not apply either. With
``unnamed = "lower"`` it applies one confidence level lower, saying that the input names no
version (a known bug whose wording is specific, but whose range the input cannot confirm).

A cause that needs two things at once - a kernel from a change on AND selftests from before
their fix - gives several ranges as an array of tables; all of them must hold:

    [[version]]
    of = "kernel"
    introduced = "6.12"
    commit = "2b0f922323cc (...)"
    [[version]]
    of = "selftests"
    fixed = "6.16"
    commit = "..."
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.errors import RuleError
from harness.model import Environment

VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str | None) -> tuple[int, ...] | None:
    match = VERSION.match((text or "").strip())
    if not match:
        return None
    return tuple(int(x) for x in match.groups() if x is not None)


@dataclass(frozen=True)
class VersionRange:
    of: str = "kernel"
    introduced: str | None = None
    fixed: str | None = None
    commit: str | None = None
    required: bool = False  # the input must name the version for the rule to apply
    unnamed: str = "apply"  # without the version in the input: "apply" or "lower" (confidence)

    @classmethod
    def from_toml(cls, data: dict, where: str) -> VersionRange | None:
        if not data:
            return None
        unknown = set(data) - {"of", "introduced", "fixed", "commit", "required", "unnamed"}
        if unknown:
            raise RuleError(f"{where}: unknown [version] keys: {', '.join(sorted(unknown))}")
        of = data.get("of", "kernel")
        if of not in ("kernel", "selftests"):
            raise RuleError(f"{where}: [version] of must be 'kernel' or 'selftests'")
        for key in ("introduced", "fixed"):
            if key in data and parse_version(str(data[key])) is None:
                raise RuleError(f"{where}: [version] {key} is not a version: {data[key]!r}")
        required = data.get("required", False)
        if not isinstance(required, bool):
            raise RuleError(f"{where}: [version] required must be true or false")
        unnamed = data.get("unnamed", "apply")
        if unnamed not in ("apply", "lower"):
            raise RuleError(f"{where}: [version] unnamed must be 'apply' or 'lower'")
        return cls(of, data.get("introduced"), data.get("fixed"), data.get("commit"), required,
                   unnamed)

    def ran(self, env: Environment) -> str | None:
        """The version of the thing this range is about, as the input says it."""
        if self.of == "selftests" and env.selftests_version:
            return env.selftests_version
        return env.kernel_version or env.kernel_release

    def excludes(self, env: Environment) -> str:
        """Why the version that ran is outside the range ("" when inside, or when unknown and
        the rule does not require it)."""
        ran = self.ran(env)
        version = parse_version(ran)
        what = "the selftests" if self.of == "selftests" else "the kernel"
        if version is None:
            return f"the input does not say which {what[4:]} ran" if self.required else ""
        commit = f" by {self.commit}" if self.commit else ""
        if self.introduced and version[:2] < parse_version(self.introduced)[:2]:  # type: ignore[index]
            verb = "predate" if self.of == "selftests" else "predates"
            return (f"{what} ({ran}) {verb} {self.introduced}, where this was introduced"
                    f"{commit if not self.fixed else ''}")
        if self.fixed and version[:2] >= parse_version(self.fixed)[:2]:  # type: ignore[index]
            verb = "are" if self.of == "selftests" else "is"
            return f"{what} ({ran}) {verb} {self.fixed} or later, where this was fixed{commit}"
        return ""

    def unsure(self, env: Environment) -> str:
        """Why the rule is less certain here ("" when it is not): ``unnamed = "lower"`` and the
        input does not say which version ran."""
        if self.unnamed != "lower" or parse_version(self.ran(env)) is not None:
            return ""
        what = "selftests" if self.of == "selftests" else "kernel"
        return (f"the input does not say which {what} ran (this is known in "
                f"{self.describe()})")

    def describe(self) -> str:
        span = (f"from {self.introduced} " if self.introduced else "") + (
            f"until {self.fixed}" if self.fixed else "and not fixed")
        commit = f"; {self.commit}" if self.commit else ""
        return f"{'selftests' if self.of == 'selftests' else 'kernels'} {span}{commit}"


@dataclass(frozen=True)
class Versions:
    """A rule's version ranges: one ``[version]`` table, or several (``[[version]]``), all of
    which must hold (a kernel from a change on and selftests from before their fix)."""

    ranges: tuple[VersionRange, ...]

    @classmethod
    def from_toml(cls, data: dict | list, where: str) -> Versions | None:
        tables = data if isinstance(data, list) else [data]
        if not all(isinstance(t, dict) for t in tables):
            raise RuleError(f"{where}: [version] must be a table or an array of tables")
        ranges = tuple(r for t in tables if (r := VersionRange.from_toml(t, where)) is not None)
        return cls(ranges) if ranges else None

    def excludes(self, env: Environment) -> str:
        return next((why for r in self.ranges if (why := r.excludes(env))), "")

    def unsure(self, env: Environment) -> list[str]:
        return [why for r in self.ranges if (why := r.unsure(env))]

    def ran(self, env: Environment) -> str | None:
        """What ran, as the input says it ("6.12.5", or "kernel 6.15, selftests 6.15")."""
        if len(self.ranges) == 1:
            return self.ranges[0].ran(env)
        said = [(r.of, v) for r in self.ranges if (v := r.ran(env))]
        return ", ".join(f"{of} {v}" for of, v in dict(said).items()) or None

    def describe(self) -> str:
        return " and ".join(r.describe() for r in self.ranges)
