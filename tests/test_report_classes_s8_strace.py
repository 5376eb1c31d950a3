"""Round 16-strace's classes, each on a real public text other than the one that showed it:
the errno strace gives by number and the call it cannot name, the failed call a program gives
up on, a shell prompt that names the program, and the kernel option a report shows off beside
the call it provides."""

from __future__ import annotations

from tests.test_report_classes import triage_read

# linux-kernel, 2004-05-22, Message-ID <1720000.1085206414@[10.10.2.4]> (Martin J. Bligh,
# "Re: How can I optimize a process on a NUMA architecture(x86-64 specifically)?"): numactl
# says "No NUMA support available on this system." on 2.6.6; its quoted strace shows
# get_mempolicy (x86_64's 239) as old strace printed it. Diagnosis: "Did you turn on
# CONFIG_NUMA?" - the kernel lacks the call.
NUMACTL_2004 = """\
> I've read the archives and I'm not sure how to get numactl running, both .5 and .6 versions g\
ive me:
> 
># numactl --show
> No NUMA support available on this system.
> 
> despite using kernel 2.6.6.
> 
> running numactl under strace gives me:
> 
> 32144 sched_getaffinity(32144, 16,  { 0 }) = 8
> 32144 syscall_239(0, 0, 0, 0, 0, 0, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e3\
0, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x\
401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e30, 0x401e3\
0, 0x401e30) = -1 (errno 38)
> 32144 fstat(1, {st_mode=S_IFCHR|0620, st_rdev=makedev(136, 53), ...}) = 0
> 32144 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x2a9556c000
> 32144 write(1, "No NUMA support available on thi"..., 42) = 42
> 32144 munmap(0x2a9556c000, 4096)        = 0
> 32144 exit_group(1)                     = ?
> 
> 
> In case someone might have ran into this before.

Did you turn on CONFIG_NUMA?

M.
"""


def test_an_errno_by_number_on_a_call_strace_cannot_name_is_the_failure(tmp_path):
    """``syscall_239(...) = -1 (errno 38)``: old strace knew neither the call nor the errno's
    name; errno 38 is ENOSYS, and the program exits 1 right after it - the kernel lacks the
    call (config), not 'no failures'."""
    report = triage_read(tmp_path, NUMACTL_2004)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [(r["syscall"], r["errno"]) for r in failed] == [("syscall_239", "ENOSYS")]
    assert report["verdict"] == "config"
    assert {f["cause"] for f in report["findings"]} == {"syscall-not-implemented"}


# George Hawkins' Odroid C2 minimal-image notes (GitHub, README, "Further issues"): ureadahead
# fails at boot; the strace shows an openat() ENOENT the program then reports and gives up on.
# Diagnosis there: "the kernel simply doesn't contain the patch necessary for ureadahead"
# (Launchpad bug 677443) - the lookup's ENOENT is the failure, not a loader's probe.
UREADAHEAD = """\
If you then try to start ureadahead direcly with strace, to see what file was the problem, you see:

```text
# strace /sbin/ureadahead --force-trace --debug --verbose
...
openat(3, "events/fs/do_sys_open/enable", O_RDWR) = -1 ENOENT (No such file or directory)
close(3)                                = 0
write(2, "ureadahead: Error while tracing:"..., 59ureadahead: Error while tracing: No such file\
 or directory
) = 59
```

If you Google for this you'll find the kernel simply doesn't contain the patch necessary for ur\
eadahead to do its work.
"""

# LTP #713 (Cypresslin, 2020-10-19): the first lines of `strace -tt ./futex_wake04` - the
# loader's lookups fail with ENOENT and the program goes on: nothing it gave up on.
FUTEX_WAKE04_START = """\
$ sudo strace -tt ./futex_wake04 
07:46:56.993608 execve("./futex_wake04", ["./futex_wake04"], [/* 23 vars */]) = 0
07:46:56.994969 brk(NULL)               = 0x829f000
07:46:56.995142 access("/etc/ld.so.nohwcap", F_OK) = -1 ENOENT (No such file or directory)
07:46:56.995276 mmap2(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xb\
76e4000
07:46:56.995414 access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
07:46:56.995526 open("/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
07:46:56.995629 fstat64(3, {st_mode=S_IFREG|0644, st_size=34765, ...}) = 0
07:46:56.995722 mmap2(NULL, 34765, PROT_READ, MAP_PRIVATE, 3, 0) = 0xb76db000
07:46:56.995786 close(3)                = 0
"""


def test_the_lookup_a_program_gives_up_on_is_its_failure_a_passing_one_is_not(tmp_path):
    report = triage_read(tmp_path, UREADAHEAD)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [(r["syscall"], r["errno"]) for r in failed] == [("openat", "ENOENT")]
    assert report["verdict"] == "unknown"  # no rule knows the tracing file: an honest unknown
    quiet = triage_read(tmp_path, FUTEX_WAKE04_START)
    assert not [r for r in quiet["results"] if r.get("syscall") == "access"]


# microsoft/WSL #2974 (therealkenc, 2018-02-23), the repro as posted: the shell prompt
# runs the program built in the current directory, whose perror() line follows.
WSL_MMAP_FAIL = """\
Repro:
```
$ g++ mmap-fail.cpp -o mmap-fail
$ sudo ./mmap-fail
mmap() failed: : Operation not permitted
```
"""


def test_a_prompt_that_runs_a_local_program_names_its_error_line(tmp_path):
    report = triage_read(tmp_path, WSL_MMAP_FAIL)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [(r["suite"], r["syscall"], r["errno"]) for r in failed] == [
        ("mmap-fail", "mmap", "EPERM")]


# microsoft/WSL2-Linux-Kernel #175 (2020-08-27), as the search service stores the thread: io_uring
# returns ENOSYS on a self-built WSL2 kernel; the answer names the option that is off (fixed by
# enabling it). Where taviso/loadlibrary #9 showed the .config line beside its strace, here the
# option is said off in a sentence.
WSL2_IO_URING = """\
microsoft/WSL2-Linux-Kernel · issue #175 · open · C
# io_uring can't use in 5.4.51-microsoft-standard-WSL2+

Sherlock-Holo · description · 2020-08-27
I build the kernel from branch linux-msft-wsl-5.4.y, when I try to use io_uring, it returns err\
no 38 function not implement

Biswa96 · comment · 2020-08-27
See the kernel config file. `CONFIG_IO_URING` is not set yet.

Sherlock-Holo · comment · 2020-08-27
oh.... let me recompile the kernel and enable it
"""


def test_an_option_said_off_beside_the_call_it_provides_is_the_cause(tmp_path):
    report = triage_read(tmp_path, WSL2_IO_URING)
    assert report["verdict"] == "config"
    assert {f["cause"] for f in report["findings"]} == {"kernel-config-missing"}
    # the report alone, before the answer: a call the kernel lacks, no option named
    alone = triage_read(tmp_path, WSL2_IO_URING.split("\n\nBiswa96")[0] + "\n")
    assert {f["cause"] for f in alone["findings"]} == {"syscall-not-implemented"}
