"""Which kernel a CKI report mail tested; a headline for a crash no test owns (session 14, the
lead).

CKI's report mails name the tested commit by its subject, under "Kernel repo:": "Commit:
2d636a1263be - Linux 5.4.21". A stable release candidate's commit is the release tag's commit, so
its subject is the kernel that ran - what version-ranged rules are compared with. A merge commit
("Commit: 7d194c2100ad - Merge tag 'for-linus' of ...") names no release.

A report whose only evidence is the kernel's own crash (a panic between LTP's tests, no result
line) used to open with "verdict: kernel-bug - no failures": the verdict and its reason said
opposite things. The headline says what it rests on: no test failed, the kernel's log shows the
crash.

An oops quoted from its tail only - the reply cut its head, so the first crash line read is the
last one, "---[ end trace d3fd392f569e86d3 ]---" - was shown by the mail text that followed it
(an artifacts link, CKI's "We hope that these logs can help you"). It is shown by the trace that
ran up to it, from the first line of that unbroken run of kernel lines.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from harness.cli.main import main
from tests.test_report_classes import triage_file

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def test_a_cki_mail_names_the_kernel_by_its_commit_line():
    for name, release in [
        ("cki-stable-5.4.21-ltp-preadv203-loop-clear-device-io-error-unreproduced-reply.txt",
         "5.4.21"),
        ("cki-stable-5.5.11-rc3-ltp-ppc64le-dmesg-soft-lockup-slow-kvm-guest-reply.txt",
         "5.5.11-rc3"),
    ]:
        env = triage_file(REPORTS / name)["environment"]
        assert env["kernel_release"] == release, name


def test_a_merge_commit_line_names_no_kernel(tmp_path):
    text = (REPORTS / "cki-stable-5.4.21-ltp-preadv203-loop-clear-device-io-error-unreproduced-"
                      "reply.txt").read_text()
    merge = tmp_path / "merge.txt"
    merge.write_text(text.replace("2d636a1263be - Linux 5.4.21",
                                  "7d194c2100ad - Merge tag 'for-linus' of git://git.kernel.org"))
    assert "kernel_release" not in triage_file(merge)["environment"]


def test_a_crash_between_tests_is_not_headlined_as_no_failures():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["triage", str(REPORTS / "cki-stable-queue-5.3-ltp-deps-bfq-panic-same-issue-"
                                      "bugzilla-reply.txt")])
    first = out.getvalue().splitlines()[0]
    assert first.startswith("verdict: kernel-bug - no test failed, but the kernel's log shows "
                            "kernel-oops"), first


def _evidence(report: dict, cause: str) -> list[str]:
    return [e["text"] for f in report["findings"] if f["cause"] == cause for e in f["evidence"]]


def test_an_oops_seen_from_its_last_line_is_shown_by_the_trace_before_it(tmp_path):
    bfq = REPORTS / "cki-stable-queue-5.3-ltp-deps-bfq-panic-same-issue-bugzilla-reply.txt"
    shown = _evidence(triage_file(bfq), "kernel-oops")
    assert shown[0].endswith("Call trace:") and "bfq_find_set_group+0x8c/0xf0" in shown[1]
    assert shown[-1].endswith("---[ end trace d3fd392f569e86d3 ]---")
    assert not any("https://" in t or "We hope" in t for t in shown), shown
    # the tail of another real oops (transhuge-stress, mm-unstable 2025), quoted in a reply
    oops = (REPORTS / "transhuge-stress-swap-cache-oops-mm-unstable.txt").read_text()
    tail = oops.splitlines()[39:49]
    assert tail[0].endswith("EFLAGS: 00010203") and "end trace" in tail[-1]
    reply = tmp_path / "reply.txt"
    reply.write_text("Hi,\n\nthe tail of what the console showed:\n\n"
                     + "".join(f"> {line}\n" for line in tail)
                     + "\nI have not seen it again since the rebase.\n\nThanks\n")
    shown = _evidence(triage_file(reply), "kernel-oops")
    assert shown[0] == tail[0] and shown[-1] == tail[-1], shown
    assert not any("since the rebase" in t for t in shown)
