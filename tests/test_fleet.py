"""`harness triage DIR`: many logs, each its own run, causes counted across them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.cli.main import main
from harness.readers.report_json import load_json
from harness.triage.fleet import meta_from_path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from cowlog import generate

LOGS = {  # name -> (scenario, seed)
    "juno-r2_6.12.117_9p_2026-12-01.log": ("9p", 1),
    "juno-r2_6.12.117_9p_2026-12-02.log": ("9p", 2),
    "fvp-base_6.13-rc2_nfs_2026-12-01.log": ("nfs", 3),
    "rpi4_6.12.117_xfs_2026-12-03.log": ("clean", 4),
    "x86-ci1_6.13-rc2_ext4_2026-12-02.log": ("leak", 5),
}


def _fleet(tmp_path: Path) -> tuple[Path, dict[str, dict]]:
    logs = tmp_path / "ci"
    logs.mkdir()
    expected = {}
    for name, (scenario, seed) in LOGS.items():
        expected[name] = generate(logs / name, 800, seed=seed, scenario=scenario)
    # A real capture under the kselftest runner (streamed since the runner's nesting is).
    shutil.copy(ROOT / "tests/fixtures/logs/host-runner-tmpfs.log",
                logs / "hostbox_6.18.0_tmpfs_2026-12-04.log")
    return logs, expected


def _run(args: list[str], capsys) -> tuple[int, str]:
    code = main(["triage", *args])
    return code, capsys.readouterr().out


def test_names_give_machine_kernel_fs_and_date():
    meta = meta_from_path("ci/juno-r2_6.12.117+deb12_9p_2026-12-01T03:00_cow.log", "ci")
    assert (meta.machine, meta.kernel, meta.fs, meta.date) == (
        "juno-r2", "6.12.117+deb12", "9p", "2026-12-01T03:00")
    meta = meta_from_path("lab/fvp/v6.13-rc1/nfs/20261201.log", "lab")
    assert (meta.machine, meta.kernel, meta.fs, meta.date) == ("fvp", "v6.13-rc1", "nfs",
                                                              "20261201")


def test_a_directory_of_logs_gives_verdicts_per_log_and_causes_across_logs(tmp_path, capsys):
    logs, expected = _fleet(tmp_path)
    code, out = _run([str(logs), "--jobs", "2", "--json", str(tmp_path / "f.json"),
                      "--junit", str(tmp_path / "f.xml")], capsys)
    data = load_json((tmp_path / "f.json").read_text())
    assert code == 1  # the leak log points at the kernel
    per_log = {Path(v["log"]).name: v for v in data["logs"]}
    assert len(per_log) == 6
    for name, counts in expected.items():
        assert per_log[name]["by_status"] == dict(sorted(counts.items()))
        assert per_log[name]["streamed"] is True
    runner = per_log["hostbox_6.18.0_tmpfs_2026-12-04.log"]
    assert runner["streamed"] is True and runner["total"] == 828
    # a COW leak on anonymous memory: a failed behaviour check, the kernel's
    assert per_log["x86-ci1_6.13-rc2_ext4_2026-12-02.log"]["verdict"] == "kernel-bug"
    assert data["summary"]["total"] == len(data["results"]) == sum(
        v["total"] for v in per_log.values())
    causes = {f["cause"]: f for f in data["findings"]}
    nine_p = causes["9p-unlinked-file"]
    assert nine_p["logs"] == 2 and nine_p["machines"] == {"juno-r2": 2}
    assert nine_p["filesystems"] == {"9p": 2} and nine_p["kernels"] == {"6.12.117": 2}
    assert (nine_p["first_seen"], nine_p["last_seen"]) == ("2026-12-01", "2026-12-02")
    assert nine_p["count"] == sum(per_log[n]["causes"]["9p-unlinked-file"]
                                  for n in per_log if "9p-unlinked-file" in per_log[n]["causes"])
    for f in data["findings"]:
        assert len(f["tests"]) == f["count"]
        assert all(t.startswith("[") for t in f["tests"])
    assert causes["kernel-behaviour-fail"]["machines"] == {"x86-ci1": 1}
    root = ET.parse(tmp_path / "f.xml").getroot()
    assert int(root.get("tests")) == data["summary"]["total"] == len(root.findall(".//testcase"))
    assert "fleet verdict: kernel-bug - 1 of 6 logs point at the kernel" in out
    assert len(out.splitlines()) < 40


def test_one_job_and_two_give_the_same_report(tmp_path, capsys):
    logs, _ = _fleet(tmp_path)
    for jobs in ("1", "2"):
        _run([str(logs), "--jobs", jobs, "--json", str(tmp_path / f"{jobs}.json")], capsys)
    one = json.loads((tmp_path / "1.json").read_text())
    two = json.loads((tmp_path / "2.json").read_text())
    assert one == two


def test_a_manifest_names_what_the_paths_do_not(tmp_path, capsys):
    logs, _ = _fleet(tmp_path)
    (logs / "run-a.log").write_bytes((logs / "juno-r2_6.12.117_9p_2026-12-01.log").read_bytes())
    manifest = tmp_path / "m.csv"
    manifest.write_text("log,machine,kernel,fs,date\nci/run-a.log,board7,6.12.118,9p,"
                        "2026-11-30\n")
    code, out = _run(["--manifest", str(manifest), "--json", str(tmp_path / "m.json")], capsys)
    (log,) = json.loads((tmp_path / "m.json").read_text())["logs"]
    assert (log["machine"], log["kernel"], log["fs"], log["date"]) == (
        "board7", "6.12.118", "9p", "2026-11-30")
    assert code == 0 and "0 of 1" not in out


def test_bad_fleet_input_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["triage", str(tmp_path / "empty"), "--json", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert "no log files" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.json").exists()
    bad = tmp_path / "m.csv"
    bad.write_text("path,fs\nx.log,9p\n")
    assert main(["triage", "--manifest", str(bad)]) == 2
    assert "'log' column" in capsys.readouterr().err


def test_runner_logs_stream_declined_ones_are_read_whole_and_workers_leave_quietly(tmp_path):
    """CI logs under run_kselftest.sh (and run_vmtests.sh -t under it) are streamed; a log
    with strace lines is judged in memory; two workers, and nothing on stderr."""
    logs = tmp_path / "ci"
    logs.mkdir()
    counts = {}
    for runner in (1, 2):
        name = f"lkft-{runner}_6.12.118_9p_2026-12-0{runner}.log"
        counts[name] = generate(logs / name, 900, seed=runner, scenario="9p", runner=runner)
    strace = "hostbox_6.18.0_tmpfs_2026-12-04.log"
    shutil.copy(ROOT / "tests/fixtures/logs/host-strace-combined-gup_longterm.log", logs / strace)
    out = subprocess.run([sys.executable, "-m", "harness.cli", "triage", str(logs), "--jobs", "2",
                          "--json", str(tmp_path / "f.json")], capture_output=True, text=True,
                         timeout=600, cwd=ROOT, check=False)
    # (9p's generated failures are the environment's; the strace log's skips are gup_test's
    # and hugetlb's: nothing points at the kernel)
    assert out.stderr == "" and out.returncode == 0, out.stderr
    per_log = {Path(v["log"]).name: v for v in
               load_json((tmp_path / "f.json").read_text())["logs"]}
    for name, expected in counts.items():
        assert per_log[name]["streamed"] is True
        assert per_log[name]["by_status"] == dict(sorted(expected.items()))
    # strace and the program shared a terminal: each result line sits behind strace's
    # 'write(1, "ok 1 # SKIP gup_test not availab"..., 35' (cut at 32 characters) and its
    # ') = 35' comes on the next line; the program's own text is read, not taken for a line
    # a mail client broke (that made 50 tests "planned but not run" and a kernel crash)
    assert per_log[strace]["streamed"] is False
    assert per_log[strace]["by_status"] == {"pass": 6, "skip": 44}
    assert set(per_log[strace]["causes"]) >= {"gup-test-missing", "hugetlb-not-reserved"}
