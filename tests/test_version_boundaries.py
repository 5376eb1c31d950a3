"""Newer selftests on an older kernel: the cases that check behaviour the kernel gained later
are named (known-issue, with the upstream commit) only when the input shows a kernel older than
that change and selftests newer than the kernel; otherwise they are not explained that way. The
log is a real capture (tests/fixtures/logs/qemu-x86_64-xfs-6.1-console.log: Debian 6.1 with
6.12's selftests; the console does not say the selftests' version, `harness run`'s report does,
and `harness triage --selftests-version` tells it)."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.main import main

LOG = Path(__file__).parent / "fixtures" / "logs" / "qemu-x86_64-xfs-6.1-console.log"
BOUNDARY_CAUSES = {"kernel-predates-reliable-ro-pin", "kernel-predates-longterm-file-pin-refusal",
                   "kernel-predates-iouring-file-buffers"}


def triage(tmp_path: Path, text: str, *args: str) -> dict:
    log, out = tmp_path / "console.log", tmp_path / "report.json"
    log.write_text(text)
    assert main(["triage", str(log), "--json", str(out), "--fs", "xfs", *args]) in (0, 1)
    return json.loads(out.read_text())


def by_cause(report: dict) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for r in report["results"]:
        if r["cause"]:
            found.setdefault(r["cause"], []).append((r["suite"], r["number"]))
    return found


NEWER = ("--selftests-version", "6.12.118")


def test_6_1_kernel_with_6_12_selftests_names_each_version_boundary(tmp_path) -> None:
    report = triage(tmp_path, LOG.read_text(), *NEWER)
    assert report["environment"]["kernel_release"] == "6.1.0-57-amd64"
    causes = by_cause(report)
    # cow: R/O long-term pins in private mappings of the shared zeropage, the huge zeropage,
    # memfd, tmpfile and hugetlb memfd pages (GUP and GUP-fast): reliable from 6.2 on.
    assert causes["kernel-predates-reliable-ro-pin"] == [("cow", n) for n in range(179, 191)]
    # gup_longterm: R/W long-term pins of a shared mapping of the XFS file were not refused.
    assert causes["kernel-predates-longterm-file-pin-refusal"] == [("gup_longterm", 3),
                                                                   ("gup_longterm", 8)]
    # gup_longterm: io_uring refused the private file mapping (skipped on liburing's errno).
    assert causes["kernel-predates-iouring-file-buffers"] == [("gup_longterm", 48)]
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert len(failed) == 14 and all(r["category"] == "known-issue" for r in failed)
    findings = {f["cause"]: f for f in report["findings"]}
    ro_pin = findings["kernel-predates-reliable-ro-pin"]
    assert "expect behaviour from kernel 6.2 and this kernel (6.1.0) is older" in ro_pin[
        "explanation"]
    assert "84209e87c6963f928194a890399e24e8ad299db1" in ro_pin["reference"]
    assert "lkml.kernel.org/r/20221116102659.70287-10-david@redhat.com" in ro_pin["reference"]
    pin = findings["kernel-predates-longterm-file-pin-refusal"]
    assert "a shared mapping of a file on xfs must be refused" in pin["explanation"]
    assert "8ac268436e6d" in pin["reference"] and "a6e79df92e4a" in pin["reference"]
    # Nothing is left unexplained or pointing at the kernel (#43, the MAP_SHARED io_uring skip,
    # is the selftests' stale-errno bug).
    assert causes["iouring-stale-errno"] == [("gup_longterm", 43)]
    assert report["verdict"] == "test-bug" and not report["summary"]["points_at_kernel"]


def test_without_the_selftests_version_the_failures_stay_the_kernels(tmp_path) -> None:
    # The same failures with selftests and kernel from one tree were the kernel's bug (David
    # Hildenbrand's report with the fix's series, tests/fixtures/reports/cow-ro-longterm-pin-
    # nonanon): unless the input says the selftests are newer, the boundary rules keep out.
    report = triage(tmp_path, LOG.read_text())
    assert "selftests_version" not in report["environment"]
    assert not BOUNDARY_CAUSES & set(by_cause(report))
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert {r["cause"] for r in failed} == {"kernel-behaviour-fail"}
    skip = next(r for r in report["results"] if r["suite"] == "gup_longterm" and r["number"] == 48)
    assert "No: the input does not say which selftests ran" in skip["explanation"]


def test_a_kernel_at_or_after_the_boundary_is_not_excused(tmp_path) -> None:
    text = LOG.read_text().replace("6.1.0-57-amd64", "6.12.118+deb12-amd64")
    report = triage(tmp_path, text, *NEWER)
    assert report["environment"]["kernel_version"].startswith("6.12")
    assert not BOUNDARY_CAUSES & set(by_cause(report))
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert len(failed) == 14 and all(r["category"] == "kernel-bug" for r in failed)
    assert {r["cause"] for r in failed} == {"kernel-behaviour-fail"}


def test_a_log_that_does_not_say_which_kernel_ran_is_not_excused(tmp_path) -> None:
    text = "\n".join(line for line in LOG.read_text().splitlines()
                     if "6.1.0-57-amd64" not in line and "Debian 6.1" not in line)
    report = triage(tmp_path, text, *NEWER)
    assert "kernel_release" not in report["environment"]
    assert not BOUNDARY_CAUSES & set(by_cause(report))
    # The failures are what any failed behaviour check is without versions; the io_uring skip
    # has no other explanation and says why the version rule was ruled out.
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert {r["cause"] for r in failed} == {"kernel-behaviour-fail"}
    skip = next(r for r in report["results"] if r["suite"] == "gup_longterm" and r["number"] == 48)
    assert skip["category"] == "unknown"
    assert ("this kernel is older? No: the input does not say which kernel ran"
            in skip["explanation"])


def test_the_boundary_follows_kernel_version_given_on_the_command_line(tmp_path) -> None:
    text = "\n".join(line for line in LOG.read_text().splitlines()
                     if "6.1.0-57-amd64" not in line and "Debian 6.1" not in line)
    old = by_cause(triage(tmp_path, text, "--kernel-version", "6.4.16", *NEWER))
    # 6.4: R/O pins are reliable (6.2), file pins not yet refused (6.5).
    assert "kernel-predates-reliable-ro-pin" not in old
    assert old["kernel-predates-longterm-file-pin-refusal"] == [("gup_longterm", 3),
                                                               ("gup_longterm", 8)]
