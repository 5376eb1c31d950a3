"""Classes of real reports held-out round 12-arch (mm selftests failing on one architecture;
tests/fixtures/reports/README.md, "Round 12-arch") got wrong, each tested on other real texts:

- the machine a report ran on, as its text names it: uname -m / uname -a / a kernel release
  that carries the arch ("5.14.0-570.12.1.el9_6.aarch64+64k"), prose that says where it ran
  ("on an aarch64 64k setup"), and the base page size ("PAGE_SIZE to 64KB", "page size 64K");
  a changelog that mentions an arch in passing, or a list of arches, names no machine;
- a selftest's known 4K-page assumption on a kernel the report says has 64K pages is the
  test's bug - but only for selftests from before the fix, and never on a 4K kernel;
- an arch-selected Kconfig symbol (CONFIG_HAVE_ARCH_*) is no option to enable: a failure
  whose words name it missing is the architecture's (config/arch-unsupported), while a report
  that only says the probe is needed "even if CONFIG_HAVE_ARCH_USERFAULTFD_WP is enabled"
  keeps its own cause.
"""

from __future__ import annotations

from test_report_classes import triage

from harness.model import Environment, LogLine, Result, Status
from harness.readers.arch_facts import ArchFacts, Reader
from harness.triage.checks import RunIndex, Support, page_size


def machine(text: str) -> ArchFacts:
    reader = Reader()
    for number, line in enumerate(text.splitlines(), 1):
        reader.feed(LogLine(number, line, "report"))
    return reader.facts()


# libhugetlbfs/libhugetlbfs#103 ("Test failures on RHEL 9.6 aarch64 64kb kernel", 2025-06-30),
# the first lines of the description as posted.
RHEL_64K = """\
I'm seeing several test failures for this specific architecture/kernel. The kernel is using \
64kb base pages. Only 2MB huge page sizes seem affected. I am booting with default_hugepagesz=2m.

[root@myrhel96arm libhugetlbfs]# uname -r
5.14.0-570.12.1.el9_6.aarch64+64k
"""

# linux-test-project/ltp#390 ("mmap15: failed on qemu mips64", 2018), the uname -a line as
# posted, with its backticks.
MIPS_UNAME_A = """\
uname -a:
`Linux qemumips64 4.18.0-rc6-yoctodev-standard #1 SMP PREEMPT Mon Sep 10 03:20:29 UTC 2018 \
mips64 mips64 mips64 GNU/Linux
`
"""

# linux-test-project/ltp#664 ("Hard coded "mm01 mmap001 -m 10000" in runtest/mm causes test
# failure", 2020), the second paragraph.
LTP_PAGE_SIZE = """\
Normally, PAGE_SIZE = 4KB, so 40MB of mmap will be tested, but if a kernel has set PAGE_SIZE \
to 64KB, 10000 x 64KB = 640MB, this may exceed available memory in the system and cause failures.
For example: in a aarch64 system:
"""

# Li Wang's reply in "selftests/mm/charge_reserved_hugetlb.sh: add waits with timeout helper"
# (linux-mm, 2025-12-21; round 12-arch's fixture), the prose line.
ARM64_64K_SETUP = """\
On an aarch64 64k setup with 512MB hugepages, the test failed earlier
"""

# Lance Yang's "selftests/mm: skip soft-dirty tests when CONFIG_MEM_SOFT_DIRTY is disabled" v3
# (2025-09-17; tests/fixtures/reports/soft-dirty-config-disabled-skip-patch): aarch64 only in
# the changelog.
CHANGELOG_MENTION = """\
The madv_populate and soft-dirty kselftests currently fail on systems where
CONFIG_MEM_SOFT_DIRTY is disabled.

v1 -> v2:
 - Rename softdirty_is_supported() to softdirty_supported() (per David)
 - Drop aarch64 specific handling (per David)
"""

# Charlie Jenkins' "mm: Introduce ADDR_LIMIT_47BIT personality flag" v3 cover letter
# (2024-09-05), as quoted in John Paul Adrian Glaubitz's reply.
ARCH_LIST = """\
> Some applications rely on placing data in free bits addresses allocated
> by mmap. Various architectures (eg. x86, arm64, powerpc) restrict the
> address returned by mmap to be less than the 48-bit address space,
"""


# Lokesh Gidra's "selftests/mm: Fix ARM related issue with fork after pthread_create" v3
# (linux-mm, 2024; tests/fixtures/reports/uffd-unit-tests-fork-after-pthread-create-arm-thread).
ARM_NOT_X86 = """\
Following issue was observed while running the uffd-unit-tests selftest
on ARM devices. On x86_64 no issues were detected:
"""

# Lorenzo Stoakes' "selftests/mm: remove virtual_address_range test" (2026-01-16;
# tests/fixtures/reports/virtual-address-range-removal-patch, line 23): a commit named by its
# subject.
COMMIT_NAMED = """\
Commit 0ef3783d7558 ("selftests/mm: add support to test 4PB VA on PPC64"),
"""


def test_the_machine_is_what_its_own_output_or_prose_says():
    facts = machine(RHEL_64K)
    assert (facts.arch, facts.page_size) == ("arm64", "64K")
    assert facts.arch_line is not None and "aarch64+64k" in facts.arch_line.text
    assert machine(MIPS_UNAME_A).arch == "mips"
    assert machine(LTP_PAGE_SIZE).page_size == "64K"  # the 64K machine, not the 4K norm
    facts = machine(ARM64_64K_SETUP)
    assert (facts.arch, facts.page_size) == ("arm64", "64K")
    assert machine(ARM_NOT_X86).arch == "arm"  # x86 beside it is the contrast


def test_a_mention_in_passing_or_a_list_of_arches_names_no_machine():
    assert machine(CHANGELOG_MENTION).arch is None
    assert machine(ARCH_LIST).arch is None
    assert machine(COMMIT_NAMED).arch is None
    # a hugetlb page size is not the base page size
    assert machine("# [INFO] detected hugetlb page size: 64 KiB\n").page_size is None


# Donet Tom's "selftests: mm: hugepage-vmemmap fails on 64K page size systems" (linuxppc-dev,
# 2024-01-10; tests/fixtures/reports/hugepage-vmemmap-64k-pagesize-patch), lines 12-17 of the
# body: the run before the fix, as one would paste it without the patch around it.
VMEMMAP_64K_RUN = """\
Result on powerpc without patch (page size 64K)
*# ./hugepage-vmemmap
Returned address is 0x7effff000000 whose pfn is 0
Head page flags (100000000) is invalid
check_page_flags: Invalid argument
*#
"""


def test_a_known_4k_assumption_on_a_64k_kernel_is_the_tests_bug(tmp_path):
    _, report = triage(tmp_path, VMEMMAP_64K_RUN)
    failed = [r for r in report["results"] if r["status"] != "pass"]
    assert failed, "a readable failure report is never empty"
    assert {(r["category"], r["cause"]) for r in failed} == {("test-bug", "selftest-logic-bug")}
    assert report["environment"]["facts"]["page_size"] == "64K"


def test_the_4k_assumption_is_not_blamed_after_its_fix_or_on_4k_pages(tmp_path):
    _, fixed = triage(tmp_path, VMEMMAP_64K_RUN, "--kernel-version", "6.9")
    assert "test-bug" not in {r["category"] for r in fixed["results"]}
    four_k = VMEMMAP_64K_RUN.replace("page size 64K", "page size 4K")
    _, report = triage(tmp_path, four_k)
    assert "test-bug" not in {r["category"] for r in report["results"]}


# Axel Rasmussen's "userfaultfd/selftests: fix feature support detection" (linux-kselftest,
# 2021-09-21; round 12-arch's fixture) states its failure with the arch-selected option; the
# LTP report (tests/fixtures/reports/ltp-userfaultfd05-wp-feature-probe-einval, RISC-V 2025)
# names the same option only to say the probe is needed even when it is enabled.
AARCH64_NO_UFFD_WP = """\
This is broken, however. Take writeprotect support as an example: sure
it's supported for anon, but it also requires that we have
CONFIG_HAVE_ARCH_USERFAULTFD_WP. I.e., it is not supported at all on
aarch64. So, running the test on such an arch fails: it tries to test
writeprotect for anon, but since it isn't *actually* supported, it
fails.
"""

LTP_PROBE = """\
userfaultfd05.c:96: TBROK: ioctl(3,((((2U|1U) << (((0+8)+8)+14)) | (((0xAA)) << (0+8)) | \
((((0x3F))) << 0) | ((((sizeof(struct uffdio_api)))) << ((0+8)+8)))),...) failed: EINVAL (22)

The UFFD_FEATURE_PAGEFAULT_FLAG_WP feature is not universally available
and needs to be probed at runtime, even if CONFIG_HAVE_ARCH_USERFAULTFD_WP
is enabled.  On RISC-V it depends on the availability of the Svrsw60t59b
extension (see pgtable_supports_uffd_wp).
"""


def test_an_arch_selected_option_is_the_architecture_not_a_config_to_enable(tmp_path):
    _, report = triage(tmp_path, AARCH64_NO_UFFD_WP)
    causes = {(r["category"], r["cause"]) for r in report["results"] if r["status"] != "pass"}
    assert ("config", "kernel-config-missing") not in causes
    _, ltp = triage(tmp_path, LTP_PROBE)
    assert {(r["category"], r["cause"]) for r in ltp["results"]} == {
        ("test-bug", "test-wrong-feature-probe")}



def test_ppc64s_usual_64k_is_a_guess_only_beside_a_version():
    result = Result("split_huge_page_test", 1, "split", "", Status.FAIL, "")
    index = RunIndex.build([], set())

    def support(env: Environment) -> Support:
        return page_size(result, env, index, ["64K"]).support

    assert support(Environment(arch="ppc64")) is Support.CONTRADICTS
    assert support(Environment(arch="ppc64", kernel_version="6.12")) is Support.UNSURE
    assert support(Environment(arch="ppc64", facts={"page_size": "4K"})) is Support.CONTRADICTS
    assert support(Environment(arch="s390", kernel_version="6.12")) is Support.CONTRADICTS


# Adrian Reber's diagnosis as the reporter quoted it in checkpoint-restore/criu#2676 (2025-05-29;
# tests/fixtures/reports/criu-crun-aarch64-pre-checkpoint-soft-dirty, line 22); round 12-arch's
# arm64 soft-dirty patch says it as "arm64 does not support the soft-dirty PTE bit".
AARCH64_NO_SOFT_DIRTY = """\
> The aarch64 kernel does not support the soft dirty bit. The pre-checkpoint tests will not \
work on aarch64. You have to skip them.
"""


def test_an_arch_that_does_not_support_the_feature_is_no_kernel_fault(tmp_path):
    code, report = triage(tmp_path, AARCH64_NO_SOFT_DIRTY)
    assert code == 0  # nothing points at the kernel
    assert {(r["category"], r["cause"]) for r in report["results"]} == {
        ("config", "arch-unsupported")}
