"""Round 22-ci's classes (CI reports and CI hosts, answered by a maintainer or the CI's owners).

1. The CI host's service manager killed the test harness, shown only as journal lines: systemd
   (v243 on) stops a whole service when the OOM killer kills one of its processes (OOMPolicy),
   so a test that exhausts memory on purpose takes the CI's harness down with it and the job
   aborts - "restraintd.service: A process of this unit has been killed by the OOM killer." and
   "Failed with result 'oom-kill'" (CKI's LTP oom01 jobs on Fedora 31, Jan Stancek 2019: the
   corpus' held-out miss of round 21-final). Second real text: a GitHub Actions runner's unit,
   "actions.runner.<...>.service: Failed with result 'oom-kill'" and "when runner is stopped -
   task autocancels itself" (ydb-platform/nbs #4438, 2025). env/ci-infrastructure-abort; not
   for a unit that is no harness or runner (systemd's own OOM test unit).
2. The author of a patch the robot bisected to answering that the patch's next version fixes it,
   when that patch changes only the tests: "This issue has been found and will be fixed next
   version." (Masami Hiramatsu on the robot's ftracetest report for "[PATCH v4 7/8]
   tracing/selftests: ...", 2021), "I posted today a V2 that take a different approach ... and
   should solve also the issue mentioned in this report" (Cristian Marussi on a runner.sh patch,
   2021) - both round 22-ci's; second real text: "I'm sending a updated patch to Paul for
   merging" (Willy Tarreau on "[selftests/nolibc] 362aecb2d8: kernel-selftests.nolibc.make_fail",
   2022: the selftests commit named only by the robot's Subject). test-bug/selftest-logic-bug;
   the same words over a kernel commit are the kernel patch's fix, not the test's.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import cause_ids as _causes
from tests.test_report_classes import triage_file, triage_read

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLASSES = Path(__file__).parent / "fixtures" / "classes"

CKI_OOMPOLICY = REPORTS / "cki-ltp-oom01-systemd-v243-oompolicy-kills-harness-mail.txt"
RUNNER_OOM = CLASSES / "ydb-nbs-actions-runner-unit-oom-kill-autocancel-pr.txt"


def test_the_ci_harness_stopped_by_systemd_after_an_oom_kill_is_the_ci_host(tmp_path):
    report = triage_read(tmp_path, CKI_OOMPOLICY.read_text())
    assert report["verdict"] == "env"
    assert _causes(report) == {"ci-infrastructure-abort"}


def test_a_ci_runner_unit_failed_with_oom_kill_is_the_ci_host(tmp_path):
    text = RUNNER_OOM.read_text()
    assert "Failed with result 'oom-kill'" in text
    report = triage_read(tmp_path, text)
    assert report["verdict"] == "env"
    assert _causes(report) == {"ci-infrastructure-abort"}


def test_a_unit_that_is_no_harness_is_not_the_ci(tmp_path):
    # systemd's own OOM test (systemd/systemd #12425, 2019): the unit is the test itself
    text = ("oomtest.service: A process of this unit has been killed by the OOM killer.\n"
            "oomtest.service: Process of control group was killed by the OOM killer.\n"
            "oomtest.service: Main process exited, code=killed, status=9/KILL\n"
            "oomtest.service: Failed with result 'oom-kill'.\n")
    assert triage_read(tmp_path, text)["verdict"] != "env"


FTRACE = REPORTS / "lkp-kselftest-ftrace-event-trigger-selftest-commit-fixed-next-version-reply.txt"
HOTPLUG = REPORTS / "lkp-kselftest-cpu-hotplug-runner-sh-commit-v2-solves-reply.eml"
NOLIBC = CLASSES / "lkp-nolibc-make-fail-sending-updated-patch-reply.eml"


def test_the_next_version_of_a_selftest_patch_fixes_the_robots_report():
    for path in (FTRACE, HOTPLUG, NOLIBC):
        report = triage_file(path)
        assert report["verdict"] == "test-bug", path.name
        assert _causes(report) == {"selftest-logic-bug"}, path.name


def test_the_next_version_of_a_kernel_patch_is_not_the_tests(tmp_path):
    text = FTRACE.read_text()
    subject = "[PATCH v4 7/8] tracing/selftests: Add tests for hist trigger expression parsing"
    assert subject in text
    kernel = text.replace(subject, "[PATCH v4 6/8] tracing/histogram: Update expression parsing")
    assert triage_read(tmp_path, kernel)["verdict"] != "test-bug"
