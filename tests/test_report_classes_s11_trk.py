"""The classes session 11's tracker round (21-trk) fixed, each tested on a second real text
worded differently from the one that showed it missing:

- iSH (the x86 user-mode emulator on iOS) is a system call translation layer: its name as its
  makers write it ("iSH"), its tracker (ish-app/ish), its uname ("4.20.69-ish iSH 1.2.3"); under
  it shmget's ENOSYS is the emulator's, not a kernel built without CONFIG_SYSVIPC (the corpus'
  ish-postgres report answered config before), and a /proc file it lacks is the layer's;
- an emulator's own line that it lacks a call, iSH's form: its dmesg "134 missing syscall 318",
  "26(neomutt) missing syscall 422", a reader's "dmesg show missing system call 204";
- SIGSYS under a translation layer ("Bad system call", the shell's and gdb's word for it) is the
  layer refusing a call it lacks (rule translation-layer-sigsys); on a Linux kernel it stays
  unexplained (a seccomp filter's, most often);
- a /proc or /sys file said absent in words under a layer ("When /proc/cpuinfo does not exist",
  "/proc/cpuinfo not found") is the layer's missing file (ENOENT);
- WSL named without a version ("on WSL (Windows Subsystem for Linux)") in a tracker thread dated
  before WSL 2 left the insider ring (May 2020), and no WSL 2 named: WSL 1;
- under WSL 1 an EINVAL for a call a Linux kernel accepts (fcntl(F_OFD_SETLK), ioctl(SIOCATMARK))
  is the layer's, at low confidence and after every rule that names the call, the filesystem or
  a limit (rule wsl1-rejects-valid-call);
- a filesystem said to lack the semantics a program needs, or only to pretend to have them
  ("VirtualBox's shared filesystem performs some conversion between the posixy semantics it
  pretends to have", libgit2 #3845; 'this "filesystem" lacks some semantics', nodegit #1115): in
  a text that speaks of mapping the file, its shared mappings; and "VirtualBox shared
  filesystems" names vboxsf as "VirtualBox shared folder" does;
- (mini-round 21-trk-b) the run on a machine where it works, pasted for contrast, is not the
  failure: the block after "An strace on a linux kernel will return", "Inside my Ubuntu 18.04 VM
  where this works fine the strace is as follows:", or a caption "Execution on Linux:" (and the
  sentence after it that still introduces it) is left out;
- a program's message in perror's form, "<could not / cannot / unable to / failed to ...>:
  <strerror>" ("Could not set SO_LINGER: Invalid argument", "Could not write data: Invalid
  argument"), states a failure that happened: its "could" and "not" are no supposition;
- under WSL 1 such a line's EINVAL with no call named is the layer's (rule
  wsl1-rejects-valid-call);
- (mini-round 21-trk-c) a kernel option named as needed is the report's diagnosis, no causal
  marker needed: a tracker title asking for it ("Add support for CONFIG_MODIFY_LDT_SYSCALL",
  Docker Desktop's VM kernel), "CONFIG_BPF_SYSCALL=y required", "The kernel *must* have
  CONFIG_BPF_SYSCALL=y set" - config/kernel-config-missing, over ENOSYS's
  syscall-not-implemented; a tracker thread's title is a sentence of its own, not the tail of
  its labels line.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from harness.cli.main import main as harness_main
from harness.model import LogLine
from harness.readers.contrast_run import Contrast, drop_contrast_runs
from harness.readers.diagnosis import _without_marker
from harness.readers.paste import unprefixed
from harness.readers.translation_layer import Reader
from harness.readers.unread_failures import STRERRORS, _happened


def _thread(*pieces: str) -> str:
    """A thread as the search service's copy stores it (a JSON string, unmodified)."""
    return json.loads("".join(pieces)) + "\n"


def _triage(text: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.txt"
        path.write_text(text)
        out = Path(tmp) / "out.json"
        assert harness_main(["triage", str(path), "--json", str(out)]) in (0, 1)
        return json.loads(out.read_text())


def _answer(report: dict) -> tuple[str, set[str]]:
    return report["verdict"], {f["cause"] for f in report["findings"]}


def _layer(text: str) -> str | None:
    reader = Reader()
    for number, line in enumerate(text.splitlines(), 1):
        reader.feed(LogLine(number, line))
    layer = reader.layer()
    return layer.name if layer else None


# ish-app/ish #2168 (xyzzy314, tbodt, 2023-2024): neomutt killed by SIGSYS under iSH, dmesg
# '26(neomutt) missing syscall 422'; resolved by stubbing the call in iSH.
ISH_2168 = _thread(
    r'''"ish-app/ish · issue #2168 · closed · C\nlabels: regression, unconfirmed\n# neomutt (and'''
    r''' maybe glib) missing syscall 422\n\nxyzzy314 · description · 2023-07-10\nFirst off: I've'''
    r''' been experimenting with newer mini root filesystems than iSH likely supports, so I did '''
    r'''expect to run into issues and don't expect this to be an easy fix; more that I wanted to'''
    r''' signal it now for visibility moving forward.\n\nI am eager to get neomutt working on iS'''
    r'''H.  Mutt works fine, but, neomutt is preferred.\n\nHowever, neomutt was only ported to A'''
    r'''lpine as of 3.17.\n\nIf I use a 3.17 miniroot file system (or the most recent 3.18), I c'''
    r'''an add neomutt, but, as soon as I launch, I get the Bad system call error.\n\nRunning it'''
    r''' through gdb yields:\n\nProgram received signal SIGSYS, Bad system call.\n0xf7f5d352 in '''
    r'''__kernel_vsyscall ()\n(gdb) bt\n#0  0xf7f5d352 in __kernel_vsyscall ()\n#1  0xf7f979f8 i'''
    r'''n syscall ()\n   from /lib/ld-musl-i386.so.1\n\nAnd according to dmesg:\n\n26(neomutt) m'''
    r'''issing syscall 422\n\nWhich may be futex_time64, but I could be wrong.\n\ntbodt · commen'''
    r'''t · 2024-10-20\nAppears to be resolved by stubbing the syscall"'''
)
# ish-app/ish #770 (rf23, tbodt, 2020): procmail gets 'Bad system call', dmesg 'missing syscall 204'
# (setregid32); tbodt added setregid/setreuid to iSH.
ISH_770 = _thread(
    r'''"ish-app/ish · issue #770 · closed · C\n# procmail not working - missing syscall 204 (se'''
    r'''tregid32)\n\nrf23 · description · 2020-06-07\nfetchmail seems to be working well; howeve'''
    r'''r, I am using procmail as mda to deliver the mail to mail spool. procmail is not working'''
    r'''  and dmesg show missing system call 204, which I looked up is setregid32. \n\nwill this'''
    r''' system call be added anytime soon? thanks.\n\ntbodt · comment · 2020-06-27\nI'm not fam'''
    r'''iliar with procmail or fetchmail, could you give me some steps to reproduce this bug?\n'''
    r'''\nrf23 · comment · 2020-06-27\nsure. first get procmail package installed:\n# apk add pr'''
    r'''ocmail\n\nthen create a test file with random text (it does not matter even it's not an '''
    r'''email message)\niPad [~]# echo \"test\" > foobar\n\nrun procmail and here is the sample '''
    r'''result:\n\niPad [~]# procmail < foobar\nBad system call\niPad [~]# dmesg\n46 missing sys'''
    r'''call 204\n50 missing syscall 204\niPad [~]# \n\n204 is also used in another program that'''
    r''' is used by Emacs when reading mail. I was able to get them all going and working by re-'''
    r'''compile them with 204 calls commented out. \n\nThanks again for the great work. It's ama'''
    r'''zing that I can run Emacs on an iPad with almost the same setup I have on my desktop (wi'''
    r'''ndows and macos).\n\ntbodt · comment · 2020-06-27\nJust added an implementation of setre'''
    r'''gid and setreuid (204 and 203). Let me know if there are any other problems in the next '''
    r'''version.\n\nrf23 · comment · 2020-06-27\nawesome. thanks for the quick fix. look forward'''
    r''' to the next version.\n\nrf23 · comment · 202"'''
)
# ish-app/ish #148 (2018-2019): iSH's procfs without /proc/cpuinfo ('No such file or directory').
ISH_148 = _thread(
    r'''"ish-app/ish · issue #148 · closed · C\n# procfs is not implemented\n\nchubchubsancho · '''
    r'''description · 2018-12-01\n```\n# top\ntop: no process info in /proc\n# ls -la /proc\n\n`'''
    r'''``\n\njoefitzgerald · comment · 2018-12-28\n`top` now crashes the app in build 40.\n\nMn'''
    r'''pn03 · comment · 2018-12-28\nI can replicate the top crash in build 39 (and 40).\n[iSH-2'''
    r'''018-12-28-153155.ips.zip](https://github.com/tbodt/ish/files/2715026/iSH-2018-12-28-1531'''
    r'''55.ips.zip)\n(GitHub doesn’t allow that file format so here’s a .zip)\n\ntbodt · comment'''
    r''' · 2019-01-31\nprocfs now exists\n\nfeng5 · comment · 2019-05-24\nI met the error in 1.0'''
    r'''(52)\n```\n# cat /proc/cpuinfo\ncat: can't open '/proc/cpuinfo': No such file or directo'''
    r'''ry\n```\n\ntbodt · comment · 2019-05-24\n@feng5 Please open a new issue"'''
)
# microsoft/WSL #10000 (trungnt2910, 2023): under WSL 1, ioctl(SIOCATMARK) behind sockatmark()
# answers EINVAL (a Linux kernel answers it).
WSL_10000 = _thread(
    r'''"microsoft/WSL · issue #10000 · open · C++\n# WSL1 `sockatmark` always return EINVAL\n\n'''
    r'''trungnt2910 · description · 2023-04-20\n### Windows Version\n\nMicrosoft Windows [Versio'''
    r'''n 10.0.22621.1555]\n\n### WSL Version\n\n1.2.0.0\n\n### Are you using WSL 1 or WSL 2?\n'''
    r'''\n- [ ] WSL 2\n- [X] WSL 1\n\n### Kernel Version\n\nLinux version 4.4.0-22621-Microsoft '''
    r'''(Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) #1105-Microsoft Fri Jan 01 08:00:00'''
    r''' PST 2016\n\n### Distro Version\n\nUbuntu 23.04\n\n### Repro Steps\n\nCompile and run th'''
    r'''is C code:\n\n```c\n#include <sys/socket.h>\n\nint main(int argc, char *argv[]) {\n  int'''
    r''' rc;\n  socket(AF_INET, SOCK_STREAM, 0);\n  if (sockatmark(3) == -1) return 1;\n  return'''
    r''' 0;\n}\n```\n\n### Expected Behavior\n\nProgram should exit with status code 0.\n\n### A'''
    r'''ctual Behavior\n\nProgram exists with status code 1. The `ioctl` behind `sockatmark` fai'''
    r'''ls with `EINVAL`:\n\n```\nsocket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\nioctl(3, SIOCATM'''
    r'''ARK, 0x7fffff554344)    = -1 EINVAL (Invalid argument)\nexit_group(1)\n```\n\n### Diagno'''
    r'''stic Logs\n\nFull `strace` log of the program:\n\n```\ntrung@DESKTOP-5OCA2N2:/mnt/d$ str'''
    r'''ace o/tool/config/sockatmark\nexecve(\"o/tool/config/sockatmark\", [\"o/tool/config/sock'''
    r'''atmark\"], 0x7fffc8b3d1b0 /* 27 vars */) = 0\nbrk(NULL)                               = '''
    r'''0x7ffff7981000\narch_prctl(0x3001 /* ARCH_??? */, 0x7fffff554320) = -1 EINVAL (Invalid a'''
    r'''rgument)\nmmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7'''
    r'''f8973410000\naccess(\"/etc/ld.so.preload\", R_OK)      = -1 ENOENT (No such"'''
)
# crossmeta/sys #1 (2019-03): 'WSL: cp fails with EINVAL' - WSL named without a version, 2019.
CROSSMETA_1 = _thread(
    r'''"crossmeta/sys · issue #1 · open · Shell\nlabels: bug\n# WSL: cp fails with EINVAL\n\ncr'''
    r'''ossmeta · description · 2019-03-24\nWSL bash command cp fails with error Invalid argumen'''
    r'''t (EINVAL)\nCopy a simple file from  WSL namespace to crossmeta namespace\n\nstrace show'''
    r'''s \n``` openat(AT_FDCWD, \"wslfile\", O_WRONLY|O_CREAT|O_EXCL, 0644) =  EINVAL```"'''
)

# microsoft/WSL #3107 (PrivateShorty, 2018): the Linux side of a comparison with WSL 1, captioned
# 'Execution on Linux:' and pasted before the WSL run (the stored excerpt ends inside it).
WSL_3107 = _thread(
    r'''"microsoft/WSL · issue #3107 · closed · C++\n# Inline asm interrupt, for errorbased sysc'''
    r'''all analysis\n\nPrivateShorty · description · 2018-04-16\nHi WSL Team,\nthanks a lot for'''
    r''' the cool features wsl brings to Windows.\n\nI am assessing syscall behaviour of wsl for'''
    r''' my bachelor thesis.\nAs I dont know whats going on down in the wsl kernel this might be'''
    r''' a bug, security feature, translation error, simply work as intended or even my fault. S'''
    r'''ince I can't tell I thought I share that with you.\n\nMicrosoft Windows [Version 10.0.16'''
    r'''299.309]\n\nI wrote a small C program, which takes a syscallid as argument, moves it to '''
    r'''eax and performes an interrupt. This is realized through inline asm:\n\n```\nasm ( \"mov'''
    r'''l %[sysid], %%eax\\n\\t\"\n           \"int $0x80\"\n           : [sysid] \"+r\" (syscal'''
    r'''lid)\n    );\n```\n\nExecution on Linux:\nExits always with 0 and errno set like the fol'''
    r'''lowing.\n\n```\n$ strace ./asm 39\n\nexecve(\"./asm\", [\"./asm\", \"39\"], [/* 62 vars '''
    r'''*/]) = 0\nbrk(NULL)                               = 0x142d000\naccess(\"/etc/ld.so.nohwc'''
    r'''ap\", F_OK)      = -1 ENOENT (No such file or directory)\naccess(\"/etc/ld.so.preload\",'''
    r''' R_OK)      = -1 ENOENT (No such file or directory)\nopen(\"/etc/ld.so.cache\", O_RDONLY'''
    r'''|O_CLOEXEC) = 3\nfstat(3, {st_mode=S_IFREG|0644, st_size=130352, ...}) = 0\nmmap(NULL, 1'''
    r'''30352, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7fa798e9f000\nclose(3)                         '''
    r'''       = 0\naccess(\"/etc/ld.so.nohwcap\", F_OK)      = -1 ENOENT (No such file or direc'''
    r'''tory)\nopen(\"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEX"'''
)
# iovisor/bcc #283 (troyengel, 2015): 'bpf: Function not implemented' on Arch's kernel, which lacks
# CONFIG_BPF_SYSCALL=y - said as the option the kernel must have (the title asks to document it).
BCC_283 = _thread(
    r'''"iovisor/bcc · issue #283 · closed · C\n# Documentation: indicate CONFIG_BPF_SYSCALL=y r'''
    r'''equired in kernel config\n\ntroyengel · description · 2015-11-09\nI think I just wasted '''
    r'''a good 4-6 hours debugging python wondering why this was falling flat on it's face for m'''
    r'''e trying to run hello_world.py. :) The kernel *must* have CONFIG_BPF_SYSCALL=y set in or'''
    r'''der to enable the requisite code -- the general Arch kernel doesn't have it set (only CO'''
    r'''NFIG_BPF=y), and the error you're presented with gives no clue to the new-to-this user l'''
    r'''ike myself.\n\n````\n# python2 hello_world.py \nbpf: Function not implemented\n\nTraceba'''
    r'''ck (most recent call last):\n  File \"hello_world.py\", line 11, in <module>\n    BPF(te'''
    r'''xt='void kprobe__sys_clone(void *ctx) { bpf_trace_printk(\"Hello, World!\\\\n\"); }').tr'''
    r'''ace_print()\n  File \"/usr/lib/python2.7/site-packages/bcc/__init__.py\", line 396, in _'''
    r'''_init__\n    self._trace_autoload()\n  File \"/usr/lib/python2.7/site-packages/bcc/__ini'''
    r'''t__.py\", line 629, in _trace_autoload\n    fn = self.load_func(func_name, BPF.KPROBE)\n'''
    r'''  File \"/usr/lib/python2.7/site-packages/bcc/__init__.py\", line 431, in load_func\n   '''
    r''' raise Exception(\"Failed to load BPF program %s\" % func_name)\nException: Failed to lo'''
    r'''ad BPF program kprobe__sys_clone\n````\n\nFrom Brendan's slide deck from the Plumber's c'''
    r'''onference without using the kprobe__ autoloader:\n````\n# python2 hello.py \n\nTraceback'''
    r''' (most recent call last):\n  File \"hello.py\", line 10, in <module>\n    fn = b.load_fu'''
    r'''nc(\"hello\", BPF.KPROBE)\n  File \"/usr/lib/python2."'''
)

def test_ish_missing_syscall_and_sigsys_under_gdb_are_the_emulators():
    assert _layer(ISH_2168) == "iSH"
    assert _answer(_triage(ISH_2168)) == ("env", {"emulator-too-old"})


def test_ish_missing_system_call_in_words_and_bad_system_call_are_the_emulators():
    assert _answer(_triage(ISH_770)) == ("env", {"emulator-too-old"})


def test_a_proc_file_missing_under_ish_is_the_emulators():
    assert _answer(_triage(ISH_148)) == ("env", {"emulator-too-old"})


def test_ish_uname_names_the_emulator_and_english_words_do_not():
    assert _layer("Linux Mateos-iPad 4.20.69-ish iSH 1.2.3 (298) Dec 17 2021 i686 GNU/Linux") \
        == "iSH"
    assert _layer("The reddish output looks Finnish-ish; I am on Linux 6.1.0-13-amd64.") is None


def test_bad_system_call_without_a_layer_is_not_the_emulators():
    # the lines of the procmail run alone, without the emulator's name or tracker: SIGSYS on a
    # Linux kernel is a seccomp filter's as often, and names no cause
    body = ISH_770[ISH_770.index("run procmail"):ISH_770.index("iPad [~]# dmesg")]
    assert _layer(body) is None
    assert _triage(body)["verdict"] == "unknown"


def test_wsl_named_without_version_before_wsl2_was_released_is_wsl1():
    assert _layer(CROSSMETA_1) == "WSL 1"
    # the same words in a thread that names WSL 2 are not
    assert _layer(CROSSMETA_1 + "I switched to WSL 2 and it works.\n") is None


def test_wsl1_einval_for_a_call_linux_accepts_is_the_layers():
    assert _layer(WSL_10000) == "WSL 1"
    assert _answer(_triage(WSL_10000)) == ("env", {"emulator-too-old"})


def test_a_filesystem_said_to_lack_semantics_is_the_filesystems():
    cause = _without_marker('Yes, this "filesystem" lacks some semantics neededby libgit2 client '
                            "and will not work.")
    assert cause is not None and cause.category == "env"
    cause = _without_marker("It looks like VirtualBox's shared filesystem performs some "
                            "conversion between the posixy semantics it pretends to have and the "
                            "ones it uses for the real Windows filesystem it has below.")
    assert cause is not None and cause.category == "env"


def test_the_linux_side_of_a_comparison_is_left_out():
    lines = [LogLine(n, t) for n, t in enumerate(WSL_3107.splitlines(), 1)]
    out = Contrast()
    kept = [x.text for x in drop_contrast_runs(lines, out, unprefixed)]
    assert out.lead is not None and out.lead.text == "Execution on Linux:"
    assert not any("ld.so.nohwcap" in t for t in kept)  # the Linux run's strace
    assert any("movl %[sysid]" in t for t in kept)  # the program before the caption stays
    # quoted in a reply, the same
    out = Contrast()
    kept = [x.text for x in drop_contrast_runs([LogLine(x.line, "> " + x.text) for x in lines],
                                               out, unprefixed)]
    assert out.lines and not any("ld.so.nohwcap" in t for t in kept)


def test_a_perror_style_message_states_a_failure_that_happened():
    # nodegit #1115's message: the strerror after "Could not write data:" is the failure
    line = "Error: Failed to mmap. Could not write data: Invalid argument"
    mark = STRERRORS.search(line)
    assert mark is not None and _happened(line, mark.start(), mark.end(), False)
    # a question about it is still none
    asked = "Could not write data: Invalid argument?"
    mark = STRERRORS.search(asked)
    assert mark is not None and not _happened(asked, mark.start(), mark.end(), False)


def test_a_kernel_option_named_as_needed_is_the_diagnosis():
    assert _answer(_triage(BCC_283)) == ("config", {"kernel-config-missing"})
