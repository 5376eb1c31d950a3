"""A kernel crash in a report that names the last good and the first bad build (LKFT's
"Good: next-20230112" / "Bad: next-20230113", "GOOD: ... BAD: ..." on one line, "last good" /
"first bad") is a regression of the changes between them: kernel-bug/kernel-regression, not only
the symptom (kernel-oops). The crash stays a crash; without the pair it stays kernel-oops.

Second real text: Naresh Kamboju's LKFT report of an arm64 Oops in handle_futex_death() under
LTP's set_robust_list01 ("BAD: next-20231025" / "Good: next-20231024", linux-next, 2023-10-26,
<CA+G9fYsCskpn_TNpSwLq9HGUgtT=aZpDzs7SVrqpa9WmyYFaxQ@mail.gmail.com>); Mark Rutland traced it
to the LPA2 enablement in that linux-next. Source in tests/fixtures/classes/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report_classes import triage_read

CLASSES = Path(__file__).parent / "fixtures" / "classes"
FUTEX = (CLASSES / "lkft-futex-death-lpa2-oops-next-20231025.txt").read_text()
RANGE = "BAD: next-20231025\nGood: next-20231024\n"


def _causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


def test_the_real_mail_is_the_ranges_regression(tmp_path):
    report = triage_read(tmp_path, FUTEX)
    assert report["verdict"] == "kernel-bug"
    assert _causes(report) == {"kernel-regression"}
    assert any("last good and the first bad build" in n for n in report["environment"]["notes"])


@pytest.mark.parametrize("pair", [
    ("GOOD: next-20231024  (defconfig + kselftests configs)\n"
     "BAD: next-20231025 (defconfig + kselftests configs)\n"),
    "GOOD: v6.1-rc3, BAD: v6.1-rc4\n",
    "last good: v6.1-rc3\nfirst bad: v6.1-rc4\n",
    "Good tag: next-20231024\nBad tag: next-20231025\n",
])
def test_other_wordings_of_the_pair_name_the_range(tmp_path, pair):
    assert RANGE in FUTEX
    report = triage_read(tmp_path, FUTEX.replace(RANGE, pair))
    assert _causes(report) == {"kernel-regression"}


@pytest.mark.parametrize("pair", [
    "",  # no range at all
    "BAD: next-20231025\n",  # one end only
    "Good: 12\nBad: 3\n",  # counts, not builds
])
def test_without_both_ends_the_crash_is_only_an_oops(tmp_path, pair):
    report = triage_read(tmp_path, FUTEX.replace(RANGE, pair))
    assert report["verdict"] == "kernel-bug"
    assert _causes(report) == {"kernel-oops"}
