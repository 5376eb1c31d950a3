"""The kselftest reader on the shapes real logs take (minimal inputs written from kselftest.h)."""

from __future__ import annotations

from harness.model import LogLine, Status
from harness.readers.ingest import parse_lines


def parse(text: str, suite: str = ""):
    lines = [LogLine(i, t, "t.log") for i, t in enumerate(text.splitlines(), 1)]
    return parse_lines(lines, "t.log", suite)


def statuses(parsed) -> list[tuple[str, int, str]]:
    return [(r.suite, r.number, r.status.value) for r in parsed.results]


def test_612_result_lines_take_their_name_from_the_run_line():
    p = parse("TAP version 13\n1..2\n"
              "# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile\n"
              "not ok 1 ftruncate() failed\n"
              "# [RUN] R/O longterm GUP pin in MAP_SHARED file mapping ... with memfd\n"
              "ok 2 # SKIP gup_test not available\n"
              "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0\n")
    first, second = p.results
    assert first.name.endswith("... with local tmpfile")
    assert first.config == "local tmpfile" and first.message == "ftruncate() failed"
    assert first.status is Status.FAIL and first.suite == "gup_longterm"
    assert second.status is Status.SKIP and second.message == "gup_test not available"
    assert p.suites[0].totals == {"pass": 0, "fail": 1, "xfail": 0, "xpass": 0, "skip": 1,
                                  "error": 0}


def test_mainline_names_on_result_lines_and_strerror_on_diagnostics():
    name = "io_uring fixed buffer with MAP_SHARED file mapping ... with local tmpfile"
    p = parse(f"# [RUN] {name}\n"
              "# fallocate() failed (Operation not supported)\n"
              f"not ok 1 {name}\n")
    (r,) = p.results
    assert r.message == "fallocate() failed (Operation not supported)"
    assert r.config == "local tmpfile"


def test_directives_xfail_xpass_error_timeout():
    p = parse("1..4\nok 1 # XFAIL Leak from child into parent\nok 2 # XPASS odd\n"
              "not ok 3 # error broken\nnot ok 4 # TIMEOUT 45 seconds\n", "cow")
    assert [r.status for r in p.results] == [Status.XFAIL, Status.XPASS, Status.ERROR,
                                             Status.TIMEOUT]


def test_nested_runner_and_run_vmtests_levels():
    text = "\n".join([  # noqa: FLY002
        "TAP version 13", "1..1", "# timeout set to 180", "# selftests: mm: run_vmtests.sh",
        "# TAP version 13",
        "# # ------------------------", "# # running ./gup_longterm",
        "# # ------------------------",
        "# # TAP version 13", "# # 1..2",
        "# # # [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile",
        "# # not ok 1 ftruncate() failed",
        "# # # [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd",
        "# # ok 2 # SKIP gup_test not available",
        "# # # Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0",
        "# # [FAIL]", "# not ok 1 gup_longterm # exit=1",
        "# # SUMMARY: PASS=0 SKIP=0 FAIL=1", "# 1..1",
        "not ok 1 selftests: mm: run_vmtests.sh # exit=1",
    ])
    p = parse(text)
    assert statuses(p) == [("gup_longterm", 1, "fail"), ("gup_longterm", 2, "skip")]
    gup = [s for s in p.suites if s.name == "gup_longterm"]
    assert gup and gup[0].exit_code == 1 and gup[0].planned == 2


def test_printk_timestamps_crlf_and_bad_bytes_are_tolerated(tmp_path):
    raw = (b"[    1.234567] Linux version 6.12.117+deb12-amd64 (debian-kernel)\r\n"
           b"TAP version 13\r\n1..1\r\n"
           b"[    2.000000] random: crng init done\xff\xfe\r\n"
           b"# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with tmpfile\r\n"
           b"ok 1 Should have worked\r\n")
    path = tmp_path / "console.log"
    path.write_bytes(raw)
    from harness.readers.ingest import parse_file

    p = parse_file(str(path))
    assert [(r.number, r.status) for r in p.results] == [(1, Status.PASS)]
    assert any("Linux version" in k.text for k in p.kernel_lines)


def test_output_cut_off_by_an_oops_marks_the_running_test_crashed():
    p = parse("TAP version 13\n1..3\n"
              "# [RUN] Basic COW after fork() ... with base page\n"
              "ok 1 No leak from parent into child\n"
              "# [RUN] Basic COW after fork() ... with THP (2048 kB)\n"
              "[   12.5] BUG: Bad page state in process cow  pfn:1234\n"
              "[   12.5] Call Trace:\n")
    assert statuses(p) == [("cow", 1, "pass"), ("cow", 2, "crash"), ("cow", 3, "missing")]
    assert p.crashes and "Bad page state" in p.crashes[0][0].text


def test_repeated_header_without_results_is_an_anomaly_not_a_new_suite():
    p = parse("TAP version 13\nTAP version 13\n1..1\nok 1 x\n", "cow")
    assert statuses(p) == [("cow", 1, "pass")]
    assert ("duplicate-header" in [k for k, _ in p.suites[0].anomalies])


def test_two_concatenated_runs_become_two_suites():
    p = parse("TAP version 13\n1..1\n# [RUN] Basic COW after fork() ... with base page\nok 1 a\n"
              "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n"
              "TAP version 13\n1..1\n# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... "
              "with memfd\nok 1 b\n")
    assert [s.name for s in p.suites] == ["cow", "gup_longterm"]


def test_fail_summary_bail_out_is_not_a_result():
    p = parse("1..1\nnot ok 1 Leak from parent into child\nBail out! 1 out of 1 tests failed\n"
              "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n", "cow")
    assert statuses(p) == [("cow", 1, "fail")]


def test_real_bail_out_becomes_an_error_result():
    p = parse("1..5\nBail out! opening pagemap failed\n", "cow")
    (r,) = p.results
    assert r.status is Status.ERROR and "pagemap" in r.message


def test_tap_inside_strace_write_calls_is_read():
    p = parse('123 write(1, "TAP version 13\\n", 14) = 14\n'
              '123 write(1, "1..1\\n", 5) = 5\n'
              '123 write(1, "# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... '
              'with local tmpfile\\n", 80) = 80\n'
              '123 openat(AT_FDCWD, "gup_longterm.c_tmpfile_Ab", O_RDWR|O_CREAT|O_EXCL, 0600) = 3\n'
              '123 unlink("gup_longterm.c_tmpfile_Ab") = 0\n'
              '123 ftruncate(3, 4096) = -1 ENOENT (No such file or directory)\n'
              '123 write(1, "not ok 1 ftruncate() failed\\n", 28) = 28\n')
    assert p.tap_from_writes
    (r,) = p.results
    assert r.config == "local tmpfile" and r.status is Status.FAIL
    (ft,) = [c for c in p.syscalls if c.name == "ftruncate"]
    assert ft.unlinked and ft.errno == "ENOENT"


def test_a_run_pasted_without_its_hash_prefixes_keeps_its_totals_and_run_lines():
    """A mail that lost the '# ' of kselftest's own lines (" [RUN] ...", " Totals: ..."): the
    lines are still the run's, so the run is complete, not cut off in a [RUN]."""
    p = parse("TAP version 13\n1..2\n [RUN] test_prctl\nok 1 works\n [RUN] test_prctl_fork\n"
              " [RUN] test_prctl_unmerge\nnot ok 2 No pages got merged\n"
              " Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0\n", "ksm_functional_tests")
    assert [s.totals is not None for s in p.suites] == [True]
    assert [r.name for r in p.results] == ["test_prctl", "test_prctl_unmerge"]
