"""Failures a tracker issue states in words, and the file state its repro program shows.

A report from a tracker often has no log: "the ftruncate syscall will fail with 'Invalid
argument'", "Last step fails with `No such file or directory` errno" (the call is in the step
above), "when calling these I get errno EOPNOTSUPP" (the calls are listed above it), "This
results in a `Permission denied`, or `No such device` error" (the call is in the repro). A
statement is a prose line (not code, not a log line, not a question, not negated) with a
failure word and an errno - its name, its strerror text or its number. Its call is the last call
of interest the line names before the errno; else the nearest line above that names one (the
repro's code counts); else the one call the prose names at all. A call may be named by its
macro (``SYS_MEMFD_CREATE``, ``__NR_userfaultfd``); "could not mmap the file" / "unable to
fstat" is a failure (its "not" no negation); an errno may be written lower-case with its number
("enosys 38"), and a one- or two-word strerror lower-case right after a failure word ("fails with
invalid argument"). Each (call, errno) becomes a
failed result, so the same rules explain it. Used only when nothing else in the input is a
result.

The file's state: an unlink shown before the failing call - ``unlink(``/``os.unlink`` in the
repro program, "Unlink the file" in the steps, "delete(unlink) it, then ftruncate" in the
sentence itself - marks a call on a descriptor as made on an open-but-unlinked file, as strace's
unlink-then-call sequence does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status, Syscall
from harness.readers.catalogue import ERRNO_NAME, ERRNO_NAMES, STRERROR, errno_name
from harness.readers.line_kinds import LOG_LIKE

# Calls a statement can be about, as strace names them. Words that are also plain English
# ("open", "read", "stat", "truncate") count only written as a call ("open(", `open`).
CALLS = {
    "ftruncate": "ftruncate", "fallocate": "fallocate", "fstat": "fstat", "fstatfs": "fstatfs",
    "statfs": "statfs", "mmap": "mmap", "madvise": "madvise", "mremap": "mremap",
    "munmap": "munmap", "mprotect": "mprotect", "memfd_create": "memfd_create",
    "userfaultfd": "userfaultfd", "io_uring_setup": "io_uring_setup", "openat": "openat",
    "fchmod": "fchmod", "fchown": "fchown", "futimens": "futimens", "fsync": "fsync",
    "shmget": "shmget", "memfd_secret": "memfd_secret", "mlock": "mlock", "mlock2": "mlock2",
    "mlockall": "mlockall", "shmat": "shmat", "mbind": "mbind", "set_mempolicy": "set_mempolicy",
    "get_mempolicy": "get_mempolicy", "set_mempolicy_home_node": "set_mempolicy_home_node",
    "migrate_pages": "migrate_pages", "move_pages": "move_pages", "ioctl": "ioctl",
    "write": "write",
    # (flock(1) is named for the call it makes: "`flock: (null): Bad file descriptor`")
    "flock": "flock",
}
# A call under a library's or program's name for it: glibc's 64-bit variants (ftruncate64,
# mmap64), posix_fallocate, fio's native_fallocate, a kernel-style sys_ or __ prefix.
LIBRARY_NAME = lazy(r"(?:native_|posix_|sys_|__)?([a-z_]+?[a-z])(?:64)?")
# Too general to stand for a statement's call unless the statement's own line names it.
NEARBY_ONLY = frozenset({"ioctl", "write"})
# A perror() line, however it is quoted in a sentence: "<call>: <strerror>" is a failure by its
# form ('Logs are cluttered with "mbind: Operation not permitted"').
PERROR_END = lazy(r"\b([a-z_][a-z0-9_]*)(?:\(\))?:\s*$")
# Locking memory said in words, as programs report a failed mlock(): "Failed to lock deleted
# flags for ... in memory", "Unable to lock JVM Memory", "Error locking page at 0x...".
LOCK_MEMORY = lazy(r"\block(?:ing|ed)?\b(?:\s+[\w.-]+){0,8}?\s+(?:in(?:to)?\s+)?"
                   r"(?:memory|RAM)\b|\blocking\s+(?:a\s+)?pages?\b", re.IGNORECASE)
# io_uring named as a whole ("failed to create io_uring ring fd", "io_uring operation not
# permitted", Java's Native.ioUringSetup): its setup is the call that fails first (netty
# incubator #41, spider #243).
IO_URING_RING = lazy(r"\bio_uring(?![_\w])|\bioUringSetup\b|\bio-uring\b")
# "<it> does not support this operation", in words: EOPNOTSUPP ("zfs not support this operation",
# minio #6231; "the filesystem doesn't support this operation").
NOT_SUPPORTED_WORDS = lazy(r"\b(?:(?:does|do|did)\s+not|doesn't|don't|didn't|not)\s+"
                           r"supports?\s+(?:this|that|the|such an?)\s+operation\b",
                           re.IGNORECASE)
# A call on a descriptor said by its verb: "writing to the descriptor that created it"
# (openvfs #65), "Truncating through a descriptor already open for writing" (openvfs #66),
# "mapping the file descriptor".
DESCRIPTOR_VERB = lazy(r"\b(writ|truncat|mapp|allocat)(?:e|es|ed|ing)\b(?:\s+[\w-]+){0,3}?"
                       r"\s+(?:file\s+)?descriptors?\b", re.IGNORECASE)
VERB_CALL = {"writ": "write", "truncat": "ftruncate", "mapp": "mmap", "allocat": "fallocate"}
# A call by its macro name, as C and Go programs name it: SYS_MEMFD_CREATE, __NR_userfaultfd.
MACRO_CALL = lazy(r"\b(?:SYS|__NR)_([A-Za-z0-9_]+)\b")
# A call as Go names it: the syscall or x/sys/unix package's exported wrapper ("syscall.Mmap",
# "unix.Fallocate", "unix.MemfdCreate"): its name in snake case is the system call.
GO_CALL = lazy(r"\b(?:syscall|unix)\.([A-Z][A-Za-z0-9]*)\b")
GO_WORD = lazy(r"(?<=[a-z0-9])(?=[A-Z])")
# A failure said as what could not be done: "Could not mmap the file", "unable to fstat". The
# "not" is the failure, no negation of it.
COULD_NOT = lazy(r"\b(?:could\s+not|couldn't|can\s?not|can't|unable\s+to|failed\s+to)"
                 r"\s+`?([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
# An errno written lower-case with its number ("return enosys 38"): the pair is unmistakable.
ERRNO_WITH_NUMBER = lazy(r"\b(e[a-z0-9]{2,14})\s*[\s(=:]\s*(\d{1,3})\b")
# A short strerror written lower-case right after a failure word ("fails with invalid
# argument", "returns no such device"): English only where no failure word leads to it.
# (Go's error strings end so after a colon: "syscall map failed: invalid argument", "file
# resize error: invalid argument", boltdb #592 and #459)
SHORT_LEAD = r"\b(?:with|returns?|returned|returning|gives?|gave|got|gets?|error:?|" \
    r"fail(?:ed|s|ure):|errno\s*[=:])\s+" \
    r"(?:an?\s+|the\s+)?(?:error\s+)?['\"`]?"
WRITTEN_AS_CALL = {"open": "openat", "truncate": "ftruncate", "creat": "openat"}
# Calls on a descriptor: what an unlink before them can concern.
ON_DESCRIPTOR = frozenset({"ftruncate", "fallocate", "fstat", "fstatfs", "mmap", "fchmod",
                           "fchown", "futimens", "fsync"})
CALL_WORD = lazy(r"`?\b([a-z_][a-z0-9_]*)\b(\(|`)?")
ERRNO_NUMBER = lazy(r"\b[Ee]rrno\s*[=:]?\s*(\d{1,3})\b|"
                    r"\bfail(?:ed|s)? with error code\s*[=:]?\s*(\d{1,3})\b")
# Errno names joined by '/' or '|' list what a program handles or rules out
# ("returns `EOPNOTSUPP`/`EISDIR`/`ENOSYS`/`EINVAL`", "not `EACCES`/`EPERM`"): none of them is
# the one that happened.
# The exceptions Java's NIO and Python raise for an errno, by name: "java.nio.file.
# NoSuchFileException: /proc/sys/vm/max_map_count" (google/gvisor #2337), "PermissionError:".
EXCEPTION_ERRNO = {
    "NoSuchFileException": "ENOENT", "FileNotFoundError": "ENOENT",
    "AccessDeniedException": "EACCES", "PermissionError": "EACCES",
    "FileAlreadyExistsException": "EEXIST", "FileExistsError": "EEXIST",
    "NotDirectoryException": "ENOTDIR", "NotADirectoryError": "ENOTDIR",
    "DirectoryNotEmptyException": "ENOTEMPTY", "IsADirectoryError": "EISDIR",
}
EXCEPTION_NAME = lazy(r"\b(" + "|".join(EXCEPTION_ERRNO) + r")\b")
ERRNO_LIST = lazy(r"`?\bE[A-Z0-9]{2,15}\b`?(?:\s*[/|]\s*`?\bE[A-Z0-9]{2,15}\b`?)+")
# Longest first: "Operation not supported" before "Operation not permitted" does not matter, but
# "No such file or directory" must not be read as a shorter text inside it.
STRERRORS = sorted(STRERROR, key=len, reverse=True)
STRERRORS_LOWER = tuple((words, words.lower()) for words in STRERRORS)
FAILURE = lazy(r"\b(?:fail(?:s|ed|ing|ure)?|return(?:s|ed|ing)?|get|gets|got|getting|"
               r"results?\s+in|resulted\s+in|errors?|gives?|gave|throws?|reports?)\b|"
               r"=\s*-1\b", re.IGNORECASE)
# a negation word, not an option's value ("--cache=never") or part of a name
NEGATED = lazy(r"(?<![\w=-])(?:not|never|no longer|without|instead of)(?![\w=-])|n't\b",
               re.IGNORECASE)
UNLINK = lazy(r"\bunlink(?:at|ed|s|ing)?\b|\bremove\(", re.IGNORECASE)
# Open flags a filesystem may refuse, as the text asks for them: direct I/O (an open flag, a
# job file's or a command's option) and unnamed temporary files.
FLAG_WORDS = {
    "O_DIRECT": lazy(r"\bO_DIRECT\b|\bdirect\s*=\s*(?:1|true)\b|--direct\b|"
                     r"\b[io]flag=direct\b"),
    # ... and as programs word it: nix's "creating anonymous temporary file", "unnamed tmpfile"
    "O_TMPFILE": lazy(r"\bO_TMPFILE\b|\b(?:anonymous|unnamed) (?:temporary|temp|tmp) ?file\b",
                      re.IGNORECASE),
    "MAP_HUGETLB": lazy(r"\bMAP_HUGETLB\b"),
    "MAP_SHARED": lazy(r"\bM?MAP_SHARED\b"),  # "MMAP_SHARED mode" is how people say it
    "MFD_HUGETLB": lazy(r"\bMFD_HUGETLB\b"),
    "SHM_HUGETLB": lazy(r"\bSHM_HUGETLB\b"),
}
FLAG_CALLS = {"O_DIRECT": frozenset({"openat", "read", "write", "pread64", "pwrite64"}),
              "O_TMPFILE": frozenset({"openat"}), "MAP_HUGETLB": frozenset({"mmap"}),
              "MAP_SHARED": frozenset({"mmap"}), "MFD_HUGETLB": frozenset({"memfd_create"}),
              "SHM_HUGETLB": frozenset({"shmget"})}
OPEN_FLAGS = ("O_DIRECT", "O_TMPFILE")
# A line of program source, whether or not a fence says so: a statement's end, a block's brace,
# a comment, a preprocessor line, a keyword that starts a statement.
CODE_LINE = lazy(r"^(?:return\b|if\s*\(|else\b|for\s*\(|while\s*\(|case\b|func\b|def\b|"
                 r"static\b|#\s*(?:if|ifdef|ifndef|endif|else|include|define)\b|//|/\*|"
                 r"\*|[{}])|[;{}]\s*$|^[\w.>\[\]-]+\s*[+\-*/|&]?=[^=]")
CLAUSE_BREAK = lazy(r"[.;!?]\s|,\s|\b(?:but|however|although|though|while)\b",
                    re.IGNORECASE)
UNSUPPORTED = frozenset({"EOPNOTSUPP", "ENOTSUPP", "ENOTSUP"})
# Transparent huge pages named by the text: madvise() EINVAL is then likeliest a kernel without
# THP (MADV_HUGEPAGE refused; minikube #5765: "a fully grown kernel will offer
# /sys/kernel/mm/transparent_hugepage/enabled") - unless the text shows THP there.
THP_NAMED = lazy(r"/sys/kernel/mm/transparent_hugepage|CONFIG_TRANSPARENT_HUGEPAGE\b|"
                 r"\btransparent[ _]huge ?pages?\b|\bMADV_HUGEPAGE\b|\bTHP\b",
                 re.IGNORECASE)
THP_PRESENT = lazy(r"\[(?:always|madvise|never)\]|CONFIG_TRANSPARENT_HUGEPAGE=y|"
                   r"AnonHugePages:\s*[1-9]")
THP_MARK = " (THP named)"
# The mapping limit named by the text: mmap()/mprotect() ENOMEM with free memory is likeliest
# vm.max_map_count (ClickHouse #11027, Vespa #27229, urbit vere #624).
MAP_COUNT_NAMED = lazy(r"\bmax_map_count\b|\bmaximum number of (?:memory )?mappings\b|"
                       r"\b(?:lack|number) of (?:memory )?mappings\b", re.IGNORECASE)
MAP_COUNT_CALLS = frozenset({"mmap", "mprotect", "munmap", "mremap"})
MAP_COUNT_MARK = " (max_map_count named)"
# A container runtime named by the text: EPERM from io_uring there is its seccomp profile, which
# the kernel's own EPERM (kernel.io_uring_disabled) is not (moby #39396; rule io-uring-seccomp).
CONTAINER_NAMED = lazy(r"\b(?:docker|podman|containerd|container|kubernetes|k8s|seccomp|"
                       r"runc|crun|lxc)\b", re.IGNORECASE)
CONTAINER_CALLS = frozenset({"io_uring_setup", "io_uring_enter", "io_uring_register"})
CONTAINER_MARK = " (container named)"
STATED = "report"  # the suite of a failure taken from prose
# What should, would or is expected to happen is no failure that did.
HYPOTHETICAL = lazy(r"\b(?:should|would|could|must|might|expect(?:s|ed)?|supposed|"
                    r"ought|want(?:s|ed)?|if)\b", re.IGNORECASE)
LOOK_BACK = 12  # lines above a statement searched for its call
WRAP_LOOK_BACK = 3  # lines of one wrapped sentence searched for its failure word
MAX_LINES = 5000  # a prose report is short; a long input is a log, read by the other readers


@dataclass
class ProseReader:
    lines: list[LogLine] = field(default_factory=list)
    unlinks: list[tuple[int, int]] = field(default_factory=list)  # (line, column) of unlinks
    flags: set[str] = field(default_factory=set)  # open flags the text names (FLAG_WORDS)

    def feed(self, line: LogLine) -> None:
        if len(self.lines) >= MAX_LINES:
            return
        text = line.text[:2000]  # a paragraph of prose is one long line
        if len(self.unlinks) < 100 and (m := UNLINK.search(text)):
            self.unlinks.append((line.line, m.start()))
        for flag, words in FLAG_WORDS.items():
            if flag not in self.flags and words.search(text):
                self.flags.add(flag)
        self.lines.append(line)  # a tracker's paragraph is one line: its clauses are judged

    def results(self, in_code: Callable[[int], bool]) -> list[Result]:
        """One failed result per (call, errno) the prose states. Fences say which lines are
        code; when they leave no statement (the whole report pasted inside a fence, a fence
        lost by quoting) each line is judged by its own looks alone."""
        return self._statements(in_code) or self._statements(lambda _: False) \
            or self._unlinked_failures(in_code) or self._unlinked_failures(lambda _: False)

    def _unlinked_failures(self, in_code: Callable[[int], bool]) -> list[Result]:
        """A call on a descriptor told to fail after an unlink the text shows, without its
        errno ("After UNLINK is executed, ftruncate is implemented using setattr ... this
        results in error"): the unlink-then-call sequence in words. The errno stays unknown
        (a rule may say what the filesystem gives)."""
        for index, line in enumerate(self.lines):
            text = line.text.strip()
            if in_code(line.line) or CODE_LINE.search(text) or LOG_LIKE.match(text) \
                    or text.endswith("?") or _errnos(text) or not (m := FAILURE.search(text)):
                continue
            clause = _clause(text, m.start())
            call = _last_call(text[:m.start()]) or self._call_above(index)
            if call not in ON_DESCRIPTOR or NEGATED.search(clause) \
                    or HYPOTHETICAL.search(clause) \
                    or not any(u < line.line for u, _ in self.unlinks):
                continue
            return [Result(STATED, 1, f"{call}() (stated)", "local file", Status.FAIL, text,
                           result_line=line, syscall=call, syscall_source="diagnostic")]
        return []

    def _statements(self, in_code: Callable[[int], bool]) -> list[Result]:
        out: list[Result] = []
        seen: set[tuple[str, str]] = set()
        for index, line in enumerate(self.lines):
            text = line.text.strip()
            if in_code(line.line) or CODE_LINE.search(text) or LOG_LIKE.match(text) \
                    or text.endswith("?"):
                continue
            # a strerror alone on its line under a failure ("Assertion Failed!" then
            # "Operation not permitted"): the failure word is the line above's
            under_failure = (text.rstrip(".!") in STRERROR and index > 0
                             and FAILURE.search(self.lines[index - 1].text) is not None) \
                or self._wrapped_failure(index, in_code)
            for column, errno in _errnos(text):
                clause = _clause(text, column)
                # "Cannot mmap 4 KiB, errno: 12": the failure may be clauses before its errno
                could_not = _could_not(text[:column])
                if could_not:  # its "not" is the failure itself
                    clause = clause.replace(could_not, " " * len(could_not))
                perror = _perror_call(text[:column])
                if perror:  # "mbind: Operation not permitted": the strerror's own words
                    clause = clause[:len(clause) - len(perror)]
                if not (under_failure or could_not or perror
                        or FAILURE.search(text[:column + 40])) \
                        or NEGATED.search(clause) or HYPOTHETICAL.search(clause):
                    continue
                call = _last_call(text[:column]) or self._call_above(index) or \
                    self._only_call(in_code)
                # without a call only "not supported" still says something: the filesystem (or
                # driver) lacks an operation the program used
                if (not call and errno not in UNSUPPORTED) or (call, errno) in seen:
                    continue
                seen.add((call, errno))
                what = f"{call}() {errno}" if call else f"an operation: {errno}"
                out.append(Result(STATED, len(out) + 1, f"{what} (stated)",
                                  "local file", Status.FAIL, text, result_line=line,
                                  syscall=call or None, errno=errno,
                                  syscall_source="diagnostic"))
        return out

    def _wrapped_failure(self, index: int, in_code: Callable[[int], bool]) -> bool:
        """The line above is this one's beginning, broken by a mail client or a 72-column
        wrap ("Unexpected error from memfd_create("'," / "MFD_HUGETLB): Function not
        implemented"): its sentence goes on, and its last clause states a failure."""
        below = self.lines[index]
        for above in reversed(self.lines[max(0, index - WRAP_LOOK_BACK):index]):
            text = above.text.rstrip()
            if not text or in_code(above.line) or text.endswith((".", "!", "?", ":")) \
                    or LOG_LIKE.match(text.strip()) or line_gap(above, below):
                return False
            tail = _clause(text, len(text))
            if NEGATED.search(tail) or HYPOTHETICAL.search(tail):
                return False
            if FAILURE.search(text):
                return True
            below = above
        return False

    def _call_above(self, index: int) -> str:
        for line in reversed(self.lines[max(0, index - LOOK_BACK):index]):
            if calls := [c for c in _calls(line.text) if c not in NEARBY_ONLY]:
                return calls[-1]
        return ""

    def _only_call(self, in_code: Callable[[int], bool]) -> str:
        named = {c for line in self.lines
                 if not in_code(line.line) and not CODE_LINE.search(line.text.strip())
                 for c in _calls(line.text) if c not in NEARBY_ONLY}
        return next(iter(named)) if len(named) == 1 else ""

    def mark_file_state(self, results: list[Result], commands: list[LogLine]) -> None:
        """What the text shows of the file: unlinked while open (an unlink before the failing
        call), opened with a flag a filesystem may refuse (O_DIRECT - also direct=1 or
        oflag=direct in a job file or a command it shows -, O_TMPFILE). A flag marks the calls
        it concerns when the text names that one flag only; a failure stated without its call
        ("... failed with error Operation not supported") is then the open."""
        flags = set(self.flags) | {f for c in commands for f, w in FLAG_WORDS.items()
                                   if w.search(c.text)}
        opens = [f for f in OPEN_FLAGS if f in flags]
        for r in results:
            if r.syscall is None and len(opens) == 1 and r.errno in UNSUPPORTED | {"EINVAL"}:
                r.syscall = "openat"
            # open(2)'s one EOPNOTSUPP: "the filesystem ... does not support O_TMPFILE"
            if r.syscall == "openat" and r.errno in UNSUPPORTED and "O_TMPFILE" not in r.name:
                r.name += " (O_TMPFILE)"
            # each call takes the one flag of its own the text names (not two open flags); a
            # mapping's flags go together (MAP_SHARED|MAP_HUGETLB)
            mine = sorted(f for f in flags if r.syscall in FLAG_CALLS[f])
            if len(mine) == 1 or (mine and not set(mine) & set(OPEN_FLAGS)):
                r.name += "".join(f" ({f})" for f in mine if f not in r.name)
        self._mark_thp(results)
        self._mark_unlinked(results)

    def _mark_thp(self, results: list[Result]) -> None:
        """madvise() EINVAL in a text that names THP and does not show it there (rule
        thp-not-built); mmap()/mprotect() ENOMEM in a text that names the mapping limit (rule
        map-count-limit): the line that names it goes with the result."""
        thp = None if any(THP_PRESENT.search(x.text) for x in self.lines) else \
            next((x for x in self.lines if THP_NAMED.search(x.text)), None)
        maps = next((x for x in self.lines if MAP_COUNT_NAMED.search(x.text)), None)
        runtime = next((x for x in self.lines if CONTAINER_NAMED.search(x.text)), None)
        for r in results:
            if runtime is not None and r.syscall in CONTAINER_CALLS and r.errno == "EPERM" \
                    and CONTAINER_MARK not in r.name:
                r.name += CONTAINER_MARK
                r.diagnostics = [runtime] + r.diagnostics
            if thp is not None and (r.syscall, r.errno) == ("madvise", "EINVAL") \
                    and THP_MARK not in r.name:
                r.name += THP_MARK
                r.diagnostics = [thp] + r.diagnostics
            if maps is not None and r.syscall in MAP_COUNT_CALLS and r.errno == "ENOMEM" \
                    and MAP_COUNT_MARK not in r.name:
                r.name += MAP_COUNT_MARK
                r.diagnostics = [maps] + r.diagnostics

    def _mark_unlinked(self, results: list[Result]) -> None:
        """Results on a descriptor after an unlink the text shows: an open-but-unlinked file."""
        for r in results:
            line = r.result_line
            if line is None or r.syscalls or r.syscall not in ON_DESCRIPTOR:
                continue
            column = _call_column(line.text, r.syscall)
            if any(u < line.line or (u == line.line and c < column) for u, c in self.unlinks):
                r.config = "local tmpfile"
                r.name = f"{r.name} (unlinked)"
                r.syscalls = [Syscall(0, r.syscall, "", "-1", r.errno, line, None, unlinked=True)]


def line_gap(above: LogLine, line: LogLine) -> bool:
    """Whether a blank line (or more) parted two lines of the text."""
    return line.line - above.line > 1


def call_before_errno(text: str) -> str:
    """The last call of interest a line names before its first errno ("" if none)."""
    found = _errnos(text)
    return _last_call(text[:found[0][0]]) if found else ""


# A call said to fail on a filesystem the same line names, without an errno ("fallocate is
# failed on NFS.", magistrate #111; "fallocate failure on path hosted on NFS", nuage-metroae
# #1518's title): the call on a file; what the filesystem gives is a rule's to assume.
FAILED_WORD = lazy(r"\bfail(?:s|ed|ing|ures?)?\b", re.IGNORECASE)


def call_failed_on_fs(text: str, fs_words: re.Pattern[str]) -> str:
    """The call on a file (``ON_DESCRIPTOR``) a line names before its failure word, when a
    filesystem is named after it; "" otherwise."""
    m = FAILED_WORD.search(text)
    if m is None or not fs_words.search(text, m.end()) or _errnos(text):
        return ""
    clause = _clause(text, m.start())
    if NEGATED.search(clause) or HYPOTHETICAL.search(clause):
        return ""
    call = _last_call(text[:m.start()])
    return call if call in ON_DESCRIPTOR else ""


def errnos_in(text: str) -> list[tuple[int, str]]:
    """(column, errno name) of each errno a line names (its name, number or strerror)."""
    return _errnos(text)


def _errnos(text: str) -> list[tuple[int, str]]:
    """(column, errno name) of each errno the line names, in order."""
    found: dict[str, int] = {}
    listed = [m.span() for m in ERRNO_LIST.finditer(text)] if "/" in text or "|" in text else []
    for m in ERRNO_NAME.finditer(text):
        if m.group(1) in ERRNO_NAMES and not any(a <= m.start() < b for a, b in listed):
            found.setdefault(m.group(1), m.start())
    for m in ERRNO_NUMBER.finditer(text):
        if name := errno_name(m.group(1) or m.group(2)):
            found.setdefault(name, m.start())
    for m in ERRNO_WITH_NUMBER.finditer(text):
        if errno_name(m.group(2)) == m.group(1).upper():
            found.setdefault(m.group(1).upper(), m.start())
    for m in NOT_SUPPORTED_WORDS.finditer(text):
        found.setdefault("EOPNOTSUPP", m.start())
    for m in EXCEPTION_NAME.finditer(text):
        found.setdefault(EXCEPTION_ERRNO[m.group(1)], m.start())
    _strerrors(text, found)
    return sorted((column, name) for name, column in found.items())


def _strerrors(text: str, found: dict[str, int]) -> None:
    """The strerror texts a line names, into ``found`` (errno name -> column)."""
    lowered, exact = text.lower(), text
    # Only the texts the line holds in some case can be found (most lines hold none): one
    # substring test each instead of a search per short text on every line.
    for words in [words for words, low in STRERRORS_LOWER if low in lowered]:
        # a short text ("Not supported", "Invalid argument") only as printed, capital first:
        # "is not supported by GPFS" is English, not musl's strerror
        if len(words.split()) < 3:
            if (at := exact.find(words)) >= 0:
                found.setdefault(STRERROR[words], at)
                exact = exact[:at] + " " * len(words) + exact[at + len(words):]
            # or lower-case right after a failure word ("fails with invalid argument")
            elif led := re.search(SHORT_LEAD + re.escape(words.lower()) + r"\b", lowered):
                found.setdefault(STRERROR[words], led.end() - len(words))
        elif (at := lowered.find(words.lower())) >= 0:
            found.setdefault(STRERROR[words], at)
            lowered = lowered[:at] + " " * len(words) + lowered[at + len(words):]


def _perror_call(before: str) -> str:
    """The "<call>: " right before a strerror (a perror() line), when the word is a call."""
    m = PERROR_END.search(before)
    return m.group(0) if m and _calls(m.group(0)) else ""


def _could_not(clause: str) -> str:
    """The "could not <call>" words of a clause, when what could not be done is a call."""
    for m in COULD_NOT.finditer(clause):
        if _calls(m.group(0)):
            return m.group(0)
    return ""


def _clause(text: str, column: int) -> str:
    """The clause of ``text`` that ends at ``column``: "I can't get X working. ... but when I
    copy a file I get the error" -> "when I copy a file I get the error"."""
    starts = [m.end() for m in CLAUSE_BREAK.finditer(text, 0, column)]
    return text[starts[-1] if starts else 0:column]


def _calls(text: str) -> list[str]:
    """The calls a line names, in the order it names them (a phrase counts where it ends)."""
    out: list[tuple[int, str]] = []
    for m in MACRO_CALL.finditer(text):
        if (word := m.group(1).lower()) in CALLS:
            out.append((m.start(), CALLS[word]))
    for m in GO_CALL.finditer(text):
        word = GO_WORD.sub("_", m.group(1)).lower()
        if (call := CALLS.get(word) or WRITTEN_AS_CALL.get(word)) is not None:
            out.append((m.start(), call))
    for m in CALL_WORD.finditer(text):
        word, written = m.group(1), m.group(2)
        if word in CALLS:
            out.append((m.start(), CALLS[word]))
        elif (base := _library_call(word)):
            out.append((m.start(), base))
        elif word in WRITTEN_AS_CALL and (written or text[m.start():m.start() + 1] == "`"):
            out.append((m.start(), WRITTEN_AS_CALL[word]))
    out += [(m.end(), "mlock") for m in LOCK_MEMORY.finditer(text)]
    out += [(m.start(), VERB_CALL[m.group(1).lower()]) for m in DESCRIPTOR_VERB.finditer(text)]
    out += [(m.start(), "io_uring_setup") for m in IO_URING_RING.finditer(text)]
    return [call for _, call in sorted(out)]


def _library_call(word: str) -> str:
    """The call a library or program names its own way ("native_fallocate" -> fallocate);
    the too general ones (write, ioctl) only under their own name."""
    m = LIBRARY_NAME.fullmatch(word)
    base = m.group(1) if m and m.group(1) != word else ""
    return CALLS[base] if base in CALLS and base not in NEARBY_ONLY else ""


def _last_call(text: str) -> str:
    calls = _calls(text)
    return calls[-1] if calls else ""


def _call_column(text: str, call: str) -> int:
    words = [w for w, c in {**CALLS, **WRITTEN_AS_CALL}.items() if c == call]
    columns = [m.start() for w in words for m in re.finditer(rf"\b{w}\b", text)]
    return min(columns) if columns else len(text)
