"""The default QEMU guest runs the heart of the tests: gup_test is there and swap works.

Debian's kernels lack CONFIG_GUP_TEST and the guest used to have no swap, so 62% of the cases
skipped. These boot the real Debian kernel with the harness's gup_test.ko and zram swap.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest


def harness_run(tmp: Path, *args: str) -> dict:
    out = tmp / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", *args, "--out", str(tmp / "out"),
         "--json", str(out)], capture_output=True, text=True, timeout=3600, check=False)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return json.loads(out.read_text())


@pytest.mark.qemu
def test_xfs_longterm_pin_cases_run_with_the_gup_test_module(tmp_path, x86_assets):
    report = harness_run(tmp_path, "--fs", "xfs", "--tests", "gup_longterm", "--cmdline",
                         "minimal")
    env = report["environment"]
    assert env["gup_test"] is True
    assert env["gup_test_source"].startswith("module built from linux-source-6.12")
    assert "zram0" in env["swap_source"] and env["swap_kb"] > 0
    pins = [r for r in report["results"] if "longterm" in r["name"] and "pin" in r["name"]]
    assert len(pins) == 40  # R/W, R/O x GUP, GUP-fast x shared, private x 5 file kinds
    # No hugetlb pages on the minimal command line: those skip; every other pin case runs and
    # passes (XFS refuses the R/W long-term pin of a shared mapping, as the test expects).
    assert {r["status"] for r in pins if "hugetlb" not in r["name"]} == {"pass"}
    rw = [r for r in pins if r["name"].startswith("R/W") and "hugetlb" not in r["name"]]
    assert len(rw) == 12
    assert not [r for r in pins if r["message"].startswith("gup_test not available")]


@pytest.mark.qemu
def test_no_swap_turns_the_swap_off(tmp_path, x86_assets):
    report = harness_run(tmp_path, "--fs", "tmpfs", "--tests", "gup_longterm", "--cmdline",
                         "minimal", "--no-swap")
    env = report["environment"]
    assert env["swap_kb"] == 0 and env["swap_source"] == "none (--no-swap)"


@pytest.mark.qemu
def test_swapped_out_and_ro_pin_cow_cases_run(tmp_path, x86_assets):
    report = harness_run(tmp_path, "--fs", "tmpfs", "--tests", "cow", "--cmdline", "minimal")
    results = report["results"]
    swapped = [r for r in results if "swapped" in r["name"] or "swapped-out" in r["name"]]
    assert len(swapped) > 200
    assert Counter(r["status"] for r in swapped)["skip"] == 0
    ro_pins = [r for r in results if "R/O" in r["name"] and "pin" in r["name"]]
    skipped = [r for r in ro_pins if r["status"] == "skip"]
    # Without hugetlb reservations only the hugetlb variants may skip.
    assert all("hugetlb" in r["name"] for r in skipped), skipped[:3]
