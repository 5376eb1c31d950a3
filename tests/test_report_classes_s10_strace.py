"""Round 20-strace's classes (strace snippets and plain command output), each on a real public
text other than the one that showed it:

- an strace excerpt whose calls all succeed or only miss a lookup (`openat(...) = -1 ENOENT`)
  shows no failure, so it no longer silences the program's own error lines and the prose
  beside it (numactl #208: the flattened `get_mempolicy: Function not implemented` and "you
  didn't compile the kernel with CONFIG_NUMA"); the strace lines themselves are no "stated
  failure";
- a read that comes back empty from a file written before another descriptor opened it (every
  call succeeded: no errno shows it) is the filesystem losing the write (rule
  stale-read-after-write), not "no failures"; an empty read at the end of a file is ordinary;
- a journal's "Apr 19 14:19:53 host swapon[462]: " prefix before a tool's line, and btrfs's
  "swapfile must not be copy-on-write" as swapon's refusal (swapfile-rejected);
- a program's FATAL line once, the call its DETAIL names ("Failed system call was shmget(...)"),
  what followed ("Error: initdb failed") no failure of its own; PostgreSQL's log prefix (time,
  zone name or offset, pid) before its level, and such lines run together into one;
- a kernel option said as the remedy ("recompile the kernel with support for CONFIG_SYSVIPC=y",
  "enable System V IPC to fix it") outranks "the kernel lacks the call";
- mmap of a /proc or /sys file refused with ENODEV is the program's (pseudo-file-not-mappable),
  and the shell's segfault right under that error line is its outcome.
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


# linuxmint/linuxmint #779 ("Swapfiles on btrfs require CoW to be disabled", 2025-04-19, MW2K):
# the description as stored (a journal excerpt pasted into the prose).
MINT_779 = """\
When installing and using btrfs as a file system, and not creating a dedicated swap partition, \
the installer creates and initialises a swapfile. The only problem is it doesn't `chattr -C \
/swapfile` so systemd cannot start the swapfile.

Suggestion: get the installer to run chattr -C on the swapfile before the installation finishes.

Apr 19 14:19:53 victoria systemd[1]: Activating swap swapfile.swap - /swapfile...
Apr 19 14:19:53 victoria kernel: BTRFS warning (device nvme1n1p2): swapfile must not be \
copy-on-write
Apr 19 14:19:53 victoria swapon[462]: swapon: /swapfile: swapon failed: Invalid argument
Apr 19 14:19:53 victoria systemd[1]: swapfile.swap: Swap process exited, code=exited, \
status=255/EXCEPTION
Apr 19 14:19:53 victoria systemd[1]: swapfile.swap: Failed with result 'exit-code'.
Apr 19 14:19:53 victoria systemd[1]: Failed to activate swap swapfile.swap - /swapfile.
"""

# geerlingguy/ansible-role-swap #28 ("BTRFS support", 2022-09-30, 5n00p4eg): the description,
# a dmesg-stamped kernel line between the command and its error.
ANSIBLE_SWAP_28 = """\
During `swapon`  command it fails with
```
swapon  /swapfile
[2377765.336953] BTRFS warning (device vda5): swapfile must not be copy-on-write
swapon: /swapfile: swapon failed: Invalid argument
```
"""


def test_swapon_einval_under_a_journal_prefix_and_btrfs_reason_is_the_swap_file(tmp_path):
    """swapon's own line behind journalctl's "Apr 19 14:19:53 victoria swapon[462]: " prefix is
    read like the bare line, and btrfs's "swapfile must not be copy-on-write" is the kernel's
    notice of that refusal: the swap file, not the kernel (swapfile-rejected)."""
    for text in (MINT_779, ANSIBLE_SWAP_28):
        report = triage_read(tmp_path, text)
        assert report["verdict"] == "env"
        assert causes(report) == {"swapfile-rejected"}
        assert {r["syscall"] for r in report["results"]} == {"swapon"}


# meefik/linuxdeploy #41 ("Can't install postgres on Ubuntu 11.10", 2013-04-19): the thread as
# stored (an Android chroot; Danct12: "It sounds like Sys V IPC function is missing from the
# kernel, I suggest you recompile the kernel with support for `CONFIG_SYSVIPC=y`").
LINUXDEPLOY_41 = """\
meefik/linuxdeploy · issue #41 · closed · Java
# Can't install postgres on Ubuntu 11.10

rogerwilcofromsq · description · 2013-04-19
I am trying to install postgres 8.4. Error is:

```
# pg_createcluster 8.4 main --start
Creating new cluster (configuration: /etc/postgresql/8.4/main, data: \
/var/lib/postgresql/8.4/main)...
could not change directory to "/root"
FATAL:  could not create shared memory segment: Function not implemented
DETAIL:  Failed system call was shmget(key=1, size=1507328, 03600).
child process exited with exit code 1
initdb: removing contents of data directory "/var/lib/postgresql/8.4/main"
Error: initdb failed
```

I've tryed this (from here https://github.com/meefik/linuxdeploy/issues/29)

```
sudo -s
mkdir /dev/shm 
mount -t tmpfs /dev/shm 
chmod 777 /dev/shm
```

But without success.

Could You help me, please?

Sceleratis · comment · 2018-08-23
I am currently encountering this issue with Kali on my HTC One M83 running Lineage OS.

Danct12 · comment · 2018-08-23
It sounds like Sys V IPC function is missing from the kernel, I suggest you recompile the \
kernel with support for `CONFIG_SYSVIPC=y` and try again.

twaik · comment · 2018-09-06
https://github.com/meefik/linuxdeploy/issues/13#issuecomment-12946893
"""


def test_a_programs_fatal_line_names_its_call_from_the_detail_and_its_aftermath_is_no_failure(
        tmp_path):
    """PostgreSQL's "FATAL: could not create shared memory segment: Function not implemented"
    is one failure of shmget() (its "DETAIL: Failed system call was shmget(...)"); initdb's
    "Error: initdb failed" under it is what followed, not a second failure of unknown cause."""
    report = triage_read(tmp_path, LINUXDEPLOY_41)
    assert report["verdict"] == "config"
    assert len(report["results"]) == 1
    assert report["results"][0]["syscall"] == "shmget"
    assert causes(report) <= {"syscall-not-implemented", "kernel-config-missing"}


def test_a_segfault_right_under_a_programs_mmap_error_on_a_sys_file_is_that_programs(tmp_path):
    """build_recorder's "mmaping `/sys/devices/system/cpu/online': No such device" and the shell's
    "Segmentation fault (core dumped)" under it: /proc and /sys files cannot be mapped, so the
    program is at fault (pseudo-file-not-mappable), and its crash is the outcome of that error,
    not a second failure. (The round's text; no second real report of it was found. A mapping
    of a regular file refused with ENODEV stays the filesystem's.)"""
    text = ("```\n./build_recorder: mmaping `/sys/devices/system/cpu/online': No such device\n"
            "Segmentation fault (core dumped)\n```\n")
    report = triage_read(tmp_path, text)
    assert report["verdict"] == "test-bug"
    assert causes(report) == {"pseudo-file-not-mappable"}
    cloudfuse = ("strace shows:\nmmap(NULL, 400, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = -1 "
                 "ENODEV (No such device)\n")  # redbo/cloudfuse #74, 2015
    assert "pseudo-file-not-mappable" not in causes(triage_read(tmp_path, cloudfuse))


# meefik/linuxdeploy #1174 ("Postgresql cluster shared memory segment error.", 2020-03-14): the
# description's paste, up to the pg_createcluster hint. PostgreSQL's log prefix ("2020-03-14
# 13:15:01.119 +04 [25527] FATAL:") starts in the middle of initdb's progress line.
LINUXDEPLOY_1174 = """\
I connected to Kali Linux using SSH, I wanted to install Postgresql and An error like this \
occurred:
`creating configuration files ... ok
running bootstrap script ... 2020-03-14 13:15:01.119 +04 [25527] FATAL:  could not create shared \
memory segment: Function not implemented
2020-03-14 13:15:01.119 +04 [25527] DETAIL:  Failed system call was shmget(key=5432001, size=40, \
03600).
child process exited with exit code 1
initdb: removing contents of data directory /var/lib/postgresql/12/main
Error: initdb failed
Error: could not create default cluster. Please create it manually with

  pg_createcluster 12 main --start
"""

# Hax4us/Nethunter-In-Termux #142 ("Postgresql cluster cannot be created!", 2020-03-13): the
# description, a code span over several lines, UTC and a pid in the prefix.
NETHUNTER_TERMUX_142 = """\
I tried installing Postgresql, started auto-clustering after installation and such an error \
occurred:
`running bootstrap script ... 2020-03-13 09:05:38.521 UTC [28749] FATAL:  could not create shared \
memory segment: Function not implemented
2020-03-13 09:05:38.521 UTC [28749] DETAIL:  Failed system call was shmget(key=5432001, size=40, \
03600).
child process exited with exit code 1
initdb: removing contents of data directory "/var/lib/postgresql/12/main"
Error: initdb failed`
How can I solve this problem?
"""


def test_a_programs_error_behind_its_log_prefix_is_its_error(tmp_path):
    """PostgreSQL's log_line_prefix (a time, its zone as a name or an offset, the pid) before
    FATAL, even in the middle of initdb's progress line: shmget() failed with ENOSYS (its DETAIL
    names the call), one failure, config."""
    for text in (LINUXDEPLOY_1174, NETHUNTER_TERMUX_142):
        report = triage_read(tmp_path, text)
        assert report["verdict"] == "config"
        assert [(r["syscall"], r["errno"]) for r in report["results"]] == [("shmget", "ENOSYS")]


def test_a_kernel_option_said_as_the_remedy_names_the_cause_of_an_enosys(tmp_path):
    """"It sounds like Sys V IPC function is missing from the kernel, I suggest you recompile
    the kernel with support for `CONFIG_SYSVIPC=y`": the option is the cause
    (kernel-config-missing), not a kernel too old for the call; without such words the ENOSYS
    stays syscall-not-implemented."""
    assert causes(triage_read(tmp_path, LINUXDEPLOY_41)) == {"kernel-config-missing"}
    assert causes(triage_read(tmp_path, NETHUNTER_TERMUX_142)) == {"syscall-not-implemented"}
