"""What test runners say about whole binaries: run_vmtests.sh and the kselftest runner.

run_vmtests.sh prints, for each binary, a ``running ./cow`` header between dashed lines, the
binary's output, then ``[PASS]``, ``[SKIP]`` or ``[FAIL]`` (``# `` prefixed, and followed by
``ok N cow``/``not ok N cow # exit=1``, in TAP mode), and at the end ``SUMMARY: PASS=.. SKIP=..
FAIL=..``. Reports condense that to ``[FAIL] cow`` lines, reasons indented below, and CI
mails show the kselftest runner's ``not ok 14 selftests: mm: gup_longterm # exit=127``.

When a binary printed no results of its own (it could not start, or only a verdict was
pasted), the verdict becomes one result for the whole binary, with the text the binary
printed as its message: ``error while loading shared libraries``, ``exit=127``,
``CONFIG_... is not set`` are causes that triage can name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import MAX_DIAGNOSTICS, LogLine, Result, Status
from harness.readers.ktap import config_of
from harness.readers.logread import strip_nesting

RUNNING = lazy(r"^running\s+(?:sudo\s+-u\s+\S+\s+|bash\s+|sh\s+)?(\S+)(.*)$")
VERDICT = lazy(r"^\[(PASS|SKIP|FAIL|XFAIL|TIMEOUT|ERROR)\]\s*(?:[:-]\s*)?(\S.*)?$",
               re.IGNORECASE)
SUMMARY = lazy(r"^(?:TOP-LEVEL\s+)?SUMMARY:\s*PASS=(\d+)\s+SKIP=(\d+)\s+FAIL=(\d+)",
               re.IGNORECASE)
RUNNER_RESULT = lazy(
    # (a collection may be a path: "selftests: drivers/net/netdevsim: devlink.sh")
    r"^(?:selftests:\s*[\w-]+(?:/[\w-]+)*:\s*)?(?:bash\s+)?(?:\./)?(?P<name>[\w.+-]+)(?P<args>[^#]*?)\s*"
    r"(?:#\s*(?P<directive>SKIP|exit=(?P<exit>\d+)|TIMEOUT)\b.*)?$",
    re.IGNORECASE,
)
EXIT = lazy(r"#\s*exit=(\d+)")
BINARY_ERROR = lazy(r"^(?:\S*/)?([\w.+-]+): ")
# What the runner prints around a binary's own output: separators, "running ./x", "[SKIP]".
RUNNER_NOISE = lazy(r"^(?:-+|running\s.*|\[(?:PASS|SKIP|FAIL|XFAIL|TIMEOUT|ERROR)\])$",
                    re.IGNORECASE)
KNOWN_BINARIES = frozenset({"gup_longterm", "cow", "run_vmtests.sh", "gup_test"})
STATUS = {"pass": Status.PASS, "skip": Status.SKIP, "fail": Status.FAIL, "xfail": Status.XFAIL,
          "timeout": Status.TIMEOUT, "error": Status.ERROR}
# What a shell or the dynamic loader says when a binary cannot run at all.
CANNOT_START = lazy(
    r"error while loading shared libraries|cannot open shared object file|"
    r"(?:command )?not found|No such file or directory|Permission denied|Exec format error|"
    r"cannot execute binary file|not executable",
    re.IGNORECASE,
)
SIGNALS = {129: "SIGHUP", 130: "SIGINT", 131: "SIGQUIT", 132: "SIGILL", 133: "SIGTRAP",
           134: "SIGABRT", 135: "SIGBUS", 136: "SIGFPE", 137: "SIGKILL", 139: "SIGSEGV",
           141: "SIGPIPE", 143: "SIGTERM"}


SIGNAL_MAX = 64  # SIGRTMAX: a shell reports a process killed by signal N as 128+N


def killed_by_signal(code: int | None) -> bool:
    """Whether a shell's exit status means a signal killed the process: 128+N for a signal N
    (1-64). 255 is exit(-1) or exit(255), the commonest failure status, not a signal."""
    return code is not None and 128 < code <= 128 + SIGNAL_MAX


def exit_meaning(code: int) -> str:
    """What a runner's exit=N says: "killed by SIGSEGV", "command not found" ..."""
    if code in SIGNALS:
        return f"killed by {SIGNALS[code]}"
    if killed_by_signal(code):
        return f"killed by signal {code - 128}"
    return {127: "command not found (not installed, or a library is missing)",
            126: "found but cannot be executed", 4: "skipped (ksft_skip)",
            1: "failed", 0: "passed"}.get(code, f"exited with {code}")


@dataclass
class Case:
    """A test case a summary lists under its binary ("\t[FAIL] vmsplice() ... with hugetlb")."""

    name: str
    verdict: str
    line: LogLine
    reason: list[str] = field(default_factory=list)


@dataclass
class Block:
    """One binary as run_vmtests.sh ran it."""

    name: str
    line: LogLine
    verdict: str | None = None
    verdict_line: LogLine | None = None
    text: list[LogLine] = field(default_factory=list)  # lines the binary printed (not TAP)
    tap: bool = False  # the binary printed TAP of its own
    cases: list[Case] = field(default_factory=list)  # from an indented summary


@dataclass
class RunnerTracker:
    """Fed the same lines as the kselftest parser; remembers run_vmtests.sh blocks."""

    blocks: list[Block] = field(default_factory=list)
    summary: tuple[int, int, int] | None = None
    summary_line: LogLine | None = None
    indent: dict[int, int] = field(default_factory=dict)  # the paste's indentation by line
    _open: Block | None = None
    _late: Block | None = None  # closed by its verdict, with no text of its own
    # Lines between one binary's verdict and the next "running": run_vmtests.sh prints a
    # skip reason ("hugepages not supported") *before* the next binary's header, and output
    # buffering can move it after the previous verdict. The next binary gets them; with no
    # next binary, the last one closed without text.
    _between: list[LogLine] = field(default_factory=list)
    _reasons_for: Block | None = None
    _parent: Block | None = None  # the binary of an indented summary
    _group: list[Case] = field(default_factory=list)  # cases the next reason lines explain
    _group_has_reason: bool = False
    orphans: dict[str, LogLine] = field(default_factory=dict)  # "./cow: error ..." outside a block

    def feed(self, line: LogLine) -> None:
        depth, body = strip_nesting(line.text)
        body = body.strip()
        if not body:
            self._reasons_for = None
            return
        if self._indented(depth, body, line):
            return
        if m := RUNNING.match(body):
            self._late = None
            self._open = Block(m.group(1).rsplit("/", 1)[-1], line,
                               text=self._between[:MAX_DIAGNOSTICS])
            self._between = []
            self.blocks.append(self._open)
            self._reasons_for = None
            return
        if m := VERDICT.match(body):
            self._verdict(m.group(1).lower(), (m.group(2) or "").strip(), line)
            return
        if m := SUMMARY.match(body):
            self.summary = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
            self.summary_line = line
            return
        if body.startswith(("[RUN]", "ok ", "not ok ", "TAP version", "1..", "Totals:")):
            if self._open is not None and (self._open.verdict is None
                                           or not body.startswith(("ok ", "not ok "))):
                self._open.tap = True
            self._reasons_for = None
            return
        if body.startswith("---") or set(body) == {"-"}:
            return
        self._text(body, line)

    def _indented(self, depth: int, body: str, line: LogLine) -> bool:
        """A line of an indented summary under a binary: a case's verdict or its reason."""
        if self._parent is None or self.indent.get(line.line, 0) <= 0:
            return False
        if (m := VERDICT.match(body)) and m.group(2):
            if self._group_has_reason:
                self._group, self._group_has_reason = [], False
            case = Case(m.group(2).strip(), m.group(1).lower(), line)
            self._parent.cases.append(case)
            self._group.append(case)
            return True
        if depth < 1:
            return False
        if self._group:
            for case in self._group:
                case.reason.append(body)
            self._group_has_reason = True
        elif len(self._parent.text) < MAX_DIAGNOSTICS:
            self._parent.text.append(LogLine(line.line, body, line.source))
        return True

    def _text(self, body: str, line: LogLine) -> None:
        """Any other line: a binary that cannot start, or text of the open block."""
        cannot = CANNOT_START.search(body) is not None
        if (m := BINARY_ERROR.match(body)) and cannot and (
                self._open is None or self._open.verdict):
            self.orphans.setdefault(m.group(1), LogLine(line.line, body, line.source))
            return
        target = self._reasons_for or (self._open if self._open and not self._open.verdict
                                       else None)
        if target is None and (self._late is not None or self.blocks):
            if len(self._between) < MAX_DIAGNOSTICS:
                self._between.append(LogLine(line.line, body, line.source))
            return
        # An error line is kept even past the cap: it is what explains the binary's end.
        room = 2 * MAX_DIAGNOSTICS if cannot else MAX_DIAGNOSTICS
        if target is not None and len(target.text) < room:
            target.text.append(LogLine(line.line, body, line.source))

    def _verdict(self, verdict: str, name: str, line: LogLine) -> None:
        block = self._open if self._open is not None and self._open.verdict is None else None
        self._group, self._group_has_reason = [], False
        self._parent = None
        if name and not self.indent.get(line.line, 0) and block is None:
            block = Block(name.split()[0].rsplit("/", 1)[-1], line)
            self.blocks.append(block)
            self._parent = block
            self._reasons_for = None
            block.verdict, block.verdict_line = verdict, line
            return
        if name:
            base = name.split()[0].rsplit("/", 1)[-1]
            if block is None or block.name != base:
                block = Block(base, line)
                self.blocks.append(block)
            self._reasons_for = block
        if block is None:
            return
        block.verdict, block.verdict_line = verdict, line
        self._open = None
        self._late = block if verdict in ("skip", "fail") and not block.text else None
        self._between = []

    def finish(self) -> None:
        """The end of the input: lines after the last verdict explain that binary."""
        if self._between and self._late is not None and not self._late.text:
            self._late.text = self._between
        self._between = []


def whole_binary_results(tracker: RunnerTracker, results: list[Result],
                         default_suite: str) -> list[Result]:
    """Results for binaries that printed none of their own; runner verdicts made readable.
    A summary's indented cases become results of their binary, with the reasons given."""
    out: list[Result] = []
    tracker.finish()
    have = {r.suite for r in results if r.name or r.suite != default_suite}
    verdicts = {r.suite: r for r in results if r.name.endswith("(whole binary)")}
    for block in tracker.blocks:
        # The runner's verdict on a binary that printed only an error: that error is its message.
        _explain_verdict(verdicts.get(block.name), block.text)
    for name, line in tracker.orphans.items():
        _explain_verdict(verdicts.get(name), [line])
    # A runner that timed out killed whatever ran last: that binary's output explains it.
    hung = next((b for b in reversed(tracker.blocks) if b.verdict is None), None)
    for r in verdicts.values():
        if r.status is Status.TIMEOUT and hung is not None:
            errors = [t for t in hung.text if CANNOT_START.search(t.text)]
            r.diagnostics = [LogLine(hung.line.line, f"[RUN] {hung.name}", hung.line.source),
                             *errors, *r.diagnostics[-3:]][:MAX_DIAGNOSTICS]
    for number, block in enumerate(tracker.blocks, 1):
        if block.cases and block.name not in have:
            for i, case in enumerate(block.cases, 1):
                out.append(Result(block.name, i, case.name, config_of(case.name),
                                  STATUS.get(case.verdict, Status.FAIL), " ".join(case.reason),
                                  result_line=case.line,
                                  diagnostics=[LogLine(case.line.line, t, case.line.source)
                                               for t in case.reason[:MAX_DIAGNOSTICS]]))
            continue
        cannot = next((t.text for t in block.text if CANNOT_START.search(t.text)), "")
        if (block.verdict is None and not cannot) or block.tap or block.name in have:
            continue
        status = STATUS.get(block.verdict or "fail", Status.FAIL)
        message = cannot or " ".join(t.text for t in block.text[-3:])
        if not message and status is not Status.PASS:
            message = f"[{(block.verdict or 'fail').upper()}]"
        out.append(Result(block.name, number, f"{block.name} (whole binary)", "", status,
                          message, result_line=block.verdict_line or block.text[-1],
                          run_line=block.line, diagnostics=list(block.text)))
    return out


def _explain_verdict(verdict: Result | None, text: list[LogLine]) -> None:
    """The runner's verdict on a binary that printed only an error: that error is its message."""
    if verdict is None or not text or any(not RUNNER_NOISE.match(d.text.strip())
                                          for d in verdict.diagnostics):
        return
    verdict.diagnostics = list(text)
    if cannot := next((t.text for t in text if CANNOT_START.search(t.text)), ""):
        verdict.message = f"{cannot} ({verdict.message})"


def fix_runner_verdicts(results: list[Result], default_suite: str,
                        binaries: frozenset[str] = frozenset()) -> None:
    """A runner's ``not ok 14 selftests: mm: gup_longterm # exit=127`` with nothing nested
    is a verdict on the whole binary: name its suite and say what the exit code means.
    ``binaries``: the ones the input showed run_vmtests.sh running (``running ./X``); a
    plain ``ok 6 X # SKIP`` is their verdict too."""
    for r in results:
        if r.name or r.result_line is None:
            continue
        text = r.result_line.text
        _, body = strip_nesting(text)
        m = re.match(r"^(?:not ok|ok)\s+\d+(?:\s+-)?\s+(.*)$", body.strip())
        if not m:
            continue
        rest = m.group(1)
        runner = rest.startswith("selftests:") or EXIT.search(rest) is not None
        match = RUNNER_RESULT.match(rest)
        if match is None:
            continue
        name = match.group("name")
        if not runner and name not in KNOWN_BINARIES and name not in binaries:
            continue
        r.suite = name if name != "run_vmtests.sh" else r.suite or default_suite or name
        r.name = f"{name} (whole binary)"
        code = match.group("exit")
        if code is not None:
            r.message = f"exit={code}: {exit_meaning(int(code))}"
            if int(code) == 4:
                r.status = Status.SKIP
            elif killed_by_signal(int(code)):
                r.status = Status.CRASH
