"""A reply to the message of a thread that posted the log: headers for threading
(In-Reply-To, References, Subject: Re:), the evidence quoted from that message, then the
triage, conclusion first. Every line fits in 72 columns; ready for `git send-email` or a
mail client (the From: line is left to them)."""

from __future__ import annotations

import re
import textwrap
from email.utils import parseaddr

from harness.model import FAILING, LogLine, Report, Status
from harness.readers.mbox import Message
from harness.report.common import clean_text
from harness.report.mail import WIDTH, render_mail

MAX_QUOTED = 8


def _fold(name: str, value: str) -> list[str]:
    """An RFC 5322 header folded at spaces to fit the width."""
    value = " ".join(value.split())
    if not value:
        return []
    return textwrap.wrap(f"{name}: {value}", width=WIDTH, subsequent_indent=" ",
                         break_long_words=False, break_on_hyphens=False)


def _subject(subject: str) -> str:
    subject = " ".join(subject.split())
    return subject if re.match(r"(?i)^re:", subject) else f"Re: {subject}"


def _quote(text: str) -> list[str]:
    text = clean_text(text).rstrip()
    return textwrap.wrap(text, width=WIDTH - 2, initial_indent="> ", subsequent_indent="> ",
                         break_long_words=True, break_on_hyphens=False,
                         replace_whitespace=False) or [">"]


def quoted_evidence(report: Report, message: Message) -> tuple[list[LogLine], int]:
    """The lines of that message's log that show what went wrong (one example of each kind
    of failure, in log order), and how many more failures are like them."""
    run = f"message {message.index}"
    mine = [r for r in report.results if str(r.run_id or "") == run]
    failing = [r for r in mine if r.status in FAILING]
    unexplained = [r for r in mine if r.status is Status.SKIP and r.diagnosis is not None
                   and r.diagnosis.category.value in ("unknown", "kernel-bug")]
    lines: list[LogLine] = []
    kinds: set[str] = set()
    shown = 0
    chosen = failing or unexplained
    for r in chosen:
        kind = re.sub(r"\d+", "#", r.result_line.text if r.result_line else r.message)
        if kind in kinds or len(lines) >= MAX_QUOTED:
            continue
        kinds.add(kind)
        shown += 1
        calls = [c.line for c in r.syscalls[-1:]]
        for line in (r.run_line, *r.diagnostics[-1:], r.result_line, *calls):
            if line is not None and line not in lines:
                lines.append(line)
    return lines[:MAX_QUOTED], len(chosen) - shown


def render_reply(report: Report, message: Message) -> str:
    headers: list[str] = []
    headers += _fold("Subject", _subject(message.subject or "selftest results"))
    if message.sender:
        headers += _fold("To", message.sender)
    cc = ", ".join(x for x in (message.to, message.cc) if x.strip())
    headers += _fold("Cc", cc)
    if message.message_id:
        headers += _fold("In-Reply-To", message.message_id)
        headers += _fold("References", f"{message.references} {message.message_id}".strip())
    name = parseaddr(message.sender)[0] or parseaddr(message.sender)[1] or "you"
    when = f"On {message.date}, " if message.date else ""
    body = textwrap.wrap(f"{when}{name} wrote:", width=WIDTH)
    evidence, more = quoted_evidence(report, message)
    for line in evidence:
        body += _quote(line.text)
    if more:
        body.append(f"> [... {more} more like {'it' if len(evidence) <= 3 else 'these'}]")
    if evidence:
        body.append("")
    body += render_mail(report).splitlines()
    return "\n".join(headers + [""] + body) + "\n"
