"""A report's stated conclusion (harness/readers/statements.py): lines quoted from the corpus's
real threads, and the cases where nothing may be stated (a question, a negation, a kernel
regression, a patch that adds a test)."""

from __future__ import annotations

from harness.model import LogLine
from harness.readers.statements import scan_lines


def conclude(text: str):
    return scan_lines([LogLine(i, t, "mail") for i, t in enumerate(text.splitlines(), 1)]
                      ).conclusion()


# run-vmtests-uffd-stress-size-calc (Rafael Aquini, 2025): prose and the patch's diffstat.
RUNNER = """\
The problem boils down to how run_vmtests.sh (mis)calculates the size
of the region it feeds to uffd-stress.
---
 tools/testing/selftests/mm/run_vmtests.sh | 4 +++-
 1 file changed, 3 insertions(+), 1 deletion(-)
"""


def test_a_runner_script_patch_and_its_statement_say_runner_script_bug():
    c = conclude(RUNNER)
    assert c is not None and (c.cause, c.category) == ("runner-script-bug", "test-bug")
    assert c.line.line == 1 and "boils down to" in c.quote("message 1")


def test_a_question_states_nothing():
    # memory-failure-tmpfs-0day (David Hildenbrand): a maintainer's question, not a conclusion.
    assert conclude("Can the test maybe not deal with running in certain environments "
                    "(config options etc)?") is None


def test_a_negated_statement_states_nothing():
    assert conclude("This is not a bug in the test, the kernel frees the wrong page.") is None


def test_kernel_regression_words_leave_the_conclusion_open():
    text = RUNNER + "\nBut this is a kernel regression after all, bisected to the THP change.\n"
    assert conclude(text) is None


def test_a_patch_that_adds_a_test_is_not_a_test_bug():
    # hugetlb-fault-after-madv-sigbus (Breno Leitao): a new selftest for a kernel race.
    text = """\
This selftest goes together with the fix of the bug[1] itself.
diff --git a/tools/testing/selftests/mm/hugetlb_fault_after_madv.c {NEW}
new file mode 100644
+// SPDX-License-Identifier: GPL-2.0
With this change the tests are passing.
""".format(NEW="b/tools/testing/selftests/mm/hugetlb_fault_after_madv.c")
    assert conclude(text) is None


def test_a_kernel_patch_is_not_a_test_bug():
    text = """\
With the above patch the test is passing.
diff --git a/mm/mremap.c b/mm/mremap.c
"""
    assert conclude(text) is None


def test_a_selftest_fix_said_to_work_is_a_selftest_logic_bug():
    # ksm-prctl-fork-exec-execv-null (Dev Jain, 2025)
    text = """\
diff --git a/tools/testing/selftests/mm/ksm_functional_tests.c {NEW}
index 0000..1111 100644
-		execv(prg_name, argv);
+		execv(prg_name, argv, NULL);
With the above patch the test is passing.
""".format(NEW="b/tools/testing/selftests/mm/ksm_functional_tests.c")
    c = conclude(text)
    assert c is not None and c.cause == "selftest-logic-bug"


def test_the_kind_comes_from_the_prose():
    probe = conclude("This can cause the ioctl() call to fail with EINVAL on kernels that do "
                     "not support UFFD-WP, leading the test to fail unnecessarily:")
    assert probe is not None and probe.cause == "test-wrong-feature-probe"
    la57 = conclude("Currently the test only checks for the kernel configuration option, so "
                    "this test can still report a false positive.\nThe CPU must have the la57 "
                    "flag.")
    assert la57 is not None and (la57.cause, la57.category) == ("arch-unsupported", "config")
    fs = conclude("And I think the cause of failures of testcases "
                  "memory_failure.madv_hard.clean_pagecache\nis they running on memory "
                  "filesystems.")
    assert fs is not None and fs.cause == "test-fs-assumption"
    assert fs.names == ("memory_failure.madv_hard.clean_pagecache",)


def test_an_analysis_counts_only_right_before_a_selftest_patch():
    # uffd-unit-tests-refactor-stack-garbage (Peter Xu, 2025): analysis, then the diff.
    near = ("IIUC it's because after moving most globals to stack, they are not properly\n"
            "zero-initialized anymore.  So maybe we at least need something like this?\n\n"
            "diff --git a/tools/testing/selftests/mm/uffd-unit-tests.c {NEW}\n").format(
                NEW="b/tools/testing/selftests/mm/uffd-unit-tests.c")
    c = conclude(near)
    assert c is not None and c.cause == "selftest-logic-bug" and c.line.line == 1
    # hmm-tests-exclusive-ebusy: a guess about skips, far from a harness patch: nothing stated.
    far = near.replace("diff --git", "\n" * 10 + "diff --git")
    assert conclude(far) is None


def test_a_debugging_diff_in_the_commit_message_is_not_the_patch():
    # uffd-stress-hugetlb-private-enomem-no-slack (Dev Jain, 2025): a hack to mm/hugetlb.c in
    # the commit message, the submitted patch (its diffstat) only touches run_vmtests.sh.
    text = ("I can confirm that this is indeed the case by this hacky patch:\n\n"
            "diff --git a/mm/hugetlb.c b/mm/hugetlb.c\n+\t\t\tret = -EEXIST;\n\n"
            "Signed-off-by: Dev Jain <dev.jain@arm.com>\n---\n"
            " tools/testing/selftests/mm/run_vmtests.sh | 2 +-\n"
            " 1 file changed, 1 insertion(+), 1 deletion(-)\n")
    c = conclude(text)
    assert c is not None and c.cause == "runner-script-bug" and "| 2 +-" in c.line.text
    assert conclude(text.replace("tools/testing/selftests/mm/run_vmtests.sh", "mm/hugetlb.c")
                    ) is None


def test_a_disputed_bisect_is_recorded_not_taken_for_a_test_bug():
    # migration-shared-anon-false-bisect-thread (Herbert Xu, 2025)
    scanner = scan_lines([LogLine(1, "So I think is a false-positive bisection result.", "m")])
    assert scanner.bisect_disputed is not None and scanner.conclusion() is None


def test_a_created_settings_file_is_not_a_new_test():
    # run-vmtests-kselftest-timeout-45s-settings (Patrick Wang, 2022)
    text = (" tools/testing/selftests/vm/settings | 1 +\n"
            " 1 file changed, 1 insertion(+)\n"
            " create mode 100644 tools/testing/selftests/vm/settings\n")
    c = conclude(text)
    assert c is not None and c.cause == "runner-script-bug"
    added_test = text.replace("vm/settings", "vm/new_test.c")
    assert conclude(added_test) is None
