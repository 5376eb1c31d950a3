"""Reading logs as evidence: any bytes, any line ending, console noise stripped, line numbers kept."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from harness.errors import InputError
from harness.model import LogLine

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]")
PRINTK_TIME = re.compile(r"^\s*\[\s*\d+\.\d+\]\s?")
PRINTK_LEVEL = re.compile(r"^<\d>")


def open_input(name: str) -> BinaryIO:
    if name == "-":
        return sys.stdin.buffer
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name}: is a directory, expected a log file")
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None


def clean(raw: bytes) -> str:
    """Decode one raw line tolerantly and drop what terminals and serial consoles add."""
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    text = text.replace("\r", "")
    if "\x1b" in text:
        text = ANSI.sub("", text)
    return text.replace("\x00", "")


def read_lines(name: str) -> Iterator[LogLine]:
    """Yield the lines of a file (or '-' for stdin) one at a time, numbered from 1."""
    stream = open_input(name)
    source = "stdin" if name == "-" else name
    try:
        for number, raw in enumerate(stream, start=1):
            yield LogLine(number, clean(raw), source)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def split_printk(text: str) -> tuple[bool, str]:
    """(is_kernel_message, text without the printk timestamp)."""
    match = PRINTK_TIME.match(text)
    if match:
        return True, text[match.end():]
    if PRINTK_LEVEL.match(text):
        return True, text[3:]
    return False, text


def strip_nesting(text: str) -> tuple[int, str]:
    """Count and remove kselftest's '# ' nesting prefixes: '# # ok 1' -> (2, 'ok 1')."""
    depth = 0
    while True:
        if text.startswith("# "):
            text = text[2:]
        elif text == "#":
            text = ""
        else:
            return depth, text
        depth += 1
