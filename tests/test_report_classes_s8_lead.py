"""Two ways a pasted report's shape hid what it says (found by tests/test_report_variants.py's
sampler once round 16-final's reports shifted its assignment):

- a patch quoted with '>' and no space (">diff --git", ">@@ -172,13 +172,13 @@"): inside it
  "> # set proper nr_hugepages" is the context line " # set proper nr_hugepages", not quoted
  prose, so the whole diff is code and the commit message's statement is the failure;
- a reply's quoted build log behind a capture's prefix (printk stamps, a log viewer's line
  numbers): the compiler's error lines are still the build failure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_report_classes import triage_read

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def _diff_lines(report: dict) -> int:
    for note in report["environment"]["notes"]:
        if m := re.search(r"the (\d+) lines inside a patch's diff", note):
            return int(m.group(1))
    return 0


@pytest.mark.parametrize("name,cause", [
    # run_vmtests.sh restores nr_hugepages too early (linux-kselftest, 2024)
    ("run-vmtests-nr-hugepages-restored-too-early-patch", "runner-script-bug"),
    # ksm_tests' MADV_HUGEPAGE past the end of a THP-aligned area (linux-kselftest, 2025)
    ("ksm-tests-madv-hugepage-past-end-thp-align-patch", "selftest-logic-bug"),
])
def test_a_patch_quoted_with_tight_marks_is_code_throughout(tmp_path, name, cause):
    text = (REPORTS / f"{name}.txt").read_text()
    plain = triage_read(tmp_path, text)
    tight = triage_read(tmp_path, "\n".join(">" + line for line in text.splitlines()) + "\n")
    assert _diff_lines(tight) == _diff_lines(plain) > 0
    for report in (plain, tight):
        assert report["verdict"] == "test-bug"
        assert {f["cause"] for f in report["findings"]} == {cause}


@pytest.mark.parametrize("prefix", [
    lambda i: f"[{12 + i * 0.001234:12.6f}] ",  # printk stamps
    lambda i: f"{i + 1:6d}\t",  # cat -n
])
def test_a_quoted_build_log_behind_a_capture_prefix_is_still_the_build_failure(tmp_path, prefix):
    # Ryan Roberts' reply quoting Arm CI's mseal_test build log (linux-kselftest, 2024-05)
    text = (REPORTS / "mseal-mremap-dontunmap-undeclared-arm-ci-reply.txt").read_text()
    report = triage_read(tmp_path, "\n".join(prefix(i) + line
                                             for i, line in enumerate(text.splitlines())))
    failed = [r for r in report["results"] if r["status"] == "fail"]
    # the compiler's own line, without the prefix in front of it
    said = "mseal_test.c:1469:50: error: ‘MREMAP_DONTUNMAP’ undeclared (first use in this"
    assert [r["message"] for r in failed] == [said]
    assert report["verdict"] == "test-bug"
