"""Classes of whole threads (mbox) that the engine missed - session 9's known misses and the
held-out round 20-thread (tests/fixtures/reports/README.md) - each tested on a real text worded
differently from the report that showed it:

- a revert of the named commit told as having cured the failure in other words than "passes" or
  "goes away" ("confirmed that the reported BUG is not reproduced", "and the problem is away",
  "can NOT be reproduced", "no longer seen"), also when a mail client wrapped the sentence over
  two lines, is the report's bisect (``paste.BISECTED``, ``paste._note_prose``); so is a bisect
  told as run ("After running git bisect on this problem,") and a commit named as the cause
  ("your commit 3a9ca1b0ac0f (...) appears to cause ...");
- a request to backport a named kernel fix to an older tree ("Backport d4ae9916ea29 (...) to
  4.14 and 4.9", "please backport this patch (i. e. 38a9a5121c3b (...)) to stable kernels") is
  the thread's kernel-side conclusion: the old kernel lacks the fix
  (``test_verdicts.BACKPORT_REQUEST``); a selftests commit's backport is not;
- a fix to the failing test named only by its patch's subject in a message's body ("[PATCH v3]
  memcg/memcontrol04: Fix judgment for recursive_protection" in a reply, "[PATCH]
  syscalls/shmctl04: Add kernel version requestions") is a test-side conclusion; a kernel
  patch's subject ("arm: __pmd_free_tlb(): call page table desctructor", "mm/madvise: fix ...")
  is not, nor is a patch thread's own Subject (``test_verdicts.names_test_fix_patch``);
- a hedged test-side conclusion at the end of an analysis ("I'm leaning towards updating test at
  the moment.", "in this case, probably the test should be updated.") is the writer's
  conclusion (``test_verdicts.TEST_LEANING``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.model import LogLine
from harness.readers.paste import PasteInfo, normalise
from harness.readers.test_verdicts import (
    names_test_fix_patch,
    says_kernel_at_fault,
    says_test_to_change,
)
from tests.test_report_classes import triage_file as triage

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def bisected(text: str):
    """What the paste reader takes as the text's bisect (None if nothing)."""
    lines = [LogLine(i, t, "paste") for i, t in enumerate(text.splitlines(), 1)]
    info = PasteInfo()
    for _ in normalise(lines, info):
        pass
    return info.bisected


# Heiko Carstens, linux-next 17 Mar 2021, "Re: [BUG -next] "memcg: charge before adding to
# swapcache on swapin" broken" (Message-ID <YFJqJeMDc/JCjfSv@osiris>), as his mail client
# wrapped it.
S390_REVERT_WRAPPED = """\
ltp's swapping01 test triggers immediately random processes being
killed with SIGSEGV. I also tested with linux-next 20210316 and _only_
"memcg: charge before adding to swapcache on swapin" being reverted on
top, and the problem is away - so it looks like the result of
yesterday's bisect is indeed valid.
"""
# Naresh Kamboju, LTP list 25 Aug 2020, "Re: [LTP] BUG: Bad page state in process true pfn:a8fed
# on arm" (Message-ID <CA+G9fYvC2ypgNJg8+aPHh8ia2-4wTZUOuNr_G98dFTOLZSv_Dw@mail.gmail.com>).
LKFT_REVERT_NOT_REPRODUCED = """\
After running git bisect on this problem,
The first suspecting of this problem on arm architecture this patch.
424efe723f7717430bec7c93b4d28bba73e31cf6
("mm: account PMD tables like PTE tables ")

Reported-by: Naresh Kamboju <naresh.kamboju@linaro.org>
Reported-by: Anders Roxell <anders.roxell@linaro.org>

Additional information:
We have tested linux next by reverting this patch and confirmed
that the reported BUG is not reproduced.
"""
# Heiko Carstens, linux-next 16 Mar 2021, the report's first lines (Message-ID
# <YFEeWD7LMPYngtbA@osiris>).
S390_COMMIT_APPEARS_TO_CAUSE = """\
your commit 3a9ca1b0ac0f ("memcg: charge before adding to swapcache on
swapin") in linux-next 20210316 appears to cause user process faults /
crashes on s390 like:
"""


def test_a_revert_that_cured_the_failure_in_other_words_is_the_bisect():
    said = bisected(S390_REVERT_WRAPPED)
    assert said is not None and "the problem is away" in said.text and said.line == 3
    assert bisected(LKFT_REVERT_NOT_REPRODUCED) is not None
    # the reverted-and-not-reproduced sentence on its own, without the bisect line before it
    alone = LKFT_REVERT_NOT_REPRODUCED.split("Additional information:\n")[1]
    assert bisected(alone) is not None and "not reproduced" in bisected(alone).text
    assert bisected(S390_COMMIT_APPEARS_TO_CAUSE) is not None
    # still to be done, or not cured, is no bisect
    assert bisected("We are trying to bisect this problem and get back to you shortly.") is None
    assert bisected("I will revert it and see if the problem is still seen.") is None


@pytest.mark.parametrize("name, version", [
    ("s390-next-memcg-swapin-charge-broken-swapping01-thread", "5.12.0-rc3-next-20210316"),
    ("lkft-ltp-thp01-arm-bad-page-state-pmd-tables-bisected-thread", "5.9.0-rc2-next-20200824"),
])
def test_threads_whose_revert_cured_the_failure_are_its_regression(name: str, version: str):
    report = triage(REPORTS / f"{name}.mbox", "--kernel-version", version)
    assert report["verdict"] == "kernel-bug"
    assert any(f["cause"] == "kernel-regression" for f in report["findings"])


# Michael Ellerman, linuxppc-dev 2023, "Please backport feea65a338e5 ("powerpc/powernv: Fix
# fortify source warnings in opal-prd.c")"; a linux-crypto reply (lib/crc32, 2025) asking for
# a kernel fix in older trees.
BACKPORTS = [
    ('Please backport feea65a338e5 ("powerpc/powernv: Fix fortify source warnings in opal-prd.c")'
     ' to the 6.5, 6.1, 5.15, 5.10 stable trees.'),
    ('So, please backport this patch (i. e. 38a9a5121c3b ("lib/crc32: make crc32c() go directly'
     ' to lib")) to stable kernels.'),
]


def test_a_backport_request_of_a_named_kernel_fix_is_kernel_side():
    assert all(says_kernel_at_fault(t) for t in BACKPORTS)
    # a fix to the selftests backported is no kernel verdict
    assert not says_kernel_at_fault(
        'Please backport 0b6a2e6c9f9b ("selftests/mm: fix incorrect buffer->mirror size") to 6.1')
    report = triage(REPORTS / "ltp-madvise11-soft-offline-race-backport-4.14-thread.mbox",
                    "--kernel-version", "4.14.290")
    assert report["verdict"] == "kernel-bug"
    assert any(f["cause"] == "kernel-behaviour-fail" for f in report["findings"])


def test_a_test_fix_named_by_its_patch_subject_is_test_side():
    # the LTP list, 29 Mar 2021: the fix that answered LKFT's shmctl04 failure on 4.14
    assert names_test_fix_patch("see [LTP] [PATCH] syscalls/shmctl04: Add kernel version "
                                "requestions", 3)
    assert names_test_fix_patch("  ✗ [PATCH v3] memcg/memcontrol04: Fix judgment for "
                                "recursive_protection", 12)
    # a message's own subject says what its patch is (read elsewhere), not a conclusion
    assert not names_test_fix_patch("[LTP] [PATCH] syscalls/shmctl04: Add kernel version "
                                    "requestions", 0)
    assert not names_test_fix_patch("Subject: [PATCH] selftests/mm: fix the hmm2 mirror", 4)
    # kernel patches (Mike Rapoport's fix in the thp01 thread, an arch prefix) are not
    assert not names_test_fix_patch("[LTP] [PATCH] arm: __pmd_free_tlb(): call page table "
                                    "desctructor (Was: BUG: Bad page state in process true", 5)
    assert not names_test_fix_patch("[PATCH] arm64: mm: fix the hugetlb fault path", 5)
    report = triage(REPORTS / "ltp-memcontrol04-6.14-cgroup2-recursive-protection-test-fix-"
                    "thread.mbox")
    assert report["verdict"] == "test-bug"


def test_a_hedged_test_side_conclusion_is_the_writers():
    # mapnik's src/renderer_common/render_pattern_impl.hpp, a comment on a failing test
    assert says_test_to_change("fail - in this case, probably the test should be updated.")
    assert says_test_to_change("I'm leaning towards updating test at the moment.")
    assert not says_test_to_change("I'm leaning towards a kernel fix at the moment.")
    report = triage(REPORTS / "cki-ltp-shmctl01-shm-stat-einval-cyclic-ipc-ids-reply.txt")
    assert report["verdict"] == "test-bug"
