"""A reply naming a kernel patch, by its link, as the fix of LTP failures.

LKFT's and the kernel test robot's LTP reports are often answered with a link and nothing else:
"Should be fixed by:" and, a line later, a patch in the netdev patchwork (Ido Schimmel on LKFT's
netns_breakns 'Command "add" is unknown' in next-20220420, 2022), "Should be fixed by
https://lore.kernel.org/linux-fsdevel/20230714085124.548920-1-hch@lst.de/T/#t" (Cyril Hrubis on
the robot's writev07 report, 2023). An LTP test is not fixed in a kernel subsystem's list or
patchwork: the fix named is the kernel's. A selftest's fix may be (the selftests live in the
kernel tree and go through the subsystem's list), so only LTP failures count, and links to
LTP's or kselftest's own lists and patchworks never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.lazy_regex import lazy
from harness.model import LogLine

# The writer announcing the fix: "Should be fixed by:", "This is fixed by", "will be addressed
# with" - not a question, not "not fixed by".
FIX_BY = lazy(r"(?<!\bnot )\b(?:should|will|would|is|was|has\s+been|have\s+been|gets?|got|are|"
              r"were|be)\s+(?:be\s+)?(?:already\s+|hopefully\s+|probably\s+|now\s+)?(?:fixed|"
              r"addressed|resolved)\s+(?:by|with|in)\b", re.IGNORECASE)
# A kernel patch's link: a patchwork.kernel.org project or a lore list that is not LTP's or the
# kselftest list ("all" and "r" name no list).
KERNEL_PATCH_URL = lazy(
    r"https?://(?:patchwork\.kernel\.org/(?:project/)?(?!linux-kselftest/|ltp/|kselftest/)"
    r"[\w.-]+/(?:patch|cover|list)/|lore\.kernel\.org/(?!ltp/|linux-kselftest/|all/|r/|"
    r"oe-lkp/|lkml/)[\w.-]+/\S*@)", re.IGNORECASE)
# What an LTP failure looks like in a report: its result words, LKFT's suite names, the list tag.
LTP_MARK = lazy(r"\bT(?:FAIL|BROK)\b|\bltp-[\w-]+(?:-tests)?/|\[LTP\]|\bltp\.[\w-]+\.fail\b")
# How many lines the link may come after its announcement ("Should be fixed by:", a blank
# line, the link).
LINK_SPAN = 3
# The other direction: the fix is LTP's own, a patch in its list, patchwork or repository -
# "Martin Doucha has prepared a fix [1] [2]" with "[1] https://lore.kernel.org/ltp/..." below
# (Petr Vorel on LKFT's ioctl_sg01 timeout, 2022), "LTP patch:" and a patchwork.ozlabs.org
# link on the next line (Wei Gao on the robot's listmount04 report, 2025).
LTP_PATCH_URL = lazy(
    r"https?://(?:lore\.kernel\.org/ltp/\S*@|patchwork\.ozlabs\.org/(?:project/ltp/patch|"
    r"patch)/\S+|lists\.linux\.it/pipermail/ltp/\S+|github\.com/linux-test-project/ltp/"
    r"(?:commit|pull)/\S+)", re.IGNORECASE)
PREPARED_FIX = lazy(
    r"(?<!\bnot )(?<!n't )\b(?:has|have|had|'ve)\s+(?:just\s+|already\s+)?(?:prepared|sent|"
    r"posted|submitted|written)\s+(?:out\s+)?(?:a|an|the)\s+(?:fix|patch(?:es|set)?)\b|"
    r"^\s*(?:an?\s+|the\s+)?(?:LTP\s+)?(?:patch|fix)(?:es)?:\s*(?:https?://\S+)?$", re.IGNORECASE)
# a footnote mark in the announcement ("[1]") and the footnote's own line ("[1] https://...")
FOOTNOTE = lazy(r"\[(\d{1,2})\]")


@dataclass
class FixLinkScanner:
    """Line by line: LTP failures shown, and the writer's own fix announcement with a kernel
    patch's link (on the same line or a few lines later)."""

    ltp_seen: bool = False
    found: LogLine | None = None
    ltp_fix: LogLine | None = None  # the writer's own announcement of an LTP patch, by its link
    _announced: LogLine | None = None
    _ltp_announced: LogLine | None = None
    _previous: str = ""  # the writer's line before (an announcement wrapped by a mail client)

    def feed(self, line: LogLine, text: str, quoted: bool) -> None:
        if not self.ltp_seen and LTP_MARK.search(text):
            self.ltp_seen = True
        if quoted:
            self._previous = ""
            return
        self._ltp_link(line, text, f"{self._previous} {text}".strip())
        self._previous = text
        if self.found is not None:
            return
        announced = self._announced
        if FIX_BY.search(text) and not text.rstrip().endswith("?"):
            if KERNEL_PATCH_URL.search(text):
                self.found = LogLine(line.line, text, line.source)
            else:
                self._announced = LogLine(line.line, text, line.source)
            return
        if (announced is not None and announced.source == line.source
                and 0 < line.line - announced.line <= LINK_SPAN
                and KERNEL_PATCH_URL.match(text.strip())):
            self.found = announced

    def kernel_fix(self) -> LogLine | None:
        """The announcement, when the failures shown are LTP's."""
        return self.found if self.ltp_seen else None

    def _ltp_link(self, line: LogLine, text: str, joined: str) -> None:
        """An LTP patch announced and linked: on the line, within a few lines, or as the
        footnote the announcement marks."""
        if self.ltp_fix is not None:
            return
        if (PREPARED_FIX.search(text) or PREPARED_FIX.search(joined)) and not text.rstrip(
                ).endswith("?"):
            if LTP_PATCH_URL.search(text):
                self.ltp_fix = LogLine(line.line, text, line.source)
            else:
                self._ltp_announced = LogLine(line.line, text, line.source)
            return
        announced = self._ltp_announced
        if announced is None or announced.source != line.source or not LTP_PATCH_URL.search(text):
            return
        marks = FOOTNOTE.findall(announced.text)
        footnote = FOOTNOTE.match(text.strip())
        if (0 < line.line - announced.line <= LINK_SPAN and LTP_PATCH_URL.match(text.strip())) or (
                footnote is not None and footnote.group(1) in marks):
            self.ltp_fix = announced
