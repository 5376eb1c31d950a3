"""A feature the report says came with a later kernel than the one that ran.

LTP and the selftests run newer than the kernel they test (LKFT runs the latest LTP release on
every stable branch), and a case that uses a newer interface fails on an older kernel. The
maintainers answer with the version the interface came in: "Looks like SHM_STAT_ANY was added
to kernel 4.17, that would explain why shmctl() with SHM_STAT_ANY returns -1 on 4.14 and older"
(Cyril Hrubis on LTP shmctl04 failing on stable 4.14, 2020), "MADV_COLLAPSE was introduced in
6.1", "process_madvise() is only available since 5.10". When the kernel that ran is older than
that version, the test uses what this kernel does not have: the test's (it must skip there),
not the kernel's. When the kernel is as new or newer, the sentence explains nothing and nothing
is concluded.

A sentence about a fix ("the fix was merged in 5.10", "the bug introduced in 4.17") is the
other direction (an old kernel that lacks a fix is the kernel's bug) and is not read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.lazy_regex import lazy
from harness.model import LogLine

# What came: an interface named in capitals (SHM_STAT_ANY, MADV_COLLAPSE, UFFD_FEATURE_...), a
# call (process_madvise()), or a feature named as such - then the version it came with.
FEATURE_SINCE = lazy(
    r"(?P<what>(?-i:\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b)|\b[a-z_][a-z0-9_]{2,}\(\)|"
    r"\b(?:support|feature|flag|syscall|system call|ioctl|interface)\b)"
    r"[^.;?!]{0,60}?\b(?:(?:was|were|got|has been|have been) (?:only |first )?(?:added|"
    r"introduced|merged|implemented)|(?:is|are|was|were) (?:only )?(?:available|supported|"
    r"present|implemented)|(?:first )?(?:appeared|landed|arrived))"
    r"\s+(?:only\s+)?(?:in|to|into|since|from|with|as of)\s+(?:the\s+)?(?:upstream\s+)?"
    r"(?:(?:linux|kernel)\s+)?(?:version\s+)?v?(?P<version>[2-7]\.\d{1,2})\b",
    re.IGNORECASE)
# A fix, a bug or a regression in the sentence: the version is when a fix came, not a feature.
FIX_WORDS = lazy(r"\b(?:fix\w*|bugs?|regress\w*|backport\w*|broken|CVE-\d+)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FeatureSince:
    """A line saying an interface came with a kernel version."""

    line: LogLine
    what: str
    version: tuple[int, int]


def feature_since(text: str, line: LogLine) -> FeatureSince | None:
    """The interface and version a prose line names, if it names one (and no fix)."""
    m = FEATURE_SINCE.search(text)
    if m is None or FIX_WORDS.search(text):
        return None
    major, minor = (int(x) for x in m.group("version").split("."))
    return FeatureSince(line, m.group("what"), (major, minor))


def newer_than(found: list[FeatureSince], kernel: tuple[int, ...]) -> FeatureSince | None:
    """The first stated interface newer than the kernel that ran (its major.minor)."""
    if len(kernel) < 2:
        return None
    return next((f for f in found if f.version > (kernel[0], kernel[1])), None)
