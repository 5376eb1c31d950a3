"""The classes session 10's tracker round (20-trk) fixed, each tested on a second real text
worded differently from the one that showed it missing:

- WSL 1 as a system call translation layer: a text that shows WSL 1 (a 4.4.0-N-Microsoft release,
  "WSL1", LxCore, a fixed-in-wsl2 or wsl1 label, the issue form's checked "WSL 1" box, the WSL
  tracker before WSL 2 existed, a Windows build older than any that ran WSL 2) and a failure with
  ENOSYS or EOPNOTSUPP is the layer lacking the call (env/emulator-too-old), not a kernel built
  without an option; under such a layer the errno needs no call named ("script command fails,
  Function not implemented"); the maintainers' words for it ("WSL1 does not use a real Linux
  kernel", "a known WSL1 limitation", "LxCore does not support MAP_LOCKED");
- WSL's Windows drives (DrvFs under /mnt/c, "outside VolFs") named as where the file was, in a
  text about mapping it: the share gives no mappings (env/fs-no-shared-mmap);
- a program's own error lines: those that name an errno are the failure, the rest tell what
  followed ("Error: initdb failed"), and the same line pasted twice is one failure;
- a tracker's furniture is no failure: the labels line ("labels: stale-issue, type: bug"), Prow's
  "/kind bug"; an issue form's "Expected behavior" section says what should happen; an issue
  labelled a bug whose text states no failure a line knows has its title as the failure (the
  last resort before a refusal: pantsbuild #14599);
- gVisor's own "Unsupported syscall UNKNOWN[439/0x1b7](...)" line is an emulator lacking a call;
- user-mode translators are translation layers too (Rosetta's "rosetta error:", FEX-Emu, box64,
  qemu-user - not qemu-system): EOPNOTSUPP under qemu-user is the emulator's;
- a /proc or /sys file missing (ENOENT, also as Java's NoSuchFileException) under a translation
  layer is the layer's (gVisor's procfs without max_map_count, WSL 1 without threads-max);
- a translator's semantics told as unlike the native machine's ("behavior doesnt match a x86_64
  native machine", "exhibits non-atomic destructive behavior" via Rosetta) and a newer build
  that no longer fails ("does not fail with EINVAL, as of WSL1 18890") -> emulator-too-old;
- flock() EBADF on NFS ("flock: 200: Bad file descriptor" on nfs4): NFS emulates flock with
  fcntl locks that need the file open for writing -> the filesystem's lock semantics;
- an old template's bullet labels ("* Expected results" ... "* Actual results") end the expected
  section; a markdown link keeps its words for the diagnosis ("[does not](...) fail");
- (mini-round 20-trk-b) the layer as the only place it fails: "fails with runsc but succeeds w/
  crun/runc as well as on the host", "works with `runc` and only fails with `runsc`";
- VirtualBox's vboxsf is named so (the filesystem patterns knew only "vboxfs"), and a sentence
  may open with an inline code span ("`vboxsf` does not support directory `fsync`");
- the maintainer's one-liner naming the limit: "this is a limitation of 9p I'm afraid" (the
  filesystem's), "this is a WSL limitation", "Better in WSL2", "Not supported on WSL1", "please
  use WSL2" (the layer's); a user's own "I use WSL2" is none.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_report_classes import triage_read

from harness.model import LogLine
from harness.readers.diagnosis import _diagnosis, _without_marker
from harness.readers.translation_layer import Reader
from harness.readers.unread_failures import results as unread_results

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


def _thread(*pieces: str) -> str:
    """A thread as the search service's copy stores it (a JSON string, unmodified)."""
    return json.loads("".join(pieces)) + "\n"


# microsoft/WSL #2053 (superherointj, therealkenc, 2017): `script` fails with ENOSYS under WSL 1
# (signalfd unimplemented; duplicate of #129).
WSL_2053 = _thread(
    r'''"microsoft/WSL · issue #2053 · closed · C++\nlabels: duplicate\n# script command fails'''
    r''', Function not implemented\n\nsuperherointj · comment · 2017-10-13\nRight now, can't u'''
    r'''se 'bs-loader' on WSL, main webpack module loader for bucklescript/reason because of t'''
    r'''his. Instead of working around upstream everywhere that is using `script`, would be ni'''
    r'''ce having it fixed instead.\n\nThis is breaking *everything* that relies on 'script'. '''
    r'''\n\nIs it going to be fixed?\n\nsuperherointj · comment · 2017-10-13\nRight now, can't'''
    r''' use 'bs-loader' on WSL, main webpack module loader for bucklescript/reason, because o'''
    r'''f this. Instead of working around upstream everywhere that is using script, would be n'''
    r'''ice having it fixed instead.\n\nThis is breaking everything that relies on 'script'.\n'''
    r'''\n@jackchammons @benhillis Is it going to be fixed?\n\ntherealkenc · comment · 2017-11'''
    r'''-15\nDupe of #129 to keep unimplemented `signalfd` in one place. 10 votes on [User Voi'''
    r'''ce](https://wpdev.uservoice.com/forums/266908-command-prompt-console-bash-on-ubuntu-on'''
    r'''-windo/suggestions/17230763-implementing-signalfd-syscall-in-wsl) as of this writing."'''
)
# microsoft/WSL #645 (labels feature, fixed-in-wsl2): sync_file_range() returns ENOSYS under WSL 1.
WSL_645 = _thread(
    r'''"microsoft/WSL · issue #645 · closed · C++\nlabels: feature, fixed-in-wsl2\n# sync_fil'''
    r'''e_range: Function not implemented\n\ntherealkenc · comment · 2019-01-04\nSigh. Your po'''
    r'''st (a) states the catastrophically obvious, and, (b) just decreased our changes of the'''
    r''' syscall being stubbed by some large percent (if some percent ever existed; I had fein'''
    r'''t hopes). One imagines this is the reason the devs decided to leave this function retu'''
    r'''rn `ENOSYS`.\n\nThe syscall is for durability not atomicity or isolation.\n\nLet me re'''
    r'''peat: Anyone using WSL as their MongoDB _deployment_ environment is high, and for anyo'''
    r'''ne using MongoDB in their _development_ environment, it doesn't matter. If you are wor'''
    r'''ried about the state of your data in the event of a hard system falldown, **and** don'''
    r''''t have a UPS and a clean shutdown protocol in place, **_and_** are using WSL as your '''
    r'''platform of choice_, then you have reached a very (let's call it) unusual set of circu'''
    r'''mstances. Which goes to where implementation of this syscall likely sits in the priori'''
    r'''ty queue (I wouldn't know, but I can make educated guesses). You could, however, open '''
    r'''a [UserVoice](https://wpdev.uservoice.com/forums/266908-command-prompt-console-windows'''
    r'''-subsystem-for-l) ticket describing your specific scenario and needs.\n\nThomasWaldman'''
    r'''n · comment · 2019-01-05\nNo need to jump at me.\n\nIt seems I confused this syscall w'''
    r'''ith other syscalls borgbackup is doing to make sure stuff ends up on disk in right ord'''
    r'''er before a transaction is committed. I edited my prev"'''
)
# microsoft/WSL #4670 (fpopineau, therealkenc, 2019): dconf's mmap fails when $HOME is on the
# Windows drive (/mnt/c) rather than WSL's own filesystem (VolFs).
WSL_4670 = _thread(
    r'''"microsoft/WSL · issue #4670 · closed · C++\nlabels: need-repro\n# WSL2 problem when $'''
    r'''HOME is mounted from outside VolFs\n\nfpopineau · description · 2019-11-12\nThis is WS'''
    r'''L2 with Ubuntu 18.04 on Microsoft Windows [version 10.0.19013.1122].\nRunning :\n```\n'''
    r'''Fabrice@Marvin:/source$ dconf list /\n**\ndconf:ERROR:dconf-shm.c:92:dconf_shm_open: a'''
    r'''ssertion failed: (memory != MAP_FAILED)\nAborted\n```\nThis is because my $HOME is lin'''
    r'''ked from some place outside VolFs (/home/Fabrice -> /mnt/c/Home)\nIf I set $HOME insid'''
    r'''e VolFs, then `dconf` is working ok.\nNo need to say that it prevents many Gtk app fro'''
    r'''m running.\n\nRegards,\n\ntherealkenc · comment · 2019-11-13\n`strace(1)` log. Possibl'''
    r'''y be Linux behavior; but to confirm that would take making your home a symlink to a SM'''
    r'''B share on Real Linux. Even if that worked (it might, it might not) It isn't an advise'''
    r'''d scenario on native Linux or WL. Work-around: don't make your home folder a Windows s'''
    r'''hare.\n\nfpopineau · comment · 2019-11-13\nWell, WSL2 seems unable to memory map this '''
    r'''configuration file.\nI moved ~/.cache directory to VolFs and symlinked it to ~/.cache.'''
    r'''\nThat fixed this problem.\n\nSincerely:\n- not being able to put ~/ and other work fi'''
    r'''les outside of VolFs defeats\nthe purpose of WSL in many scenarios,\n- if you add on t'''
    r'''op of it the performance issue\nhttps://github.com/microsoft/WSL/issues/4197 it makes '''
    r'''the thing unusable.\nPity because it was a nice idea.\n\nRegards,\n\nLe mer. 13 nov. 2'''
    r'''019 à 05:53, therealkenc <notifications@github.com> a\nécrit :\n\ntherealkenc"'''
)

# google/gvisor #8584 (josh-claimer, 2023-02-23): Cloud Run's gVisor logs clone3 (x86_64 435) as
# unsupported; turned into a feature request for clone3.
GVISOR_8584 = _thread(
    r'''"google/gvisor · issue #8584 · open · Go\nlabels: type: bug\n# Container Sandbox: Unsu'''
    r'''pported syscall\n\njosh-claimer · description · 2023-02-23\n### Description\n\nWhen ru'''
    r'''nning our application using a cloud run service. We are getting the following messages'''
    r''' in our logs.\n\nContainer Sandbox: Unsupported syscall UNKNOWN[435/0x1b3](0x3e61c89fd'''
    r'''810,0x58,0x3e621fa94850,0x8,0x3e61cbcff640,0x3e61c89fd92f). It is very likely that you'''
    r''' can safely ignore this message and that this is not the cause of any error you might '''
    r'''be troubleshooting.\n\nChecking https://gvisor.dev/docs/user_guide/compatibility/linux'''
    r'''/amd64/#UNKNOWN[435/0x1b3]\n\nThere is no compatibility with [clone3](http://man7.org/'''
    r'''linux/man-pages/man2/clone3.2.html) would it be possible to add this compatibility?\n'''
    r'''\njosh-claimer · comment · 2023-02-23\nRealise this is likely not a bug, will add as a'''
    r''' feature request instead"'''
)


# microsoft/WSL #1753 (aseering, 2017-03-06; labels bug, fixinbound): /proc/sys/kernel/threads-max
# missing under WSL 1, in the old WSL template's "* Expected results" / "* Actual results" form.
WSL_1753 = _thread(
    r'''"microsoft/WSL · issue #1753 · closed · C++\nlabels: bug, fixinbound\n# Missing \"/pro'''
    r'''c/sys/kernel/threads-max\"\n\naseering · description · 2017-03-06\nPlease use the foll'''
    r'''owing bug reporting template to help produce actionable and reproducible issues. Pleas'''
    r'''e try to ensure that the reproduction is minimal so that the team can go through more '''
    r'''bugs!\n\n* A brief description\n\nTitle says it all.  The aforementioned file is prese'''
    r'''nt on Ubuntu 16.04 (probably older versions too?); not in WSL.\n\nThe file's behavior '''
    r'''and defaults are documented towards the bottom of this file (just search for \"threads'''
    r'''-max\"):\n\nhttps://www.kernel.org/doc/Documentation/sysctl/kernel.txt\n\n* Expected r'''
    r'''esults\n\n```\n$ cat /proc/sys/kernel/threads-max\n31481\n```\n\n(File should also be '''
    r'''writeable.)\n\n* Actual results (with terminal output if applicable)\n\n```\n$ cat /pr'''
    r'''oc/sys/kernel/threads-max\ncat: /proc/sys/kernel/threads-max: No such file or director'''
    r'''y\n```\n\n* Your Windows build number\n\n15046\n\n* Steps / All commands required to r'''
    r'''eproduce the error from a brand new installation \n* Strace of the failing command\n\n'''
    r'''Happy to post if you need these.  But I bet you don't :-)\n\n* Required packages and c'''
    r'''ommands to install\n\nNone.\n\nSee [our contributing instructions](/CONTRIBUTING.md) f'''
    r'''or assistance.\n\naseering · comment · 2017-03-06\nI hit this problem while trying to '''
    r'''run the free-with-registration Community Edition of [HP Vertica 8.0](https://my.vertic'''
    r'''a.com/) on Windows.  Vertica actually crashes rather horribly:\n\n```\n$ /opt/vertica/'''
    r'''bin/ver"'''
)
# felixonmars/archriscv-packages #2285 (kxxt, 2023-03-09): lmdb's check() under qemu-user.
ARCHRISCV_2285 = _thread(
    r'''"felixonmars/archriscv-packages · pull request #2285 · closed · Shell\n# qemu-user-bla'''
    r'''cklist: add lmdb\n\nkxxt · description · 2023-03-09\nlmdb can be built in qemu-system '''
    r'''but it fails to build in qemu-user because of an \"Operation not supported\" error rai'''
    r'''sed in `check()`\n\nRelated: #2226\n\nkxxt · comment · 2023-07-29\nSuperseded by #2835'''
    r'''"'''
)
# FEX-Emu/FEX #5234 (fish4terrisa-MSDSM, 2026-01-14): execveat of a memfd under FEX.
FEX_5234 = _thread(
    r'''"FEX-Emu/FEX · issue #5234 · closed · C++\n# syscall execveat behavior doesnt match x8'''
    r'''6_64 native machine when executing a ELF file loaded in memfd\n\nfish4terrisa-MSDSM · '''
    r'''description · 2026-01-14\nFor some reason, the syscall `__NR_execveat`'s behavior does'''
    r'''nt match a x86_64 native machine when it's executing a x86_64 ELF loaded in memfd.\n# '''
    r'''Reproduce\nPOC:\n```\n#define _GNU_SOURCE\n#define __NR_execveat 322\n#include <stdio.'''
    r'''h>\n#include <stdlib.h>\n#include <string.h>\n#include <strings.h>\n#include <unistd.h'''
    r'''>\n#include <fcntl.h>\n#include <sys/mman.h>\n#include <sys/stat.h>\n\n\n\nint main(vo'''
    r'''id)\n{\n\n int fd = open(\"busybox\", O_RDONLY); // Put a static amd64 busybox binary '''
    r'''in the same dir as target\n if (fd == -1) return 1;\n\n struct stat st;\n int rv = fst'''
    r'''at(fd, &st);\n\n if (rv == -1) return 2;\n\n void *buffer = malloc(st.st_size);\n if ('''
    r'''buffer == NULL) return 3;\n\n ssize_t bytesRead = read(fd, buffer, st.st_size);\n if ('''
    r'''bytesRead == -1) return 4;\n //\n // Create an memfd file in memory\n //\n int af = me'''
    r'''mfd_create(\"anonfile\", MFD_CLOEXEC | MFD_ALLOW_SEALING);\n if (af == -1) return 5;\n'''
    r''' char* argv[] = { \"busybox\", NULL };\n\n //\n // Write the ELF file into new anonymo'''
    r'''us file and execute it\n //\n\n ssize_t bytesWritten = write(af, buffer, st.st_size);'''
    r'''\n if (bytesWritten == -1) return 6;\n\n syscall(__NR_execveat, af, (unsigned long)\"'''
    r'''\", (unsigned long)argv, NULL, AT_EMPTY_PATH);\n close(fd);\n\n}\n```\ncompile:\n```\n'''
    r'''gcc memexec.c -o memexec\n./memexec # Make sure there is a static x86_64 build busybox'''
    r''' put in the same folde"'''
)
# docker-mailserver/docker-mailserver #1979 (NorseGaud, 2021-05-18): flock on NFS 4.1 (EFS).
DMS_1979 = _thread(
    r'''"docker-mailserver/docker-mailserver · issue #1979 · closed · Shell\nlabels: kind/bug,'''
    r''' meta/needs triage, meta/stale, priority/medium\n# [BUG] flock doesn't work with NFS\n'''
    r'''\nNorseGaud · description · 2021-05-18\n# Bug Report\n\n## Context\n\nSeveral scripts '''
    r'''use `flock` to lock various files and \"prevent race conditions\n![Screen Shot 2021-05'''
    r'''-17 at 9 34 53 PM](https://user-images.githubusercontent.com/5896030/118577065-bd3f1d8'''
    r'''0-b757-11eb-84c9-e205e7e1bf80.png)\n\n> https://linux.die.net/man/2/flock\n> Notes\n> '''
    r'''flock() does not lock files over NFS. Use fcntl(2) instead: that does work over NFS, g'''
    r'''iven a sufficiently recent version of Linux and a server which supports locking.\n\n##'''
    r'''# What is affected by this bug?\n\nAbility to use NFS (and EFS)\n\n### When does this '''
    r'''occur?\n\n./setup.sh commands that use the binaries that use flock\n\n### How do we re'''
    r'''plicate the issue?\n\nMount NFS4.1 and use it to store the configs.\n\n## Behavior\n\n'''
    r'''```\n+ docker run --rm -v /mnt/efs-us-west-2/config:/tmp/docker-mailserver -ti {tag} d'''
    r'''elmailuser {email}\nDo you want to delete the mailbox as well (removing all mails) ? ['''
    r'''Y/n] y\nflock: 200: Bad file descriptor\n```\n\nFSTAB:\n`XXX:/ /mnt/efs-us-west-2 nfs4'''
    r''' nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport 0 0`"'''
)

# google/gvisor #10849 (chetan-reddy, 2024-09-02): bash from a guix pack under runsc.
GVISOR_10849 = _thread(
    r'''"google/gvisor · issue #10849 · open · Go\nlabels: platform:systrap, stale-issue, type'''
    r''': bug\n# runsc unable to run bash from a guix pack\n\nchetan-reddy · description · 202'''
    r'''4-09-02\n### Description\n\nI'm trying to use runsc to run a software bundle built by '''
    r'''guix pack. While it works if i use `/bin/sleep 100` as the command, runsc fails immedi'''
    r'''ately if i use `/bin/bash -c \"sleep 100\"` as the command. I first encountered this b'''
    r'''ehavior using podman(where I verified that `bash` from the pack works with `runc` and '''
    r'''only fails with `runsc`), but I've since reproduced this using [just runsc](https://gv'''
    r'''isor.dev/docs/user_guide/quick_start/oci/) \nI've supplied the steps to reproduce and '''
    r'''attached the logs below.  I'm running guix on a Debian 12 box. Please feel free to clo'''
    r'''se if this is not a supported config or if it's not worth investigating. The first err'''
    r'''or in the log is this line:\n\n> Unhandled user fault: addr=7ee9f3a6e025 ip=7ee9f3a6e0'''
    r'''25 access=r-x sig=11 err=bad address\n\n### Steps to reproduce\n\n```\n$ guix describe'''
    r'''\nGeneration 4    Aug 13 2024 11:24:22    (current)\n  guix 99a81b6\n    repository UR'''
    r'''L: https://git.savannah.gnu.org/git/guix.git\n    branch: master\n    commit: 99a81b6f'''
    r'''2a1386d6ea76a6ecb1942f1f7f891080\n$ guix pack -S /bin=bin coreutils bash\n/gnu/store/j'''
    r'''50l1pz73w5sdncw43b6j1xzsd9l2bpx-coreutils-bash-tarball-pack.tar.gz\n$ mkdir bundle\n$ '''
    r'''cd bundle/\n$ mkdir --mode=0755 rootfs\n$ sudo tar -xzf /gnu/store/j50l1pz73w5sdncw43b'''
    r'''6j1xzsd9l2bpx-coreutils-bash-tarball-pack.tar.gz -C rootfs --same-o"'''
)


def test_wsl1_is_a_translation_layer_that_lacks_calls(tmp_path):
    corpus = [(REPORTS / f"{name}.txt").read_text() for name in (
        "wsl1-postgresql-initdb-shmget-enosys-command-output-issue",
        "wsl1-mmap-map-locked-eopnotsupp-lxcore-issue")]
    for text in [*corpus, WSL_2053, WSL_645]:
        report = triage_read(tmp_path, text)
        assert report["verdict"] == "env", text[:60]
        assert _findings(report) == {("env", "emulator-too-old")}, text[:60]
        assert report["environment"]["facts"]["translation_layer"] == "WSL 1"


def test_enosys_without_a_translation_layer_stays_a_missing_call(tmp_path):
    memfd = 'memfd_create("x", MFD_CLOEXEC) = -1 ENOSYS (Function not implemented)\n'
    assert _findings(triage_read(tmp_path, memfd)) == {("config", "syscall-not-implemented")}
    # WSL 2 runs a real kernel: its release is no translation layer
    wsl2 = "Linux version 5.15.167.4-microsoft-standard-WSL2\n" + memfd
    assert _findings(triage_read(tmp_path, wsl2)) == {("config", "syscall-not-implemented")}


def _layer(*lines: str) -> str | None:
    reader = Reader()
    for i, text in enumerate(lines, 1):
        reader.feed(LogLine(i, text, "t"))
    layer = reader.layer()
    return layer.name if layer else None


def test_what_shows_wsl1_and_what_does_not():
    assert _layer("Kernel: 4.4.0-17134-Microsoft") == "WSL 1"
    assert _layer("### WSL Version", "- [ ] WSL 2", "- [X] WSL 1") == "WSL 1"
    assert _layer("### WSL Version", "- [X] WSL 2", "- [ ] WSL 1") is None
    assert _layer("WSL version: 1.2.5.0") is None
    assert _layer("  NAME            STATE           VERSION",
                  "* Ubuntu-20.04    Stopped         1") == "WSL 1"
    assert _layer("I switched from WSL1 to WSL2 and it still fails") is None
    # the WSL tracker: before WSL 2 existed, and after
    assert _layer("microsoft/WSL \u00b7 issue #1 \u00b7 closed \u00b7 C++",
                  "a \u00b7 description \u00b7 2017-01-02") == "WSL 1"
    assert _layer("microsoft/WSL \u00b7 issue #1 \u00b7 closed \u00b7 C++",
                  "a \u00b7 description \u00b7 2023-01-02") is None


def test_the_maintainers_words_for_a_wsl1_limitation():
    for said in ("You are using WSL1. WSL1 does not use a real Linux kernel.",
                 "This is a known WSL1 limitation.",
                 "It looks like the LxCore driver (WSL1) does not support `MAP_LOCKED` flag."):
        cause = _without_marker(said)
        assert cause is not None and cause.cause == "emulator-too-old", said


def test_a_file_on_wsls_windows_drive_gets_no_mapping(tmp_path):
    ggllm = (REPORTS / "ggllm-mmap-fails-wsl-mnt-drvfs-backtrace-issue.txt").read_text()
    for text in (ggllm, WSL_4670):
        report = triage_read(tmp_path, text)
        assert _findings(report) == {("env", "fs-no-shared-mmap")}, text[:60]
    # a path under /mnt that is no Windows drive names no share
    said = _without_marker("mmap fails on /mnt/data today.")
    assert said is None or said.cause != "fs-no-shared-mmap"


def test_a_programs_error_lines_naming_an_errno_are_the_failure(tmp_path):
    postgres = (REPORTS / "wsl1-postgresql-initdb-shmget-enosys-command-output-issue.txt"
                ).read_text()
    report = triage_read(tmp_path, postgres)
    assert [r["errno"] for r in report["results"]] == ["ENOSYS"]


def test_a_trackers_labels_are_no_failure(tmp_path):
    lines = [LogLine(1, "labels: kind/bug, priority/important-soon, sig/storage", "t"),
             LogLine(2, " /kind bug", "t"),
             LogLine(3, "mmap failed: Invalid argument", "t")]
    assert [r.message for r in unread_results(lines, False)] == ["mmap failed: Invalid argument"]
    kube = (REPORTS / "kubernetes-hugepages-emptydir-bad-mount-option-pagesize.txt").read_text()
    report = triage_read(tmp_path, kube)
    assert not any("labels:" in (r["message"] or "") or "/kind" in (r["message"] or "")
                   for r in report["results"])


def test_an_expected_behaviour_section_states_no_failure():
    # (no real text was found where it mattered; the form of kontainapp/km #377's "On Linux:
    # mmap(...) = -1 EPERM ... But on KM the errno is EINVAL" under an issue form's headings)
    for heading, actual in (("**Expected behavior**", "**Actual behavior**"),
                            ("### Expected Behavior", "### Actual Behavior")):
        lines = [LogLine(1, heading, "t"),
                 LogLine(2, "The call returns EPERM as on Linux.", "t"),
                 LogLine(3, actual, "t"),
                 LogLine(4, "mmap failed: Invalid argument", "t")]
        assert [r.message for r in unread_results(lines, False)] == [
            "mmap failed: Invalid argument"]


def test_gvisors_unsupported_syscall_line_is_the_sandbox_lacking_the_call(tmp_path):
    report = triage_read(tmp_path, GVISOR_8584)
    assert _findings(report) == {("env", "emulator-too-old")}


def test_a_missing_proc_file_under_a_translation_layer_is_the_layer(tmp_path):
    # (the old WSL template's "* Expected results" bullet ends at "* Actual results")
    report = triage_read(tmp_path, WSL_1753)
    assert _findings(report) == {("env", "emulator-too-old")}
    assert any("threads-max: No such file" in (r["message"] or "") for r in report["results"])
    # without a layer, a missing /proc file is no translation layer's
    plain = "cat: /proc/sys/kernel/threads-max: No such file or directory\n"
    assert ("env", "emulator-too-old") not in _findings(triage_read(tmp_path, plain))


def test_a_user_mode_translator_is_a_translation_layer(tmp_path):
    report = triage_read(tmp_path, ARCHRISCV_2285)
    assert report["environment"]["facts"]["translation_layer"] == "QEMU user mode"
    assert _findings(report) == {("env", "emulator-too-old")}


def test_a_translators_behaviour_told_as_unlike_the_native_machines(tmp_path):
    report = triage_read(tmp_path, FEX_5234)
    assert report["verdict"] == "env"
    assert _findings(report) == {("env", "emulator-too-old")}


def test_flock_ebadf_on_nfs_is_the_filesystems_lock_emulation(tmp_path):
    report = triage_read(tmp_path, DMS_1979)
    assert _findings(report) == {("env", "fs-unsupported-operation")}
    assert [(r["syscall"], r["errno"]) for r in report["results"]] == [("flock", "EBADF")]
    # on a local filesystem EBADF is the program's own descriptor
    local = triage_read(tmp_path, "flock: 200: Bad file descriptor\n", "--fs", "ext4")
    assert ("env", "fs-unsupported-operation") not in _findings(local)


def test_the_layer_named_as_the_only_place_it_fails(tmp_path):
    report = triage_read(tmp_path, GVISOR_10849)
    assert _findings(report) == {("env", "emulator-too-old")}
    said = _without_marker("The following fails with runsc but succeeds w/ crun/runc as well as "
                           "on the host:")
    assert said is not None and said.cause == "emulator-too-old"
    # a place that is no emulator says nothing of one
    assert _without_marker("It works on my laptop and fails in CI.") is None


def test_vboxsf_is_a_shared_folder_by_either_name():
    for said in ("`vboxsf` does not support directory `fsync`, which is required for rocksdb.",
                 "Shared folders via vboxfs don't support mmap."):
        cause = _without_marker(said)
        assert cause is not None and cause.category == "env", said


def test_a_limitation_named_so_is_the_places():
    # maintainers' one-liners, as written: kata-containers/runtime #687 (grahamwhaley), WSL #4857
    # (therealkenc), WSL #6792 (DHowett)
    said = {
        "Yes, this is a limitation of 9p I'm afraid.": "fs-unsupported-operation",
        "Better in WSL2.": "emulator-too-old",
        "You need to use WSL2 if you need a real kernel (and loadable module support.)":
            "emulator-too-old",
    }
    for sentence, cause in said.items():
        found = _without_marker(sentence)
        assert found is not None and found.cause == cause, sentence
    # a question or a user's own WSL 2 says nothing
    for sentence in ("Is this a limitation of 9p?", "I use WSL2 and hugepages fail."):
        assert _diagnosis(sentence, LogLine(1, sentence, "t")) is None, sentence


def test_a_bug_labelled_issue_with_no_failure_line_has_its_title_as_the_failure():
    lines = [LogLine(1, "pantsbuild/pants \u00b7 issue #14599 \u00b7 open \u00b7 Python", "t"),
             LogLine(2, "labels: bug", "t"),
             LogLine(3, "# Placeholder: Various (potentially NFS) filesystem-related bugs", "t"),
             LogLine(5, "For the last, it appears LMDB is a no-go on NFS, which makes sense.", "t")]
    assert [r.message for r in unread_results(lines, False)] == [
        "# Placeholder: Various (potentially NFS) filesystem-related bugs"]
    lines[1] = LogLine(2, "labels: enhancement", "t")
    assert unread_results(lines, False) == []
