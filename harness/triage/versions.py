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
a later kernel does): without a version in the input it does not apply either.
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

    @classmethod
    def from_toml(cls, data: dict, where: str) -> VersionRange | None:
        if not data:
            return None
        unknown = set(data) - {"of", "introduced", "fixed", "commit", "required"}
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
        return cls(of, data.get("introduced"), data.get("fixed"), data.get("commit"), required)

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

    def describe(self) -> str:
        span = (f"from {self.introduced} " if self.introduced else "") + (
            f"until {self.fixed}" if self.fixed else "and not fixed")
        commit = f"; {self.commit}" if self.commit else ""
        return f"{'selftests' if self.of == 'selftests' else 'kernels'} {span}{commit}"
