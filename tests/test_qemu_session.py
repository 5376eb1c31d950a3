"""run_selftests with a QemuGuest whose machines are scripted.

Hangs, crashes, strace, cleanup, facts.
"""

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fs_profiles.ninep import NinePProfile
from guests import qemu_guest
from guests.base import CommandResult, GuestError, KernelCrash
from guests.console import Crash
from guests.facts import HugePool, collect_facts, parse_facts
from guests.qemu_guest import QemuGuest
from guests.run import RunRequest, run_selftests

pytestmark = pytest.mark.skipif(not shutil.which("cpio"), reason="needs cpio")

FACTS = """@@release
6.12.117+deb12-amd64
@@cmdline
console=ttyS0 panic=-1 hugepagesz=1G hugepages=0:2,1:2 default_hugepagesz=2M hugepages=0:64,1:64
@@mounts
rootfs / rootfs rw 0 0
harness9p /mnt/harness 9p rw,relatime,access=client,msize=512000,trans=virtio 0 0
@@meminfo
MemTotal:        7000000 kB
HugePages_Total:     128
@@node_hugepages
/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages 2
/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages 64
/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages 1
/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages 64
@@hugepages
/sys/kernel/mm/hugepages/hugepages-1048576kB 3 3 0 0
/sys/kernel/mm/hugepages/hugepages-2048kB 128 128 0 0
@@thp
always [madvise] never
@@swaps
Filename				Type		Size		Used		Priority
@@gup_test
no
@@nodes
/sys/devices/system/node/node0
/sys/devices/system/node/node1
@@end
"""


@dataclass
class Script:
    """What the fake guests answer: test name -> (output, exit code | 'hang' | 'crash')."""

    answers: dict[str, tuple[str, object]]
    boots: int = 0
    commands: list[str] = field(default_factory=list)
    closed: int = 0


class FakeGuest:
    log_error = None  # the console log was always written
    script: Script
    boot_crash_first = False

    def __init__(self, **kw):
        self.kw = kw
        self.accel = "tcg"
        self.accel_why = "TCG: fake"
        self.boot_seconds = 1.5
        self.crashes: list[Crash] = []
        self.alive = False
        self.console_log = kw["log_path"]

    def start(self):
        self.script.boots += 1
        if self.boot_crash_first and self.script.boots == 1:
            raise KernelCrash("kernel crashed while booting: Oops: int3", ["Oops: int3", "RIP"])
        self.alive = True

    def tail(self, n=30):
        return ["# [RUN] something", "ok 1"][-n:]

    def run(self, command, timeout, give_up=None):
        if not self.alive:
            raise GuestError("not running")
        self.script.commands.append(command)
        if command.startswith("echo @@release"):
            return CommandResult(command, FACTS, 0, False, 0.1)
        for name, (out, how) in self.script.answers.items():
            if command.endswith(f"/selftests/{name}"):
                return self.selftest(command, out, how, timeout)
            if command.endswith(f"gzip -c /var/harness/{name}.strace | base64"):
                return CommandResult(command, "garbage!", 0, False, 0.1)
            if command == f"cat /var/harness/{name}.strace":
                return CommandResult(command, f"123 ftruncate(3, 4096) = -1 ENOENT ({name})", 0,
                                     False, 0.1)
        return CommandResult(command, "", 0, False, 0.01)

    def selftest(self, command, out, how, timeout):
        if how == "hang":
            self.alive = False
            return CommandResult(command, out, None, True, timeout)
        if how == "crash":
            self.alive = False
            self.crashes.append(Crash("oops", ["BUG: kernel NULL pointer", "RIP: x"]))
            return CommandResult(command, out, None, False, 2.0)
        return CommandResult(command, out, how, False, 1.0)

    def close(self):
        self.script.closed += 1
        self.alive = False


def fake_guest_class(script: Script, boot_crash_first: bool = False):
    return type("ScriptedGuest", (FakeGuest,),
                {"script": script, "boot_crash_first": boot_crash_first})


@dataclass
class FakeSelftests:
    binaries: dict


@dataclass
class FakeKernel:
    image: Path
    modules_dir: Path | None = None
    vmlinux: Path | None = None


def _run(tmp_path, monkeypatch, script, profile=None, boot_crash_first=False, **kw):
    monkeypatch.setattr(qemu_guest, "QemuMachine", fake_guest_class(script, boot_crash_first))
    monkeypatch.setattr(qemu_guest, "cached_initramfs",
                        lambda spec, out: ([], out.write_bytes(b"cpio") < 0))
    monkeypatch.setattr(qemu_guest, "find_busybox", lambda arch: Path("/bin/busybox"))
    binaries = {t: Path("/bin/true") for t in ("gup_longterm", "cow")}
    profile = profile or NinePProfile()
    kernel = FakeKernel(tmp_path / "bzImage", modules_dir=tmp_path / "modules")
    request = RunRequest(fs=profile.name, out=tmp_path, **kw)
    result = run_selftests(QemuGuest(kernel, FakeSelftests(binaries), profile, request), request)
    return result, profile


def test_hang_marks_the_test_and_boots_again_for_the_next(tmp_path, monkeypatch):
    script = Script({"gup_longterm": ("TAP version 13\n1..50\n# [RUN] x", "hang"),
                     "cow": ("TAP version 13\n# Totals: pass:1 fail:0", 0)})
    r, profile = _run(tmp_path, monkeypatch, script, test_timeout=5)
    gup, cow = r.tests
    assert gup.timed_out and gup.exit_code is None and "# [RUN] x" in gup.output
    assert cow.exit_code == 0 and not cow.timed_out
    assert script.boots == 2
    assert any("gup_longterm timed out after 5 s" in n for n in r.notes)
    assert profile.share is None  # torn down
    assert list(tmp_path.glob("work/qemu-*")) == []  # private dir removed
    assert r.console_log.name == "console-x86_64-9p.log"


def test_crash_mid_test_is_recorded_and_results_kept(tmp_path, monkeypatch):
    script = Script({"gup_longterm": ("ok 1\nok 2", "crash"), "cow": ("ok 1", 0)})
    r, _ = _run(tmp_path, monkeypatch, script)
    assert r.crash == ["BUG: kernel NULL pointer", "RIP: x"]
    assert r.tests[0].output == "ok 1\nok 2" and r.tests[0].exit_code is None
    assert r.tests[1].exit_code == 0
    assert any("guest died during gup_longterm" in n for n in r.notes)


def test_boot_oops_is_retried_once_and_said(tmp_path, monkeypatch):
    script = Script({"gup_longterm": ("ok 1", 1)})
    r, _ = _run(tmp_path, monkeypatch, script, boot_crash_first=True, tests=("gup_longterm",))
    assert script.boots == 2
    assert any("booted again" in n for n in r.notes)
    assert r.tests[0].exit_code == 1
    assert r.crash == ["Oops: int3", "RIP"]


def test_strace_log_is_read_back_per_test(tmp_path, monkeypatch):
    monkeypatch.setattr(qemu_guest, "strace_files", lambda arch: {})
    script = Script({"gup_longterm": ("not ok 3 ftruncate() failed", 1)})
    r, _ = _run(tmp_path, monkeypatch, script, tests=("gup_longterm",), strace=True)
    (t,) = r.tests
    assert t.command == "strace -f -o /var/harness/gup_longterm.strace /selftests/gup_longterm"
    assert t.strace_log == "123 ftruncate(3, 4096) = -1 ENOENT (gup_longterm)"


def test_facts_and_hugepage_shortfall(tmp_path, monkeypatch):
    script = Script({"gup_longterm": ("ok 1", 0)})
    r, _ = _run(tmp_path, monkeypatch, script, tests=("gup_longterm",))
    f = r.facts
    assert f.fs_mount.fstype == "9p" and f.thp_enabled == "madvise"
    assert f.hugepages_per_node[1][1048576] == 1 and f.nodes == [0, 1]
    assert f.swaps == [] and f.gup_test is False
    assert r.hugepage_shortfall == ["hugepages 1G on node 1: 1 of 2 reserved"]
    assert "hugepages 1G on node 1: 1 of 2 reserved" in r.notes
    assert r.accel == "tcg" and r.boot_seconds == [1.5]


def test_missing_selftest_and_cleanup_on_ctrl_c(tmp_path, monkeypatch):
    with pytest.raises(GuestError, match="selftest ksm was not built"):
        _run(tmp_path, monkeypatch, Script({}), tests=("ksm",))

    class Interrupting(NinePProfile):
        def provision(self, workdir, mountpoint, as_root=False, payload=None):
            super().provision(workdir, mountpoint, as_root, payload)
            raise KeyboardInterrupt

    p = Interrupting()
    result, _ = _run(tmp_path, monkeypatch, Script({}), profile=p)  # Ctrl-C: what ran is returned
    assert result.interrupted and result.tests == []
    assert any("Ctrl-C" in n for n in result.notes)
    assert p.share is None and list(tmp_path.glob("work/qemu-*")) == []


def test_parse_facts_directly():
    f = parse_facts(FACTS)
    assert f.kernel_release == "6.12.117+deb12-amd64"
    assert f.meminfo["HugePages_Total"] == 128
    assert f.hugepages[2048] == HugePool(nr=128, free=128, resv=0, surplus=0)
    assert f.mount_at("/mnt/harness").source == "harness9p"

    class Dead:
        def run(self, command, timeout):
            return CommandResult(command, "@@release\n6.1", None, True, timeout)

    with pytest.raises(GuestError, match="facts"):
        collect_facts(Dead())


def test_gzip_base64_transfer_survives_printk_lines():
    import base64
    import gzip

    text = "123 ftruncate(3, 4096) = -1 ENOENT (No such file or directory)\n" * 200
    b64 = base64.encodebytes(gzip.compress(text.encode())).decode().splitlines()
    noisy = b64[:2] + ["[   12.345678] sh (169): drop_caches: 3"] + b64[2:]
    assert qemu_guest.decode_gzip_base64("\n".join(noisy)) == text
    with pytest.raises((ValueError, OSError, EOFError)):
        qemu_guest.decode_gzip_base64("\n".join(b64[:1] + b64[2:]))  # a line lost: damaged
