"""Classes the lead fixed in session 11, found by the variants test after the round landings:

- a patch quoted in a reply and wrapped by a mail client at 72 columns is still code: a piece
  of a broken diff line (its first word would not have fit on the line before, or that line
  was near the width) does not end the diff, and a hunk header starts it again - for the paste
  reader and for the statements scanner (a wrapped diff let the C string "CONFIG_X is not set"
  in a selftest patch be read as the writer saying the kernel lacked the option);
- kirk's result lines ("ioctl_pidfd06: fail | tainted (0.034s)") behind a console's printk
  stamp are LTP's lines (a robot mail captured from a console).
"""

from __future__ import annotations

from pathlib import Path

from test_report_variants import TRANSFORMS, rewrap
from test_reports_corpus import Case, judge, load_cases

from harness.model import LogLine
from harness.readers.paste import PasteInfo, normalise

# (an HTML mail whose quoted hunk header the writer's own client had broken already, with a
# blank line after it: its diff ends there before any wrap)
PRE_BROKEN = {"hugetlb-dio-free-count-test-regression"}


def _diff_lines(text: str) -> int:
    info = PasteInfo()
    list(normalise((LogLine(i + 1, t, "x") for i, t in enumerate(text.split("\n"))), info))
    return info.diff_lines


def test_every_corpus_patch_wrapped_at_72_columns_stays_code():
    lost = []
    seen = 0
    for case in load_cases():
        text = case.text.read_text(errors="replace")
        if case.text.suffix != ".txt" or "diff --git" not in text or case.name in PRE_BROKEN:
            continue
        seen += 1
        before, after = _diff_lines(text), _diff_lines(rewrap(text))
        if after < before:
            lost.append(f"{case.name}: {before} diff lines, {after} wrapped")
    assert seen > 50 and not lost, lost


def _variant(case: Case, transform: str, tmp_path: Path) -> Case:
    path = tmp_path / case.text.name
    path.write_text(TRANSFORMS[transform](case.text.read_text(errors="replace")))
    return Case(case.name, path, case.meta)


def test_a_wrapped_selftest_patch_is_not_a_config_statement(tmp_path):
    """Brendan's run with the quoted uffd refactor applied: the patch's own C string
    "CONFIG_TRANSPARENT_HUGEPAGE is not set" is code, wrapped or not."""
    case = {c.name: c for c in load_cases()}["uffd-unit-tests-refactor-munmap-einval-tested-reply"]
    out = judge(_variant(case, "wrap 72", tmp_path))
    assert out.right and out.category == "test-bug", (out.category, out.causes)


def test_kirk_lines_behind_printk_stamps_are_ltp_results(tmp_path):
    """Two robot mails with kirk's verdict lines (an intended pidfs change, a sysctl
    regression), each behind printk stamps: the answer stays the mail's."""
    cases = {c.name: c for c in load_cases()}
    for name in ("lkp-ltp-ioctl-pidfd06-pidfs-eremote-intentional-kirk",
                 "lkp-ltp-proc01-sysctl-int-converters-kirk-next"):
        out = judge(_variant(cases[name], "printk stamps", tmp_path))
        assert out.right and not out.crash_calls, (name, out.category, out.causes)


def test_a_text_quoted_whole_is_read_as_the_message_it_quotes(tmp_path):
    """Pasted as a mail client quoted it (every line behind '>' marks, or under 'On ...
    wrote:'), a reply's own statement is still the report's: LKFT's "update the LTP test case"
    (epoll_ctl04) and "I applied this ... And I hit this:" (the uffd refactor)."""
    cases = {c.name: c for c in load_cases()}
    # (and run_vmtests.sh's summary quoted with '>' and no space keeps its indented reasons)
    for name in ("lkft-stable-6.12-ltp-epoll-ctl04-known-issue-test-update-reply",
                 "uffd-unit-tests-refactor-munmap-einval-tested-reply",
                 "arm64-run-vmtests-summary-v6.5"):
        for transform in ("quote '> '", "quote '>'", "quote '>>'", "quote '> > '",
                          "Gmail reply"):
            out = judge(_variant(cases[name], transform, tmp_path))
            assert out.right, (name, transform, out.category, out.causes)


def test_a_reply_with_words_of_its_own_keeps_its_quotes():
    from harness.readers.whole_quote import unquote_whole

    def texts(lines: list[str]) -> list[str]:
        return [ln.text for ln in unquote_whole(LogLine(i + 1, t, "x")
                                                for i, t in enumerate(lines))]

    reply = ["> not ok 3 cow: R/O pin", "", "This is the test's bug, see the fix below."]
    assert texts(reply) == reply
    quoted = ["On Mon, 2 Dec 2024, Jane wrote:", "> > not ok 3 cow", ">", "> > # [RUN] x"]
    assert texts(quoted) == ["On Mon, 2 Dec 2024, Jane wrote:", "not ok 3 cow", "",
                             "# [RUN] x"]
