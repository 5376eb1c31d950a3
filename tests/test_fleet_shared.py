"""A fleet worker reads many logs in one process and shares what one log taught it with the
next (the kinds of record, the triaged outcomes): each log must still come out exactly as
it does read alone, and the worker's memory must not grow with the number of logs."""

from __future__ import annotations

import dataclasses
import gc
import sys
import tracemalloc
from pathlib import Path

from harness.model import Environment
from harness.readers.ktap import SharedKinds
from harness.triage.rules import load_rules
from harness.triage.stream import Declined, LogPass, read_log
from harness.triage.templates import _scope

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
from cowlog import generate
from test_stream import wrapped

REAL = sorted((ROOT / "tests/fixtures/logs").glob("*.log"))


def _logs(tmp_path: Path) -> list[Path]:
    """Real captures, the same under one and two levels of runners, generated cow logs of
    each scenario (plain and under runners), and a log with cow twice (a second suite)."""
    out = list(REAL)
    for log in REAL[:6] + [ROOT / "tests/fixtures/logs/qemu-x86_64-9p-cow.log"]:
        binary = "cow" if "cow" in log.name else "gup_longterm"
        for levels in (1, 2):
            path = tmp_path / f"w{levels}-{log.name}"
            path.write_text(wrapped(log.read_text(errors="replace"), levels, binary))
            out.append(path)
    for i, (scenario, runner) in enumerate([("9p", 0), ("nfs", 0), ("leak", 0), (None, 0),
                                            ("9p", 1), (None, 2), ("clean", 1)]):
        path = tmp_path / f"gen{i}.log"
        generate(path, 1200, seed=i, scenario=scenario, runner=runner)
        out.append(path)
    twice = tmp_path / "twice.log"
    one = (tmp_path / "gen0.log").read_text()
    twice.write_text(one + "\n" + one)
    # cow's first 50 cases (each kind once: the suite's name is guessed from first records
    # alone), then the same again from 1 (a second run), a number seen again (a duplicate),
    # a log ending on a record
    generate(tmp_path / "cycle.log", 700, seed=3, scenario="9p")
    lines = (tmp_path / "cycle.log").read_text().splitlines(keepends=True)
    head = [line.replace("1..700", "1..50") for line in lines[:4]]
    body = lines[4:lines.index(next(x for x in lines if x.startswith("ok 50 "))) + 1]
    texts = {"unique.log": head + body, "rerun.log": head + body + body,
             "duplicate.log": head + body + ["# [RUN] again\n", "ok 3 again\n"],
             "ends.log": head + body[:-1] + [body[-1].rstrip("\n")]}
    for name, text in texts.items():
        (tmp_path / name).write_text("".join(text))
        out.append(tmp_path / name)
    return out


def _facts(path: Path, shared: SharedKinds | None) -> object:
    """Everything pass 1 gives pass 2: the records, the suites, the cross-check index, the
    parser's other findings; or why the log was declined."""
    try:
        log: LogPass = read_log(str(path), "", None, shared=shared)
    except Declined as exc:
        return str(exc)
    try:
        stream, parser = log.stream, log.parser
        records = [stream.full(r) for r in stream.spill]
        index = log.index()
        env, rules = Environment(fs="9p"), load_rules()
        assert log.scope(env, rules) == _scope(env, rules, index)  # what outcomes share
        return (records, [dataclasses.astuple(s) for s in log.parsed.suites],
                sorted(map(repr, index.by_case.items())), repr(index.passed),
                sorted(index.truncated_suites), stream.per_suite, stream.cases, stream.passed,
                parser.banner, parser.kernel_lines, parser.crashes, parser.runner_lines,
                parser.bare_binaries, parser.emitted, log.parsed.last_line)
    finally:
        log.close()


def test_a_log_read_after_others_in_one_worker_is_read_as_it_is_alone(tmp_path):
    logs = _logs(tmp_path)
    alone = {path: _facts(path, None) for path in logs}
    shared = SharedKinds()
    for path in logs + logs[::-1]:  # every log after every other, once before and once after
        assert _facts(path, shared) == alone[path], path.name
    assert len(shared.kinds) > 800  # cow's and gup_longterm's kinds, at up to three depths


def test_a_worker_holds_no_more_for_300_logs_than_for_30(tmp_path):
    """Shared kinds and outcomes are per kind of record, not per log: tracemalloc's view of
    what a worker keeps after 30 and after 300 small logs (verdicts aside) is the same."""
    from harness.triage import fleet, templates
    from harness.triage.fleet import Job, judge_one, meta_from_path

    names = []
    for i, scenario in enumerate(("9p", "nfs", "clean", "leak", None)):
        path = tmp_path / f"m{i}_6.12.11{i}_{'9p' if i % 2 else 'xfs'}_2026-12-0{i + 1}.log"
        generate(path, 100, seed=i, scenario=scenario)
        names.append(path)
    work = tmp_path / "work"
    work.mkdir()
    fleet._KINDS.kinds.clear()
    templates._SHARED.clear()

    def kept(logs: int) -> int:
        for i in range(logs):
            judge_one(Job(meta_from_path(str(names[i % len(names)])), i, None, None, None,
                          str(work), True, True))
            for part in work.iterdir():
                part.unlink()
        gc.collect()  # a log's parser and sinks refer to each other: garbage, not kept
        return tracemalloc.get_traced_memory()[0]

    tracemalloc.start()
    try:
        kept(10)  # every kind and outcome learnt
        base = tracemalloc.get_traced_memory()[0]
        thirty = kept(30) - base
        three_hundred = kept(300) - base
    finally:
        tracemalloc.stop()
    assert three_hundred < thirty + 256 * 1024, (thirty, three_hundred)


def test_sigterm_or_ctrl_c_ends_the_workers_quietly_and_leaves_nothing(tmp_path):
    """The parent ends its pool on SIGTERM and Ctrl-C: one line on stderr, no worker left,
    no output file, no part files."""
    import signal
    import subprocess
    import time

    import psutil

    logs = tmp_path / "ci"
    logs.mkdir()
    for i in range(60):
        generate(logs / f"m{i % 3}_6.12.11{i % 2}_9p_2026-12-0{1 + i % 9}_{i:03d}.log", 1000,
                 seed=i, scenario="9p")
    for sig, said in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "Ctrl-C")):
        work = tmp_path / f"tmp-{said}"
        work.mkdir()
        out = tmp_path / "f.json"
        proc = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "triage", str(logs), "--jobs", "2", "--json",
             str(out)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**__import__("os").environ, "TMPDIR": str(work)})
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 60
        while len(parent.children()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = parent.children()
        assert len(workers) == 2
        time.sleep(0.5)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (130, 143), err
        assert err.strip() == f"harness: interrupted by {said}", err
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive
        assert not out.exists() and not list(work.iterdir())
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".f.json")]
