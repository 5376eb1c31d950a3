"""Strace excerpts with no TAP at all: each failed call on a test file becomes a result to explain."""

from __future__ import annotations

from harness.ingest import Parsed
from harness.model import Result, Status

CALLS = frozenset({"ftruncate", "fallocate", "fstatfs", "fstat", "mmap", "madvise",
                   "memfd_create", "io_uring_setup", "io_uring_register", "newfstatat"})


def results_from_syscalls(parsed: list[Parsed]) -> list[Result]:
    """One 'strace' result per failed call of interest, config from what happened to its file."""
    out = []
    for p in parsed:
        for call in p.syscalls:
            if not call.failed or call.name not in CALLS:
                continue
            config = ""
            if (call.path or "").startswith("memfd-hugetlb:"):
                config = "memfd hugetlb"
            elif (call.path or "").startswith("memfd:"):
                config = "memfd"
            elif call.unlinked:
                config = "tmpfile" if (call.path or "").startswith("/tmp/") else "local tmpfile"
            what = f" on {call.path}" if call.path else ""
            gone = " (unlinked)" if call.unlinked else ""
            result = Result(
                suite="strace", number=len(out) + 1, name=f"{call.name}(){what}{gone}",
                config=config, status=Status.FAIL,
                message=f"{call.name}() failed ({call.errno})", result_line=call.line,
                syscall=call.name, errno=call.errno, syscall_source="strace", syscalls=[call],
            )
            out.append(result)
        p.results = [r for r in out if r.result_line and r.result_line.source == p.source]
    return out
