"""Fault models played back by the seccomp supervisor on the real static selftests (host, root).

Each selftest runs from a private tmpfs (a tmpdir mounted as tmpfs inside ``unshare -m``), which
is the modelled mount; glibc's tmpfile() uses /tmp, which is not on it, like a guest whose
selftests dir is a 9p/NFS share.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from fs_profiles.base import ProfileError
from fs_profiles.faults import injector as faultinject
from fs_profiles.faults import models
from harness.arch import ARM64
from harness.model import Category, Environment
from harness.readers.ingest import parse_file
from harness.triage.engine import triage

# $1: the cwd to mount a tmpfs on, $2: the injector's log
IN_TMPFS = 'mount -t tmpfs tmpfs "$1" && cd "$1" && shift 2 && exec "$@"'
# "root" scope, like a guest whose root is the share: /tmp is on the modelled fs too (the log is
# opened as fd 3 first, as the bind hides its path)
IN_TMPFS_WITH_TMP = ('mount -t tmpfs tmpfs "$1" && cd "$1" && exec 3>>"$2" && mkdir .tmp'
                     ' && mount --bind .tmp /tmp && shift 2 && exec "$@"')
needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="needs root and unshare for a private tmpfs mount")


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    log: list[list[str]]  # "pid syscall fd path errno" split as pid, syscall, fd, path, errno
    cwd: str

    def not_ok(self) -> Counter[str]:
        return Counter(re.sub(r"^not ok \d+ ", "", ln) for ln in self.stdout.splitlines()
                       if ln.startswith("not ok"))

    def totals(self) -> str:
        lines = [ln for ln in self.stdout.splitlines() if ln.startswith("# Totals:")]
        assert lines, f"no Totals line (rc {self.rc}): {self.stderr[-300:]}"
        return lines[-1]

    def results_by_config(self) -> dict[str, list[str]]:
        """config ("memfd", "tmpfile", "local tmpfile", ...) -> result lines, paired with [RUN]."""
        out: dict[str, list[str]] = {}
        config = None
        for ln in self.stdout.splitlines():
            if ln.startswith("# [RUN]"):
                config = ln.rsplit(" ... with ", 1)[-1]
            elif re.match(r"^(not )?ok \d+", ln) and config:
                out.setdefault(config, []).append(ln)
                config = None
        return out


@pytest.fixture(scope="module")
def injector() -> Path:
    return faultinject.injector_binary()  # a build failure is a failure, not a skip


@pytest.fixture(scope="module")
def selftests() -> dict[str, Path]:
    from guests.assets.selftests import find_selftests

    found = find_selftests("x86_64")
    if found is None:
        pytest.skip("static x86_64 selftests not built (harness setup builds them)")
    return found.binaries


def run_under(injector: Path, model: models.FaultModel | None, argv: list[str],
              tmp_path: Path, timeout: float = 120, scope: str = "work") -> Run:
    """Run argv from a private tmpfs cwd, under the model (or bare with None)."""
    root = scope == "root"
    cwd = tempfile.mkdtemp(dir=tmp_path)
    log = tmp_path / f"inject-{os.path.basename(cwd)}.log"
    prefix = (faultinject.injector_argv(model, str(injector), "." if root else cwd,
                                   "/dev/fd/3" if root else str(log)) if model else [])
    full = ["unshare", "-m", "--propagation", "private", "sh", "-c",
            IN_TMPFS_WITH_TMP if root else IN_TMPFS, "sh", cwd, str(log), *prefix, *argv]
    proc = subprocess.run(full, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)
    entries = [ln.split(" ", 3) for ln in log.read_text().splitlines()] if log.exists() else []
    split = [[pid, name, fd, *rest.rsplit(" ", 1)] for pid, name, fd, rest in entries]
    return Run(proc.returncode, proc.stdout, proc.stderr, split, cwd)


# --------------------------------------------------------------------------- models as data


def test_every_model_loads_with_its_provenance():
    names = models.model_names()
    assert {"9p-fvp", "9p-qemu7", "9p-qemu7-mmap", "nfs3", "xfs", "tmpfs"} <= set(names)
    for name in names:
        model = models.load_model(name)
        assert model.name == name and model.looks_like in models.LOOKS_LIKE
        assert model.description and model.reference
    assert models.load_model("xfs").rules == () and models.load_model("tmpfs").rules == ()
    fvp = models.load_model("9p-fvp")
    assert [(r.syscall, r.when, r.errno) for r in fvp.rules] == [
        ("fstatfs", "unlinked", "EOPNOTSUPP"), ("ftruncate", "unlinked", "ENOENT")]


def test_unknown_model_is_a_one_line_error():
    with pytest.raises(ProfileError) as err:
        models.load_model("9p-hyperv")
    assert "9p-fvp" in str(err.value) and "\n" not in str(err.value)


HEAD = 'looks_like = "9p"\ndescription = "d"\nreference = "r"\n'


@pytest.mark.parametrize("text,words", [
    ('looks_like = "9p"\ndescription = "d"\n', "missing reference"),
    (HEAD.replace('"9p"', '"zfs"'), "looks_like must be"),
    (HEAD + '[[rules]]\nsyscall = "ftruncate"\nwhen = "sometimes"\n'
     'errno = "EIO"\n', "when must be"),
    (HEAD + '[[rules]]\nsyscall = "fstatfs"\n', "needs syscall, when and errno"),
    ("looks_like = \n", "broken"),
])
def test_broken_model_files_are_one_line_errors(tmp_path, monkeypatch, text, words):
    (tmp_path / "broken.toml").write_text(text)
    monkeypatch.setattr(models, "MODELS_DIR", tmp_path)
    with pytest.raises(ProfileError) as err:
        models.load_model("broken")
    assert "broken" in str(err.value) and "\n" not in str(err.value)
    assert words in str(err.value)


def test_missing_compiler_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))
    no_gcc = dataclasses.replace(ARM64, compiler="no-such-aarch64-gcc")
    monkeypatch.setattr(faultinject, "get_arch", lambda arch: no_gcc)
    with pytest.raises(ProfileError) as err:
        faultinject.injector_binary("arm64")
    assert "no-such-aarch64-gcc not found" in str(err.value) and "\n" not in str(err.value)


def test_injector_is_rebuilt_when_its_source_changes(tmp_path, monkeypatch):
    if shutil.which("gcc") is None:
        pytest.skip("gcc not installed")
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))
    first = faultinject.injector_binary()
    stamp = first.stat().st_mtime_ns
    assert faultinject.injector_binary().stat().st_mtime_ns == stamp  # cached
    changed = tmp_path / "faultinject.c"
    changed.write_text(faultinject.SOURCE.read_text() + "\n/* changed */\n")
    monkeypatch.setattr(faultinject, "SOURCE", changed)
    assert faultinject.injector_binary() == first and first.stat().st_mtime_ns != stamp
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".build-")]


def test_injector_argv_is_a_prefix_ending_in_double_dash():
    model = models.load_model("9p-qemu7")
    argv = faultinject.injector_argv(model, "/bin/fi", "/mnt/work", "/tmp/x.log")
    assert argv[0] == "/bin/fi" and argv[-1] == "--"
    assert argv[argv.index("--mount") + 1] == "/mnt/work"
    assert argv[argv.index("--log") + 1] == "/tmp/x.log"
    assert "mmap:on_mount:EINVAL:MAP_SHARED" in argv
    assert "--log" not in faultinject.injector_argv(model, "/bin/fi", "/mnt")


def test_injector_builds_static_for_arm64_too():
    if shutil.which("aarch64-linux-gnu-gcc") is None:
        pytest.skip("aarch64-linux-gnu-gcc not installed")
    binary = faultinject.injector_binary("arm64")
    head = binary.read_bytes()[:20]
    assert head[:4] == b"\x7fELF" and int.from_bytes(head[18:20], "little") == 183  # EM_AARCH64
    assert faultinject.injector_binary("aarch64") == binary


# --------------------------------------------------------------------------- the real selftests


@needs_root
def test_9p_fvp_fails_exactly_the_local_tmpfile_cases(injector, selftests, tmp_path):
    run = run_under(injector, models.load_model("9p-fvp"), [str(selftests["gup_longterm"])],
                    tmp_path)
    assert run.rc == 1
    assert run.not_ok() == Counter({"ftruncate() failed": 10})
    by_config = run.results_by_config()
    assert all(ln.startswith("not ok") for ln in by_config["local tmpfile"])
    assert len(by_config["local tmpfile"]) == 10
    for untouched in ("memfd", "tmpfile"):
        assert not any(ln.startswith("not ok") for ln in by_config[untouched])
    # evidence: per case fstatfs EOPNOTSUPP, then ftruncate ENOENT, on the same unlinked file
    assert len(run.log) == 20
    for first, second in zip(run.log[::2], run.log[1::2], strict=True):
        assert first[1] == "fstatfs" and first[4] == "EOPNOTSUPP"
        assert second[1] == "ftruncate" and second[4] == "ENOENT"
        assert first[3] == second[3] and first[3].endswith(" (deleted)")
        assert first[3].startswith(run.cwd + "/")
        assert first[2] == "3"  # the injector leaves no fd behind: fd 3, as in the thread's strace


@needs_root
def test_9p_fvp_with_tmp_on_the_share_fails_the_tmpfile_cases_too(injector, selftests, tmp_path):
    run = run_under(injector, models.load_model("9p-fvp"), [str(selftests["gup_longterm"])],
                    tmp_path, scope="root")
    by_config = run.results_by_config()
    for config in ("tmpfile", "local tmpfile"):
        assert by_config[config] and all(ln.endswith(" ftruncate() failed")
                                         for ln in by_config[config])
    assert run.not_ok() == Counter({"ftruncate() failed": 20})
    assert not any(ln.startswith("not ok") for ln in by_config["memfd"])
    assert len(run.log) == 40


@needs_root
def test_nfs3_fails_the_local_tmpfile_cases_on_fallocate(injector, selftests, tmp_path):
    run = run_under(injector, models.load_model("nfs3"), [str(selftests["gup_longterm"])],
                    tmp_path)
    assert run.not_ok() == Counter({"fallocate() failed": 10})
    assert len(run.results_by_config()["local tmpfile"]) == 10
    faults_seen = [(e[1], e[4]) for e in run.log if not e[4].startswith("FTYPE=")]
    assert faults_seen == [("fallocate", "EOPNOTSUPP")] * 10
    # fstatfs succeeded on each (named, then silly-renamed) file, reporting NFS's magic
    assert [e[4] for e in run.log if e[1] == "fstatfs"] == ["FTYPE=0x6969"] * 10


@needs_root
@pytest.mark.parametrize("name", ["xfs", "tmpfs"])
def test_control_models_change_nothing(injector, selftests, tmp_path, name):
    bare = run_under(injector, None, [str(selftests["gup_longterm"])], tmp_path)
    run = run_under(injector, models.load_model(name), [str(selftests["gup_longterm"])], tmp_path)
    assert run.rc == bare.rc == 0 and not run.not_ok()
    assert run.totals() == bare.totals() and run.log == []


@needs_root
def test_cow_runs_to_completion_under_9p_qemu7(injector, selftests, tmp_path):
    bare = run_under(injector, None, [str(selftests["cow"])], tmp_path)
    run = run_under(injector, models.load_model("9p-qemu7"), [str(selftests["cow"])], tmp_path)
    assert run.rc == bare.rc == 0 and not run.not_ok()
    # cow's THP cases skip or pass by what the host has free at that moment: compare the plan
    # and the failures, never the exact pass/skip split (platform.md)
    plan = [ln for ln in run.stdout.splitlines() if re.match(r"^1\.\.\d+$", ln)]
    assert plan and plan == [ln for ln in bare.stdout.splitlines() if re.match(r"^1\.\.\d+$", ln)]
    results = [ln for ln in run.stdout.splitlines() if re.match(r"^(not )?ok \d+", ln)]
    assert len(results) == int(plan[0][3:]) and " fail:0 " in run.totals()
    assert run.log == []  # cow's tmpfiles live in /tmp, off the modelled mount


@needs_root
def test_cow_with_tmp_on_nfs3_fails_its_tmpfile_cases_on_fallocate(injector, selftests, tmp_path):
    """The thread's NFS-rootfs CI: "a couple of these fails in the cow tests"."""
    run = run_under(injector, models.load_model("nfs3"), [str(selftests["cow"])], tmp_path,
                    scope="root")
    assert run.rc == 1 and run.not_ok() == Counter({"fallocate() failed": 3})
    in_tmpfile = [ln for ln in run.results_by_config()["tmpfile"] if ln.startswith("not ok")]
    assert len(in_tmpfile) == 3  # all three are tmpfile() cases
    fallocates = [(e[1], e[4]) for e in run.log if e[1] == "fallocate"]
    assert fallocates == [("fallocate", "EOPNOTSUPP")] * 3


# --------------------------------------------------------------------------- the supervisor itself

FORK_PROBE = """
import errno, os, sys
fd = os.open("f", os.O_RDWR | os.O_CREAT, 0o600)
os.unlink("f")
pid = os.fork()
if pid == 0:
    try:
        os.ftruncate(fd, 4096)
        os._exit(0)
    except OSError as e:
        os._exit(e.errno)
_, status = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(status), "parent-pid", os.getpid())
"""


@needs_root
def test_forked_children_are_supervised(injector, tmp_path):
    run = run_under(injector, models.load_model("9p-fvp"), [sys.executable, "-c", FORK_PROBE],
                    tmp_path)
    assert run.rc == 0, run.stderr
    words = run.stdout.split()
    assert int(words[1]) == 2  # ENOENT in the forked child
    assert len(run.log) == 1 and run.log[0][0] != words[3]  # logged with the child's pid


MMAP_PROBE = """
import mmap, os
fd = os.open("named", os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(fd, 4096)
for flags in (mmap.MAP_PRIVATE, mmap.MAP_SHARED):
    try:
        mmap.mmap(fd, 4096, flags=flags).close()
        print("ok")
    except OSError as e:
        print(os.strerror(e.errno))
"""


@needs_root
def test_shared_mmap_fails_on_any_file_of_the_mount_only_for_cache_none(injector, tmp_path):
    none = run_under(injector, models.load_model("9p-qemu7"), [sys.executable, "-c", MMAP_PROBE],
                     tmp_path)
    assert none.stdout.split("\n")[:2] == ["ok", os.strerror(22)]  # private ok, shared EINVAL
    cached = run_under(injector, models.load_model("9p-qemu7-mmap"),
                       [sys.executable, "-c", MMAP_PROBE], tmp_path)
    assert cached.stdout.split("\n")[:2] == ["ok", "ok"]  # the file still has a name


@needs_root
def test_fallocate_mode_flag_narrows_a_rule(injector, tmp_path):
    if shutil.which("fallocate") is None:
        pytest.skip("util-linux fallocate not installed")
    model = models.FaultModel("keep-size", "nfs", "d", "r",
                              (models.FaultRule("fallocate", "on_mount", "EOPNOTSUPP",
                                                "KEEP_SIZE"),))
    keep = run_under(injector, model, ["sh", "-c", ": > a && exec fallocate -n -l 4096 a"],
                     tmp_path)
    plain = run_under(injector, model, ["fallocate", "-l", "4096", "b"], tmp_path)
    assert keep.rc != 0 and "unsupported" in keep.stderr and keep.log[0][4] == "EOPNOTSUPP"
    assert plain.rc == 0 and plain.log == []


@needs_root
def test_files_off_the_mount_are_untouched(injector, tmp_path):
    model = models.FaultModel("all-ftruncate", "9p", "d", "r",
                              (models.FaultRule("ftruncate", "on_mount", "EIO"),))
    outside = tmp_path / "outside"
    probe = (f"import os; fd = os.open({str(outside)!r}, os.O_RDWR | os.O_CREAT); "
             "os.ftruncate(fd, 1); fd2 = os.open('inside', os.O_RDWR | os.O_CREAT)\n"
             "try:\n    os.ftruncate(fd2, 1)\nexcept OSError as e:\n    print(e.errno)")
    run = run_under(injector, model, [sys.executable, "-c", probe], tmp_path)
    assert run.stdout.strip() == "5" and len(run.log) == 1 and run.log[0][3].endswith("/inside")


FSTATFS_PROBE = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for path in ("named", sys.argv[1]):
    buf = ctypes.create_string_buffer(256)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    print(hex(int.from_bytes(buf.raw[:8], "little")) if libc.fstatfs(fd, buf) == 0 else "error")
"""


@needs_root
def test_fstatfs_reports_the_modelled_f_type_on_the_mount_only(injector, tmp_path):
    outside = tmp_path / "outside"
    bare = run_under(injector, None, [sys.executable, "-c", FSTATFS_PROBE, str(outside)],
                     tmp_path)
    run = run_under(injector, models.load_model("nfs3"),
                    [sys.executable, "-c", FSTATFS_PROBE, str(outside)], tmp_path)
    assert bare.stdout.split()[0] == hex(0x01021994)  # TMPFS_MAGIC: the real cwd
    assert run.stdout.split() == ["0x6969", bare.stdout.split()[1]]
    assert [(e[1], e[4]) for e in run.log] == [("fstatfs", "FTYPE=0x6969")]


@pytest.mark.parametrize("argv,status", [(["sh", "-c", "exit 7"], 7),
                                         (["sh", "-c", "kill -9 $$"], 128 + 9)])
def test_exit_status_passes_through(injector, argv, status):
    proc = subprocess.run([str(injector), "--rule", "ftruncate:any:EIO", "--", *argv],
                          capture_output=True, check=False, timeout=30)
    assert proc.returncode == status


def test_signals_reach_the_program_and_a_killed_supervisor_takes_it_along(injector, tmp_path):
    import psutil

    for sig, status in ((15, 128 + 15), (9, None)):
        proc = subprocess.Popen([str(injector), "--rule", "ftruncate:any:EIO", "--",
                                 "sleep", "60"], stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while not psutil.Process(proc.pid).children() and time.monotonic() < deadline:
                time.sleep(0.01)
            sleeper = psutil.Process(proc.pid).children()[0]
            os.kill(proc.pid, sig)
            rc = proc.wait(timeout=10)
            assert rc == (status if status is not None else -9)
            gone, _ = psutil.wait_procs([sleeper], timeout=10)
            assert gone, "the program outlived its supervisor"
        finally:
            proc.kill()
            proc.wait()


def test_rule_for_a_syscall_never_called(injector, tmp_path):
    log = tmp_path / "log"
    proc = subprocess.run([str(injector), "--rule", "flock:any:EIO", "--log", str(log), "--",
                           "true"], capture_output=True, check=False, timeout=30)
    assert proc.returncode == 0 and log.read_text() == ""


@pytest.mark.parametrize("rule", ["ftruncate:unlinked", "ftruncate:sometimes:ENOENT",
                                  "ftruncate:any:EWHATEVER", "openat:any:ENOENT",
                                  "ftruncate:any:EIO:MAP_SHARED", "mmap:any:EINVAL:MAP_WEIRD",
                                  "ftruncate:any:FTYPE=0x6969", "a:b:c:d:e"])
def test_bad_rule_is_exit_2_with_one_line(injector, rule):
    proc = subprocess.run([str(injector), "--rule", rule, "--", "true"], capture_output=True,
                          text=True, check=False, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and rule in proc.stderr and proc.stdout == ""


# --------------------------------------------------------------------------- triage agrees


@needs_root
@pytest.mark.parametrize("name,cause", [("9p-fvp", "9p-unlinked-file"),
                                        ("9p-qemu7", "9p-unlinked-file"),
                                        ("nfs3", "nfs-no-fallocate")])
def test_triage_calls_injected_faults_what_it_calls_the_real_thing(
        injector, selftests, tmp_path, name, cause):
    model = models.load_model(name)
    run = run_under(injector, model, [str(selftests["gup_longterm"])], tmp_path)
    out = tmp_path / "gup_longterm.log"
    out.write_text(run.stdout)
    report = triage([parse_file(str(out), "gup_longterm")],
                    Environment(fs=model.looks_like, fs_options=model.mount_options))
    failed = [r for r in report.results if r.status.value == "fail"]
    assert len(failed) == 10
    assert {r.diagnosis.cause for r in failed} == {cause}
    assert {r.diagnosis.category for r in failed} == {Category.ENV}
    env = [f for f in report.findings if f.cause == cause]
    assert env and env[0].category is Category.ENV and env[0].count == 10
    assert report.summary.points_at_kernel == 0


# --------------------------------------------------------------------------- inside a real guest


@pytest.mark.qemu
@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_models_replay_inside_a_debian_guest(tmp_path, arch):
    """The static injector works on the guests' kernels (Debian 6.12) and both arches."""
    import shlex

    from fs_profiles.tmpfs import TmpfsProfile
    from guests.assets.kernels import find_kernel
    from guests.assets.selftests import find_selftests
    from guests.initramfs import InitramfsSpec, build_initramfs, find_busybox
    from guests.qemu import QemuMachine
    from harness.arch import get_arch

    if not shutil.which(get_arch(arch).qemu_binary):
        pytest.skip(f"{get_arch(arch).qemu_binary} is not installed")
    kernel, tests = find_kernel(arch, "6.12"), find_selftests(arch)
    if kernel is None or tests is None:
        pytest.skip(f"no cached 6.12 kernel/selftests for {arch}: "
                    f"run `harness setup --arch {arch}`")
    injector = faultinject.injector_binary(arch)  # a build failure is a failure, not a skip
    side = TmpfsProfile().provision(tmp_path, "/mnt/harness")
    initrd = tmp_path / "initrd.gz"
    build_initramfs(InitramfsSpec(
        arch=arch, mountpoint=side.mountpoint, busybox=find_busybox(arch), mount=side.mount,
        binaries={"gup_longterm": tests.binaries["gup_longterm"], "faultinject": injector}), initrd)
    guest = QemuMachine(arch=arch, kernel=kernel.vmlinux or kernel.image, initrd=initrd,
                        log_path=tmp_path / "console.log", accel="tcg")
    guest.start()
    try:
        seen = {}
        for name in ("9p-fvp", "nfs3", "tmpfs"):
            argv = faultinject.injector_argv(models.load_model(name), "/selftests/faultinject",
                                        "/mnt/harness", f"/tmp/{name}.log")
            r = guest.run(f"cd /mnt/harness && {shlex.join(argv)} /selftests/gup_longterm; "
                          f"echo rc=$?; cat /tmp/{name}.log", 300)
            seen[name] = r.output
    finally:
        guest.close()
    fvp, nfs, control = seen["9p-fvp"], seen["nfs3"], seen["tmpfs"]
    (tmp_path / "guest-output.txt").write_text("\n=====\n".join(seen.values()))

    def count(pattern: str, text: str) -> int:
        return len(re.findall(pattern, text, re.MULTILINE))

    assert count(r"^not ok \d+ ftruncate\(\) failed", fvp) == 10, fvp[-1500:]
    assert "rc=1" in fvp
    assert count(r"^\d+ ftruncate \d+ /mnt/harness/\S+ \(deleted\) ENOENT$", fvp) == 10
    assert count(r"^\d+ fstatfs \d+ \S+ \(deleted\) EOPNOTSUPP$", fvp) == 10
    assert count(r"^not ok \d+ fallocate\(\) failed", nfs) == 10
    assert "rc=0" in control and count(r"^not ok", control) == 0
