"""LKFT's report mails (tests/fixtures/lkft, real messages from the linux-kselftest archive):
a mail that lists no regression is a clean run, whatever its totals count of failures LKFT
already knows; listed regressions are failed results without a log (unknown, never explained
and never a crash); a reply that says it *will* bisect has not bisected anything."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.main import main

LKFT = Path(__file__).parent / "fixtures" / "lkft"
REPORTS = Path(__file__).parent / "fixtures" / "reports"


def triage(tmp_path: Path, path: Path) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    code = main(["triage", str(path), "--json", str(out)])
    return code, json.loads(out.read_text())


def test_no_regressions_is_clean_although_its_totals_count_known_failures(tmp_path):
    code, report = triage(tmp_path, LKFT / "next-20220315-no-regressions.eml")
    assert code == 0 and report["verdict"] == "clean"
    assert [r["status"] for r in report["results"]] == ["pass"]
    assert "No test regressions found compared to next-20220302" in report["results"][0][
        "message"]
    assert "fail: 118" in report["results"][0]["message"]


def test_the_first_layout_no_regressions_with_per_board_counts_is_clean(tmp_path):
    # LKFT's 2017 summary (lkml.iu.edu): "No regressions (compared to build v4.14-rc8)" above
    # "* kselftest - skip: 16, pass: 38"; its prose says "pass/skip or potentially fails"
    code, report = triage(tmp_path, REPORTS / "lkft-4.14-lts-summary-no-regressions.txt")
    assert code == 0 and report["verdict"] == "clean"


def test_listed_regressions_are_failures_without_a_log(tmp_path):
    code, report = triage(tmp_path, LKFT / "next-20220721-rtc-regressions.eml")
    assert code == 1 and report["verdict"] == "unknown"
    failed = [(r["suite"], r["name"], r["config"]) for r in report["results"]
              if r["status"] == "fail"]
    assert failed == [("rtc", "rtctest", "qemu_arm"),
                      ("rtc", "rtctest.rtc.date_read_loop", "qemu_arm")]
    assert all(r["category"] == "unknown" for r in report["results"] if r["status"] == "fail")
    # the mail's "Test Fixes" section: fixed tests are passes
    assert [(r["suite"], r["status"]) for r in report["results"] if r["status"] != "fail"] == [
        ("seccomp", "pass")]
    assert not any(f["cause"] in ("kernel-crash", "kernel-oops", "output-truncated")
                   for f in report["findings"])


def test_a_reply_that_will_bisect_has_not_bisected(tmp_path):
    code, report = triage(tmp_path, LKFT / "stable-6.13.10-rc1-review-reply.eml")
    assert code == 1
    causes = {f["cause"] for f in report["findings"]}
    assert "kernel-regression" not in causes
    assert report["verdict"] == "unknown"
    suites = {r["suite"] for r in report["results"] if r["status"] == "fail"}
    assert "rseq" in suites  # the regressions LKFT lists, not a build error line from the prose
