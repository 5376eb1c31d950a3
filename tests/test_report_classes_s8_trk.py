"""Classes of tracker issues held-out round 16-trk got wrong (tests/fixtures/reports/README.md,
"Round 16-trk"), each tested on a second real text worded differently from the report that
showed it:

- a test (or its runner) that ignores the temporary directory it is given and writes where it
  should not ("looks like mmap3 is ignoring LTPTMP env variable", "the test tries to create new
  file in test binary folder", "zoo-file created in root-fs", "the test opens files in $CWD it
  should be fixed to honour $TMPDIR"): its EROFS is the test's fault (selftest-logic-bug, or
  runner-script-bug for LTP's runner), not the read-only machine's (fs-read-only).
"""

from __future__ import annotations

from test_report_classes import triage_read

# linux-test-project/ltp #87 ("mtest05 fail on read only remote machine", 2016-08-29): the
# first lines of NgaHoang10's description (the log), then Cyril Hrubis's answer in the same
# issue, unmodified. The round's fixture has the description's prose instead of the answer.
MTEST05_ANSWERED = (
    "2016-08-26T11:37:31 Test: mtest05 Testparm: mmstress\n"
    "mmstress    0  TINFO  :  run mmstress -h for all options\n"
    "mmstress    0  TINFO  :  test2: Test case tests the race condition between simultaneous"
    " write faults in the same address space.\n"
    "map_and_thread(): open(): Read-only file system\n"
    "map_and_thread(): open(): Read-only file system\n"
    "\n"
    "Indeed the test opens files in ```$CWD``` it should be fixed to honour ```$TMPDIR``` and"
    " create a temporary directory there before it starts testing.\n")

# The same log with only the reporter's setup said (ltp #88's words, "I run tests on read-only
# remote machine"): nothing says the test chose the directory, so the read-only filesystem
# stays the environment's.
MTEST05_MACHINE_ONLY = MTEST05_ANSWERED.split("\nIndeed")[0] + (
    "\nI run tests on read-only remote machine\n")


def test_a_test_that_ignores_its_temporary_directory_is_at_fault_for_erofs(tmp_path):
    report = triage_read(tmp_path, MTEST05_ANSWERED)
    assert report["verdict"] == "test-bug"
    assert {f["cause"] for f in report["findings"]} == {"selftest-logic-bug"}
    assert "$TMPDIR" in report["findings"][0]["explanation"]


def test_a_read_only_machine_alone_stays_the_environment(tmp_path):
    report = triage_read(tmp_path, MTEST05_MACHINE_ONLY)
    assert report["verdict"] == "env"
    assert {f["cause"] for f in report["findings"]} == {"fs-read-only"}

