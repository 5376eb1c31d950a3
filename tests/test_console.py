"""Serial console framing, timeouts and crash detection against a fake guest (a local sh script)."""

import os
import stat
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from guests import qemu
from guests.base import BootTimeout, GuestError, KernelCrash
from guests.console import SerialConsole
from guests.initramfs import READY_MARKER
from guests.qemu import QemuMachine

BOOT = textwrap.dedent(f"""\
    #!/bin/sh
    echo "[    0.000000] Linux version 6.12.0 (fake)"
    {{BOOT_EXTRA}}
    echo "harness: modules loaded"
    echo "{READY_MARKER}"
    PS1='' PS2='' exec sh -i 2>&1
""")


def fake_guest(tmp_path: Path, boot_extra: str = "") -> list[str]:
    script = tmp_path / "fake-guest.sh"
    script.write_text(BOOT.replace("{BOOT_EXTRA}", boot_extra))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return ["/bin/sh", str(script)]


@pytest.fixture
def console(tmp_path):
    con = SerialConsole(fake_guest(tmp_path), tmp_path / "console.log")
    assert con.expect_line([__import__("re").compile(READY_MARKER)], 10) is not None
    yield con
    con.close()


def test_output_and_exit_code_are_framed(console):
    r = console.run("echo hello; echo world; (exit 3)", 10)
    assert r.output.splitlines() == ["hello", "world"]
    assert r.exit_code == 3 and not r.timed_out
    r2 = console.run("printf 'no newline'", 10)
    assert r2.output == "no newline" and r2.exit_code == 0


def test_command_with_comment_and_stdin_reader(console):
    # A trailing comment must not swallow the end sentinel; stdin readers get /dev/null.
    r = console.run("echo a # comment", 10)
    assert r.output == "a" and r.exit_code == 0
    r = console.run("cat; echo after", 10)
    assert r.output == "after" and r.exit_code == 0


def test_sentinel_text_in_output_does_not_end_the_command(console):
    r = console.run("echo HE; echo HB123; echo done", 10)
    assert r.output.splitlines() == ["HE", "HB123", "done"]


def test_timeout_returns_partial_output(console):
    t0 = time.monotonic()
    r = console.run("echo started; sleep 30", 1.5)
    assert r.timed_out and r.exit_code is None
    assert "started" in r.output
    assert time.monotonic() - t0 < 5


def test_oops_and_warning_are_detected_with_excerpt(console):
    r = console.run(
        "echo '[   12.345678] BUG: unable to handle page fault for address: 0000000000000008';"
        "echo '[   12.345680] Oops: 0000 [#1] PREEMPT SMP NOPTI';"
        "echo '[   12.345690] RIP: 0010:gup_fast+0x12/0x40';"
        "echo '[   12.345700] ---[ end trace 0000000000000000 ]---';"
        "echo '[   13.000000] WARNING: CPU: 1 PID: 77 at mm/gup.c:123 foo+0x1/0x2';"
        "echo '# [RUN] not a crash: BUG in a test name'",
        10,
    )
    assert r.exit_code == 0
    kinds = [c.kind for c in console.crashes]
    assert kinds == ["oops", "warning"]
    oops = console.crashes[0]
    assert "unable to handle page fault" in oops.title
    assert any("RIP: 0010:gup_fast" in ln for ln in oops.lines)
    assert oops.lines[-1].endswith("---[ end trace 0000000000000000 ]---")


def test_a_panic_without_panic_minus_one_ends_the_command_at_once(console):
    """Without panic=-1 a panicked kernel spins and QEMU stays: the panic's end line is where
    the console stops waiting (the run goes on as for a machine that died)."""
    start = time.monotonic()
    r = console.run(
        "echo '[    9.000000] Kernel panic - not syncing: sysrq triggered crash';"
        "echo '[    9.000100] CPU: 0 PID: 77 Comm: sh';"
        "echo '[    9.000200] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---';"
        "sleep 600", 60)
    assert r.died and not r.timed_out and r.exit_code is None
    assert time.monotonic() - start < 20 and console.panicked
    (crash,) = console.crashes
    assert crash.kind == "oops" and crash.lines[-1].endswith("]---")
    assert console.expect_line([__import__("re").compile("never")], 5) is None  # no waiting


def test_guest_exit_mid_command_is_reported(console):
    r = console.run("echo bye; exit 0", 10)
    assert r.exit_code is None and not r.timed_out and r.died
    assert "bye" in r.output


def test_console_log_has_everything_without_carriage_returns(console, tmp_path):
    console.run("echo logged-line", 10)
    data = (tmp_path / "console.log").read_bytes()
    assert b"logged-line" in data and b"Linux version" in data and b"\r" not in data


class FakeQemu(QemuMachine):
    """QemuMachine whose 'QEMU' is the fake guest script."""

    fake_argv: tuple[str, ...] = ()

    def argv(self) -> list[str]:
        return list(self.fake_argv)


def _guest(tmp_path, monkeypatch, boot_extra="", boot_timeout=10.0):
    monkeypatch.setattr(qemu, "check_qemu_binary", lambda a: "/bin/true")
    monkeypatch.setattr(qemu, "check_kernel", lambda a, k: None)
    g = FakeQemu(arch="x86_64", kernel=tmp_path / "k", initrd=tmp_path / "i",
                 log_path=tmp_path / "console.log", accel="tcg", boot_timeout=boot_timeout)
    g.fake_argv = tuple(fake_guest(tmp_path, boot_extra))
    return g


def _no_survivors(pid):
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_guest_hang_kills_the_process(tmp_path, monkeypatch):
    g = _guest(tmp_path, monkeypatch)
    g.start()
    pid = g._console.pid
    assert g.run("echo $((6*7))", 10).output == "42"
    r = g.run("sleep 60", 1)
    assert r.timed_out and not g.alive
    with pytest.raises(GuestError):
        g.run("true", 5)
    g.close()
    g.close()  # idempotent
    _no_survivors(pid)


def test_boot_oops_raises_kernel_crash(tmp_path, monkeypatch):
    g = _guest(tmp_path, monkeypatch,
               boot_extra="echo '[    2.9] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI'; "
                          "echo '[    2.9] RIP: 0010:sched_clock_cpu+0x5/0x10'")
    with pytest.raises(KernelCrash) as e:
        g.start()
    assert "int3" in str(e.value)
    assert any("sched_clock_cpu" in ln for ln in e.value.excerpt)
    _no_survivors(g._console.pid)


def test_boot_timeout_and_setup_failure(tmp_path, monkeypatch):
    g = _guest(tmp_path, monkeypatch, boot_extra="sleep 30", boot_timeout=1.0)
    with pytest.raises(BootTimeout):
        g.start()
    _no_survivors(g._console.pid)
    g2 = _guest(tmp_path, monkeypatch, boot_extra="echo 'HARNESS-SETUP-FAILED: insmod xfs.ko'")
    with pytest.raises(GuestError, match="insmod xfs.ko"):
        g2.start()


def test_missing_qemu_binary_and_wrong_kernel(tmp_path, monkeypatch):
    from harness.arch import ARM64, X86_64

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GuestError, match="apt-get install qemu-system-arm"):
        qemu.check_qemu_binary(ARM64)
    bz = tmp_path / "bzImage"
    bz.write_bytes(b"\0" * 0x202 + b"HdrS" + b"\0" * 100)
    with pytest.raises(GuestError, match="is a x86_64 kernel, not arm64"):
        qemu.check_kernel(ARM64, bz)
    qemu.check_kernel(X86_64, bz)
    junk = tmp_path / "junk"
    junk.write_bytes(os.urandom(64))
    with pytest.raises(GuestError, match="not a kernel image"):
        qemu.check_kernel(X86_64, junk)


def test_close_after_ctrl_c_mid_command_is_quick(tmp_path, monkeypatch):
    g = _guest(tmp_path, monkeypatch)
    g.start()
    con = g._console
    pid = con.pid
    real_read = con._read
    calls = []

    def interrupted(timeout):
        calls.append(timeout)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return real_read(timeout)

    monkeypatch.setattr(con, "_read", interrupted)
    with pytest.raises(KeyboardInterrupt):
        g.run("sleep 60", 100)
    monkeypatch.setattr(con, "_read", real_read)
    t0 = time.monotonic()
    g.close()  # no poweroff into a busy shell, no 15 s wait: kill at once
    assert time.monotonic() - t0 < 5
    _no_survivors(pid)


def test_shell_exit_is_reported_at_once(tmp_path):
    # /init restarts the shell and prints a marker when it exits (here: `exit 0` mid-command).
    script = tmp_path / "looping-guest.sh"
    script.write_text(textwrap.dedent(f"""\
        echo "{READY_MARKER}"
        while :; do PS1='' sh -i 2>&1; echo "HARNESS-SHELL-EXITED: $?"; done
    """))
    con = SerialConsole(["/bin/sh", str(script)], tmp_path / "console.log")
    try:
        assert con.expect_line([__import__("re").compile(READY_MARKER)], 10) is not None
        t0 = time.monotonic()
        r = con.run("echo partial; exit 0", 30)
        assert r.shell_exited and r.died and r.exit_code is None and not r.timed_out
        assert r.output == "partial" and time.monotonic() - t0 < 5
        assert con.run("echo again", 10).output == "again"  # the new shell answers
    finally:
        con.close()
