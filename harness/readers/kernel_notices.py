"""Kernel log lines that mean a system call was just refused, with the call and the errno.

The kernel prints some refusals itself, once, in words rather than as an errno:
fs/userfaultfd.c (5.11+) "uffd: Set unprivileged_userfaultfd sysctl knob to 1 if kernel faults
must be handled without obtaining CAP_SYS_PTRACE capability" as userfaultfd() returns EPERM (CRIU
PR #1651 quotes it); fs/hugetlbfs/inode.c "hugetlbfs: Unsupported page size <n> MB" as a mount
with pagesize=<n> returns EINVAL; mm/page_io.c "swapon: swapfile has holes" and
fs/iomap/swapfile.c "swapon: file <path> has unallocated extents" (is inline, is not committed,
has shared extents, is not on a block device, ...) as swapon() returns EINVAL for a swap file the
kernel cannot write to directly (systemd-swap #114 on f2fs). Such a line, pasted alone or in a
dmesg, is that failed call; so is btrfs's own reason for refusing a swap file ("swapfile must
not be copy-on-write").
"""

from __future__ import annotations

from harness.lazy_regex import lazy

NOTICES = (
    (lazy(r"\buffd: Set unprivileged_userfaultfd sysctl knob to 1\b"), "userfaultfd",
     "EPERM", "refused (the kernel's notice)"),
    (lazy(r"\bhugetlbfs: Unsupported page size \d+ ?[KMG]i?B\b"), "mount", "EINVAL",
     "refused (the kernel's notice)"),
    (lazy(r"\bswapon: (?:swapfile has holes|file\b.*?(?:has (?:unallocated|shared) extents|"
          r"is inline|is not committed|is not on a block device|is on multiple devices|"
          r"outside the main device))"), "swapon", "EINVAL",
     "refused (the kernel's notice)"),
    # fs/btrfs/inode.c btrfs_swap_activate(): "BTRFS warning (device nvme0n1p2): swapfile must
    # not be copy-on-write" (NixOS/nixpkgs #156829), "... must not be compressed", "... must
    # have single data profile", "... must be on one device", "cannot activate swapfile ..."
    (lazy(r"\bBTRFS (?:warning|error|info)\b[^:]*: (?:swapfile must (?:not be|have|be on)|"
          r"cannot activate swapfile)\b"), "swapon", "EINVAL",
     "refused (the kernel's notice)"),
)


def kernel_notice(text: str) -> tuple[str, str, str] | None:
    """(call, errno, what) of a kernel line that states a refused call, else None."""
    if ("uffd:" not in text and "hugetlbfs:" not in text and "swapon:" not in text
            and "swapfile" not in text):
        return None
    for pattern, call, errno, what in NOTICES:
        if pattern.search(text):
            return call, errno, what
    return None
