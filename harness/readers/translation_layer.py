"""The system call translation layer a report's program ran under, as its text shows it.

WSL 1 is no Linux kernel: its LxCore driver translates Linux system calls to Windows NT, and what
it does not translate fails - ``ENOSYS`` for a call it lacks (System V shared memory before the
Creators Update, ``signalfd``, ``sync_file_range``), ``EOPNOTSUPP``/``ENOTSUP`` for a flag it
does not handle (``MAP_LOCKED``). A Linux kernel built without an option is the wrong answer
there: the environment lacks the call, as an emulator's does (rule
``translation-layer-lacks-call``, cause ``emulator-too-old``). WSL 2 runs a real Linux kernel and
is not a translation layer.

A text shows WSL 1 by

- its uname: ``4.4.0-17134-Microsoft``, ``Linux version 4.4.0-19041-Microsoft`` (WSL 2's
  releases are ``5.15.x-microsoft-standard-WSL2``, lower case, and are not matched);
- its name: "WSL1", "WSL 1", "WSL v1", "WSL version 1" (not the Store package's "WSL version:
  1.2.5.0"), "LxCore", "lxcore.sys", "lxss.sys", "Bash on (Ubuntu on) Windows" (the name WSL had
  before WSL 2 existed), a ``fixed-in-wsl2`` or ``wsl1`` label;
- the WSL issue form's checked box "- [X] WSL 1" (an unchecked "- [ ] WSL 1" says nothing);
- ``wsl -l -v``'s table, a distribution's VERSION column 1;
- the WSL tracker (``microsoft/WSL``, ``Microsoft/BashOnWindows``) or the WSL issue template's
  "Windows build number" together with a Windows build older than any that ran WSL 2 (18362), or
  a thread on the WSL tracker dated before WSL 2's first preview (June 2019);
- a tracker thread elsewhere that names WSL without a version ("on WSL (Windows Subsystem for
  Linux)") and no WSL 2 anywhere, dated before WSL 2 left the insider ring (Windows 10 2004, May
  2020).

gVisor (``runsc``) is another such layer: its kernel (the Sentry) implements Linux's calls in Go
and answers the rest with ``ENOSYS``/``EOPNOTSUPP``; a text that shows it ran under gVisor (its
own "Starting gVisor..." line, ``runsc``, "gVisor" in prose) is read the same way, and so is one
that shows a user-mode translator of another architecture's binaries (Rosetta's "rosetta
error:", FEX-Emu, box64, QEMU's user mode - not qemu-system, which boots a Linux kernel - and
iSH, the x86 emulator on iOS, whose own "missing syscall N" and SIGSYS say what it lacks),
or a library OS that runs the program in an SGX enclave and answers its calls itself
(Gramine/Graphene, Occlum, Mystikos, SGX-LKL).

A text that says the program did *not* run there ("not WSL1", "with WSL 2 instead of WSL 1") is
left alone when it also names WSL 2 in the same line; one that sets WSL 2, where it works,
against WSL 1 ("I successfully ran on WSL2, but WSL1 appears to be broken", "could be used in
WSL2 but NOT in WSL1") shows WSL 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.lazy_regex import lazy
from harness.model import LogLine

# (the first two WSL 2 builds were 18917 on the insider ring and 18362.1049 backported)
WSL2_FIRST_BUILD = 18362
WSL2_FIRST_DATE = "2019-06"
# WSL 2 reached users outside the insider ring with Windows 10 2004 (the May 2020 Update): a
# thread before it that names WSL without a version means WSL 1
WSL2_RELEASE_DATE = "2020-05"
# WSL named without its version ("on WSL (Windows Subsystem for Linux)", libmdbx #97, 2020-04)
WSL_UNVERSIONED = lazy(r"\bWSL\b(?![\s-]?(?:v|version\s)?\s?[12]\b)|"
                       r"\bWindows Subsystem for Linux\b", re.IGNORECASE)

WSL1 = lazy(
    r"\b4\.4\.0-\d+-Microsoft\b|"  # uname -r (WSL 2's "-microsoft-standard" is lower case)
    r"(?i:\bWSL\s?(?:v|version\s)?\s?1\b(?![.,]?\d)|\bLxCore\b|\blx(?:core|ss)\.sys\b|"
    r"\bfixed-in-wsl2\b|\bBash on (?:Ubuntu on )?Windows\b)")
# the issue form's boxes: "- [X] WSL 1" checked, "- [ ] WSL 1" not
CHECKBOX = lazy(r"^\s*[-*]\s*\[(?P<mark>[ xX])\]\s*(?P<what>.*)$")
LABELS = lazy(r"^labels: .*\bwsl1\b", re.IGNORECASE)
# wsl -l -v: "* Ubuntu-20.04    Stopped         1"
WSL_LIST_HEAD = lazy(r"^\s*NAME\s+STATE\s+VERSION\s*$")
WSL_LIST_ROW = lazy(r"^\s*\*?\s*\S+\s+(?:Running|Stopped|Installing|Converting)\s+1\s*$")
WSL2 = lazy(r"\bWSL\s?(?:v|version\s)?\s?2\b|-microsoft-standard", re.IGNORECASE)
# WSL 2 set against WSL 1 in one breath, WSL 1 the one that fails: "I successfully ran on WSL2,
# but WSL1 appears to be broken", "libmdbx could be used in WSL2 but NOT in WSL1 environment"
# (reth #3609) - not "mprotect segfaults on WSL 2 but not on WSL 1" (microsoft/WSL #6515), where
# WSL 2 is the one that fails
WSL2_BUT_NOT_WSL1 = lazy(r"\b(?:works?|worked|working|ran|runs?|running|used|fine|succeed\w*|"
                         r"successfully)\b[^.;]{0,30}?\bWSL\s?2\b[^.;]{0,40}?\bbut\s+(?:not\s+"
                         r"(?:in|on|under|with)\s+)?(?:the\s+|a\s+)?WSL\s?1\b(?![.,]?\d)",
                         re.IGNORECASE)
NOT_WSL1 = lazy(r"\b(?:not|instead of|rather than|no longer|switch\w* from|moved? from|"
                      r"upgrad\w* from|convert\w* from)\s+(?:on\s+|using\s+|in\s+)?WSL\s?1\b",
                      re.IGNORECASE)
# The WSL tracker and its template; a Windows build number.
# (not anchored: a mail client's unwrapping may join "On ..., X wrote:" to the quoted first line)
WSL_TRACKER = lazy(r"(?:^|\s)(?:microsoft/WSL|Microsoft/BashOnWindows|MicrosoftDocs/WSL) "
                         r"\u00b7 (?:issue|pull request) #", re.IGNORECASE)
WSL_TEMPLATE = lazy(r"\bWindows build number\b|\bWSL\b", re.IGNORECASE)
WINDOWS_BUILD = lazy(r"\b10\.0\.(?P<build>1\d{4})(?:\.\d+)?\b|"
                           r"\b(?:build|Version)\s+(?P<bare>1[4-9]\d{3})\b", re.IGNORECASE)
# a tracker thread's turn header as the search service keeps it
TURN_DATE = lazy(r"^\S+ \u00b7 [\w ]+ \u00b7 (?P<date>\d{4}-\d\d)-\d\d$")
# gVisor's own boot line and its runtime's name
GVISOR = lazy(r"\bStarting gVisor\b|\bgVisor\b|\brunsc\b", re.IGNORECASE)
# User-mode translators of another architecture's binaries: Apple's Rosetta (its own "rosetta
# error:" lines, "Rosetta 2"), FEX-Emu, box64/box86, QEMU's user mode (qemu-user, the static
# binfmt binaries, BuildKit's emulator) - not qemu-system, which boots a Linux kernel.
TRANSLATORS = (
    ("Rosetta", lazy(r"\brosetta error:|\bRosetta\s*2\b|\b(?:via|under|with|through)\s+"
                           r"Rosetta\b", re.IGNORECASE)),
    ("FEX-Emu", lazy(r"\bFEX-Emu\b|\bFEXInterpreter\b|\bFEXLoader\b")),
    ("box64", lazy(r"\bbox(?:64|86)\b", re.IGNORECASE)),
    # iSH (an x86 user-mode emulator on iOS with its own system call layer): its name as its
    # makers write it, its tracker, its uname ("Linux Mateos-iPad 4.20.69-ish iSH 1.2.3 (298)")
    ("iSH", lazy(r"(?<![\w-])iSH\b|\bish-app/ish\b|\b\d+\.\d+(?:\.\d+)?-ish\b")),
    # library OSes that run an unmodified Linux program in an SGX enclave and answer its system
    # calls themselves ("could not create shared memory segment: Function not implemented" under
    # Occlum, occlum/occlum #622; Gramine's partial madvise, gramine #1469), as their makers
    # and trackers name them
    ("Gramine", lazy(r"\bGramine(?:-SGX|-direct)?\b|\bGraphene(?:-SGX)?\b|\bgramineproject/",
                     re.IGNORECASE)),
    ("Occlum", lazy(r"\bOcclum\b", re.IGNORECASE)),
    ("Mystikos", lazy(r"\bMystikos\b", re.IGNORECASE)),
    ("SGX-LKL", lazy(r"\bSGX-LKL\b", re.IGNORECASE)),
    # (also as people write it: "via QEMU user-mode emulation", "under QEMU 8.2.9 linux-user"
    # (bootc #1481), and binfmt's registered emulators, "tonistiigi/binfmt:qemu-v6.1.0"
    # (tonistiigi/binfmt #72) - the kernel's binfmt_misc handing foreign binaries to qemu-user)
    ("QEMU user mode", lazy(r"\bqemu-user(?:-static)?\b|\bqemu-(?!system)[\w]+-static\b|"
                                  r"\.buildkit_qemu_emulator\b|\bqemu: Unsupported syscall\b|"
                                  r"\bQEMU(?:\s+v?\d+(?:\.\d+)*)?\s+(?:linux-user|user[- ]mode)\b|"
                                  r"\bbinfmt(?:_misc)?\b[^\n]{0,60}\bqemu\b|"
                                  r"\bqemu\b[^\n]{0,60}\bbinfmt(?:_misc)?\b",
                                  re.IGNORECASE)),
)


@dataclass(frozen=True)
class Layer:
    """The layer and the line that shows it."""

    name: str  # "WSL 1", "gVisor"
    line: LogLine
    why: str  # "its kernel release", "the WSL tracker before WSL 2 existed"


@dataclass
class Reader:
    """Fed every line of a report; ``layer()`` at the end."""

    found: Layer | None = None
    emulator: Layer | None = None  # gVisor or a user-mode translator
    tracker: LogLine | None = None
    template: LogLine | None = None
    old_build: LogLine | None = None
    named: LogLine | None = None  # WSL named without a version
    wsl2: bool = False  # ... and WSL 2 named anywhere
    first_date: str | None = None
    listing: bool = False

    def feed(self, line: LogLine) -> None:
        text = line.text
        if self.found is not None or len(text) > 2000:
            return
        self._wsl1(line, text)
        if self.emulator is None:
            if GVISOR.search(text):
                self.emulator = Layer("gVisor", line, "the text names gVisor")
            for name, pattern in TRANSLATORS:
                if pattern.search(text):
                    self.emulator = Layer(name, line, f"the text names {name}")
                    break
        if self.tracker is None and WSL_TRACKER.search(text):
            self.tracker = line
        if self.template is None and WSL_TEMPLATE.search(text):
            self.template = line
        if self.old_build is None and (m := WINDOWS_BUILD.search(text)) and int(
                m.group("build") or m.group("bare")) < WSL2_FIRST_BUILD:
            self.old_build = line
        if self.named is None and WSL_UNVERSIONED.search(text):
            self.named = line
        self.wsl2 = self.wsl2 or WSL2.search(text) is not None
        if self.first_date is None and (m := TURN_DATE.match(text.strip())):
            self.first_date = m.group("date")

    def _wsl1(self, line: LogLine, text: str) -> None:
        if WSL_LIST_HEAD.match(text):
            self.listing = True
            return
        if self.listing and WSL_LIST_ROW.match(text):
            self.found = Layer("WSL 1", line, "wsl -l -v lists the distribution as version 1")
            return
        self.listing = self.listing and bool(text.strip())
        if LABELS.match(text):
            self.found = Layer("WSL 1", line, "the issue's wsl1 label")
            return
        if (box := CHECKBOX.match(text)) is not None:
            if box.group("mark") != " " and WSL1.search(box.group("what")):
                self.found = Layer("WSL 1", line, "the issue form's checked box")
            return
        if WSL2_BUT_NOT_WSL1.search(text):
            self.found = Layer("WSL 1", line, "the text sets WSL 2, where it works, against WSL 1")
            return
        m = WSL1.search(text)
        if m is None or NOT_WSL1.search(text) or (WSL2.search(text) and not m.group(0).startswith(
                ("4.4.0", "LxCore", "lx", "fixed-in"))):
            return
        self.found = Layer("WSL 1", line, "the text names it")

    def layer(self) -> Layer | None:
        if self.found is not None:
            return self.found
        if self.old_build is not None and (self.tracker or self.template):
            return Layer("WSL 1", self.old_build, "a Windows build older than any that ran WSL 2")
        if self.tracker is not None and self.first_date is not None and (
                self.first_date < WSL2_FIRST_DATE):
            return Layer("WSL 1", self.tracker, f"the WSL tracker in {self.first_date}, before "
                         "WSL 2 existed")
        if self.named is not None and not self.wsl2 and self.first_date is not None and (
                self.first_date < WSL2_RELEASE_DATE):
            return Layer("WSL 1", self.named, f"WSL named in {self.first_date}, before WSL 2 was "
                         "released")
        return self.emulator

