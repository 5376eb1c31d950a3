"""Plain command output pasted as a report: ``fallocate: fallocate failed: Operation not
supported``, ``truncate: failed to truncate 'f' at 0 bytes: No such file or directory``,
``ftruncate: Permission denied``, a test's own perror() (``check_page_flags: Invalid argument``),
printed return values (``ftruncate: ret=-1 errno=2``) and "expected X, got Y" pairs.

Each such line becomes a failed result (suite ``command``) naming the syscall and errno, so
the same rules that explain a selftest's failure explain it. Used only when the input holds
no selftest results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status, Syscall
from harness.readers.catalogue import STRERROR, errno_name, strerror_of
from harness.readers.go_testify import Testify
from harness.readers.kernel_notices import kernel_notice
from harness.readers.strace import strace_shaped
from harness.readers.syscall_names import SYSCALLS

# The calls a command's message can name, as strace spells them.
CALLS = {
    "fallocate": "fallocate", "ftruncate": "ftruncate", "truncate": "ftruncate",
    "fstatfs": "fstatfs", "statfs": "statfs", "fstat": "fstat", "stat": "newfstatat",
    "mmap": "mmap", "open": "openat", "openat": "openat", "creat": "openat",
    "unlink": "unlink", "madvise": "madvise", "memfd_create": "memfd_create",
    "mkstemp": "openat", "tmpfile": "openat", "io_uring_setup": "io_uring_setup",
    "io_uring_queue_init": "io_uring_setup", "io_uring_register": "io_uring_register",
    # liburing's examples and tests print "queue_init: <strerror>" for io_uring_queue_init()
    "queue_init": "io_uring_setup", "io_uring_queue_init_params": "io_uring_setup",
    "io_uring_register_buffers": "io_uring_register", "write": "write", "read": "read",
    "fsync": "fsync", "mprotect": "mprotect", "vmsplice": "vmsplice",
    "munmap": "munmap", "mremap": "mremap", "ioctl": "ioctl", "userfaultfd": "userfaultfd",
    # memory locking, System V shared memory and NUMA policy (the limits and container
    # profiles that refuse them: rules memlock-limit, shm-limit, container-seccomp)
    "mlock": "mlock", "mlock2": "mlock2", "mlockall": "mlockall", "shmget": "shmget",
    "shmat": "shmat", "mbind": "mbind", "set_mempolicy": "set_mempolicy",
    "get_mempolicy": "get_mempolicy", "memfd_secret": "memfd_secret",
    # util-linux tools named for their call: "swapon: /root/swap: swapon failed: Invalid
    # argument" (swapon(8)), "flock: /srv/f.iso: No locks available" (flock(1)'s warn())
    "swapon": "swapon", "swapoff": "swapoff", "flock": "flock", "fcntl": "fcntl",
}
# A program's perror() naming what it was doing when the call failed: "./build_recorder:
# mmaping `/sys/devices/system/cpu/online': No such device" (eellak/build-recorder #167),
# "error opening file: ...", "truncating ...".
GERUNDS = {"mmaping": "mmap", "mmapping": "mmap", "mapping": "mmap", "opening": "openat",
           "reading": "read", "writing": "write", "truncating": "ftruncate",
           "unlinking": "unlink", "fallocating": "fallocate", "preallocating": "fallocate"}
# In a message whose form says a call failed ("<call>(...) failed: ...", "<call> failed:
# <strerror>", "<call>: ret=-1 errno=N"), any Linux system call is a call; the list above maps
# the library and English names it also knows.
NAMED = {**{name: name for name in SYSCALLS}, **CALLS}
# "prog: something: Strerror text" or "prog: Strerror text" (perror, err(3), util-linux), maybe
# with Boost's/std::system_error's category and value after it ("io_uring_queue_init: Operation
# not permitted [system:1]", liburing #1078).
PERROR = lazy(r"^(?P<prog>[\w./-]+)(?:\(\))?:\s+(?:(?P<what>.*?):\s+)?"
              r"(?P<err>[A-Z][^:\[]*?)\s*(?:\[(?:system|generic):\d+(?: at [^\]]*)?\])?\s*$")
# A program's own words for a failed mapping, the strerror after a colon: "Map file error: No
# such device" (Leanify on a mergerfs bind mount, JayXon/Leanify #79), "Failed to map file: No
# such device", "Unable to mmap the file: Invalid argument", "mapping failed: ...".
MAP_FAILED_WORDS = lazy(
    r"^(?:(?:failed|unable|cannot|could\s+not|couldn't|can't)\s+(?:to\s+)?m?map\b[^:]{0,40}?|"
    r"m?map(?:ping)?(?:\s+(?:the\s+|a\s+)?(?:file|memory|region|buffer))?\s+(?:error|failed|"
    r"failure))\s*:\s*(?P<err>[A-Z][^:]*?)\s*$", re.IGNORECASE)
# A program's own perror() naming a function of the test, not a syscall: "check_page_flags:
# Invalid argument" (hugepage-vmemmap). The errno is known; the call is not. Used only when no
# strace in the input says which call failed.
# An LTP runner's header naming the test whose output follows: ltp-pan's "2016-06-23T10:51:53
# Test: mtest06_3 Testparm: mmap3 -x 0.002 -p" (mtest06_3's mkstemp() EROFS lines), runltp's
# "tag=madvise07 stime=1645700830": a failed call printed under it is that test's.
RUNNER_TEST = lazy(r"^(?:\S+\s+)?Test:\s+(?P<test>[\w.-]+)\s+Testparm:|"
                   r"^tag=(?P<tag>[\w.-]+)\s+stime=\d")
OWN_FUNCTION = lazy(r"^[a-z][a-z0-9]*_[a-z0-9_]*$")
# A test program printing a call's return value and errno: "ftruncate: ret=-1 errno=2",
# "mmap returned -1, errno = 12".
RET_ERRNO = lazy(r"^(?P<call>[a-z_][a-z0-9_]*)(?:\(\))?:?\s+(?:ret(?:urned)?|rc|result)\s*"
                 r"[=:]?\s*-1\b[^=]{0,20}?\berrno\s*[=:]\s*(?P<errno>\d+|E[A-Z0-9]{2,15})\b")
# Older mm selftests print a step and its verdict on one line, no TAP: khugepaged before 6.1
# ("Collapse fully populated PTE table.... Fail"), uffd-unit-tests ("Testing UFFDIO_API (with
# syscall)... done", "... skipped [reason: feature missing]", "... failed [reason: ...]").
DOTTED = lazy(r"^(?P<name>\S.*?)\s*\.{3,}\s*(?P<verdict>OK|Fail(?:ed)?|Timeout|Skip(?:ped)?|"
              r"done|failed|skipped)\b\s*(?:\[reason:\s*(?P<reason>[^\]]*)\]|:\s*(?P<why>.*))?\s*$")
DOTTED_STATUS = {"ok": Status.PASS, "done": Status.PASS, "fail": Status.FAIL,
                 "failed": Status.FAIL, "timeout": Status.TIMEOUT, "skip": Status.SKIP,
                 "skipped": Status.SKIP}
# khugepaged's header of each case: "Run test: collapse_full (khugepaged:shmem)" - the collapse
# context (khugepaged, madvise) and the memory (anon, file, shmem) its verdict lines are about.
RUN_TEST = lazy(r"^Run test: (?P<test>\w+) \((?P<context>\w+):(?P<mem>\w+)\)$")
# "sudo ./khugepaged", "$ ./uffd-unit-tests": the program the verdict lines below come from.
PROGRAM_RUN = lazy(r"(?:^|\s)(?:sudo\s+)?\./([\w.+-]+)(?:\s|$)")
WORD = lazy(r"\b([a-z_][a-z0-9_]*)\b")
COMMAND_WORD = lazy(r"^(?:sudo\s+)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*([\w./+-]+)")
EXPECTED = lazy(
    r"\bexpected\b[:=\s]+(?P<want>[\w-]+).{0,40}?\b(?:actual|got|but got|returned|was)\b[:=\s]+"
    r"(?P<got>[\w-]+)|\bactual\b[:=\s]+(?P<got2>[\w-]+).{0,40}?\bexpected\b[:=\s]+(?P<want2>[\w-]+)",
    re.IGNORECASE,
)
ERRNO = lazy(r"^-?(E[A-Z0-9]{2,15})$")
# "mmap1.c:99: BROK: mmap(0x7f..,1024,3,1,3,0) failed: ENOENT", "ftruncate() failed: No such
# file or directory", "mmap(HIGH_ADDR, MAP_FIXED): 0xffffffffffffffff - FAILED"
# LTP's own line, whose call may carry a macro-expanded argument nested too deep for
# CALL_FAILED: "userfaultfd05.c:96: TBROK: ioctl(3,((((2U|1U) << ...)))),...) failed: EINVAL (22)".
LTP_CALL_FAILED = lazy(r"^[\w.-]+\.c:\d+: T?(?:BROK|FAIL): ([a-z_][a-z0-9_]*)\(.*\) "
                       r"failed: (E[A-Z0-9]{2,15})\b")
CALL_FAILED = lazy(
    r"\b([a-z_][a-z0-9_]*)\((?:[^()]|\([^()]*\))*\)[^()]{0,40}?(?:-\s*)?(?:failed|FAILED)\b"
    r"(?:\s*(?::|with)\s*(E[A-Z0-9]{2,15}\b|[A-Z][a-z][^:()]*?))?\s*(?:\(|$)")
# The errno's number and strerror in parentheses right after "failed": nginx's ngx_log_error()
# ('memfd_create(/unit.7150.7fd46a63) failed (38: Function not implemented)', 'mmap(MAP_ANON|
# MAP_SHARED, 1048576) failed (12: Cannot allocate memory)'), the errno name alone ("(ENOSYS)").
ERRNO_AFTER = lazy(r"\s*\((?:(?P<num>\d{1,3}):\s*(?P<err>[A-Z][^()]*?)|"
                   r"(?P<name>E[A-Z0-9]{2,15}))\)")
# A selftest's own assertion, outside TAP: protection_keys' pkey_assert() prints "assert() at
# protection_keys.c::812 test_nr: 19 iteration: 1" and then "errno at assert: 12"; the
# userfaultfd tests' err() prints "ERROR: munmap (errno=22, @uffd-common.c:277)".
ASSERT_AT = lazy(r"^assert\(\) at (?P<file>[\w.-]+?)\.c::?(?P<line>\d+)\b")
ERRNO_AT_ASSERT = lazy(r"^errno at assert: (?P<errno>\d+)\b")
ERROR_AT = lazy(r"^ERROR: (?P<what>.+?) \(errno=(?P<errno>\d+), @(?P<file>[\w.-]+?)"
                r"\.c:(?P<line>\d+)\)")
# A runner script's own shell error: "./run_vmtests.sh: line 432:
# /proc/sys/kernel/yama/ptrace_scope: No such file or directory" (the script failed a step; a
# signal report such as "line 186: 595563 Bus error" is not this).
SHELL_ERROR = lazy(r"^(?P<script>[\w./-]+\.sh): line (?P<line>\d+): (?P<what>[^:\d][^:]*): "
                   r"(?P<err>[A-Z][a-z][^:]*?)\s*$")
NESTING = lazy(r"^(?:#\s)+")
# The prefix syslog and journalctl put on each line: the time, the host, the program and its
# pid ("Jan 26 18:15:02 toy swapon[125673]: swapon: /swapfile: swapon failed: Invalid argument",
# "... toy kernel: BTRFS warning ...", NixOS/nixpkgs #156829), or an ISO time in its place
# (journalctl -o short-iso). What follows is the program's own line.
JOURNAL = lazy(r"^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d"
                r"(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?) [\w.-]+ [\w./@-]+(?:\[\d+\])?: (?=\S)")
# "fstat failed: No such file or directory", "mmap() failed: : Operation not permitted": a
# perror() whose prefix names the call and says it failed.
CALL_FAILED_PERROR = lazy(r"^(?P<call>[a-z_][a-z0-9_]*)(?:\(\))?\s+failed\s*:[\s:]*"
                          r"(?P<err>[A-Z][^:()]*?)\s*(?:\(\d+\))?\s*$")
# apt's "Unable to determine file size for fd 7 - fstat (2: No such file or directory)": the
# call, then the errno's number and its strerror in parentheses.
CALL_ERRNO_PAREN = lazy(r"\b(?P<call>[a-z_][a-z0-9_]*)\s*\((?P<num>\d{1,3}):\s*"
                        r"(?P<err>[A-Z][^()]*?)\)")
# fio's own error lines: "fio: io_u error on file f: Invalid argument: write offset=0, ...",
# "fio: pid=3, err=95/file:filesetup.c:805, func=open(temp.file), error=Operation not supported"
FIO_IO_U = lazy(r"^fio: io_u error on file .+?\s*:\s*(?P<err>[A-Z][^:]*?):\s*"
                r"(?P<op>read|write)\b")
FIO_FUNC = lazy(r"^fio: .*\berr=(?P<num>\d+)/.*\bfunc=(?P<func>[a-z_]+)\(.*?\),\s*"
                r"error=(?P<err>.+?)\s*$")
# A tool saying in words that the filesystem has no direct I/O (fio: "destination does not
# support O_DIRECT", "looks like your file system does not support direct=1/buffered=0").
NO_DIRECT_IO = lazy(r"\bdoes not support (?:O_DIRECT|direct(?:=1|[ -]I/?O))", re.IGNORECASE)
# The shell's report that a program died of a signal ("Bus error (core dumped)", "./t.sh: line
# 9: 4242 Aborted"); "Segmentation fault" is read as a crash line by the log reader already.
# Without the job prefix the shell prints the words alone or with "(core dumped)" after them:
# "Aborted tests" (CKI's legend heading) is no signal.
SHELL_SIGNAL = lazy(r"^(?:(?P<job>[\w./-]+: line \d+:\s+\d+\s+)(?P<sig>Bus error|"
                    r"Illegal instruction|Floating point exception|Aborted|Killed)"
                    r"(?:\s+\(core dumped\))?(?:\s+\S.*)?|(?P<sig2>Bus error|"
                    r"Illegal instruction|Floating point exception|Aborted|Killed)"
                    r"(?:\s+\(core dumped\)(?:\s+\S.*)?)?)$")
SIGNAL_WORDS = ("Bus error", "Illegal instruction", "Floating point", "Aborted", "Killed",
                "signal")
# A tool's own report that a process it ran died of a signal: stress-ng's "stress-ng-mmap: child
# died: signal 7 'SIGBUS'", "worker 3 killed by signal 9", "terminated by signal 11".
TOOL_SIGNAL = lazy(r"(?:(?P<prog>[\w.-]+): )?(?:child |process |worker \d+ )?"
                   r"(?:died|killed|terminated)(?: by)?:? signal (?P<num>\d{1,2})\b")
PAREN_NUMBER = lazy(r"\(\d{1,3}: ")  # the cheap part of CALL_ERRNO_PAREN, tried first
SIGNAL_NAMES = {"Bus error": "SIGBUS", "Illegal instruction": "SIGILL",
                "Floating point exception": "SIGFPE", "Aborted": "SIGABRT", "Killed": "SIGKILL"}
# df's line for a full filesystem: "tmpfs  2.9G  2.9G  0 100% /dev/shm"
DF_FULL = lazy(r"^\S+\s+\S+\s+\S+\s+0\S*\s+100%\s+/\S*$")
# A tool's output quoted by the tool that ran it: Ansible's "stderr: 'fallocate: ...'" and
# "- 'fallocate: ...'" (YAML), a JSON list's "...", possibly with a trailing comma.
QUOTED_VALUE = lazy(r"^(?:-\s+|\"?[\w.-]+\"?:\s+)?(['\"])(?P<inner>.+)\1,?$")
# Go's error text: an *os.PathError "open /tmp: operation not supported", a wrapped "unix open:
# operation not supported", "mmap: no such device" - the call, maybe its path, and the strerror
# lower-case (Go's syscall.Errno spelling), anywhere in a line (a JSON log's "error" field).
GO_ERROR = lazy(r"(?:^|[\s:\"'(`])(?P<call>[a-z_][a-z0-9_]*)(?: (?:/\S*|\S+/\S*))?: "
                r"(?P<err>[a-z][a-z ]{4,40}[a-z])(?=$|[\"'`,;)}\]]|\s*$)")
LOWER_STRERROR = {text.lower(): name for text, name in STRERROR.items()}
# Python: "os.ftruncate(tmp_obj.fileno(), 1024)" then "FileNotFoundError: [Errno 2] No such ...";
# the call may come from the posix or mmap module under its own name ("posix.posix_fallocate(fd,
# 0, 10)" then "OSError: [Errno 45] Operation not supported", CPython #123823 and #148841;
# "mmap.mmap(fd.fileno(), 0)").
PY_CALL = lazy(r"\b(?:os|posix|mmap)\.([a-z_]+)\(")
# A call under a library's name for it: posix_fallocate, glibc's ftruncate64/mmap64.
PY_LIBRARY_NAME = lazy(r"(?:posix_)?([a-z_]+?[a-z])(?:64)?")
# (a pasted excerpt may end inside the strerror: "OSError: [Errno 19] No suc", kata-containers
# #5634 as a search service keeps it - the number names the errno when the text begins its
# strerror)
PY_ERROR = lazy(r"^\w+Error: \[Errno (\d+)\] (.+?)(?:: '[^']*'(?: -> '[^']*')?)?$")


def _python_errno(number: str, text: str) -> str:
    """The errno of Python's "[Errno N] text": its strerror, or the number's errno when the
    text is the start of that errno's strerror (an excerpt cut inside it)."""
    if text in STRERROR:
        return STRERROR[text]
    name = errno_name(number)
    return name if name and len(text) >= 4 and strerror_of(name).startswith(text) else ""


def _strerror_prefix(text: str) -> str:
    """The errno of a strerror the program's own words continue ("Cannot allocate memory for
    blobs", Manticore): the longest strerror the text starts with, ended at a word."""
    best = ""
    for words in STRERROR:
        if len(words) > len(best) and text.startswith(words) \
                and (len(text) == len(words) or not text[len(words)].isalnum()):
            best = words
    return STRERROR[best] if best else ""


@dataclass
class Reader:
    # (line, call, errno, what)
    lines: list[tuple[LogLine, str, str, str]] = field(default_factory=list)
    suites: dict[int, str] = field(default_factory=dict)  # index in lines -> the test's name
    runner_test: str = ""  # the test an LTP runner's header above names (RUNNER_TEST)

    signals: list[tuple[LogLine, str]] = field(default_factory=list)  # (line, SIGxxx)
    full: list[LogLine] = field(default_factory=list)  # df lines of full filesystems
    programs: dict[int, str] = field(default_factory=dict)  # signal index -> the tool's name
    last_call: str = ""  # the os.<call>( a Python traceback showed last
    program: str = ""  # the selftest a shown command ran ("./khugepaged")
    context: str = ""  # khugepaged's "Run test: ... (khugepaged:shmem)" -> "khugepaged:shmem"
    # (line, program, step, status, reason, context) of "step... verdict" lines
    verdicts: list[tuple[LogLine, str, str, Status, str, str]] = field(default_factory=list)
    testify: Testify = field(default_factory=lambda: Testify(NAMED, _go_strerror))

    def feed(self, line: LogLine) -> None:
        if len(self.lines) >= 200:
            return
        text = line.text.strip()
        if not text or len(text) > 300:
            return
        text = _unwrapped(text)
        if self._runner_header(text):
            return
        if strace_shaped(text):  # the strace reader's: its failed call is the evidence, a
            return  # message inside its write() ("... failed: Func"...) only what it printed
        if self._told_apart(line, text) or self._assertion(line, text) \
                or self._verdict(line, text) or self._tool(line, text):
            return
        if m := PY_CALL.search(text):
            self.last_call = _python_call(m.group(1))
        if (m := PY_ERROR.match(text)) and self.last_call and (errno := _python_errno(
                m.group(1), m.group(2))):
            self.lines.append((line, self.last_call, errno, "(Python)"))
            return
        if (failed := _call_failed(text)) is not None:
            self.lines.append((line, *failed, "failed"))
            return
        if self._reported_error(line, text):
            return
        if m := EXPECTED.search(text):
            got = m.group("got") or m.group("got2") or ""
            want = m.group("want") or m.group("want2") or ""
            if (e := ERRNO.match(got)) and got != want:
                call = next((CALLS[w] for w in WORD.findall(text.split("expected")[0].lower())
                             if w in CALLS), "")
                self.lines.append((line, call, e.group(1), f"expected {want}, got {got}"))

    def _runner_header(self, text: str) -> bool:
        """An LTP runner's header naming the test whose output follows (RUNNER_TEST); below it,
        the next failed call is that test's."""
        if m := RUNNER_TEST.match(text):
            self.runner_test = m.group("test") or m.group("tag")
            return True
        if self.runner_test and len(self.lines) not in self.suites:
            self.suites[len(self.lines)] = self.runner_test  # (the next line's, if it is one)
        return False

    def _told_apart(self, line: LogLine, text: str) -> bool:
        """A failed call not told as "call: strerror": Go testify's block (error and call on
        different lines) or the kernel's own notice of a refusal."""
        if self.testify.feed(line, text):
            return True
        if notice := kernel_notice(text):
            self.lines.append((line, *notice))
            return True
        return False

    def _tool(self, line: LogLine, text: str) -> bool:
        """fio's error lines, a tool's "no O_DIRECT here", the shell's signal report, df."""
        # cheap tests first: most lines of a big log are none of these
        fio = text.startswith("fio:")
        if not (fio or "support" in text or "100%" in text
                or any(word in text for word in SIGNAL_WORDS)):
            return False
        if fio and (m := FIO_IO_U.match(text)) and m.group("err") in STRERROR:
            self.lines.append((line, m.group("op"), STRERROR[m.group("err")], "fio io_u error"))
        elif fio and (m := FIO_FUNC.match(text)) and m.group("func") in CALLS:
            errno = STRERROR.get(m.group("err"), "") or errno_name(m.group("num"))
            self.lines.append((line, CALLS[m.group("func")], errno, "fio"))
        elif NO_DIRECT_IO.search(text):
            self.lines.append((line, "openat", "EINVAL", "(O_DIRECT) refused, as the tool says"))
        elif m := SHELL_SIGNAL.match(text):
            if len(self.signals) < 100:
                self.signals.append((line, SIGNAL_NAMES[m.group("sig") or m.group("sig2")]))
        elif (m := TOOL_SIGNAL.search(text)) and (name := _signal_name(m.group("num"))):
            if len(self.signals) < 100:
                self.signals.append((line, name))
                if m.group("prog"):
                    self.programs[len(self.signals) - 1] = m.group("prog")
        elif DF_FULL.match(text):
            if len(self.full) < 20:
                self.full.append(line)
        else:
            return False
        return True

    def _verdict(self, line: LogLine, text: str) -> bool:
        """A step and its verdict on one line (older selftests without TAP)."""
        text = NESTING.sub("", text)
        if (m := DOTTED.match(text)) is None:
            if run := PROGRAM_RUN.search(text):
                self.program = run.group(1)
            if case := RUN_TEST.match(text):
                self.context = f"{case.group('context')}:{case.group('mem')}"
                self.program = self.program or "khugepaged"
                return True
            return False
        if len(self.verdicts) < 2000:
            status = DOTTED_STATUS[m.group("verdict").lower()]
            reason = (m.group("reason") or m.group("why") or "").strip() or m.group("verdict")
            self.verdicts.append((line, self.program, m.group("name").strip(" ."), status,
                                  reason, self.context))
        return True

    def _reported_error(self, line: LogLine, text: str) -> bool:
        """A printed return value with its errno, or a perror()/err(3) line with a strerror."""
        if (m := RET_ERRNO.match(text)) and m.group("call") in NAMED:
            number = m.group("errno")
            errno = number if not number.isdigit() else errno_name(number)
            self.lines.append((line, NAMED[m.group("call")], errno, "returned -1"))
            return True
        if (m := CALL_FAILED_PERROR.match(text)) and m.group("call") in NAMED \
                and m.group("err") in STRERROR:
            self.lines.append((line, NAMED[m.group("call")], STRERROR[m.group("err")], "failed"))
            return True
        if PAREN_NUMBER.search(text) and (m := CALL_ERRNO_PAREN.search(text)) \
                and m.group("call") in CALLS and m.group("err").strip() in STRERROR:
            self.lines.append((line, CALLS[m.group("call")], STRERROR[m.group("err").strip()],
                               "failed"))
            return True
        # (Go's "panic: open ...: no such file" is a crashed program: stated_failures reads it)
        if ": " in text and not text.startswith("panic:") and (go := _go_error(text)):
            self.lines.append((line, go[0], go[1], "failed (Go)"))
            return True
        if (m := MAP_FAILED_WORDS.match(text)) and m.group("err") in STRERROR:
            self.lines.append((line, "mmap", STRERROR[m.group("err")], "failed"))
            return True
        if (m := PERROR.match(text)) and (err := m.group("err")) in STRERROR:
            call = self._call(m.group("prog"), m.group("what") or "")
            if call or OWN_FUNCTION.match(m.group("prog")):
                what = m.group("what") or ("" if call else m.group("prog"))
                self.lines.append((line, call, STRERROR[err], what))
                return True
        return False

    def _assertion(self, line: LogLine, text: str) -> bool:
        """A selftest's own assertion line (and the errno it reports on the next line)."""
        text = NESTING.sub("", text)  # "# " prefixes of a nested kselftest runner
        if m := ASSERT_AT.match(text):
            self.suites[len(self.lines)] = m.group("file")
            where = f"{m.group('file')}.c:{m.group('line')}"
            self.lines.append((line, "", "", f"assertion at {where}"))
            return True
        if (m := ERRNO_AT_ASSERT.match(text)) and self.lines and not self.lines[-1][2]:
            last, call, _, what = self.lines[-1]
            self.lines[-1] = (last, call, errno_name(m.group("errno")), what)
            return True
        if (m := SHELL_ERROR.match(text)) and m.group("err") in STRERROR:
            script = m.group("script").rsplit("/", 1)[-1]
            self.suites[len(self.lines)] = script
            self.lines.append((line, "", STRERROR[m.group("err")],
                               f"line {m.group('line')}: {m.group('what')}"))
            return True
        if m := ERROR_AT.match(text):
            words = WORD.findall(m.group("what").lower())
            call = next((CALLS[w] for w in words[:1] if w in CALLS), "")
            self.suites[len(self.lines)] = m.group("file")
            where = f"{m.group('file')}.c:{m.group('line')}"
            self.lines.append((line, call, errno_name(m.group("errno")), f"error at {where}"))
            return True
        return False

    @staticmethod
    def _call(prog: str, what: str) -> str:
        for word in WORD.findall(what.lower()):
            if word in CALLS:
                return CALLS[word]
            if word in GERUNDS:
                return GERUNDS[word]
        return CALLS.get(prog.rsplit("/", 1)[-1].lower(), "")

    def results(self, syscalls: list[Syscall], commands: list[LogLine] | None = None
                ) -> list[Result]:
        """``commands``: the shell commands the text shows (a prompt line is not fed here)."""
        self.testify.finish()
        for line, call, errno, what, test in self.testify.found:
            if test:
                self.suites[len(self.lines)] = test
            self.lines.append((line, call, errno, what))
        self.testify.found.clear()
        out: list[Result] = []
        traced = any(s.failed for s in syscalls)
        for index, (line, call, errno, what) in enumerate(self.lines):
            if traced and not call and index not in self.suites:
                continue  # a perror() without its call: the strace says which call failed
            number = len(out) + 1
            message = line.text.strip()
            # the test binary a shell prompt above ran ("$ sudo ./gup_benchmark"), else "command"
            suite = self.suites.get(index) or _test_run_before(line, commands or []) or "command"
            name = f"{call}() {what}" if call else (what if suite != "command" else
                                                      f"command() {what}")
            out.append(Result(suite, number, name.strip(),
                              "local file", Status.FAIL, message, result_line=line,
                              syscall=call or None, errno=errno or None,
                              syscall_source="diagnostic" if errno else ""))
        for index, (line, signal) in enumerate(self.signals):  # a program seen dying of one
            program = self.programs.get(index) or _program_before(line, commands or []) \
                or "command"
            ran = [c for c in commands or [] if c.line < line.line][-1:]  # the command that ran it
            out.append(Result(program, len(out) + 1, f"{program} ({signal})", "", Status.CRASH,
                              f"{line.text.strip()} (killed by {signal})", result_line=line,
                              diagnostics=ran + [f for f in self.full if f.line < line.line]))
        for line, program, step, status, reason, context in self.verdicts:
            program = program or _program_before(line, commands or [])
            out.append(Result(program or "selftest", len(out) + 1, step, context, status,
                              reason if status is not Status.PASS else "", result_line=line))
        return out


def _unwrapped(text: str) -> str:
    """The line without a quoting value's quotes and a journal's "Jan 26 18:15:02 toy
    swapon[125673]: " prefix."""
    if text[-1] in "'\",\"" and (m := QUOTED_VALUE.match(text)):
        text = m.group("inner").strip()
    if m := JOURNAL.match(text):
        text = text[m.end():]
    return text


def _python_call(word: str) -> str:
    """The system call beneath a Python function ("posix_fallocate" -> fallocate)."""
    if word in CALLS:
        return CALLS[word]
    m = PY_LIBRARY_NAME.fullmatch(word)
    return CALLS.get(m.group(1), word) if m else word


def _call_failed(text: str) -> tuple[str, str] | None:
    """(call, errno) of "<call>(...) failed[: <strerror>| (<number>: <strerror>)]" and of
    LTP's "file.c:N: TBROK: <call>(...) failed: EXXX"; the errno may be unknown ("")."""
    if (m := LTP_CALL_FAILED.match(text)) and m.group(1) in NAMED:
        return NAMED[m.group(1)], m.group(2)
    if (m := CALL_FAILED.search(text)) and m.group(1) in NAMED:
        err = (m.group(2) or "").strip()
        errno = err if ERRNO.match(err) else STRERROR.get(err, "") or _strerror_prefix(err)
        if not errno and (n := ERRNO_AFTER.match(text, m.end() - 1)):
            errno = n.group("name") or STRERROR.get(n.group("err").strip(), "") \
                or errno_name(n.group("num"))
        return NAMED[m.group(1)], errno
    return None


def _go_strerror(text: str) -> tuple[str, str] | None:
    """(call, errno) of a Go error alone: "invalid argument" ("" for the call) or
    "open /x: no such file or directory"."""
    if errno := LOWER_STRERROR.get(text.lower()):
        return "", errno
    return _go_error(text)


def _go_error(text: str) -> tuple[str, str] | None:
    """(call, errno) of a Go error's "<call> [path]: <strerror in lower case>" in the line."""
    for m in GO_ERROR.finditer(text):
        if m.group("call") in NAMED and (errno := LOWER_STRERROR.get(m.group("err"))):
            return NAMED[m.group("call")], errno
    return None


def _signal_name(number: str) -> str:
    import signal

    try:
        return signal.Signals(int(number)).name
    except ValueError:
        return ""


def _test_run_before(line: LogLine, commands: list[LogLine]) -> str:
    """The program the last command before ``line`` ran from the current directory ("sudo
    ./gup_benchmark", "strace -e trace=file ./gup_benchmark"): a test built there, not a tool."""
    for command in reversed(commands):
        if command.line < line.line:
            m = PROGRAM_RUN.search(" " + command.text)
            return m.group(1) if m else ""
    return ""


def _program_before(line: LogLine, commands: list[LogLine]) -> str:
    """The selftest the last command before ``line`` ran ("sudo ./khugepaged" -> khugepaged)."""
    for command in reversed(commands):
        if command.line < line.line and (m := PROGRAM_RUN.search(" " + command.text)):
            return m.group(1)
    for command in reversed(commands):  # "sudo fio job.fio", "uftrace record ./t": the program
        if command.line < line.line and (m := COMMAND_WORD.match(command.text)):
            return m.group(1).rsplit("/", 1)[-1]
    return ""
