"""Streaming triage: the same report as the in-memory triage, in memory that stays flat."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.readers import blockscan
from harness.readers.report_json import load_json

ROOT = Path(__file__).resolve().parent.parent
LOGS = sorted((ROOT / "tests/fixtures/logs").glob("*.log"))
sys.path.insert(0, str(ROOT / "bench"))
from cowlog import generate

# Fixtures the streaming path hands back to the in-memory triage, and why.
DECLINED = {
    "host-strace-combined-gup_longterm.log": "strace lines",
    "qemu-x86_64-console-panic.log": "no selftest results",
}


def _triage(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["triage", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _tree(path: Path, lean: bool = False) -> tuple:
    """The XML as nested tuples; ``lean``: without the test cases' properties and system-out
    (what the streamed JUnit leaves out)."""
    def canon(e: ET.Element) -> tuple:
        kids = [c for c in e if not (lean and e.tag == "testcase"
                                     and c.tag in ("properties", "system-out"))]
        return (e.tag, sorted(e.attrib.items()), (e.text or "").strip(), [canon(c) for c in kids])
    return canon(ET.parse(path).getroot())


def _verdict_line(out: str) -> str:
    return out.splitlines()[0].split(" | ")[0]


def _same_report(log: Path, tmp_path: Path, capsys, fs: list[str]) -> tuple[dict, str]:
    """Triage ``log`` in memory and with --stream; assert the same report (results, findings,
    suites, summary, verdict, sources, JUnit); returns the streamed JSON as written and stderr."""
    code, out, _ = _triage([str(log), *fs, "--json", str(tmp_path / "a.json"),
                            "--junit", str(tmp_path / "a.xml")], capsys)
    scode, sout, err = _triage([str(log), *fs, "--stream", "--json", str(tmp_path / "b.json"),
                                "--junit", str(tmp_path / "b.xml")], capsys)
    assert code == scode
    # the terminal's verdict sentence: an unknown is "unexplained", not "points at the kernel"
    assert _verdict_line(sout) == _verdict_line(out)
    a = json.loads((tmp_path / "a.json").read_text())
    raw = json.loads((tmp_path / "b.json").read_text())
    streamed = raw["schema"] == "harness.triage/2"
    b = load_json((tmp_path / "b.json").read_text())  # /2 given back in the /1 form
    for key in ("results", "findings", "suites", "summary", "verdict", "sources"):
        assert a[key] == b[key], key
    assert _tree(tmp_path / "a.xml", lean=streamed) == _tree(tmp_path / "b.xml")
    return raw, err


@pytest.mark.parametrize("log", LOGS, ids=lambda p: p.name)
def test_streaming_gives_the_in_memory_report_on_every_real_log(log, tmp_path, capsys):
    fs = ["--fs", "9p"] if "9p" in log.name else []
    raw, err = _same_report(log, tmp_path, capsys, fs)
    streamed = log.name not in DECLINED
    assert raw["schema"] == ("harness.triage/2" if streamed else "harness.triage/1")
    if not streamed:
        assert "streaming not possible" in err and DECLINED[log.name] in err
    else:
        assert err == ""


PRINTK = re.compile(r"^(?:\[\s*\d+\.\d+\]|<\d>)")


def wrapped(text: str, levels: int, binary: str) -> str:
    """A capture as CI shows it: under the kselftest runner (run_kselftest.sh: '# '-prefixed
    between 'selftests: mm: X' and the runner's 'ok 1 selftests: mm: X'), and with
    ``levels`` 2 under run_vmtests.sh -t inside that ('# # '-prefixed, its '# ok 1 X' and
    SUMMARY). Printk lines stay as they are (the kernel writes them to the console)."""
    prefix = "# " * levels
    body = [line if PRINTK.match(line) else prefix + line for line in text.splitlines()]
    outer = "run_vmtests.sh" if levels == 2 else binary
    head = ["TAP version 13", "1..1", "# timeout set to 180", f"# selftests: mm: {outer}"]
    tail = []
    if levels == 2:
        head += ["# TAP version 13", "# # ---------", f"# # running ./{binary}", "# # ---------"]
        tail += ["# # [PASS]", f"# ok 1 {binary}", "# # SUMMARY: PASS=1 SKIP=0 FAIL=0",
                 "# 1..1"]
    tail.append(f"ok 1 selftests: mm: {outer}")
    return "\n".join(head + body + tail) + "\n"


@pytest.mark.parametrize("levels", [1, 2])
@pytest.mark.parametrize("log", [p for p in LOGS if p.name not in DECLINED
                                 and "runner" not in p.name], ids=lambda p: p.name)
def test_streaming_a_runner_wrapped_real_log_gives_the_in_memory_report(log, levels,
                                                                        tmp_path, capsys,
                                                                        monkeypatch):
    """Every real capture as LKFT/KernelCI logs show it (run_kselftest.sh, and run_vmtests.sh
    under it): streamed with its blocks scanned by a second process, and the same report as
    the in-memory triage."""
    from harness.triage import stream
    monkeypatch.setattr(stream, "AHEAD_BYTES", 0)  # scanned by a second process
    binary = "cow" if "cow" in log.name else "gup_longterm"
    path = tmp_path / log.name
    path.write_text(wrapped(log.read_text(errors="replace"), levels, binary))
    fs = ["--fs", "9p"] if "9p" in log.name else []
    raw, err = _same_report(path, tmp_path, capsys, fs)
    assert (raw["schema"], err) == ("harness.triage/2", "")


@pytest.mark.parametrize(("scenario", "fork", "runner"), [
    ("9p", False, 0), ("nfs", False, 0), ("leak", False, 0), (None, False, 0), ("9p", True, 0),
    ("leak", True, 0), ("9p", False, 1), (None, True, 1), ("leak", False, 2), (None, True, 2)])
def test_streaming_a_generated_log_gives_the_in_memory_report(scenario, fork, runner, tmp_path,
                                                              capsys, monkeypatch):
    """Thousands of repeats of cow's cases (read in bulk as rows) against the line-by-line
    in-memory triage of the same log; ``fork``: the JUnit written by a second process, as
    for a big log on a machine with two cores; ``runner``: cow under the kselftest runner
    (1), and under run_vmtests.sh -t under the runner (2)."""
    from harness.triage import stream
    monkeypatch.setattr(stream, "FORK_ROWS", 0 if fork else 10**9)
    monkeypatch.setattr(stream, "AHEAD_BYTES", 0 if fork else 10**12)  # blocks scanned ahead
    # ... and their record keys numbered afresh every 100 (cow has ~800)
    monkeypatch.setattr(blockscan, "MAX_KEYS", 100 if fork else 20_000)
    log = tmp_path / "cow-9p.log"
    generate(log, 3000, seed=5, scenario=scenario, runner=runner)
    raw, err = _same_report(log, tmp_path, capsys, ["--fs", "9p"])
    assert (raw["schema"], err) == ("harness.triage/2", "")
    # most results are rows of three numbers: the table holds what they share
    assert sum(len(r) == 3 for r in raw["results"]) > 2000


def _vmtests(binaries: list[tuple[str, str, str]]) -> str:
    """run_vmtests.sh's own layout (no -t): each binary between dashed 'running ./X' lines,
    its output, then [PASS]/[SKIP]/[FAIL]; SUMMARY at the end."""
    out = []
    for name, text, verdict in binaries:
        out += ["-" * 20, f"running ./{name}", "-" * 20, text.rstrip("\n"), f"[{verdict}]"]
    passed = sum(v == "PASS" for _, _, v in binaries)
    failed = sum(v == "FAIL" for _, _, v in binaries)
    out.append(f"SUMMARY: PASS={passed} SKIP=0 FAIL={failed}")
    return "\n".join(out) + "\n"


def _capture(name: str) -> str:
    text = (ROOT / "tests/fixtures/logs" / name).read_text()
    return "\n".join(line for line in text.splitlines() if not line.startswith("# fixture:"))


def test_run_vmtests_layout_streams_unless_a_binary_printed_no_results(tmp_path, capsys):
    """run_vmtests.sh's [PASS]/[FAIL] layout: streamed when every binary printed its TAP; a
    binary that could not start becomes a whole-binary result in memory, so that log is read
    whole (and says why)."""
    tap = [("gup_longterm", _capture("host-tmpfs-gup_longterm.log"), "PASS"),
           ("cow", _capture("host-tmpfs-cow.log"), "PASS")]
    log = tmp_path / "vmtests.log"
    log.write_text(_vmtests(tap))
    raw, err = _same_report(log, tmp_path, capsys, [])
    assert (raw["schema"], err) == ("harness.triage/2", "")
    broken = ("uffd-stress", ("./uffd-stress: error while loading shared libraries: "
                              "libfoo.so.1: cannot open shared object file"), "FAIL")
    log.write_text(_vmtests([tap[0], broken, tap[1]]))
    raw, err = _same_report(log, tmp_path, capsys, [])
    assert raw["schema"] == "harness.triage/1"
    assert "streaming not possible" in err and "printed no results of its own" in err
    assert any(r["name"] == "uffd-stress (whole binary)" for r in raw["results"])


def test_counts_are_exact_on_a_generated_cow_log(tmp_path, capsys):
    log = tmp_path / "cow-9p.log"
    expected = generate(log, 12_000, seed=7)
    code, out, _ = _triage([str(log), "--stream", "--fs", "9p", "--json",
                            str(tmp_path / "r.json"), "--junit", str(tmp_path / "r.xml")],
                           capsys)
    data = load_json((tmp_path / "r.json").read_text())
    assert data["summary"]["total"] == 12_000 == len(data["results"])
    assert data["summary"]["by_status"] == dict(sorted(expected.items()))
    assert [r["number"] for r in data["results"]] == list(range(1, 12_001))
    assert sum(f["count"] for f in data["findings"]) == sum(
        1 for r in data["results"] if r["category"] is not None)
    for f in data["findings"]:
        assert len(f["tests"]) == f["count"]
    root = ET.parse(tmp_path / "r.xml").getroot()
    assert int(root.get("tests")) == 12_000 == len(root.findall(".//testcase"))
    assert int(root.get("skipped")) == len(root.findall(".//skipped"))
    # The terminal stays a screenful however many results there are.
    assert len(out.splitlines()) < 30 and "12000 results" in out
    assert code == (1 if any(f["category"] in ("kernel-bug", "unknown")
                             for f in data["findings"]) else 0)


MEASURE = """
import sys, tracemalloc
from harness.model import Environment
from harness.triage.rules import load_rules
from harness.triage.stream import read_log, triage_log
rules = load_rules()
tracemalloc.start()
log = read_log(sys.argv[1])
report = triage_log(log, Environment(fs="9p"), rules, sys.argv[2], sys.argv[3])
log.close()
print(report.summary.total, tracemalloc.get_traced_memory()[1])
"""


def test_memory_does_not_grow_with_the_results(tmp_path):
    """10x the results of the same shape: the peak stays (it is per distinct test and finding)."""
    peaks = {}
    for n in (5_000, 50_000):
        log = tmp_path / f"{n}.log"
        generate(log, n, seed=3)
        out = subprocess.run([sys.executable, "-c", MEASURE, str(log), str(tmp_path / "r.json"),
                              str(tmp_path / "r.xml")], capture_output=True, text=True,
                             check=True, timeout=600, cwd=ROOT)
        total, peak = map(int, out.stdout.split())
        assert total == n
        peaks[n] = peak
    assert peaks[50_000] < peaks[5_000] * 1.2, peaks


def _odd_records(path: Path, cycles: int) -> None:
    """Records the bulk reader must not take as its common shape (each kind repeated): a
    diagnostic that is TAP structure or [INFO], a stray space, '- desc', too many
    diagnostics, a number with a leading zero, a Totals-like line, spaces, tabs or a CR
    before or after lines, a kernel message inside that may be a crash; and two it reads in
    bulk, kernel messages inside a record (after its [RUN] line and between diagnostics)."""
    shapes = [
        ("# [RUN] plain case ... with base page", [], "ok {n} No leak"),
        ("# [RUN] info case ... with base page", ["# [INFO] detected"], "ok {n} # SKIP x"),
        ("# [RUN] spaced case ... with tmpfile ", [], "not ok {n} ftruncate() failed"),
        ("# [RUN] dash case ... with memfd", [], "ok {n} - dash"),
        ("# [RUN] many ... with memfd", [f"# d{i}" for i in range(17)], "not ok {n} many"),
        ("# [RUN] printk ... with memfd", ["[    1.000000] virtio noise"], "ok {n} p"),
        ("# [RUN] printk2 ... with memfd", ["# a", "[    1.5] eth0 up", "# b", "[ 2.0] x"],
         "not ok {n} p2"),
        ("# [RUN] fault ... with memfd", ["[    3.000000] page fault noted"], "ok {n} f"),
        ("# [RUN] zero ... with base page", [], "ok 0{n} zero"),
        ("# [RUN] totals-like ... with base page", ["# Totals: pass:1"], "ok {n} t"),
        # whitespace around lines: what the in-memory reader strips, the streamed one too
        ("# [RUN] trailing ... with base page", ["# diag "], "ok {n} No leak "),
        ("# [RUN] crlf ... with base page\r", ["# why\r"], "not ok {n} failed\r"),
        (" # [RUN] indented ... with memfd", ["\t# diag"], "  ok {n} indented\t"),
    ]
    with path.open("w") as f:
        f.write(f"TAP version 13\n1..{cycles * len(shapes)}\n")
        n = 0
        for _ in range(cycles):
            for run, diags, result in shapes:
                n += 1
                f.write("\n".join([run, *diags, result.format(n=n)]) + "\n")


def test_odd_records_are_read_line_by_line_and_judged_the_same(tmp_path, capsys):
    log = tmp_path / "cow-odd.log"
    _odd_records(log, 40)
    code, _, _ = _triage([str(log), "--json", str(tmp_path / "a.json"),
                          "--junit", str(tmp_path / "a.xml")], capsys)
    scode, _, err = _triage([str(log), "--stream", "--json", str(tmp_path / "b.json"),
                             "--junit", str(tmp_path / "b.xml")], capsys)
    assert code == scode
    a = json.loads((tmp_path / "a.json").read_text())
    raw = json.loads((tmp_path / "b.json").read_text())
    assert raw["schema"] == "harness.triage/2" and err == ""
    b = load_json((tmp_path / "b.json").read_text())
    for key in ("results", "findings", "suites", "summary", "verdict", "sources"):
        assert a[key] == b[key], key
    assert _tree(tmp_path / "a.xml", lean=True) == _tree(tmp_path / "b.xml")
    # only the plain case is read in bulk, the CRLF one (the block reader reads lines as the
    # in-memory one does, without their CR) and the two with plain kernel messages inside
    assert 4 * 38 <= sum(len(r) == 3 for r in raw["results"]) <= 4 * 40


def test_the_machine_comes_from_what_pass_1_read_not_from_the_file_again(tmp_path):
    """The log's head (where a CI header or `uname -a` names the machine) is kept by pass 1's
    reader: pass 2 does not open the log a second time, so a log rotated or replaced in
    between still names its own machine, and is read once."""
    from harness.model import Environment
    from harness.triage.rules import load_rules
    from harness.triage.stream import read_log, triage_log

    log = tmp_path / "cow.log"
    body = tmp_path / "body.log"
    generate(body, 2_000, seed=3, scenario="clean")
    uname = "Linux ci-board 6.12.0 #1 SMP PREEMPT aarch64 GNU/Linux\n"
    log.write_text("$ uname -a\n" + uname + body.read_text())
    passed = read_log(str(log), "cow")
    try:
        log.write_text("rotated\n")  # what pass 2 would read if it opened the file again
        env = Environment(fs="xfs")
        triage_log(passed, env, tuple(load_rules()))
    finally:
        passed.close()
    assert env.arch == "arm64"
