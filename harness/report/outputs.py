"""Write a Report in the formats the user asked for; '-' means stdout."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from harness.errors import OutputError
from harness.model import Report


def _renderers(kcidb_origin: str) -> dict[str, Callable[[Report], str]]:
    from harness.report.json import render_json
    from harness.report.junit import render_junit
    from harness.report.kcidb import render_kcidb
    from harness.report.mail import render_mail

    return {"json": render_json, "junit": render_junit, "mail": render_mail,
            "kcidb": lambda report: render_kcidb(report, kcidb_origin)}


def check_writable(targets: dict[str, str | None]) -> None:
    """Fail before a long run, not after it, when an output cannot be written."""
    for kind, target in targets.items():
        if not target or target == "-":
            continue
        parent = Path(target).resolve().parent
        if not parent.is_dir():
            raise OutputError(f"--{kind} {target}: directory {parent} does not exist")
        if not os.access(parent, os.W_OK):
            raise OutputError(f"--{kind} {target}: directory {parent} is not writable")


def write_text(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    path = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from None


def write_outputs(report: Report, targets: dict[str, str | None], color: bool = False,
                  kcidb_origin: str = "harness",
                  overrides: dict[str, Callable[[Report], str]] | None = None) -> None:
    """Write every requested format; print the terminal summary when none goes to stdout.
    ``overrides`` replaces a format's writer (a reply to a thread's message for --mail)."""
    renderers = _renderers(kcidb_origin) | (overrides or {})
    to_stdout = any(t == "-" for t in targets.values())
    for kind, target in targets.items():
        if target:
            write_text(target, renderers[kind](report))
    if not to_stdout:
        from harness.report.terminal import render_terminal

        width = min(os.get_terminal_size(sys.stdout.fileno()).columns, 120) if sys.stdout.isatty() else 100
        sys.stdout.write(render_terminal(report, width=width, color=color and sys.stdout.isatty()))
        sys.stdout.flush()
