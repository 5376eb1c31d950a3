"""Environment and configuration causes common to all mm selftests, in the wordings the
selftests print (uffd-unit-tests.c, memfd_secret.c, run_vmtests.sh, the kselftest_harness
hugetlb tests), as run_vmtests.sh nests them under the kselftest runner."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from harness.cli.main import main


def triage(tmp_path, text: str, name: str = "report.txt") -> tuple[int, dict]:
    """``harness triage`` on ``text`` saved as ``name``: the exit code and the JSON report."""
    log = tmp_path / name
    log.write_text(text, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["triage", str(log), "--json", "-"])
    return code, json.loads(out.getvalue())


def causes(tmp_path, text: str) -> set[str]:
    return {r["cause"] for r in triage(tmp_path, text)[1]["results"] if r["cause"]}


def block(binary: str, *lines: str, verdict: str = "SKIP", number: int = 6) -> str:
    rule = "# " + "-" * (len(binary) + 10)
    body = [rule, f"# running ./{binary}", rule, *[f"# {t}" for t in lines], f"# [{verdict}]"]
    end = f"ok {number} {binary} # SKIP" if verdict == "SKIP" else (
        f"not ok {number} {binary} # exit=1")
    return "\n".join([*body, end]) + "\n"


CASES = [
    ("uffd sysctl or config", block(
        "uffd-unit-tests", "Userfaultfd not supported or unprivileged, skip all tests"),
     "userfaultfd-unavailable"),
    ("secretmem missing", block(
        "memfd_secret", "TAP version 13", "1..4", "ok 1 # SKIP memfd_secret is not supported",
        "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"), "secretmem-unavailable"),
    ("hugetlb pool empty (kselftest_harness SKIP)", block(
        "hugetlb-madvise", "TAP version 13", "1..1",
        "ok 1 # SKIP Not enough huge pages",
        "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"), "hugetlb-pages-short"),
    ("run_vmtests.sh without hugetlb pages", block(
        "hugepage-mmap", "hugepages not supported"), "hugetlb-pages-short"),
    ("not root", block("compaction_test", "Please run this test as root", verdict="FAIL"),
     "not-root"),
]


@pytest.mark.parametrize(("text", "cause"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_mm_selftest_environment_causes(tmp_path, text, cause):
    assert cause in causes(tmp_path, text)


def test_a_feature_probe_failure_is_not_called_userfaultfd_missing(tmp_path):
    # ksm_functional_tests' UFFDIO_API with a feature bit set: EINVAL, not the sysctl.
    text = block("ksm_functional_tests", "TAP version 13", "1..1",
                 "not ok 1 UFFDIO_API failed", verdict="FAIL")
    assert "userfaultfd-unavailable" not in causes(tmp_path, text)


def test_a_selftests_own_assertion_line_is_a_result_not_refused(tmp_path):
    # protection_keys' pkey_assert() and the userfaultfd tests' err(), outside any TAP.
    results = triage(tmp_path, "assert() at protection_keys.c::812 test_nr: 19 iteration: 1\n"
                     "running abort_hooks()...\nerrno at assert: 12\n"
                     "ERROR: munmap (errno=22, @uffd-common.c:277)\n")[1]["results"]
    assert [(r["suite"], r["status"], r["errno"]) for r in results] == [
        ("protection_keys", "fail", "ENOMEM"), ("uffd-common", "fail", "EINVAL")]
    assert results[1]["syscall"] == "munmap"


def test_a_skip_reason_printed_after_the_runner_verdict_belongs_to_that_binary(tmp_path):
    # hugetlb-madvise-skip-cmdline-hugepages-unknown (Mark Brown, 2025): run_vmtests.sh's reason
    # lands after "ok 6 hugetlb-madvise # SKIP"; one result, with that reason.
    text = ("# # -------------------------\n# # running ./hugetlb-madvise\n"
            "# # -------------------------\n# # [SKIP]\n# ok 6 hugetlb-madvise # SKIP\n"
            "# # hugepages not supported\n")
    results = triage(tmp_path, text)[1]["results"]
    assert [(r["suite"], r["status"], r["cause"]) for r in results] == [
        ("hugetlb-madvise", "skip", "hugetlb-pages-short")]


def test_a_kernelci_status_mail_is_read_not_refused(tmp_path):
    # kernelci-status-stable-6.6-khugepaged-unstable: one listed test with its history.
    text = ("### UNSTABLE TESTS\n\nHardware: bcm2711-rpi-4-b\n"
            "  > Config: defconfig+arm64-chromebook+kselftest\n"
            "    - Architecture/compiler: arm64/gcc-14\n"
            "      - kselftest.mm.mm_run_vmtests_sh_khugepaged\n"
            "      last run: https://d.kernelci.org/test/maestro:6a1198ac5bf5d05c97447823\n"
            "      history:  > \u26a0\ufe0f  > \u274c  \n")
    code, report = triage(tmp_path, text, "status.txt")
    assert code == 1 and report["verdict"] == "unknown"
    [r] = report["results"]
    assert (r["suite"], r["status"]) == ("mm", "fail") and "history" in r["message"]


def test_a_runner_scripts_own_shell_error_is_a_result_not_a_command(tmp_path):
    # run-vmtests-yama-ptrace-scope-missing (Mark Brown, 2025): '# ./x.sh: line N: ...' is
    # output of the script, not a command typed after a root prompt.
    [r] = triage(tmp_path, "# ./run_vmtests.sh: line 432: /proc/sys/kernel/yama/ptrace_scope: "
                 "No such file or directory\n")[1]["results"]
    assert (r["suite"], r["status"], r["errno"]) == ("run_vmtests.sh", "fail", "ENOENT")


def test_a_skip_reason_before_the_next_header_belongs_to_the_next_binary(tmp_path):
    # run_vmtests.sh's run_test() prints "hugepages not supported" before the separator of the
    # binary it skips (tools/testing/selftests/mm/run_vmtests.sh, since 6.15).
    text = ("# # running ./map_fixed_noreplace\n# # [PASS]\n# ok 9 map_fixed_noreplace\n"
            "# # hugepages not supported\n# # ----------------------\n"
            "# # running ./hugepage-mmap\n# # ----------------------\n# # [SKIP]\n"
            "# ok 10 hugepage-mmap # SKIP\n")
    causes_of = {r["suite"]: (r["status"], r["cause"])
                 for r in triage(tmp_path, text)[1]["results"]}
    assert causes_of["hugepage-mmap"] == ("skip", "hugetlb-pages-short")
    assert causes_of["map_fixed_noreplace"] == ("pass", None)
