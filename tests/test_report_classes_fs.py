"""Held-out round 12-fs's classes (filesystem-server reports: 9p, virtiofs, NFS, FUSE), each on
a second real public text worded differently from the round's report that showed it."""

from pathlib import Path

from test_report_classes import triage

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


# https://github.com/hanwckf/rt-n56u/issues/144 (title and description, 2019-10-16): aria2's
# preallocation on an NTFS (ntfs-3g, FUSE) USB disk. The round's report was fio's
# "native_fallocate call failed" on MooseFS (moosefs/moosefs #129).
ARIA2_POSIX_FALLOCATE = (
    "posix_fallocate failed. cause: Operation not supported\n\n"
    "固件是通过源码编译的，代码是master分支最新\n"
    "路由器：newifi mini\n\n"
    "使用aria2c下载bt时报错 posix_fallocate failed，"
    "移动硬盘的文件格式是NTFS，看介绍应该是支持这个的。\n\n"
    "目前规避的方法是调整aria2的参数，使用别的方式预分配文件\n")


def test_a_call_under_a_library_name_is_that_call(tmp_path):
    """posix_fallocate, fio's native_fallocate, ftruncate64: the system call beneath."""
    _, report = triage(tmp_path, ARIA2_POSIX_FALLOCATE)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [(r["syscall"], r["errno"]) for r in failed] == [("fallocate", "EOPNOTSUPP")]
    assert report["verdict"] == "env" and causes(report) == {"fs-no-fallocate"}


# https://github.com/libgit2/libgit2/issues/4019 (description, Keno, 2016-12-02): libgit2 on
# DataWarp/GPFS, a network filesystem that refuses MAP_SHARED with ENOSYS. The round's report
# was DPDK's mmap(MAP_SHARED) EINVAL on a 9p root without a cache mode (cc-oci-runtime #949).
LIBGIT2_GPFS_STRACE = (
    "Try to use a libgit2-based project on a network file system. In my case, this was "
    "DataWarp/GPFS, but I suspect the same is true for others as well. Example strace log:\n"
    "```\n"
    "open(\"/global/u1/k/kfischer/.julia/v0.6/tmpD5GGuN/METADATA/.git/objects/pack/"
    "pack_git2_t122RZ\", O_RDWR|O_CREAT|O_EXCL, 0600) = 22\n"
    "[snip]\n"
    "mmap(NULL, 11, PROT_READ|PROT_WRITE, MAP_SHARED, 22, 0) = -1 ENOSYS "
    "(Function not implemented)\n"
    "```\n")
DPDK_ON_9P = REPORTS / "cc-oci-dpdk-testpmd-9p-mmap-shared-einval.txt"


def test_a_shared_file_mapping_refused_is_the_filesystem_not_a_missing_call(tmp_path):
    """mmap(MAP_SHARED) of a file refused with ENOSYS or EINVAL in an strace: the filesystem
    refuses shared mappings (mmap itself exists: no config/syscall-not-implemented)."""
    _, report = triage(tmp_path, LIBGIT2_GPFS_STRACE)
    assert report["verdict"] == "env" and causes(report) == {"fs-no-shared-mmap"}
    assert report["results"][0]["name"].startswith("mmap()(MAP_SHARED) on /global/")
    # on a local filesystem the same refusal is no environment cause
    _, report = triage(tmp_path, LIBGIT2_GPFS_STRACE, "--fs", "ext4")
    assert "fs-no-shared-mmap" not in causes(report)


def test_a_shared_mapping_on_9p_without_an_unlink_is_the_cache_mode(tmp_path):
    """On 9p a shared mapping's EINVAL is the read-only mapping of cache=none; the unlinked-file
    cause needs the unlink, which this strace does not show."""
    _, report = triage(tmp_path, DPDK_ON_9P.read_text(), "--fs", "9p")
    assert causes(report) == {"fs-no-shared-mmap"}
    assert "cache mode" in report["findings"][0]["explanation"]
