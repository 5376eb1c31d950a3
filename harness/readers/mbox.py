"""Whole mail threads as input: an mbox (what `b4 mbox` or lore's "mbox.gz" gives, gzipped or
not) or a single .eml.

Every message's plain-text body and its text attachments (quoted-printable and base64 are
decoded by the standard library's ``email`` package; an strace log attached as a file is a
text attachment like any other) are read as one input each. Text inside a patch's diff is
not a log: a thread whose only "failures" are strings in a diff has nothing to triage.
Quoted text that repeats a log an earlier message of the thread already posted is dropped,
so a reply that quotes the log does not count its failures twice.
"""

from __future__ import annotations

import gzip
import io
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from harness.errors import InputError
from harness.lazy_regex import lazy
from harness.model import LogLine
from harness.readers.line_kinds import in_diff_after, tight_diff

if TYPE_CHECKING:  # the email package loads when a thread is read, not for every input
    from email.message import EmailMessage

MBOX_FROM = lazy(rb"^From \S+.*\d{4}\s*$|^From \S+\s*$|^From mboxrd@z ")
HEADER = lazy(rb"^(?:Message-ID|Message-Id|From|Subject|Date|To|Received|Return-Path|"
              rb"MIME-Version|In-Reply-To|References|X-[\w-]+|Delivered-To):", re.IGNORECASE)
QUOTED = lazy(r"^[ \t]*>")
TEXT_NAMES = lazy(r"\.(?:log|txt|strace|out|tap|console)(?:\.\d+)?$", re.IGNORECASE)
MAX_MESSAGES = 2000


@dataclass
class Message:
    """One message of a thread, as far as triage and a reply need it."""

    index: int  # 1-based position in the file
    message_id: str
    subject: str
    sender: str  # "Name <addr>" as given
    date: str
    to: str = ""
    cc: str = ""
    references: str = ""
    in_reply_to: str = ""
    parts: list[tuple[str, list[str]]] = field(default_factory=list)  # (label, lines)
    full_parts: list[tuple[str, list[str]]] = field(default_factory=list)  # diffs kept
    dropped_diff_lines: int = 0

    @property
    def label(self) -> str:
        from email.utils import parseaddr

        name = parseaddr(self.sender)[0] or parseaddr(self.sender)[1] or "unknown sender"
        return f"message {self.index} ({name}, {self.date or 'no date'})"

    @property
    def is_patch(self) -> bool:
        return self.dropped_diff_lines > 0


def looks_like_mail(path: str, head: bytes) -> bool:
    """Whether the input is an mbox or a message with its headers: by its name, else by what
    it holds (a thread saved as .txt, piped from `b4 mbox -o -` or lore's gzipped mbox)."""
    name = path.lower()
    if name.endswith((".mbox", ".eml", ".mbx", ".mbox.gz", ".eml.gz", ".mail")):
        return True
    if head[:2] == b"\x1f\x8b" and path != "-":
        head = _gunzip_head(path)
    head = head.lstrip(b"\r\n")
    first = head.split(b"\n", 1)[0]
    if MBOX_FROM.match(first):
        return True
    lines = head.split(b"\n")[:20]
    return sum(1 for line in _own_header_lines(lines)) >= 3


# A mail client's reply quotes the message it answers under a header block of its own: Outlook's
# "-----Original Message-----" (or a rule of underscores) over From:/Sent:/To:/Cc:/Subject:
# (real replies on the LTP list and linux-kselftest: "________________________________" then
# "From: Cyril Hrubis <chrubis@suse.cz>" / "Sent: Thursday, April 8, 2021 2:57 PM"). Those
# lines head a quoted message inside a body, not this file's own headers: a pasted reply is
# text to read, not a mail. ("Sent:" is Outlook's word; a message's own headers say "Date:".)
QUOTED_HEADERS_RULE = lazy(rb"^\s*(?:-{3,}\s*Original Message\s*-{3,}|_{10,})\s*$",
                           re.IGNORECASE)
OUTLOOK_SENT = lazy(rb"^Sent:\s", re.IGNORECASE)
OUTLOOK_FIELD = lazy(rb"^(?:Sent|Cc):", re.IGNORECASE)


def _own_header_lines(lines: list[bytes]) -> list[bytes]:
    """The header lines of ``lines`` that are not in a reply's quoted header block (a run of
    header lines under an Outlook rule, or one with Outlook's "Sent:")."""
    own: list[bytes] = []
    run: list[bytes] = []
    quoted = False
    for line in [*lines, b""]:
        if HEADER.match(line) or OUTLOOK_FIELD.match(line) or (run and line[:1] in b" \t"
                                                                and line.strip()):
            run.append(line)
            continue
        if run and not quoted and not any(OUTLOOK_SENT.match(x) for x in run):
            own.extend(x for x in run if HEADER.match(x))
        run = []
        quoted = QUOTED_HEADERS_RULE.match(line) is not None
    return own


_REPLACED: list[Any] = []


class _Rejoined(io.RawIOBase):
    """A stream's first bytes, already read, followed by the rest of it."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def stdin_head(size: int = 4096) -> bytes:
    """The first bytes of standard input, decompressed when it is gzipped, without losing
    them: stdin is replaced by a stream that gives them again, then the rest (decompressed
    too), so every reader of '-' reads the whole input as if nothing had been taken."""
    raw = sys.stdin.buffer
    head = raw.read(2)
    stream: BinaryIO = io.BufferedReader(_Rejoined(head, raw))
    if head == b"\x1f\x8b":  # decompressed whole: a broken stream is one line, not a crash
        try:
            stream = io.BytesIO(gzip.decompress(stream.read()))
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"-: not a readable gzip stream ({exc})") from None
    peeked = stream.read(size)
    rejoined = io.BufferedReader(_Rejoined(peeked, stream))
    _REPLACED.append(sys.stdin)  # dropped, the old wrapper would close the stream it wraps
    sys.stdin = io.TextIOWrapper(rejoined, encoding="utf-8", errors="replace")
    return peeked


def _gunzip_head(path: str) -> bytes:
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(4096)
    except (OSError, EOFError):
        return b""


def read_bytes(path: str) -> bytes:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: not a readable gzip file ({exc})") from None
    return data


def split_mbox(data: bytes) -> list[bytes]:
    """Messages of an mbox (mboxo or mboxrd); a file without 'From ' lines is one message."""
    messages: list[list[bytes]] = []
    current: list[bytes] | None = None
    previous_blank = True
    for line in data.splitlines(keepends=True):
        if previous_blank and MBOX_FROM.match(line):
            current = []
            messages.append(current)
            previous_blank = False
            continue
        if current is None:
            current = []
            messages.append(current)
        if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]  # mboxrd un-escaping
        current.append(line)
        previous_blank = line.strip() == b""
    return [b"".join(m) for m in messages if any(x.strip() for x in m)][:MAX_MESSAGES]


def _text_of(part: EmailMessage) -> str | None:
    if part.get_content_charset() is None and part.get_content_maintype() == "text":
        # no charset declared (a saved body, a paste with mail headers in it): 8-bit text is
        # UTF-8 in practice, not us-ascii with every non-ASCII byte replaced
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload.decode("utf-8", errors="replace")
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else None
    if isinstance(content, bytes):
        return content.decode("utf-8", errors="replace")
    return content if isinstance(content, str) else None


class _HtmlText(HTMLParser):
    """The text of an HTML body: a block element or <br> ends a line, style and script say
    nothing, entities (&gt;, &nbsp;) are the characters they name."""

    BLOCKS = frozenset({"br", "div", "p", "li", "tr", "blockquote", "pre", "h1", "h2", "h3",
                        "h4", "table", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS and tag != "br":
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data.replace("\xa0", " "))


def html_text(markup: str) -> str:
    """The text a reader of the HTML body sees, one line per block (see ``_HtmlText``)."""
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.out)).strip("\n") + "\n"


def _parts(msg: EmailMessage) -> Iterator[tuple[str, str]]:
    """(label, text) of the plain-text body and every text attachment; the HTML body's text
    when the message has no plain-text body with words in it (a webmail reply whose text/plain
    alternative is empty: Yang Xu's answer to CKI's fs_fill failure, 2020)."""
    body_seen = empty_plain = False
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = part.get_filename() or ""
        attached = part.get_content_disposition() == "attachment" or bool(filename)
        is_text = ctype.startswith("text/") and ctype != "text/html"
        if ctype == "application/octet-stream" and TEXT_NAMES.search(filename):
            is_text = True
        if ctype == "text/html" and empty_plain and not attached:
            empty_plain = False  # the plain-text alternative before it said nothing
            if (markup := _text_of(part)) and markup.strip():
                yield "body", html_text(markup)
            continue
        if ctype == "text/html" and not body_seen and not attached:
            continue  # the plain-text alternative is read instead
        if not is_text:
            continue
        text = _text_of(part)
        if text is None:
            continue
        if attached:
            yield f"attachment {filename or ctype}", text
        else:
            body_seen, empty_plain = True, not text.strip()
            yield "body", text


def strip_diffs(lines: list[str]) -> tuple[list[str], int]:
    """The lines outside patch diffs (a diff's lines are code, not output); dropped count."""
    out, dropped, in_diff, tight = [], 0, False, False
    for line in lines:
        tight = tight_diff(in_diff, tight, line)
        in_diff = in_diff_after(in_diff, line) or (in_diff and tight)
        if in_diff:
            dropped += 1
            continue
        out.append(line)
    return out, dropped


def read_thread(path: str) -> list[Message]:
    import email.policy
    from email.message import EmailMessage

    data = read_bytes(path)
    messages = []
    for index, raw in enumerate(split_mbox(data), 1):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        m = Message(index, str(msg.get("Message-ID", "") or "").strip(),
                    str(msg.get("Subject", "") or "").strip(), str(msg.get("From", "") or ""),
                    str(msg.get("Date", "") or ""), str(msg.get("To", "") or ""),
                    str(msg.get("Cc", "") or ""), str(msg.get("References", "") or ""),
                    str(msg.get("In-Reply-To", "") or ""))
        for label, text in _parts(msg):
            full = text.splitlines()
            lines, dropped = strip_diffs(full)
            m.dropped_diff_lines += dropped
            m.parts.append((label, lines))
            m.full_parts.append((label, full))
        messages.append(m)
    if not messages:
        raise InputError(f"{path}: no mail messages found")
    return messages


def _key(line: str) -> str:
    return re.sub(r"^[ \t]*(?:>[ \t]?)*", "", line).strip()


def thread_inputs(path: str) -> Iterator[tuple[Message, str, list[LogLine]]]:
    """(message, part label, lines) for every part; quoted repeats of earlier logs dropped."""
    seen: set[str] = set()
    name = "stdin" if path == "-" else Path(path).name
    for m in read_thread(path):
        for label, lines in m.parts:
            source = f"{name} {m.label}" + (f" {label}" if label != "body" else "")
            kept = [LogLine(i, line, source) for i, line in enumerate(lines, 1)
                    if not (QUOTED.match(line) and len(_key(line)) > 8 and _key(line) in seen)]
            for line in lines:
                if not QUOTED.match(line) and len(key := _key(line)) > 8:
                    seen.add(key)
            yield m, label, kept
