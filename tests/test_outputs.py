"""Outputs never destroy anything: devices, pipes, inputs, full disks, interrupts, modes."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

LOGS = Path(__file__).parent / "fixtures" / "logs"
LOG = LOGS / "host-tmpfs-gup_longterm.log"
ROOT = Path(__file__).resolve().parent.parent


def harness(*args: str, cwd: Path | None = None, umask: int | None = None,
            stdout=subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=cwd, env=env,
                          stdout=stdout, stderr=subprocess.PIPE, timeout=120, check=False,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


def one_line_error(out: subprocess.CompletedProcess[bytes]) -> str:
    err = out.stderr.decode()
    assert out.returncode == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def no_temp_files(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if p.name.startswith(".")]


@pytest.fixture
def devices(tmp_path):
    """Private copies of /dev/null and /dev/full: a broken writer replaces these, not the
    machine's own."""
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    made = {}
    for name, minor in (("null", 3), ("full", 7)):
        node = tmp_path / name
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        node.chmod(0o666)  # mknod applies the umask
        made[name] = node
    return made


def test_dev_null_stays_a_device(devices):
    null = devices["null"]
    out = harness("triage", str(LOG), "--json", str(null), "--junit", str(null))
    assert out.returncode == 0, out.stderr
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == os.makedev(1, 3)
    assert stat.S_IMODE(after.st_mode) == 0o666


def test_dev_full_is_one_line_exit_2(devices):
    full = devices["full"]
    err = one_line_error(harness("triage", str(LOG), "--json", str(full)))
    assert str(full) in err and "No space left" in err
    assert stat.S_ISCHR(os.stat(full).st_mode)
    assert no_temp_files(full.parent)


def test_stdout_full_is_one_line_exit_2():
    with open("/dev/full", "wb") as full:
        out = harness("triage", str(LOG), "--json", "-", stdout=full)
    assert "No space left" in one_line_error(out)


def test_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    out = harness("triage", str(LOG), "--json", str(fifo))
    reader.join(timeout=60)
    assert out.returncode == 0, out.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b'"schema": "harness.triage/1"' in got[0]
    assert no_temp_files(tmp_path)


def dev_stdout(directory: Path) -> Path:
    """A private /dev/stdout (the same symlink): a broken writer replaces this, not /dev's."""
    link = directory / "stdout"
    link.symlink_to("/proc/self/fd/1")
    return link


def test_dev_stdout_redirected_to_a_file_is_stdout(tmp_path):
    target = tmp_path / "out.json"
    link = dev_stdout(tmp_path)
    with target.open("wb") as handle:
        out = harness("triage", str(LOG), "--json", str(link), stdout=handle)
    assert out.returncode == 0, out.stderr
    assert target.read_text().startswith("{") and no_temp_files(tmp_path)
    assert link.is_symlink()


def test_output_naming_an_input_is_refused_before_work(tmp_path):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    log = tmp_path / "a" / "x.log"
    shutil.copy(LOG, log)
    original = log.read_bytes()
    os.link(log, tmp_path / "hard.log")
    for spelling in ("./../x.log", "../b/../x.log", str(log), str(tmp_path / "hard.log")):
        for flag in ("--json", "--junit", "--mail"):
            out = harness("triage", "../x.log", flag, spelling, cwd=work)
            assert "input" in one_line_error(out), (flag, spelling)
            assert out.stdout == b"", "the work was done before the refusal"
    assert log.read_bytes() == original


def test_compare_output_naming_an_input_is_refused(tmp_path):
    report = tmp_path / "base.json"
    assert harness("triage", str(LOG), "--json", str(report)).returncode == 0
    original = report.read_bytes()
    out = harness("compare", str(report), str(report), "--json", str(tmp_path / "." / "base.json"),
                  cwd=tmp_path)
    assert "input" in one_line_error(out) and out.stdout == b""
    assert report.read_bytes() == original


def test_bad_targets_fail_before_work(tmp_path):
    cases = [("--json", str(tmp_path)),                        # a directory
             ("--json", str(tmp_path / "new") + "/"),          # names a directory
             ("--json", str(tmp_path / ("x" * 300))),          # a name the fs refuses
             ("--json", "")]
    for flag, target in cases:
        out = harness("triage", str(LOG), flag, target)
        one_line_error(out)
        assert out.stdout == b"", target
    two = harness("triage", str(LOG), "--json", "-", "--mail", "-")
    assert "stdout" in one_line_error(two) and two.stdout == b""
    link = dev_stdout(tmp_path)
    with (tmp_path / "captured").open("wb") as handle:
        same = harness("triage", str(LOG), "--json", "-", "--mail", str(link), stdout=handle)
    assert "stdout" in one_line_error(same) and link.is_symlink()
    same_file = harness("triage", str(LOG), "--json", str(tmp_path / "r"), "--mail",
                        str(tmp_path / "." / "r"))
    one_line_error(same_file)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["captured", "stdout"]


def test_umask_honoured_and_existing_mode_kept(tmp_path):
    fresh = tmp_path / "fresh.json"
    assert harness("triage", str(LOG), "--json", str(fresh), umask=0o027).returncode == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    kept.chmod(0o604)
    assert harness("triage", str(LOG), "--json", str(kept), umask=0o077).returncode == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and kept.read_text().startswith("{")


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs: a real full disk."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "small"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_keeps_the_old_file_and_leaves_no_temp_file(small_disk):
    old = small_disk / "report.xml"
    old.write_text("<old/>\n")
    (small_disk / "filler").write_bytes(b"x" * 40 * 1024)
    big = LOGS / "host-runner-tmpfs.log"  # its JUnit XML is well over the 20 KiB left
    out = harness("triage", str(big), "--junit", str(old))
    assert "No space left" in one_line_error(out)
    assert old.read_text() == "<old/>\n"
    assert no_temp_files(small_disk)


def test_interrupted_write_leaves_no_temp_file(tmp_path, monkeypatch):
    from harness.report import outputs

    target = tmp_path / "r.json"
    target.write_text("old\n")

    def interrupted(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        outputs.write_text(str(target), "new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


# The same promises where the outputs are written as the results are judged: one big log
# streamed, and a fleet (a directory of logs) whose workers' pieces are copied into them.
WRITTEN_AS_THEY_GO = ["stream", "fleet"]


def streamed_input(mode: str, directory: Path) -> list[str]:
    if mode == "stream":
        return [str(LOG), "--stream"]
    logs = directory / "ci"
    logs.mkdir(exist_ok=True)
    shutil.copy(LOG, logs / "juno_6.12.117_tmpfs_2026-12-01.log")
    return [str(logs)]


@pytest.mark.parametrize("mode", WRITTEN_AS_THEY_GO)
def test_devices_stay_devices_when_written_as_they_go(mode, devices, tmp_path):
    null, full = devices["null"], devices["full"]
    args = streamed_input(mode, tmp_path)
    out = harness("triage", *args, "--json", str(null), "--junit", str(null))
    assert out.returncode in (0, 1), out.stderr
    for kind in ("json", "junit"):
        err = one_line_error(harness("triage", *args, f"--{kind}", str(full)))
        assert f"--{kind} {full}" in err and "No space left" in err
    for node, minor in ((null, 3), (full, 7)):
        after = os.stat(node)
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == os.makedev(1, minor)
    assert no_temp_files(tmp_path)


@pytest.mark.parametrize("mode", WRITTEN_AS_THEY_GO)
def test_fifo_mode_and_symlink_kept_when_written_as_they_go(mode, tmp_path):
    args = streamed_input(mode, tmp_path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    out = harness("triage", *args, "--json", str(fifo))
    reader.join(timeout=60)
    assert out.returncode in (0, 1), out.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and b'"schema": "harness.triage/' in got[0]
    fresh = tmp_path / "fresh.json"
    assert harness("triage", *args, "--json", str(fresh), umask=0o027).returncode in (0, 1)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    kept, link = tmp_path / "kept.xml", tmp_path / "link.xml"
    kept.write_text("old")
    kept.chmod(0o604)
    link.symlink_to(kept.name)
    assert harness("triage", *args, "--junit", str(link), umask=0o077).returncode in (0, 1)
    assert link.is_symlink() and stat.S_IMODE(kept.stat().st_mode) == 0o604
    assert kept.read_text().startswith("<?xml") and no_temp_files(tmp_path)
