"""Classes round 18-mm (mail excerpts of the mm selftests) missed, each tested on a second real
text worded differently from the report that showed it:

- memfd_secret's checks that secret memory stays out of reach are checks of kernel behaviour:
  "vmsplice: unexpected memory access with fresh page", "%s: unexpected memory access",
  "unexpected file IO", "unexpected mlock limit violation", and its first vmsplice() version's
  "not ok 3 vmsplice is blocked as expected" (the pass text printed on failure too);
- a selftest patch that adds a test case to an existing test ("Let's add a simple reproducer
  for a scenario where GUP-fast could succeed on secretmem folios") reproduces a bug: like a
  new test file, it is no statement that the test was wrong.
"""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

from test_report_classes import conclude, triage_read

ROOT = Path(__file__).resolve().parent.parent
REPORTS = Path(__file__).parent / "fixtures" / "reports"
MESSAGES = Path(__file__).parent / "fixtures" / "mm_messages" / "messages.tsv"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


# David Hildenbrand, linux-kernel/linux-mm 2024-03-26 13:49 (a reply to his own reply on "[PATCH
# v1 2/3] selftests/memfd_secret: add vmsplice() test"; lore: the thread of
# 20240325134114.257544-3-david@redhat.com). Its failure is quoted one level deep, under a
# quoted debugging diff to the selftest; the whole text/plain body.
FOLLOW_UP = """\
On 26.03.24 13:32, David Hildenbrand wrote:
> On 26.03.24 07:17, Mike Rapoport wrote:
>> Hi David,
>>
>> On Mon, Mar 25, 2024 at 02:41:13PM +0100, David Hildenbrand wrote:
>>> Let's add a simple reproducer for a scneario where GUP-fast could succeed
>>> on secretmem folios, making vmsplice() succeed instead of failing. The
>>> reproducer is based on a reproducer [1] by Miklos Szeredi.
>>>
>>> Perform the ftruncate() only once, and check the return value.
>>>
>>> For some reason, vmsplice() reliably fails (making the test succeed) when
>>> we move the test_vmsplice() call after test_process_vm_read() /
>>> test_ptrace().
>>
>> That's because ftruncate() call was in test_remote_access() and you need it
>> to mmap secretmem.
> 
> I don't think that's the reason. I reshuffled the code a couple of times
> without luck.
> 
> And in fact, even executing the vmsplice() test twice results in the
> second iteration succeeding on an old kernel (6.7.4-200.fc39.x86_64).
> 
> ok 1 mlock limit is respected
> ok 2 file IO is blocked as expected
> not ok 3 vmsplice is blocked as expected
> ok 4 vmsplice is blocked as expected
> ok 5 process_vm_read is blocked as expected
> ok 6 ptrace is blocked as expected
> 
> Note that the mmap()+memset() succeeded. So the secretmem pages should be in the page table.
> 
> 
> Even weirder, if I simply mmap()+memset()+munmap() secretmem *once*, the test passes
> 
> diff --git a/tools/testing/selftests/mm/memfd_secret.c b/tools/testing/selftests/mm/memfd_secret.c
> index 0acbdcf8230e..7a973ec6ac8f 100644
> --- a/tools/testing/selftests/mm/memfd_secret.c
> +++ b/tools/testing/selftests/mm/memfd_secret.c
> @@ -96,6 +96,14 @@ static void test_vmsplice(int fd)
>                   return;
>           }
>    
> +       mem = mmap(NULL, page_size, prot, mode, fd, 0);
> +       if (mem == MAP_FAILED) {
> +               fail("Unable to mmap secret memory\\n");
> +               goto close_pipe;
> +       }
> +       memset(mem, PATTERN, page_size);
> +       munmap(mem, page_size);
> +
>           mem = mmap(NULL, page_size, prot, mode, fd, 0);
>           if (mem == MAP_FAILED) {
>                   fail("Unable to mmap secret memory\\n");
> 
> ok 1 mlock limit is respected
> ok 2 file IO is blocked as expected
> ok 3 vmsplice is blocked as expected
> ok 4 process_vm_read is blocked as expected
> ok 5 ptrace is blocked as expected
> 
> 
> ... could it be that munmap()+mmap() will end up turning these pages into LRU pages?

Okay, now I am completely confused.

secretmem_fault() calls filemap_add_folio(), which should turn this into 
an LRU page.

So secretmem pages should always be LRU pages. .. unless we're batching 
in the LRU cache and haven't done the lru_add_drain() ...

And likely, the munmap() will drain the lru cache and turn the page into 
an LRU page.

Okay, I'll go make sure if that's the case. If so, relying on the page 
being LRU vs. not LRU in GUP-fast is unreliable and shall be dropped.

-- 
Cheers,

David / dhildenb
"""

# "[PATCH v1 2/3] selftests/memfd_secret: add vmsplice() test" (David Hildenbrand,
# linux-kernel 2024-03-25, <20240325134114.257544-3-david@redhat.com>): its commit message and
# diffstat, the lines before its diff.
ADD_VMSPLICE_TEST = """\
Let's add a simple reproducer for a scneario where GUP-fast could succeed
on secretmem folios, making vmsplice() succeed instead of failing. The
reproducer is based on a reproducer [1] by Miklos Szeredi.

Perform the ftruncate() only once, and check the return value.

For some reason, vmsplice() reliably fails (making the test succeed) when
we move the test_vmsplice() call after test_process_vm_read() /
test_ptrace(). Properly cleaning up in test_remote_access(), which is not
part of this change, won't change that behavior. Therefore, run the
vmsplice() test for now first -- something is a bit off once we involve
fork().

[1] https://lkml.kernel.org/r/CAJfpegt3UCsMmxd0taOY11Uaw5U=eS1fE5dn0wZX3HF0oy8-oQ@mail.gmail.com

Signed-off-by: David Hildenbrand <david@redhat.com>
---
 tools/testing/selftests/mm/memfd_secret.c | 44 +++++++++++++++++++++--
 1 file changed, 42 insertions(+), 2 deletions(-)
"""


def test_memfd_secret_pass_text_printed_on_failure_is_a_kernel_behaviour_check(tmp_path):
    report = triage_read(tmp_path, FOLLOW_UP)
    assert _findings(report) == {("kernel-bug", "kernel-behaviour-fail")}
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [r["message"] for r in failed] == ["vmsplice is blocked as expected"]


def test_every_memfd_secret_failure_wording_is_a_kernel_behaviour_check():
    """Each upstream memfd_secret failure text 6.1-7.2 (a format's %s filled in) matches the
    rule; its setup failures (mlock limit, mmap) do not."""
    rule = tomllib.loads((ROOT / "harness/triage/rules/kernel-behaviour-fail.toml").read_text())
    message = re.compile(rule["when"]["message"])
    with MESSAGES.open() as tsv:
        formats = {row[4] for row in csv.reader(tsv, delimiter="\t")
                   if len(row) > 4 and row[1] == "memfd_secret.c"}
    checks = [f for f in formats if "unexpected" in f]
    assert len(checks) >= 3
    for fmt in checks:
        text = fmt.replace("%s", "process_vm_read").replace("\\n", "")
        assert message.search(text), text
    for setup in ("Unable to set mlock limit: Operation not permitted",
                  "Unable to mmap secret memory", "memfd_secret is not supported"):
        assert not message.search(setup), setup


def test_a_selftest_patch_adding_a_reproducer_is_no_test_fix():
    assert conclude(ADD_VMSPLICE_TEST) is None
    # mini-round 18-mm-b's wording of the same class: "Let's test whether R/O long-term pinning
    # is reliable ... For now, all tests fail" (cow, 2022)
    cow = (REPORTS / "cow-ro-longterm-pin-non-anon-tests-all-fail-patch.txt").read_text()
    assert conclude(cow) is None
    # a selftest patch that fixes the test still says so (round 2's hugetlb_reparenting patch)
    fixed = conclude((REPORTS / "hugetlb-reparenting-async-flaky-patch.txt").read_text())
    assert fixed is not None and fixed.category == "test-bug"
