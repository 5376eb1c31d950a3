"""Finding the common records of a TAP stream in a block of lines, here or a block ahead.

A block (~1 MiB of whole lines, ``read_blocks``) is matched by one ``findall``: each common
record (a [RUN] line, its diagnostics, its result line: ``records_re``) as its key - every
part of it but the test number - and its number, every other line as its text. Keys are
numbered in the order they are first seen (``BlockScanner``), so what the parser gets for a
block (``Scan``) is a few flat lists: which items are records, their key numbers and test
numbers, the other lines' texts, and the keys new in this block.

``scans_ahead`` makes the scans in a forked process while the parser reads the block before:
on a big log with two cores, pass 1's regex and key lookups run beside its parsing.
"""

from __future__ import annotations

import fcntl
import functools
import marshal
import os
import re
import signal
import sys
from array import array
from collections.abc import Generator
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter

from harness.errors import InputError
from harness.model import MAX_DIAGNOSTICS
from harness.readers.logread import read_blocks

MAX_RECORD_DEPTH = 3
MAX_KEYS = 20_000  # distinct keys numbered; past that the numbering starts over
Key = tuple[str, str]  # (the record's text before its number, the text after it)


# What a block is matched with: the common record's shape, loosely (the parser holds the
# first of each kind to ``ktap.record_re`` before reading repeats in bulk), with any kernel
# messages the console put between its lines. Every line of a block is matched: a record as
# (head: its [RUN] line, diagnostics, kernel messages and 'ok '/'not ok ', its last kernel
# message or "", number, rest of its result line incl. the space before it, ""), any other
# line as ("", "", "", "", text). ``depth``: the record under that many '# ' prefixes (a
# binary under the kselftest runner: 1; under run_vmtests.sh -t under the runner: 2), every
# line of it but the kernel's.
PRINTK = r"\[ *\d+\.\d+\](?:[^\n]*\S)?"  # a timestamped kernel message (as read: no end spaces)
HOLE = "\0"  # in a key: the kernel messages' places in the record follow (no log has a NUL)
@functools.lru_cache(maxsize=MAX_RECORD_DEPTH + 1)
def records_re(depth: int) -> re.Pattern[str]:
    p = "# " * depth
    return re.compile("^(?:(" + p + r"# \[RUN\] .*\n(?:" + p + r"# .*\n|(" + PRINTK + r")\n){0,"
                      + str(2 * MAX_DIAGNOSTICS) + r"}?" + p + r"(?:ok|not ok) )"
                      r"([1-9][0-9]{0,17})((?: .*)?)$|(.*))", re.MULTILINE)


def record_depth(block: str) -> int | None:
    """The depth of the block's first [RUN] line's record ('# # [RUN]': 1), None without one
    (or deeper than MAX_RECORD_DEPTH)."""
    at = block.find("[RUN] ")
    if at < 2:
        return None
    prefix = block[block.rfind("\n", 0, at) + 1:at]
    depth = len(prefix) // 2 - 1
    if depth > MAX_RECORD_DEPTH or prefix != "# " * (depth + 1):
        return None
    return depth


KEY = itemgetter(0, 3)
KERNEL = itemgetter(1)
NUMBER = itemgetter(2)
LINE = itemgetter(4)
LINES = bytes.maketrans(b"\0\1", b"\1\0")  # marks -> 1 for each other line


@dataclass(slots=True)
class Scan:
    """One block as the parser reads it. Without records (``depth`` None) it is ``text``;
    else ``marks`` has a 1 per record and a 0 per other line, in order, and the records'
    key numbers and test numbers and the other lines' texts are listed in that order."""

    number: int  # of the block's first line
    depth: int | None
    text: str
    marks: bytes
    ids: list[int]
    numbers: list[int]
    texts: list[str]
    new: list[Key]  # keys numbered in this block, in order
    reset: bool  # the numbering started over (at 0) before this block
    # record -> the kernel messages inside it, in order (their places are in its key)
    kernel: dict[int, list[str]]


class BlockScanner:
    """Scans blocks, numbering record keys across them."""

    def __init__(self) -> None:
        self.ids: dict[Key, int] = {}

    def scan(self, number: int, block: str) -> Scan:
        depth = record_depth(block)
        if depth is None:
            return Scan(number, None, block, b"", [], [], [], [], False, {})
        reset = len(self.ids) >= MAX_KEYS
        if reset:
            self.ids = {}
        items = records_re(depth).findall(block)
        marks = bytes(map(bool, map(itemgetter(0), items)))
        records = list(compress(items, marks))
        ids: list[int | None] = list(map(self.ids.get, map(KEY, records)))
        kernel, keys = _kernel_messages(records)
        for at in keys:
            ids[at] = None
        new: list[Key] = []
        at = ids.index(None) if None in ids else -1
        while at >= 0:
            key = keys.get(at) or KEY(records[at])
            ids[at] = self.ids.get(key)
            if ids[at] is None:
                ids[at] = self.ids[key] = len(self.ids)
                new.append(key)
            try:
                at = ids.index(None, at + 1)
            except ValueError:
                at = -1
        return Scan(number, depth, "", marks, ids,  # type: ignore[arg-type]
                    list(map(int, map(NUMBER, records))),
                    list(map(LINE, compress(items, marks.translate(LINES)))), new, reset,
                    kernel)


def _kernel_messages(records: list[tuple[str, ...]]
                     ) -> tuple[dict[int, list[str]], dict[int, Key]]:
    """The records with kernel messages inside: (record -> the messages, record -> its key:
    its text without them, and their places)."""
    kernel: dict[int, list[str]] = {}
    keys: dict[int, Key] = {}
    for at in compress(range(len(records)), map(KERNEL, records)):
        lines = records[at][0].split("\n")
        places = [i for i, line in enumerate(lines) if line[:1] == "["]
        kernel[at] = [lines[i] for i in places]
        keys[at] = ("\n".join(line for line in lines if line[:1] != "["),
                    f"{records[at][3]}{HOLE}{','.join(map(str, places))}")
    return kernel, keys


def scans(name: str, head: bytearray | None = None) -> Generator[Scan, None, None]:
    """The scans of a file's blocks, made here; ``head`` gets the file's first bytes
    (``logread.read_blocks``)."""
    scanner = BlockScanner()
    for number, block in read_blocks(name, head):
        yield scanner.scan(number, block)


PIPE_SIZE = 1 << 20


def scans_ahead(name: str, head: bytearray | None = None) -> Generator[Scan, None, None]:
    """The scans of a file's blocks, made by a forked process while the caller reads the ones
    before (it is at most a pipe's worth ahead). The process is ended and waited for when
    the iterator ends or is closed (an error, Ctrl-C, SIGTERM); its errors reading the file
    are raised here. ``head`` gets the file's first bytes, sent before the first scan."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        read_end, write_end = os.pipe()
    except OSError:  # no file descriptors left: scanned here
        yield from scans(name, head)
        return
    try:
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:
        pass  # the default size works too, with less slack
    try:
        pid = os.fork()
    except OSError:  # no process to spare: scanned here
        os.close(read_end)
        os.close(write_end)
        yield from scans(name, head)
        return
    if not pid:
        os.close(read_end)
        _scan_to(name, write_end, head is not None)
    os.close(write_end)
    done = False
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                size = pipe.read(8)
                if len(size) < 8:
                    raise InputError(f"{name}: the process reading it ended early")
                kind, *data = marshal.loads(pipe.read(int.from_bytes(size, "little")))
                if kind == "end":
                    break
                if kind == "error":
                    raise InputError(data[0])
                if kind == "head":
                    head += data[0]
                    continue
                yield _decode(data)
        done = True
    finally:
        if not done:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)


def _scan_to(name: str, fd: int, with_head: bool = False) -> None:
    """The forked process: scan every block and write it to ``fd`` (``with_head``: the
    file's first bytes before the first scan); never returns."""
    code = 1
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                head = bytearray() if with_head else None
                for scan in scans(name, head):
                    if head:
                        _send(out, ("head", bytes(head)))
                        head = None
                    _send(out, _encode(scan))
                message: tuple = ("end",)
                code = 0
            except InputError as exc:
                message = ("error", str(exc))
            _send(out, message)
    except BaseException:  # noqa: BLE001 - the reader says that it ended early
        code = 1
    finally:
        os._exit(code)


def _send(out: object, message: tuple) -> None:
    data = marshal.dumps(message)
    out.write(len(data).to_bytes(8, "little") + data)  # type: ignore[attr-defined]


def _encode(scan: Scan) -> tuple:
    return ("scan", scan.number, scan.depth, scan.text, scan.marks,
            array("i", scan.ids).tobytes(), array("q", scan.numbers).tobytes(), scan.texts,
            scan.new, scan.reset, scan.kernel)


def _decode(data: list) -> Scan:
    number, depth, text, marks, ids, numbers, texts, new, reset, kernel = data
    return Scan(number, depth, text, marks, array("i", ids).tolist(),
                array("q", numbers).tolist(), texts, new, reset, kernel)
