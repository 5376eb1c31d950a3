"""Classes the held-out round 7 (whole threads, tests/fixtures/reports/README.md) got wrong,
each on a second real text worded differently from the thread that showed it:

- x86's die() header for a trap in the kernel ("invalid opcode: 0000 [#1]" for a BUG(),
  "divide error: 0000 [#1]") is a kernel crash, as "Oops:" is;
- uffd-unit-tests' hugetlb case "skipped [reason: memory allocation failed]" is the hugetlb
  pool, not an unexplained skip; the anon/shmem cases of the same wording are not matched.
"""

from __future__ import annotations

from test_report_classes import triage

# syzbot's "[syzbot] [iommu?] divide error in iommufd_test" (linux-kselftest, 27 Oct 2023,
# https://lore.kernel.org/all/00000000000005f6aa0608b9220f@google.com/), lines of its report
SYZBOT_DIVIDE_ERROR = """\
divide error: 0000 [#1] PREEMPT SMP KASAN
CPU: 1 PID: 5053 Comm: syz-executor178 Not tainted 6.6.0-rc6-next-20231023-syzkaller #0
Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 09/06/2023
RIP: 0010:iommufd_test_dirty drivers/iommu/iommufd/selftest.c:1098 [inline]
RIP: 0010:iommufd_test+0x1fd/0x35c0 drivers/iommu/iommufd/selftest.c:1203
"""


def test_an_x86_trap_header_is_a_kernel_crash(tmp_path):
    code, report = triage(tmp_path, SYZBOT_DIVIDE_ERROR)
    assert code == 1 and report["verdict"] == "kernel-bug"
    assert [f["cause"] for f in report["findings"]] == ["kernel-oops"]
    assert "divide error: 0000 [#1]" in report["findings"][0]["explanation"]


def test_words_about_a_trap_are_no_crash(tmp_path):
    # the same words without the die() header's error code and count are prose
    text = ("# selftests: mm: protection_keys\n"
            "# the invalid opcode test and the divide error handler both ran\n"
            "ok 1 selftests: mm: protection_keys\n")
    code, report = triage(tmp_path, text)
    assert code == 0 and report["verdict"] == "clean" and report["findings"] == []


# David Hildenbrand's "Still gives me" reply on the uffd-unit-tests -Wformat-security patch
# (linux-kselftest/linux-mm, 2023), the output he pasted under his proposed diff
UFFD_STILL_GIVES_ME = """\
Still gives me

Testing register-ioctls on anon... done
Testing register-ioctls on shmem... done
Testing register-ioctls on shmem-private... done
Testing register-ioctls on hugetlb... skipped [reason: memory allocation failed]
Testing register-ioctls on hugetlb-private... skipped [reason: memory allocation failed]
...
"""


def test_a_hugetlb_case_that_cannot_allocate_is_the_pool(tmp_path):
    code, report = triage(tmp_path, UFFD_STILL_GIVES_ME)
    skips = [r for r in report["results"] if r["status"] == "skip"]
    assert len(skips) == 2
    assert {(r["category"], r["cause"]) for r in skips} == {("env", "hugetlb-pages-short")}
    assert code == 0


def test_an_anon_case_that_cannot_allocate_is_not_the_pool(tmp_path):
    text = UFFD_STILL_GIVES_ME.replace("register-ioctls on shmem... done",
                                       "register-ioctls on shmem... skipped [reason: memory "
                                       "allocation failed]")
    _, report = triage(tmp_path, text)
    shmem = [r for r in report["results"] if r["name"].endswith("on shmem")]
    assert shmem and shmem[0]["cause"] != "hugetlb-pages-short"
