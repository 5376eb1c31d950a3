"""Extract the messages the mm selftests print from a kernel source tree.

    python tools/extract_mm_messages.py [--only LABELS] SRC_DIR VERSION [SRC_DIR VERSION ...]

SRC_DIR is tools/testing/selftests/mm (or .../vm before 6.3) of one kernel version. Each row:
version, file, line, call, the format string as written (C escapes kept, adjacent literals and
PRI* macros joined), and what the code reports next (skip, fail, or - when the next lines say
neither). Calls: the kselftest.h and kselftest_harness.h reporting functions,
perror/err/errx/warn, printf/fprintf whose format says SKIP/FAIL, and the shell scripts' echo
lines that give a reason (skip, not supported, root, missing, not enabled ...). Used to make
tests/fixtures/mm_messages/messages.tsv; the reading is textual (no preprocessor).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# call name -> index of the format argument
CALLS = {
    "ksft_test_result_skip": 0, "ksft_exit_skip": 0, "ksft_exit_fail_msg": 0,
    "ksft_print_msg": 0, "ksft_test_result_fail": 0, "ksft_test_result_error": 0,
    "ksft_test_result_xfail": 0, "ksft_exit_fail_perror": 0, "ksft_perror": 0,
    "ksft_test_result": 1, "ksft_test_result_report": 1, "SKIP": 1, "perror": 0,
    "err": 1, "errx": 1, "warn": 0, "warnx": 0, "TH_LOG": 0, "fprintf": 1, "printf": 0,
    "pkey_assert": -1, "ERROR": 0, "fail": 0, "skip": 0, "uffd_test_skip": 0,
    "uffd_test_fail": 0, "ksft_test_result_code": 2, "errexit": 1,
}
CALL_RE = re.compile(r"\b(" + "|".join(sorted(CALLS, key=len, reverse=True)) + r")\s*\(")
STRING_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
PRINTF_WANTED = re.compile(
    r"SKIP|FAIL|not supported|support for|please|root|skip|available|enabled|must|unable|"
    r"cannot|not enough|missing", re.IGNORECASE)
ECHO_RE = re.compile(r"""\b(echo|printf|skip|fail)\s+(?:-e\s+|-n\s+)*(["'])(.*?)\2""")
ECHO_WANTED = re.compile(
    r"skip|SKIP|not supported|not available|root|missing|not enabled|not found|No |"
    r"[Nn]ot enough|not set|please|Please|FAIL|fail|unable|Unable|cannot|can't|require|"
    r"must|does not|\bno |not present|Cannot",
)


def _args(text: str, start: int) -> list[str] | None:
    """The top-level arguments of the call whose '(' is at ``start``."""
    depth, args, cur, i = 0, [], [], start
    while i < len(text):
        c = text[i]
        if c == '"':
            m = STRING_RE.match(text, i)
            if not m:
                return None
            cur.append(m.group(0))
            i = m.end()
            continue
        if c == "'":
            j = text.find("'", i + 2 if text[i + 1] == "\\" else i + 1)
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
            if depth > 1:
                cur.append(c)
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return args
            cur.append(c)
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    return None


def _format(arg: str) -> str | None:
    """The format string of an argument made of literals (and PRI* macros), else None."""
    parts = STRING_RE.findall(arg)
    if not parts:
        return None
    rest = STRING_RE.sub("", arg)
    if re.sub(r"\bPRI[a-z]\d+\b|\bPRI[a-z]PTR\b|\s", "", rest):
        return None  # a conditional, a function call: not one fixed wording
    joined = re.sub(r'"\s*(PRI[a-z]\w*)\s*"', r"%\1", arg)
    return "".join(STRING_RE.findall(joined)) if joined != arg else "".join(parts)


def _strip_comments(text: str) -> str:
    out = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.DOTALL)
    return re.sub(r"//[^\n]*", "", out)


def _then(text: str, end: int) -> str:
    """What the code reports right after the call (the next few lines): skip, fail or -."""
    after = "\n".join(text[end:].split("\n", 5)[:5])
    skip = re.search(r"SKIP|_skip\(|\bskip\(", after)
    fail = re.search(r"FAIL|_fail\(|\bfail\(|exit\(1\)|return -1|\berr\(", after)
    if skip and (not fail or skip.start() < fail.start()):
        return "skip"
    return "fail" if fail else "-"


def c_rows(path: Path) -> list[tuple[int, str, str, str]]:
    text = _strip_comments(path.read_text(errors="replace"))
    own_err = "#define err(" in text  # the userfaultfd tests' err(fmt, ...), not err(3)
    rows = []
    for m in CALL_RE.finditer(text):
        name = m.group(1)
        if text[m.start() - 1:m.start()] in ("_", ".") or re.search(
                r"(?:void|int|static|define)\s+$", text[max(0, m.start() - 20):m.start()]):
            continue
        args = _args(text, m.end() - 1)
        if not args:
            continue
        index = 0 if name == "err" and own_err else CALLS[name]
        if index == -1:  # pkey_assert(cond): its own fixed wording, the condition is the text
            rows.append((text.count("\n", 0, m.start()) + 1, name, args[0], "fail"))
            continue
        if len(args) <= index:
            continue
        fmt = _format(args[index])
        if fmt is None or not fmt.strip("\\n "):
            continue
        if name in ("printf", "fprintf") and not PRINTF_WANTED.search(fmt):
            continue
        rows.append((text.count("\n", 0, m.start()) + 1, name, fmt, _then(text, m.end())))
    return rows


def sh_rows(path: Path) -> list[tuple[int, str, str, str]]:
    rows = []
    lines = path.read_text(errors="replace").splitlines()
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("#"):
            continue
        for m in ECHO_RE.finditer(line):
            if ECHO_WANTED.search(m.group(3)):
                after = " ".join([line[m.end():], *lines[number:number + 3]])
                then = "skip" if m.group(1) == "skip" or re.search(r"ksft_skip|skip", after) else (
                    "fail" if m.group(1) == "fail" or re.search(r"exit 1|FAIL", after) else "-")
                rows.append((number, m.group(1), m.group(3), then))
    return rows


def labelled(path: Path) -> set[tuple[str, str]]:
    """(file, format) of each labels.tsv row."""
    rows = set()
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            _family, name, fmt, *_fill = line.split("\t")
            rows.add((name, fmt))
    return rows


def main(argv: list[str]) -> int:
    only: set[tuple[str, str]] | None = None
    if argv[1:2] == ["--only"] and len(argv) > 2:
        only, argv = labelled(Path(argv[2])), argv[:1] + argv[3:]
    if len(argv) < 3 or len(argv) % 2 == 0:
        print("usage: extract_mm_messages.py [--only LABELS] SRC_DIR VERSION [SRC_DIR VERSION ...]",
              file=sys.stderr)
        return 2
    for src, version in zip(argv[1::2], argv[2::2]):
        for path in sorted(Path(src).iterdir()):
            if path.suffix in (".c", ".h"):
                rows = c_rows(path)
            elif path.suffix == ".sh":
                rows = sh_rows(path)
            else:
                continue
            for line, call, fmt, then in rows:
                fmt = fmt.replace("\t", "\\t")
                if only is None or (path.name, fmt) in only:
                    print(f"{version}\t{path.name}\t{line}\t{call}\t{fmt}\t{then}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
