"""Command-line parsing only: each subcommand hands its arguments to the module that does the
work."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import NoReturn

from harness import __version__
from harness.errors import HarnessError
from harness.lazy_regex import lazy


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line, exit 2
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def _outputs(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("outputs (FILE may be - for stdout)")
    g.add_argument("--json", metavar="FILE",
                   help="write the report as JSON (schema harness.triage/1)")
    g.add_argument("--junit", metavar="FILE", help="write JUnit XML for CI")
    g.add_argument("--mail", metavar="FILE", help="write a plain-text reply for a mailing list")
    g.add_argument("--kcidb", metavar="FILE", help="write KCIDB I/O JSON for KernelCI: checkout, "
                   "build, tests, and per finding an issue (culprit code/tool/harness) with "
                   "incidents")
    g.add_argument("--kcidb-origin", metavar="ORIGIN", type=_origin,  # default: options_of's
                   help="KCIDB origin, the prefix of every id (default harness)")
    g.add_argument("--kcidb-build", metavar="ORIGIN:ID", type=_build_id,
                   help="attach the tests to this existing KCIDB build (submitted by the CI "
                   "that built the kernel) instead of writing a checkout and build")
    g.add_argument("--color", action="store_true", help="colour the terminal summary")


def _positive(value: str) -> int:
    if not value.isdigit() or len(value) > 6 or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value!r}")
    return int(value)


def _build_id(value: str) -> str:
    from harness.report.kcidb import KcidbError, check_build_id

    try:
        return check_build_id(value)
    except KcidbError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _memory(value: str) -> str:
    """Guest memory as QEMU's -m takes it (8G, 6144M, 6144), checked before anything runs."""
    from guests.cmdline import parse_memory
    from harness.errors import HarnessError

    try:
        parse_memory(value)
    except HarnessError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _seconds(value: str) -> float:
    """A timeout: a finite number of seconds above 0 (nan, inf, 0 and -3 are not timeouts)."""
    try:
        seconds = float(value) if len(value) <= 32 else math.nan
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0 or seconds > 7 * 24 * 3600:
        raise argparse.ArgumentTypeError(f"expected seconds above 0 (at most a week), got "
                                         f"{value[:40]!r}")
    return seconds


KERNEL_VERSION = lazy(r"v?\d{1,3}\.\d{1,3}(?:\.\d{1,6})?(?:[-+~._][\w.+~-]{0,80})?")


def _kernel_version(value: str) -> str:
    """A kernel version or release: 6.12, 6.12.118, 6.12.118+deb12-amd64, v6.1-rc3."""
    if not KERNEL_VERSION.fullmatch(value):
        raise argparse.ArgumentTypeError(f"expected a kernel version like 6.12 or "
                                         f"6.12.118+deb12-amd64, got {value[:40]!r}")
    return value.removeprefix("v")


def _origin(value: str) -> str:
    from harness.report.kcidb import KcidbError, check_origin

    try:
        return check_origin(value)
    except KcidbError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_RUN_FLAGS: list[tuple[tuple[str, ...], dict]] = [
    (("--inject",), {"metavar": "MODEL", "help": "apply a fault model on the work dir inside "
                     "the guest (9p-fvp, 9p-qemu7, 9p-qemu7-mmap, nfs3, xfs, tmpfs): try this "
                     "kernel against a server we don't have"}),
    (("--fs-scope",), {"choices": ("work", "tmp", "root"), "default": "work",
                       "help": "work: the tests' cwd is on FS (local tmpfile); tmp: /tmp too "
                       "(tmpfile); root: the guest boots with / on FS (switch_root: binaries, "
                       "loader, /tmp)"}),
    (("--nfs-vers",), {"choices": ("3", "4.0", "4.1", "4.2"), "help": "NFS version (nfs only)"}),
    (("--arch",), {"choices": ("x86_64", "arm64"), "default": "x86_64"}),
    (("--kernel",), {"metavar": "IMAGE", "action": "append",
                     "help": "boot this kernel image (or debian-6.12 / debian-6.1) instead of "
                     "Debian's default; twice: run A and B and compare"}),
    (("--modules",), {"metavar": "DIR", "help": "lib/modules/<release> of --kernel"}),
    (("--kernel-version",), {"choices": ("6.12", "6.1"),
                             "help": "Debian kernel series (default 6.12)"}),
    (("--kernel-tree",), {"metavar": "DIR", "help": "selftests built from this kernel tree"}),
    (("--cmdline",), {"default": "thread", "metavar": "thread|minimal|ARGS",
                      "help": "kernel command line: the thread's hugetlb setup (default), "
                      "minimal, or your own"}),
    (("--append",), {"metavar": "ARGS", "help": "extra kernel arguments"}),
    (("--tests",), {"default": "gup_longterm,cow",
                    "help": "comma-separated (default gup_longterm,cow)"}),
    (("--strace",), {"action": "store_true", "help": "run the tests under strace -f"}),
    (("--memory",), {"type": _memory, "metavar": "M",
                     "help": "guest memory, e.g. 8G (default: sized for the hugepages)"}),
    (("--smp",), {"type": _positive, "default": 2, "metavar": "N", "help": "vCPUs (default 2)"}),
    (("--timeout",), {"type": _seconds, "default": 1800.0, "metavar": "S",
                      "help": "per-test timeout (default 1800: cow with its pinning and swap "
                      "cases takes ~15 min on a busy 2-core TCG arm64 guest)"}),
    (("--boot-timeout",), {"type": _seconds, "default": 240.0, "metavar": "S",
                           "help": "boot timeout (default 240)"}),
    (("--no-swap",), {"action": "store_true", "help": "boot without the zram swap the guest "
                      "gets by default (cow's swapped-out cases then skip)"}),
    (("--keep",), {"action": "store_true", "help": "keep the guest's initramfs and the "
                   "filesystem's files (image, share, export) after the run, for a closer look"}),
    (("--out",), {"metavar": "DIR", "help": "where the console log and raw outputs go "
                  "(default harness-out/<time>-<fs>)"}),
]


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
    t.add_argument("logs", nargs="*", metavar="LOG|DIR",
                   help="log file(s), - for stdin; a directory (or --manifest, or --fleet) "
                   "judges every log on its own and counts the causes across them")
    t.add_argument("--strace", action="append", default=[], metavar="FILE",
                   help="strace -f log of the same run (repeatable)")
    t.add_argument("--fs", metavar="FS", help="filesystem of the tests' working directory "
                   "(9p, nfs, xfs, tmpfs, ext4 ...), when the log does not say")
    t.add_argument("--tmp-fs", metavar="FS", help="filesystem of /tmp (the 'tmpfile' config)")
    t.add_argument("--fs-options", metavar="OPTS", help="mount options of that filesystem")
    t.add_argument("--kernel-version", metavar="V", type=_kernel_version,
                   help="kernel version the tests ran on")
    t.add_argument("--selftests-version", metavar="V", type=_kernel_version,
                   help="kernel version of the tree the selftests were built from")
    t.add_argument("--suite", metavar="NAME", help="selftest name for logs that do not say it")
    t.add_argument("--rules", metavar="DIR",
                   help="use the rule files in DIR instead of the shipped ones")
    t.add_argument("--stream", action="store_true", help="triage a whole capture streaming "
                   "(results parked on disk, memory flat), as for logs of 4 MB or more")
    t.add_argument("--fleet", action="store_true", help="judge each LOG as its own run "
                   "(machine/kernel/fs/date from its path) and count causes across logs")
    t.add_argument("--manifest", metavar="CSV", help="fleet logs listed in a CSV with a header "
                   "naming log and any of machine,kernel,fs,date")
    t.add_argument("--jobs", type=_positive, metavar="N",
                   help="worker processes for a fleet (default: the number of cores)")
    _outputs(t)

    r = sub.add_parser("run",
                       help="boot a guest with the thread's command line and run the selftests",
                       description="Provision the filesystem, boot QEMU (KVM when it works, else "
                       "TCG), run gup_longterm and cow from a directory on that filesystem, and "
                       "triage the results. Exit codes as for triage.")
    r.add_argument("--guest", choices=("qemu", "sim"), default="qemu",
                   help="qemu (default) or sim: the host kernel, with the fs as a fault model")
    r.add_argument("--fs", required=True, metavar="FS",
                   help="9p, nfs, xfs, tmpfs or ext4; options as FS:key=value (9p:cache=mmap)")
    for flag, kw in _RUN_FLAGS:
        r.add_argument(*flag, **kw)
    _outputs(r)

    m = sub.add_parser("matrix", help="the same kernel and selftests on several filesystems",
                       description="Run the selftests on each filesystem (guests in parallel up "
                       "to --jobs), then report a test x filesystem table: tests failing only on "
                       "some filesystems are environment findings, tests failing on every "
                       "filesystem point at the kernel. Two --kernel: also compare A with B.")
    m.add_argument("--fs", required=True, metavar="FS,FS,...", help="e.g. xfs,nfs,9p")
    m.add_argument("--guest", choices=("qemu", "sim"), default="qemu",
                   help="qemu (default) or sim: the host kernel with fault models")
    m.add_argument("--jobs", type=_positive, metavar="N", help="guests at once (default: cores)")
    for flag, kw in _RUN_FLAGS:
        if flag[0] != "--keep":
            m.add_argument(*flag, **kw)
    _outputs(m)

    g = sub.add_parser("merge", help="combine per-cell JSON reports made anywhere into a matrix",
                       description="Combine the JSON reports of single runs (harness run --json, "
                       "CI matrix jobs, LAVA jobs, made on any machine) into the test x "
                       "filesystem table and conclusions harness matrix gives; with cells of "
                       "two kernels, also compare A with B. Exit codes as for matrix.")
    g.add_argument("reports", nargs="+", metavar="REPORT.json")
    _outputs(g)

    lv = sub.add_parser("lava", help="write LAVA job definitions per arch x filesystem (and run "
                        "them with lava-run)",
                        description="Write, per cell (arch x filesystem), a LAVA job that boots "
                        "the harness's kernel and initramfs in LAVA's qemu device type with the "
                        "thread's command line, NUMA layout and the filesystem, runs the "
                        "selftests and records one LAVA result per test case; each job is "
                        "checked against lava-common's schema. --run runs each job with "
                        "lava-run here, triages its log and prints the matrix.")
    lv.add_argument("--fs", required=True, metavar="FS,FS,...", help="9p, xfs, tmpfs, ext4")
    lv.add_argument("--arch", default="x86_64", metavar="ARCH,...", help="x86_64 and/or arm64")
    lv.add_argument("--out", required=True, metavar="DIR", help="one directory per cell: "
                    "job.yaml, device.yaml, initrd.gz and the filesystem's image or share")
    lv.add_argument("--url-base", metavar="URL", help="where the lab downloads each cell's "
                    "files from (URL/<cell>/<file>); default: file:// paths on this machine")
    lv.add_argument("--run", action="store_true", help="run each job with lava-run on this "
                    "machine (TCG), triage the logs, write OUT/<cell>.json and the matrix")
    for flag, kw in _RUN_FLAGS:
        if flag[0] not in ("--arch", "--out", "--fs-scope", "--strace", "--inject",
                           "--nfs-vers", "--keep"):
            lv.add_argument(*flag, **kw)
    _outputs(lv)

    c = sub.add_parser("compare", help="compare two JSON reports: fixed, regressed, same cause ...",
                       description="Classify every test of two runs (JSON from triage, run or "
                       "matrix) as fixed, regressed, still failing (same cause), changed cause or "
                       "environment-only, and say in one sentence whether NEW introduced anything. "
                       "Exit 1 when it did.")
    c.add_argument("base", metavar="BASE.json")
    c.add_argument("new", metavar="NEW.json")
    c.add_argument("--base-label", metavar="NAME", help="name of the base run (default: file name)")
    c.add_argument("--new-label", metavar="NAME", help="name of the new run (default: file name)")
    c.add_argument("--json", metavar="FILE",
                   help="write the comparison as JSON (harness.compare/1)")
    c.add_argument("--mail", metavar="FILE", help="write the comparison as plain text")

    s = sub.add_parser("setup",
                       help="install packages, fetch kernels, build the selftests (idempotent)")
    s.add_argument("--arch", action="append", choices=("x86_64", "arm64"),
                   help="only this arch (repeatable; default both)")
    s.add_argument("--kernel-tree", metavar="DIR",
                   help="build the selftests from this kernel tree, and gup_test.ko against it "
                   "when it is built without CONFIG_GUP_TEST")
    s.add_argument("--kernel-version", action="append", choices=("6.12", "6.1"),
                   help="kernel series to fetch (repeatable; default 6.12)")
    return parser


# Each command's module and function, imported only when that command runs.
COMMANDS = {
    "triage": ("harness.cli.triage", "run_triage"),
    "run": ("harness.cli.run", "run_command"),
    "matrix": ("harness.cli.matrix", "run_matrix"),
    "lava": ("harness.cli.lava", "run_lava"),
    "merge": ("harness.cli.merge", "run_merge"),
    "compare": ("harness.cli.compare", "run_compare"),
    "setup": ("harness.cli.main", "_setup"),
}


def _dispatch(args: argparse.Namespace) -> int:
    module, function = COMMANDS[args.command]
    command: Callable[[argparse.Namespace], int] = getattr(import_module(module), function)
    return command(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command not in COMMANDS:
        parser.error(f"unknown command {args.command}")
    from harness import signals

    signals.install()
    try:
        return _dispatch(args)
    except HarnessError as exc:  # the one place an error the user can fix becomes a line
        print(f"harness: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        if os.environ.get("HARNESS_DEBUG"):
            raise
        print(f"harness: interrupted by {signals.interrupted_by()}", file=sys.stderr)
        return signals.exit_code()
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug of ours: say so in one line, trace only on request
        if os.environ.get("HARNESS_DEBUG"):
            raise
        print(f"harness: internal error: {type(exc).__name__}: {exc} "
              "(set HARNESS_DEBUG=1 for the traceback and report it)", file=sys.stderr)
        return 3


def _setup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from guests.host_setup import setup_host

    lines = setup_host(args.arch or ["x86_64", "arm64"],
                       Path(args.kernel_tree) if args.kernel_tree else None,
                       args.kernel_version or ["6.12"])
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
