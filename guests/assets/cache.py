"""How an asset enters the cache: built in a staging dir, renamed into place, with a manifest."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from harness.errors import HarnessError

MANIFEST = "manifest.json"


class AssetError(HarnessError):
    """An asset could not be found or built; the message is one line for the user."""


STALE_SECONDS = 6 * 3600


def staging_dir(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    _sweep(parent)
    return Path(tempfile.mkdtemp(prefix=".staging-", dir=parent))


def _sweep(parent: Path) -> None:
    """Remove staging dirs that a killed process left behind (only old ones: others may be live)."""
    now = time.time()
    for entry in parent.glob(".*-*"):
        if entry.name.split("-", 1)[0] in (".staging", ".old", ".deb") and entry.is_dir():
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def building(final: Path) -> Iterator[Path]:
    """A private staging dir beside ``final``: renamed into place on success, removed on failure."""
    staging = staging_dir(final.parent)
    try:
        yield staging
        publish(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def publish(staging: Path, final: Path) -> None:
    """Rename a finished staging dir into place, replacing a stale entry."""
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=".old-", dir=final.parent))
        final.rename(old / "entry")
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(final)


def write_manifest(directory: Path, data: dict[str, object]) -> None:
    (directory / MANIFEST).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_manifest(directory: Path) -> dict[str, object] | None:
    try:
        return json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def run_tool(argv: list[str], what: str, cwd: Path | None = None) -> str:
    """Run a command without a shell; raise AssetError with its last stderr line on failure."""
    try:
        proc = subprocess.run(
            argv, check=False, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"},
        )
    except FileNotFoundError as exc:
        raise AssetError(f"{what}: {argv[0]} not found: run harness setup") from exc
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()] or ["(no output)"]
        raise AssetError(f"{what} failed (exit {proc.returncode}): {lines[-1].strip()}")
    return proc.stdout

