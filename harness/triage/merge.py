"""Per-cell reports made anywhere (local runs, CI matrix jobs, LAVA jobs) as one matrix.

A cell is one run of the selftests: one filesystem, one kernel. Its results carry a run id
(``9p``, or ``A-<kernel>/9p`` when two kernels are compared). Reports written by
``harness run --json`` have none; their id comes from the cell the run was asked for (the
environment's ``facts.cell``), else the filesystem, else the file name. When the cells carry
two kernels (two kernel releases), their ids get the kernel labels ``A-<release>`` and
``B-<release>`` in the order the kernels first appear, as ``harness matrix --kernel A --kernel
B`` labels them, so the same comparison follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.errors import UsageError
from harness.model import Report, RunId


@dataclass
class Cell:
    report: Report
    source: str  # the file it came from, for messages

    @property
    def run_ids(self) -> list[RunId]:
        return list(dict.fromkeys(r.run_id for r in self.report.results if r.run_id))


def _own_id(cell: Cell) -> str:
    env = cell.report.environment
    return env.facts.get("cell") or env.fs or Path(cell.source).stem


def label_cells(cells: list[Cell]) -> list[Report]:
    """Give every result its run id; two kernels get A/B labels. UsageError on conflicts."""
    if not cells:
        raise UsageError("nothing to merge: give at least one report")
    unlabelled = [c for c in cells if not c.run_ids]
    releases = list(dict.fromkeys(c.report.environment.kernel_release or "unknown"
                                  for c in unlabelled))
    if len(releases) > 2:
        raise UsageError(f"the reports carry {len(releases)} kernels ({', '.join(releases)}): "
                         "merge compares at most two")
    for cell in unlabelled:
        run_id = RunId(_own_id(cell))
        if len(releases) == 2:
            release = cell.report.environment.kernel_release or "unknown"
            run_id = RunId(run_id.fs, f"{'AB'[releases.index(release)]}-{release}")
        for r in cell.report.results:
            r.run_id = run_id
    owner: dict[RunId, str] = {}
    for cell in cells:
        for run_id in cell.run_ids:
            if run_id in owner:
                raise UsageError(f"{owner[run_id]} and {cell.source} are both cell "
                                 f"{str(run_id)!r}: merge each cell once")
            owner[run_id] = cell.source
    kernels = list(dict.fromkeys(run_id.kernel for run_id in owner))
    if len(kernels) > 2:
        raise UsageError(f"the reports carry {len(kernels)} kernel labels "
                         f"({', '.join(sorted(kernels))}): merge compares at most two")

    def kernel_first(cell: Cell) -> int:  # A's cells, then B's, as harness matrix runs them
        run_ids = cell.run_ids
        return kernels.index(run_ids[0].kernel) if run_ids else 0

    return [c.report for c in sorted(cells, key=kernel_first)]


def kernel_count(reports: list[Report]) -> int:
    """1 for a one-kernel matrix, 2 when the cells carry kernels A and B."""
    labels = {r.run_id.kernel for rep in reports for r in rep.results
              if r.run_id and r.run_id.kernel}
    return max(1, len(labels))
