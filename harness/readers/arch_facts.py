"""The machine a report ran on, as its text names it: the architecture and the base page size.

Arch-specific failures of the mm selftests are told with the platform in the text: ``uname -m``
output (``aarch64``, ``ppc64le``, ``s390x``), a kernel release that carries it
(``6.12.0-55.el10.aarch64+64k``, ``6.8.0-1009-generic-64k``, ``6.1.0-28-powerpc64le``), a
``uname -a`` line, or prose ("on ppc64le", "on a Power8 system", "on my powerPC setup",
"LoongArch", "on s390x"), and the page size the same ways ("64K page size", "64KB base page
size", "with 16k pages", ``CONFIG_ARM64_64K_PAGES=y``, ``getconf PAGESIZE`` printing 65536).

A report that names several architectures (a patch Cc'd to every arch list, "x86, arm64 and
powerpc") names none of them as the one that ran, and a bare mention is no statement of where
it ran ("Drop aarch64 specific handling" in a changelog): only the machine's own output, or
prose that says it ran on one family (and names no other but x86, the usual contrast), is a
fact. A page size other than 4K wins over 4K ("on 64KB systems the order is 5, on 4KB systems
it's 9": the report is about the 64K machine). Lines inside a patch's diff never reach the
readers (``paste.normalise`` leaves them out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import Environment, LogLine

# uname -m and the names distributions and people give each family, to the harness's name.
FAMILIES = {
    "aarch64": "arm64", "arm64": "arm64",
    "ppc64le": "ppc64", "ppc64": "ppc64", "powerpc64le": "ppc64", "powerpc64": "ppc64",
    "ppc64el": "ppc64", "power": "ppc64",
    "powerpc": "powerpc",  # the family, 32 or 64 bit (powerpc/8xx is 32-bit)
    "s390x": "s390", "s390": "s390",
    "riscv64": "riscv64", "riscv": "riscv64", "risc-v": "riscv64",
    "loongarch64": "loongarch64", "loongarch": "loongarch64", "loong64": "loongarch64",
    "mips64": "mips", "mips64el": "mips", "mips": "mips", "mipsel": "mips",
    "x86_64": "x86_64", "amd64": "x86_64", "x86-64": "x86_64", "x86": "x86_64",
    "sparc64": "sparc64", "sparc": "sparc64",
    "arm": "arm", "armhf": "arm", "armel": "arm", "arm32": "arm", "armv7l": "arm", "armv7": "arm",
    "i386": "i386", "i686": "i386",
}
# A line that is nothing but uname -m's answer (behind a prompt it would be a command).
UNAME_M = lazy(r"^\s*(aarch64|ppc64le|ppc64|s390x|riscv64|loongarch64|mips64|x86_64)\s*$")
# A kernel release naming its architecture: Fedora/RHEL ".aarch64+64k", Debian "-arm64",
# "-powerpc64le", "-s390x", "-loong64", Ubuntu "-generic-64k".
RELEASE = lazy(
    r"\b\d+\.\d+(?:\.\d+)?[-.][\w.~+-]*?[.-]"
    r"(aarch64|arm64|ppc64le|ppc64|powerpc64le|ppc64el|s390x|riscv64|loongarch64|loong64|x86_64|"
    r"amd64)(\+(?:64|16)k)?\b")
RELEASE_PAGES = lazy(r"\b\d+\.\d+(?:\.\d+)?-[\w.~+-]*?[-+](64|16)k\b")
# uname -a: "Linux host 6.8.0 #1 SMP PREEMPT_DYNAMIC ... aarch64 GNU/Linux"
UNAME_A = lazy(r"^\W*Linux \S+ \d+\.\d+\S* .*\b(aarch64|ppc64le|ppc64|s390x|riscv64|"
               r"loongarch64|mips64|x86_64)(?: \S+)* GNU/Linux\W*$")
# Prose that says where something ran: "on ppc64le", "on a Power8 system", "on my powerPC
# setup", "on POWER10", "on an s390x LPAR", "on LoongArch", "on RISC-V hardware".
PROSE = lazy(
    r"\b(?:on|with)\s+(?:an?\s+|my\s+|the\s+|our\s+|this\s+)?"
    r"(aarch64|arm64|ppc64le|ppc64|powerpc64le|s390x|s390|riscv64|risc-?v|loongarch64|loongarch|"
    r"mips64|x86_64|i[36]86|armhf|armv7l?|power\s?(?:pc|[789]|1[01])|p(?:8|9|10|11)\b)"
    r"|\b(?:on|with)\s+(?:an?\s+|my\s+|the\s+|our\s+|this\s+)?(?-i:(ARM)\b)", re.IGNORECASE)
POWER_NAME = lazy(r"power\s?(?:pc|[789]|1[01])|p(?:8|9|10|11)$", re.IGNORECASE)
# A commit named by its subject ('commit 0ef3783d7558 ("selftests/mm: add support to test 4PB VA
# on PPC64")') names no machine.
COMMIT_SUBJECT = lazy(r"\(\"[^\"]*\"\)")
# Every mention, to tell "names one" from "lists several".
ANY_ARCH = lazy(
    r"\b(aarch64|arm64|ppc64le|ppc64|powerpc|s390x?|riscv(?:64)?|risc-v|loongarch(?:64)?|"
    r"mips(?:64)?|x86_64|x86|amd64|sparc(?:64)?|i[36]86|armhf|armv7l?)\b|(?-i:\b(ARM)\b)",
    re.IGNORECASE)

# Page sizes: "64K page size", "64KB base page size", "64k pages", "16K-page kernel",
# "page size of 64K", "PAGE_SIZE is 65536", "pagesize=65536", CONFIG_*_64K_PAGES=y, "a 64k kernel".
SIZE_WORD = r"(4|16|64)\s?(?:k|kb|kib)\b"
PAGE_SIZE = lazy(
    rf"\b{SIZE_WORD}[- ]?(?:base[- ])?(?:page[- ]?size|pages?\b|pagesize)|"
    rf"\b(?:base )?page[-_ ]?size\s*(?:is|of|=|:|to|set to)?\s*(?:only\s+)?{SIZE_WORD}|"
    r"\b(?:PAGE_?SIZE|pagesize)\s*(?:is|=|:)?\s*(4096|16384|65536)\b|"
    r"\bCONFIG_(?:ARM64|PPC|PAGE_SIZE)_(4|16|64)KB?(?:_PAGES)?=y\b|"
    # "an aarch64 64k setup", "RHEL 9.6 aarch64 64kb kernel", "a 16K kernel", "64k-page box"
    rf"\b{SIZE_WORD}[- ](?:kernels?|setups?|systems?|machines?|boxe?s?|builds?|configs?|hosts?)\b",
    re.IGNORECASE)
HUGE_BEFORE = lazy(r"huge\s?(?:tlb)?\s?$|hugetlbfs?\s$", re.IGNORECASE)
BYTES = {"4096": "4K", "16384": "16K", "65536": "64K"}
GETCONF = lazy(r"getconf\s+PAGE_?SIZE\b")
# The kernel has THP: cow prints these only after reading
# /sys/kernel/mm/transparent_hugepage/hpage_pmd_size (CONFIG_TRANSPARENT_HUGEPAGE=y) -
# "[INFO] detected THP size: 2048 KiB" (6.1-6.8), "[INFO] detected PMD size: 2048 KiB" (6.9+) -
# and the huge zero page is a THP feature ("[INFO] huge zeropage is enabled").
THP_BUILT = lazy(r"\[INFO\] (?:detected (?:THP|PMD) size: \d+ KiB|huge zeropage is enabled)")


@dataclass
class ArchFacts:
    """What a report's text says about its machine, with the line that says it."""

    arch: str | None = None
    arch_line: LogLine | None = None
    page_size: str | None = None  # "4K", "16K", "64K"
    page_line: LogLine | None = None
    thp_line: LogLine | None = None  # the selftest's own line saying the kernel has THP


@dataclass
class Reader:
    """Fed every line of a report (after quote marks and prompts are taken off)."""

    shown: dict[str, LogLine] = field(default_factory=dict)  # uname / a release: the machine
    said: dict[str, LogLine] = field(default_factory=dict)  # prose: "on ppc64le"
    named: dict[str, LogLine] = field(default_factory=dict)  # every family mentioned at all
    sizes: dict[str, LogLine] = field(default_factory=dict)  # "64K" -> first line stating it
    after_getconf: bool = False
    thp: LogLine | None = None

    def feed(self, line: LogLine) -> None:
        text = line.text
        if len(text) > 2000:
            return
        if self.after_getconf and (size := BYTES.get(text.strip())):
            self.sizes.setdefault(size, line)
        self.after_getconf = GETCONF.search(text) is not None
        if self.thp is None and THP_BUILT.search(text):
            self.thp = line
        self._arch(line, text)
        for m in PAGE_SIZE.finditer(text):
            if HUGE_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
                continue  # "hugetlb page size: 64 KiB" is the huge page's size
            raw = next(g for g in m.groups() if g)
            self.sizes.setdefault(BYTES.get(raw, f"{raw}K"), line)

    def _arch(self, line: LogLine, text: str) -> None:
        text = COMMIT_SUBJECT.sub("", text)
        for m in ANY_ARCH.finditer(text):
            self.named.setdefault(_family(m.group(m.lastindex or 1)), line)
        for pattern in (UNAME_M, UNAME_A, RELEASE):
            if shown := pattern.search(text):
                self.shown.setdefault(_family(shown.group(1)), line)
                if pattern is RELEASE and shown.group(2):
                    self.sizes.setdefault(shown.group(2)[1:].upper(), line)
        if pages := RELEASE_PAGES.search(text):
            self.sizes.setdefault(f"{pages.group(1)}K", line)
        for m in PROSE.finditer(text):
            family = _family(m.group(m.lastindex or 1))
            self.said.setdefault(family, line)
            self.named.setdefault(family, line)

    def facts(self) -> ArchFacts:
        facts = ArchFacts(thp_line=self.thp)
        if len(self.shown) == 1:  # the machine's own output names one family
            (facts.arch, facts.arch_line), = self.shown.items()
        elif not self.shown and len(said := self._said()) == 1 and set(self.named) <= set(
                self.said) | {"x86_64"}:  # "reproduces on x86 too" is a contrast
            (facts.arch, facts.arch_line), = said.items()
        big = [s for s in ("64K", "16K") if s in self.sizes]
        if len(big) == 1:
            facts.page_size, facts.page_line = big[0], self.sizes[big[0]]
        elif not big and "4K" in self.sizes:
            facts.page_size, facts.page_line = "4K", self.sizes["4K"]
        return facts

    def _said(self) -> dict[str, LogLine]:
        """The prose's machines; beside another one, x86 is the contrast ("fails on ARM
        devices. On x86_64 no issues were detected")."""
        if len(self.said) > 1:
            return {k: v for k, v in self.said.items() if k != "x86_64"}
        return self.said


def _family(name: str) -> str:
    key = name.lower().replace(" ", "")
    if key == "powerpc":
        return "powerpc"
    if POWER_NAME.match(key):
        return "ppc64"
    return FAMILIES.get(key, FAMILIES.get(key.rstrip("0123456789"), key))


def apply_machine(machine: ArchFacts, env: Environment) -> None:
    """The architecture and page size the report's text names, with the line naming them,
    into ``env`` (what --arch or an earlier input said stays)."""
    if env.arch is None and machine.arch_line is not None:
        env.arch = machine.arch
        env.facts["arch_line"] = f"L{machine.arch_line.line}: {machine.arch_line.text.strip()!r}"
    if "page_size" not in env.facts and machine.page_line is not None:
        env.facts["page_size"] = machine.page_size or ""
        env.facts["page_size_line"] = (f"L{machine.page_line.line}: "
                                       f"{machine.page_line.text.strip()[:100]!r}")
    if "thp_built" not in env.facts and machine.thp_line is not None:
        env.facts["thp_built"] = f"L{machine.thp_line.line}: {machine.thp_line.text.strip()!r}"
