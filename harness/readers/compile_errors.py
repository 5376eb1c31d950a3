"""A selftest that did not build: the compiler's own error lines, as a report pastes them.

    cow.c:755:26: error: 'MADV_PAGEOUT' undeclared (first use in this function); did you mean ...
    mremap_dontunmap.c:53:6: error: use of undeclared identifier 'MREMAP_DONTUNMAP'
    make: *** [../lib.mk:145: .../tools/testing/selftests/vm/cow] Error 1

Each distinct ``<file>:<line>[:<col>]: [fatal ]error: <message>`` of a selftest's C source is one
failed result of the program the file builds (``cow.c`` -> ``cow``): no test ran, the build failed.
The gcc "note:" lines and the source line it echoes are no results. A ``git show``/``git log``
listing quoted in a mail (``commit <id>``, ``Author:``, ``Date:``, then the message indented)
is an old commit's text - its compiler output is that commit's story, not this build's. A
reply quotes the build log it answers (``> mseal_test.c:1469:50: error: ...``): the quote
marks are taken off first (and what a web page leaves: ``&gt;``, non-breaking spaces). Used
only when the input holds no result lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status
from harness.readers.paste import clean_chars, unprefixed

ERROR = lazy(r"^(?P<dir>\S*/)?(?P<file>[\w.+-]+)\.(?P<ext>c|cc|cpp):(?P<line>\d+)(?::\d+)?: "
             r"(?:fatal )?error: (?P<msg>.+)$")
# The kernel's own sources: a build error there ("fs/coredump.c:903:9: error: 'return' with a
# value", "../arch/x86/include/asm/uaccess.h:217:2: error: inconsistent operand constraints",
# replies that tried a proposed kernel fix) is the fix's, not a selftest that did not build.
KERNEL_TREE = lazy(r"(?:^|/)(?:arch|block|certs|crypto|drivers|fs|include|init|io_uring|"
                   r"ipc|kernel|lib|mm|net|rust|samples|scripts|security|sound|virt)/")
COMMIT_HEAD = lazy(r"^commit [0-9a-f]{12,40}\b")
MAX_RESULTS = 200


@dataclass
class Reader:
    found: list[tuple[LogLine, str, str]] = field(default_factory=list)  # line, program, msg
    in_commit: bool = False  # inside a quoted `git show` listing

    def feed(self, line: LogLine) -> None:
        raw = line.text
        if COMMIT_HEAD.match(raw.lstrip("> ")):
            self.in_commit = True
            return
        if self.in_commit:
            body = raw.lstrip(">")
            if body.strip() and not body.startswith((" ", "\t")) and not body.startswith(
                    ("Author:", "Date:", "Merge:", "Commit:", "AuthorDate:", "CommitDate:")):
                self.in_commit = False
            else:
                return
        if "error" not in raw:
            return
        # (behind quote marks, a capture's stamps or a log viewer's line numbers)
        unquoted = unprefixed(LogLine(line.line, clean_chars(raw), line.source))
        if "error: " not in unquoted:
            return
        if (m := ERROR.match(unquoted)) and len(self.found) < MAX_RESULTS and not (
                m.group("dir") and KERNEL_TREE.search(m.group("dir"))
                and "selftests/" not in m.group("dir")):
            self.found.append((line, m.group("file"), m.group("msg").strip()))

    def results(self) -> list[Result]:
        out: list[Result] = []
        seen: set[tuple[str, str]] = set()
        numbers: dict[str, int] = {}
        for line, program, msg in self.found:
            # the same error at another line of the file is one missing name, told once
            key = (program, re.sub(r"\s*\(first use in this function\).*$", "", msg))
            if key in seen:
                continue
            seen.add(key)
            numbers[program] = numbers.get(program, 0) + 1
            out.append(Result(program, numbers[program], f"build: {msg}", "", Status.FAIL,
                              unprefixed(LogLine(line.line, clean_chars(line.text),
                                                 line.source)),
                              result_line=line))
        return out


def note(found: list[Result]) -> str:
    programs = sorted({r.suite for r in found})
    return (f"the compiler's error lines: {', '.join(programs[:4])} did not build "
            f"({len(found)} distinct error(s)); no test ran")
