"""`harness compare BASE.json NEW.json`: what changed between two runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.errors import InputError
from harness.readers.report_json import load_json
from harness.report.outputs import check_writable, is_stdout, write_text
from harness.triage.compare import compare, render_text, to_json


def load_report(name: str) -> dict:
    try:
        text = Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not a harness report: not UTF-8 (byte {exc.start})") from None
    return load_json(text, name)


def run_compare(args: argparse.Namespace) -> int:
    targets = {"json": args.json, "mail": args.mail}
    check_writable(targets, [args.base, args.new])
    base, new = load_report(args.base), load_report(args.new)
    comparison = compare(base, new, args.base_label or Path(args.base).stem,
                         args.new_label or Path(args.new).stem)
    text = render_text(comparison)
    if args.json:
        write_text(args.json, json.dumps(to_json(comparison), indent=2) + "\n")
    if args.mail:
        write_text(args.mail, text)
    if not any(t is not None and is_stdout(t) for t in targets.values()):
        write_text("-", text)
    return 1 if comparison.introduced_anything else 0
