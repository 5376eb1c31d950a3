"""Cross-checks a rule can ask for: does the rest of the run support the rule's hypothesis?

Each check returns how far the run supports the rule: SUPPORTS (confidence stays), UNSURE (one
level lower, with the reason), or CONTRADICTS (the rule does not apply, with the reason). A
message that names an environment cause is only a hypothesis until the run agrees with it.

A contradiction is evidence against the rule (the run showed something else) or only the
absence of what the rule needs (``Basis``): a rule that applies when the report states its
cause, or names the commit, the architecture, the kernel's version, is not ruled out by the
run when the input says nothing of it. Such a rule does not make an unexplained result more
certain; an option can supply what a version rule needs (it is listed), a report's own words
cannot (it is not).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from harness.lazy_regex import lazy
from harness.model import Environment, Result, RunId, Status


class Support(Enum):
    SUPPORTS = "supports"
    UNSURE = "unsure"
    CONTRADICTS = "contradicts"


class Basis(Enum):
    """What a contradiction rests on."""

    EVIDENCE = "evidence"  # the run shows something the rule's cause cannot explain
    UNSTATED = "unstated"  # the input does not say what the rule needs; an option can
    SILENT = "silent"  # the report does not state what the rule needs: nothing to list


@dataclass(frozen=True)
class CheckOutcome:
    support: Support
    reason: str = ""
    basis: Basis = Basis.EVIDENCE


@dataclass
class RunIndex:
    """Results of the same run, by (run, suite, description, config), for contrast checks."""

    by_case: dict[tuple[RunId | None, str, str, str], Result]
    truncated_suites: set[tuple[RunId | None, str]]
    passed: dict[RunId | None, list[Result]]  # run id -> passing results
    _matching: dict[tuple[RunId | None, str], list[Result]] = field(
        default_factory=dict, repr=False, compare=False)
    _present: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    def passed_matching(self, run: RunId | None, pattern: str) -> list[Result]:
        """The passing results of a run whose names ``pattern`` finds (re.search), in
        order; each pattern scans them once (a log's distinct outcomes ask again and again)."""
        found = self._matching.get((run, pattern))
        if found is None:
            search = re.compile(pattern).search
            found = self._matching[(run, pattern)] = [
                r for r in self.passed.get(run, []) if search(r.name)]
        return found

    def names_in_run(self, names: str) -> list[str]:
        """Which of the space-separated ``names`` some result of the run (any status) carries
        in its name, description or message, in order. One scan of the run's cases per
        ``names`` (a diagnosis's names are the same for every result it judges)."""
        found = self._present.get(names)
        if found is None:
            wanted = names.split()
            texts = [f"{r.name} {r.description} {r.message or ''}"
                     for r in self.by_case.values()] if wanted else []
            found = self._present[names] = [n for n in wanted if any(n in t for t in texts)]
        return found

    @classmethod
    def build(cls, results: list[Result], truncated: set[tuple[RunId | None, str]]) -> RunIndex:
        index: dict[tuple[RunId | None, str, str, str], Result] = {}
        passed: dict[RunId | None, list[Result]] = {}
        for r in results:
            index.setdefault((r.run_id, r.suite, r.description, r.config), r)
            if r.status is Status.PASS:
                passed.setdefault(r.run_id, []).append(r)
        return cls(index, truncated, passed)


SIZE_KB = lazy(r"\((\d+) kB\)")
# A bisected commit whose title is the tests' own ('commit 1234abcd ("selftests/mm: add ...")',
# '1234abcd selftests: mm: ...'): the test changed, not the kernel.
SELFTEST_COMMIT = lazy(r"(?:\b[0-9a-f]{7,40}\s+|\(\s*\"?|\bPATCH[^\]]*\]\s*)"
                       r"(?:k?selftests?)(?:/[\w-]+)*\s*:|\(\s*\"?(?:k?selftests?)/",
                       re.IGNORECASE)
# a test's words that a call it expected refused went through, or was refused otherwise
REFUSAL_EXPECTED = lazy(
    r"\b(?:succeeded|passed)(?:\s+unexpectedly\b|\s*$|,?\s+(?:but\s+)?expected\s+(?:to\s+)?fail)|"
    r"\bunexpectedly\s+(?:succeeded|passed)\b|\bshould\s+(?:have\s+)?fail(?:ed)?\b|"
    r"\bexpected\s+(?:to\s+fail|failure)\b|\bfail(?:ed|s)\s+unexpectedly\b[,;:]?\s+expected\b|"
    # a child the test expected the kernel to refuse to start: "execve_child shouldn't be
    # executed" (LTP execve04 once exec stopped denying writers, 2024)
    r"\bshould(?:n'?t|\s+not)\s+(?:have\s+)?(?:be(?:en)?\s+)?(?:executed|allowed|permitted|"
    r"succeed(?:ed)?)\b",
    re.IGNORECASE)
# LTP's kill of a test that did not end in time: after a check that saw a call go through, the
# test's leftover child ("creat() succeeded unexpectedly", then "Test timeouted, sending
# SIGKILL!" and "TBROK: Test killed! (timeout?)", creat07 2024) - that check's consequence
KILLED_AFTER = lazy(r"\bTest killed!|\bTest timeouted\b")
OK = CheckOutcome(Support.SUPPORTS)
# errors that say the machine ran short of something (memory, huge pages, space, handles)
SHORT_OF = frozenset({"ENOMEM", "ENOSPC", "EAGAIN", "EMFILE", "ENFILE", "EDQUOT"})


def file_fs(result: Result, env: Environment) -> str | None:
    """The filesystem the test's file lived on, as far as the run tells."""
    config = result.config
    if config in ("local tmpfile", "local file", "file", ""):
        # no config: the whole test, run from the working directory; "file": a descriptor an
        # strace excerpt shows opened before it starts - the working filesystem is the best
        # word there is for it (--fs), as for a test's own file
        return env.fs
    if config == "tmpfile":
        return env.tmp_fs or env.facts.get(TMP_ASSUMED)
    if config.startswith(("memfd hugetlb", "hugetlb")):
        return "hugetlbfs"
    if config == "memfd":
        return "tmpfs"
    return None


# env.facts keys: /tmp's filesystem taken to be the working directory's (no --tmp-fs), or
# what in the run says /tmp is on another filesystem
TMP_ASSUMED = "tmp_fs_assumed"
TMP_DIFFERS = "tmp_fs_differs"


def assume_tmp_fs(env: Environment,
                  cases: Iterable[tuple[tuple[object, ...], Status, int]]) -> None:
    """/tmp's filesystem, when only the working directory's is known (--fs, or the report's
    text) and a 'tmpfile' case (glibc's tmpfile(): a file in /tmp) did not pass: the working
    directory's, as on a board whose root is NFS or 9p - the seed thread's CI, on an NFS root,
    failed "for the 'tmpfile' and 'local tmpfile' test configs" alike. Not when the run shows
    /tmp elsewhere: a test's 'local tmpfile' case passed where its 'tmpfile' case did not
    (/tmp then stays unknown, and an unexplained result says that --tmp-fs is missing).

    ``cases``: (key ending in the config, status, number) per distinct case of the run; the
    assumption is kept in env.facts, where the report shows it."""
    if env.tmp_fs or not env.fs or TMP_ASSUMED in env.facts:
        return
    status: dict[tuple[object, ...], tuple[Status, int]] = {}
    failed: list[tuple[object, ...]] = []
    for key, outcome, number in cases:
        status.setdefault(key, (outcome, number))
        if key[-1] == "tmpfile" and outcome is not Status.PASS:
            failed.append(key[:-1])
    if not failed:
        return
    for case in failed:
        local = status.get((*case, "local tmpfile"))
        if local is not None and local[0] is Status.PASS:
            env.facts[TMP_DIFFERS] = (f"the same test's 'local tmpfile' case (#{local[1]}), on "
                                      f"{env.fs}, passed")
            env.notes.append(f"/tmp's filesystem not given: pass --tmp-fs for the 'tmpfile' "
                             f"cases (/tmp is likely not on {env.fs}: {env.facts[TMP_DIFFERS]})")
            return
    env.facts[TMP_ASSUMED] = env.fs
    env.notes.append(f"/tmp taken to be on {env.fs} too (the 'tmpfile' cases' file is in /tmp; "
                     "--tmp-fs not given)")


def tmp_fs_assumed(result: Result, env: Environment) -> str | None:
    """Why the file's filesystem is less certain: /tmp's taken to be the working directory's."""
    if result.config != "tmpfile" or env.tmp_fs or not (fs := env.facts.get(TMP_ASSUMED)):
        return None
    return (f"/tmp's filesystem was not given (--tmp-fs) and is taken to be the working "
            f"directory's ({fs}), as on a machine whose root is {fs}")


def fs_missing(result: Result, env: Environment) -> str:
    """The sentence an unexplained result of a test file's case gets when the filesystem it
    depends on was not given: what to pass."""
    if result.suite in NOT_A_SELFTEST:
        return ""
    if result.config == "tmpfile" and file_fs(result, env) is None:
        differs = env.facts.get(TMP_DIFFERS)
        return (" Which filesystem /tmp was on is not known: pass --tmp-fs (the 'tmpfile' "
                "cases create their file in /tmp, not in the working directory"
                + (f"; /tmp is likely not on {env.fs}: {differs}" if differs else "") + ").")
    if result.config == "local tmpfile" and env.fs is None:
        return (" Which filesystem the working directory was on is not known: pass --fs (the "
                "'local tmpfile' cases create their file there).")
    return ""


# Results read from something other than a selftest: plain command output, an strace excerpt,
# a failure a report states in words.
NOT_A_SELFTEST = frozenset({"command", "strace", "report"})


def contrast_config(result: Result, env: Environment, index: RunIndex,
                    value: object) -> CheckOutcome:
    if result.suite in NOT_A_SELFTEST:
        return OK  # a program's own output has no variants to compare with
    other = index.by_case.get((result.run_id, result.suite, result.description, str(value)))
    if other is None:
        return CheckOutcome(Support.UNSURE, f"no '{value}' variant of the test to compare with")
    if other.status is result.status and other.message == result.message and result.message:
        return CheckOutcome(
            Support.CONTRADICTS,
            f"the '{value}' variant (#{other.number}) fails the same way ({other.message!r}), "
            "and it does not use the filesystem",
        )
    return OK


def fs_expected(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    fs = file_fs(result, env)
    if fs is None:
        return CheckOutcome(Support.UNSURE, "the filesystem of the test file is not known")
    if fs in value:  # type: ignore[operator]
        assumed = tmp_fs_assumed(result, env)
        return CheckOutcome(Support.UNSURE, assumed) if assumed else OK
    return CheckOutcome(Support.UNSURE, f"the test file was on {fs}, not on {'/'.join(value)}")  # type: ignore[arg-type]


def fs_not(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    fs = file_fs(result, env)
    if fs is None:
        return CheckOutcome(Support.UNSURE, "the filesystem of the test file is not known")
    if fs in value:  # type: ignore[operator]
        if assumed := tmp_fs_assumed(result, env):
            return CheckOutcome(Support.UNSURE, assumed)
        return CheckOutcome(Support.CONTRADICTS, f"{fs} supports this operation")
    return OK


def hugepages(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    match = SIZE_KB.search(result.config)
    if not match:
        return CheckOutcome(Support.UNSURE, "the hugetlb page size of the test is not known")
    size = f"{match.group(1)}kB"
    counts = env.hugepages.get(size)
    if counts is None:
        if env.hugepages:
            return OK  # sizes were read and this one has no pool at all
        return CheckOutcome(Support.UNSURE, "the guest's hugetlb pools were not recorded")
    total = counts.get("nr_hugepages", 0)
    free = counts.get("free_hugepages", total)
    if total == 0 or free == 0:
        return OK
    return CheckOutcome(
        Support.CONTRADICTS,
        f"the guest had {free} free {size} hugetlb pages at the start of the run",
    )


def gup_test(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    if env.gup_test is None:
        return CheckOutcome(Support.UNSURE,
                            "whether /sys/kernel/debug/gup_test existed was not recorded")
    if env.gup_test:
        return CheckOutcome(Support.CONTRADICTS, "/sys/kernel/debug/gup_test existed in the guest")
    return OK


# A report's own statement that swap works ("swap is enabled though"), not the test's question
# ("is swap enabled?").
SWAP_CLAIM = lazy(r"\bswap (?:is |was )?(?:enabled|on|configured|active)\b(?!\s*\?)|"
                  r"\bwith swap (?:enabled|on)\b(?!\s*\?)", re.IGNORECASE)


def swap(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    texts = [result.message] + [d.text for d in result.diagnostics]
    if claim := next((m.group(0) for t in texts if t and (m := SWAP_CLAIM.search(t))), None):
        return CheckOutcome(Support.CONTRADICTS, f"the report says {claim!r}")
    if env.swap_kb is None:
        return CheckOutcome(Support.UNSURE, "whether swap was configured was not recorded")
    if env.swap_kb > 0:
        return CheckOutcome(Support.CONTRADICTS, f"{env.swap_kb} kB of swap were configured")
    return OK


def truncated(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    is_truncated = (result.run_id, result.suite) in index.truncated_suites
    if is_truncated == bool(value):
        return OK
    return CheckOutcome(Support.CONTRADICTS,
                        "output truncated" if is_truncated else "output complete")


def works_elsewhere(result: Result, env: Environment, index: RunIndex,
                    value: object) -> CheckOutcome:
    """The feature a skip blames worked in another test of the same run: then it is available."""
    for other in index.passed_matching(result.run_id, str(value)):
        if other is not result:
            return CheckOutcome(Support.CONTRADICTS,
                                f"#{other.number} ({other.name}) passed in the same run, so the "
                                "feature is available")
    return OK


def feature_passed(result: Result, env: Environment, index: RunIndex,
                   value: object) -> CheckOutcome:
    """The feature a message says the kernel lacks (``value``: a regex whose group 1 names it,
    e.g. PR_SET_MEMORY_MERGE) is named by a test that passed anywhere in the same input: then
    the kernel has it, and "not supported" is the test's reading of a call that failed for
    another reason (ksm_functional_tests' prctl() with undefined unused arguments, 2023)."""
    match = re.search(str(value), result.message or "")
    if match is None:
        return OK
    token = match.group(1)
    for passed in index.passed.values():
        for other in passed:
            if other is not result and token in f"{other.name} {other.message}":
                return CheckOutcome(Support.CONTRADICTS, f"#{other.number} "
                                    f"({other.message or other.name}) passed, so the kernel "
                                    f"has {token}")
    return OK


def also_passed(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    """The rule needs the feature to work: another test using it passed in the same run."""
    if any(o is not result for o in index.passed_matching(result.run_id, str(value))):
        return OK
    return CheckOutcome(Support.UNSURE, f"no other '{value}' test passed in this run")


def known_change(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    """A known kernel change behind a page-out that failed is in play: the report names its
    ``commit``, or the kernel is known to have it (version at least ``introduced``) and swap is
    not known to be missing (then, without evidence that swap works, one level less sure)."""
    from harness.triage.versions import parse_version

    spec = value if isinstance(value, dict) else {}
    if env.swap_kb == 0:
        return CheckOutcome(Support.CONTRADICTS, "the guest had no swap")
    commit = str(spec.get("commit", ""))[:12]
    named = env.facts.get("commits", "").split()
    if commit and any(c.startswith(commit) or commit.startswith(c) for c in named):
        return CheckOutcome(Support.SUPPORTS, f"the report names commit {commit}")
    ran = parse_version(env.kernel_version or env.kernel_release)
    introduced = parse_version(str(spec.get("introduced", "")))
    if ran is None or introduced is None:
        return CheckOutcome(Support.CONTRADICTS, "nothing in the input shows a kernel with "
                            f"commit {commit or 'the change'}", Basis.UNSTATED)
    if ran[:2] < introduced[:2]:
        return CheckOutcome(Support.CONTRADICTS, f"the kernel ({env.kernel_version}) predates "
                            f"{spec.get('introduced')}")
    texts = [result.message] + [d.text for d in result.diagnostics]
    if (env.swap_kb or any(t and SWAP_CLAIM.search(t) for t in texts)
            or any(o is not result
                   for o in index.passed_matching(result.run_id, "swapped.out"))):
        return OK
    return CheckOutcome(Support.UNSURE, "nothing in the input shows that swap works")


def same_versions(result: Result, env: Environment, index: RunIndex, value: object
                  ) -> CheckOutcome:
    """The selftests are not newer than the kernel: a newer test checks behaviour the older
    kernel never had, so its failure there is not a kernel bug."""
    from harness.triage.versions import parse_version

    tests, kernel = parse_version(env.selftests_version), parse_version(env.kernel_version)
    if tests is not None and kernel is not None and tests[:2] > kernel[:2]:
        return CheckOutcome(Support.CONTRADICTS, f"the selftests ({env.selftests_version}) are "
                            f"newer than the kernel ({env.kernel_version})")
    return OK


def newer_selftests(result: Result, env: Environment, index: RunIndex, value: object
                    ) -> CheckOutcome:
    """The selftests are known to be newer than the kernel: a case written with a kernel change
    fails on a kernel from before it (a developer's report of the same failure, selftests and
    kernel from one tree, is the kernel's bug)."""
    from harness.triage.versions import parse_version

    tests, kernel = parse_version(env.selftests_version), parse_version(env.kernel_version)
    if tests is None:
        return CheckOutcome(Support.CONTRADICTS, "the input does not say which selftests ran "
                            "(harness triage --selftests-version V)", Basis.UNSTATED)
    if kernel is None:
        return CheckOutcome(Support.CONTRADICTS, "the input does not say which kernel ran",
                            Basis.UNSTATED)
    if tests[:2] <= kernel[:2]:
        return CheckOutcome(Support.CONTRADICTS, f"the selftests ({env.selftests_version}) are "
                            f"not newer than the kernel ({env.kernel_version})")
    return OK


def bisected(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    """The report says the failure was bisected to a kernel commit (env.facts["bisected"])."""
    said = env.facts.get("bisected")
    if value is False:  # the rule is for failures nobody bisected to a kernel commit
        if said:
            return CheckOutcome(Support.CONTRADICTS, f"the report bisected it ({said[:100]})")
        return OK
    if not said:
        return CheckOutcome(Support.CONTRADICTS, "the report does not say it was bisected",
                            Basis.SILENT)
    if disputed := env.facts.get("bisect_disputed"):
        return CheckOutcome(Support.CONTRADICTS, f"the thread disputes the bisect ({disputed})")
    if overruled := env.facts.get("bisect_overruled"):
        return CheckOutcome(Support.CONTRADICTS, "a later message puts the failure on the test, "
                            f"not on the bisected commit ({overruled})")
    if SELFTEST_COMMIT.search(said):
        return CheckOutcome(Support.CONTRADICTS, "the bisect names a commit to the tests, not "
                            f"to the kernel ({said[:100]})")
    if widens := _widening_unseen(result, env):
        return CheckOutcome(Support.CONTRADICTS, "the bisected commit adds or allows something "
                            f"new ({widens[:100]}) and the text shows only the verdict: a test "
                            "that expects the old refusal fits as well as a regression")
    return OK


# A failure told only by its verdict: kirk's "fsmount02: fail" line, the robot's statistic with no
# log ("ltp.fsmount02.fail"): nothing of what the test checked.
VERDICT_ONLY = lazy(r"^kirk: \S+: fail\b|\(no log in the text\)")


def _widening_unseen(result: Result, env: Environment) -> str:
    """The robot's bisected commit adds or allows something new (env.facts["bisect_widens"])
    and the text shows nothing of the failure but its verdict ("mount: add FSMOUNT_NAMESPACE"
    and kirk's "fsmount02: fail", 2026: the test's invalid flag was valid now): a test that
    expects the old refusal fits as well as a regression. The subject line, else ""."""
    widens = env.facts.get("bisect_widens", "")
    if not widens:
        return ""
    if not result.diagnostics and VERDICT_ONLY.search(result.message):
        return widens
    return widens if _names_subject_object(result, widens) else ""


# the quoted subject of the robot's commit line, after its subsystem prefixes
QUOTED_SUBJECT = lazy(r"\(\"(?:\[[^\]]*\]\s*)?(?:[\w./-]{1,30}:\s*)*(?P<rest>[^\"]+)")
WORD = lazy(r"[A-Za-z][A-Za-z0-9]{3,}")
# words of a subject that name no object the kernel changed
_SUBJECT_VERBS = (
    "adds added introduce introduces introduced extend extends extended allow allows allowed "
    "permit permits relax relaxes relaxed support from into with when without more less "
    "false positive positives correctly properly handle handles report return returns errors "
    "error block prevent deny restrict refuse stats")
SUBJECT_VERBS = frozenset(_SUBJECT_VERBS.split())


def _names_subject_object(result: Result, widens: str) -> bool:
    """The failing check's own lines name what the widening commit changes, not as the test's
    own name: "proc/ksm: add ksm stats to /proc/pid/smaps" and proc-empty-vm's "Assertion `rv
    == sizeof(g_smaps_rollup) - 1' failed" (2023: the test compared smaps_rollup with a fixed
    text and was fixed to expect the new lines). A check of the very interface the commit
    extends fits a test that expects the old output as well as a regression."""
    if (m := QUOTED_SUBJECT.search(widens)) is None:
        return False
    own = {w.lower() for w in WORD.findall(f"{result.suite} {result.name}")}
    objects = {w.lower() for w in WORD.findall(m.group("rest"))} - SUBJECT_VERBS - own
    texts = [d.text for d in result.diagnostics]
    if not VERDICT_ONLY.search(result.message):
        texts.append(result.message)
    said = {w.lower() for t in texts for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", t)}
    return bool(objects & said)


def _follows_refusal(result: Result, index: RunIndex) -> str:
    """The message of the same test's earlier result that saw a call go through (a refusal
    expected), when ``result`` is LTP's kill of that test after it (KILLED_AFTER); else ""."""
    if not KILLED_AFTER.search(result.message):
        return ""
    return next((r.message for r in index.by_case.values() if r is not result
                 and r.suite == result.suite and r.run_id == result.run_id
                 and r.number < result.number and _refusal_expected(r)), "")


def _refusal_expected(result: Result) -> bool:
    """The result says a call the test expected to be refused went through, or was refused
    with another errno ("readahead() on pidfd succeeded", "alloc passed, expected to fail",
    "openat2() should fail with E2BIG: EINVAL (22)")."""
    return any(REFUSAL_EXPECTED.search(text) for text in
               [result.message, *(d.text for d in result.diagnostics)])


def intended_change(result: Result, env: Environment, index: RunIndex, value: object
                    ) -> CheckOutcome:
    """The robot's bisect names a kernel commit whose subject says it changes a behaviour on
    purpose (env.facts["bisect_intended"]) and the input's own words conclude nothing: a reply
    that does (the test to change, the kernel to fix) is the answer instead."""
    said = env.facts.get("bisect_intended")
    if not said and env.facts.get("bisect_widens") and (
            _refusal_expected(result) or _follows_refusal(result, index)):
        said = env.facts["bisect_widens"]  # a call the test expected refused now goes through
    if not said:
        return CheckOutcome(Support.CONTRADICTS, "the bisected commit's subject names no "
                            "intended change", Basis.SILENT)
    if "stated" in env.facts:
        return CheckOutcome(Support.CONTRADICTS, "the report's own words conclude "
                            f"({env.facts.get('stated_quote', '?')[:100]})", Basis.SILENT)
    return OK


def test_change(result: Result, env: Environment, index: RunIndex, value: object
                ) -> CheckOutcome:
    """The robot's bisect names a commit to the tests only (env.facts["bisect_test_change"]):
    the kernel did not change between the passing parent and the failing commit."""
    said = env.facts.get("bisect_test_change")
    if not said:
        return CheckOutcome(Support.CONTRADICTS, "no bisect to a commit to the tests",
                            Basis.SILENT)
    if result.errno in SHORT_OF:
        # the test change may ask for more than the machine has ("selftests/vm: enable running
        # select groups of tests" reordered run_vmtests.sh's hugepage setup, and four hugetlb
        # tests failed with ENOMEM on a box with 2 hugepages, 2022): whose fault is open
        return CheckOutcome(Support.CONTRADICTS, f"the failed call's {result.errno} can be the "
                            "machine's shortage as well as the test change's")
    if "stated" in env.facts:
        return CheckOutcome(Support.CONTRADICTS, "the report's own words conclude "
                            f"({env.facts.get('stated_quote', '?')[:100]})", Basis.SILENT)
    return OK


def stated(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    """The input's own words state this cause (env.facts["stated"], set from a thread's prose
    or its patch): the maintainers' conclusion, quoted, not the harness's inference."""
    if env.facts.get("stated") == str(value):
        names = env.facts.get("stated_names", "").split()
        where = " ".join((result.name, result.description, result.message or ""))
        if names and not any(n in where for n in names):
            return CheckOutcome(Support.CONTRADICTS, "the report's statement is about other "
                                f"tests ({', '.join(names[:3])})")
        # A diagnosis sentence's names ("the hugetlb_dio test fails because ...") narrow it
        # to those tests, when some result of the run has them; a name no result has (a
        # function, a file) narrows nothing.
        scope = env.facts.get("stated_scope")
        if scope and (result.status is Status.SKIP) != (scope == "skip"):
            return CheckOutcome(Support.CONTRADICTS, f"the report's diagnosis explains {scope}s "
                                "only")
        about = index.names_in_run(env.facts.get("stated_about", ""))
        if about and not any(n in where for n in about):
            return CheckOutcome(Support.CONTRADICTS, "the report's diagnosis is about other "
                                f"tests ({', '.join(about[:3])})")
        return OK
    return CheckOutcome(Support.CONTRADICTS, f"the report does not say the cause is {value}",
                        Basis.SILENT)


# (the knobs sysctl-limit blames; a hugetlb pool the test asked for and did not get is the
# machine's memory, whoever set nr_hugepages)
SETUP_KNOB = lazy(r"\b(?:vm\.|kernel\.)?(overcommit_memory|overcommit_ratio|max_map_count|shmmax|"
                  r"shmall|shmmni)\b")


def own_setup(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    """What the test's own setup lines say it set (env.facts["own_setup"]: LTP's "set
    overcommit_memory to 2"). ``value = false``: the knob the limit is blamed on is not one the
    test set itself - a limit the test chose is no limit of the machine (max_map_count's
    overcommit_memory=2, CKI 2020). A ``"knob=value"``: the test set exactly that."""
    pairs = env.facts.get("own_setup", "").split()
    knobs = {pair.split("=", 1)[0]: pair.split("=", 1)[1] for pair in pairs}
    if isinstance(value, str):
        if value in pairs:
            return OK
        return CheckOutcome(Support.CONTRADICTS, f"the test's own setup lines do not show it "
                            f"set {value}", Basis.SILENT)
    said = " ".join((result.message or "", env.facts.get("stated_quote", "")
                     if env.facts.get("stated_cause") == "sysctl-limit" else ""))
    for m in SETUP_KNOB.finditer(said):
        if m.group(1) in knobs:
            return CheckOutcome(Support.CONTRADICTS, f"the test set {m.group(1)} itself (its own "
                                f"setup line: {m.group(1)}={knobs[m.group(1)]})")
    return OK


def exec_only(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    """The trace shows the program made memory execute-only (PROT_EXEC alone) and used no
    protection key itself (env.facts["exec_only"])."""
    made = env.facts.get("exec_only")
    if made:
        return OK
    return CheckOutcome(Support.CONTRADICTS, "the text shows no call that made memory "
                        "execute-only", Basis.SILENT)


def arch(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    """The machine is one of the architectures ``value`` lists: the report names it (uname, a
    release, its prose; readers/arch_facts.py) or the guest ran it."""
    wanted = _listed(value)
    if env.arch is None:
        return CheckOutcome(Support.CONTRADICTS, "the report does not say which architecture "
                            f"ran (this is about {', '.join(wanted)})", Basis.SILENT)
    if env.arch not in wanted:
        return CheckOutcome(Support.CONTRADICTS, f"the machine is {env.arch}, not "
                            f"{' or '.join(wanted)}")
    return OK


def thp_built(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    """The input shows the kernel has THP (cow's "[INFO] detected PMD size: 2048 KiB"; guest
    facts): a failed MADV_HUGEPAGE/MADV_NOHUGEPAGE then is madvise() refused, not missing THP."""
    line = env.facts.get("thp_built")
    if line:
        return OK
    return CheckOutcome(Support.CONTRADICTS, "the report does not show that the kernel has THP",
                        Basis.SILENT)


def translation_layer(result: Result, env: Environment, index: RunIndex,
                      value: object) -> CheckOutcome:
    """The program ran under a system call translation layer (WSL 1, gVisor) the report's text
    shows (readers/translation_layer.py): what it does not translate fails there, whatever a
    Linux kernel provides. A value other than ``true`` names the layers the rule is about
    (``translation_layer = ["WSL 1"]``)."""
    layer = env.facts.get("translation_layer")
    if layer and (value is True or layer in _listed(value)):
        return OK
    wanted = "a system call translation layer (WSL 1, gVisor)" if value is True else \
        " or ".join(_listed(value))
    return CheckOutcome(Support.CONTRADICTS, f"the report does not show {wanted}", Basis.SILENT)


# Distributions build these with 64K pages (Debian, Fedora, RHEL and SUSE ppc64le); a report
# that names the arch but not the page size is most likely about a 64K kernel.
USUAL_PAGE_SIZE = {"ppc64": "64K"}


def page_size(result: Result, env: Environment, index: RunIndex, value: object) -> CheckOutcome:
    """The kernel's base page size is one ``value`` lists, as the report states it ("64K page
    size", a "+64k" release, CONFIG_ARM64_64K_PAGES=y); for ppc64 without a statement, its
    distributions' 64K, less sure, and only beside a version the rule's range checks."""
    wanted = _listed(value)
    stated_size = env.facts.get("page_size")
    if stated_size:
        if stated_size in wanted:
            return OK
        return CheckOutcome(Support.CONTRADICTS, f"the page size is {stated_size}, not "
                            f"{' or '.join(wanted)}")
    usual = USUAL_PAGE_SIZE.get(env.arch or "")
    if usual in wanted and (env.selftests_version or env.kernel_version):
        # the guess stands only beside a version the rule's range can check
        return CheckOutcome(Support.UNSURE, f"the report names {env.arch} but not its page "
                            f"size ({usual} is what its distributions build)")
    return CheckOutcome(Support.CONTRADICTS, "the report does not say the page size is "
                        f"{' or '.join(wanted)}", Basis.SILENT)


def _listed(value: object) -> list[str]:
    """A rule's check value as a list of names: ``arch = "arm64"`` or ``["arm64", "ppc64"]``."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


CHECKS: dict[str, Callable[[Result, Environment, RunIndex, object], CheckOutcome]] = {
    "arch": arch,
    "page_size": page_size,
    "thp_built": thp_built,
    "translation_layer": translation_layer,
    "bisected": bisected,
    "stated": stated,
    "own_setup": own_setup,
    "exec_only": exec_only,
    "intended_change": intended_change,
    "test_change": test_change,
    "same_versions": same_versions,
    "newer_selftests": newer_selftests,
    "known_change": known_change,
    "works_elsewhere": works_elsewhere,
    "feature_passed": feature_passed,
    "also_passed": also_passed,
    "contrast_config": contrast_config,
    "fs_expected": fs_expected,
    "fs_not": fs_not,
    "hugepages": hugepages,
    "gup_test": gup_test,
    "swap": swap,
    "truncated": truncated,
}
