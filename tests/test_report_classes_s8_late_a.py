"""Two classes round 16-final missed:

- a create that fails with ENOENT in an strace excerpt (open/openat with O_CREAT, creat): the
  name is made if missing, so ENOENT is the filesystem losing the directory or a name just
  unlinked while its file is still open (WSL DrvFs's open->unlink->create), not a loader's
  lookup miss - those (no O_CREAT) stay ignored;
- an emulator (QEMU user mode) or hypervisor named as too old for, or lacking, what the test
  uses: the environment, not the test's logic, although the test "relies on" it.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage_read

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def _findings(report: dict) -> set[tuple[str, str]]:
    return {(f["category"], f["cause"]) for f in report["findings"]}


# microsoft/WSL #1357 (kayakyakr, 2016-11-13, "Unlink syscall does not allow file to be reopened
# after"): ember-cli's lock file on /mnt/c unlinked while fd 12 is open, then re-created.
WSL_1357 = """\
Here are the relevant lines in strace:

```
... start build
[pid  9468] stat("/mnt/c/project/home/tmp/build.lock", 0x7ffffa50f700) = -1 ENOENT (No such file or directory)
[pid  9468] open("/mnt/c/project/home/tmp/build.lock", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 12
... complete build
[pid  9468] stat("/mnt/c/project/home/tmp/build.lock", {st_mode=S_IFREG|0777, st_size=0, ...}) = 0
[pid  9468] unlink("/mnt/c/project/home/tmp/build.lock") = 0
... start rebuild
[pid  9468] stat("/mnt/c/project/home/tmp/build.lock", 0x7ffffa50f8e0) = -1 ENOENT (No such file or directory)
[pid  9468] open("/mnt/c/project/home/tmp/build.lock", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = -1 ENOENT (No such file or directory)
```
"""  # noqa: E501


def test_a_create_failing_with_enoent_is_a_failed_call_not_a_lookup(tmp_path):
    drvfs = (REPORTS / "wsl-drvfs-open-unlink-create-enoent-strace-comment.txt").read_text()
    for text in (WSL_1357, drvfs):
        report = triage_read(tmp_path, text)
        failed = [r for r in report["results"] if r["status"] == "fail"]
        assert len(failed) == 1 and failed[0]["name"].startswith("open()(O_CREAT)")
        assert failed[0]["name"].endswith("(unlinked)")
        assert _findings(report) == {("env", "fs-unlinked-open-file")}


def test_a_loader_lookup_miss_stays_ignored_and_a_plain_create_miss_is_no_unlinked_file(
        tmp_path):
    lookups = (
        'openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libfoo.so.1", O_RDONLY|O_CLOEXEC) = -1 ENOENT '
        "(No such file or directory)\n"
        'open("/usr/share/locale/en/LC_TIME/coreutils.mo", O_RDONLY) = -1 ENOENT '
        "(No such file or directory)\n"
        'openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3\n')
    report = triage_read(tmp_path, lookups)
    assert not [r for r in report["results"] if r["status"] == "fail"]
    create = lookups + ('openat(AT_FDCWD, "out/gone/x.tmp", O_WRONLY|O_CREAT|O_EXCL, 0600) = -1 '
                        "ENOENT (No such file or directory)\n")
    report = triage_read(tmp_path, create)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [r["name"] for r in failed] == ["open()(O_CREAT)"] or [
        r["name"] for r in failed] == ["openat()(O_CREAT)"]
    assert ("env", "fs-unlinked-open-file") not in _findings(report)


# jemalloc/jemalloc #2005 (azat, 2020-12-18, "[RFC] Add runtime detection for MADV_DONTNEED
# zeroes pages (mostly for qemu)"), the description's first lines.
JEMALLOC_2005 = """\
qemu does not support this, yet [1], and you can get very tricky assert
if you will run program with jemalloc in use under qemu:

    <jemalloc>: ../contrib/jemalloc/src/extent.c:1195: Failed assertion: "p[i] == 0"

  [1]: https://patchwork.kernel.org/patch/10576637/
"""


def test_an_emulator_too_old_or_lacking_a_feature_is_the_environment(tmp_path):
    wasmtime = (REPORTS / "wasmtime-cow-tests-qemu-user-madv-dontneed-pr.txt").read_text()
    for text in (wasmtime, JEMALLOC_2005):
        report = triage_read(tmp_path, text)
        assert _findings(report) == {("env", "emulator-too-old")}, report["findings"]


def test_a_test_relying_on_a_feature_with_no_emulator_named_stays_the_tests(tmp_path):
    text = ("cow_tests fail: the test relies on MADV_DONTNEED zeroing the pages on every "
            "architecture.\nWe run them under QEMU 8.2 on our CI.\n")
    report = triage_read(tmp_path, text)
    assert ("env", "emulator-too-old") not in _findings(report)
