"""The mm selftests' own messages (tests/fixtures/mm_messages/) as the output a user pastes.

messages.tsv has every place a labelled message is printed, per kernel version, extracted
from the real source by tools/extract_mm_messages.py; labels.tsv says, per (file, format),
what the message says the cause is (read from the source, not from the rules) and the values
to fill its conversions with. ``render`` gives the text the kselftest library (or the shell
script, or a plain printf) prints for it: standalone, and nested in run_vmtests.sh's block.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from harness.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures" / "mm_messages"

# What triage may name for each family. ``kernel``: anything but env/config.
ACCEPT: dict[str, frozenset[str]] = {
    "root": frozenset({"not-root", "sysctl-limit"}),
    "hugetlb": frozenset({"hugetlb-pages-short", "hugetlb-not-reserved", "hugetlb-pool-empty",
                          "hugetlbfs-not-mounted", "hugetlbfs-not-built",
                          "hugetlb-page-size-unknown"}),
    "thp": frozenset({"thp-unavailable", "thp-not-built"}),
    "uffd": frozenset({"userfaultfd-unavailable", "userfaultfd-not-permitted"}),
    "swap": frozenset({"swap-missing", "pageout-failed-with-swap", "cow-pageout-zero-thp"}),
    "gup": frozenset({"gup-test-missing", "kernel-config-missing"}),
    "iouring": frozenset({"io-uring-unavailable"}),
    "secretmem": frozenset({"secretmem-unavailable"}),
    "feature": frozenset({"kernel-feature-missing", "kernel-config-missing",
                          "syscall-not-implemented", "madvise-enosys"}),
    "arch": frozenset({"arch-unsupported"}),
    "numa": frozenset({"numa-nodes-missing"}),
    "limits": frozenset({"sysctl-limit", "memlock-limit", "shm-limit", "map-count-limit",
                         "not-root"}),
    "fs": frozenset({"unknown-filesystem", "9p-dodgy-fs-skip", "fs-no-large-folio",
                     "fs-no-fallocate", "fs-unsupported-operation"}),
    "helper": frozenset({"helper-missing", "binary-cannot-start", "missing-shared-library"}),
    "memory": frozenset({"memory-short"}),
}
ENV_CATEGORIES = frozenset({"env", "config"})

CONVERSION = re.compile(
    r"%%PRI\w+|%PRI\w+|%[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t)?[diouxXscpfeg]|"
    r"\$\{\w+\}|\$\*")
# a binary whose output a header's message lands in
BINARY_OF = {"vm_util.h": "gup_longterm", "util.h": "transhuge-stress",
             "uffd-common.c": "uffd-unit-tests", "mseal_helpers.h": "mseal_test"}
RAW_CALLS = frozenset({"printf", "fprintf", "perror", "err", "errx", "errexit", "warnx", "echo",
                       "skip", "fail"})
STRERROR = "Invalid argument"


@dataclass(frozen=True)
class Message:
    version: str
    file: str
    line: int
    call: str
    format: str
    then: str  # what the code reports next: skip, fail or -
    family: str
    fill: tuple[str, ...]

    @property
    def binary(self) -> str:
        return BINARY_OF.get(self.file, self.file.rsplit(".", 1)[0])

    @property
    def id(self) -> str:
        return f"{self.version}:{self.file}:{self.line}"


def labels() -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    out = {}
    for line in (FIXTURES / "labels.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            family, name, fmt, *fill = line.split("\t")
            out[(name, fmt)] = (family, tuple(fill[0].split("|")) if fill else ())
    return out


def messages() -> list[Message]:
    """One per (version, file, call, format): the first place it is printed."""
    known, out, seen = labels(), [], set()
    for line in (FIXTURES / "messages.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            version, name, number, call, fmt, then = line.split("\t")
            if (version, name, call, fmt) not in seen:
                seen.add((version, name, call, fmt))
                family, fill = known[(name, fmt)]
                out.append(Message(version, name, int(number), call, fmt, then, family, fill))
    return out


def text_of(msg: Message) -> str:
    """The message as printed: C escapes decoded, conversions filled, one trailing newline
    dropped."""
    values = iter(msg.fill)

    def fill(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "$0":
            return f"./{msg.file}"
        value = next(values, None)
        if value is not None:
            return value
        return "test" if token.endswith("s") or token.startswith("$") else "1"

    text = CONVERSION.sub(fill, msg.format).replace("$0", f"./{msg.file}")
    text = text.replace("\\n", "\n").replace('\\"', '"').replace("\\t", "\t")
    return text.removesuffix("\n")


def _skips(msg: Message) -> bool:
    """Whether the test skips after the message (as its source says; for a call that is itself
    the result, as the call says)."""
    if msg.call == "ksft_test_result_xfail":
        return False
    if msg.call in ("ksft_test_result_skip", "ksft_exit_skip", "SKIP", "uffd_test_skip") or (
            msg.call == "skip" and msg.file != "khugepaged.c"):
        return True
    return msg.then == "skip"


def _raw_line(msg: Message, text: str) -> str:
    """A line printf/perror/err()/echo writes."""
    errno_text = msg.fill[-1] if msg.fill else STRERROR
    if msg.call == "perror":
        return f"{text}: {errno_text if msg.fill else STRERROR}"
    if msg.call in ("err", "errx") and msg.file not in ("userfaultfd.c", "uffd-common.c"):
        return f"{msg.binary}: {text}" + (f": {errno_text}" if msg.call == "err" else "")
    if msg.call in ("err", "errexit"):
        return f"ERROR: {text} (errno={msg.fill[-1] if msg.fill else 22}, line={msg.line})"
    if msg.call == "warnx":
        return f"{msg.binary}: {text}"
    if msg.file == "khugepaged.c" and msg.call in ("fail", "skip"):
        colour = "31" if msg.call == "fail" else "33"
        return f"Collapse fully populated PTE table.... \x1b[{colour}m{text}\x1b[0m"
    if msg.file.endswith(".sh") and msg.call == "skip" and "kmemleak" in msg.file:
        return f"SKIP: {text}"
    return text


def _uffd_output(msg: Message, text: str) -> list[str]:
    """uffd-unit-tests' own skip/fail lines: printf before 6.13, kselftest results since."""
    old = msg.version.startswith("6.") and msg.version < "6.13"
    if msg.call == "uffd_test_skip":
        if old:
            return [f"Testing {msg.binary}-test on anon... skipped [reason: {text}]",
                    "Userfaults unit tests: pass=0, skip=1, fail=0 (total=1)"]
        return ["TAP version 13", "1..1", f"ok 1 # SKIP {msg.binary}-test on anon ({text})",
                "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"]
    if old:
        return [f"Testing {msg.binary}-test on anon... failed [reason: {text}]",
                "Userfaults unit tests: pass=0, skip=0, fail=1 (total=1)"]
    return ["TAP version 13", "1..1", f"# failed reason: [{text}]",
            f"not ok 1 {msg.binary}-test on anon",
            "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"]


def own_output(msg: Message) -> list[str]:
    """What the binary prints, as its kselftest.h / kselftest_harness.h / printf writes it."""
    text = text_of(msg)
    lines = text.splitlines() or [text]
    call, totals = msg.call, "# Totals: pass:0 fail:{f} xfail:0 xpass:0 skip:{s} error:0"
    if call in ("ksft_test_result_skip", "skip") and not msg.file.endswith(".sh"):
        return ["TAP version 13", "1..1", f"ok 1 # SKIP {lines[0]}", *[f"# {x}" for x in lines[1:]],
                totals.format(f=0, s=1)]
    if call in ("uffd_test_skip", "uffd_test_fail"):
        return _uffd_output(msg, text)
    if call == "ksft_exit_skip":
        return ["TAP version 13", f"1..0 # SKIP {lines[0]}", *[f"# {x}" for x in lines[1:]]]
    if call == "SKIP":
        return ["TAP version 13", "1..1", "# Starting 1 tests from 1 test cases.",
                "#  RUN           global.test ...", f"#      SKIP      {text}",
                "#            OK  global.test", f"ok 1 global.test # SKIP {text}",
                "# PASSED: 1 / 1 tests passed.", totals.format(f=0, s=1)]
    if call == "TH_LOG":
        return ["TAP version 13", "1..1", "#  RUN           global.test ...",
                f"# {msg.file}:{msg.line}:test:{text}", "#            OK  global.test",
                "ok 1 global.test", totals.format(f=0, s=0)]
    if call in ("ksft_exit_fail_msg", "ksft_exit_fail_perror"):
        tail = f": {STRERROR} (22)" if call == "ksft_exit_fail_perror" else ""
        return ["TAP version 13", "1..1", f"Bail out! {lines[0]}{tail}",
                *[f"# {x}" for x in lines[1:]], totals.format(f=0, s=0)]
    if call in ("ksft_print_msg", "ksft_perror"):
        tail = f": {STRERROR} (22)" if call == "ksft_perror" else ""
        verdict = (f"ok 1 {msg.binary} # SKIP" if _skips(msg) else f"not ok 1 {msg.binary}")
        return ["TAP version 13", "1..1", *[f"# {x}" for x in lines[:-1]],
                f"# {lines[-1]}{tail}", verdict,
                totals.format(f=0, s=1) if _skips(msg) else totals.format(f=1, s=0)]
    if call == "ksft_test_result_xfail":  # upstream's own known failure (cow, 6.12 on)
        return ["TAP version 13", "1..1", f"ok 1 # XFAIL {lines[0]}",
                "# Totals: pass:0 fail:0 xfail:1 xpass:0 skip:0 error:0"]
    if call in ("ksft_test_result", "ksft_test_result_fail", "fail", "ksft_test_result_report"):
        return ["TAP version 13", "1..1", f"not ok 1 {lines[0]}", totals.format(f=1, s=0)]
    return [_raw_line(msg, x) for x in lines] if call in RAW_CALLS else lines


def standalone(msg: Message) -> str:
    """The binary run by hand (a shell script under the kselftest runner, as it runs them)."""
    body = own_output(msg)
    if msg.file.endswith(".sh"):
        verdict = (f"ok 1 selftests: mm: {msg.file} # SKIP" if _skips(msg)
                   else f"not ok 1 selftests: mm: {msg.file} # exit=1")
        return "\n".join([f"# selftests: mm: {msg.file}", *[f"# {x}" for x in body],
                          verdict]) + "\n"
    return "\n".join(body) + "\n"


def in_run_vmtests(msg: Message) -> str:
    """The same output in run_vmtests.sh's block for the binary (6.1's and later's layout)."""
    binary, before = msg.binary, []
    body = [f"# {x}" for x in own_output(msg)]
    if msg.file == "run_vmtests.sh":  # the script's own line, before the block it is about
        binary, before, body = "hugepage-mmap", [f"# {x}" for x in own_output(msg)], []
    rule = "# " + "-" * (len(binary) + 10)
    if _skips(msg):
        end = ["# [SKIP]", f"ok 1 {binary} # SKIP"]
    else:
        end = ["# [FAIL]", f"not ok 1 {binary} # exit=1"]
    return "\n".join([*before, rule, f"# running ./{binary}", rule, *body, *end]) + "\n"


def triage(tmp_path: Path, text: str) -> dict:
    """``harness triage --json -`` of ``text``; ``{"results": []}`` when it is refused."""
    log = tmp_path / "report.txt"
    log.write_text(text, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["triage", str(log), "--json", "-"])
    return json.loads(out.getvalue()) if out.getvalue() else {"results": []}
