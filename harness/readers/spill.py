"""Results parked on disk between reading a log and triaging it, so memory stays flat.

Triage needs the whole log read before it judges any result (a variant later in the log, a
pass anywhere in the run, the Totals line at the end). A million results kept as objects
cost gigabytes; as marshal records in a temporary file they cost nothing in memory and are
read back in order, a batch at a time.
"""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from harness.model import LogLine, Result, Status

BATCH = 2048  # records (or runs of rows) written at once
ROWS = 4096  # rows written at once
RUN = "rows"  # the first item of a run of rows
STATUSES = tuple(Status)
STATUS_INDEX = {s: i for i, s in enumerate(STATUSES)}

# (suite index, suite, number, name, config, status index, message,
#  result line number or -1, result line text, run line number or -1, run line text,
#  ((diagnostic line number, text), ...), source); or, for a repeat read in bulk,
# (kind, number, result line number): the kind's first record with these numbers
Record = tuple


def to_record(r: Result, suite_index: int) -> Record:
    rl, run = r.result_line, r.run_line
    source = rl.source if rl is not None else run.source if run is not None else ""
    return (suite_index, r.suite, r.number, r.name, r.config, STATUS_INDEX[r.status], r.message,
            rl.line if rl is not None else -1, rl.text if rl is not None else "",
            run.line if run is not None else -1, run.text if run is not None else "",
            tuple((d.line, d.text) for d in r.diagnostics), source)


def to_result(rec: Record, suite: str) -> Result:
    (_, _, number, name, config, status, message, rl_no, rl_text, run_no, run_text, diags,
     source) = rec
    return Result(suite, number, name, config, STATUSES[status], message,
                  LogLine(rl_no, rl_text, source) if rl_no >= 0 else None,
                  LogLine(run_no, run_text, source) if run_no >= 0 else None,
                  [LogLine(n, t, source) for n, t in diags])


class Spill:
    """Append records; read them back once, in order. The file is made at the first batch
    written (a log of fewer records never needs one: a fleet's small logs spare its cost)
    and is gone when closed."""

    def __init__(self, directory: str | None = None) -> None:
        self._directory = directory
        self._file: BinaryIO | None = None
        self._batch: list[Record] = []
        self._rows = 0  # rows in the batch
        self.count = 0

    def add(self, record: Record) -> None:
        self._batch.append(record)
        self.count += 1
        if len(self._batch) >= BATCH:
            self._flush()

    def add_rows(self, kinds: list[int], numbers: list[int], lines: list[int]) -> None:
        """Rows (kind, number, line) as one item of three columns: ``RUN``."""
        self._batch.append((RUN, kinds, numbers, lines))
        self.count += len(kinds)
        self._rows += len(kinds)
        if self._rows >= ROWS or len(self._batch) >= BATCH:
            self._flush()

    def sync(self) -> None:
        """Everything added is in the file (before another process reads it)."""
        if self._batch:
            self._flush()
        self._opened().flush()

    def batches(self, own: bool = False) -> Iterator[list[Record]]:
        """The records in order, a list at a time; rows as (RUN, kinds, numbers, lines).
        ``own``: read through a file position of its own (the file is shared with a forked
        process that reads it too)."""
        if self._file is None and not own:  # every record is still here
            if self._batch:
                yield self._batch
            return
        self.sync()
        mine = self._opened()
        file = open(f"/proc/self/fd/{mine.fileno()}", "rb") if own else mine  # noqa: SIM115
        try:
            file.seek(0)
            while size := file.read(8):
                yield marshal.loads(file.read(int.from_bytes(size, "little")))
        finally:
            if own:
                file.close()

    def _flush(self) -> None:
        data = marshal.dumps(self._batch)
        self._opened().write(len(data).to_bytes(8, "little") + data)
        self._batch = []
        self._rows = 0

    def __iter__(self) -> Iterator[Record]:
        """Every record and row in order (rows as (kind, number, line))."""
        for batch in self.batches():
            for item in batch:
                if len(item) == 4:
                    yield from zip(item[1], item[2], item[3], strict=True)
                else:
                    yield item

    def _opened(self) -> BinaryIO:
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self._directory)  # noqa: SIM115
        return self._file

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
