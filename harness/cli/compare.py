"""`harness compare BASE.json NEW.json`: what changed between two runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.errors import UsageError
from harness.report.outputs import OutputError, check_writable, write_text
from harness.triage.compare import compare, render_text, to_json


def load_report(name: str) -> dict:
    from harness.report.json import load_json

    try:
        text = Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror}") from None
    try:
        return load_json(text)
    except ValueError as exc:
        raise UsageError(f"{name}: not a harness report: {str(exc).splitlines()[0]}") from None


def run_compare(args: argparse.Namespace) -> int:
    targets = {"json": args.json, "mail": args.mail}
    try:
        check_writable(targets)
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    base, new = load_report(args.base), load_report(args.new)
    comparison = compare(base, new, args.base_label or Path(args.base).stem,
                         args.new_label or Path(args.new).stem)
    text = render_text(comparison)
    if args.json:
        write_text(args.json, json.dumps(to_json(comparison), indent=2) + "\n")
    if args.mail:
        write_text(args.mail, text)
    if "-" not in targets.values():
        print(text, end="")
    return 1 if comparison.introduced_anything else 0
