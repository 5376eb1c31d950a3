"""The last fallback (readers/unread_failures.py): a readable report whose failure no reader
knows is never refused; it gives `unknown` with the failure line quoted. Text that states no
failure is still refused (exit 2)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from harness.cli.main import main

UNKNOWN_TOOL = """\
Hi,

since the 6.9 update our backup agent stops after a minute. The agent log says:

    2024-05-02T10:11:12Z snapvault[2211]: ring setup for /srv/data refused by the host
    2024-05-02T10:11:12Z snapvault[2211]: FATAL: giving up after 3 attempts

Thanks for any pointers.
"""
UNKNOWN_ERRNO_STEP = """\
Running the collector in a pod, it stops at once. Its log:

  [collector] sandbox step 3 returned EPERM
  [collector] leaving
"""
FAILED_IN_WORDS = """\
After the firmware update the board's loader prints

  loader: attaching the overlay blob failed
  loader: continuing without it

and the display stays black.
"""
KILLED_BUILD = """\
The nightly job ended with this in the console:

  stage2 ... Killed
  make: *** [Makefile:12: stage2] Error 137
"""
WRAPPED_TBROK = """\
Our RISC-V board fails this at once:

tst_fd.c:41: TBROK: ioctl(4,((((2U|1U) << (((0+8)+8)+14)) |
(((0xBB)) << (0+8)) | (((0x3F)) << 0) | ((((sizeof(struct
fsx_attr)))) << ((0+8)+8)))),...) failed: ENOTTY (25)
"""
LOWER_CASE_STRERROR = """\
on the old NAS the indexer says

  indexer: watch setup: function not implemented
"""
NUMBERS_BEFORE = """\
  pinctl 0x00000002 (mode 3 flags 0) failed (errno 13 Permission denied)
"""
CRASH_IN_WORDS = """\
With the new allocator our render daemon crashes on start when the cgroup is small.
"""
CHILD_DIED = """\
the soak test on the new hosts:

  soak: debug: [311] worker-4 died, status 0x86
"""
NOT_REPORTS = {
    "shopping": "eggs\nmilk\nbread\n",
    "readme": "# demo\n\nA small demo. Build it with `make`, then run ./demo.\n"
              "If an error occurs, the tool should print it.\nNo errors were found in tests.\n",
    "code": "int main(void)\n{\n\tif (fd < 0) {\n\t\tperror(\"open failed\");\n"
            "\t\treturn 1;\n\t}\n}\n",
}


def triage(tmp_path: Path, text: str) -> tuple[int, dict]:
    log = tmp_path / "report.txt"
    log.write_text(text)
    out = tmp_path / "report.json"
    code = main(["triage", str(log), "--json", str(out)])
    return code, json.loads(out.read_text())


@pytest.mark.parametrize("text,quoted", [
    (UNKNOWN_TOOL, "FATAL: giving up after 3 attempts"),
    (UNKNOWN_ERRNO_STEP, "sandbox step 3 returned EPERM"),
    (FAILED_IN_WORDS, "attaching the overlay blob failed"),
    (KILLED_BUILD, "stage2 ... Killed"),
    (WRAPPED_TBROK, "tst_fd.c:41: TBROK"),
    (LOWER_CASE_STRERROR, "watch setup: function not implemented"),
    (NUMBERS_BEFORE, "failed (errno 13 Permission denied)"),
    (CRASH_IN_WORDS, "render daemon crashes on start"),
    (CHILD_DIED, "worker-4 died, status 0x86"),
])
def test_a_failure_no_reader_knows_is_unknown_with_its_line(tmp_path, text, quoted):
    _, report = triage(tmp_path, text)
    assert report["results"], "the report was read as having no failure"
    failed = [r for r in report["results"] if r["status"] in ("fail", "crash")]
    assert failed
    assert any(quoted in json.dumps(r) for r in failed)
    assert {r["category"] for r in failed} == {"unknown"}
    # (LTP's TBROK line is read by its own reader since round 14-thread: still no rule)
    assert any("no rule knows them" in n or "LTP's own result lines" in n
               for n in report["environment"]["notes"])


@pytest.mark.parametrize("name", sorted(NOT_REPORTS))
def test_text_that_states_no_failure_is_still_refused(tmp_path, capsys, name):
    log = tmp_path / "input.txt"
    log.write_text(NOT_REPORTS[name])
    assert main(["triage", str(log)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no selftest results" in err[0]
    assert list(tmp_path.iterdir()) == [log]


def test_a_known_call_and_errno_still_gets_its_rule(tmp_path):
    text = ("apt fails inside the container on the 9p share:\n\n"
            "E: Could not open file /var/lib/apt/lists/x - fstat (2: No such file or "
            "directory)\n")
    _, report = triage(tmp_path, text)
    causes = {r["cause"] for r in report["results"]}
    assert "9p-unlinked-file" in causes or "fs-unlinked-open-file" in causes


@pytest.mark.parametrize("text,call,errno,cause", [
    ("After the upgrade the supervisor logs\n\n  pidfd_open(1234, 0) failed: ENOSYS\n",
     "pidfd_open", "ENOSYS", "syscall-not-implemented"),
    ("our probe prints\n\nprocess_madvise: ret=-1 errno=1\n", "process_madvise", "EPERM", None),
    ("the agent dies at start:\n\nfanotify_init failed: Function not implemented\n",
     "fanotify_init", "ENOSYS", "syscall-not-implemented"),
])
def test_a_system_call_no_reader_listed_is_still_a_failed_call(tmp_path, text, call, errno,
                                                               cause):
    # readers/syscall_names.py: any Linux system call, in a message whose form says it failed
    _, report = triage(tmp_path, text)
    [r] = report["results"]
    assert (r["syscall"], r["errno"]) == (call, errno)
    if cause:
        assert r["cause"] == cause


# gcc's error as Valdis Kletnieks posted it ("linux-next 20200508 - build failure in
# kernel/resource.c w/ SPARSEMEM=n", linux-kernel, 2020-05-09; lkml.iu.edu 2005.1/02184): the
# error states a failure, and only the clause after ';' asks.
GCC_DID_YOU_MEAN = """\
  CC  kernel/resource.o
kernel/resource.c: In function '__request_free_mem_region':
kernel/resource.c:1653:28: error: 'PA_SECTION_SHIFT' undeclared (first use in this function); \
did you mean 'SECTION_SHIFT'?
"""


def test_a_compiler_error_with_did_you_mean_is_read_and_a_question_is_not(tmp_path, capsys):
    code, report = triage(tmp_path, GCC_DID_YOU_MEAN)
    assert code == 1
    [failed] = [r for r in report["results"] if r["status"] == "fail"]
    assert "'PA_SECTION_SHIFT' undeclared" in failed["message"]
    # a question stays a question, ';' or not: nothing is stated to have failed
    for asked in ("Did the build fail?\n", "It builds here; did the build fail for you?\n"):
        log = tmp_path / "asked.txt"
        log.write_text(asked)
        assert main(["triage", str(log)]) == 2, asked
    assert "no selftest results" in capsys.readouterr().err


REPORTS = Path(__file__).parent / "fixtures" / "reports"


@pytest.mark.parametrize("name,quoted", [
    # what people write when no program printed a failure word
    ("tt-exalens-ci-runner-hugepages-not-set-up", "not properly set up"),
    ("wsl1-python-multiprocessing-dev-shm-missing", "Errno 38 not implemented"),
    ("run-qemu-hugetlb-unit-test-1g-skip-cmdline", "unable to alloc a 1G page"),  # "Without that"
    ("jemalloc-pages-test-thp-configure-probe", "doesn't actually support THPs"),  # ".  I don't"
    # (libhugetlbfs-shm-perms-segment-size-64k-pages is right since the diagnosis reader:
    # tests/test_report_classes_prose.py)
])
def test_a_real_report_without_failure_words_is_an_honest_unknown(tmp_path, name, quoted):
    code, report = triage(tmp_path, (REPORTS / f"{name}.txt").read_text())
    # was refused (exit 2, "no selftest results ..."); a reader that names the cause later
    # (the libhugetlbfs report's own words now make it test-bug, exit 0) may only improve it
    assert code in (0, 1)
    assert report["verdict"] == "unknown" or report["findings"]
    [failed] = [r for r in report["results"] if r["status"] == "fail"]
    assert quoted in failed["message"]
    # 'CONFIG_ARM64_64K_PAGES=y' is an option that is set, not one missing; a rule that knows
    # the wording now (huge pages "not properly set up", "unable to alloc a 1G page") may give
    # the maintainers' own answer, and no other
    expected = tomllib.loads((REPORTS / f"{name}.toml").read_text())["expected_category"]
    assert failed["category"] in ("unknown", "test-bug", expected)


def test_a_selftests_patch_that_says_the_tests_are_broken_is_read(tmp_path):
    # Aneesh Kumar's ppc64 ksm_tests/transhuge-stress patch (2022): "Without this tests are
    # broken w.r.t reading /proc/self/pagemap" - refused before, as any patch's own words were
    code, report = triage(tmp_path, (REPORTS / "ppc64-page-shift-pagemap-ksm-transhuge-patch.txt")
                          .read_text())
    assert code == 0 and report["verdict"] == "test-bug"
    [failed] = [r for r in report["results"] if r["status"] == "fail"]
    assert "tests are broken" in failed["message"]


def test_a_lockdep_warning_in_a_robots_dmesg_is_the_kernels(tmp_path):
    # 0-day's report: "kern  :warn  : [  181.942648] WARNING: suspicious RCU usage" has no
    # "WARNING: CPU:" line; it was refused as holding nothing
    code, report = triage(tmp_path, (REPORTS / "lkp-hmm-tests-hugetlb-walk-rcu-warning.txt")
                          .read_text())
    assert code == 1 and report["verdict"] == "kernel-bug"
    # the robot names the commit it found ("we noticed ... due to commit"): its bisect, so the
    # warning is that commit's regression (round 12-lkp, readers/lkp_mail.py)
    assert {f["cause"] for f in report["findings"]} == {"kernel-regression"}
    assert not any("strace" in n for n in report["environment"].get("notes", []))
