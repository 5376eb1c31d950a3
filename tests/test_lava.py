"""`harness lava`: LAVA jobs per arch x filesystem that lava-common's schema accepts, and one
run through Debian's lava-run on this machine."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.lava.schema import LavaSchemaError, validate_job
from harness.readers.lava_log import record

ROOT = Path(__file__).resolve().parents[1]
LAVA_COMMON = Path("/usr/lib/python3/dist-packages/lava_common/schemas")


def harness(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True,
                          text=True, timeout=timeout, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def _job(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _cpio_file(initrd: Path, name: str) -> str:
    out = subprocess.run(["cpio", "-i", "--quiet", "--to-stdout", name],
                         input=gzip.decompress(initrd.read_bytes()), capture_output=True,
                         check=True)
    return out.stdout.decode()


@pytest.fixture(scope="module")
def jobs(tmp_path_factory):
    from guests.assets.kernels import find_kernel
    from guests.assets.selftests import find_selftests

    if not LAVA_COMMON.is_dir():
        pytest.skip("lava-common is not installed: run harness setup")
    for arch in ("x86_64", "arm64"):
        if find_kernel(arch, "6.12") is None or find_selftests(arch) is None:
            pytest.skip(f"{arch} kernel/selftests not in the cache: run harness setup")
    out = tmp_path_factory.mktemp("lava")
    run = harness("lava", "--fs", "9p,xfs,tmpfs", "--arch", "x86_64,arm64", "--out", str(out))
    assert run.returncode == 0, run.stderr
    return out


def test_jobs_for_both_arches_and_three_filesystems_are_schema_valid(jobs):
    cells = sorted(p.name for p in jobs.iterdir() if p.is_dir())
    assert cells == ["arm64-9p", "arm64-tmpfs", "arm64-xfs",
                     "x86_64-9p", "x86_64-tmpfs", "x86_64-xfs"]
    for cell in cells:
        job = _job(jobs / cell / "job.yaml")
        validate_job(job)  # lava_common.schemas.validate + extra_checks
        assert job["device_type"] == "qemu"
        deploy, boot, test = (next(iter(a.values())) for a in job["actions"])
        assert boot["method"] == "qemu" and deploy["to"] == "tmpfs"
        assert [m["name"] for m in test["monitors"]] == ["gup_longterm", "cow"]
        for image in deploy["images"].values():  # every file the job names was written
            assert Path(image["url"].removeprefix("file://")).is_file()


def test_jobs_carry_the_threads_command_line_numa_and_filesystem(jobs):
    x86 = _job(jobs / "x86_64-9p" / "job.yaml")
    arm = _job(jobs / "arm64-xfs" / "job.yaml")
    x86_append = x86["actions"][0]["deploy"]["images"]["kernel"]["image_arg"]
    arm_append = arm["actions"][0]["deploy"]["images"]["kernel"]["image_arg"]
    assert "hugepagesz=1G hugepages=0:2,1:2" in x86_append and "64K" not in x86_append
    assert "hugepagesz=64K hugepages=0:2,1:2" in arm_append  # arm64 keeps the 64K pool
    for job in (x86, arm):
        options = job["context"]["extra_options"]
        assert sum(o.startswith("-numa node") for o in options) == 2
        sizes = [int(o.split("size=")[1].rstrip("M")) for o in options if "memory-backend" in o]
        assert sum(sizes) == job["context"]["memory"]
    assert any(o.startswith("-virtfs local,") for o in x86["context"]["extra_options"])
    xfs = arm["actions"][0]["deploy"]["images"]["xfs"]
    assert "file={xfs}" in xfs["image_arg"]
    mount = _cpio_file(jobs / "arm64-xfs" / "initrd.gz", "etc/harness/mount.sh")
    assert mount.splitlines()[0] == "mount -t xfs /dev/vda /mnt/harness"
    assert "/selftests/gup_longterm 2>&1 | tee" in mount and "HARNESS-CASE" in mount


def test_the_schema_check_rejects_a_broken_job(jobs):
    job = _job(jobs / "x86_64-tmpfs" / "job.yaml")
    job["actions"][2]["test"]["monitors"][0].pop("pattern")
    with pytest.raises(LavaSchemaError):
        validate_job(job)
    job = _job(jobs / "x86_64-tmpfs" / "job.yaml")
    job["context"]["no_such_variable"] = 1
    with pytest.raises(LavaSchemaError):
        validate_job(job)


def test_nfs_and_bad_arch_are_one_line_errors_and_nothing_is_written(tmp_path):
    for args in (("--fs", "nfs"), ("--fs", "9p,nfs"), ("--fs", "9p", "--arch", "riscv64")):
        out = tmp_path / "out"
        run = harness("lava", *args, "--out", str(out))
        assert run.returncode == 2, args
        assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
        assert not out.exists()


@pytest.mark.qemu
def test_lava_run_end_to_end(tmp_path, x86_assets):
    """The job runs under Debian's lava-run; LAVA records every test case; triage of its log
    gives the findings of a local run."""
    if shutil.which("lava-run") is None:
        pytest.skip("lava-dispatcher is not installed: run harness setup")
    out = tmp_path / "lava"
    run = harness("lava", "--fs", "9p", "--tests", "gup_longterm", "--cmdline", "minimal",
                  "--run", "--out", str(out), timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = (out / "x86_64-9p" / "logs.yaml").read_text().splitlines()
    records = [r for r in map(record, lines) if r is not None]
    assert len(records) == len(lines)
    cases = [r["msg"] for r in records if r["lvl"] == "results"
             and r["msg"].get("definition") == "gup_longterm"]
    assert len(cases) == 50
    assert sum(c["result"] == "fail" for c in cases) == 10
    job = next(r["msg"] for r in records if r["lvl"] == "results"
               and r["msg"].get("case") == "job")
    assert job["result"] == "pass"
    report = json.loads((out / "x86_64-9p.json").read_text())
    ninep = next(f for f in report["findings"] if f["cause"] == "9p-unlinked-file")
    assert ninep["count"] == 10
    assert "fail" in run.stdout and "9p" in run.stdout  # the matrix table
