"""The command line as a user meets it: exit codes, one-line errors, stdin, outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LOGS = Path(__file__).parent / "fixtures" / "logs"


def harness(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], input=stdin,
                          capture_output=True, timeout=120, check=False)


def test_version_and_help():
    out = harness("--version")
    assert out.returncode == 0 and out.stdout.decode().startswith("harness ")
    assert harness("triage", "--help").returncode == 0


def test_bad_usage_is_one_line_and_exit_2():
    for args in (("triage",), ("triage", "x.log", "--bogus"), ("frobnicate",)):
        out = harness(*args)
        assert out.returncode == 2
        lines = out.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and "error" in lines[0]


def test_missing_file_directory_and_unknown_fs_exit_2(tmp_path):
    for args in (("triage", str(tmp_path / "nope.log")), ("triage", str(tmp_path)),
                 ("triage", str(LOGS / "host-tmpfs-gup_longterm.log"), "--fs", "zfsx")):
        out = harness(*args)
        assert out.returncode == 2, args
        assert len(out.stderr.decode().strip().splitlines()) == 1
        assert "Traceback" not in out.stderr.decode()


def test_log_without_results_is_an_input_error(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\xff hello\r\nnothing here\n")
    out = harness("triage", str(junk))
    assert out.returncode == 2 and "no selftest results" in out.stderr.decode()


def test_exit_code_0_for_env_only_1_when_kernel_suspected():
    env_only = harness("triage", str(LOGS / "lead-strace-inject-9p-local-tmpfile.log"),
                       "--fs", "9p")
    assert env_only.returncode == 0
    suspect = harness("triage", str(LOGS / "host-strace-inject-ftruncate-enoent.log"), "--fs", "9p")
    assert suspect.returncode == 1
    assert "unknown" in suspect.stdout.decode()


def test_stdin_and_json_to_stdout():
    data = (LOGS / "host-tmpfs-gup_longterm.log").read_bytes()
    out = harness("triage", "-", "--suite", "gup_longterm", "--json", "-", stdin=data)
    assert out.returncode == 0
    report = json.loads(out.stdout)
    assert report["schema"] == "harness.triage/1" and report["summary"]["total"] == 50


def test_all_outputs_written_and_terminal_summary_printed(tmp_path):
    out = harness("triage", str(LOGS / "lead-strace-inject-9p-local-tmpfile.log"), "--strace",
                  str(LOGS / "lead-strace-inject-9p-local-tmpfile.strace"), "--fs", "9p",
                  "--json", str(tmp_path / "r.json"), "--junit", str(tmp_path / "r.xml"),
                  "--mail", str(tmp_path / "r.txt"))
    assert out.returncode == 0
    assert "9p-unlinked-file" in out.stdout.decode()
    mail = (tmp_path / "r.txt").read_text()
    assert all(len(line) <= 72 for line in mail.splitlines())
    assert "ftruncate" in mail and "ENOENT" in mail
    from junitparser import JUnitXml

    xml = JUnitXml.fromfile(str(tmp_path / "r.xml"))
    assert sum(s.tests for s in xml) == 50


def test_unwritable_output_fails_before_work(tmp_path):
    out = harness("triage", str(LOGS / "host-tmpfs-gup_longterm.log"),
                  "--json", str(tmp_path / "no" / "such" / "dir.json"))
    assert out.returncode == 2 and "does not exist" in out.stderr.decode()


def test_every_real_filesystem_name_is_taken_and_named_in_the_report():
    # Reports say where they ran: "/tmp is ext3", "on f2fs", "smb3 share". Each is accepted
    # (exit 0 or 1, never 2) and the report names it as given (smb3 is the cifs driver).
    names = {"ext3": "ext3", "f2fs": "f2fs", "smb3": "cifs", "overlayfs": "overlay"}
    for name, shown in names.items():
        out = harness("triage", str(LOGS / "host-tmpfs-gup_longterm.log"), "--fs", name,
                      "--json", "-")
        assert out.returncode in (0, 1), out.stderr
        assert json.loads(out.stdout)["environment"]["fs"] == shown


def test_python_dash_m_harness_is_the_command():
    out = subprocess.run([sys.executable, "-m", "harness", "--version"], capture_output=True,
                         timeout=120, check=False)
    assert out.returncode == 0 and out.stdout.decode().startswith("harness ")


def test_bad_guest_memory_is_one_line_before_anything_runs(tmp_path):
    for memory in ("lots", "0", "512K", "99999999999999G"):
        out = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--guest", "sim",
                              "--fs", "tmpfs", "--tests", "gup_longterm", "--memory", memory],
                             cwd=tmp_path, capture_output=True, timeout=120, check=False)
        err = out.stderr.decode().strip().splitlines()
        assert out.returncode == 2 and len(err) == 1, (memory, err)
        assert "--memory" in err[0] and "guest memory" in err[0], err
        assert not list(tmp_path.iterdir())  # no harness-out/


def test_stream_help_names_the_size_from_which_logs_stream():
    from harness.triage import STREAM_BYTES

    text = " ".join(harness("triage", "--help").stdout.decode().split())
    assert f"as for logs of {STREAM_BYTES >> 20} MB or more" in text
