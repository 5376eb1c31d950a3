"""The report writers over a hand-built, realistic 9p run of gup_longterm (and a cow crash)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

import harness
from harness.errors import ReportFormatError
from harness.model import (
    Category,
    Confidence,
    Diagnosis,
    Environment,
    Finding,
    LogLine,
    Report,
    Result,
    RunId,
    Status,
    SuiteRun,
    Summary,
    Verdict,
)
from harness.readers.report_json import load_json
from harness.report.json import SCHEMA, render_json
from harness.report.junit import render_junit
from harness.report.mail import render_mail
from harness.report.terminal import render_terminal
from harness.triage import engine
from harness.triage.rules import About, Fields, load_rules

CASES = [
    "R/W longterm GUP pin in MAP_SHARED file mapping",
    "R/W longterm GUP pin in MAP_PRIVATE file mapping",
    "R/W longterm GUP-fast pin in MAP_SHARED file mapping",
    "R/W longterm GUP-fast pin in MAP_PRIVATE file mapping",
    "R/O longterm GUP pin in MAP_SHARED file mapping",
    "R/O longterm GUP pin in MAP_PRIVATE file mapping",
    "R/O longterm GUP-fast pin in MAP_SHARED file mapping",
    "R/O longterm GUP-fast pin in MAP_PRIVATE file mapping",
    "io_uring fixed buffer with MAP_SHARED file mapping",
    "io_uring fixed buffer with MAP_PRIVATE file mapping",
]
CONFIGS = ["memfd", "tmpfile", "local tmpfile", "memfd hugetlb (2048 kB)",
           "memfd hugetlb (1048576 kB)"]

# Every diagnosis below is one triage gives: the shipped rule's cause, category, confidence,
# reference and action; the explanations are rendered from the rules once the run is built.
RULES = {r.id: r for r in load_rules()}


def _from_rule(cause: str) -> Diagnosis:
    rule = RULES[cause]
    return Diagnosis(rule.category, rule.id, rule.confidence, "", rule.reference, rule.action)


NINEP = _from_rule("9p-unlinked-file")
GUP_TEST = _from_rule("gup-test-missing")
HUGETLB = _from_rule("hugetlb-not-reserved")
OOPS_HEAD = "BUG: unable to handle page fault for address: ffff888004a3c000"
OOPS = Diagnosis(Category.KERNEL_BUG, "kernel-oops", Confidence.HIGH,
                 RULES["kernel-oops"].explain(Fields(head=OOPS_HEAD), 1),
                 RULES["kernel-oops"].reference, RULES["kernel-oops"].action)
UNKNOWN = Diagnosis(Category.UNKNOWN, "unexplained-fail", Confidence.LOW, "", "", "")


def _line(n: int, text: str, source: str = "") -> LogLine:
    return LogLine(n, text, source)


def build_report() -> Report:
    """pass:4 fail:10 skip:36 for gup_longterm on 9p, and two cow results."""
    results: list[Result] = []
    line = 100
    for c, case in enumerate(CASES):
        for k, config in enumerate(CONFIGS):
            number = c * len(CONFIGS) + k + 1
            name = f"{case} ... with {config}"
            run = _line(line, f"# [RUN] {name}")
            line += 2
            if config == "local tmpfile":
                status, message, diag = Status.FAIL, "ftruncate() failed", NINEP
                syscall, err = "ftruncate", "ENOENT"
                ev = [run, _line(line, f"not ok {number} ftruncate() failed"),
                      _line(40 + number, "ftruncate(3, 4096) = -1 ENOENT (No such file or "
                                         "directory)", "strace.log")]
            elif c < 8:  # GUP and GUP-fast cases need gup_test
                status, message, diag = Status.SKIP, "gup_test not available", GUP_TEST
                syscall, err, ev = "openat", "ENOENT", [_line(line, f"ok {number} # SKIP "
                                                                   "gup_test not available")]
            elif "hugetlb" in config:
                status, message, diag = Status.SKIP, "need more free huge pages", HUGETLB
                syscall, err, ev = "fallocate", None, [_line(line, f"ok {number} # SKIP "
                                                                   "need more free huge pages")]
            else:
                status, message, diag, syscall, err, ev = Status.PASS, "", None, None, None, []
            tag = "not ok" if status == Status.FAIL else "ok"
            result_line = _line(line, f"{tag} {number} {message or name}")
            diagnosis = None if diag is None else Diagnosis(
                diag.category, diag.cause, diag.confidence, diag.explanation, diag.reference,
                diag.action, ev)
            results.append(Result("gup_longterm", number, name, config, status, message,
                                  result_line, run, [], syscall, err, run_id=RunId("9p"),
                                  diagnosis=diagnosis))
            line += 1
    oops_lines = [
        _line(900, "\x1b[0mBUG: unable to handle page fault for address: ffff888004a3c000"),
        _line(901, "#PF: supervisor write access in kernel mode"),
        _line(902, "Oops: 0002 [#1] PREEMPT SMP NOPTI"),
        _line(903, "CPU: 1 PID: 231 Comm: cow Not tainted 6.12.117 #1"),
        _line(904, "RIP: 0010:copy_page+0x7/0x10"),
        _line(905, "Call Trace:"),
        _line(906, " <TASK>"),
        _line(907, " wp_page_copy+0x1b5/0x6b0 mm/memory.c:3322 " + "x" * 90),
        _line(908, "\x00\x07 do_wp_page+0x2a1/0x640"),
    ]
    cow_name = "Basic COW after fork() ... with base page"
    results.append(Result("cow", 1, cow_name, "base page", Status.TIMEOUT, "timeout",
                          _line(910, "not ok 1 selftests: mm: cow # TIMEOUT 180 seconds"),
                          _line(899, f"# [RUN] {cow_name}"), [], run_id=RunId("9p"),
                          diagnosis=Diagnosis(**{**_fields(OOPS), "evidence": oops_lines})))
    odd = "vmsplice() + unmap in child ... with base page"
    results.append(Result("cow", 2, odd, "base page", Status.FAIL, "Leak from parent into child",
                          _line(920, "not ok 2 Leak from parent into child"),
                          _line(919, f"# [RUN] {odd}"), [], run_id=RunId("9p"),
                          diagnosis=Diagnosis(**{**_fields(UNKNOWN), "evidence": [
                              _line(920, "not ok 2 Leak from parent into child")]})))

    env = Environment(
        guest="qemu", arch="x86_64", accel="tcg", kernel_release="6.12.117",
        kernel_version="#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1", fs="9p",
        fs_options="rw,relatime,cache=mmap,access=client,msize=512000,trans=virtio",
        tmp_fs="tmpfs", fs_source="mount table",
        hugepages={"2048kB": {"nr": 0, "free": 0}, "1048576kB": {"nr": 0, "free": 0}},
        hugepage_shortfall=["1048576kB: requested 2, got 0"], thp="always", swap_kb=0,
        gup_test=False)
    for r in results:  # each diagnosis explained as triage explains it
        d = r.diagnosis
        if d is not None and d.cause in RULES and RULES[d.cause].about is About.RESULT:
            d.explanation = RULES[d.cause].explain(engine._fields([r], env), 1)
        elif d is not None and d.cause == UNKNOWN.cause:
            real = engine._unexplained(r, env, [])
            d.explanation, d.action = real.explanation, real.action
    findings = []
    for diag in (GUP_TEST, NINEP, HUGETLB, UNKNOWN, OOPS):  # deliberately not severity order
        explained = [r for r in results if r.diagnosis and r.diagnosis.cause == diag.cause]
        evidence = [e for r in explained for e in r.diagnosis.evidence]
        first = explained[0].diagnosis
        explanation = engine._group_explanation(diag.cause, explained, first.explanation, env,
                                                tuple(RULES.values()))
        findings.append(Finding(diag.category, diag.cause, diag.confidence,
                                [r.test_id for r in explained], explanation, evidence,
                                first.reference, first.action, len(explained)))
    suites = [SuiteRun("gup_longterm", 50, {"pass": 4, "fail": 10, "xfail": 0, "xpass": 0,
                                            "skip": 36, "error": 0}, exit_code=1),
              SuiteRun("cow", 2, None, crashed=oops_lines[2],
                       anomalies=[("crash", oops_lines[2]), ("timeout", results[-2].result_line)])]
    by_status = Counter(str(r.status) for r in results)
    by_category = Counter(str(r.diagnosis.category) for r in results if r.diagnosis)
    summary = Summary(total=len(results), by_status=dict(by_status),
                      by_category=dict(by_category))
    return Report(env, results, findings, suites, Verdict.KERNEL_BUG, summary,
                  ["console.log", "strace.log"])


def _fields(d: Diagnosis) -> dict:
    return {k: getattr(d, k) for k in ("category", "cause", "confidence", "explanation",
                                        "reference", "action")}


def env_only_report() -> Report:
    """The same run without the two cow results: every failure is the environment's."""
    report = build_report()
    report.results = [r for r in report.results if r.suite == "gup_longterm"]
    report.findings = [f for f in report.findings
                       if f.category not in (Category.KERNEL_BUG, Category.UNKNOWN)]
    report.suites = report.suites[:1]
    report.verdict = Verdict.CONFIG
    return report


@pytest.fixture
def report() -> Report:
    return build_report()


def test_fixture_is_the_measured_9p_run(report):
    gup = Counter(r.status for r in report.results if r.suite == "gup_longterm")
    assert gup == {Status.PASS: 4, Status.FAIL: 10, Status.SKIP: 36}


def combined_report() -> Report:
    """One test on two filesystems, as `compare` would hand it over (no single fs)."""
    base = build_report()
    picked = [r for r in base.results if r.suite == "gup_longterm" and r.number in (3, 4)]
    results = []
    for run in ("kernel-A/9p", "kernel-A/nfs"):
        for r in picked:
            results.append(Result(r.suite, r.number, r.name, r.config, r.status, r.message,
                                  r.result_line, r.run_line, [], r.syscall, r.errno,
                                  run_id=RunId.parse(run), diagnosis=r.diagnosis))
    finding = next(f for f in base.findings if f.cause == "9p-unlinked-file")
    finding = Finding(finding.category, finding.cause, finding.confidence,
                      [r.test_id for r in results if r.diagnosis], finding.explanation,
                      finding.evidence[:3], finding.reference, finding.action, 2)
    env = Environment(kernel_release="6.12.117", arch="x86_64")
    return Report(env, results, [finding], [], Verdict.ENV, Summary(total=len(results)))


# --- JSON ------------------------------------------------------------------------------------

def test_json_round_trips_with_schema_and_triage(report):
    text = render_json(report)
    data = json.loads(text)
    assert data == load_json(text)
    assert data["schema"] == SCHEMA
    assert data["verdict"] == "kernel-bug"
    assert data["environment"]["fs"] == "9p"
    assert len(data["results"]) == 52
    by_number = {(r["suite"], r["number"]): r for r in data["results"]}
    local = by_number[("gup_longterm", 3)]
    assert (local["status"], local["category"], local["cause"]) == (
        "fail", "env", "9p-unlinked-file")
    assert (local["syscall"], local["errno"], local["run"]) == ("ftruncate", "ENOENT", "9p")
    assert {"line": 43, "text": "ftruncate(3, 4096) = -1 ENOENT (No such file or directory)",
            "source": "strace.log"} in local["evidence"]
    passed = by_number[("gup_longterm", 41)]
    assert passed["status"] == "pass"
    assert passed["category"] is None and passed["cause"] is None
    assert passed["evidence"] == []
    # findings: worst first, whatever order triage produced them in
    assert [f["category"] for f in data["findings"]] == [
        "kernel-bug", "unknown", "config", "env", "env"]
    ninep = next(f for f in data["findings"] if f["cause"] == "9p-unlinked-file")
    assert ninep["count"] == 10 and len(ninep["tests"]) == 10
    cow = next(s for s in data["suites"] if s["name"] == "cow")
    assert cow["anomalies"][0] == {"kind": "crash", "line": 902,
                                   "text": "Oops: 0002 [#1] PREEMPT SMP NOPTI"}
    assert data["summary"]["by_status"]["fail"] == 11


@pytest.mark.parametrize(("text", "says"), [
    ("not json at all", "invalid JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"schema": "junit/1"}', "schema 'junit/1'"),
    ('{"schema": "harness.triage/1", "results": []}', "lacks environment"),
])
def test_load_json_rejects_what_is_not_a_report(text, says):
    with pytest.raises(ReportFormatError, match=re.escape(says)) as info:
        load_json(text)
    assert "\n" not in str(info.value)


def test_load_json_rejects_a_result_with_an_unknown_status(report):
    data = json.loads(render_json(report))
    data["results"][5]["status"] = "sort-of"
    with pytest.raises(ReportFormatError, match="result 5 has unknown status 'sort-of'"):
        load_json(json.dumps(data))
    del data["results"][5]["cause"]
    with pytest.raises(ReportFormatError, match="result 5 lacks cause"):
        load_json(json.dumps(data))


# --- JUnit -----------------------------------------------------------------------------------

def _cases(xml: JUnitXml) -> dict[str, list]:
    return {suite.name: list(suite) for suite in xml}


def test_junit_loads_back_with_the_right_counts(report):
    xml = JUnitXml.fromstring(render_junit(report))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"gup_longterm [9p]", "cow [9p]"}
    gup = suites["gup_longterm [9p]"]
    assert (gup.tests, gup.failures, gup.errors, gup.skipped) == (50, 0, 0, 46)
    cow = suites["cow [9p]"]
    assert (cow.tests, cow.failures, cow.errors, cow.skipped) == (2, 1, 1, 0)
    props = {p.name: p.value for p in gup.properties()}
    assert props["verdict"] == "kernel-bug"
    assert props["fs"] == "9p" and props["kernel"] == "6.12.117"

    cases = {case.name: case for case in gup}
    local = cases["#3 R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile"]
    assert local.classname == "mm.gup_longterm"
    (skipped,) = local.result
    assert isinstance(skipped, Skipped)
    assert skipped.message == ("env/9p-unlinked-file: The gup_longterm test #3 (R/W longterm GUP "
                               "pin in MAP_SHARED file mapping ... with local tmpfile) fails "
                               "because the 9p server cannot operate on a file whose name was "
                               "unlinked while it is still open: ftruncate() on the unlinked "
                               "file returns ENOENT.")
    assert "strace.log:L43: ftruncate(3, 4096) = -1 ENOENT" in local.system_out
    assert "cause: 9p-unlinked-file" in local.system_out
    assert sum(case.is_passed for case in gup) == 4

    oops, odd = list(cow)
    (error,) = oops.result
    assert isinstance(error, Error)
    assert error.message == ("kernel-bug/kernel-oops: The kernel reported 'BUG: unable to handle "
                             "page fault for address: ffff888004a3c000' during the run.")
    assert "L902: Oops: 0002 [#1] PREEMPT SMP NOPTI" in error.text
    assert "Suggested action: Decode the trace (scripts/decode_stacktrace.sh)" in error.text
    (failure,) = odd.result
    assert isinstance(failure, Failure)
    assert failure.message == ("unknown/unexplained-fail: cow test #2 (vmsplice() + unmap in "
                               "child ... with base page) failed: Leak from parent into child.")


def test_junit_testcases_carry_the_triage_as_properties(report):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(render_junit(report).encode())
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("#8 "))
    props = {p.get("name"): p.get("value") for p in case.find("properties")}
    assert props == {"status": "fail", "config": "local tmpfile", "category": "env",
                     "cause": "9p-unlinked-file", "confidence": "high",
                     "syscall": "ftruncate", "errno": "ENOENT", "run": "9p"}


def test_junit_strips_characters_xml_cannot_carry(report):
    text = render_junit(report)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    assert "L908:  do_wp_page+0x2a1/0x640" in text  # the line survives, its NUL and BEL do not
    assert "[0mBUG" not in text  # the whole escape sequence goes, not just ESC


def test_junit_names_combined_runs_and_their_filesystem():
    xml = JUnitXml.fromstring(render_junit(combined_report()))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"gup_longterm [kernel-A/9p]", "gup_longterm [kernel-A/nfs]"}
    props = {p.name: p.value for p in suites["gup_longterm [kernel-A/nfs]"].properties()}
    assert props["fs"] == "nfs" and props["run"] == "kernel-A/nfs"


def test_junit2html_renders_the_report(report, tmp_path):
    # junit2html is a test dependency (pyproject's test extras): missing, this fails
    assert importlib.util.find_spec("junit2htmlreport") is not None, "pip install -e '.[test]'"
    xml_file = tmp_path / "triage.xml"
    html_file = tmp_path / "triage.html"
    xml_file.write_text(render_junit(report), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "junit2htmlreport", str(xml_file),
                          str(html_file)], capture_output=True, text=True, timeout=120,
                         check=False)
    assert run.returncode == 0, run.stderr
    html = html_file.read_text(encoding="utf-8")
    assert "env/9p-unlinked-file: The gup_longterm test #3" in html
    assert "kernel-bug/kernel-oops" in html
    assert "gup_longterm [9p]" in html


# --- mail ------------------------------------------------------------------------------------

def _paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


@pytest.mark.parametrize("build", [build_report, env_only_report, combined_report])
def test_mail_lines_fit_72_columns_without_markdown(build):
    text = render_mail(build())
    for line in text.splitlines():
        assert len(line) <= 72, line
        assert not line.startswith(("#", "* ", "- ", "```", "|")), line
    assert "**" not in text and "\x1b" not in text


def test_mail_opens_with_the_conclusion_for_an_environment_only_run():
    text = render_mail(env_only_report())
    first = " ".join(_paragraphs(text)[0].split())
    assert first.startswith("None of the failures points at the kernel: all 10 failures are "
                            "explained by the environment.")
    assert "4 passed and 36 were skipped" in first


def test_mail_puts_the_kernel_bug_first(report):
    text = render_mail(report)
    first = " ".join(_paragraphs(text)[0].split())
    assert first.startswith("One of the 12 failures points at a kernel bug (kernel-oops)")
    assert "cow test 1" in first
    causes = [c for c in ("kernel-oops", "unexplained-fail", "gup-test-missing",
                          "9p-unlinked-file", "hugetlb-not-reserved")]
    flat = " ".join(text.split())  # the tag may wrap after its comma
    positions = [flat.index(f"/{c}, ") for c in causes]
    assert positions == sorted(positions)


def test_mail_finding_paragraph_reads_like_a_reply(report):
    text = render_mail(report)
    para = next(p for p in _paragraphs(text) if "tests with local tmpfile" in p)
    sentence = " ".join(para.split())
    assert sentence.startswith("The 10 gup_longterm tests with local tmpfile fail because the 9p "
                               "server cannot operate on a file whose name was unlinked while it "
                               "is still open: ftruncate() on the unlinked file returns ENOENT.")
    assert "(Tests 3, 8, 13, 18, 23, 28, 33 ... 48.) [env/9p-unlinked-file, high" in sentence
    body = text[text.index(para):]
    assert "\n    L108: not ok 3 ftruncate() failed\n" in body
    assert "\n    strace.log:L43: ftruncate(3, 4096) = -1 ENOENT (No such file or\n" in body
    assert "\n    (27 more)\n" in body
    assert "\nSuggested action: Run the selftests from a local filesystem (tmpfs," in body
    assert "\nReference:" in body


def test_mail_cuts_evidence_and_never_overflows_on_long_log_lines(report):
    finding = next(f for f in report.findings if f.cause == "kernel-oops")
    finding.evidence.insert(0, LogLine(899, "RIP: " + "deadbeef " * 60))
    text = render_mail(report)
    assert all(len(line) <= 72 for line in text.splitlines())
    para = text[text.index("    L899: RIP:"):]
    quoted = para.split("\n\n", 1)[0].splitlines()
    assert quoted[0].startswith("    L899: RIP: deadbeef")
    assert quoted[1].startswith("          deadbeef")  # continued under the text, not the margin
    assert quoted[2].endswith("[...]")  # three rows at most for one log line
    assert quoted[3].startswith("    L900: BUG: unable to handle page fault")
    assert quoted[-1] == "    (4 more)"  # 10 lines, 6 quoted


def test_mail_ends_with_environment_and_signature(report):
    text = render_mail(report)
    assert text.endswith(f"\n-- \ntriaged by harness {harness.__version__}\n")
    env = " ".join(_paragraphs(text)[-2].split())
    assert env.startswith("Environment: Linux 6.12.117 (x86_64, QEMU, TCG).")
    assert "working directory was on 9p" in env
    assert "cache=mmap" in env
    assert "1048576kB: requested 2, got 0" in env


def test_mail_names_one_test_seen_on_several_runs_once():
    text = " ".join(render_mail(combined_report()).split())
    assert ("gup_longterm test 3 ('R/W longterm GUP pin in MAP_SHARED file mapping' with local "
            "tmpfile) on kernel-A/9p and kernel-A/nfs fails because ftruncate() returns "
            "ENOENT.") in text
    assert "both failures are explained by the environment" in text


def test_a_failure_without_diagnosis_is_never_dropped(report):
    report.results.append(Result("cow", 3, "R/O GUP pin on R/O-mapped shared page ... with "
                                 "base page", "base page", Status.FAIL, "Memory corruption",
                                 LogLine(930, "not ok 3 Memory corruption"), run_id=RunId("9p")))
    mail = " ".join(render_mail(report).split())
    assert "Two of the 13 failures could not be explained" not in mail  # the Oops comes first
    assert "Two others could not be explained." in mail
    assert "cow test 3 ('R/O GUP pin on R/O-mapped shared page' with base page) fails." in mail
    assert "L930: not ok 3 Memory corruption" in mail
    row = next(line for line in render_terminal(report).splitlines() if "undiagnosed" in line)
    assert row.split()[:5] == ["unknown", "undiagnosed", "low", "1", "fail"]


def test_mail_does_not_repeat_a_count_the_explanation_already_gives(report):
    finding = next(f for f in report.findings if f.cause == "gup-test-missing")
    finding.explanation = ("The 32 gup_longterm tests were skipped because "
                           "/sys/kernel/debug/gup_test is missing. They never ran.")
    text = " ".join(render_mail(report).split())
    assert text.count("32 gup_longterm tests") == 1
    assert "They never ran. (Tests 1, 2, 4-7, 9-12" in text


def test_mail_and_junit_quote_suite_findings_and_unnumbered_evidence(report):
    report.findings.append(Finding(
        Category.TEST_BUG, "output-duplicate-plan", "medium", ["gup_longterm"],
        "gup_longterm: the plan line appears twice.", [LogLine(0, "tmpfs /tmp tmpfs rw 0 0",
                                                               "/proc/mounts")],
        "tools/testing/selftests/kselftest.h", "Check for a test that forks and prints.", 1))
    text = render_mail(report)
    assert "\n\ngup_longterm: the plan line appears twice.\n[test-bug/output-duplicate-plan," \
        in text
    assert "\n    /proc/mounts: tmpfs /tmp tmpfs rw 0 0\n" in text
    row = next(line for line in render_terminal(report).splitlines() if "output-dup" in line)
    assert row.split()[0] == "test-bug" and row.rstrip().endswith("gup_longterm")


def fit_head(line: str) -> str:
    """The header line as shown, without the ellipsis a narrow terminal cuts it with."""
    return line.removesuffix("...").removesuffix("…")


# --- terminal --------------------------------------------------------------------------------

@pytest.mark.parametrize("width", [100, 80, 60])
def test_terminal_lists_the_worst_finding_first_and_fits(report, width):
    text = render_terminal(report, width=width)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines)
    # one kernel-bug failure and one unknown: the unknown is said to be unexplained, not the
    # kernel's (both still count for the exit code)
    assert fit_head(lines[0]) in "verdict: kernel-bug - 1 of 12 failures point at the kernel, " \
        "1 unexplained"
    table = [line for line in lines if line.startswith("  ") and line.split()[0] in
             {"kernel-bug", "unknown", "config", "env"}]
    assert [row.split()[0] for row in table] == ["kernel-bug", "unknown", "config", "env", "env"]
    assert table[0].split()[1] == "kernel-oops"
    assert "\x1b" not in text


def test_terminal_collapses_a_finding_into_one_aligned_row(report):
    lines = render_terminal(report).splitlines()
    heading = next(line for line in lines if "CATEGORY" in line)
    row = next(line for line in lines if "9p-unlinked-file" in line)
    assert row.split()[2:5] == ["high", "10", "fail"]
    assert "3, 8, 13 ... 48" in row
    for column in ("CAUSE", "CONF", "STATUS", "WHICH"):
        start = heading.index(column)
        assert row[start - 1] == " " and row[start] != " ", column
    assert sum("9p-unlinked-file" in line for line in lines) == 1


def test_terminal_counts_and_hint(report):
    text = render_terminal(report)
    assert "52 results: pass 4  fail 11  skip 36  timeout 1" in text
    assert "by category: kernel-bug 1  unknown 1  config 32  env 14" in text
    hint = text.strip().split("\n\n")[-1]
    assert hint.startswith("  more: ")
    assert all(flag in hint for flag in ("--json FILE", "--junit FILE", "--mail FILE"))


def test_terminal_colour_only_when_asked_and_layout_unchanged(report):
    plain = render_terminal(report, width=80)
    coloured = render_terminal(report, width=80, color=True)
    assert "\x1b[1;31mkernel-bug\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_terminal_says_when_nothing_points_at_the_kernel():
    text = render_terminal(env_only_report())
    assert "none of 10 failures points at the kernel" in text.splitlines()[0]


def test_mail_for_a_run_without_failures_says_so():
    report = env_only_report()
    for r in report.results:
        if r.status == Status.FAIL:
            r.status, r.diagnosis = Status.PASS, None
    report.findings = [f for f in report.findings if f.cause != "9p-unlinked-file"]
    first = " ".join(_paragraphs(render_mail(report))[0].split())
    assert first == ("Nothing points at the kernel: none of the 50 tests failed. 14 passed and "
                     "36 were skipped, because of the kernel configuration (32) and the "
                     "environment (4).")


def test_every_writer_handles_an_empty_report():
    empty = Report(Environment(), [], [], [], Verdict.CLEAN, Summary())
    assert "no test results" in render_terminal(empty)
    # a reply says what is missing and what would settle it
    mail = render_mail(empty)
    assert "no test output" in mail and "nothing here to triage" in mail
    assert load_json(render_json(empty))["results"] == []
    assert len(JUnitXml.fromstring(render_junit(empty))) == 0


def test_writers_only_return_text():
    """The CLI decides where output goes: rendering writes no file."""
    before = set(Path.cwd().iterdir())
    for render in (render_json, render_junit, render_mail, render_terminal):
        assert render(build_report())
    assert set(Path.cwd().iterdir()) == before
