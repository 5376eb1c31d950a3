"""`harness merge`: per-cell reports run anywhere give the matrix `harness matrix` gives.

The cells are real sim guest runs (the static selftests on this host's kernel under the 9p
and XFS fault models; about a second each)."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.readers.report_json import load_json, report_from_json
from harness.report.json import render_json
from harness.report.junit import render_junit
from harness.report.kcidb import render_kcidb
from harness.report.mail import render_mail
from harness.report.terminal import render_terminal

LOGS = Path(__file__).parent / "fixtures" / "logs"
OUTPUTS = ("--json", "r.json", "--junit", "r.xml", "--mail", "r.txt", "--kcidb", "r.kcidb")
pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("unshare", "nsenter")),
                                reason="the sim guest needs unshare and nsenter (util-linux)")


def harness(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[1]
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True,
                          text=True, timeout=300, check=False, cwd=cwd,
                          env={**__import__("os").environ, "PYTHONPATH": str(root)})


def outputs(directory: Path) -> list[str]:
    directory.mkdir()
    return [str(directory / a) if a.startswith("r.") else a for a in OUTPUTS]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, request):
    from guests.assets.selftests import find_selftests

    if find_selftests("x86_64") is None:
        pytest.skip("selftests not in the cache: run harness setup")
    base = tmp_path_factory.mktemp("matrix")
    out = harness("matrix", "--guest", "sim", "--fs", "9p,xfs", "--tests", "gup_longterm",
                  "--out", str(base / "cells"), *outputs(base / "m"))
    assert out.returncode == 0, out.stderr
    return base, out.stdout


def test_json_round_trip_keeps_what_every_writer_says():
    """A report read back from its JSON renders the same in every format."""
    from harness.model import Environment
    from harness.readers.ingest import parse_file
    from harness.triage.engine import triage

    for name in ("lead-strace-inject-9p-local-tmpfile", "qemu-x86_64-console-panic",
                 "qemu-x86_64-xfs-gup_longterm", "qemu-x86_64-9p-cow"):
        log = LOGS / f"{name}.log"
        strace = LOGS / f"{name}.strace"
        report = triage([parse_file(str(log), None)], Environment(fs="9p"),
                        [parse_file(str(strace), None)] if strace.exists() else [])
        back = report_from_json(load_json(render_json(report)))
        for render in (render_json, render_junit, render_mail, render_terminal, render_kcidb):
            assert render(back) == render(report), (name, render.__name__)


def test_merge_of_the_matrix_cells_is_the_matrix(matrix):
    base, stdout = matrix
    cells = sorted((base / "cells").glob("*.json"))
    assert [c.name for c in cells] == ["9p.json", "xfs.json"]
    out = harness("merge", *map(str, cells), *outputs(base / "g"))
    assert out.returncode == 0, out.stderr
    assert out.stdout == stdout
    assert "9p   xfs" in stdout and "fail    ok" in stdout
    for name in ("r.json", "r.xml", "r.txt", "r.kcidb"):
        assert filecmp.cmp(base / "m" / name, base / "g" / name, shallow=False), name


def _masked(path: Path) -> str:
    """What differs between two real runs of the same cell: pids and mkstemp names."""
    text = re.sub(r"(?<![0-9])\d{2,7} (ftruncate|fstatfs|fallocate)", r"PID \1", path.read_text())
    return re.sub(r"_tmpfile_[A-Za-z0-9]{6}", "_tmpfile_XXXXXX", text)


def test_cells_run_separately_merge_to_the_matrix(matrix):
    base, stdout = matrix
    single = []
    for fs in ("9p", "xfs"):  # same --out as the matrix's cell, so evidence paths agree
        report = base / f"single-{fs}.json"
        out = harness("run", "--guest", "sim", "--fs", fs, "--tests", "gup_longterm",
                      "--out", str(base / "cells" / fs), "--json", str(report))
        assert out.returncode == 0, out.stderr
        single.append(str(report))
    out = harness("merge", *single, *outputs(base / "s"))
    assert out.returncode == 0, out.stderr
    assert out.stdout == stdout
    for name in ("r.json", "r.xml", "r.txt", "r.kcidb"):
        assert _masked(base / "m" / name) == _masked(base / "s" / name), name


def test_two_kernels_are_compared(matrix, tmp_path):
    """Cells of two kernel releases: A/B columns and the comparison, as matrix --kernel A B."""
    base, _ = matrix
    cells = []
    for fs in ("9p", "xfs"):
        data = json.loads((base / "cells" / f"{fs}.json").read_text())
        for r in data["results"]:
            r["run"] = None  # as `harness run --json` writes it
        cells.append(data)
        other = json.loads(json.dumps(data))
        other["environment"]["kernel_release"] = "6.1.0-99-amd64"  # a second kernel's cell
        cells.append(other)
    paths = []
    for i, data in enumerate(cells):
        path = tmp_path / f"cell{i}.json"
        path.write_text(json.dumps(data))
        paths.append(str(path))
    out = harness("merge", *paths, "--json", str(tmp_path / "ab.json"))
    assert out.returncode == 0, out.stderr + out.stdout
    head = next(line for line in out.stdout.splitlines() if "A:9p" in line)
    assert head.split() == ["A:9p", "A:xfs", "B:9p", "B:xfs"]
    assert "kernel A" in out.stdout and "kernel B" in out.stdout
    runs = json.loads((tmp_path / "ab.json").read_text())["summary"]["runs"]
    assert runs[0].startswith("A-") and runs[2] == "B-6.1.0-99-amd64/9p"


def test_bad_inputs_are_one_line_and_write_nothing(matrix, tmp_path):
    base, _ = matrix
    cell = str(base / "cells" / "9p.json")
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    out_file = tmp_path / "out.json"
    for args in ((cell, cell), (str(junk),), (str(tmp_path / "missing.json"),),
                 (str(LOGS / "host-tmpfs-gup_longterm.log"),)):
        out = harness("merge", *args, "--json", str(out_file))
        assert out.returncode == 2, args
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
        assert not out_file.exists()
    assert "both cell '9p'" in harness("merge", cell, cell).stderr
