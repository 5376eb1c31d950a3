"""SIGTERM ends a run the way Ctrl-C does: the tests that finished are triaged and written,
every process and mount the run made is cleaned up, and the exit code says which signal.

``install`` makes SIGTERM raise ``Terminated`` (a KeyboardInterrupt) in the main thread, so
every ``except KeyboardInterrupt`` / ``finally`` already written for Ctrl-C serves both.
"""

from __future__ import annotations

import signal
import threading


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (handled like Ctrl-C)."""


_received: list[int] = []  # the signals that interrupted this run, in order
_stopping = threading.Event()  # set with the first signal: worker threads stop too


def _on_signal(signum: int, _frame: object) -> None:
    _received.append(signum)
    _stopping.set()
    if signum == signal.SIGTERM:
        raise Terminated
    raise KeyboardInterrupt


def install() -> None:
    """SIGTERM and SIGINT raise in the main thread (no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _stopping.clear()
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)


def interrupted_by() -> str:
    """'SIGTERM' or 'Ctrl-C' (SIGINT): what ended the run early."""
    return "SIGTERM" if signal.SIGTERM in _received else "Ctrl-C"


def exit_code() -> int:
    """128 + the signal, as a shell reports a process killed by it: 143 for SIGTERM, 130 else."""
    return 128 + (signal.SIGTERM if signal.SIGTERM in _received else signal.SIGINT)


def check() -> None:
    """In a worker thread (a matrix cell), raise what the main thread got from SIGTERM or
    Ctrl-C, so the cell stops as a single run does: its guest is closed and its finished
    tests are kept. Called where a thread waits on a guest (every half second at most)."""
    if _stopping.is_set() and threading.current_thread() is not threading.main_thread():
        raise Terminated if signal.SIGTERM in _received else KeyboardInterrupt
