"""Round 18-strace's classes, each on a real public text other than the one that showed it:
a failure the report dates from a named commit or says it bisected (in words a mail client may
wrap before the commit is named), a call "not supported" on a filesystem that the report
bisected to a kernel change, and a swap file the kernel refuses (swapon's EINVAL, the kernel's
own "swapon: swapfile has holes")."""

from __future__ import annotations

from harness.model import LogLine
from harness.readers.paste import PasteInfo, normalise
from tests.test_report_classes import triage_read

# linux-btrfs, 2019-07-19, Message-Id <20190719065144.15263-5-wqu@suse.com> (Qu Wenruo,
# "[PATCH v2 4/4] btrfs: volumes: Remove ENOSPC-prone btrfs_can_relocate()"): the first six
# lines of the body, the patch's [BUG] and the start of its [CAUSE]. Diagnosis there: the btrfs
# commit it names made btrfs_can_relocate() report a false ENOSPC - a kernel regression.
BTRFS_156 = """\
[BUG]
Test case btrfs/156 fails since commit 302167c50b32 ("btrfs: don't end
the transaction for delayed refs in throttle") with ENOSPC.

[CAUSE]
The ENOSPC is reported from btrfs_can_relocate().
"""


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


def test_a_failure_dated_from_a_named_commit_is_that_commits_regression(tmp_path):
    """"fails since commit 302167c50b32" says which kernel change brought the failure, as "an
    issue since kernel commit ef2c41cf38a7" did for clone(CLONE_IO) on ppc64le: the failure no
    other rule explains is that commit's regression - and an ENOSPC so dated is no full disk."""
    report = triage_read(tmp_path, BTRFS_156)
    assert report["verdict"] == "kernel-bug"
    assert causes(report) == {"kernel-regression"}
    assert "302167c50b32" in report["environment"]["facts"]["bisected"]


# linuxppc-dev, 2026-01-13, Message-ID <89409a0f48e6998ff6dd2245691b9954f0e1e435.camel@suse.com>
# (Marcos Paulo de Souza, "Re: [PATCH 00/19] printk cleanup - part 3"): the reply's first
# paragraph. The mail client wrapped the sentence before the commit it names.
PRINTK_BISECT = """\
Ok, I did a bisect and found out that the issue lies in the last
commit, where CON_ENABLED was removed. After it, I then checked what
was wrong, since everything was being plumbed correctly (tm), and then
I found that it was not:
"""


def _bisect_read(text: str) -> str | None:
    info = PasteInfo()
    list(normalise([LogLine(i, t, "mail") for i, t in enumerate(text.splitlines(), 1)], info))
    return info.bisected.text if info.bisected else None


def test_a_bisect_told_as_done_is_the_reports_bisect():
    """"I did a bisect and found out that the issue lies in the last / commit": the bisect is
    done although the line ends before the commit (linux-nfs 2025-08's "I did a git bisect
    between those two changes on the stable tree, and / found that the backport ..." showed
    it); a bisect still to do or asked about is none."""
    said = _bisect_read(PRINTK_BISECT)
    assert said is not None and said.startswith("Ok, I did a bisect")
    assert _bisect_read("Have you done a bisect?\n") is None
    assert _bisect_read("I will do a bisect and report back.\n") is None


# linux-nfs, 2025-08-29, Message-ID <528e7a88-9c63-43d4-8c67-50a36ceda8a7@gmail.com> (Scott
# Haiden, "[REGRESSION]: NFS 4.2 reports "Operation Not Supported" on getxattr calls"): the
# first mail, whose strace the mail client ran into one paragraph (the corpus holds the reply
# that re-sent it intact: nfs-getxattr-eopnotsupp-stable-backport-strace-reply). The whole
# body as decoded.
GETXATTR_MANGLED = """\
Hello,
Between version v6.16.1 and v6.16.2 on the stable tree, NFS client 
started reporting operation not supported when I issue getxattr calls. I 
simply see:     $ strace -e getxattr getfattr -n user.hash.sha512 
'S01E01 - Kassa.mkv'     getxattr("S01E01 - Kassa.mkv", 
"user.hash.sha512", NULL, 0) = -1 EOPNOTSUPP (Operation not supported)   
   S01E01 - Kassa.mkv: user.hash.sha512: Operation not supported     +++ 
exited with 1 +++
Before this issue cropped up, it simply returned the xattr as expected.

I did a git bisect between those two changes on the stable tree, and
found that the backport of this change 
(https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git/commit/?id=b01f21cacde9f2878492\
cf318fee61bf4ccad323 
<https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git/commit/?id=b01f21cacde9f287849\
2cf318fee61bf4ccad323>)
onto the stable tree is what caused it to start happening. The 6.12
longterm repo is also affected.
I built mainline 6.17-rc3 and it was still facing the issue as of last 
night, but if I patch a reverse diff of that change on then getxattr 
calls work again.
Please let me know if there's more information I should provide, or if
I'm just doing something wrong.
Thanks,
--Scott
"""


def test_a_call_not_supported_since_a_bisected_kernel_change_is_no_filesystem_limit(tmp_path):
    """EOPNOTSUPP on NFS alone is the filesystem lacking the operation (env); the same call
    that worked before a kernel update, bisected to the update's commit, is that commit's
    regression - never an env that hides a kernel bug."""
    report = triage_read(tmp_path, GETXATTR_MANGLED, "--fs", "nfs")
    assert report["verdict"] == "kernel-bug"
    assert causes(report) == {"kernel-regression"}
    unbisected = GETXATTR_MANGLED.split("I did a git bisect")[0]
    report = triage_read(tmp_path, unbisected, "--fs", "nfs")
    assert causes(report) == {"fs-unsupported-operation"}


# Azure/WALinuxAgent #2036 (imabedalghafer, 2020-10-11, "waagent not checking for holes in swap
# file"): the dmesg part of the description. Debian 10's 5.7 backport kernel; the swap file was
# made with fallocate on ext4. Diagnosis there and in PR #2042: "this is due to fallocate
# command itself" - create it with dd.
WALINUXAGENT_DMESG = """\
The swap file will be created but the mount for it will fail, and "swapon -s" will not show \
any swap file enabled.

dmesg logs:
sudo dmesg | grep swap 
[    0.851516] Spectre V1 : Mitigation: usercopy/swapgs barriers and __user pointer \
sanitization 
[    7.412335] swapon: swapfile has holes 
[   11.457461] swapon: swapfile has holes
"""


def test_the_kernels_swapfile_refusal_is_the_swap_files_setup(tmp_path):
    """The kernel's own "swapon: swapfile has holes" is swapon() returning EINVAL for a file
    it cannot write to directly (systemd-swap #114's f2fs file showed it beside swapon(8)'s
    "swapon failed: Invalid argument"): the swap file's making, env - and the Spectre
    mitigation line that mentions swapgs is no failure."""
    report = triage_read(tmp_path, WALINUXAGENT_DMESG)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [(r["syscall"], r["errno"]) for r in failed] == [("swapon", "EINVAL")] * 2
    assert report["verdict"] == "env"
    assert causes(report) == {"swapfile-rejected"}
