"""Command-line parsing only: each subcommand hands its arguments to the module that does the work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from harness import __version__


class UsageError(Exception):
    """Bad usage or bad input the user can fix: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit 2
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def _outputs(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("outputs (FILE may be - for stdout)")
    g.add_argument("--json", metavar="FILE", help="write the report as JSON (schema harness.triage/1)")
    g.add_argument("--junit", metavar="FILE", help="write JUnit XML for CI")
    g.add_argument("--mail", metavar="FILE", help="write a plain-text reply for a mailing list")
    g.add_argument("--color", action="store_true", help="colour the terminal summary")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="harness", description="Selftest triage harness for Linux mm developers: "
                     "runs gup_longterm and cow in real guests and explains every failure.")
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    t = sub.add_parser("triage", help="explain the results in selftest/console/strace logs",
                       description="Read selftest output (raw, nested in run_vmtests.sh or the "
                       "kselftest runner, serial console, dmesg, strace -f) and explain every "
                       "failure and skip. Exit 0 when nothing points at the kernel, 1 when "
                       "something does, 2 on usage or input errors.")
    t.add_argument("logs", nargs="+", metavar="LOG", help="log file(s); - for stdin")
    t.add_argument("--strace", action="append", default=[], metavar="FILE",
                   help="strace -f log of the same run (repeatable)")
    t.add_argument("--fs", metavar="FS", help="filesystem of the tests' working directory "
                   "(9p, nfs, xfs, tmpfs, ext4 ...), when the log does not say")
    t.add_argument("--tmp-fs", metavar="FS", help="filesystem of /tmp (the 'tmpfile' config)")
    t.add_argument("--fs-options", metavar="OPTS", help="mount options of that filesystem")
    t.add_argument("--kernel-version", metavar="V", help="kernel version the tests ran on")
    t.add_argument("--suite", metavar="NAME", help="selftest name for logs that do not say it")
    t.add_argument("--rules", metavar="DIR", help="use the rule files in DIR instead of the shipped ones")
    _outputs(t)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "triage":
            from harness.triage_cmd import run_triage

            return run_triage(args)
    except UsageError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("harness: interrupted", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
