"""Round 20-strace's classes (strace snippets and plain command output), each on a real public
text other than the one that showed it:

- an strace excerpt whose calls all succeed or only miss a lookup (`openat(...) = -1 ENOENT`)
  shows no failure, so it no longer silences the program's own error lines and the prose
  beside it (numactl #208: the flattened `get_mempolicy: Function not implemented` and "you
  didn't compile the kernel with CONFIG_NUMA"); the strace lines themselves are no "stated
  failure";
- a read that comes back empty from a file written before another descriptor opened it (every
  call succeeded: no errno shows it) is the filesystem losing the write (rule
  stale-read-after-write), not "no failures"; an empty read at the end of a file is ordinary.
"""

from __future__ import annotations

from harness.model import LogLine
from harness.readers.report_input import read_report_lines
from tests.test_report_classes import triage_read


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


# taviso/123elf #6 ("\"Error reading file\" on startup", 2022-05-21): the description's first
# line and josefcub's comment up to the first four lines of his grep (the search service's copy
# of the thread, its `user · comment · date` header kept). Nobody diagnosed it there from the
# grep: the lookups that miss are the loader's and the program's ordinary business.
LOTUS_GREP = """\
Sometimes Lotus says "Error reading file" on startup. The error can be dismissed by pressing \
Enter, and it seems to work after that.

What file is it talking about?

josefcub · comment · 2022-05-21
The advantage of strace is that it captures everything.  The major downside of strace is that \
it captures -everything- and you have to wade through it.

I looked for ENOENT in an strace dump, and came up with these:

```
$ grep ENOENT strace.txt 
access("/etc/ld.so.preload", R_OK)      = -1 ENOENT (No such file or directory)
openat(AT_FDCWD, "/lib/chrclass/ascii", O_RDONLY) = -1 ENOENT (No such file or directory)
openat(AT_FDCWD, "/usr/spool/lp/admins/lp/printers", O_RDONLY|O_NONBLOCK|O_LARGEFILE|O_CLOEXEC|\
O_DIRECTORY) = -1 ENOENT (No such file or directory)
access("/home/josefcub/lotus.bcf", R_OK) = -1 ENOENT (No such file or directory)
```
"""


def test_an_strace_of_lookup_misses_leaves_the_programs_own_error_to_read(tmp_path):
    """The grep's ENOENT lines are lookups, no failure; what the text says failed is read - an
    honest unknown (nothing names a cause), never "no failures" - and no strace line is taken
    for a stated failure of its own."""
    report = triage_read(tmp_path, LOTUS_GREP)
    assert report["verdict"] == "unknown"
    assert report["results"], "the program's error line is the failure"
    assert all("= -1" not in r["message"] for r in report["results"])


# numactl/numactl #212 ("better handling of CONFIG_NUMA=n / get_mempolicy: Function not
# implemented", 2024-02-02, nekopsykose): the description's first two paragraphs, with the
# issue title as its heading (the search service's copy). The reporter states the cause.
NUMACTL_212 = """\
# better handling of CONFIG_NUMA=n / get_mempolicy: Function not implemented

mostly the same thing as #208 , but i opened a new issue to not post in a closed one.

this happens because CONFIG_NUMA is disabled, but could it still be handled better?  
"""


def test_enosys_of_a_numa_call_with_config_numa_said_off_is_the_kernel_config(tmp_path):
    """"get_mempolicy: Function not implemented" and "this happens because CONFIG_NUMA is
    disabled": the kernel was built without the option (config), not the program or the
    environment."""
    report = triage_read(tmp_path, NUMACTL_212)
    assert report["verdict"] == "config"
    assert causes(report) <= {"kernel-config-missing", "syscall-not-implemented"}


# kinvolk/traceloop #29 ("Don't print buffer when read() returns 0 on EOF", 2020-01-31, alban):
# the strace-like lines of the description. An empty read after a read of the whole file is
# its end, not lost data.
TRACELOOP_EOF = """\
[cat] open("/proc/version", 0, 18446744073709424640) = 3
...
$ strace cat /proc/version 2>&1 | grep 'read.*= 0$'
read(3, "", 131072)                     = 0
"""

# The round's own text (vmtest-9p-tmp-read-after-write-empty-strace-reply, lore
# <CAEf4BzZbCE4tLoDZyUf_aASpgAGFj75QMfSXX4a4dLYixnOiLg@mail.gmail.com>): its "WITH SYNC" block,
# where fsync() before the second open makes the data appear and the empty read is the end of
# the file after 175 bytes were read.
WITH_SYNC = """\
openat(AT_FDCWD, "/tmp/bpf_arg_parsing_test.UK5nUq",
O_RDWR|O_CREAT|O_EXCL, 0600) = 4
fcntl(4, F_GETFL)                       = 0x8002 (flags O_RDWR|O_LARGEFILE)
fstat(4, {st_mode=S_IFREG|0600, st_size=0, ...}) = 0
write(4, "# comment\\n  test_with_spaces    "..., 175) = 175
fsync(4)                                = 0
openat(AT_FDCWD, "/tmp/bpf_arg_parsing_test.UK5nUq", O_RDONLY) = 5
fstat(5, {st_mode=S_IFREG|0600, st_size=175, ...}) = 0
read(5, "# comment\\n  test_with_spaces    "..., 8192) = 175
read(5, "", 8192)                       = 0
close(5)                                = 0
close(4)                                = 0
unlink("/tmp/bpf_arg_parsing_test.UK5nUq") = 0
"""


def test_an_empty_read_at_the_end_of_a_file_is_no_lost_write(tmp_path):
    """A read returning 0 after the data was read (or of a file nothing was written to) is the
    end of the file: no stale-read result, whatever else the text says."""
    for text in (TRACELOOP_EOF, WITH_SYNC):
        read = read_report_lines(
            [LogLine(i, t, "paste") for i, t in enumerate(text.splitlines(), 1)], "paste")
        assert read.parsed.stale_reads.found == []
        assert not any("not read back" in r.message for r in read.parsed.results)
    report = triage_read(tmp_path, WITH_SYNC)
    assert "kernel-behaviour-fail" not in causes(report)


# The same mail's "BEFORE (FAILING)" block, as written (the arrow line under the empty read
# is the author's).
BEFORE = """\
openat(AT_FDCWD, "/tmp/bpf_arg_parsing_test.Pf280c",
O_RDWR|O_CREAT|O_EXCL, 0600) = 4
fcntl(4, F_GETFL)                       = 0x8002 (flags O_RDWR|O_LARGEFILE)
fstat(4, {st_mode=S_IFREG|0600, st_size=0, ...}) = 0
write(4, "# comment\\n  test_with_spaces    "..., 175) = 175
openat(AT_FDCWD, "/tmp/bpf_arg_parsing_test.Pf280c", O_RDONLY) = 5
fstat(5, {st_mode=S_IFREG|0600, st_size=0, ...}) = 0
read(5, "", 8192)                       = 0
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ -- THIS IS BAD, NO CONTENTS
close(5)                                = 0
close(4)                                = 0
unlink("/tmp/bpf_arg_parsing_test.Pf280c") = 0
"""


def test_written_data_read_back_empty_through_another_fd_is_the_filesystem_losing_it(tmp_path):
    """Without the fsync(): the second descriptor's first read returns 0 although 175 bytes
    were written - the kernel's filesystem client lost the write (kernel-bug, medium); said to
    be on FUSE it is not the kernel's to answer for. (No second real strace of a lost write was
    found; the negatives above are second texts.)"""
    report = triage_read(tmp_path, BEFORE)
    assert report["verdict"] == "kernel-bug"
    assert causes(report) == {"kernel-behaviour-fail"}
    assert any("175 bytes" in r["message"] for r in report["results"])
    on_fuse = triage_read(tmp_path, BEFORE, "--fs", "fuse")
    assert on_fuse["verdict"] == "unknown"
