"""One oops, one finding (session 14, the lead).

An oops prints its first line and then, a line or three later, its numbered header: "kernel BUG
at include/linux/swapops.h:497!" then "invalid opcode: 0000 [#1] PREEMPT SMP NOPTI" (x86),
"BUG: Kernel NULL pointer dereference on read at 0x00000034" then "Oops: Kernel access of bad
area, sig: 11 [#1]" (powerpc), "BUG: kernel NULL pointer dereference" then "Oops: 0000 [#2] SMP"
(i386). Each of those lines is a crash signature; read one by one they made two kernel-oops
findings for one crash - a report, a table and a reply that counted the crash twice. The
numbered header close after a crash's first line belongs to that crash. A numbered header after
another numbered header is another oops.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import triage_file

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def _oopses(report: dict) -> list[list[str]]:
    return [[e["text"] for e in f["evidence"]] for f in report["findings"]
            if f["cause"] in ("kernel-oops", "kernel-regression")]


def test_an_oops_and_its_numbered_header_are_one_crash():
    for name, first, header in [
        ("cow-x86-pae-swapops-bug-migration-entries.txt",
         "kernel BUG at include/linux/swapops.h:497!", "invalid opcode: 0000 [#1]"),
        ("ppc-thp-defrag-alloc-buddy-hugetlb-folio-oops-bisected-next.txt",
         "BUG: Kernel NULL pointer dereference", "Oops: Kernel access of bad area, sig: 11 [#1]"),
        ("lkft-memfd-fuse-test-i386-kmalloc-null-deref-coredump-no-reply.txt",
         "BUG: kernel NULL pointer dereference, address: 00000041", "Oops: 0000 [#2] SMP"),
    ]:
        oopses = _oopses(triage_file(REPORTS / name))
        with_first = [o for o in oopses if first in o[0]]
        assert len(with_first) == 1, (name, oopses)
        assert any(header in line for line in with_first[0][:5]), (name, with_first)
        assert not any(header in o[0] for o in oopses), (name, "the header made its own finding")


def test_two_numbered_oopses_stay_two(tmp_path):
    text = (REPORTS / "cow-x86-pae-swapops-bug-migration-entries.txt").read_text()
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "invalid opcode: 0000 [#1]" in line)
    second = lines[at].replace("[#1]", "[#2]")
    log = tmp_path / "two.txt"
    log.write_text("\n".join([*lines[:at + 1], second, *lines[at + 1:]]) + "\n")
    heads = [o[0] for o in _oopses(triage_file(log))]
    assert any("[#2]" in h for h in heads), heads
