"""Classes of CI summaries held-out round 16-ci got wrong (tests/fixtures/reports/README.md,
"Round 16-ci"), each tested on a second real text worded differently from the report that
showed it (the texts are in tests/fixtures/classes/, see its README):

- Red Hat CKI's "Test report for kernel ..." mail: each test its "Hardware testing" list marks
  (✅, ❌, ⚡⚡⚡ per host, 🚧 waived) is one result; its verdict header and its legend ("Aborted
  tests") are none - no failure, no SIGABRT crash - and its "CIFS Connectathon" test names no
  filesystem; a host's "⚡ Internal infrastructure issues ... not the fault of the kernel" covers
  that host's aborted tests only;
- a CI owner's reply naming its own infrastructure ("caused by an infrastructure bug related to
  our test harness") is the thread's diagnosis: env, and its "false positives" are no test bug;
- LKFT's 2020 markdown layout ("## Regressions (compared to build ...)", "x86:" /
  "kselftest:" / "* rtc.rtctest", "## Failures" / "### i386, kselftest") is read as results;
- a CI summary that counts no test ("total: 0, pass: 0, ...") is a run of nothing, never clean;
- the shell's signal words alone ("Bus error (core dumped)") or after its job prefix are a
  signal, a heading that starts with one ("Aborted tests") is not.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_report_classes import triage_read

from harness.cli.main import main
from harness.model import LogLine
from harness.readers.command_output import Reader as CommandReader

CLASSES = Path(__file__).parent / "fixtures" / "classes"
THREAD = "cki-arm-next-infra-bug-disregard-networking-thread.mbox"


def triage_file(tmp_path: Path, path: Path) -> dict:
    out = tmp_path / "report.json"
    assert main(["triage", str(path), "--json", str(out)]) in (0, 1)
    return json.loads(out.read_text())


def failed(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["status"] not in ("pass", "xfail")]


def test_cki_report_thread_with_the_ci_owners_infrastructure_diagnosis(tmp_path):
    # CKI's "❌ FAIL: Test report for kernel 5.5.0-rc6-40f39e8.cki (arm-next)" (linux-arm-kernel,
    # 2020-01-16, <cki.1A6A8CC1CF.1989HWSEIM@redhat.com>) and Rachel Sibley's reply "Please
    # disregard the networking failures, they are caused by an infrastructure bug ...".
    report = triage_file(tmp_path, CLASSES / THREAD)
    bad = failed(report)
    assert {(r["name"], r["config"], r["status"]) for r in bad} == {
        ("Networking tunnel: gre basic", "aarch64 host 1", "fail"),
        ("Networking tunnel: vxlan basic", "aarch64 host 1", "fail"),
        ("IPMI driver test", "aarch64 host 2", "error")}
    assert {(r["category"], r["cause"]) for r in bad} == {("env", "ci-infrastructure-abort")}
    assert report["verdict"] == "env"
    # "CIFS Connectathon" is a test's name, not the filesystem the run used
    assert not any("cifs" in note for note in report["environment"]["notes"])
    assert all(r["suite"] == "cki" for r in report["results"])
    assert sum(r["status"] == "pass" for r in report["results"]) == 40


def test_cki_report_alone_leaves_its_failures_unexplained(tmp_path):
    # The same report without the reply: the mail's own infrastructure statement is Host 2's
    # block, so only that host's aborted test is the CI's; the failed tests stay unknown.
    import email
    import email.policy
    import mailbox

    box = mailbox.mbox(CLASSES / THREAD)
    msg = email.message_from_bytes(box[0].as_bytes(), policy=email.policy.default)
    body = msg.get_body(("plain",)).get_content()
    report = triage_read(tmp_path, body)
    kinds = {(r["name"], r["status"], r["category"]) for r in failed(report)}
    assert kinds == {("Networking tunnel: gre basic", "fail", "unknown"),
                     ("Networking tunnel: vxlan basic", "fail", "unknown"),
                     ("IPMI driver test", "error", "env")}
    assert report["verdict"] == "unknown"
    assert not any(r["status"] == "crash" for r in report["results"])  # "Aborted tests"


def test_lkft_2020_markdown_layout_lists_regressions_fixes_and_failures(tmp_path):
    # LKFT, "[REGRESSION] kselftest: next-20201006" (linux-kselftest, 2020-10-07,
    # <01000175036a4f22-6e7a0bbb-d5af-41f5-b1d2-9b18874eb8ac-000000@email.amazonses.com>): the
    # dotted names of October 2020 ("rtc.rtctest"), where the report's September mail had
    # "memfd_memfd_test".
    report = triage_file(tmp_path, CLASSES / "lkft-kselftest-next-20201006-regression.txt")
    results = report["results"]
    first = results[0]
    assert (first["suite"], first["name"], first["config"], first["status"]) == (
        "rtc", "rtctest", "x86 kselftest-vsyscall-mode-none", "fail")
    assert "regression compared to next-20201002" in first["message"]
    assert ("net", "mptcp.mptcp_connect.sh", "x86 kselftest-vsyscall-mode-native", "pass") in {
        (r["suite"], r["name"], r["config"], r["status"]) for r in results}
    assert any(r["config"] == "i386 kselftest" and r["name"] == "test_verifier"
               for r in results)  # "## Failures" / "### i386, kselftest" / "* bpf.test_verifier"
    assert report["verdict"] == "unknown"
    assert not any(r["status"] == "crash" or r["category"] not in (None, "unknown")
                   for r in results)


def test_a_ci_summary_that_counts_no_test_is_no_pass(tmp_path):
    # LKFT, "lkft kselftest for next-20220817" (linux-kselftest, 2022-08-17,
    # <01000182ab20eb3a-7b68d1d6-880f-417d-8d12-6c85bf28874e-000000@email.amazonses.com>): "No
    # test regressions found" and "Tested-by" over "total: 0, pass: 0, fail: 0, skip: 0".
    report = triage_file(tmp_path, CLASSES / "lkft-kselftest-next-20220817-empty.txt")
    assert report["verdict"] == "unknown"
    assert [(r["status"], r["cause"]) for r in report["results"]] == [("error", "ci-run-empty")]
    # and a review reply's count of zero tests (the same words, NVIDIA's layout)
    text = ("Test results for stable-v6.6:\n    10 builds:\t10 pass, 0 fail\n"
            "    0 tests:\t0 pass, 0 fail\n")
    counted = triage_read(tmp_path, text)
    assert counted["verdict"] != "clean"
    assert ("error", "ci-run-empty") in {(r["status"], r["cause"]) for r in counted["results"]}


def test_shell_signal_words_alone_or_after_the_job_prefix_but_not_a_heading():
    # Jan Stancek's replies to CKI's ppc64le report (linuxppc-dev, 2019-12-02): the shell's own
    # lines; "Aborted tests" is CKI's legend heading.
    reader = CommandReader()
    lines = ["Bus error (core dumped)",
             ("+/var/lib/xfstests/tests/generic/248: line 38: 161943 Bus error               "
              "(core dumped) $TEST_PROG $TESTFILE"),
             "Aborted tests", "Killed processes are listed below"]
    for number, text in enumerate(lines, 1):
        reader.feed(LogLine(number, text.removeprefix("+"), "mail"))
    assert [(line.line, sig) for line, sig in reader.signals] == [(1, "SIGBUS"), (2, "SIGBUS")]


def test_glibc_assertion_wrapped_by_a_mail_client_is_still_one_failed_assertion(tmp_path):
    # rr-debugger/rr #2681 (jix, 2020-09-18): the test's ENOSYS line and glibc's assertion,
    # re-wrapped at 72 columns after "Assertion" as a mail client does (the corpus variant that
    # showed it: tests/test_report_variants.py's "wrap 72").
    text = ("```\n./bin/sysfs\nFAILED: errno=38 (Function not implemented)\n"
            "sysfs: /home/jix/Downloads/rr/rr/src/test/x86/sysfs.c:9: main: Assertion\n"
            "`\"FAILED: !\" && check_cond(num_types > 0)' failed.\n```\n")
    report = triage_read(tmp_path, text)
    bad = failed(report)
    assert [(r["status"], r["category"], r["cause"]) for r in bad] == [
        ("crash", "config", "syscall-not-implemented")]
    # the two lines joined again into glibc's one message
    assert "main: Assertion \"FAILED: !\" && check_cond(num_types > 0)' failed" in \
        bad[0]["message"]
