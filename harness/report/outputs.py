"""Write a Report in the formats the user asked for; '-' means stdout.

Outputs never destroy anything:
- every target is checked before the work (``check_outputs``): a directory, a socket or block
  device, an input file under any spelling, two outputs on one file or on stdout, a name the
  filesystem refuses -> one-line ``OutputError``;
- a regular file is replaced atomically (a temp file in its directory, renamed over it), keeps
  its mode (and owner), or gets the umask's mode when new; the temp file is removed whatever
  happens (write error, Ctrl-C, SIGTERM), so the old file stays intact;
- a character device or FIFO (/dev/null, /dev/stdout, a pipe) is written in place, never
  replaced by a regular file; the file behind our own stdout counts as stdout;
- write errors (/dev/full, a full disk) are one line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import OutputError
from harness.model import Report

if TYPE_CHECKING:
    from harness.report.kcidb import KcidbOptions


def _renderers(kcidb: KcidbOptions | None) -> dict[str, Callable[[Report], str]]:
    """Each format's writer, imported when it is used (a run without --junit does not pay
    for junitparser's import)."""

    def json(report: Report) -> str:
        from harness.report.json import render_json

        return render_json(report)

    def junit(report: Report) -> str:
        from harness.report.junit import render_junit

        return render_junit(report)

    def mail(report: Report) -> str:
        from harness.report.mail import render_mail

        return render_mail(report)

    def kcidb_(report: Report) -> str:
        from harness.report.kcidb import render_kcidb

        return render_kcidb(report, kcidb)

    return {"json": json, "junit": junit, "mail": mail, "kcidb": kcidb_}


def stat_or_none(path: str) -> os.stat_result | None:
    """The file's status; None when it does not exist; any other failure is an OutputError."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path}: {exc.strerror}") from None


def _stdout_stat() -> os.stat_result | None:
    try:
        return os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return None


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def is_stdout(target: str) -> bool:
    """'-', or a name for the very file our stdout is (/dev/stdout redirected to a file)."""
    if target == "-":
        return True
    out = _stdout_stat()
    st = stat_or_none(target) if out is not None else None
    return out is not None and st is not None and stat.S_ISREG(st.st_mode) and _same(st, out)


def check_outputs(targets: dict[str, str | None], inputs: Iterable[str] = ()) -> None:
    """Fail before a long run, not after it, when an output cannot or must not be written."""
    given = {kind: t for kind, t in targets.items() if t is not None}
    for kind, target in given.items():
        if target == "":
            raise OutputError(f"--{kind}: empty file name")
    if sum(1 for t in given.values() if is_stdout(t)) > 1:
        raise OutputError("only one output can go to stdout (-)")
    input_stats = _input_stats(inputs)
    seen: dict[object, str] = {}
    for kind, target in given.items():
        if is_stdout(target):
            continue
        _check_name(kind, target)
        st = stat_or_none(target)
        if st is None:
            real = os.path.realpath(target)
            if real in seen:
                raise OutputError(f"--{kind} {target}: the same file as --{seen[real]}")
            seen[real] = kind
            _probe_create(kind, target)
        else:
            _check_existing(kind, target, st, input_stats, seen)


def _input_stats(inputs: Iterable[str]) -> list[tuple[str, os.stat_result]]:
    out = []
    for name in inputs:
        if name and name != "-":
            with contextlib.suppress(OutputError):
                if (st := stat_or_none(name)) is not None:
                    out.append((name, st))
    return out


def _check_existing(kind: str, target: str, st: os.stat_result,
                    input_stats: list[tuple[str, os.stat_result]], seen: dict[object, str]) -> None:
    """An output that exists: a file, device or pipe we may write, and none of the inputs."""
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"--{kind} {target}: is a directory, expected a file name")
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        raise OutputError(f"--{kind} {target}: not a regular file, character device or pipe")
    for name, in_st in input_stats:
        if _same(st, in_st):
            raise OutputError(f"--{kind} {target}: is the input {name}; "
                              "writing it would destroy the input")
    if stat.S_ISREG(st.st_mode):
        key = (st.st_dev, st.st_ino)
        if key in seen:
            raise OutputError(f"--{kind} {target}: the same file as --{seen[key]}")
        seen[key] = kind
        if not os.access(target, os.W_OK) or not os.access(_parent(target), os.W_OK | os.X_OK):
            raise OutputError(f"--{kind} {target}: not writable")
    elif not os.access(target, os.W_OK):
        raise OutputError(f"--{kind} {target}: not writable")


def check_writable(targets: dict[str, str | None], inputs: Iterable[str] = ()) -> None:
    """``check_outputs`` under its older name."""
    check_outputs(targets, inputs)


def _parent(target: str) -> Path:
    return Path(os.path.realpath(target)).parent


def _check_name(kind: str, target: str) -> None:
    if target.endswith("/"):
        raise OutputError(f"--{kind} {target}: names a directory, expected a file name")
    try:
        parent = _parent(target)
    except OSError as exc:
        raise OutputError(f"--{kind} {target}: {exc.strerror}") from None
    try:
        if not parent.is_dir():
            raise OutputError(f"--{kind} {target}: directory {parent} does not exist")
    except OSError as exc:
        raise OutputError(f"--{kind} {target}: {exc.strerror}") from None


def _probe_create(kind: str, target: str) -> None:
    """Create and remove the name itself: the only sure test that the filesystem takes it."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise OutputError(f"--{kind} {target}: cannot create: {exc.strerror}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(target)


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write to stdout: {exc.strerror}") from None


def _write_in_place(target: str, data: bytes) -> None:
    try:
        fd = os.open(target, os.O_WRONLY)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from None
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from None
    finally:
        os.close(fd)


def _replace(target: str, data: bytes) -> None:
    """Write a regular file atomically; the old file stays as it was until the rename."""
    real = Path(os.path.realpath(target))  # a symlink stays a symlink: its target is written
    old = stat_or_none(str(real))
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name[:200]}.")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if old is not None:
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
                owner = (old.st_uid, old.st_gid)
                if hasattr(os, "fchown") and owner != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(OSError):
                        os.fchown(fd, old.st_uid, old.st_gid)
            else:
                os.fchmod(fd, 0o666 & ~_umask())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, real)
        tmp = None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_text(target: str, text: str) -> None:
    if is_stdout(target):
        _write_stdout(text)
        return
    data = text.encode("utf-8", errors="replace")
    st = stat_or_none(target)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {target}: is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        if not (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            raise OutputError(f"cannot write {target}: not a regular file, device or pipe")
        _write_in_place(target, data)
        return
    _replace(target, data)


def write_outputs(report: Report, targets: dict[str, str | None], color: bool = False,
                  kcidb: KcidbOptions | None = None,
                  overrides: dict[str, Callable[[Report], str]] | None = None) -> None:
    """Write every requested format; print the terminal summary when none goes to stdout.
    ``overrides`` replaces a format's writer (a reply to a thread's message for --mail)."""
    renderers = _renderers(kcidb) | (overrides or {})
    to_stdout = any(t is not None and is_stdout(t) for t in targets.values())
    for kind, target in targets.items():
        if target:
            write_text(target, renderers[kind](report))
    if not to_stdout:
        from harness.report.terminal import render_terminal

        width = 100
        if sys.stdout.isatty():
            width = min(os.get_terminal_size(sys.stdout.fileno()).columns, 120)
        _write_stdout_raw(render_terminal(report, width=width, color=color and sys.stdout.isatty()))


def _write_stdout_raw(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        raise OutputError(f"cannot write to stdout: {exc.strerror}") from None
