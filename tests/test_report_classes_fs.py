"""Held-out round 12-fs's classes (filesystem-server reports: 9p, virtiofs, NFS, FUSE), each on
a second real public text worded differently from the round's report that showed it."""

from test_report_classes import triage


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
