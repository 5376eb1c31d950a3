"""How maintainers say, in a thread's replies, that the test (not the kernel) is to be changed.

A robot's or CI's report opens the thread; the conclusion comes later, in a maintainer's or
the test's author's own words, by family:

- the test needs changing: "LTP needs fixing", "the test needs to be fixed", "LTP tests needs
  to be adjusted", "the testcase should be updated", "the test needs to set up this dir itself";
- the author or maintainer will change the test: "I'll send an ltp patch", "I will send a fixup
  to skip the page cache split test when the mount is not ready", "I'll post a selftests fix";
- the kernel is fine: "all good from a kernel perspective", "the kernel is behaving correctly",
  "This change is to be expected", "this is an expected failure" (an intended behaviour change
  the test still expects);
- the test is at fault by its nature: "a principial race in this testcase", "the test is racy",
  "this is a test issue", "an LTP problem".

Each is one regular expression over a line joined with the one before it (a wrapped sentence);
``statements.py`` counts a match as a test-side statement, with its own negation and question
checks.

The kernel's side has its verdicts too ("this is a minor kernel bug", "the fix belongs in the
kernel"): ``says_kernel_at_fault``, definite ones only - a hedge ("I suspect", "my guess would
be", "looks like") leaves the thread open.
"""

from __future__ import annotations

import re

from harness.lazy_regex import lazy

# The test suite or one of its tests, as the subject of a sentence.
_TEST = (r"(?:LTP|kselftests?|(?:the|this|that|these|those|our|LTP|mm) (?:LTP |mm |self)?"
         r"(?:tests?|testcases?|test cases?|selftests?)|(?:the|this|that) [\w.-]+ "
         r"(?:self)?test(?:case)?s?|(?:LTP |self)tests?|testcases?)")
_CHANGED = (r"(?:fix(?:ed|ing)?(?: up)?|adjust(?:ed|ing)?|updat(?:ed|ing)|adapt(?:ed|ing)|"
            r"correct(?:ed|ing)?|chang(?:ed|ing)|tweak(?:ed|ing)?|modif(?:ied|ying)|"
            r"relax(?:ed|ing)?|reworked)")

# ("fix the test failure" may be the kernel's fix)
_NOT_A_FAILURE = r"(?! (?:failures?|regressions?|breakage|crash|report|results?|run)\b)"

FOLLOWS_KERNEL = (r"\b(?:updat\w*|adjust\w*|adapt\w*|chang\w*)\s+" + _TEST + r"\s+to\s+(?:align\s+"
                  r"with|match|follow|reflect|accommodate|cope\s+with|keep\s+up\s+with)\b"
                  r"[^.?]{0,40}?\b(?:(?:changes?|behaviou?r)\b[^.?]{0,30}?\bkernel|kernel(?:'s)?"
                  r"\s+(?:\w+\s+)?(?:changes?|behaviou?r))\b|"
                  # the test to take the kernel's new answer: "I *think* we are fine with just
                  # adjusting the test to accept the new world order" (Jan Kara on LKFT's
                  # ioctl_pidfd05 after pidfs returned ENOTTY, 2025), "update the test to expect
                  # ENOTTY", "relax the test to accept both errnos", "so I think we need to fix
                  # test to accept both" (Jan Stancek on setns01's EBADF, LTP 2020)
                  r"\b(?:updat|adjust|adapt|chang|fix|modif|relax|improv|amend)\w*\s+(?:" + _TEST
                  + r"|test)\s+to\s+"
                  r"(?:accept|expect|allow|tolerate|handle)\s+(?:both\b|either\b|(?:the\s+)?"
                  r"(?:new|changed|current|updated)\s+(?:world\s+order|behaviou?r|errno|error"
                  r"|return|value|semantics)\b|`?E[A-Z]{3,}\b)")
TEST_TO_CHANGE = lazy(
    r"\b" + _TEST + r"\s+(?:(?:itself|then|probably|simply|just|really|clearly|rather)\s+)?"
    r"(?:needs?|has|have|must|should|ought|wants?)\s+(?:to\s+)?(?:be\s+)?" + _CHANGED + r"\b|"
    # "this just means the test needs adjustment" (LTP execveat02, 2020), "needs an update"
    r"\b" + _TEST + r"\s+(?:(?:just|simply|probably|then)\s+)?(?:needs?|requires?)\s+(?:an?\s+|"
    r"some\s+)?(?:adjustments?|updates?|fix(?:es|ing|up)?|changes?|tweak(?:s|ing)?|"
    # "msync01：testcase need revisit" (ltp #1259: its MS_ASYNC compare cannot be relied on)
    r"revisit(?:ing)?|rework(?:ing)?|rewrit(?:e|ing))\b|"
    # "Suggest the test needs to setup this dir itself"
    r"\b" + _TEST + r"\s+(?:needs?|has|have|must|should)\s+(?:to\s+)?(?:set ?up|create|mount|"
    r"check for|probe)\b[^.?]{0,40}\bitself\b|"
    # "I'll send an ltp patch", "I will post a selftests fix", "I'll send a patch for LTP"
    r"\bI(?:'ll| will| am going to|'m going to| shall| plan to| can)\s+(?:send|post|submit|"
    r"prepare|write)\s+(?:out\s+)?(?:an?\s+|the\s+)?(?:LTP|kselftests?|selftests?|test(?:case)?)"
    r"(?:[- ]side)?\s+(?:patch|fix(?:up)?|change)\b|"
    r"\bI(?:'ll| will| am going to|'m going to| shall| plan to| can)\s+(?:send|post|submit|"
    r"prepare|write)\s+(?:out\s+)?(?:an?\s+)?(?:patch|fix(?:up)?)\s+(?:for|to)\s+(?:LTP|"
    r"kselftests?|the (?:self)?tests?)\b|"
    # "Once the LTP patches are applied, you will need to update LTP" (ioprio_set03, 2023),
    # "you may need to update the expected test output for this test" (ftruncate04_64, 2021)
    r"\b(?:need|needs|have|has|should|must) to (?:update|upgrade|adjust|fix) (?:LTP|the (?:LTP |"
    r"self)?tests?(?:case)?s?|(?:the )?expected (?:test )?output)\b" + _NOT_A_FAILURE + "|"
    # the test's own time limit to be raised: "For fs_fill case, it triggers ltp default timeout
    # (300s), then ltp library will kill this case. I think you should add .timeout=-1 in
    # fs_fill.c struct tst_test or export LTP_TIMOUT_MUL to a proper vaule." (Yang Xu on CKI's
    # fs_fill, 2020), "increase the timeout of the test", "set .max_runtime = 300"
    r"\b(?:add|set|use|increase|raise|bump|extend)\s+(?:the\s+|a\s+)?`?\.(?:timeout|max_runtime)"
    r"\s*=\s*-?\d|"
    r"\b(?:export|set|increase|raise|bump)\s+(?:the\s+)?`?LTP_TIM(?:E)?OUT_MUL\b|"
    r"\b(?:increase|raise|bump|extend)\s+(?:the\s+)?(?:test'?s?\s+)?time\s?out\s+(?:of|for|in)\s+"
    r"(?:the\s+|this\s+)?(?:test(?:\s?case)?|[\w.-]+\.c)\b|"
    # the fix placed in the test: "This failure is likely the 'STATX_ATTR_*' flags unsupported
    # with the FUSE issue. We may need to fix it in the test." (Li Wang on CKI's statx04, 2021),
    # "this should be fixed in LTP", "we need to fix that in the testcase"
    r"(?<!n't )(?<!not )(?<!no )\b(?:(?:may|might|will|would)\s+)?(?:need|needs|have|has|should|"
    r"must|ought)\s+to\s+fix\s+"
    r"(?:it|this|that|them|these)\s+(?:up\s+)?in\s+(?:the\s+)?(?:LTP|(?:self|k?self)?tests?"
    r"(?:\s?case|\s?suite)?)\b|"
    r"\b(?:should|must|needs?\s+to|has\s+to|have\s+to|ought\s+to)\s+be\s+fixed\s+in\s+(?:the\s+)?"
    r"(?:LTP|(?:self|k?self)?tests?(?:\s?case|\s?suite)?)\b|"
    # "help me to fix the test" (ptrace08, 2020), "We will fix the test if/once this patch gets
    # upstreamed" (open13, 2019) - not "fix the test failure", which may be the kernel's
    r"\b(?:help (?:me |us )?(?:to )?|(?:need|have) to |(?:we|I)(?: will|'ll| shall| should| can|"
    r" am going to|'m going to) )fix (?:the|this) (?:LTP |self)?test(?:case)?\b" + _NOT_A_FAILURE
    + "|"
    # the test to be brought in line with a kernel change: "A patch has been proposed to update
    # the LTP test case to align with recent changes in the Linux kernel code" (LKFT's stable
    # review replies on epoll_ctl04, 2025), "adapt the test to match the new kernel behaviour"
    + FOLLOWS_KERNEL + "|"
    # "I will send a fixup to skip the page cache split test when the mount is not ready"
    r"\b(?:fix(?:up)?|patch|change)\s+to\s+(?:skip|fix)\s+(?:the|this)\s+(?:[\w.-]+\s+){0,4}?"
    r"(?:self)?test\b|"
    # a fix to the test that exists already, with the CI told to take it: "This is fixed in LTP.
    # Please update your LTP setup to avoid this issue." (Damien Le Moal on LKFT's ioprio_set03
    # bisect, 2024), "Again, this error has been fixed in LTP master in 538a44741" (Petr Vorel
    # on LKFT's compat failures, 2023), "the test has already been fixed upstream"
    r"\b(?:is|was|been|got|are|were)\s+(?:already\s+|now\s+|since\s+)?fixed\s+(?:up\s+)?in\s+"
    r"(?:the\s+)?(?:latest\s+|upstream\s+|current\s+|recent\s+)?(?:LTP|kselftests?|"
    r"selftests?|the\s+(?:LTP\s+|self)?tests?(?:uite)?)\b|"
    r"\b" + _TEST + r"\s+(?:has|have)\s+(?:already\s+|since\s+)?been\s+" + _CHANGED
    + r"\b(?!\s+to\s+(?:cover|test|check|add|include)\b)|"
    r"\b(?:please\s+|you\s+(?:should|need\s+to|have\s+to|must)\s+)(?:update|upgrade)\s+"
    r"(?:your\s+|the\s+)?(?:LTP|kselftests?|selftests?|test\s*suite)\b|"
    # a patch to the test on its way: "We even have in-flight patch from Jeff to fix the test
    # with fine-grained timestamps in LTP" (Cyril Hrubis on LKFT's statx06, 2023), "there is a
    # patch posted to adjust the test"
    r"\b(?:patch(?:es|set)?|fix(?:es)?|change)\b[^.?]{0,60}?\bto\s+(?:fix|adjust|update|adapt|"
    r"relax|correct)\s+(?:the|this|these)\s+(?:LTP\s+|self)?tests?(?:case)?s?\b" + _NOT_A_FAILURE
    + "|"
    # a CI taking the test's fix in: "we will update ltp testsuite when your patch merged" (the
    # kernel test robot answering an LTP patch for listmount04, 2025), "we'll update our LTP
    # once the fix is merged" - not "we will update the report"
    r"\b(?:we|I)(?:'ll| will| shall| are going to| am going to|'m going to)\s+(?:then\s+)?"
    r"update\s+(?:the\s+|our\s+)?(?:LTP|kselftests?|selftests?)(?:\s+(?:test\s?suite|tests?|"
    r"test\s?cases?|copy|version|checkout))?\b(?!\s+(?:results?|reports?|bisect\w*)\b)",
    re.IGNORECASE)

# The test suite's build that ran is older than its fix: "Whatever LTP version this was, it
# did not have the ioctl_sg01 max_runtime patch applied." (Martin Doucha on LKFT's ioctl_sg01
# timeout, 2022), "your LTP is too old", "you are running an outdated LTP", "please use the
# latest LTP release" - the fix is in the test suite already.
_SUITE = r"(?:LTP|kselftests?|selftests?|test\s?suite)"
_NOT_API = r"\b(?!\s+(?:API|api|librar(?:y|ies)|lib|style|headers?)\b)"
OLD_SUITE = lazy(
    r"\b(?:whatever|the|this|that|your|their) " + _SUITE + r" (?:version|build|release|checkout|"
    r"tree|binar(?:y|ies))\b[^.?]{0,30}\b(?:did not|didn't|does not|doesn't|lacks?|lacked|"
    r"predates?|predated)\b(?: (?:have|include|contain|carry))?[^.?]{0,40}\b(?:patch|fix|"
    r"commit|change)\b|"
    r"\b(?:your|their|the|this|that) " + _SUITE + r"(?: (?:version|build|release|checkout|"
    r"copy))? (?:is|was|seems|looks) (?:(?:simply|just|probably|way|much) )?(?:too |very )?"
    r"(?:old|outdated|stale)\b|"
    # (the writer's reading of a run, not a policy: "you were running an old LTP version"
    # (Li Wang on move_pages12, 2019), not "uses old LTP API" nor "distros ... are using older
    # LTP")
    r"\b(?:you|it|they|this|that|the (?:CI|job|run|test run|board|lab))(?:'re| are| were| was|"
    r" is|'s)?(?: (?:probably|apparently|clearly|still))? (?:running|using) (?:an? |the )?(?:old|"
    r"older|outdated|stale|ancient) (?:version of |build of |copy of )?(?:the )?" + _SUITE
    + _NOT_API + r"|"
    r"(?<!n't )(?<!not )(?<!never )\b(?:please |you (?:should|need to|have to|must) |just )?"
    r"(?:use|try|run|update to|upgrade to|switch to) (?:the )?(?:latest|newest|current|recent|"
    r"newer) " + _SUITE + r"(?: (?:release|version|git|master|tree|build))?" + _NOT_API
    + r"(?! (?:fails?|failed|shows?|has)\b)",
    re.IGNORECASE)

# The author of a patch the robot tested, answering that the patch's next version fixes what it
# found: "This issue has been found and will be fixed next version." (Masami Hiramatsu on the
# robot's ftracetest report for a tracing/selftests patch, 2021), "I posted today a V2 that take
# a different approach ... and should solve also the issue mentioned in this report" (Cristian
# Marussi on a runner.sh patch, 2021), "I'm sending a updated patch to Paul for merging" (Willy
# Tarreau on the robot's nolibc build failure, 2022). Whose fix it is depends on the patch:
# statements.py counts it only when the commits the text names change only the tests.
NEXT_VERSION = lazy(
    r"\b(?:will|would|shall|'ll)\s+be\s+(?:fixed|addressed|solved|resolved|handled)\s+"
    r"(?:in\s+)?(?:the\s+|my\s+)?(?:next|following|upcoming)\s+(?:version|revision|respin|"
    r"iteration|spin|series)\b|"
    r"\b(?:fixed|addressed|solved|resolved)\s+in\s+(?:the\s+|my\s+)?(?:next|following)\s+"
    r"(?:version|revision|respin|iteration)\b|"
    r"\b(?:the\s+)?(?:next|following|updated)\s+(?:version|revision|respin)\b[^.?]{0,60}?"
    r"\b(?:fix(?:es)?|solves?|address(?:es)?|resolves?)\b|"
    r"\b[Vv]\d+\b[^.?]{0,100}?\b(?:should|will|would)\s+(?:also\s+)?(?:fix|solve|address|"
    r"resolve)\b|"
    r"\b(?:should|will|would)\s+(?:also\s+)?(?:fix|solve|address|resolve)\s+(?:also\s+)?"
    r"(?:the|this)\s+(?:issue|problem|failure|error)s?\s+(?:mentioned|reported|described|"
    r"found)\s+(?:in|by)\s+(?:this|the|your)\s+(?:report|robot|bot)\b|"
    r"\bI(?:'m|\s+am)\s+sending\s+(?:an?\s+)?(?:updated|new|fixed|corrected)\s+(?:patch|"
    r"version|series)\b|"
    r"\bI(?:'ll|\s+will)\s+(?:send|post|submit)\s+(?:an?\s+)?(?:updated|new|fixed|corrected)"
    r"\s+(?:patch|version|series)\b", re.IGNORECASE)

KERNEL_FINE = lazy(
    r"\b(?:all\s+)?(?:good|fine|ok(?:ay)?|correct)\s+from\s+(?:a|the)\s+kernel(?:'s)?\s+"
    r"(?:perspective|point of view|side|pov)\b|"
    r"\bthe kernel (?:is|was) (?:behaving |working |doing (?:the )?)?(?:correctly|fine|right|"
    r"as (?:expected|intended|designed))\b|"
    # an intended behaviour change the test still expects the old way
    r"\b(?:this|the|that) (?:change|behaviou?r(?: change)?) (?:is|was) (?:to be expected|"
    r"expected|intended|intentional|deliberate|by design)\b|"
    # the same said the other way round: "This is an intentional change in behavior and only
    # affects systemd which is happy to adapt to that change" (Christian Brauner on LTP
    # ioctl_pidfd06, 2026), "there is no problem but an intentional change in behaviour in -mm"
    # (Andries Brouwer, 2005) - not "If this is an intended change, ..." nor "no intentional
    # change in behavior" (negations are the caller's) nor "an unintentional change"
    r"(?<!\bif )\b(?:this|that|it)(?:'s|\s+is|\s+was)\s+(?:(?:just|simply|an?)\s+)*"
    r"(?:intended|intentional|deliberate|expected)\s+(?:(?:behaviou?ral|behaviou?r|ABI|API|"
    r"uapi)\s+)?change\b|"
    r"\b(?:no|not an?) (?:problem|bug|regression)\b[^.?]{0,10}\bbut (?:an? )?(?:intended|"
    r"intentional|deliberate) change\b|"
    # a kernel developer's answer to a bisect: "Yes, this is an expected failure." (readahead01
    # on pidfs, 2024), "so he's aware that this is an expected failure" (fsmount02, 2026), "the
    # failure is expected now that ..."
    r"\b(?:this|that|it)(?:'s|\s+is|\s+was)\s+(?:(?:simply|just|an|a)\s+)*expected\s+"
    r"(?:test\s+)?failure\b|\b(?:this|the) (?:test )?failure (?:is|was) (?:to be )?expected\b|"
    # the writer's reading of the kernel change: "I found a description in <link> which
    # indicates that this is expected" (Arnd Bergmann on LKFT's statx06 after multigrain
    # timestamps, 2023), "this is expected behaviour now" - not "this is expected to fail" (an
    # XFAIL), nor "If you haven't got the bugfixes, then it's expected that the test fails"
    # (the kernel lacking its fixes)
    r"\b(?:indicates?|shows?|means?|says?|suggests?|confirms?)\s+(?:that\s+)?"
    r"(?:this|that|it)(?:'s|\s+is|\s+was)\s+(?:(?:all|just|simply|entirely)\s+)?expected\b"
    r"(?!\s+(?:to|that|if|when|unless|given|on|with|without)\b)|"
    r"\b(?:this|that|it)(?:'s|\s+is|\s+was)\s+(?:the\s+|an?\s+)?expected\s+(?:new\s+)?"
    r"behaviou?r\b",
    re.IGNORECASE)

TEST_NATURE = lazy(
    r"\b(?:race|racy)\b[^.?]{0,30}\bin (?:the|this|that|our) (?:LTP |self)?tests?(?:case)?s?\b|"
    r"\b(?:the|this) test(?:case)? is (?:inherently |simply |just )?racy\b|"
    r"\b(?:is|was|as|be) (?:an?|the) (?:LTP|test(?:case)?|selftests?)(?:[- ]side)? "
    r"(?:issue|problem)\b|"
    # "That's on the test because DRAIN doesn't punt to worker threads anymore" (Pavel Begunkov
    # on LTP io_uring02 after an io_uring change, 2021), "this one is on the test side", "the
    # test's fault"
    r"\b(?:that|this|it)(?:\s+one)?(?:'s|\s+is|\s+was)\s+(?:(?:all|entirely|squarely)\s+)?on\s+"
    r"the\s+(?:LTP\s+|self)?test(?:s|case)?(?:[- ]side)?\b(?!\s+(?:machines?|systems?|hosts?|"
    r"boxe?s?|boards?|run|list)\b)|\bthe (?:LTP |self)?test(?:case)?'s (?:own )?fault\b|"
    # a test patch's stated effect, the old test's unreliability: "As a result, the test
    # becomes more stable, deterministic, and easier to reproduce" (LTP mmap22, 2025), "Make
    # fanotify23 evictable marks tests more reliable", "to stabilize the test"
    r"\b(?:the|this|these) (?:LTP |self)?tests?(?:case)? (?:becomes?|is now|are now|will be|gets?) "
    r"(?:much |far |a lot |a bit )?more (?:stable|reliable|deterministic|robust)\b|"
    r"\bmakes? (?:the |this |these )?(?:[\w.-]+ ){0,3}(?:LTP |self)?tests?(?:case)? "
    r"(?:much |far |a bit |yet )?more (?:stable|reliable|deterministic|robust)\b|"
    r"\bto stabili[sz]e the (?:LTP |self)?test(?:case)?\b",
    re.IGNORECASE)


# The other way: a later message saying the test is right ("tl;dr: I think this test is
# correct, and I think I see a way to improve the offending patch series", LTP execveat02,
# 2020) takes back an earlier "the test needs adjustment".
TEST_IS_RIGHT = lazy(
    r"\b(?:the|this|that|LTP) (?:LTP |self)?test(?:case)? (?:is|was|looks) (?:correct|right|"
    r"valid|fine|sane)\b|\bthe test (?:is|was) doing the right thing\b", re.IGNORECASE)


# A fix to the test named only by its patch's subject, in a reply that points the reporter to
# it ("[PATCH v3] memcg/memcontrol04: Fix judgment for recursive_protection", b4's listing of the
# patch Li Wang asked an LTP memcontrol04 reporter to try, 2025; "[PATCH] syscalls/shmctl04: Add
# kernel version requestions"): the subject's prefix is the test suite's (ltp, selftests,
# syscalls/, testcases/) or ends in an LTP test's name (letters and two digits: mmap16,
# memcontrol04 - not arm64 or ppc64), and the summary fixes, skips or adjusts it.
TEST_FIX_PATCH = lazy(
    r"\[PATCH[^\]]*\]\s+(?:(?:[\w.-]+/)*(?:ltp|LTP|selftests?|kselftests?|syscalls|testcases)"
    r"(?:/[\w.-]+)*|(?:[\w.-]+/)*(?!(?:arm|ppc|amd|ia|mips|sparc|riscv|s|x|i)\d)[a-z_]{3,}\d\d"
    r"(?:_\d+)?):\s+(?:fix|skip|adjust|correct|update|relax|add (?:kernel )?(?:version|min_kver)|"
    r"require|check|handle|don't|do not|avoid|use)\w*", re.IGNORECASE)

# A hedged test-side conclusion of the analysis that precedes it ("Which however doesn't
# guarantee there won't be any gaps. I'm leaning towards updating test at the moment.", Jan
# Stancek on shmctl01's SHM_STAT after an ipc change, 2019; "probably the test should be
# updated").
TEST_LEANING = lazy(
    r"\bI(?:'m| am) (?:leaning|inclined) (?:towards?|to) (?:updat|fix|adjust|chang|modify|relax)\w*"
    r" (?:the |this )?(?:LTP |self)?test(?:case)?s?\b|"
    r"\bprobably (?:the|this) (?:LTP |self)?test(?:case)? (?:should|needs? to|has to) (?:be )?"
    + _CHANGED + r"\b", re.IGNORECASE)


def says_test_to_change(joined: str) -> bool:
    """Whether the (joined) line is one of the families above."""
    return bool(TEST_TO_CHANGE.search(joined) or KERNEL_FINE.search(joined)
                or TEST_NATURE.search(joined) or TEST_LEANING.search(joined)
                or OLD_SUITE.search(joined))


HEADER_LINE = lazy(r"\s*(?:Subject|Re|Fwd?):", re.IGNORECASE)


def names_test_fix_patch(text: str, line_number: int) -> bool:
    """Whether a body line (not a message's own Subject: a patch thread's subject says what
    the patch is, read elsewhere) names a fix to the test by its patch subject."""
    return line_number > 0 and not HEADER_LINE.match(text) and bool(TEST_FIX_PATCH.search(text))


# The other side, said as a verdict in a reply: "this is a minor kernel bug and our colleague is
# working on a fix" (Martin Doucha, LTP memcontrol04, 2025), "This is a kernel bug. Generally
# speaking, we shouldn't be able to create kernel panics from user land." (Richard Palethorpe
# answering a semctl03 patch that changed the test instead, 2022), "the fix belongs in the
# kernel". Only the definite form counts: a hedge ("My guess would be kernel bug", "I suspect
# it's a kernel bug", "looks like a kernel regression to me") leaves the thread open until a
# later message settles it.
KERNEL_AT_FAULT = lazy(
    r"\b(?:this|that|it|which)\s*(?:is|was|'s)\s+(?:(?:a|an|the)\s+)?(?:(?:minor|known|real|"
    r"genuine|clear|serious|nasty|definite|confirmed|critical)\s+)?kernel(?:[- ]side)?\s+(?:bug|"
    r"issue|problem|regression)\b|"
    r"\b(?:this|that|it)\s*(?:is|was|'s)\s+(?:a|an)\s+(?:(?:minor|known|real|genuine|clear|"
    r"serious)\s+)?bug\s+in\s+the\s+kernel\b|"
    r"\bthe kernel (?:is|was) (?:buggy|wrong|broken|at fault)\b|"
    # a maintainer refusing to gate a test off old kernels: "IMHO this is wrong. Older kernels
    # are broken, and this would hide they are buggy." (Petr Vorel on an LTP splice07 min_kver
    # patch, 2025), "AFAIK LTP should not try to hide bugs, report missing fix." (Petr Vorel on
    # fanotify tests and a backported fsnotify fix, 2024)
    r"\b(?:older|old|these|those|such|affected|stable) kernels? (?:is|are|was|were) (?:simply |"
    r"just |really |still )?(?:broken|buggy)\b|"
    r"\b(?:would|will|does|to) (?:hide|mask|paper over) (?:that |the fact that )?(?:they|those|"
    r"these|older kernels?|the kernels?) (?:are|is) (?:buggy|broken)\b|"
    r"\b(?:LTP|the test|tests?) (?:should|must) (?:not|never) (?:try to )?(?:hide|mask|paper over)"
    r" (?:kernel )?bugs\b|"
    r"\b(?:needs?|has|have|must|should)\s+(?:to\s+)?be\s+fixed\s+(?:in|on)\s+the\s+kernel"
    r"(?:[- ]side)?\b|\bthe fix (?:belongs|is needed|has to be|must be) (?:in|on) the kernel\b",
    re.IGNORECASE)
# Words that make the writer's kernel verdict a guess, in its clause before it.
HEDGE = lazy(r"\b(?:suspect\w*|guess\w*|bet|seems?|looks?|sounds?|maybe|might|may|could|"
             r"probabl\w*|possibl\w*|perhaps|not sure|think|believe|wonder\w*|if|whether|"
             r"would|likely|unless|assum\w*|feel)\b|'d\b", re.IGNORECASE)
CLAUSE = lazy(r"[.;!?:]\s|,\s*(?:but|and|so)\s|\bbut\b", re.IGNORECASE)


# A request to backport a named kernel fix to an older tree ("Backport d4ae9916ea29 (\"mm:
# soft-offline: close the race against page allocation\") to 4.14 and 4.9", Petr Vorel on LTP's
# madvise11 failing on 4.14.290, 2022; "please backport this patch (i. e. 38a9a5121c3b
# (\"lib/crc32: ...\")) to stable kernels"): the failure is that old kernel's, which lacks the
# fix - not a fix to the tests (a selftests/LTP commit's subject says so).
BACKPORT_REQUEST = lazy(
    r"\bbackport(?:ing)?\s+(?:of\s+)?(?:(?:this|the|that)\s+(?:fix|patch|commit)\s*"
    r"(?:\((?:i\.\s?e\.\s*)?)?)?(?:commit\s+)?[0-9a-f]{7,40}\b(?!\s*\(\"(?:selftests?|ltp|tests?|"
    r"kselftest)\b)[^?]{0,160}?\b(?:to|into|for)\s+(?:the\s+)?(?:v?\d+\.\d+|stable|older|"
    r"LTS)\b", re.IGNORECASE)
# The same told of a stable tree that lacks the fix: "I reported this and the patch is now
# queued for the next 4.19" (Joerg Vehlow on LTP sysctl02, whose 4.19 lacked 7f2923c, 2021),
# "the fix has been queued for 5.10-stable", "Since 7f2923c is the commit, that really enables
# over- and underflow detection, this is not backported"; a kernel release or stable tree named
# (an LTP fix queued for the next LTP release is not this), or a commit id before "not backported".
MISSING_BACKPORT = lazy(
    r"\b(?:patch|fix|commit)(?:es)?\b[^.?]{0,30}?\b(?:is|are|was|were|has\s+been|have\s+been|"
    r"got)\s+(?:now\s+|already\s+)?queued\s+(?:up\s+)?(?:for|in|into|to)\s+(?:the\s+)?"
    r"(?:next\s+)?(?:(?:v|linux-)?\d+\.\d+(?:\.y|\.\d+|-stable)?|stable)\b|"
    r"\b[0-9a-f]{7,40}\b[^.?]{0,160}?\b(?:is|was|were)\s+(?:not|never)\s+backported\b",
    re.IGNORECASE)


# The end of the sentence a verdict is in: a "?" makes it a question ("so is failing of fcntl27
# test caused by this commit, or is it something that needs to be fixed in the kernel code?",
# LTP 2025), even when the line it is joined with goes on.
SENTENCE_END = lazy(r"[.!?](?=\s|$)")


def _asked(joined: str, end: int) -> bool:
    """Whether the sentence that goes on at ``end`` ends with a question mark."""
    stop = SENTENCE_END.search(joined, end)
    return stop is not None and stop.group(0) == "?"


def says_kernel_at_fault(joined: str) -> bool:
    """Whether the (joined) line says, not guesses nor asks, that the failure is the kernel's
    bug."""
    if BACKPORT_REQUEST.search(joined) or MISSING_BACKPORT.search(joined):
        return True
    for m in KERNEL_AT_FAULT.finditer(joined):
        start = 0
        for c in CLAUSE.finditer(joined, 0, m.start()):
            start = c.end()
        if not HEDGE.search(joined, start, m.start()) and not _asked(joined, m.end()):
            return True
    return False
