"""A reviewer's verdict on the patch under review, when that patch is a change to the tests.

On a test suite's list (LTP) a reply to a patch often shows a run with the patch applied and
says, in its own words, that the patch is what broke it, or what made it pass once changed:

- the patch breaks the test: "It looks like this patch breaks testing on TMPDIR on tmpfs"
  (Petr Vorel on Li Wang's swap series, LTP 2024), "unfortunately this commit breaks fanotify09
  and fanotify10 on SLES15 based kernels" (LTP 2023), "This patch causes the test to fail on my
  Xeon workstation" (ptrace07, 2022), "with this patch it fails";
- the patch passes once the writer changed it: "Once I replace the blk_size with page_size,
  all tests get passed." (Li Wang on his own series, 2024), "When I shift to use
  CLOCK_MONOTONIC_COARSE then test gets passed on all my platforms" (setitimer01, 2022).

Whose patch it is decides the category, and ``statements.py`` decides it: a patch whose files
(its diff or diffstat) are all the tests', or - with no file shown - a mail of the LTP list (its
footer) that names no kernel commit. A kernel patch broken so is the kernel's ("this patch
caused the LTP syscalls inotify06 test failure" over a kernel diff: ``PATCH_BREAKS``).
"""

from __future__ import annotations

import re

from harness.lazy_regex import lazy

_PATCH = r"\b(?:this|the|your|that|my) (?:patch(?:es|set)?|change|commit|series|version)\b"
REVIEW_BREAKS = lazy(
    _PATCH + r"[^.?]{0,20}\b(?:breaks|broke|is breaking|has broken)\b(?! (?:the )?(?:ABI|uABI|"
    r"UAPI|user ?space)\b| nothing\b| no\b)|"
    + _PATCH + r"[^.?]{0,20}\bcaus(?:es|ed)\b[^.?]{0,30}?\b(?:the |this |that )?(?:\w+ )?"
    r"(?:self)?tests?\b[^.?]{0,20}?\b(?:to )?(?:fail|break|TBROK|TFAIL)|"
    r"\b(?:with|after(?: applying)?) (?:this|the|your) (?:patch(?:es|set)?|change|commit|series)"
    r"(?: applied)?,? (?:(?:it|the test|\w+\d\w*) )?(?:fails|failed|breaks|broke)\b",
    re.IGNORECASE)
REPLACED_PASSES = lazy(
    r"\b(?:once|after|when|if) I (?:replace[ds]?|change[ds]?|switch(?:ed)?|shift(?:ed)?|"
    r"swap(?:ped)?|use[ds]?)\b[^.?]{0,80}?\b(?:with|to|by|instead)\b[^.?]{0,80}?"
    r"(?:\b(?:all |the )?(?:\w+ )?tests? (?:get |gets |got )?pass(?:es|ed)?\b|"
    r"\b(?:it|everything) (?:works|passes|passed)\b)",
    re.IGNORECASE)
# The LTP list's footer: the mail was posted to a test suite's list.
LTP_LIST = lazy(r"lists\.linux\.it/listinfo/ltp\b")


def review_verdict(joined: str) -> bool:
    """Whether the line (joined with the one before it) is a reviewer's verdict that the
    patch under review broke the test or passes once changed."""
    return REVIEW_BREAKS.search(joined) is not None or REPLACED_PASSES.search(joined) is not None


# The writer's own run on a kernel without the kernel's fix, failing (and passing with it):
# "FAIL on kernel reverts that fix-commit", "I tried on kernel-3.2.0 (with dropping that fix
# commit), it also could be reproduced" (Li Wang on his swapping01 rework, LTP 2021). The test
# catches the kernel bug it exists for: the failure shown is the kernel's, whatever the quoted
# patch says about the old test's false positives.
UNFIXED_KERNEL_RUN = lazy(
    r"\b(?:fail\w*|reproduc\w*)\b[^.?]{0,40}\b(?:on|with) (?:the |an? )?(?:\S+ )?kernels? "
    r"(?:that )?(?:without|lacking|revert\w*|dropp\w*) (?:the |that |this |its )?(?:kernel )?"
    r"fix|"
    r"\b(?:without|dropp\w+|revert\w*) (?:the |that |this |its )?(?:kernel )?fix(?:[- ]?commit|"
    r" patch)?\b[^.?]{0,60}\b(?:reproduc\w+|fail\w*)|"
    r"\bunfixed kernels?\b[^.?]{0,40}\b(?:fail\w*|reproduc\w*)",
    re.IGNORECASE)
