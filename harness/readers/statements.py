"""What a report's own words say the cause was: a thread's stated conclusion.

Mail threads about a failing selftest often end with the diagnosis in prose ("the problem
boils down to how run_vmtests.sh calculates the size", "since reading the free pages was
removed, free_hpage_b is always 0, causing the test to fail") and a patch that fixes the
test. That is the maintainers' conclusion, not something the log shows; it is kept apart from
the log's evidence and always quoted with the line (and, in a thread, the message) it comes
from, so a report can say "the thread says so", never "the harness found".

What counts:

- a patch in the input (``diff --git``, ``+++ b/``, a diffstat, ``Fixes:`` naming a
  ``selftests`` commit) that changes only files under ``tools/testing/selftests/`` and creates
  none, nor says it adds a test case ("Let's add a simple reproducer for ...") (a patch that
  adds a test reproduces a kernel bug; one that fixes a test says the test was wrong);
- a prose line that says the test is wrong ("a bug in the test", "false failures", "causing
  the test to fail", "fail unnecessarily", "not a kernel bug") or names the cause ("the cause
  of failures ... is they running on memory filesystems").

Questions ("is this a bug in the test?"), negations ("this is not a test bug") and prose that
also says kernel bug, regression or XFAIL/known issue leave the conclusion open: then nothing
is stated. What kind of test-side cause it is comes from the same prose: the runner script
(``run_vmtests.sh``), the filesystem the test assumed, a feature probe that fails on kernels
without the feature, a CPU feature the machine lacks (a configuration, not a test bug), or
otherwise the test's own logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine
from harness.readers.diagnosis import EMULATOR, DiagnosisReader
from harness.readers.feature_since import FeatureSince, feature_since, newer_than
from harness.readers.fix_links import FixLinkScanner
from harness.readers.host_blame import blames_host
from harness.readers.line_kinds import LOG_LIKE, QUOTE, wrapped_piece
from harness.readers.review_verdicts import LTP_LIST, UNFIXED_KERNEL_RUN, review_verdict
from harness.readers.test_verdicts import (
    FOLLOWS_KERNEL,
    HEDGE,
    NEXT_VERSION,
    TEST_IS_RIGHT,
    names_test_fix_patch,
    says_kernel_at_fault,
    says_test_to_change,
)

# A test suite's own files, not the kernel's: the kernel's selftests, LTP's test cases and its
# test library (the kernel has lib/ but no tst_* files), xfstests' tests and common helpers.
# (LTP's own include/lapi/ and include/old/, its libs/: no kernel tree has them)
SELFTEST_PATH = lazy(
    r"(?:^|/)(?:tools/testing/)?selftests/|^(?:\.\.\./)?testcases/|^(?:lib|include)/tst_|"
    r"^include/(?:lapi|old)/|^libs/|"
    r"^runtest/|^tests/(?:generic|xfs|ext4|btrfs|overlay|f2fs|nfs|cifs|shared|udf)/\d|^common/")
# The kernel options the selftests need ("tools/testing/selftests/mm/config").
SELFTEST_CONFIG = lazy(r"(?:^|/)(?:tools/testing/)?selftests/(?:[\w.-]+/)*config$")
DIFF_FILE = lazy(r"^diff --git a/(\S+)(?: b/\S+|$)|^\+\+\+ b/(\S+)")
# " tools/testing/selftests/mm/run_vmtests.sh | 4 +++-", " .../selftests/mm/cow.c | 12 ++--"
DIFFSTAT = lazy(r"^\s*(\S*/(?:\S+|\{\S+ => \S+\}))\s+\|\s+(?:\d+\s*[+-]*|Bin\b)")
CREATED = lazy(r"^\s*create mode \d+ (\S+)|^new file mode\b")
# (the subject's end may be on the next line: a mail client wrapped the tag)
FIXES_TAG = lazy(r"^Fixes:\s+[0-9a-f]{8,40}(?:\s+\(\"?(.*?)(?:\"?\))?)?\s*$",
                 re.IGNORECASE)
DIFF_BODY = lazy(r"^(?:[ +\-]|@@ |index [0-9a-f]|new file mode|deleted file mode|"
                 r"\\ No newline|--- |\+\+\+ |$)")
HUNK = lazy(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")
# "With the above patch the test is passing", "This commit fixes that issue".
PATCH_FIXES = lazy(
    r"\b(?:with|after) (?:the|this|that|my) (?:above |below |attached )?(?:patch|fix|change)\b"
    r".{0,40}\b(?:pass|work|succeed)|"
    # "This commit fixes that issue", "This patch also fix cpu_inherit error by using original
    # mem value." (LTP cpuset, 2021: a writer's own grammar)
    r"\bthis (?:commit|patch|change) (?:also )?fix(?:es)?\b|"
    # "Test passed from my side with patch:" (LTP hugemmap24, 2023), "it passes with the
    # following change"
    r"\b(?:pass(?:es|ed)?|works?|succeed(?:s|ed)?)\b[^.?]{0,30}\bwith (?:the |this |that |my |a |"
    r"following |attached |below )?(?:patch|fix|change|diff)\b(?! (?:reverted|applied on))",
    re.IGNORECASE,
)
# An analysis followed by a fix ("IIUC it's because after moving most globals to stack, they
# are not properly zero-initialized ... So maybe we at least need something like this?"):
# counts only when a diff follows within a few lines and the patch changes only the selftests.
EXPLAINS = lazy(r"\b(?:it'?s|this is|that'?s|it is) because\b|\bthe (?:root )?cause is\b|"
                r"\bwe (?:at least )?need something like this\b|\bthe fix is\b|"
                # the writer announcing the cause found, the diff right after it: "Ah, I
                # think I know why:" (split_huge_page_test, 2025), "And ... I think I know
                # the problem." (madv_populate, 2021), "Found the culprit:"
                r"\bI (?:think |guess |believe )?(?:now )?(?:know|see|found|figured out) "
                r"(?:why|what(?:'s| is) (?:wrong|going on)|the (?:problem|issue|bug|"
                r"cause|culprit|reason))\b|\bfound (?:it|the (?:problem|issue|bug|"
                r"culprit))\b",
                re.IGNORECASE)
# The writer asking the kernel's side whether the kernel must change: "Liam - could you confirm
# if this needs an actual change in the kernel? If not the test should be changed." (Lorenzo
# Stoakes on the robot's memfd_create03 report, 2024 - the kernel was changed). With it, the
# writer's own guess that it is the test ("This looks _probably_ to be a problem in the test")
# is left open.
KERNEL_ASKED = lazy(
    r"\b(?:change|fix|bug|problem|issue|regression)s?\b[^.?]{0,40}\b(?:the |a )?kernel\b"
    r"[^.?]{0,20}\?|\bkernel\b[^.?]{0,30}\b(?:change|fix|bug|problem|issue|regression)s?\b"
    r"[^.?]{0,20}\?", re.IGNORECASE)
# How far (lines) an analysis may be from the diff it introduces: a short paragraph of why
# between ("In ../../../../usr/include, there is no "sys" directory ... The only thing that
# seems to work is", then the diff).
ANALYSIS_SPAN = 12
# A commit as ``git show``/``git log -p`` prints it: "commit <sha>", then "Author:"; its diff
# follows its message within SHOWN_SPAN lines.
SHOWN_COMMIT = lazy(r"commit [0-9a-f]{12,40}\s*$")
SHOWN_SPAN = 60
REPORTED_BY = lazy(r"Reported-by:\s+\S")
# The kernel's change broke what userspace relies on, said as a verdict: "It is an ABI break as
# the man page clearly states that the above case should return -ENOMEM" (Catalin Marinas on
# CKI's mlock/8-1, 2019), "This looks like an unintended userspace ABI breakage." (Florian
# Weimer on LTP's clone(CLONE_IO) EBADF, 2020) - not "no ABI break", "not an ABI break".
ABI_BREAK = lazy(r"(?<!\bno )(?<!\bnot )(?<!\bnot an )(?<!\bnot a )\b(?:an?|the|this|that)\s+"
                 r"(?:(?:unintended|unintentional|clear|real|obvious|user[- ]?space|uapi|kernel)"
                 r"\s+){0,2}(?:ABI|uABI|UAPI)\s+(?:break(?:age)?|regression)\b|"
                 r"\b(?:breaks|broke|breaking) (?:the )?(?:user[- ]?space )?(?:ABI|uABI|UAPI)\b",
                 re.IGNORECASE)
BROKE_TESTS = lazy(r"\b(?:change|patch|commit) (?:breaks|broke)\b", re.IGNORECASE)
# "this patch is causing a regression on our CI system": the regression is the patch's; when
# the input's patch changes only the selftests, that is not a kernel regression.
PATCH_REGRESSION = lazy(
    r"\b(?:this|the|your|that) (?:patch|change|commit)\b[^.?]{0,30}\b(?:caus\w+|introduc\w+)"
    r" (?:a |the |this )?regression|"
    # "Hmm. with this patch there is a regression:" (Shuah Khan on a lib.mk patch, 2019)
    r"\bwith (?:this|the|your|that) (?:patch|change|commit|series)(?: applied)?,? there (?:is|was)"
    r" (?:a |the )?regression", re.IGNORECASE)
# A reviewer's own run with the patch under review applied, the failure right after: "I applied
# this to f09079bd04a92 and tested it ... And I hit this:" (uffd refactor v4, 2025), "With this
# series applied, I see a test failing under qemu with:", "After applying your patch, the test
# fails". When the quoted patch changes only the selftests (and adds no test), the failure is
# the patch's: the test was broken by its own change.
APPLIED_RUN = lazy(
    r"\bI (?:have |just )?(?:applied|tested|tried|gave) (?:this|these|your|the) ?"
    r"(?:patch(?:es|set)?|series|change|version|v\d+)?\b"
    r"(?! (?:kernel|machine|system|same|test))[^.?]{0,80}"
    r"\b(?:and|then|on|to|using|with)\b|"
    r"\b(?:with|after (?:applying)?) (?:this|your|the) (?:patch(?:es|set)?|series|change|version)"
    r"(?: applied)?,? (?:I (?:see|get|got|hit|saw)|\S+ (?:fails|failed|breaks|broke)|(?:the )?"
    r"(?:self)?tests? (?:fails|failed|breaks|broke)|there (?:is|was) (?:a |the )?regression)\b",
    re.IGNORECASE)
# ... and the failure it met: "And I hit this:", "fails for me with", "I see this failure".
HIT_FAILURE = lazy(r"\bI (?:hit|got|get|see|saw) (?:this|the following|these|a|an)\b|"
                    r"\bfails? (?:for me )?(?:with|like)\b|\bfailing (?:under|with|on)\b",
                    re.IGNORECASE)
# A reply saying the patch it answers breaks tests ("FYI it looks like this patch breaks all
# the guard-region mm selftests with:", Ryan Roberts on a madvise patch, 2025-06): when that
# patch changes only kernel files, the writer names the commit that brought the failure - the
# same fact as a bisect to it. (A patch to the tests themselves is a test-side statement.)
PATCH_BREAKS = lazy(r"\b(?:this|the|your|that) (?:patch|change|commit)\b[^.?]{0,20}\b"
                    r"(?:breaks|broke|is breaking|has broken)\b[^.?]{0,60}?\b(?:self)?"
                    r"tests?\b|"
                    # "We have confirmed this patch caused the LTP syscalls inotify06 test
                    # failure." (LKFT on the ucounts patch in next, 2021)
                    r"\b(?:this|the|your|that) (?:patch|change|commit)\b[^.?]{0,20}\bcaus"
                    r"(?:es|ed)\b[^.?]{0,60}?\b(?:self)?tests?\b[^.?]{0,12}?\bfail",
                    re.IGNORECASE)
# A reply naming the kernel change that brought the crash or failure in its own words, no bisect
# needed: "I gonna post an updated version of my patchset, which introduced the issue, with the
# fix merged" (Roman Gushchin on LKFT's cgroup test_core oops in next, 2023), "It looks like
# this is fallout from the LPA2 enablement" (Mark Rutland on LKFT's set_robust_list01 oops,
# 2023), "The BUG_ON was introduced by commit ..." - the same fact as a bisect to that change.
# A selftest change named so is the test's, and stays unread here.
CHANGE = (r"(?:patch(?:es|set)?|series|commits?|changes?|cleanups?|rework|enablement|"
          r"conversion|refactor(?:ing)?)")
# A run on an unfixed kernel said under a condition or in the future is a policy, not a run: "So
# if this really fixes a kernel bug it's okay that the test will fail on older kernels without
# this fix" (Cyril Hrubis on a keyctl09 patch, LTP 2022).
UNFIXED_DOUBT = lazy(r"\b(?:if|unless|whether|would|will|should|may|might|could|can|expect\w*)\b|"
                     r"'ll\b", re.IGNORECASE)
# The writer owning up to their backports in so many words: "Ok, this isn't good, something went
# wrong with my backports here.  Let me go revert them all" (Greg Kroah-Hartman on 6.6.37's
# vfree() warning and oops under LTP bpf_prog01, 2024), "I messed up the backport". Backports
# are a stable kernel's (a test suite's "I messed up the rebase" of its own patch is not this).
WENT_WRONG = lazy(r"\bsomething\s+(?:went|has\s+gone|is|was)\s+wrong\s+(?:with|in)\s+(?:my|"
                  r"our|these|the)\s+(?:[\w/.-]+\s+){0,2}?backports?\b|"
                  r"\bI\s+(?:messed|screwed|mucked)\s+up\s+(?:my|the|these|those)\s+"
                  r"(?:[\w/.-]+\s+){0,2}?backports?\b", re.IGNORECASE)
INTRODUCED = lazy(
    r"\b(?:my|the|this|that|his|her|their|your|[A-Z][\w-]*'s)\s+(?:[\w/.-]+\s+){0,3}?" + CHANGE
    + r"\b[^.?;]{0,40}?\b(?:which|that)\s+(?:has\s+|have\s+)?(?:introduced|caused|broke)\s+"
    r"(?:the|this|it|these)\b|"
    r"\b(?:fallout|breakage)\s+(?:from|of)\s+(?:the\s+|my\s+|your\s+|[A-Z][\w-]*'s\s+)?"
    r"(?:[\w/.-]+\s+){0,4}?" + CHANGE + r"\b|"
    r"\b(?:was|were|is|got)\s+(?:introduced|caused)\s+by\s+(?:commit\s+[0-9a-f]{7,40}\b|"
    r"(?:the|my|your|[A-Z][\w-]*'s)\s+(?:[\w/.-]+\s+){0,3}?" + CHANGE + r"\b)",
    re.IGNORECASE)
INTRODUCED_DOUBT = lazy(r"\b(?:not|n't|never|no|if|whether|maybe|perhaps|might|could)\b|"
                        r"\bself-?tests?\b|\btests?\s+" + CHANGE, re.IGNORECASE)
# A maintainer suspecting the emulator the crash ran under, not concluding: "Supposedly TCG x86
# is known 'funny' and if that's what you're using it would be very good to confirm the problem
# on x86 hardware" (Peter Zijlstra on LKFT's int3 oopses under QEMU on cloud hosts, 2023), "could
# this be a QEMU bug?", "I'd like to see it reproduced on real hardware". A doubt about the
# kernel's crash, no verdict: the crash stays unexplained.
EMULATOR_WORD = r"(?:TCG|QEMU|qemu(?:-[\w-]+)?|emulat(?:or|ion)|FVP|simulator)"
EMULATOR_DOUBT = lazy(
    r"\b" + EMULATOR_WORD + r"\b[^.?]{0,40}?\b(?:is|are)\s+(?:\w+\s+)?known\s+(?:to\s+be\s+)?"
    r"['\"`]?(?:funny|buggy|broken|flaky|quirky|problematic|unreliable)\b|"
    r"\bconfirm\s+(?:the\s+(?:problem|crash|issue|bug|oops)|it|this)\s+on\s+(?:real\s+|"
    r"physical\s+|x86\s+|arm64\s+|actual\s+)?(?:hardware|bare[- ]metal|(?:a\s+)?real\s+"
    r"machines?)\b|"
    r"\b(?:reproduc\w+|see|seen|trigger\w*)\s+(?:it\s+|this\s+|the\s+\w+\s+)?(?:on|with)\s+"
    r"(?:real|physical|actual)\s+(?:hardware|machines?)\b|"
    r"\b(?:could|might|may|can)\s+(?:this|it|that)\s+be\s+(?:a\s+|an\s+)?" + EMULATOR_WORD
    + r"\s+(?:bug|issue|problem)\b",
    re.IGNORECASE)
# A reply showing the code at fault ("The offending code seems to be:") when that code is the
# test's own check - it calls the test framework's failure reporting: "ksft_exit_fail_msg(\"SP is
# not on sigaltstack\n\")" under "register unsigned long sp asm(\"sp\")" (Andy Lutomirski on
# LKFT's sigaltstack bail-out with clang, 2023: "asm(\"sp\") is a horrible hack"; the selftest
# was fixed to use current_stack_pointer). Kernel code shown so is the kernel's, unread here.
OFFENDING = lazy(r"\b(?:the\s+)?(?:offending|culprit|buggy|broken|problematic|faulty)\s+"
                 r"(?:code|line|lines|snippet|check)\s+(?:seems\s+to\s+be|is|are|looks\s+like|"
                 r"appears\s+to\s+be)\b|\bthe\s+code\s+(?:at\s+fault|to\s+blame)\b",
                 re.IGNORECASE)
TEST_API_CALL = lazy(r"\b(?:ksft_(?:exit_fail_msg|test_result_fail|exit_fail|print_msg)|"
                     r"tst_res[mp]?|tst_brk[mp]?|tst_resm|ksft_test_result)\s*\(|"
                     r"\b(?:ASSERT|EXPECT)_(?:EQ|NE|TRUE|FALSE|LT|LE|GT|GE)\s*\(")
# The kernel's own source directories (not lib/: a test framework has one too).
KERNEL_DIRS = lazy(r"^(?:\.\.\./)?(?:arch|block|crypto|drivers|fs|include|init|io_uring|"
                   r"ipc|kernel|mm|net|security|virt)/")
# A maintainer saying the bisect points at the wrong commit: "So I think is a false-positive
# bisection result", "the hugepage use of padata has nothing to do with the patch in question".
BISECT_DISPUTED = lazy(
    # ("the previous bisection was totally wrong", linux-arm-kernel 2019: an adverb between)
    r"\bfalse[- ]positive bisect|\bbisect(?:ion)?(?: result)? (?:is|was|looks|seems) "
    r"(?:\w+ly )?(?:wrong|bogus|unreliable|broken|a false positive)|"
    r"\bnothing to do with (?:the|this) (?:patch|commit|change)\b|"
    # The bisected commit broke what the test assumed, not the kernel: "I'm suspecting that the
    # changes in 6b008640db73 (...) broke the heuristics in stack_clash.c" (Andrew Morton on
    # LTP's cve-2017-1000364, 2025); "invalidates the assumptions of the test", "the test relied
    # on the old behaviour". Hedged or not, the bisect no longer names a kernel bug.
    r"\b(?:broke|breaks|broken|invalidat\w+)\s+(?:the\s+)?(?:\w+\s+)?(?:heuristics?|"
    r"assumptions?|expectations?)\s+(?:in|of|made\s+by)\s+(?:the\s+)?(?:[\w-]+\.c\b|"
    r"(?:\w+\s+)?(?:self)?tests?\b|ltp\b)|"
    r"\b(?:the\s+)?(?:self)?test\s+(?:relies|relied|depends|depended|was\s+relying|is\s+relying)"
    r"\s+on\s+(?:the\s+)?(?:old|previous|former|undocumented)\s+behaviou?r\b|"
    r"\bbisect(?:ion)?\b.{0,40}\bred herring\b|"
    # The reporter disowning his own bisect: "But upon reverting the first bad commit issue is
    # still seen. So please ignore, if the bisection dosent help" (IBM Power CI, sigfuz, 2025)
    r"\bignore\b[^.?]{0,30}\bbisect|"
    r"\brevert\w*\s+(?:the\s+|this\s+|that\s+)?(?:first\s+bad|bisected|offending|identified|"
    r"suspect(?:ed)?)\s+(?:commit|patch|change)\b[^.?]{0,40}?\b(?:still\s+(?:seen|see[ns]?|"
    r"there|present|reproduc\w*|fail\w*|happen\w*|occur\w*|hit)|(?:does|did)\s?n[o']t\s+"
    r"(?:help|fix|go\s+away|resolve))|"
    # ... or anyone calling a bisect of this failure unreliable: "Bisecting might give you
    # wrong results, as the problems ... do not reproduce reliably", "bisecting gives odd
    # results" (linuxppc-dev, 2025), "this bisection was inconclusive" (linux-next, 2025)
    r"\bbisect(?:ion|ing)?\b[^.?]{0,30}\b(?:might|may|could|can)\s+(?:give\s+(?:you\s+)?)?"
    r"(?:be\s+)?(?:wrong|odd|bogus|misleading|incorrect)\b|"
    r"\bbisect(?:ion|ing)?\b[^.?]{0,20}\b(?:was|is|were|gives?|gave)\s+(?:\w+\s+)?"
    r"(?:inconclusive|odd|unreliable|misleading)\b", re.IGNORECASE)
# A named commit with its subject: 912efa17e512 ("mm: proc: Invalidate TLB after ...").
COMMIT_SUBJECT = lazy(r"\b[0-9a-f]{12,40}\s+\(\"(?P<subject>[^\"]{4,})\"\)")
# The kernel test robot's subject names the commit by its subject's prefix and short hash:
# "[selftests/nolibc] 362aecb2d8: kernel-selftests.nolibc.make_fail", "[linus:master] [mm]
# 0a1b2c3d4e: ..." (the tree in the first brackets has a colon, the commit's prefix none).
ROBOT_SUBJECT = lazy(r"\[(?P<prefix>[^\]:]{2,60})\]\s+[0-9a-f]{10,12}:\s")
# A revert experiment: "after I reverted the patch ... one test failed", "with X reverted the
# test passes".
REVERT_EXPERIMENT = lazy(r"\brevert(?:ed|ing)\b[^?]{0,120}?\b(?:fail(?:s|ed)?|caught|"
                         r"pass(?:es|ed)?|reproduc\w*)\b", re.IGNORECASE)
# (a robot names a patch it took from a list with its tag and a subsystem before it:
# ("[PATCH] selftests/kselftest/runner.sh: Add ..."), ("[PATCH v4 7/8] tracing/selftests: Add
# tests for hist trigger expression parsing"))
SELFTEST_SUBJECT = lazy(r"\s*(?:\[[^\]]{1,40}\]\s*)?(?:[\w-]+/)?selftests?\b", re.IGNORECASE)
# ... unless the revert changed nothing: "with it reverted the test still fails".
REVERT_NO_CHANGE = lazy(r"\bstill (?:fail|pass|see)|\b(?:didn't|did not|doesn't|does not|"
                        r"won't) (?:help|change|fix|make)|\bsame (?:failure|result)",
                        re.IGNORECASE)
# A kselftest_harness test name in prose: "memory_failure.madv_hard.clean_pagecache".
# (each part a name: a library's soname, "libc.so.6" in gdb's backtrace under LTP vma05's
# "the vma05 test logic is flawed", 2025, or a version "glibc.2.28" is none)
HARNESS_NAME = lazy(r"\b[A-Za-z]\w*\.(?!so\b)[A-Za-z_]\w*\.[A-Za-z_]\w*\b")
RUNNER_SCRIPTS = lazy(
    r"(?:^|/)(?:run_vmtests(?:\.sh)?|run_kselftest\.sh|runner\.sh|settings)\}?$")
# A script's own huge page setup named as the cause ("The va_high_addr_switch test requires 6
# hugepages, not 5 ... caused by not enough hugepages"): a patch that changes only shell scripts
# for it fixes how the script prepares the run, as a runner's fix does.
HUGE_SETUP = lazy(r"\b(?:requires?|needs?|allocates?|reserves?)\s+\d+\s+huge ?pages\b|"
                  r"\bnot enough (?:free )?huge ?pages\b", re.IGNORECASE)
# Environment rules whose evidence a fix to the scripts that start the tests explains: the
# script could not start a command ("command not found", "No such file or directory").
LAUNCH_RULES = ("binary-cannot-start",)
# what the kernel reports it supports, against what the test assumed: "check these returned
# flags to see if the features are *actually* supported" (the userfaultfd selftest, 2021)
ACTUALLY_SUPPORTED = r"\b(?:is|are)(?:n't|\s+not)?\s+\*?actually\*?\s+supported\b"
# What the platform lacks (an architecture's option, a CPU feature, huge pages of a size): a
# selftest-only patch that says the test assumed it, or probed it wrongly, explains that
# evidence - the test is what changes: "We currently assume that the hugetlb page size is 2
# MiB" (hugetlb_fault_after_madv skipped on s390x's 1 MiB pages, 2024), "check the features
# the way the UFFD API intends ... to see if the features are *actually* supported" (the
# userfaultfd selftest tried uffd-wp on aarch64, 2021).
# (rule ids, or the causes several rules name)
PLATFORM_RULES = ("arch-unsupported", "hugetlb-pages-short", "hugetlbfs-pagesize-unsupported")
# A full or read-only place the test itself chose to write to: a patch that changes only the
# test (its path, its sizes) and does not make it skip says the test wrote where it should not
# - "/" on a read-only root instead of its temporary directory (LTP hugemmap11, "#define
# NORMAL_PATH "./""), more than its own 300 MB test device holds on 64K pages (cachestat01)
OWN_FILE_RULES = ("fs-full", "fs-read-only")
# ... unless the patch makes the test skip there: then the machine lacks what the test needs
MAKES_SKIP = lazy(r"\bskip(?:s|ped|ping)?\b|\bTCONF\b|\bksft_exit_skip\b|\bKSFT_SKIP\b",
                  re.IGNORECASE)
# (not "tests ... which assume it is supported" of a feature the architecture lacks and no
# probe can tell: "arm64 does not support the soft-dirty PTE bit", the tests now skip on arm64
# - the architecture's, 2023)
ASSUMED = lazy(r"\b(?:we|it|the test|this test)\s+(?:currently\s+|simply\s+|just\s+)?"
               r"(?:assume[sd]?|hard-?code[sd]?)\b|\bhard-?coded\s+(?:\d|page|size|value)|"
               + ACTUALLY_SUPPORTED, re.IGNORECASE)
# A created file that is a new test (a program or script), not a runner's settings or config.
NEW_TEST = lazy(r"\.(?:c|sh|py)$")
# A patch that adds a test case to an existing selftest says so: "Let's add a simple reproducer
# for a scenario where GUP-fast could succeed on secretmem folios" (memfd_secret, 2024), "Patch
# #2 extends the memfd_secret selftest to cover that case", "add a regression test for ...".
# Like a new test file, it reproduces a (kernel) bug; it does not fix the test.
ADDS_TEST = lazy(
    r"\b(?:add|adds|added|adding|introduc\w+)\s+(?:a\s+|an\s+)?(?:simple\s+|new\s+|small\s+)?"
    r"(?:reproducer|regression\s+test|test\s*case)s?\b|"
    r"\bextend\w*\s+(?:the\s+)?[\w/-]+\s+(?:self)?tests?\s+to\s+cover\b|"
    # "Let's test whether R/O long-term pinning is reliable for non-anonymous memory ... For
    # now, all tests fail" (cow, 2022: the kernel patches later in the series fix them)
    r"\blet'?s\s+(?:also\s+)?test\s+(?:whether|if)\b|"
    r"\bfor\s+now,?\s+(?:all|the|these)\s+(?:new\s+)?(?:tests|cases)\s+fail\b|"
    # "Add tests for new UFFDIO_MOVE ioctl which uses uffd to move ..." (uffd-unit-tests, 2023),
    # "Add a new test `migrate.cow_after_fork` that verifies ..." (rmap, 2025): the patch's own
    # first words; a test it adds to an existing file is a new test all the same
    r"^(?:add|adds|adding)\s+(?:a\s+|some\s+|more\s+)?(?:new\s+)?(?:self)?tests?\b"
    r"(?:\s+`?[\w.-]+`?)?\s+(?:for|to\s+(?:check|cover|verify|test)|that|which)\b",
    re.IGNORECASE)

# "a problem with the test machine", "a bug in the test infrastructure": the lab, not the test.
# ("any problems in our test flow": the kernel test robot asking about its own procedure,
# 2022)
NOT_THE_TEST = (r"infra\w*|machines?|lab|systems?|environments?|setup|rigs?|hosts?|farm|boards?|"
                r"servers?|beds?|devices?|hardware|runs? on\b|flows?\b|procedures?\b|"
                r"pipelines?\b")
# An author answering a quoted claim: "I don't think so", "I disagree", "No, ...".
DISAGREES = lazy(r"^(?:no[,.!]|nope\b|not really\b|not quite\b)|\bI (?:don't|do not) "
                 r"(?:think|agree|believe)\b|\bI disagree\b|\bthat'?s not (?:it|right|"
                 r"true|the case)\b|\b(?:isn't|is not) (?:a|the) test(?:'s)? (?:bug|fault)",
                 re.IGNORECASE)
# What a change broke, when that is tests: "breaks some of the uffd-stress tests", "broke the
# cow tests" - not "breaks a pattern in the way tests are run" (how tests run is not a failure).
BROKEN_TESTS = (r"(?!(?:a|the|how)\s+(?:way|pattern|order|behaviou?r|format|output|"
                r"tests? (?:are|is))\b)"
                r"(?:(?:the|these|those|some|several|a few|many|all|other|existing|\d+)\s+)?"
                r"(?:of\s+the\s+)?(?:[\w./-]+\s+){0,2}(?:self)?tests?\b")
# A test newer than the kernel it runs on: "the test has been adapted to check the upstream
# behavior", "Relax layers check for older kernels" (unionmount-testsuite on Ubuntu's 4.4, 2020),
# "Prevent test run failure on older kernels" (balena, 2022). The test's logic, whatever
# filesystem it tests.
NEWER_KERNEL = (
    r"\b(?:self)?tests?\b[^.?]{0,40}\b(?:adapted|updated|changed|written)\b[^.?]{0,30}\b(?:to|for)"
    r"\b[^.?]{0,20}\b(?:upstream|newer|recent|latest)\b[^.?]{0,12}\b(?:kernels?|behaviou?r)\b|"
    r"\b(?:relax|skip|prevent)\w*\b[^.?]{0,50}\b(?:checks?|tests?|failures?)\b[^.?]{0,10}"
    r"\b(?:for|on|with) older kernels\b")
# A CI owner naming its own infrastructure ("an infrastructure bug related to our test harness",
# CKI 2020): the "false positives" the same thread then apologises for are the CI's, not a test's.
CI_INFRA_WORDS = lazy(r"\binfra(?:structure)?\s+(?:problem|issue|bug|failure|outage)s?\b",
                      re.IGNORECASE)
# A prose line that says the test (or its runner) is at fault.
# An unsupported answer the maintainers say the test must turn into a skip: "`EOPNOTSUPP` should
# endup as `TCONF`", "quit with `TCONF` instead of `TBROK`", "the test should be fixed to be able
# to handle EOPNOTSUPP" (LTP #1007, 2023), "We just need to add the ```ENOTSUPP``` as well" after
# "we already handle ```EINVAL``` ... and return ```TCONF```" (LTP #81, 2016): the test fails
# where it should probe and skip (test-wrong-feature-probe).
SKIP_INSTEAD = (
    r"\b(?:should|must|needs?\s+to|has\s+to|have\s+to)\s+(?:(?:\w+|`+\w+`+)\s+){0,3}?(?:end\s*up|"
    r"result|be\s+reported|be\s+turned\s+into|quit|exit|bail\s+out|return|report)\s+(?:as|in|"
    r"with|into)?\s*(?:a\s+)?`*(?:TCONF|KSFT_SKIP|XFAIL|skip)\b|"
    r"`*\b(?:TCONF|KSFT_SKIP|skip)`*\s+instead\s+of\s+(?:a\s+)?`*(?:TBROK|TFAIL|FAIL|fail\w*|"
    r"error\w*|broken|breaking)\b|"
    r"\b(?:test|it)\s+should\s+be\s+fixed\s+to\s+(?:be\s+able\s+to\s+)?handle\s+`*E(?:OPNOTSUPP|"
    r"NOTSUPP?|NOSYS)\b|"
    r"\bhandle\s+(?:the\s+)?(?:errno\s+)?`*E(?:OPNOTSUPP|NOTSUPP?|NOSYS)\b[^.?]{0,40}\bTCONF\b|"
    r"\b(?:need\s+to|should|must)\s+(?:add|handle|check\s+for)\s+(?:the\s+)?`*E(?:OPNOTSUPP|"
    r"NOTSUPP?|NOSYS)`*\s+as\s+well\b|"
    # "I guess that the best solution would be just report TCONF on ENOTTY" (Cyril Hrubis on
    # the NS_* ioctls missing in 32-bit compat mode, LTP ioctl_ns01, 2019)
    r"\b(?:best|right|correct|proper|simplest)\s+(?:solution|fix|way|thing(?:\s+to\s+do)?)\s+"
    r"(?:would\s+be|is)\s+(?:just\s+|simply\s+)?(?:to\s+)?(?:report|return|exit\s+with|quit\s+"
    r"with|end\s+with)\s+(?:a\s+)?`*(?:TCONF|KSFT_SKIP|skip)\b")
TEST_SIDE = lazy(
    r"\b(?:bug|issue|problem|mistake|flaw)s? (?:is )?(?:in|with|of) (?:the |this |our )?"
    r"(?:self)?test(?:s|case)?\b(?![- ](?:" + NOT_THE_TEST + r"))|"
    # "there was an error in the test itself that was mixing namespaces" (LTP landlock04's
    # author agreeing with the Landlock maintainer, 2024) - not an error in the test's output
    r"\b(?:an?|the) error (?:is |was )?in (?:the |this |our )?(?:self)?test(?:\s?case)?"
    r"(?: itself| code| logic)?\b(?![- ](?:output|logs?|results?|runs?|messages?|suite|"
    r"harness|" + NOT_THE_TEST + r"))|"
    # "a _stupidity_ in the testing", "As the test code unconditionally assumes /tmp is ..."
    r"(?<![A-Za-z])(?:stupidit(?:y|ies)|silliness)_?\s+in\s+(?:the\s+)?test(?:ing|s)?\b|"
    r"\bthe (?:self)?test(?:s|case)?(?: code)? (?:\w+ly |just |always )?assumes?\b|"
    # the test's author taking the failure on: "I will fix the assertion failure in the
    # remote_collapse test" (process_madv, July 2025)
    r"\bI(?:'ll| will| am going to| shall) fix\b[^.?]{0,60}\bin (?:the|this|my) [\w.-]+ "
    r"(?:self)?test\b|"
    # "Thus I think the test case is flawed:" (Manfred Spraul on LTP shmget02, 2023)
    r"\b(?:self)?test(?:\s?case)? (?:itself )?(?:is|was|looks|seems) (?:wrong|broken|buggy|"
    r"incorrect|bogus|flawed)\b|"
    r"\bfalse (?:test )?(?:positive|failure|alarm)s?\b|"
    # the test to be redone, not the kernel: "test should be reworked to verify the page
    # contents is on disk" (Jan Kara on LTP msync04, ltp #1157), "he thinks the test should be
    # fixed instead" (Tejun Heo on LTP cpuset_hotplug, ltp #693)
    r"\b(?:self)?test(?:\s?case)?s?\s+(?:should|must|needs?\s+to|has\s+to|have\s+to)\s+be\s+"
    r"(?:reworked|rewritten|redesigned|fixed\s+instead|changed\s+instead|fixed\s+rather)\b|"
    # "The test was just too dependent on the implementation details" (mlock2, 2020)
    r"\b(?:self)?test (?:was|is) (?:just |simply )?(?:too |overly )?(?:dependent|reliant|relying)"
    r" on (?:the )?(?:kernel'?s? )?(?:implementation|internal)|"
    r"\bfail(?:s|ed|ing)? unnecessarily\b|"
    # the test's own workload or parameters explaining its time out or failure on a machine
    # with big pages: "the tests actually does memset() over two huge pages in a loop that does
    # 1000 iterations ... No wonder that this timeouts for 512MB pages" (Cyril Hrubis on LTP
    # move_pages12, ltp #387), "Obviously the test does not work with 512MB hugepages on
    # aarch64" (on LTP hugemmap24, ltp #1022), "the test takes too long with 1GB pages", "the
    # timeout is too short for 64k pages"
    r"\bno wonder\b[^.?]{0,40}?\b(?:time[sd]?[- ]?outs?|timing[- ]out|runs? (?:so |too |that )?"
    r"long|takes? (?:so |too |that )?long)\b|"
    r"\b(?:self)?test(?:\s?case)?s?\s+(?:just\s+|simply\s+|obviously\s+|clearly\s+)?"
    r"(?:does(?:n't| not)|do(?:n't| not)|can(?:'t|not)|won't|will not)\s+work\s+(?:with|on|for)"
    r"\s+(?:so\s+|such\s+)?"
    r"(?:large|big|huge|larger|bigger)?\s*(?:\d+\s?[KMG]i?B?\s*)?(?:huge\s?pages?|hugetlb\s+pages?|"
    r"pages?|page\s?sizes?)\b|"
    r"\b(?:self)?test(?:\s?case)?s?\s+(?:just\s+|simply\s+)?(?:takes|runs|needs)\s+(?:far\s+|way\s+|"
    r"much\s+)?(?:too\s+long|longer\s+than\s+(?:the|its)\s+(?:time\s?out|time\s+limit))\b|"
    r"\b(?:the\s+|its\s+|this\s+)(?:default\s+)?time\s?out\s+(?:is|was)\s+(?:just\s+|simply\s+|"
    r"way\s+|far\s+)?too\s+(?:short|low|small|tight)\b|"
    # a test that uses a filesystem feature unchecked: "Apparently it tries to use O_DIRECT
    # without checking for FS support first" (gocryptfs #244, xfstests generic/391, 2018)
    r"\b(?:without (?:first )?checking|(?:does ?n[o']t|never|fails? to) (?:first )?check)"
    r" (?:for |whether |if |that )?(?:the )?(?:underlying )?(?:fs|file ?systems?)(?:'s?)?"
    r" (?:supports?|can)\b|"
    # a feature the test uses unconditionally: "... is not universally available and needs to
    # be probed at runtime" (LTP userfaultfd05, 2026), "the feature probing is wrong"
    r"\b(?:needs?|has|have|must) (?:to )?be probed\b|"
    r"\bfeature prob(?:e|ing) is (?:wrong|broken|incorrect|buggy)\b|"
    + SKIP_INSTEAD + r"|"
    r"\b(?:causing|leading|causes|leads) the test(?:s)? to fail\b|"
    # a test's own check that dies where it should say "no": "`check_hugetlb_rsvd()` calls
    # `get_tlb_sizes()` before checking for the hugetlb controller ... So the condition panics
    # instead of returning false" (youki #3730, on a kernel without hugepages; fixed in the
    # test), "the test crashes instead of skipping" - said of the test's code, not the kernel
    r"\b(?:condition|check|probe|helper|guard|(?:self)?test(?:s|\s?case)?)\s+(?:\w+\s+){0,2}?"
    r"(?:panics?|panicked|crash(?:es|ed)?|aborts?|aborted|dies|died|fails?|failed|errors?\s+out|"
    r"bails?\s+out)\s+instead\s+of\s+(?:(?:just\s+|simply\s+)?returning\s+(?:false|0|an?\s+"
    r"error)|(?:just\s+|simply\s+)?skipping|being\s+skipped|reporting\s+(?:a\s+)?skip)\b|"
    # the maintainers settling that the test cannot do its job on an architecture: "I agree we
    # can skip test on i386 firstly since we are currently still not support in this test case"
    # (LTP clone10's CLONE_SETTLS check built -m32, 2026), "the test should be skipped on
    # 32-bit", "this is not supported by the test on s390"
    r"\bskip(?:ped)?\s+(?:the\s+|this\s+)?(?:self)?test(?:\s?case)?s?\s+(?:on|for|under)\s+"
    r"(?:(?:all|any)\s+)?(?:i[3-6]86|x86[_-]?32|32[- ]?bits?|compat|arm(?:32|v7)?|ppc(?:32)?|"
    r"s390x?|riscv\d*|aarch64|arm64|mips\w*|big[- ]endian|\w+\s+arch(?:itecture)?s?)\b|"
    r"\bnot\s+support(?:ed)?\s+(?:\w+\s+)?(?:in|by)\s+(?:this|the)\s+(?:self)?test(?:\s?case)?\b|"
    r"\b(?:test|selftest)[- ]bug\b|"
    # the maintainer taking the fix to the test suite: "it's just that test is taking longer
    # than expected and hits timeout. I'll look into proposing LTP patch for this issue" (Jan
    # Stancek on a CKI LTP failure, 2020), "Agreed, I already sent a patch to LTP to blacklist it"
    # (Jan Stancek on LTP read_all reading debugfs regmap files, 2019), "this needs to be fixed
    # in LTP"
    r"\bI(?:'ll| will| am going to| plan to| intend to)\s+(?:look\s+into\s+|try\s+)?(?:to\s+)?"
    r"(?:propos|send|post|submit|prepar|writ)\w*\s+(?:an?\s+|the\s+)?(?:LTP|(?:self|k?self)?"
    r"tests?|test\s?case)\s+(?:patch|fix)\b|"
    r"\bI(?:'ll| will|'ve| have)?\s+(?:already\s+)?(?:send|sent|post|posted|submit|submitted)\s+"
    r"(?:an?\s+)?(?:patch|fix)\s+(?:for|to)\s+(?:the\s+)?(?:LTP|(?:k?self)?tests?|test\s?case)\b|"
    r"\b(?:needs?|has|have)\s+to\s+be\s+fixed\s+in\s+(?:the\s+)?(?:LTP|(?:k?self)?tests?|"
    r"test\s?case|test\s?suite)\b|"
    # "using gcc it will run into a testcase\nbug because the vdso_test_abi.c file incorrectly
    # mixes libc types and kernel types" (Arnd Bergmann, vDSO selftest, 2025)
    r"\btest\s?case\s+bugs?\b|"
    # the test framework's own bug: "it looks like it's a framework bug" (Mark Brown on the
    # kselftest harness failing arm64's pac test, 2025), "a kselftest harness bug"
    r"\b(?:it'?s|is)\s+an?\s+(?:(?:test(?:ing)?|kselftest|selftests?)\s+)?(?:framework|"
    r"harness)\s+bug\b|\bbug\s+in\s+(?:the\s+)?(?:kselftest|selftests?|test(?:ing)?)\s+"
    r"(?:framework|harness)\b|"
    # a test that assumes 4K pages, run on a 16K/64K-page kernel: "all the hardcoded 4096es
    # make me suspicious" (cloud-hypervisor, 2026), "Fix more 4k pages assumptions in tests"
    # (rr, 2022), "Hard coded ... in runtest/mm causes test failure" (LTP mm01, 2020)
    r"\bhard[- ]?coded\b[^.?]{0,80}?(?:\b4096(?:e?s)?\b|\b4 ?Ki?B?\b|\bpage ?sizes?\b|"
    r"\bPAGE_SIZE\b|\bcaus\w+ (?:the |a )?(?:self)?tests? (?:to )?fail)|"
    r"\b(?:4 ?k|4096)[- ]?(?:byte )?pages? assumptions?\b|\bpage[- ]size assumptions?\b|"
    # "Assuming page_size is 4k makes other OSes fail this unit test" (vectorscan, 2026), "incorrect
    # assumption about page size" (rocksdb, 2016), "Test 1595 fails on systems with PAGESIZE !=
    # 4096" (pcp on ppc64le, 2024)
    r"\bassum\w*\b[^.?]{0,20}\bpage[_ ]?size\b[^.?]{0,6}\b(?:is |of |= ?|== ?)?(?:4 ?k|4096)\b|"
    r"\b(?:incorrect|wrong|bad|invalid) assumptions? about (?:the )?page[_ ]?sizes?\b|"
    r"\bfail\w*\b[^.?]{0,40}\b(?:with|where|when) (?:the )?(?:PAGE_?SIZE|page[_ ]?size)\s*"
    r"(?:!=|<>|is not|isn't|other than|larger than|>)\s*(?:4096|4 ?k)\b|"
    + NEWER_KERNEL + "|"
    # "Bogus slice values in tests/mremap-expand-slice-collision.c" (libhugetlbfs, 2024)
    r"\b(?:bogus|wrong|incorrect|invalid)\b[\w\s-]{0,30}\b(?:values?|sizes?|constants?|"
    r"offsets?|addresses?)\s+in\s+(?:the\s+)?(?:tests?/|[\w.-]+ (?:self)?test\b)|"
    r"\bnot an? (?:kernel|real) (?:bug|issue|problem|regression)\b|"
    r"\b(?:boils down to|the problem is|is caused by|the cause (?:of [\w\s.,/-]{0,160})?is)\b"
    r".{0,60}\b(?:run_vmtests\.sh|the (?:self)?test|running (?:on|in|from))|"
    r"\b(?:this|the) (?:change|patch|commit) (?:breaks|broke) " + BROKEN_TESTS + "|"
    # "The addition of this test causes 2 later tests to fail": one test (or the runner)
    # breaks the tests after it. A patch causing failures is not this: that is the patch's bug.
    r"\b(?:this|that|the|new|earlier|previous) (?:test|script|run_vmtests\.sh|runner)\b"
    r"[^.?]{0,40}\b(?:causes|caused|causing|makes|made)\b[^.?]{0,30}\btests?\b[^.?]{0,12}"
    r"\bfail",
    re.IGNORECASE,
)
# Prose that points the other way or marks a known kernel issue: then nothing is stated.
KERNEL_SIDE = lazy(
    # ("our kernel SRU regression test" names a kind of test, not a regression)
    # ("[Not a kernel regression]", LKFT's own tag on a report it has ruled out, 2025)
    r"(?<!not a )(?<!not an )(?<!\bno )\b(?:kernel|real) (?:bug|regression)\b"
    r"(?! in the test| test)|"
    # (a regression a kernel fix caused and that was reverted is gone: "the fix caused a
    # regression and had to be reverted", ltp #693)
    r"(?<!not a kernel )(?<!not a )\bregress(?:ion|ed)\b"
    r"(?! tests?\b| testing\b| suites?\b)(?![^.]{0,40}\b(?:had to be|was|"
    r"got|been) reverted\b)|"
    r"\bkernel (?:has|had) (?:a |the |this )?bug\b|\bbug in the kernel\b|"
    r"(?-i:\bXFAIL\b)(?!:)|\bknown (?:kernel )?issue\b|\bexpected to fail\b",
    re.IGNORECASE,
)
ADAPTS = lazy(FOLLOWS_KERNEL, re.IGNORECASE)
# The writer does not know which side it is: "i am not sure whether the problem is with the
# kernel version itself (3.14) or with the test cases itself" (LTP add_key02, 2017) - a
# question, whatever its punctuation.
# A request is no verdict either: "Please help give some guidance if there are any problems in
# our test flow" (the kernel test robot, 2022).
UNSURE = lazy(r"\b(?:not sure|unsure|(?:don'?t|do not) know|no idea|wonder\w*)\b"
              r"[^.]{0,30}\b(?:whether|if)\b|\bwhether\b[^.?]{0,100}\bor\b|"
              r"\bif there (?:is|are|was|were) any\b|"
              r"\bplease (?:help|check|confirm|advise|let (?:us|me) know)\b[^.]{0,60}"
              r"\b(?:if|whether)\b",
              re.IGNORECASE)
# A kernel fix named in prose: "It was fixed in the commit: \"KEYS: fix dereferencing NULL
# payload with nonzero length\"" (LTP add_key02, 2017), "fixed upstream by commit 1234abcd".
KERNEL_FIXED = lazy(
    r"\b(?:was|is|been|got|it'?s) fixed\b[^.?]{0,30}\b(?:in|by) (?:the |this |a )?(?:upstream "
    r")?(?:kernel )?commit\b(?:[:\s]+(?:[0-9a-f]{7,40}\s*)?\(?[\"'`]?(?P<subject>[^\"'`)]{4,}))?",
    re.IGNORECASE)
# ... or a release named with the fix's subject: "Seems fixed in 3.18.6:" and on the next line
# "\"vm: make stack guard page errors return VM_FAULT_SIGSEGV rather than SIGBUS\"" (NixOS, 2015)
FIXED_IN_RELEASE = lazy(
    r"\bfixed\b[^.?]{0,20}\bin (?:v|linux[- ]|kernel )?\d+\.\d+(?:\.\d+)?(?:-rc\d+)?\b[:\s]+"
    r"[\"'`](?P<subject>[^\"'`]{4,})", re.IGNORECASE)
# A kernel commit given by its link ("https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/
# linux.git/commit/drivers/tee?h=v5.9&id=c5b4312bea5d...") - not a selftests path ...
KERNEL_COMMIT_URL = lazy(r"\bgit\.kernel\.org/\S*/commit/(?!\S*(?:selftests|tools/testing))"
                         r"\S*\bid=[0-9a-f]{7,40}")
# ... and the test passing once it is applied: "With the changes applied, loop/010 test passed"
# (blktests, 2024), "Backported those 2 patches and it is now passing" (OP-TEE, 2020).
APPLIED_PASSES = lazy(
    r"\b(?:backport(?:ed|ing)|appl(?:ied|ying)|cherry[- ]pick(?:ed|ing)|with)\b[^.?]{0,30}"
    r"\b(?:patch(?:es)?|commits?|changes|fix(?:es)?)\b[^.?]{0,40}\b(?:(?:test|it)s? )?"
    r"(?:(?:is|are) )?(?:now )?pass(?:es|ed|ing)?\b", re.IGNORECASE)
URL = lazy(r"(?<!\S)\S+?://\S+")  # from a word's start: linear on a long word
# a markdown link keeps its words: "The `mmap` [does not](https://...) fail" (WSL #4873)
MD_LINK = lazy(r"\[([^\]\n]{1,200})\]\([^)\s]{1,2000}\)")
# ... or the test set against the cause named: "I think it is a known bug of glibc rather than
# a bug of test case" (LTP pwritev201 on 4.4, 2019), "an issue with the toolchain rather than
# with the test", "instead of a test bug".
NEGATED = lazy(r"\b(?:not|n't|no)\b[^.]{0,20}\b(?:test[- ]bug|bug in the test|"
               r"problem (?:in|with) the test|false positive)|"
               r"\b(?:rather than|instead of)\s+(?:(?:a|an|the)\s+)?(?:(?:bug|issue|problem|fault)"
               r"s?\s+(?:in|of|with)\s+(?:the\s+|this\s+)?(?:self)?test|(?:self)?test[- ]bug|"
               r"(?:with|in)\s+the\s+(?:self)?test)", re.IGNORECASE)
# What kind of test-side cause the prose describes.
FS_ASSUMPTION = lazy(
    r"\b(?:tmpfs|ramfs|memory file ?systems?|nfs|9p|virtiofs|overlayfs|fuse|"
    r"(?:on|in|from) (?:a |the )?\w+ (?:file ?system|fs)\b|"
    r"\b(?:fs|file ?systems?)(?:'s?)? (?:that |which )?support(?:s|ing)?\b)",
    re.IGNORECASE,
)
FEATURE_PROBE = lazy(
    r"\b(?:needs?|has|have|must) (?:to )?be probed\b|\bfeature prob(?:e|ing)\b|"
    r"\bkernels? (?:that|which) (?:do(?:es)? not|don't|doesn't) (?:support|have|provide)\b|"
    r"\bon (?:an?\s+|the\s+)?kernels? without\b|"
    r"\bfeature (?:is )?not (?:supported|available|advertised)\b|"
    r"\bfirst query supported features\b|"
    + ACTUALLY_SUPPORTED + r"|"
    + SKIP_INSTEAD + r"|"
    # "the test assumes that SHM_HUGETLB is available when it probably isn't" (stress-ng, 2023)
    r"\bassum\w* (?:that )?(?:the )?[\w./-]+ (?:is|are|was|were) (?:always )?(?:available|"
    r"supported|present|enabled|implemented)\b|"
    # a test newer than the kernel it ran on, gated by version: "This test passes only after
    # kernel commit 4bed843b1000 (...), i.e. kernel version 6.11." (LTP listmount04 on 6.8,
    # 2025), "the test requires kernel 5.10 or newer", "SHM_STAT_ANY was added to kernel 4.17"
    r"\b(?:passes|works|succeeds) only (?:after|since|from|with|on) (?:the )?(?:kernel|linux)\b|"
    r"\brequires? (?:a )?(?:kernel|linux) (?:version )?(?:>=\s?)?v?\d+\.\d+\b|"
    r"\b(?:kernel|linux) (?:version )?v?\d+\.\d+ (?:or|and) (?:newer|later|above)\b|"
    r"\bwas (?:added|introduced|merged) (?:in|to|into) (?:the )?(?:kernel|linux|v)\s?v?\d+\.\d+\b|"
    r"\bmin_kver\b",
    re.IGNORECASE,
)
CPU_FEATURE = lazy(
    r"\bla57\b|\b5[- ]level pag|\bcpu (?:flag|feature)\b|\bCPU (?:does not|doesn't) (?:have|"
    r"support)|\bhardware (?:does not|doesn't) support\b",
    re.IGNORECASE,
)
# A kernel feature the prose says was not there when the test failed: "If uprobes are not
# enabled, the test currently fails with:", "when CONFIG_X is not set the test fails". With a
# selftest-only patch (one that makes the test skip) the cause is the kernel's configuration.
NOT_ENABLED = lazy(
    r"\b(?:if|when|unless|without)\b[^.;:]{0,40}?\b(?:is|are)(?:n't| not) (?:enabled|set|"
    r"configured|built(?: in)?|compiled(?: in)?|selected)\b|\bCONFIG_[A-Z0-9_]+ (?:is )?not set\b",
    re.IGNORECASE)
# ... but a setting the system makes at run time is no kernel option: a cgroup controller not
# enabled in the root's cgroup.subtree_control ("If the 'memory' controller isn't set, all test
# cases will be failed", Alex Shi's test_memcontrol fix, 2019; "the memory controller may not be
# enabled in the test root cgroup's subtree_control", test_hugetlb_memcg, 2026), a sysctl, a
# cgroup or proc/sys file: the test is to set it up itself.
RUNTIME_SETTING = lazy(
    r"\bcontrollers?\b|\bsubtree_control\b|\bsysctl\b|/proc/sys/|/sys/(?:fs|kernel)/|"
    r"\bcgroup\.\w+|\benvironment variable\b", re.IGNORECASE)
# ... unless the text says the failure happens on a machine that has it: "The test will fail
# as below on x86_64 with cpu la57 support (will skip if no la57 support)".
CPU_PRESENT = lazy(r"\bfail\w*\b[^.]{0,60}\bwith\s+(?:the\s+)?(?:cpu\s+)?(?:la57|5[- ]level "
                   r"pag\w*|\w+ cpu (?:flag|feature))", re.IGNORECASE)


# A tracker thread as a search service or a scraper keeps it: "owner/repo · issue #84 · open ·
# C", then (after an optional "labels: ..." line) the title as a markdown header "# Bogus slice
# values in tests/...", which is prose, not kselftest's "# " output.
TRACKER_HEAD = lazy(r"^[\w.-]+/[\w.-]+ \u00b7 (?:issue|pull request|merge request|bug) #?\d+"
                    r" \u00b7 ")
TRACKER_LABELS = lazy(r"^labels: ")
# A pull request to a test suite's own repository (LTP, the kselftests, xfstests,
# libhugetlbfs' tests) whose title says it fixes one of its tests: "testcases: fix mmapstress08
# test" (ltp #205, its body the failing run), "Fix memcontrol03 testcase failure on powerpc."
# (ltp #1297). The pull request is the diagnosis: the test is changed, not the kernel. Not a
# pull request elsewhere ("LTP: Fix for munmap03 testcase failure" in a library OS's tree
# patches its copy of the test around its own bug), not an issue's title, not a fix of the
# suite's documentation or build.
TEST_SUITE_PR = lazy(r"^[\w.-]+/(?:ltp|[\w.-]*(?:kselftests?|selftests?|xfstests|fstests)"
                     r"[\w.-]*|libhugetlbfs) \u00b7 pull request #?\d+ \u00b7 ", re.IGNORECASE)
_TEST_NAME = r"(?!(?:arm|ppc|amd|ia|mips|sparc|riscv|s|x|i)\d)[a-z_]{3,}\d\d(?:_\d+)?"
TEST_FIX_TITLE = lazy(
    r"^(?!.*\b(?:typos?|spelling|docs?|documentation|build|compil\w*|warnings?|makefile|"
    r"readme|ci|lint\w*)\b)(?:(?:[\w.-]+/)*[\w.-]+:\s+)?fix(?:e[sd])?\s+(?:the\s+|a\s+)?"
    r"(?:[\w.-]+\s+){0,4}?(?:(?:self)?test(?:\s?case)?s?|" + _TEST_NAME + r")\b|"
    r"^(?:(?:[\w.-]+/)*" + _TEST_NAME + r"):\s+fix(?:e[sd])?\b|"
    # the suite's tests named by the prefix: "tests: Fix bug in paranoid bug" (libhugetlbfs #85)
    r"^(?:(?:k?self)?tests?|testcases?)(?:/[\w.-]+)*:\s+fix(?:e[sd])?\b",
    re.IGNORECASE)


# A line that opens with a condition ("If ...", "Unless ...").
CONDITION = lazy(r"\s*(?:(?:but|and|so|or)\s+)?(?:if|unless|in case)\b", re.IGNORECASE)
# An emulator named in the line: its "known issue" is the emulator's, not the kernel's ("Your qemu
# is buggy, 6.2 has a known issue which has subsequently been fixed.", Mark Brown, 2023).
EMULATOR_NAMED = lazy(r"\b" + EMULATOR + r"\b", re.IGNORECASE)


# How a CI reports, not what this failure is: "Please re-run the test independently for 10 times
# or more on the same kernel / device before we report it as regression." (LKFT, 2021)
REPORTED_AS = lazy(r"\breport\w*\s+(?:(?:it|this|that|them|these|those)\s+)?as\s+(?:an?\s+)?"
                   r"regressions?\b", re.IGNORECASE)


SENTENCE_BREAK = lazy(r"(?<=[.?!])\s+")


def _conditional(previous: str, text: str) -> bool:
    """Whether the sentence the line is part of opens with a condition: the line's own start,
    or the start of the sentence the line before leaves open ("... change in the kernel? If"
    and "not the test should be changed.", a mail client's wrap)."""
    if CONDITION.match(text):
        return True
    if not previous or previous.rstrip().endswith((".", "?", "!", ":")):
        return False
    return CONDITION.match(SENTENCE_BREAK.split(previous)[-1]) is not None


def _kernel_side(text: str) -> bool:
    """Kernel-side words in the line; a "known issue" in a line about an emulator is not, nor
    a CI's word on when it reports a regression."""
    found = [m.group(0).lower() for m in KERNEL_SIDE.finditer(REPORTED_AS.sub(" ", text))]
    return bool(found) and not (all(f.startswith("known") for f in found)
                                and EMULATOR_NAMED.search(text) is not None)


@dataclass(frozen=True)
class Conclusion:
    """A cause the input's own words state; ``line`` is the statement (or the patch) quoted."""

    cause: str  # runner-script-bug, selftest-logic-bug, test-fs-assumption, ...
    category: str  # test-bug or config
    line: LogLine
    why: str  # "a patch that changes only the selftests (...)", "the prose says ..."
    names: tuple[str, ...] = ()  # the tests the statement names ("fixture.variant.case")
    # a diagnosis in prose (``diagnosis``): the cause id the finding carries when ``cause`` is
    # a generic diagnosis rule's key, and the names the sentence gives (those no result has
    # are ignored)
    reported: str = ""
    about: tuple[str, ...] = ()
    scope: str = ""  # "skip" or "fail": the diagnosis explains only those
    outranks: tuple[str, ...] = ()  # environment rules whose evidence the statement explains
    # a kernel fix's thread calling the change an ABI break in its own words: the line, quoted
    abi_break: str = ""

    def quote(self, where: str = "") -> str:
        place = f"{where} " if where else ""
        return f"{place}L{self.line.line}: {self.line.text.strip()[:160]!r}"


@dataclass
class StatementScanner:
    """Collects, line by line, what the input says about the cause; ``conclusion()`` at the
    end. Linear; keeps at most a few lines of each kind."""

    patched: list[str] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)  # files a diffstat lists: the patch sent
    says_skip: bool = False  # a line speaks of skipping the test (MAKES_SKIP)
    created: list[str] = field(default_factory=list)
    patch_line: LogLine | None = None
    submitted_line: LogLine | None = None  # the first diffstat line
    patch_fixes: LogLine | None = None
    explained: LogLine | None = None  # an analysis of the cause right before a patch
    _analysis: LogLine | None = None  # the last analysis line, waiting for its patch
    fixes_selftest: LogLine | None = None
    test_side: list[LogLine] = field(default_factory=list)
    ci_infra: bool = False  # a CI owner named its own infrastructure as the trouble
    names: list[str] = field(default_factory=list)  # test names the statements give
    broke_tests: bool = False  # "this change breaks ... tests": the patch is the culprit
    bisect_disputed: LogLine | None = None  # the prose says the bisect result is wrong
    emulator_doubt: LogLine | None = None  # "TCG x86 is known 'funny' ... confirm on hardware"
    host_blamed: LogLine | None = None  # "likely due to a slow kvm guest" (host_blame.py)
    patch_breaks: LogLine | None = None  # the writer: "this patch breaks ... tests"
    introduced_by: LogLine | None = None  # the writer: "my patchset, which introduced the issue"
    kernel_side: list[LogLine] = field(default_factory=list)
    kernel_own: bool = False  # a kernel-side line the writer wrote (not quoted)
    follows_kernel: LogLine | None = None  # the test is to be brought in line with the kernel
    patch_regression: list[LogLine] = field(default_factory=list)  # "this patch causes a regr."
    quoted_side: list[LogLine] = field(default_factory=list)  # test-side lines that were quoted
    own_submitted: list[str] = field(default_factory=list)  # files of the author's own diffstat
    own_patched: list[str] = field(default_factory=list)  # files of the author's own diff
    test_verdict: bool = False  # a writer's own "the test needs fixing" (test_verdicts.py)
    kernel_quoted: list[LogLine] = field(default_factory=list)  # kernel-side lines quoted
    _parts: dict[str, int] = field(default_factory=dict)  # each source (message) in order
    _first_patch_part: int = -1  # the part (message) of the first own diff
    fixes_kernel: LogLine | None = None  # the author's Fixes: tag names a kernel commit
    kernel_subjects: int = 0  # named commits whose subject is not a selftests one
    selftest_subjects: int = 0
    reverted: LogLine | None = None  # "after I reverted the patch ... one test failed"
    disagreed: bool = False  # the author's own words answer a quoted claim with "no"
    not_enabled: LogLine | None = None  # "If uprobes are not enabled, the test fails"
    adds_test: LogLine | None = None  # "Let's add a simple reproducer for ...": a new case
    applied_run: LogLine | None = None  # the writer's own run with the patch under review
    reviewed: LogLine | None = None  # the writer's "this patch breaks testing" (review_verdicts)
    ltp_list: bool = False  # the LTP list's footer: a mail of a test suite's list
    unfixed_run: LogLine | None = None  # the writer's "FAIL on kernel reverts that fix-commit"
    hit_after: LogLine | None = None  # "And I hit this:" after that run
    kernel_fixed: LogLine | None = None  # "It was fixed in the commit: ..." (a kernel commit)
    kernel_commit: LogLine | None = None  # a git.kernel.org link to a kernel commit
    applied_passes: LogLine | None = None  # "Backported those 2 patches and it is now passing"
    kernel_verdict: LogLine | None = None  # the writer's own "this is a minor kernel bug"
    features: list[FeatureSince] = field(default_factory=list)  # "X was added to kernel 4.17"
    kernel_asked: LogLine | None = None  # the writer's own "does this need a kernel change?"
    prose: list[str] = field(default_factory=list)  # test-side lines and their neighbours
    prose_sources: list[str] = field(default_factory=list)  # the part each prose line is from
    diagnoses: DiagnosisReader = field(default_factory=DiagnosisReader)  # causes in prose
    fix_links: FixLinkScanner = field(default_factory=FixLinkScanner)  # a kernel patch's link
    _last_diff: str = ""
    _previous: str = ""
    _in_diff: bool = False
    reported: list[LogLine] = field(default_factory=list)  # "Reported-by:" lines, unquoted
    abi_break: LogLine | None = None  # the writer's own "It is an ABI break"
    _own_patch_sources: set[str] = field(default_factory=set)  # parts with an own diffstat
    _shown: LogLine | None = None  # the last "commit <sha>" header line
    _shown_author: LogLine | None = None  # ... followed by its "Author:" line
    _width_before: int = 0  # the raw line before's width (was it a mail client's wrap?)
    _after_head: bool = False  # right after a tracker thread's repository line
    _suite_pr: bool = False  # ... and that line is a pull request to a test suite's repository
    _offending: LogLine | None = None  # the writer's "The offending code seems to be:"

    def _offending_code(self, line: LogLine, text: str) -> None:
        """The writer's own "The offending code seems to be:" and, in the lines after it, code
        that reports the test's failure: the test's own check named as the fault."""
        if OFFENDING.search(text) and not text.rstrip().endswith("?"):
            self._offending = LogLine(line.line, text, line.source)
            return
        shown = self._offending
        if (shown is not None and shown.source == line.source
                and 0 < line.line - shown.line <= ANALYSIS_SPAN and TEST_API_CALL.search(text)):
            if len(self.test_side) < 5:
                self.test_side.append(shown)
                self.prose.append(f"{shown.text.strip()} {text.strip()}")
                self.prose_sources.append(shown.source)
            self._offending = None

    def is_title(self, text: str) -> bool:
        """Whether ``text`` (the next line) is a tracker thread's title: prose, though it
        starts with kselftest's "# "."""
        return self._after_head and text.startswith("# ")

    def feed_line(self, line: LogLine, text: str, bare: str) -> None:
        """One line of the text, prose or not by its look; a tracker thread's title (a
        markdown header under its repository line) is prose."""
        if not self.says_skip and ("kip" in text or "TCONF" in text or "SKIP" in text):
            self.says_skip = MAKES_SKIP.search(text) is not None
        if self._after_head and text.startswith("# "):
            text = bare = text[2:]
            self.diagnoses.brk()  # the title is a sentence of its own, not the labels' tail
            if self._suite_pr and TEST_FIX_TITLE.search(text):
                self._ltp_fix(LogLine(line.line, text, line.source))
        if not QUOTE.match(line.text):
            self._kernel_commit(line, text)
            self._offending_code(line, text)
        if not self.ltp_list and LTP_LIST.search(text):
            self.ltp_list = True
        before = self.fix_links.ltp_fix
        self.fix_links.feed(line, text, QUOTE.match(line.text) is not None)
        if before is None and (ltp := self.fix_links.ltp_fix) is not None:
            self._ltp_fix(ltp)
        self._after_head = TRACKER_HEAD.match(text) is not None or (self._after_head and (
            not text or TRACKER_LABELS.match(text) is not None))
        self._suite_pr = TEST_SUITE_PR.match(text) is not None or (self._suite_pr
                                                                   and self._after_head)
        if text.startswith("##") and self.diagnoses.heading(text):
            self._previous = ""
            return  # a markdown heading: no prose, no log
        self.feed(line, text, not LOG_LIKE.match(text) and "://" not in text, bare)
        if "://" in text and not LOG_LIKE.match(text) and not self._in_diff and _sentence_left(
                stripped := URL.sub(" ", MD_LINK.sub(r"\1", text)).strip()):
            # a sentence beside a link ("Re https://... I'm guessing the problem is ...") is
            # prose for the diagnosis, without its link
            self.diagnoses.feed(line, stripped, QUOTE.match(line.text) is not None)

    def feed(self, line: LogLine, text: str, prose: bool, bare: str | None = None) -> None:
        """One line: ``text`` stripped of quotes and indentation, ``bare`` only of quotes
        (a diff's context lines start with a space), ``prose`` when it is not log output."""
        self._parts.setdefault(line.source, len(self._parts))
        self._patch_line(line, text, text if bare is None else bare.rstrip())
        prose = prose and not self._in_diff
        if prose:
            self.diagnoses.feed(line, text, bare is not None and QUOTE.match(line.text) is not None)
        else:
            self.diagnoses.brk()
        if not prose or len(text) < 12:
            self._previous = text if prose else ""
            return
        joined = f"{self._previous} {text}".strip()
        question = text.rstrip().endswith("?") or UNSURE.search(text) is not None
        quoted = bare is not None and QUOTE.match(line.text) is not None
        if not quoted and self.quoted_side and DISAGREES.search(text):
            self.disagreed = True
        self._commits_and_reverts(line, text, joined, quoted, question)
        self._review_words(line, text, joined, quoted or question)
        self._culprits(line, text, joined, quoted, question)
        self._feature(line, text, joined, question, quoted)
        if BISECT_DISPUTED.search(joined) and not question:
            if self.bisect_disputed is None:
                self.bisect_disputed = LogLine(line.line, text, line.source)
            self._previous = text
            return
        if self.patch_fixes is None and PATCH_FIXES.search(joined) and not question:
            self.patch_fixes = LogLine(line.line, text, line.source)
        if EXPLAINS.search(text) and (self._analysis is None or line.line - self._analysis.line
                                      > ANALYSIS_SPAN or self._analysis.source != line.source):
            self._analysis = LogLine(line.line, text, line.source)  # the analysis' first line
        if not question:
            self._kernel_words(line, text, joined, quoted)
        # a test-side verdict under a condition is none: "If you think it is not supported on
        # 32bit the test should SKIP instead of fail." (LKFT on clone3_clear_sighand, 2022), "If
        # this is an expected change, we will need to update the testcases." (a bisect report
        # the maintainer answered "That is not intentional")
        conditional = _conditional(self._previous, text)
        verdict = not question and not conditional and (
            says_test_to_change(joined) or names_test_fix_patch(text, line.line)
            or self._next_version_of_test(joined, quoted))
        self._follows_kernel(line, text, joined, verdict and not quoted)
        if (len(self.test_side) < 5 and not question and not conditional
                and (self._says_test_side(joined, quoted)
                     or (verdict and not NEGATED.search(joined)))
                and not (quoted and any(t.text == text for t in self.test_side))):
            # (a reply quoting a statement again adds no statement and takes no room)
            self.test_side.append(LogLine(line.line, text, line.source))
            self.test_verdict = self.test_verdict or (verdict and not quoted)
            if quoted:
                self.quoted_side.append(self.test_side[-1])
            self.prose.append(joined)
            self.prose_sources.append(line.source)
            self.names = list(dict.fromkeys(self.names + HARNESS_NAME.findall(joined)))[:10]
            self.broke_tests = self.broke_tests or bool(BROKE_TESTS.search(joined))
        elif not question:
            self._context(line, text, quoted)
        self._previous = text

    def _ltp_fix(self, line: LogLine) -> None:
        """The writer's own LTP patch, announced with its link (``fix_links``): the test is
        being fixed, a test-side verdict."""
        if len(self.test_side) < 5:
            self.test_side.append(line)
            self.test_verdict = True
            self.prose.append(line.text)
            self.prose_sources.append(line.source)

    def _feature(self, line: LogLine, text: str, joined: str, question: bool,
                 quoted: bool) -> None:
        """A line saying an interface came with a kernel version (``feature_since``); the
        writer asking whether the kernel must change (``KERNEL_ASKED``)."""
        if not quoted and self.kernel_asked is None and KERNEL_ASKED.search(joined):
            self.kernel_asked = LogLine(line.line, text, line.source)
        if not question and len(self.features) < 5 and (
                found := feature_since(joined, LogLine(line.line, text, line.source))):
            self.features.append(found)

    def _next_version_of_test(self, joined: str, quoted: bool) -> bool:
        """The writer's "will be fixed next version" when every commit the text names (the
        robot's bisect) changes only the tests: the next version of a test patch is the test's
        fix. Over a kernel commit it is the kernel's, and stays unread here."""
        return (not quoted and self.selftest_subjects > 0 and self.kernel_subjects == 0
                and NEXT_VERSION.search(joined) is not None)

    def _says_test_side(self, joined: str, quoted: bool) -> bool:
        """Whether the line says the test is at fault; "false positives" after a CI owner named
        its own infrastructure are the CI's."""
        if not quoted and CI_INFRA_WORDS.search(joined):
            self.ci_infra = True
        side = TEST_SIDE.search(joined)
        return (side is not None and not NEGATED.search(joined) and not blames_host(joined)
                and not (self.ci_infra and side.group(0).lower().startswith("false")))

    def _kernel_commit(self, line: LogLine, text: str) -> None:
        """A kernel commit's link and the test passing with that commit applied, in the
        writer's own lines (a link makes a line no prose, so they are looked for here)."""
        if self.kernel_commit is None and "git.kernel.org" in text and KERNEL_COMMIT_URL.search(
                text):
            self.kernel_commit = LogLine(line.line, text, line.source)
        if (self.applied_passes is None and not text.rstrip().endswith("?")
                and APPLIED_PASSES.search(URL.sub("", text))):
            self.applied_passes = LogLine(line.line, text, line.source)

    def _kernel_words(self, line: LogLine, text: str, joined: str, quoted: bool) -> None:
        """Prose that puts the failure on the kernel, and a kernel commit named as its fix."""
        if (self.kernel_fixed is None and not quoted
                and (m := KERNEL_FIXED.search(joined) or FIXED_IN_RELEASE.search(joined))
                and not SELFTEST_SUBJECT.match(m.group("subject") or "")):
            self.kernel_fixed = LogLine(line.line, text, line.source)
        if not quoted and says_kernel_at_fault(joined):
            self.kernel_verdict = LogLine(line.line, text, line.source)
        if self.abi_break is None and not quoted and ABI_BREAK.search(joined):
            self.abi_break = LogLine(line.line, text, line.source)
        if len(self.kernel_side) < 5 and (_kernel_side(text) or TEST_IS_RIGHT.search(joined)):
            self.kernel_own = self.kernel_own or not quoted
            self.kernel_side.append(LogLine(line.line, text, line.source))
            if quoted:
                self.kernel_quoted.append(self.kernel_side[-1])
            if PATCH_REGRESSION.search(joined):
                self.patch_regression.append(self.kernel_side[-1])

    def _context(self, line: LogLine, text: str, quoted: bool = False) -> None:
        """Prose that says what kind of test-side cause it is (a filesystem, a feature probe,
        a CPU feature, a kernel feature that was not enabled)."""
        if len(self.prose) >= 40:
            return
        found = NOT_ENABLED.search(text)
        not_enabled = found is not None and not RUNTIME_SETTING.search(
            text[max(0, found.start() - 40):found.end()])
        if not_enabled and self.not_enabled is None:
            self.not_enabled = LogLine(line.line, text, line.source)
        if (not_enabled or FS_ASSUMPTION.search(text) or FEATURE_PROBE.search(text)
                or CPU_FEATURE.search(text) or HUGE_SETUP.search(text) or ASSUMED.search(text)):
            self.prose.append(text)
            # (a quoted context line is another message's words, told again)
            self.prose_sources.append(f"> {line.source}" if quoted else line.source)

    def _commits_and_reverts(self, line: LogLine, text: str, joined: str, quoted: bool,
                             question: bool) -> None:
        """Named commits (kernel or selftests, by subject), the author's revert experiment, the
        author's "this patch breaks ... tests", and a patch's "add a reproducer" (a new case)."""
        if self.adds_test is None and not question and (ADDS_TEST.search(joined)
                                                         or ADDS_TEST.search(text)):
            self.adds_test = LogLine(line.line, text, line.source)
        if (self.patch_breaks is None and not quoted and not question
                and PATCH_BREAKS.search(joined)):
            self.patch_breaks = LogLine(line.line, text, line.source)
        if not quoted and not question:
            if self.applied_run is None and APPLIED_RUN.search(joined):
                self.applied_run = LogLine(line.line, text, line.source)
            elif (self.applied_run is not None and self.hit_after is None
                  and line.source == self.applied_run.source
                  and 0 <= line.line - self.applied_run.line <= ANALYSIS_SPAN
                  and HIT_FAILURE.search(text)):
                self.hit_after = LogLine(line.line, text, line.source)
            if (self.applied_run is not None and self.hit_after is None
                    and line.line == self.applied_run.line and HIT_FAILURE.search(text)):
                self.hit_after = self.applied_run
        for m in COMMIT_SUBJECT.finditer(text if COMMIT_SUBJECT.search(text) else joined):
            if SELFTEST_SUBJECT.match(m.group("subject")):
                self.selftest_subjects += 1
            else:
                self.kernel_subjects += 1
        if line.line == 0 and (robot := ROBOT_SUBJECT.search(text)):  # a message's Subject
            if SELFTEST_SUBJECT.match(robot.group("prefix")):
                self.selftest_subjects += 1
            else:
                self.kernel_subjects += 1
        if (self.reverted is None and not quoted and not question
                and REVERT_EXPERIMENT.search(joined) and not REVERT_NO_CHANGE.search(joined)):
            self.reverted = LogLine(line.line, text, line.source)

    def _review_words(self, line: LogLine, text: str, joined: str, not_own: bool) -> None:
        """The writer's own verdict on the patch under review (``review_verdicts``) and their
        own run on a kernel without the kernel's fix; not quoted, not asked (``not_own``)."""
        if not_own:
            return
        if self.reviewed is None and review_verdict(joined):
            self.reviewed = LogLine(line.line, text, line.source)
        if self.unfixed_run is None and (m := UNFIXED_KERNEL_RUN.search(joined)) and not \
                UNFIXED_DOUBT.search(_clause_of(joined, m.start(), m.end())):
            self.unfixed_run = LogLine(line.line, text, line.source)

    def _culprits(self, line: LogLine, text: str, joined: str, quoted: bool,
                  question: bool) -> None:
        """The writer's own "my patchset, which introduced the issue" (see INTRODUCED), not
        quoted, not asked; and a doubt about the emulator (EMULATOR_DOUBT), asked or not."""
        if self.emulator_doubt is None and not quoted and EMULATOR_DOUBT.search(joined):
            self.emulator_doubt = LogLine(line.line, text, line.source)
        if self.host_blamed is None and not quoted and not question and blames_host(joined):
            self.host_blamed = LogLine(line.line, text, line.source)
        if self.introduced_by is not None or quoted or question:
            return
        if _introduced(joined):
            self.introduced_by = LogLine(line.line, text, line.source)

    def _patch_line(self, line: LogLine, text: str, bare: str) -> None:
        """What a patch in the text changes: its files, the ones it creates, a Fixes: tag."""
        width, self._width_before = self._width_before, len(line.text.rstrip())
        if self._in_diff and (bare == "--" or not DIFF_BODY.match(bare)
                              and not wrapped_piece(width, bare)):
            self._in_diff = False
        elif not self._in_diff and self._last_diff and HUNK.match(bare):
            self._in_diff = True  # the next hunk of a diff a wrapped line seemed to end
        self._commit_header(line, text)
        if m := DIFF_FILE.match(text):
            self._diff_file(line, text, m.group(1) or m.group(2))
        elif m := CREATED.match(text):
            path = m.group(1) or self._last_diff
            if path:
                self._add(self.created, path)
        elif (m := DIFFSTAT.match(text)) and "/" in m.group(1):
            self._diffstat(line, text, m.group(1))
        elif m := FIXES_TAG.match(text):
            if "selftest" in (m.group(1) or "").lower():
                self.fixes_selftest = LogLine(line.line, text, line.source)
            elif not QUOTE.match(line.text):
                self.fixes_kernel = LogLine(line.line, text, line.source)

    def _commit_header(self, line: LogLine, text: str) -> None:
        """A commit's header lines: ``git show``'s "commit <sha>" and "Author:", and the
        writer's own "Reported-by:"."""
        if SHOWN_COMMIT.match(text):
            self._shown = LogLine(line.line, text, line.source)
        elif self._shown is not None and text.startswith("Author:"):
            self._shown_author = self._shown
        elif REPORTED_BY.match(text) and not QUOTE.match(line.text) and len(self.reported) < 5:
            self.reported.append(LogLine(line.line, text, line.source))

    def _diff_file(self, line: LogLine, text: str, path: str) -> None:
        """A diff's file line: a file the patch changes - unless the diff is a commit shown as
        it is (``_cited_commit``)."""
        self._in_diff = True
        self._last_diff = path
        if self._cited_commit(line):
            return
        analysis = self._analysis
        if (self.explained is None and analysis is not None and analysis.source == line.source
                and 0 < line.line - analysis.line <= ANALYSIS_SPAN):
            self.explained = analysis  # "it's because ... we need something like this:"
        self._add(self.patched, path)
        self._own_diff(line, path)
        if self.patch_line is None:
            self.patch_line = LogLine(line.line, text, line.source)

    def _cited_commit(self, line: LogLine) -> bool:
        """The diff belongs to a commit the writer shows as ``git show`` prints it ("commit
        3c17001b21b9...", "Author:", "Date:", its message, its diff: Cyril Hrubis showing the
        pidfs commit that changed ioctl_pidfd05's errno, 2025): the change that is, cited, not
        a patch the thread proposes."""
        shown = self._shown_author
        return (shown is not None and shown.source == line.source
                and 0 < line.line - shown.line <= SHOWN_SPAN)

    def _own_diff(self, line: LogLine, path: str) -> None:
        """A file of a diff the writer posts (not quoted), and the part it is in."""
        if not QUOTE.match(line.text):
            self._add(self.own_patched, path)
            if self._first_patch_part < 0:
                self._first_patch_part = self._parts.get(line.source, 0)

    def _diffstat(self, line: LogLine, text: str, path: str) -> None:
        """One file of a diffstat: the patch sent (the author's own unless quoted)."""
        self._add(self.patched, path)
        self._add(self.submitted, path)
        if not QUOTE.match(line.text):
            self._add(self.own_submitted, path)
            self._own_patch_sources.add(line.source)
        if self.submitted_line is None:
            self.submitted_line = LogLine(line.line, text, line.source)
        if self.patch_line is None:
            self.patch_line = LogLine(line.line, text, line.source)

    @staticmethod
    def _add(paths: list[str], path: str) -> None:
        if len(paths) < 50 and path not in paths:
            paths.append(path)

    def files(self) -> list[str]:
        """The patch's files: the ones its diffstat lists when it has one (a diff in the commit
        message, such as a debugging hack to the kernel, is an illustration, not the patch).
        A diffstat's shortened path (".../cpuset_memory_test/cpuset_memory_test.c") is the
        diff's own full path that ends with it."""
        return [_full_path(p, self.patched) for p in self.submitted] or self.patched

    def introducing_change(self) -> LogLine | None:
        """The writer's "my patchset, which introduced the issue" over a kernel change, unless
        the text's own patch changes only the tests."""
        if self.introduced_by is None or self.selftest_only_patch():
            return None
        return self.introduced_by

    def breaking_kernel_patch(self) -> LogLine | None:
        """The writer's "this patch breaks ... tests" when the patch changes only kernel
        files."""
        files = self.files()
        if self.patch_breaks is None or not files or any(
                SELFTEST_PATH.search(p) or not KERNEL_DIRS.match(p) for p in files):
            return None
        return self.patch_breaks

    def selftest_only_patch(self) -> bool:
        """A patch that only changes selftest files."""
        files = self.files()
        return bool(files) and all(SELFTEST_PATH.search(p) for p in files)

    def kernel_fix(self) -> Conclusion | None:
        """The report's own words put the failure on the kernel: the author's patch (its
        diffstat) changes only kernel files and says it fixes a kernel commit or the failure
        shown, or the author reverted a named kernel commit and the test's result changed; or
        a writer says in so many words that it is the kernel's bug (``says_kernel_at_fault``)
        and no later message (nor a patch to the test after it) puts it on the test."""
        if (verdict := self.kernel_verdict) is not None and not self._test_side_after(verdict):
            return Conclusion("kernel-bug-stated", "kernel-bug", verdict,
                              "a message says in its own words that it is the kernel's bug")
        if (unfixed := self.unfixed_run) is not None and not self._own_test_side():
            return Conclusion("kernel-fix-stated", "kernel-bug", unfixed,
                              "the writer's own run fails on a kernel without the kernel's fix: "
                              "the test catches the kernel bug it exists for")
        if self.test_side:
            return None
        own = self.own_submitted
        if own and not any(SELFTEST_PATH.search(p) for p in own):
            line = self.fixes_kernel or self.patch_fixes or self._credits_report()
            if line is not None:
                return Conclusion("kernel-fix-stated", "kernel-bug", line,
                                  "the author's patch changes only the kernel "
                                  f"({', '.join(own[:3])}) and fixes what the test shows",
                                  abi_break=f"{self.abi_break.source} L{self.abi_break.line}: "
                                  f"{self.abi_break.text.strip()[:120]!r}"
                                  if self.abi_break is not None else "")
        if self.kernel_fixed is not None and self.kernel_side and not self.selftest_only_patch():
            return Conclusion("kernel-fix-stated", "kernel-bug", self.kernel_side[0],
                              "the text says the kernel has the bug and names the kernel "
                              f"commit that fixed it (L{self.kernel_fixed.line})")
        if (self.kernel_commit is not None and self.applied_passes is not None
                and not self.selftest_only_patch()):
            return Conclusion("kernel-fix-stated", "kernel-bug", self.applied_passes,
                              f"the text names a kernel commit (L{self.kernel_commit.line}) "
                              "and says the test passes with it applied")
        if (self.reverted is not None and self.kernel_subjects and not self.selftest_subjects
                and not self.selftest_only_patch()):
            return Conclusion("kernel-fix-stated", "kernel-bug", self.reverted,
                              "the author reverted a kernel commit the text names, and the "
                              "test's result changed with it")
        if (link := self.fix_links.kernel_fix()) is not None and not self.selftest_only_patch():
            return Conclusion("kernel-fix-stated", "kernel-bug", link,
                              "a reply names a kernel patch, by its link, as the fix of these "
                              "LTP failures (an LTP test is not fixed in a kernel list)")
        return None

    def _credits_report(self) -> LogLine | None:
        """The author's own kernel patch, posted in the thread, crediting the failure's report
        ("Reported-by: Jan Stancek" in Will Deacon's "arm64: tags: Preserve tags for addresses
        translated via TTBR1", posted in reply to CKI's mlock/8-1 failure, 2019): the fix of what
        the thread reports. A CI's own "Reported-by:" line in its report carries no patch."""
        return next((r for r in self.reported if r.source in self._own_patch_sources), None)

    def feature_newer(self, kernel: tuple[int, ...]) -> Conclusion | None:
        """A feature the text says came with a kernel newer than the one that ran
        (``feature_since``): the test uses what this kernel lacks - unless the text also
        says, in its own words, that it is the kernel's bug or names the kernel's fix."""
        if self.kernel_verdict is not None or self.kernel_fixed is not None:
            return None
        if (found := newer_than(self.features, kernel)) is None:
            return None
        came = ".".join(map(str, found.version))
        ran = ".".join(map(str, kernel[:2]))
        return Conclusion("test-wrong-feature-probe", "test-bug", found.line,
                          f"the text says {found.what} came with Linux {came}, and the kernel "
                          f"that ran is {ran}: the test uses what this kernel lacks")

    def conclusion(self) -> Conclusion | None:
        """What the text states: a test-side statement or a patch, a kernel fix, else the last
        diagnosis its prose gives (``diagnosis``)."""
        if (stated := self._stated()) is not None:
            return stated
        if (found := self.diagnoses.diagnosis()) is None:
            return None
        if found.cause.category != "kernel-bug" and self.kernel_own and not (
                found.cause.category == "known-issue" and self._known_words_only()):
            return None  # the writer also speaks of a kernel bug or regression: not settled
        cause = found.cause
        return Conclusion(cause.stated, cause.category, found.line,
                          f"stated in prose: {cause.what}", reported=cause.cause,
                          about=found.names, scope=found.scope, outranks=cause.outranks)

    def _stated(self) -> Conclusion | None:
        if (kernel := self.kernel_fix()) is not None:
            return kernel
        patch = self.selftest_only_patch()
        kernel_side = [k for k in self.kernel_side if not (patch and k in self.patch_regression)
                       and not self._answered_later(k) and not self._known_only(k)]
        if kernel_side:
            return None
        # A submitted patch (with its diffstat) that changes only existing selftests, in a
        # mail that shows the failure, is the test being fixed.
        fixed_by_patch = patch and ((self.fixes_selftest or self.patch_fixes
                                     or self.explained) is not None or bool(self.submitted)
                                    or self._reply_test_patch()
                                    or self._broken_by_test_patch() is not None)
        reviewed = self._test_patch_reviewed()
        if not self.test_side and not fixed_by_patch and reviewed is None:
            return None
        if self.disagreed and all(t in self.quoted_side for t in self.test_side):
            return None  # the claim is the other side's, quoted, and the author says no
        if self._guess_asked():
            return None  # a guess at the test, and the kernel side asked: still open
        new_test = any(NEW_TEST.search(p) for p in self.created) or self.adds_test is not None
        if (new_test and not self.test_side) or (self.files() and not patch
                                                  and not self._quoted_patch_overruled()):
            return None  # a new test, or a patch to the kernel: not the test's fault
        own = [t for t in self.test_side if t not in self.quoted_side
               and (t.line - 1, t.source) not in self._side_keys()]  # a wrapped run's first
        line = ((own[-1] if self.test_verdict and own else self.test_side[0]) if self.test_side
                else self.patch_fixes or self.explained or self._broken_by_test_patch()
                or reviewed or self.fixes_selftest or self.submitted_line or self.patch_line)
        assert line is not None
        prose = " ".join(self._statement_prose())
        files = self.files()
        cause, category, stated, why = self._kind(patch, files, prose)
        line = stated or line
        why = why if why else "the text says the test is at fault" if self.test_side else (
            "the text says a patch to the selftests fixes it" if self.patch_fixes else
            "the text explains the cause and proposes a fix to the selftests" if self.explained
            else "a reviewer ran the test with the quoted patch to the selftests applied and it "
            "failed: the failure is the patch's" if self._broken_by_test_patch() is not None
            else "a reviewer says in their own words that the patch under review, a change to "
            "the tests, broke the test or passes once changed" if reviewed is not None
            and not (self.patch_fixes or self.explained)
            else "a reply posts a patch to the test's own files" if self._reply_test_patch()
            and not (self.fixes_selftest or self.submitted)
            else "a patch in the input fixes an earlier selftest commit" if self.fixes_selftest
            else "the input is a patch to the selftests that shows the failure it fixes")
        if patch:
            why += f"; its patch changes only {', '.join(files[:3])}" + (
                " ..." if len(files) > 3 else "")
        outranks: tuple[str, ...] = LAUNCH_RULES if patch and _launches(files) else ()
        if patch and category == "test-bug" and ASSUMED.search(prose):
            outranks += PLATFORM_RULES
        if patch and category == "test-bug" and self.submitted and not self.says_skip:
            outranks += OWN_FILE_RULES
        return Conclusion(cause, category, line, why, tuple(self.names), outranks=outranks)

    def _broken_by_test_patch(self) -> LogLine | None:
        """A reviewer's own run with the patch under review applied, and the failure it hit
        ("I applied this ... And I hit this:"), when that patch changes only existing selftests
        (one adding a test may have found a kernel bug)."""
        if self.applied_run is None or self.hit_after is None or not self.selftest_only_patch():
            return None
        if any(NEW_TEST.search(p) for p in self.created) or self.adds_test is not None:
            return None
        return self.applied_run

    def _own_test_side(self) -> bool:
        """A test-side statement in the writer's own words (not quoted)."""
        return any(t not in self.quoted_side for t in self.test_side)

    def _test_patch_reviewed(self) -> LogLine | None:
        """A reviewer's own "this patch breaks testing" / "once I replace X with Y, all tests
        get passed" (``review_verdicts``) when the patch under review is a change to the tests:
        the files the text shows are all the tests' (and none is new), or it shows none and the
        mail is the LTP list's naming no kernel commit."""
        if self.reviewed is None or self.kernel_subjects or self.adds_test is not None:
            return None
        if files := self.files():
            test_only = all(SELFTEST_PATH.search(p) for p in files) and not any(
                NEW_TEST.search(p) for p in self.created)
            return self.reviewed if test_only else None
        return self.reviewed if self.ltp_list else None

    def _guess_asked(self) -> bool:
        """The writer's own test-side words are all hedged ("probably", "looks like") and the
        same message asks whether the kernel must change: nothing settled."""
        asked = self.kernel_asked
        own = [t for t in self.test_side if t not in self.quoted_side]
        return (asked is not None and bool(own) and not self.own_patched
                and all(t.source == asked.source and HEDGE.search(t.text) for t in own))

    def _test_side_after(self, verdict: LogLine) -> bool:
        """A test-side statement of the writer's own, or a patch that changes only the test, in
        a later message than the kernel verdict (in a single text: any such patch)."""
        part = self._parts.get(verdict.source, 0)
        if any(self._parts.get(t.source, 0) > part for t in self.test_side
               if t not in self.quoted_side):
            return True
        if len(self._parts) < 2 and not (self.own_patched or self.own_submitted):
            # a reply quoting the patch it answers: its own verdict refuses the patch ("IMHO
            # this is wrong. Older kernels are broken", LTP splice07's min_kver patch, 2025)
            return False
        return self.selftest_only_patch() and (len(self._parts) < 2
                                               or self._first_patch_part > part)

    def _side_keys(self) -> set[tuple[int, str]]:
        """The test-side lines by (line, source) only, to find where a wrapped statement
        (one test-side line after another) starts."""
        return {(t.line, t.source) for t in self.test_side}

    def _reply_test_patch(self) -> bool:
        """In a thread, a reply's own diff that changes only the test's files (an LTP
        testcase's Makefile, a selftest), posted in answer to the report, the report itself
        carrying no patch: the maintainers fix the test ("We seem to have couple choices: 1)
        strip the option from the CFLAGS for this testcase", LTP hugemmap34, 2025)."""
        return (len(self._parts) > 1 and self._first_patch_part > 0 and bool(self.own_patched)
                and all(SELFTEST_PATH.search(p) for p in self.own_patched))

    def _follows_kernel(self, line: LogLine, text: str, joined: str, own_verdict: bool) -> None:
        """The writer's own word that the test is being brought in line with a kernel change."""
        if own_verdict and self.follows_kernel is None and ADAPTS.search(joined):
            self.follows_kernel = LogLine(line.line, text, line.source)

    def _known_words_only(self) -> bool:
        """The writer's own kernel-side words are only "known issue": the statement of a known
        failure itself, not a kernel bug or regression besides."""
        return all(all(m.group(0).lower().startswith("known") for m in KERNEL_SIDE.finditer(k.text))
                   for k in self.kernel_side if k not in self.kernel_quoted)

    def _known_only(self, kernel: LogLine) -> bool:
        """A "known issue" that names no side ("LTP syscalls epoll_ctl04 is a known issue on the
        Linus master and Linux next", LKFT's stable review replies, 2025) in a text that also
        says the test is being brought in line with the kernel's change: the issue is known
        because the test lags behind, not a kernel bug."""
        return self.follows_kernel is not None and all(
            m.group(0).lower().startswith("known") for m in KERNEL_SIDE.finditer(kernel.text))

    def _answered_later(self, kernel: LogLine) -> bool:
        """In a thread, kernel-side words (the robot's "expected to fail", a regression
        quoted again) that a later message answers in its own words with "the test needs to be
        fixed" (``test_verdicts``): the later conclusion outweighs the report. A reply's own
        diagnosis that names the test's side ("it will run into a testcase bug because ...",
        "it looks like it's a framework bug") answers a CI report's "Test regression:" labels
        the same way."""
        if len(self._parts) < 2:
            # a single reply: the quoted kernel-side words it answers below in its own verdict
            # ("Jens ..., could you please have look that the other commit ... didn't cause any
            # regression?" quoted, then "That's on the test because DRAIN doesn't punt to worker
            # threads anymore", io_uring02, 2021)
            below = [t.line for t in self.test_side if t not in self.quoted_side]
            return (self.test_verdict and kernel in self.kernel_quoted and bool(below)
                    and max(below) > kernel.line)
        own = [self._parts.get(t.source, 0) for t in self.test_side if t not in self.quoted_side]
        return bool(own) and (kernel in self.kernel_quoted
                              or self._parts.get(kernel.source, 0) < max(own))

    def _quoted_patch_overruled(self) -> bool:
        """A thread's replies say in their own words that the test is to be changed ("the
        test needs to be fixed", "I'll send an ltp patch") about the patch they quote (a
        kernel change with the test cases it adds, bisected by a CI): the quoted patch is
        what the test broke on, not the author's own kernel fix. So does the writer's own
        test-side verdict under a kernel change someone else proposed ("Thus I think the test
        case is flawed" after Arnd Bergmann's quoted ipc/shm.c diff, LTP shmget02, 2023): the
        proposal is declined, not the fix."""
        own_side = any(t not in self.quoted_side for t in self.test_side)
        return (self.test_verdict or own_side) and not self.broke_tests and not \
            self.own_patched and not self.own_submitted and not self.patch_regression

    def _statement_prose(self) -> list[str]:
        """The prose that says what kind of cause it is: in a thread, only the messages that
        state the test-side conclusion (the report's own words, "with rootfs over NFS", or
        another reply's, "ntfs over FUSE", do not make a race in the test a filesystem
        assumption); in a single text, all of it."""
        stating = {t.source for t in self.test_side}
        if not stating or len(set(self.prose_sources)) < 2:
            return self.prose
        return [p for p, s in zip(self.prose, self.prose_sources, strict=True) if s in stating]

    def _kind(self, patch: bool, files: list[str], prose: str
              ) -> tuple[str, str, LogLine | None, str]:
        """What kind of cause the statement is: (cause, category, the line to quote instead of
        the default one or None, why, when it is not the default)."""
        touches_runner = any(RUNNER_SCRIPTS.search(p) for p in files)
        setup_script = (patch and bool(files) and all(p.endswith(".sh") for p in files)
                        and HUGE_SETUP.search(prose) is not None)
        runner = setup_script or (patch and all(RUNNER_SCRIPTS.search(p) for p in files)) or (
            touches_runner and self.broke_tests) or (
            not self.patched and "run_vmtests.sh" in prose)
        if CPU_FEATURE.search(prose) and not CPU_PRESENT.search(prose):
            return "arch-unsupported", "config", None, ""
        if patch and all(SELFTEST_CONFIG.search(p) for p in files):
            return "kernel-config-missing", "config", None, ""
        if patch and not self.test_side and self.not_enabled is not None:
            why = ("the text says the test fails when a kernel feature is not enabled; its "
                   "patch only makes the test cope")
            return "kernel-config-missing", "config", self.not_enabled, why
        if runner:
            return "runner-script-bug", "test-bug", None, ""
        if FEATURE_PROBE.search(prose):
            return "test-wrong-feature-probe", "test-bug", None, ""
        if (FS_ASSUMPTION.search(prose) and self.fixes_selftest is None
                and self._test_patch_reviewed() is None  # (so is a test patch a review broke)
                and self.follows_kernel is None  # the test lags a kernel change
                and not re.search(NEWER_KERNEL, prose, re.IGNORECASE)):
            # (a fix of an earlier selftests commit is that commit's logic bug, whatever
            # filesystem showed it: "Commit 66bce7afbaca introduced a small bug causing unknown
            # filesystems to always result in a test failure")
            return "test-fs-assumption", "test-bug", None, ""
        return "selftest-logic-bug", "test-bug", None, ""


def _full_path(path: str, full: list[str]) -> str:
    if not path.startswith(".../"):
        return path
    return next((f for f in full if f.endswith(path[3:]) and not f.startswith(".../")), path)


def _launches(files: list[str]) -> bool:
    """A patch to the scripts that start the tests (run_vmtests.sh, a selftest's own .sh):
    a command those scripts could not start ("sudo: './on-fault-limit': command not found",
    "./run_vmtests.sh: line 74: ./test_hmm.sh: No such file or directory") is what the patch
    fixes, not a binary missing from the machine."""
    return any(RUNNER_SCRIPTS.search(p) or p.endswith(".sh") for p in files)


def scan_lines(lines: list[LogLine]) -> StatementScanner:
    """The scanner over a whole text (a mail part before its diffs are dropped)."""
    scanner = StatementScanner()
    for line in lines:
        bare = QUOTE.sub("", line.text, count=1)
        scanner.feed_line(line, bare.strip(), bare)
    return scanner


def _sentence_left(text: str) -> bool:
    """What is left of a line without its link is a sentence: 40 characters, or four words
    ("`vboxsf` cannot handle `MAP_SHARED`: https://www.virtualbox.org/ticket/819", osquery
    #3408), not a label ("Link:", "See also")."""
    return len(text) >= 40 or len(text.split()) >= 4


def _introduced(joined: str) -> bool:
    """The writer naming, undoubted, the kernel change that brought the failure (``INTRODUCED``)
    or owning up to their backports (``WENT_WRONG``)."""
    if (m := INTRODUCED.search(joined)) and not INTRODUCED_DOUBT.search(
            _clause_of(joined, m.start(), m.end())):
        return True
    return bool((m := WENT_WRONG.search(joined)) and not INTRODUCED_DOUBT.search(m.group(0)))


def _clause_of(text: str, start: int, end: int) -> str:
    """The clause of ``text`` around [start, end): from the sentence's start to the match's end."""
    head = max(text.rfind(". ", 0, start), text.rfind("; ", 0, start), text.rfind("? ", 0, start))
    return text[head + 1:end]
