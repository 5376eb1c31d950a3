"""Classes round 20-mm (mail excerpts of the mm selftests, 2023-2026) missed, each tested on a
second real text worded differently from the round's report:

- the writer announcing the cause found, right before a diff to the selftests: "Ah, I think I
  know why:" (split_huge_page_test's is_backed_by_folio(), 2025), "And ... I think I know the
  problem." with a short paragraph of why before the diff (madv_populate's headers, 2021): the
  analysis of a selftest-only fix, like "it's because ... we need something like this";
- a reviewer's own run of the test with the quoted patch to the selftests applied, and the
  failure it met: "I applied this to f09079bd04a92 and tested it ... And I hit this:" (the uffd
  refactor, 2025), "Hmm. with this patch there is a regression: ... fails for me with" (lib.mk,
  2019): the failure is the patch's, the test broken by its own change; "there is a regression"
  then is the patch's regression, not the kernel's;
- (mini-round 20-mm-b) a quoted patch whose own first words say it adds tests ("Add tests for
  new UFFDIO_MOVE ioctl which ...", "Add a new test `migrate.cow_after_fork` that verifies
  ...") is a new test even when it adds them to an existing file: a reviewer's failure under it
  is no "patch that fixes the test";
- a mail signature is no cut mark: "-- " after the last console line (git format-patch's "-- "
  then "2.41.0", or a writer's name) ends the text and cuts nothing out of it, so a complete run
  keeps its Totals and is no excerpt; and a ``[RUN]`` line whose pasted block then ends in prose
  (cow's header printed again by each fork()ed child, a second paste after the prose) is where
  the writer stopped pasting, not a test the console left behind - no crash.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import conclude, triage_read

CLASSES = Path(__file__).parent / "fixtures" / "classes"
REPORTS = Path(__file__).parent / "fixtures" / "reports"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


def test_cause_announced_before_a_selftest_diff_is_the_tests_fix(tmp_path):
    # round 20-mm: David Hildenbrand, 2025-09-02, "Ah, I think I know why:" and a diff to
    # split_huge_page_test.c under his own quoted "Bail out! Some THPs are missing during mremap"
    report = triage_read(tmp_path, (
        REPORTS / "split-huge-page-thps-missing-mremap-quoted-bail-out-reply.txt").read_text())
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}
    # second text: David Hildenbrand, 2021-10-15, "And ... I think I know the problem.", six
    # lines of why, then a diff to madv_populate.c (the build warning Shuah quoted)
    text = (CLASSES / "madv-populate-headers-know-the-problem-reply.txt").read_text()
    stated = conclude(text)
    assert stated is not None and stated.category == "test-bug"
    assert stated.line.text == "And ... I think I know the problem."
    report = triage_read(tmp_path, text)
    assert report["verdict"] == "test-bug"
    assert ("test-bug", "selftest-logic-bug") in _findings(report)


def test_a_reviewers_run_with_a_selftest_patch_applied_is_the_patchs_failure(tmp_path):
    # round 20-mm: Brendan Jackman, 2025-06-10, on v4 of the uffd refactor (its whole diff
    # quoted, only tools/testing/selftests/mm files): "I applied this ... And I hit this:"
    report = triage_read(tmp_path, (
        REPORTS / "uffd-unit-tests-refactor-munmap-einval-tested-reply.txt").read_text())
    assert report["verdict"] == "test-bug"
    assert _findings(report) == {("test-bug", "selftest-logic-bug")}
    # second text: Shuah Khan, 2019-09-06, on a lib.mk patch: "Hmm. with this patch there is a
    # regression: ... fails for me with" - the regression is the patch's, not the kernel's
    text = (CLASSES / "lib-mk-output-prepend-with-this-patch-regression-reply.txt").read_text()
    stated = conclude(text)
    assert stated is not None and (stated.cause, stated.category) == (
        "selftest-logic-bug", "test-bug")
    assert "with this patch there is a regression" in stated.line.text
    assert "applied" in stated.why
    report = triage_read(tmp_path, text)
    assert report["verdict"] == "test-bug"
    assert not any(c == "kernel-bug" for c, _ in _findings(report))


def _notes(report: dict) -> str:
    return " ".join(report["environment"]["notes"])


def test_a_mail_signature_is_no_cut_mark_and_a_block_ending_in_prose_no_crash(tmp_path):
    # round 20-mm: David Hildenbrand's gup_longterm cover letter (2023-05-19), a whole
    # tab-indented run (Totals pass:50), the series' shortlog, then "-- " and "2.40.1": a
    # complete run, not an excerpt with cut marks
    report = triage_read(tmp_path, (
        REPORTS / "gup-longterm-cover-letter-all-pass-tab-run.txt").read_text())
    assert report["verdict"] == "clean"
    assert "cut marks" not in _notes(report) and "excerpt" not in _notes(report).lower()
    # second text: David's cow patch (2023-12-06) quoting two runs, the first cut after a
    # [RUN] line and its child's "# [INFO]" lines, then prose and the second run; it ends with
    # "-- " and "2.41.0". Session 9 saw it turn into a crash call when the signature stopped
    # counting as a cut mark; the [RUN] block ends in prose, so it is no crash either way.
    report = triage_read(tmp_path, (REPORTS / "cow-ksft-header-duplicated.txt").read_text())
    assert ("test-bug", "output-duplicate-header") in _findings(report)
    assert not any(r["status"] in ("crash", "missing") for r in report["results"])
    assert "cut marks" not in _notes(report)
    assert "nothing shows a crash" in _notes(report)


def test_a_patch_that_says_it_adds_tests_is_a_new_test_not_the_tests_fix(tmp_path):
    # mini-round 20-mm-b: Ryan Roberts, 2023-12-01, quoting the v5 UFFDIO_MOVE test patch
    # (its diffstat: existing uffd files only) over "Testing move-pmd on anon... ERROR:
    # UFFDIO_MOVE error: -16" - the kernel patch and the test were both to change; the text
    # states neither
    report = triage_read(tmp_path, (
        REPORTS / "uffd-move-pmd-ebusy-mm-unstable-arm64-reply.txt").read_text())
    assert report["verdict"] == "unknown"
    assert not any(c == "test-bug" for c, _ in _findings(report))
    # second text: Itamar Dalal's rmap patch (2025-10-15), "Add a new test
    # `migrate.cow_after_fork` that verifies ...", a test added to the existing rmap.c
    assert conclude((CLASSES / "rmap-cow-after-fork-add-a-new-test-patch.txt").read_text()) is None
