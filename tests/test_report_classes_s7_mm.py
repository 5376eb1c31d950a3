"""Classes from held-out round 14-mm (mm selftest fix patches; tests/fixtures/reports/README.md).

Each test reads a second real text, worded differently from the round's report that showed the
class; the source is in a comment. Texts are excerpts: the commit message, the diffstat and
the first diff header, unmodified (what a reader pastes of a patch mail).
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.main import main
from tests.test_report_classes import triage_read

# Guopeng Zhang, "[PATCH v5 2/3] selftests: cgroup: make test_memcg_sock robust against delayed
# sock stats", linux-kselftest, 2025-12-03,
# <20251203115631.947908-3-zhangguopeng@kylinos.cn>: lines 1-32 of the decoded body and the
# diff's first line. Reviewed by Shakeel Butt: a flaky test, fixed in the test.
CGROUP_SOCK = """\
test_memcg_sock() currently requires that memory.stat's "sock " counter
is exactly zero immediately after the TCP server exits. On a busy system
this assumption is too strict:

  - Socket memory may be freed with a small delay (e.g. RCU callbacks).
  - memcg statistics are updated asynchronously via the rstat flushing
    worker, so the "sock " value in memory.stat can stay non-zero for a
    short period of time even after all socket memory has been uncharged.

As a result, test_memcg_sock() can intermittently fail even though socket
memory accounting is working correctly.

Make the test more robust by polling memory.stat for the "sock "
counter and allowing it some time to drop to zero instead of checking
it only once. The timeout is set to 3 seconds to cover the periodic
rstat flush interval (FLUSH_TIME = 2*HZ by default) plus some
scheduling slack. If the counter does not become zero within the
timeout, the test still fails as before.

On my test system, running test_memcontrol 50 times produced:

  - Before this patch:  6/50 runs passed.
  - After this patch:  50/50 runs passed.

Signed-off-by: Guopeng Zhang <zhangguopeng@kylinos.cn>
Suggested-by: Lance Yang <lance.yang@linux.dev>
Reviewed-by: Shakeel Butt <shakeel.butt@linux.dev>
---
 .../selftests/cgroup/test_memcontrol.c        | 20 ++++++++++++++++++-
 1 file changed, 19 insertions(+), 1 deletion(-)

diff --git a/tools/testing/selftests/cgroup/test_memcontrol.c \
b/tools/testing/selftests/cgroup/test_memcontrol.c
"""

# Mehdi Ben Hadj Khelifa, "[PATCH v2] selftests/mm/uffd: remove static address usage in
# shmem_allocate_area()", linux-kselftest, 2025-11-13,
# <20251113142050.108638-1-mehdi.benhadjkhelifa@gmail.com>: lines 1-18 and 29-32 of the
# decoded body. Suggested by Mike Rapoport: the test's fixed mmap() hint, fixed in the test.
UFFD_STATIC_ADDRESS = """\
The current shmem_allocate_area() implementation uses a hardcoded virtual
base address (BASE_PMD_ADDR) as a hint for mmap() when creating shmem-backed
test areas. This approach is fragile and may fail on systems with ASLR or
different virtual memory layouts, where the chosen address is unavailable.

Replace the static base address with a dynamically reserved address range
obtained via mmap(NULL, ..., PROT_NONE). The memfd-backed areas and their
alias are then mapped into that reserved region using MAP_FIXED, preserving
the original layout and aliasing semantics while avoiding collisions with
unrelated mappings.

This change improves robustness and portability of the test suite without
altering its behavior or coverage.

Suggested-by: Mike Rapoport <rppt@kernel.org>
Signed-off-by: Mehdi Ben Hadj Khelifa <mehdi.benhadjkhelifa@gmail.com>
---
 tools/testing/selftests/mm/uffd-common.c | 24 +++++++++++++++---------
 1 file changed, 15 insertions(+), 9 deletions(-)

diff --git a/tools/testing/selftests/mm/uffd-common.c b/tools/testing/selftests/mm/uffd-common.c
"""


def _failed(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["status"] == "fail"]


def test_a_fixs_hedged_failure_after_a_pointer_back_is_the_failure_it_fixes(tmp_path: Path):
    # round 14-mm: "As a result there might not be any resident page in the mapping and the
    # test may fail" (pagemap_ioctl) was refused: "may" read as a hypothesis, the "not" of the
    # clause before "and" as a negation. Here "can intermittently fail", after "As a result,".
    text = CGROUP_SOCK.replace(" \\\n", " ")
    report = triage_read(tmp_path, text)
    failed = _failed(report)
    assert [r["suite"] for r in failed] == ["test_memcontrol"]
    assert "can intermittently fail" in failed[0]["message"]
    # the sentence "As a result" points back to is quoted with it (the cause is there)
    assert "uncharged" in failed[0]["message"]
    assert report["verdict"] == "test-bug"
    assert {f["cause"] for f in report["findings"]} == {"selftest-logic-bug"}


def test_a_modal_after_and_starts_its_own_clause(tmp_path: Path):
    # "This approach is fragile and may fail on systems with ASLR ...": the hedge of a fix,
    # not a hypothesis; the patch changes only the suite's helper, so the suite is named
    report = triage_read(tmp_path, UFFD_STATIC_ADDRESS)
    failed = _failed(report)
    assert len(failed) == 1 and failed[0]["suite"] == "mm"
    assert "may fail on systems with ASLR" in failed[0]["message"]
    assert report["verdict"] == "test-bug"


def test_a_hedge_with_its_own_condition_stays_a_hypothesis(tmp_path: Path):
    # Ted Chen's ublk patch that adds a test (linux-kselftest, 2025-09-19,
    # <20250918-ublk_features-v2-3-77d2a3064c15@purestorage.com>), one sentence of it: what
    # a new test may do on an older kernel is no failure that happened
    text = ("Note that this new test may fail if the test suite is older than the kernel.\n"
            "---\n"
            " tools/testing/selftests/ublk/test_generic_13.sh | 20 ++++++++++++++++++++\n")
    log = tmp_path / "report.txt"
    log.write_text(text)
    out = tmp_path / "report.json"
    # nothing failed: no result at all (refused), or none failed
    if main(["triage", str(log), "--json", str(out)]) != 2:
        assert _failed(json.loads(out.read_text())) == []


# Alice C. Munduruca, "[PATCH net v3] selftests: net: fix "buffer overflow detected" for
# tap.c", linux-kselftest, 2025-12-16, <20251216170641.250494-1-alice.munduruca@canonical.com>:
# the first paragraph of the commit message and its trailers and diffstat (the quoted run left
# out, as a reader who pastes only the prose would). Reviewed by Cengiz Can: the test's bug.
TAP_FORTIFY = """\
When the selftest 'tap.c' is compiled with '-D_FORTIFY_SOURCE=3',
the strcpy() in rtattr_add_strsz() is replaced with a checked
version which causes the test to consistently fail when compiled
with toolchains for which this option is enabled by default.

Fixes: 2e64fe4624d1 ("selftests: add few test cases for tap driver")
Signed-off-by: Alice C. Munduruca <alice.munduruca@canonical.com>
Reviewed-by: Cengiz Can <cengiz.can@canonical.com>
---
 tools/testing/selftests/net/tap.c | 16 +++++-----------
 1 file changed, 5 insertions(+), 11 deletions(-)
"""


def test_a_failure_said_to_happen_every_time_keeps_its_condition(tmp_path: Path):
    # mini-round 14-mm-b's page_frag patch: "It always fails if KDIR points to an out-of-tree
    # build" was read as a conditional (its "if"), so once quoted in a reply the patch was
    # refused; "consistently fail when compiled with ..." is the same: a fact with its condition.
    # (Only the page_frag text has the "if"; its quoted variant is checked by
    # tests/test_report_variants.py, which fails without the change. No second real "always
    # fails if" text was found in the list mirrors; this one keeps the family's "when" reading.)
    report = triage_read(tmp_path, TAP_FORTIFY)
    failed = _failed(report)
    assert [r["suite"] for r in failed] == ["tap"]
    assert "consistently fail when compiled" in failed[0]["message"]
    assert report["verdict"] == "test-bug"
