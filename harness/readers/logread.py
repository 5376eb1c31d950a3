"""Reading logs as evidence: any bytes, any line ending, console noise stripped, line numbers
kept."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from harness.errors import InputError
from harness.lazy_regex import lazy
from harness.model import LogLine

ANSI = lazy(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]")
PRINTK_TIME = lazy(r"^\s*\[\s*\d+\.\d+\]\s?")
PRINTK_LEVEL = lazy(r"^<\d>")


def open_input(name: str) -> BinaryIO:
    if name == "-":
        return sys.stdin.buffer
    path = Path(name)
    try:
        if path.is_dir():
            raise InputError(f"{name}: is a directory, expected a log file")
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None


BLOCK = 1 << 20  # bytes read at a time; lines are cut out of whole blocks
MAX_LINE = 4 << 20  # a longer line keeps its first MAX_LINE bytes: memory stays bounded
HEAD_BYTES = 64 << 10  # where a whole log names its machine: a CI header, uname -a, the banner


def clean_block(raw: bytes) -> str:
    """Decode whole lines tolerantly and drop what terminals and serial consoles add (escape
    sequences, CR, NUL: none of them spans a newline, so a block is cleaned at once)."""
    text = raw.decode("utf-8", errors="replace")
    if "\r" in text:
        text = text.replace("\r", "")
    if "\x1b" in text:
        text = ANSI.sub("", text)
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text


def read_blocks(name: str, start: bytearray | None = None) -> Iterator[tuple[int, str]]:
    """(number of the first line, cleaned text of whole lines joined by '\n') of a file or
    '-', a block (~1 MiB) at a time; the last block is what follows the last newline.
    ``start`` gets the input's first HEAD_BYTES bytes as read, before the first block is
    yielded."""
    stream = open_input(name)
    try:
        number = 1
        carry: list[bytes] = []  # a line longer than a block is joined once, not re-copied
        carried = 0  # bytes in carry; past MAX_LINE the rest of that line is dropped
        while True:
            block = stream.read(BLOCK)
            if start is not None:
                start += block[:HEAD_BYTES]
                start = None
            if not block:
                break
            cut = block.rfind(b"\n")
            if cut < 0:
                if carried < MAX_LINE:
                    carry.append(block[:MAX_LINE - carried])
                    carried += len(carry[-1])
                continue
            head = block[:cut]
            if carried:  # the carried line ends in this block: it too stops at MAX_LINE
                first = head.find(b"\n")
                end = len(head) if first < 0 else first
                if end > MAX_LINE - carried:
                    head = head[:max(MAX_LINE - carried, 0)] + head[end:]
            text = clean_block(b"".join([*carry, head]))
            carry = [block[cut + 1:]]
            carried = len(carry[0])
            yield number, text
            number += text.count("\n") + 1
        rest = b"".join(carry)
        if rest:
            yield number, clean_block(rest)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def read_texts(name: str) -> Iterator[tuple[int, str]]:
    """(line number from 1, cleaned text) of a file or '-', read in blocks: no object per line."""
    for first, block in read_blocks(name):
        yield from enumerate(block.split("\n"), first)


def read_lines(name: str) -> Iterator[LogLine]:
    """Yield the lines of a file (or '-' for stdin) one at a time, numbered from 1."""
    source = "stdin" if name == "-" else name
    for number, text in read_texts(name):
        yield LogLine(number, text, source)


def split_printk(text: str) -> tuple[bool, str]:
    """(is_kernel_message, text without the printk timestamp)."""
    match = PRINTK_TIME.match(text)
    if match:
        return True, text[match.end():]
    if PRINTK_LEVEL.match(text):
        return True, text[3:]
    return False, text


def strip_nesting(text: str) -> tuple[int, str]:
    """Count and remove kselftest's '# ' nesting prefixes: '# # ok 1' -> (2, 'ok 1').

    One slice at the end, not one per prefix: a line of a million prefixes is linear."""
    end = 0
    while text.startswith("# ", end):
        end += 2
    if text[end:] == "#":
        return end // 2 + 1, ""
    return end // 2, text[end:] if end else text
