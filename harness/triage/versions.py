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

Stable series get their own boundary when a fix (or the change) was backported: a kernel of a
series listed in ``fixed_in_stable`` ("6.12.11": the fix reached 6.12.y in 6.12.11) is
decided by its patch level, not by ``fixed``; ``introduced_in_stable`` likewise. A distribution's
ABI release ("6.1.0-57-amd64", "5.15.0-91-generic") does not say its stable patch level: for a
listed series that is no version (``required`` excludes it, otherwise the rule is less sure).

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

from dataclasses import dataclass

from harness.errors import RuleError
from harness.lazy_regex import lazy
from harness.model import Environment

# How a range that needs the version says it is not known: no evidence against the rule, and
# --kernel-version / --selftests-version can supply it (checks.Basis.UNSTATED).
NOT_SAID = "the input does not say which"
VERSION = lazy(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")
# A distribution's ABI release: "6.1.0-57-amd64", "5.15.0-91-generic", "5.14.0-427.el9"; the
# ".0" is not the upstream stable patch level.
DISTRO_ABI = lazy(r"^\d+\.\d+\.0-\d+")


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
    fixed_in_stable: tuple[str, ...] = ()  # "6.12.11": the first release of a stable series
    introduced_in_stable: tuple[str, ...] = ()  # with the fix / with the problem

    @classmethod
    def from_toml(cls, data: dict, where: str) -> VersionRange | None:
        if not data:
            return None
        unknown = set(data) - {"of", "introduced", "fixed", "commit", "required", "unnamed",
                               "fixed_in_stable", "introduced_in_stable"}
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
        stable = {}
        for key in ("fixed_in_stable", "introduced_in_stable"):
            values = data.get(key, [])
            if not isinstance(values, list) or any(
                    len(parse_version(str(v)) or ()) != 3 for v in values):
                raise RuleError(f"{where}: [version] {key} must list stable releases (\"6.12.11\")")
            stable[key] = tuple(str(v) for v in values)
        return cls(of, data.get("introduced"), data.get("fixed"), data.get("commit"), required,
                   unnamed, stable["fixed_in_stable"], stable["introduced_in_stable"])

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
            return f"{NOT_SAID} {what[4:]} ran" if self.required else ""
        commit = f" by {self.commit}" if self.commit else ""
        intro_s, fixed_s = self._stable(self.introduced_in_stable, version), self._stable(
            self.fixed_in_stable, version)
        if (intro_s or fixed_s) and self._patch_level(env, version) is None:
            series = ".".join(map(str, version[:2]))
            return (f"{NOT_SAID} {series} stable release ran"
                    if self.required else "")
        if intro_s:
            if version < intro_s:
                return (f"{what} ({ran}) predates {_dotted(intro_s)}, where this came to the "
                        f"{_dotted(intro_s[:2])} stable series")
        elif self.introduced and version[:2] < parse_version(self.introduced)[:2]:  # type: ignore[index]
            verb = "predate" if self.of == "selftests" else "predates"
            return (f"{what} ({ran}) {verb} {self.introduced}, where this was introduced"
                    f"{commit if not self.fixed else ''}")
        if fixed_s:
            if version >= fixed_s:
                return (f"{what} ({ran}) is {_dotted(fixed_s)} or later, where this was fixed in "
                        f"the {_dotted(fixed_s[:2])} stable series{commit}")
        elif self.fixed and version[:2] >= parse_version(self.fixed)[:2]:  # type: ignore[index]
            verb = "are" if self.of == "selftests" else "is"
            return f"{what} ({ran}) {verb} {self.fixed} or later, where this was fixed{commit}"
        return ""

    @staticmethod
    def _stable(releases: tuple[str, ...], version: tuple[int, ...]) -> tuple[int, ...] | None:
        """The release of ``version``'s series among ``releases`` (None when not listed)."""
        return next((v for r in releases if (v := parse_version(r)) and v[:2] == version[:2]),
                    None)

    def _patch_level(self, env: Environment, version: tuple[int, ...]) -> int | None:
        """The stable patch level of the kernel that ran, when the input says it."""
        release = env.kernel_release or env.kernel_version or ""
        if len(version) < 3 or (version[2] == 0 and DISTRO_ABI.match(release)):
            return None
        return version[2]

    def unsure(self, env: Environment) -> str:
        """Why the rule is less certain here ("" when it is not): ``unnamed = "lower"`` and the
        input does not say which version ran."""
        version = parse_version(self.ran(env))
        if version is not None and (self._stable(self.introduced_in_stable, version)
                                    or self._stable(self.fixed_in_stable, version)) \
                and self._patch_level(env, version) is None:
            series = ".".join(map(str, version[:2]))
            return (f"the input does not say which {series} stable release ran (this is known "
                    f"in {self.describe()})")
        if self.unnamed != "lower" or version is not None:
            return ""
        what = "selftests" if self.of == "selftests" else "kernel"
        return (f"the input does not say which {what} ran (this is known in "
                f"{self.describe()})")

    def describe(self) -> str:
        span = (f"from {self.introduced} " if self.introduced else "") + (
            f"until {self.fixed}" if self.fixed else "and not fixed")
        stable = [f"in {r}" for r in self.introduced_in_stable] + [
            f"fixed in {r}" for r in self.fixed_in_stable]
        span += f" (stable: {', '.join(stable)})" if stable else ""
        commit = f"; {self.commit}" if self.commit else ""
        return f"{'selftests' if self.of == 'selftests' else 'kernels'} {span}{commit}"


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


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
        said = [(r.of, v) for r in self.ranges
                if (v := r.ran(env) if r.of == "kernel" else env.selftests_version)]
        return ", ".join(f"{of} {v}" for of, v in dict(said).items()) or None

    def describe(self) -> str:
        return " and ".join(r.describe() for r in self.ranges)
