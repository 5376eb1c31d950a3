"""Exact exit codes for bad input: a user error is one line and exit 2, never 3 (internal)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "tests" / "fixtures" / "logs"
LOG = LOGS / "host-tmpfs-gup_longterm.log"


def harness(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=cwd, env=env,
                          input=stdin, capture_output=True, timeout=timeout, check=False)


def user_error(out: subprocess.CompletedProcess[bytes]) -> str:
    err = out.stderr.decode()
    assert out.returncode == 2, (out.returncode, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_missing_or_empty_rules_directory_is_an_error(tmp_path):
    assert "no such directory" in user_error(harness("triage", str(LOG), "--rules",
                                                     str(tmp_path / "nope")))
    assert "no rule files" in user_error(harness("triage", str(LOG), "--rules", str(tmp_path)))


def test_user_errors_exit_2_never_3(tmp_path):
    huge = "9" * 5000
    strace = tmp_path / "huge.strace"
    strace.write_text(f'{huge} openat(AT_FDCWD, "/x", O_RDWR) = {huge}\n'
                      f"{huge} ftruncate({huge}, 4096) = -1 ENOENT (No such file or directory)\n")
    tap = tmp_path / "huge.log"
    tap.write_text(f"TAP version 13\n1..{huge}\nok {huge} x\nnot ok 2 y\n")
    escapes = tmp_path / "escapes.strace"
    escapes.write_text('123 write(1, "ok 1 \\x \\777 \\xZZ \\9 a\\n", 12) = 12\n'
                       '123 openat(AT_FDCWD, "\\x", O_RDWR) = -1 ENOENT (No such file or '
                       'directory)\n')
    for args in (("triage", str(strace)), ("triage", str(tap), "--suite", "cow"),
                 ("triage", str(escapes))):
        out = harness(*args)
        assert out.returncode in (0, 1), (args, out.stderr)
        assert not out.stderr, out.stderr
    cases = [("triage", str(LOG), "--kernel-version", "garbage"),
             ("triage", str(LOG), "--kernel-version", "6." + huge),
             ("triage", str(tmp_path / ("x" * 300))),
             ("triage", str(tmp_path / ("d" * 200) / ("x" * 200))),
             ("run", "--fs", "9p", "--timeout", "nan"), ("run", "--fs", "9p", "--timeout", "-3"),
             ("run", "--fs", "9p", "--timeout", "0"), ("run", "--fs", "9p", "--smp", "0"),
             ("run", "--fs", "9p", "--boot-timeout", "inf"),
             ("matrix", "--fs", "9p,xfs", "--jobs", "0")]
    for args in cases:
        user_error(harness(*args, cwd=tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["escapes.strace", "huge.log",
                                                          "huge.strace"]


def test_compare_refuses_bad_reports_in_one_line(tmp_path):
    good = tmp_path / "good.json"
    assert harness("triage", str(LOG), "--json", str(good)).returncode == 0
    import json

    data = json.loads(good.read_text())
    variants = {
        "number-str": lambda d: d["results"][0].update(number="x"),
        "status-dict": lambda d: d["results"][0].update(status={"a": 1}),
        "name-int": lambda d: d["results"][0].update(name=5),
        "summary-list": lambda d: d.update(summary=[]),
        "tests-ints": lambda d: d["findings"][0].update(tests=[1]),
        "count-bool": lambda d: d["findings"][0].update(count=True),
    }
    for name, change in variants.items():
        bad = json.loads(json.dumps(data))
        change(bad)
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(bad))
        assert name.split("-")[0] in user_error(harness("compare", str(good), str(path))), name
    raw = good.read_bytes()
    (tmp_path / "latin1.json").write_bytes(raw[:50] + b"\xff\xfe" + raw[50:])
    assert "UTF-8" in user_error(harness("compare", str(good), str(tmp_path / "latin1.json")))


def test_compare_a_report_with_itself_finds_no_differences(tmp_path):
    for log, strace in (("lead-strace-inject-9p-local-tmpfile.log",
                         "lead-strace-inject-9p-local-tmpfile.strace"),
                        ("host-strace-inject-ftruncate-enoent.log", None)):
        report = tmp_path / f"{log}.json"
        args = ["triage", str(LOGS / log), "--fs", "9p", "--json", str(report)]
        if strace:
            args += ["--strace", str(LOGS / strace)]
        assert harness(*args).returncode in (0, 1)
        out = harness("compare", str(report), str(report))
        assert out.returncode == 0, out.stderr
        text = out.stdout.decode()
        assert text.startswith("No differences:"), text[:300]
        assert "environment-only" not in text and "regressed" not in text


def test_the_same_log_twice_is_read_once(tmp_path):
    import json

    (tmp_path / "x.log").write_bytes(LOG.read_bytes())
    out = harness("triage", "x.log", "./x.log", "--json", "-", cwd=tmp_path)
    report = json.loads(out.stdout)
    assert report["summary"]["total"] == 50
    assert any("read once" in n for n in report["environment"]["notes"])


def test_negative_test_number_is_reported(tmp_path):
    import json

    log = tmp_path / "neg.log"
    log.write_text("TAP version 13\n1..2\nok 1 a\nnot ok -5 b\n")
    out = harness("triage", str(log), "--suite", "cow", "--json", "-")
    assert out.returncode == 1
    results = json.loads(out.stdout)["results"]
    assert (-5, "fail") in [(r["number"], r["status"]) for r in results]


def test_cut_off_after_run_does_not_depend_on_the_file_name(tmp_path):
    text = "TAP version 13\n1..3\n# [RUN] test a\nok 1 test a\n# [RUN] test b\n"
    answers = set()
    for name in ("cut.log", "cow-cut.log", "gup_longterm-cut.log"):
        (tmp_path / name).write_text(text)
        out = harness("triage", str(tmp_path / name))
        answers.add((out.returncode, out.stdout.decode().splitlines()[0].split(" - ")[0]))
    assert len(answers) == 1, answers
