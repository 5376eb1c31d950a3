"""Text as people paste it: mail quoting, indentation, code fences, prompts, wrapped lines.

``normalise`` takes the lines of an input and gives back the log lines inside them, each with
its original line number, and a ``PasteInfo`` that records what was taken away and what it
says about the input: snip markers (``...``, ``[...]``, ``<snip>``, grep's ``--``), the
commands that produced the text (``$ ./cow | grep "not ok"``), and the kernel release when
the text shows it (``uname -r``, a ``Linux version`` banner, a CI report's header).

One pass, one line of look-behind: linear in the input.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine
from harness.readers.commit_output import AfterSections, drop_patched_after, uncomment
from harness.readers.contrast_run import Contrast, drop_contrast_runs
from harness.readers.line_kinds import (
    LOG_LIKE,
    QUOTE,
    WRAP_COLUMNS,
    WRAP_WIDTH,
    in_diff_after,
    tight_context,
    tight_diff,
    wrapped_piece,
)
from harness.readers.statements import StatementScanner
from harness.readers.strace import split_write

# What log viewers put in front of each line: a line-number link copied from a CI page
# ("[ 3774](https://.../job.html#L3774)"), a capture time ("07:05:40.369554", ISO stamps), a
# test runner's logger ("L0416 DEBUG| [stdout] ": avocado's job.log, a level and the stream).
VIEWER_PREFIX = lazy(
    r"^(?:\[\s*\d+\]\([^)\s]*\)\s*|"
    r"L\d+\s+(?:DEBUG|INFO|WARN(?:ING)?|ERROR)\s?\|\s?(?:\[(?:stdout|stderr)\]\s?)?|"
    r"L?\d+[:|]\s+(?=\S)|\d+\t|"
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?[ \t]|"
    r"\d{2}:\d{2}:\d{2}\.\d{3,}\s+|\d+\s+(?=\d{2}:\d{2}:\d{2}\.\d))+"
)
# docker compose's service column in front of each line of its logs ("spdk_1          | ",
# "db-1  | ": a service name and its instance number, padded).
COMPOSE_PREFIX = lazy(r"^[a-z][\w.-]*[_-]\d+\s+\|\s")
# dmesg --decode (-x) in front of each kernel line: the facility and the level, padded
# ("kern  :warn  : [  181.942648] WARNING: suspicious RCU usage", as the kernel test robot
# attaches and quotes its kmsg; "kern :warn : " once its spaces were squeezed).
DMESG_DECODE = lazy(r"^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|"
                    r"ftp|local[0-7])\s*:\s*(?:emerg|alert|crit|err|warn|notice|info|debug)"
                    r"\s*:\s?")
# "[   12.345678] " in front of every line of a capture (serial-console tools, dmesg of a
# runner that logs to /dev/kmsg): taken away when the rest is test output, not kernel text
# (not KUnit's nested, indented TAP on a boot console).
PRINTK_STAMP = lazy(
    r"\[\s*\d+\.\d+\][ \t]?(?=(?:ok \d|not ok \d|# (?!Subtest:)|#$|TAP version|1\.\.\d|Bail out|"
    r"\[(?:RUN|PASS|FAIL|SKIP|OK|INFO)\]|running \S|selftests: |"
    r"TOP-LEVEL SUMMARY|SUMMARY: |\$ ))")
# A capture stamped on every line from its first: the stamps are the capture's; only kernel
# lines that say something about the machine keep theirs (read as kernel messages).
ANY_STAMP = lazy(r"\[\s*\d+\.\d+\][ \t]?")
# (the kernel test robot's stat names - "dmesg.BUG:sleeping_function...", "dmesg.WARNING:..." in
# its fail:runs table - name a crash it counted, they are no crash line to keep stamped)
# (a kernel warning starts its line - "WARNING: CPU: 0 PID: 1 at ...", "WARNING: possible
# circular locking ..." - a program's own "libhugetlbfs: WARNING: get_huge_pages: ..." does not)
KERNEL_FACT = lazy(r"(?![ \t]*>)(?:[ \t]*(?:\[\s*[TC]\d+\][ \t]*)?WARNING:|"
                   r"(?=.*(?:Linux version|[Cc]ommand line:|HugeTLB:|"
                   r"(?<![A-Za-z.])BUG:|BUG at|(?<![A-Za-z.])Oops|"
                   r"Call Trace|"
                   r"Unable to handle|Kernel panic|"
                   r"segfault at|: [0-9a-f]{4} \[#\d+\])))")
# Characters a web page or an HTML mail leaves in copied text, and what they stand for.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000"), " ")
ENTITY = lazy(r"&(?:gt|lt|amp|quot|apos|nbsp|#39|#34|#62|#60);")
ENTITIES = {"&gt;": ">", "&lt;": "<", "&amp;": "&", "&quot;": '"', "&apos;": "'",
            "&nbsp;": " ", "&#39;": "'", "&#34;": '"', "&#62;": ">", "&#60;": "<"}
FENCE = lazy(r"^\s*(?:```|~~~)")
# The version git format-patch puts under a patch mail's "-- ": "2.41.0", "2.39.5 (Apple
# Git-154)", "2.51.0.384.g4c02a37b29-goog".
GIT_VERSION = lazy(r"^\d+\.\d+(?:\.\d+)*(?:\.g[0-9a-f]+)?(?:-\w+)?(?: \(Apple Git-\d+\))?$")
MAX_PROSE_LINES = 200_000  # where pasted blocks end: kept for so many prose lines
# A line that is only a cut mark: "...", "[...]", "<snip>", "--" (grep -A/-B/-C), "8<---".
CUT_WORD = (r"(?:snip(?:ped)?|cut|trim(?:med)?|\.{2,}|…|omitted|skipped|removed|truncated"
            r"|deleted|more)")
SNIP = lazy(
    r"^(?:#\s*)*(?:\.{3,}|…|-{2}|-*\s*8<\s*-*|-*\s*>8\s*-*|"
    rf"\[[^\[\]]{{0,40}}{CUT_WORD}[^\[\]]{{0,40}}\]|<[^<>]{{0,40}}{CUT_WORD}[^<>]{{0,40}}>|"
    rf"\([^()]{{0,40}}{CUT_WORD}[^()]{{0,40}}\)|\.{{3}}\s*{CUT_WORD}\s*\.{{3}}|"
    r"-{3,}\s*(?:cut here|snip)\s*-{3,})$",
    re.IGNORECASE,
)
# "$ ./cow", "root@vm:~# ./run_vmtests.sh -t cow", "# ./gup_longterm" (a root prompt; '# '
# alone is kselftest nesting, so only commands that look like commands count there).
DOLLAR_PROMPT = lazy(r"^(?:[\w.-]+@[\w.-]+(?::[^$#\s]*)?\s*)?\$\s+(?P<cmd>\S.*)$")
# "[root@host dir]# cmd", "root@vm:~# cmd": a prompt with a user and host, any command.
FULL_PROMPT = lazy(r"^(?:\[[\w.-]+@[\w.-]+[^\]]*\]|[\w.-]+@[\w.-]+(?::[^$#\s]*)?)\s*[$#]\s+"
                   r"(?P<cmd>\S.*)$")
ROOT_PROMPT = lazy(
    # not "# ./run_vmtests.sh: line 432: ...": a program's own "name: message" is output
    r"^(?:[\w.-]+@[\w.-]+(?::[^$#\s]*)?\s*|\(\w+\)\s*)?#\s+(?![\w./-]+:\s)(?P<cmd>(?:\./|sudo\s|strace\s|"
    r"(?:ba)?sh\s|cat\s|grep\s|make\s|cd\s|uname\b|mount\b|dmesg\b|echo\s|ls\s|"
    r"fallocate\s|truncate\s|swapon\b|free\b|"
    # a command run with environment variables ("# LD_PRELOAD=libhugetlbfs.so HUGETLB_MORECORE=yes
    # tail -f f")
    r"(?:[A-Z_][A-Z0-9_]*=\S*\s+)+[\w./-]+\s|"
    r"tools/testing/|run_vmtests)\S*.*)$"
)
PROMPT_ONLY = lazy(r"^(?:[\w.-]+@[\w.-]+(?::[^$#\s]*)?\s*)[$#]\s*$")
FILTERS = lazy(r"\|\s*(?:grep|egrep|fgrep|head|tail|sed|awk|cut|sort|uniq|less|more)\b")
SUITE_IN_COMMAND = lazy(r"(?:^|[\s/])(gup_longterm|cow)\b")
# The mm selftest binaries (tools/testing/selftests/mm/Makefile, 6.1 to mainline): a command
# that runs one of them ("$ ./hugetlb_fault_after_madv", "sudo ./selftests/mm/khugepaged
# all:shmem") names the suite of the TAP lines below it.
MM_BINARIES = frozenset({
    "compaction_test", "cow", "droppable", "guard-regions", "gup_longterm", "gup_test",
    "hmm-tests", "hugepage-mmap", "hugepage-mremap", "hugepage-shm", "hugepage-vmemmap",
    "hugetlb-madvise", "hugetlb-mmap", "hugetlb-mremap", "hugetlb-read-hwpoison", "hugetlb-shm",
    "hugetlb-soft-offline", "hugetlb-vmemmap", "hugetlb_dio", "hugetlb_fault_after_madv",
    "hugetlb_madv_vs_map", "khugepaged", "ksm_functional_tests", "ksm_tests", "madv_populate",
    "map_fixed_noreplace", "map_hugetlb", "map_populate", "mdwe_test", "memfd_secret", "merge",
    "migration", "mkdirty", "mlock-random-test", "mlock2-tests", "mrelease_test",
    "mremap_dontunmap", "mremap_test", "mseal_test", "on-fault-limit", "pagemap_ioctl", "pfnmap",
    "pkey_sighandler_tests", "protection_keys", "seal_elf", "soft-dirty", "split_huge_page_test",
    "thuge-gen", "transhuge-stress", "uffd-stress", "uffd-unit-tests", "uffd-wp-mremap",
    "va_high_addr_switch", "virtual_address_range", "write_to_hugetlbfs",
})
MM_BINARY_RUN = lazy(r"(?:^|\s)(?:sudo\s+)?(?:\S*/)?([a-z][\w+-]*?)(?:_32|_64)?(?:\s|$)")
SUITE_IN_RUNNER = lazy(r"run_vmtests\.sh\b.*-t\s+[\"']?(gup_test|cow)\b")
# Where a log line starts: a wrapped line's continuation starts with none of these.
LINE_START = lazy(
    r"^(?:ok\s|not ok\s|#|TAP version|KTAP version|1\.\.\d|Bail out|Totals|\[|<\d>|"
    r"running\s|selftests:|-{3,}|={3,}|SUMMARY|TOP-LEVEL|\$|\d+\s+[a-z_]\w*\(|[a-z_]\w*\(|"
    r"\+\+\+|---|[A-Z][\w-]*:\s|Linux version|\d+\.\d+|\(\d+/\d+\)\s|"  # (3/6): a job's Nth test
    # LTP's "hugemmap05.c:248: INFO: ..." / "tst_safe_sysv_ipc.c:111: BROK: ...": each a record
    r"[\w.+-]+\.c:\d+: T?(?:PASS|FAIL|BROK|CONF|WARN|INFO):\s|"
    # kselftest_harness's "hmm-tests.c:157:hmm_gup_test:Expected ret (-1) == 0 (0)" and its
    # "RUN           hmm.hmm_device_private.hmm_gup_test ..." (ends a line, always)
    r"[\w.+-]+\.c:\d+:\w+:Expected\s|RUN\s{2,}[\w.-]+ \.\.\.$)"
)
STRACE_START = lazy(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?[a-z_]\w*\(")
ERRNO_NEXT = lazy(r"^E[A-Z0-9]{2,15}\b")
BAIL_OR_RESULT = lazy(r"^(?:#\s*)*(?:Bail out!|(?:not )?ok\s+\d+)")
RUN_LINE = lazy(r"^(?:#\s*)*\[RUN\]")
RESULT_LINE = lazy(r"^(?:#\s*)*(?:not )?ok\s+\d+")
# The end of a complete [RUN] description: "... with memfd", "(2048 kB)", "base page", ...
RUN_COMPLETE = lazy(r"(?:\)|memfd|tmpfile|page|pages|THP|zeropage|hugetlb|KSM|"
                    r"PTE-mapped THP|mapping|\(\d+ kB\))\s*$")
NEW_LINE_WORD = lazy(r"^[\w.-]+(?:\[\d+\])?:\s")  # "make[3]: ...", "cow: ..."
# a label of up to three words introducing a link starts a line of its own ("last run: https://..."
# under a KernelCI status mail's test, "build link: https://...", "kernel config: https://...")
LINK_FIELD = lazy(r"^[\w-]+(?: [\w-]+){0,2}:\s+(?:https?|git)://")
# a line of dashes or equal signs alone, or a table's rule ("-----+------+----"): the rule under
# a heading or a table header of a CI summary
RULE_LINE = lazy(r"^\s*(?:-{3,}|={3,}|-{3,}(?:\+-+)+\+?)\s*$")

# Filesystems named in the prose around a log ("I run the tests from a 9p share", "NFS root").
FS_WORDS = lazy(
    r"\b(9p(?:fs)?|v9fs|virtio-9p|9p_virtio|virtfs|plan ?9 (?:file ?system|fs)|"
    r"nfs(?:v?[34](?:\.\d)?)?|nfsroot|virtio-?fs|fuse|overlay(?:fs)?|"
    r"sshfs|s3fs|gcsfuse|rclone mount|ntfs-3g|mergerfs|gvfsd-fuse|fuse-overlayfs|juicefs|cifs|"
    # the hypervisors' shared folders: VirtualBox's vboxsf (people write "vboxfs" too), VMware's
    # vmhgfs (vmhgfs-fuse is FUSE), and the folder named as such ("a VirtualBox shared folder",
    # "the Vagrant shared folder", "VMware shared folders")
    r"vbox(?:sf|fs)|vmhgfs(?:-fuse)?|(?:virtual ?box|vagrant|vmware)(?:'s)? shared (?:folders?|"
    r"director(?:y|ies)|file ?systems?)|"
    # ... or the folder shared with the host in a VM the sentence names: "from within a Linux
    # VirtualBox by opening a local Realm file stored on the folder shared with the host OS"
    # (realm-studio #237)
    r"(?:virtual ?box|vagrant|vmware)\b[^.;]{0,100}?\b(?:folders?|director(?:y|ies)) shared "
    r"(?:with|from) the host|"
    # ... VirtualBox's automount point for a shared folder ("/media/sf_go", boltdb #272), and a
    # host directory said to be mounted in the VM ("mount the directory in my virtual box
    # Ubuntu", boltdb #459): the shared folder, whatever it is called
    r"(?<=/)media/sf_\w+|mount(?:ed|s|ing)? (?:the |a |my |this )?(?:host )?(?:director(?:y|ies)|"
    r"folders?) (?:in|into|inside) (?:my |the |a )?(?:virtual ?box|vagrant|vmware)|"
    # Docker Desktop's file sharing on macOS (osxfs, gRPC FUSE, virtiofs shown as "fakeowner")
    # and WSL's Windows drives (DrvFs: 9p under WSL 2)
    r"osxfs|grpcfuse|grpc[- ]fuse|fakeowner|drvfs|"
    # jffs2, whose mmap is generic_file_readonly_mmap (boltdb #592)
    r"jffs2)\b",
    re.IGNORECASE,
)
FS_FAMILY = {"9p": "9p", "9pfs": "9p", "v9fs": "9p", "virtio-9p": "9p", "nfsroot": "nfs",
             "virtiofs": "virtiofs", "virtio-fs": "virtiofs", "fuse": "fuse",
             "overlay": "overlay", "overlayfs": "overlay", "cifs": "cifs",
             # filesystems in user space: what the kernel sees is FUSE
             "sshfs": "fuse", "s3fs": "fuse", "gcsfuse": "fuse", "rclone mount": "fuse",
             "ntfs-3g": "fuse", "mergerfs": "fuse", "gvfsd-fuse": "fuse", "fuse-overlayfs": "fuse",
             "juicefs": "fuse", "9p_virtio": "9p", "virtfs": "9p", "vboxsf": "vboxsf",
             "vboxfs": "vboxsf", "vmhgfs": "vmhgfs", "vmhgfs-fuse": "fuse",
             "osxfs": "fuse", "grpcfuse": "fuse", "grpc fuse": "fuse", "grpc-fuse": "fuse",
             "fakeowner": "virtiofs", "drvfs": "9p"}


def fs_family(word: str) -> str:
    """The filesystem a word of the prose names ("VirtualBox shared folder" -> vboxsf)."""
    word = " ".join(word.lower().split())
    if word in FS_FAMILY:
        return FS_FAMILY[word]
    if word.startswith("plan"):
        return "9p"
    if word.startswith("media/sf_"):
        return "vboxsf"
    if "shared" in word or word.startswith("mount"):
        return "vmhgfs" if "vmware" in word else "vboxsf"  # Vagrant's: VirtualBox
    return "nfs" if word.startswith("nfs") else word
# A report that says the failure was bisected to a commit ("which bisect to one of the fixup
# commits", "A bisect identified this patch", "first bad commit").
# The same fact told as the bisect's outcome ("The bad commit points to, commit d55564cfc222",
# LKFT 2020; "the culprit commit is"), or as a revert of the named commit that made the failure
# go away ("This suspecting commit reverted and tested and the test case PASS.", LKFT 2021;
# "Reverting the patch allows the test to run successfully.", IBM 2022; "I have reverted this
# single patch and confirmed the reported problem is not seen anymore"; "I think I found the
# culprit, merge commit b25d1dc9474e", "after revert this commit, the BUG disappears", s390
# 2020) - not a revert that
# made a test fail (a fix reverted to show the test catches the bug).
BISECTED = lazy(r"\bbisect(?:ed|ion|s|ing)?\b.{0,60}\b(?:to|identified|points? (?:at|to)|"
                r"commit|patch)\b|first bad commit|\bgit bisect (?:good|bad|log)|"
                r"\b(?:bad|culprit|offending|guilty) (?:commit|patch)\b.{0,20}\b(?:is|was|"
                r"points?|found|identified)\b|\bfound the culprit\b|"
                r"\brevert(?:ed|ing)?\b.{0,60}\b(?:(?:test|it|problem|issue|failure|"
                r"error|bug|crash|warning|oops|splat|hang)s?\b.{0,40}\b(?:pass(?:es|ed)?|"
                r"not (?:seen|reproduc(?:ible|ed)|present)|can ?not be reproduced|"
                r"no longer (?:seen|reproduc\w*|present|happen\w*|occur\w*)|"
                r"(?:goes|went|is) away|disappear(?:s|ed)?|gone)|allows? the test|"
                r"(?:test|it)\b.{0,20}\bsuccessfully)",
                re.IGNORECASE)
# A report that names the commit that brought the failure without bisecting ("Kernel commit
# causing these warning:", linuxppc-dev 2025-10-29; "This warning is caused by commit
# d92a8cfcb37e", linux-mm 2018-02-08; "introduced by commit"): the same fact, unless the line
# asks ("Is this caused by commit ...?").
# The failure dated from a commit named by its id ("This is an issue since kernel commit
# ef2c41cf38a7", ltp 2020-05; "broken since commit", "a regression since upstream commit"), and a
# bisect told as done ("I did a git bisect between those two changes on the stable tree",
# linux-nfs 2025-08; "I ran a bisect", "after doing a bisection"): the same fact.
CAUSED_BY_COMMIT = lazy(r"\bcommit (?:causing|that caused|which caused) (?:this|these|the)\b|"
                        # ... "The BUG_ON was introduced by following commit with
                        # next-20220511" (linuxppc-dev 2022-05), "regressed by commit",
                        # "triggered by the below patch"
                        r"\b(?:caused|introduced|triggered|regressed) by (?:the )?(?:following"
                        r" |below |above |this |that )?(?:(?:kernel|upstream|linux-next|next)"
                        r" )?(?:commit|patch)\b|"
                        r"\b(?:since|starting with) (?:the )?(?:kernel |upstream |stable )?"
                        r"commit [0-9a-f]{7,40}\b|"
                        r"\b(?:did|ran|done|performed|completed|finished) (?:an? |the )?"
                        r"(?:git |kernel |quick |manual )?bisect(?:ion)?\b|"
                        r"\b(?:after|by) running (?:an? |the )?(?:git )?bisect(?:ion)?\b|"
                        r"\b(?:your|the|this|that) commit [0-9a-f]{7,40}\b.{0,100}?\b"
                        r"(?:appears|seems) to (?:cause|break)\b",
                        re.IGNORECASE)
# ... nor when it asks, in a line a mail client wrapped before its "?": "Just to confirm, so is
# failing of fcntl27 test caused by this commit, or" (LTP 2024)
ASKED_CAUSE = lazy(r"(?:^|[,;:]\s*|\bso\s+)(?:is|was|are|were|could|can|might|would)\s+"
                   r"(?:\S+\s+){0,8}?(?:caused|introduced|triggered|regressed)\s+by\b",
                   re.IGNORECASE)
# ... unless the text says the bisect could not be done ("I couldn't even bisect to a working
# one", "not being able to bisect it", "unable to find a working bisect").
# Nor when it is still to be done ("We will bisect these lists of regressions and get back to
# you", LKFT's stable review replies; "I'll try to bisect", "not bisected yet").
NO_BISECT = lazy(r"\b(?:couldn't|could not|can't|cannot|can not|unable to|not (?:being )?"
                 r"able to|failed to|didn't|did not|never|will|shall|going to|plan(?:ning)?"
                 r" to|try(?:ing)? to|need to|have to|want to|would)(?:\s+\w+){0,3}?\s+"
                 r"bisect|\w'll(?:\s+\w+){0,3}?\s+bisect|\bnot (?:yet |been )?bisected|"
                 r"\b(?:haven't|have not|hasn't|has not)(?: yet)? (?:been )?bisected",
                 re.IGNORECASE)
COMMIT_ID = lazy(r"\b([0-9a-f]{12,40})\b")
# A paragraph naming a kernel commit by its id, and the next one opening with what it did to
# the failure: "Upstream commit 4cc9b9f2bf4dfe13fe573 "nfsd: refine and rename NFSD_MAY_LOCK"
# and stable v6.12.54 commit 18744bc56b0ec (re)moves checks from ... nfsd_permission()." then
# "This causes NFS clients to see" the failure (Debian openQA's nfsd report, linux-nfs 2026);
# "This broke ...", "That change causes ...". The report's own bisect, said in words.
NAMED_COMMIT = lazy(r"\b(?:kernel |upstream |stable |mainline |linux-next )?commit "
                    r"[0-9a-f]{10,40}\b", re.IGNORECASE)
THIS_CAUSES = lazy(r"^(?:this|that|the|which|it)\s+(?:commit\s+|change\s+|patch\s+)?"
                   r"(?:causes|caused|breaks|broke|results\s+in|resulted\s+in|leads\s+to|"
                   r"led\s+to|triggers|triggered|makes|made)\b(?!\s+(?:no|nothing)\b)",
                   re.IGNORECASE)
COMMIT_SPAN = 6  # lines from the commit's naming to the sentence saying what it caused
UNAME_R = lazy(r"^\d+\.\d+(?:\.\d+)?[\w.+~-]*$")
UNAME_A = lazy(r"^Linux\s+\S+\s+(\d+\.\d+(?:\.\d+)?[\w.+~-]*)\s+#")
BANNER = lazy(r"Linux version (\d+\.\d+(?:\.\d+)?[\w.+~-]*)")
CI_HEADER = lazy(
    # "Linux version:<TAB>6.6.101-rc1-g1a25720a319a": Jon Hunter's Tegra stable-review replies
    r"^\s*[*-]?\s*(?:kernel(?:[ _]version|[ _]release)?|git[ _]describe|kernel_version|"
    r"Linux version|"
    r"Kernel|Tree/Branch|describe)\s*[:=]\s*v?(\d+\.\d+(?:\.\d+)?(?:-rc\d+)?[\w.+~-]*)",
    re.IGNORECASE,
)
# CKI's report mails name the commit they tested by its subject: "Commit: 2d636a1263be - Linux
# 5.4.21" (a release tag's commit; "Commit: ... - Merge tag 'for-linus'" names no release)
CKI_COMMIT = lazy(r"^\s*Commit:\s+[0-9a-f]{7,40}\s+-\s+Linux\s+(\d+\.\d+(?:\.\d+)?(?:-rc\d+)?)\s*$")
# Greg's stable review mails (and every reply quoting them): "This is the start of the stable
# review cycle for the 6.1.11 release." - the release candidate carries that release's patches;
# a patch of the series: "6.11-stable review patch.  If anyone has any objections, ..."
STABLE_CYCLE = lazy(r"\bstable review cycle for the (\d+\.\d+\.\d+) release\b")
STABLE_PATCH = lazy(r"^(\d+\.\d+)-stable review patch\.")
# "git bisect log": the first "# bad:" on a release tag is the kernel the failure was seen on
BISECT_BAD = lazy(
    r"^#\s*bad:\s*\[[0-9a-f]{7,40}\]\s+Linux\s+(\d+\.\d+(?:\.\d+)?(?:-rc\d+)?)\s*$")


# A test's own setup line for a /proc/sys knob: LTP's mem library "mem.c:817: INFO: set
# overcommit_memory to 2" / "set max_map_count to 65536" (max_map_count, CKI 2020), the new
# library's "TINFO: Set /proc/sys/vm/overcommit_memory to 1" - the test chose the value; a limit
# the report blames on that knob is the test's own setting, not the machine's.
OWN_SETUP = lazy(r"\bT?INFO:\s+[Ss]et(?:ting)?\s+(?:/proc/sys/(?:vm|kernel)/)?(?P<knob>"
                 r"overcommit_memory|overcommit_ratio|max_map_count|min_free_kbytes|"
                 r"nr_hugepages|nr_overcommit_hugepages|shmmax|shmall|shmmni|"
                 r"panic_on_oom|oom_kill_allocating_task)\s+(?:to|=)\s+(?P<value>\d+)\b")

# An strace line that made memory execute-only: "mprotect(0x7fffaed00000, 131072, PROT_EXEC) = 0"
# (LTP mprotect04 on Power8, 2018). With protection keys the kernel backs PROT_EXEC alone with
# an execute-only key (powerpc since 4.16, x86 since 4.6): a later read of those pages is
# refused with SIGSEGV si_code=SEGV_PKUERR although the program never used a key itself.
EXEC_ONLY = lazy(r"^(?:\[pid\s+\d+\]\s+)?(?:mprotect|mmap2?)\((?:[^,()]*,\s*){1,2}PROT_EXEC\s*"
                 r"[,)].*=\s*(?:0|0x[0-9a-f]+)\b")
PKEY_CALL = lazy(r"\bpkey_(?:alloc|mprotect)\s*\(")


@dataclass
class PasteInfo:
    """What normalising an input found out about it."""

    snips: list[LogLine] = field(default_factory=list)  # cut marks, in order
    commands: list[LogLine] = field(default_factory=list)  # shell commands shown in the text
    filtered: bool = False  # a command piped the output through grep/head/...
    suite_hint: str = ""  # the selftest a command ran
    kernel_release: str | None = None
    kernel_source: str = ""  # where the release came from: "uname -r", "banner", "header"
    quoted: bool = False
    line_quoted: bool = False  # the last line had quote marks (behind a capture's prefix too)
    fenced: bool = False
    module_list: bool = False  # inside an oops's "Modules linked in:" list (wrapped)
    unwrapped: int = 0  # lines joined back together
    first_line: int = 0  # number of the first log line kept
    fs_mentions: dict[str, list[LogLine]] = field(default_factory=dict)  # family -> prose lines
    indent: dict[int, int] = field(default_factory=dict)  # line -> indent of '[..]'/'#' lines
    bare: str = ""  # the last line without quote marks and capture prefixes, indentation kept
    text_floor: int = 1 << 30  # the least indent of unquoted non-blank lines so far
    prefixed: int = 0  # characters of capture prefixes taken from the last line
    stamped: bool = True  # every non-blank line so far had a printk stamp
    indent_floor: int = 1 << 30  # the least indent of such lines so far: the paste's own
    bisected: LogLine | None = None  # the prose says the failure was bisected to a commit
    # the robot's bisect names a kernel commit whose subject says it changes a behaviour on
    # purpose (lkp_mail.INTENDED), or a commit to the tests only
    bisect_intended: LogLine | None = None
    bisect_widens: LogLine | None = None  # ... or widens what it accepts (lkp_mail.WIDENS)
    test_change: LogLine | None = None
    prose_before: tuple[int, str] = (0, "")  # the last prose line read (number, text)
    commit_named: tuple[int, str] = (0, "")  # the last prose line naming a commit by its id
    commits: list[str] = field(default_factory=list)  # commit ids the prose names
    strace_start: bool | None = None  # the first strace line is the program's execve
    last_line: int = 0  # number of the last line that looks like console output
    statements: StatementScanner = field(default_factory=StatementScanner)  # stated causes
    diff_lines: int = 0  # lines inside a patch's diff (code, not output): not read as log
    after: AfterSections = field(default_factory=AfterSections)  # a patch's "after" run, left out
    contrast: Contrast = field(default_factory=Contrast)  # a run where it works, left out
    fences: list[int] = field(default_factory=list)  # numbers of the code-fence lines
    prose_lines: list[int] = field(default_factory=list)  # numbers of prose lines, in order
    # the /proc/sys knobs the test set itself, as its own setup lines say ("knob=value")
    own_setup: list[str] = field(default_factory=list)
    # a call that made memory execute-only (PROT_EXEC alone) and whether protection keys were
    # used by the program itself (pkey_alloc/pkey_mprotect in the trace)
    exec_only: LogLine | None = None
    pkeys_used: bool = False

    @property
    def cut_marks(self) -> list[LogLine]:
        """The cut marks, without a "--" after the last console line: a mail signature's "-- "
        (or a separator nothing follows) ends the text, it cuts nothing out of it (grep puts
        "--" only between groups of lines)."""
        return [s for s in self.snips if not (s.text.strip() == "--" and s.line > self.last_line)]

    def block_end(self, line: int) -> int:
        """The first prose line after ``line`` (where a pasted block of output ends), or a
        number past every line."""
        i = bisect_right(self.prose_lines, line)
        return self.prose_lines[i] if i < len(self.prose_lines) else 1 << 62

    def in_code(self, line: int) -> bool:
        """Whether line ``line`` is inside a code fence (an odd number of fences before it)."""
        return bisect_left(self.fences, line) % 2 == 1

    @property
    def fs_from_text(self) -> tuple[str, LogLine] | None:
        """The one network/virtual filesystem the prose names, with a line that names it."""
        if len(self.fs_mentions) != 1:
            return None
        family, lines = next(iter(self.fs_mentions.items()))
        return family, lines[0]

    @property
    def marks(self) -> str:
        """The cut marks as a phrase: "'[...]' at L12, '--' at L20"."""
        marks = self.cut_marks
        return ", ".join(f"'{m.text}' at L{m.line}" for m in marks[:3]) + (
            f" and {len(marks) - 3} more" if len(marks) > 3 else "")


def _release(info: PasteInfo, release: str, source: str) -> None:
    rank = {"uname -r": 3, "banner": 3, "uname -a": 3, "header": 1, "bisect": 1}
    if info.kernel_release is None or rank[source] > rank.get(info.kernel_source, 0):
        info.kernel_release, info.kernel_source = release.rstrip(".,;"), source


def _command(info: PasteInfo, line: LogLine, cmd: str) -> None:
    info.commands.append(LogLine(line.line, cmd, line.source))
    if FILTERS.search(cmd):
        info.filtered = True
    if (m := SUITE_IN_COMMAND.search(cmd)) or (m := SUITE_IN_RUNNER.search(cmd)):
        name = m.group(1)
        info.suite_hint = "gup_longterm" if name == "gup_test" else name
    elif (m := MM_BINARY_RUN.match(cmd)) and m.group(1) in MM_BINARIES and "/" in cmd.split()[
            1 if cmd.startswith("sudo ") and len(cmd.split()) > 1 else 0]:
        info.suite_hint = m.group(1)


def _capture_prefix(text: str, info: PasteInfo) -> re.Match[str] | None:
    """What a log viewer or capture tool put in front of the line: a line number, a time stamp,
    a printk stamp in front of test output (not in front of a kernel message: that one stays)."""
    if text[:1] not in "[0123456789L":
        if ":" in text[4:12] and (m := DMESG_DECODE.match(text)):
            return m
        return COMPOSE_PREFIX.match(text) if "| " in text[:80] else None
    if m := VIEWER_PREFIX.match(text):
        return m
    if m := PRINTK_STAMP.match(text):
        return m
    if info.stamped and (m := ANY_STAMP.match(text)) and not KERNEL_FACT.match(text, m.end()):
        return m
    return None


def unprefixed(line: LogLine) -> str:
    """The line without quote marks and capture prefixes (any stamp but a kernel message's),
    stripped: what a before/after header or a trailer is looked for in."""
    text = line.text
    for _ in range(4):
        if text[:1] in " \t>" and (m := QUOTE.match(text)):
            text = text[m.end():]
        lead = text.lstrip(" \t")
        if lead[:1] not in "[0123456789L":
            if not (m := DMESG_DECODE.match(lead)):
                break
            text = lead[m.end():]
            continue
        m = VIEWER_PREFIX.match(lead) or PRINTK_STAMP.match(lead) or ANY_STAMP.match(lead)
        if m is None or (m.re == ANY_STAMP and KERNEL_FACT.match(lead, m.end())):
            break
        text = lead[m.end():]
    return text.strip()


def _cleaned(lines: Iterable[LogLine]) -> Iterator[LogLine]:
    """The lines with what a web page or an HTML mail left in them undone."""
    for line in lines:
        if not line.text.isascii() or "&" in line.text:
            line = LogLine(line.line, clean_chars(line.text), line.source)
        yield line


def _strip(text: str, info: PasteInfo, line: int = 0) -> str:
    """The line without quote marks, a capture's prefix, indentation (recorded, relative to
    the paste's own) and a pair of backticks around it."""
    plain = True  # neither quoted nor prefixed: the paste's own indentation is in front
    info.prefixed, info.line_quoted = 0, False
    for _ in range(4):  # "> 12\t> not ok ...": a quote, a viewer's number, a quote
        if text[:1] in " \t>" and (m := QUOTE.match(text)):
            info.quoted = info.line_quoted = True
            plain = False
            text = text[m.end():]
        lead = text.lstrip(" \t")
        if not (m := _capture_prefix(lead, info)):
            break
        info.prefixed += len(text) - len(lead) + m.end()
        text, plain = lead[m.end():], False
    stripped = text.lstrip(" \t")
    info.bare = text
    if plain and stripped:  # a patch pasted indented: its context lines keep their ' '
        info.text_floor = min(info.text_floor, len(text) - len(stripped))
        info.bare = text[info.text_floor:]
    elif not stripped:
        info.bare = ""
    if stripped[:1] in "[#":
        width = len(text[:len(text) - len(stripped)].expandtabs(8))
        floor = info.indent_floor = min(info.indent_floor, width)
        if width > floor and len(info.indent) < 100_000:
            info.indent[line] = width - floor
    text = stripped.rstrip()
    if len(text) > 1 and text[0] == "`" and text[-1] == "`":
        text = text.strip("`").strip()
    elif text.count("`") == 1 and (text[0] == "`" or text[-1] == "`"):
        # an inline `...` span a mail client broke in two: each half keeps one backtick
        text = text.strip("`").strip()
    return text


def _continues(previous: str, previous_width: int, text: str) -> bool:
    """Whether ``text`` is the rest of ``previous``, broken by a mail client."""
    if not text or not previous or RULE_LINE.match(previous):
        return False  # a rule under a heading ("Failures" / "-----") ends its line
    if text.startswith(": ") and BAIL_OR_RESULT.match(previous):
        return True  # perror()'s ": strerror (errno)" after a message without a newline
    if previous.rstrip().endswith(" Assertion") and text.rstrip().endswith("' failed."):
        return True  # glibc's "prog: file.c:9: main: Assertion" / "`expr' failed.", cut
    # "memfd hugetlb (2048 kB)" does not look like a line start; "(2048 kB)" does not either;
    # a [RUN] line cut after "with" continues with any word.
    cut_after_with = RUN_LINE.match(previous) and previous.rstrip().endswith((" with", " ..."))
    if LINE_START.match(text) and not cut_after_with:
        return False
    if RUN_LINE.match(previous):
        return not RUN_COMPLETE.search(previous)
    if STRACE_START.match(previous) and " = " not in previous and "<unfinished" not in previous:
        # (strace sharing a terminal with the program: its output ends the line, ") = N" is
        # the call's own next line, which the strace reader joins)
        return not split_write(previous)
    if STRACE_START.match(previous) and previous.rstrip().endswith(" = -1") \
            and ERRNO_NEXT.match(text):
        return True  # "... = -1" / "EOPNOTSUPP (Not supported)": the errno went to the next line
    if RESULT_LINE.match(previous) and previous.count("(") > previous.count(")"):
        return True
    # a piece short of the width whose next word would not have fit after it (a long word:
    # "((((sizeof(struct" / "uffdio_api)))) << ...") was wrapped too
    fits = previous_width + 1 + len(text.split(None, 1)[0]) <= WRAP_COLUMNS
    return ((previous_width >= WRAP_WIDTH or not fits)
            and (text[:1].islower() or text[:1] in "(=")
            and not NEW_LINE_WORD.match(text) and not LINK_FIELD.match(text))


def _note_release(info: PasteInfo, text: str) -> None:
    """The kernel release a line names (uname -a, the boot banner, a CI header)."""
    if m := UNAME_A.match(text):
        _release(info, m.group(1), "uname -a")
    elif "Linux version" in text and (m := BANNER.search(text)):
        _release(info, m.group(1), "banner")
    elif (m := CI_HEADER.match(text)) and not RESULT_LINE.match(text):
        _release(info, m.group(1), "header")
    elif text[:1] == "#" and (m := BISECT_BAD.match(text)):
        _release(info, m.group(1), "bisect")
    elif release := _mail_header_release(text):
        _release(info, release, "header")


def _mail_header_release(text: str) -> str | None:
    """The release a stable review mail or a CKI report mail names in its header lines."""
    if "stable review" in text and (
            (m := STABLE_CYCLE.search(text)) or (m := STABLE_PATCH.match(text))):
        return m.group(1)
    if "Commit:" in text and (m := CKI_COMMIT.match(text)):
        return m.group(1)
    return None


def _prompt(text: str) -> re.Match[str] | None:
    """A shell prompt with the command typed after it."""
    return FULL_PROMPT.match(text) or DOLLAR_PROMPT.match(text) or ROOT_PROMPT.match(text)


# A sentence that names a filesystem without saying the run used it: what could or would be,
# a question, an example ("... but, in theory, could be run from nfs etc.", the memory-failure
# thread, 2026; "Perhaps you are sharing into the FVP using 9p?", the seed thread)
# Advice names a filesystem to move to, not the one the run used ("I'd recommend switching to
# NFS", nodegit #1115 on a VirtualBox shared folder; "use a local disk instead"). "Could not
# write data" is a failure that happened, no supposition.
FS_UNSAID = lazy(r"\b(?:could(?! not\b)|would|might|may|if|whether|in theory|perhaps|"
                 r"maybe|e\.g\.|such as|for example|for instance|recommend\w*|suggest\w*|"
                 r"switch\w* to|instead)\b|\w'd\b|\?\s*$", re.IGNORECASE)
STATUS_MARKS = ("✅", "❌", "⚡", "🚧", "⏱", "⚠")
# LTP's probe of the filesystems it could test ("tst_supported_fs_types.c:92: TINFO: FUSE does
# support exfat", "... Kernel supports ntfs"): what the machine offers, not where the test ran;
# nor its mount of one variant of an all-filesystems loop through FUSE ("tst_test.c:900: TINFO:
# Trying FUSE...", ntfs-3g in the kernel test robot's LTP runs, 2021-2024)
LTP_FS_PROBE = lazy(r"\btst_supported_fs_types\.c:\d+: T?INFO: |"
                    r"\btst_test\.c:\d+: T?INFO: Trying FUSE\b")
# A list of the kernel modules loaded names no filesystem the test ran on, wherever the line
# starts: a journal's or syslog's prefix in front of it ("Oct 09 12:13:04 host restraintd[830]:
# Modules Loaded  ... nfsv3 nfs_acl nfs lockd", CKI's restraint on Fedora 31, 2019; "... emergent
# kernel: Modules linked in: nfsv3 nfs_acl nfs ...", a syslog'd oops, 2019) or runltp's header
MODULES_LINE = lazy(r"\b(?:Modules\s+(?:linked\s+in|loaded)|Loaded\s+modules)\b\s*:?\s",
                    re.IGNORECASE)
SENTENCE_AROUND = lazy(r"[^.!?]*(?:[.!?]+(?=\s|$)|$)")


def _said_of_the_run(text: str, start: int) -> bool:
    """Whether the sentence of ``text`` around ``start`` says, not supposes or asks."""
    for m in SENTENCE_AROUND.finditer(text):
        if m.start() <= start < max(m.end(), m.start() + 1):
            return FS_UNSAID.search(m.group(0)) is None
    return True


def _note_fs_words(info: PasteInfo, line: LogLine, text: str) -> None:
    """Filesystems the prose names (at most three lines each), in sentences that say so. A CI
    mail's status line ("🚧 ✅ CIFS Connectathon", "❌ xfstests - xfs") names a test, not the
    filesystem the run used; nor does LTP's probe of the filesystems it could test, nor a list
    of the modules loaded."""
    if text.lstrip().startswith(STATUS_MARKS) or LTP_FS_PROBE.search(text) \
            or MODULES_LINE.search(text):
        return
    for m in FS_WORDS.finditer(text):
        if text[max(0, m.start() - 2):m.start()] == "--" or not _said_of_the_run(text, m.start()):
            # (a command's option names no filesystem: tuxrun's "--overlay <url>" in LKFT's
            # reproducer steps unpacks LTP into the rootfs, 2023-2024)
            continue
        family = fs_family(m.group(1))
        mentions = info.fs_mentions.setdefault(family, [])
        if len(mentions) < 3:
            mentions.append(LogLine(line.line, text, line.source))


# A kernel report's own record lines, pasted without printk stamps (an indented oops in a commit
# message): the module list (and its wrapped continuation), the stack and register dumps, the
# page dump. Their words are no prose: "fuse" in a module list names no filesystem the test
# ran on, a 16-digit stack word is no commit.
KERNEL_RECORD = lazy(
    r"^\s*(?:Modules linked in:|Stack\s*:|raw: [0-9a-f]|page: refcount|flags: 0x|"
    r"CPU: \d+ (?:UID|PID)|Hardware name:|Call Trace:|Disabling lock debugging|"
    r"RIP: |Code: |Workqueue: |#PF: |PGD [0-9a-f]|Dumping ftrace|"
    r"(?:[0-9a-f]{8,16}\s+){2,}[0-9a-f]{8,16}\s*$|\[<[0-9a-f]{8,16}>\]|"
    # a register dump: "RAX: 0000000000000000 RBX: ffffc9000311b8a8 ...", "x29: ffff8000..."
    r"(?:[A-Za-z][A-Za-z0-9]{1,3}\s*: ?[0-9a-f]{4,16}(?:\([0-9a-f]{4}\))?\s+){2,})")
# A wrapped module list's continuation: four names or more, or its last line, which may be short
# ("fuse [last unloaded: test_user_copy]", LKFT's zram Oops on qemu-arm, 2022; "scsi_transport_srp
# fuse [last unloaded: scsi_debug]", IBM's Power CI, 2025; a mail client's wrap leaving
# "crct10dif_ce fuse drm", LKFT's preadv03 WARNING on a Juno board, 2023: a few module names).
MODULE_LIST = lazy(r"^\s*[\w-]+(?:\([A-Z]+\))?(?:\s+[\w-]+(?:\([A-Z]+\))?){3,}\s*$|"
                   r"^\s*(?:[\w-]+(?:\([A-Z]+\))?\s+)*\[last unloaded: [^\]\s]+\]\s*$|"
                   r"^\s*[a-z][a-z0-9_]*(?:\([A-Z]+\))?(?:\s+[a-z][a-z0-9_]*(?:\([A-Z]+\))?){0,2}"
                   r"\s*$")


def _kernel_record(info: PasteInfo, text: str) -> bool:
    """Whether ``text`` is a line of a kernel report's record (see KERNEL_RECORD)."""
    if KERNEL_RECORD.match(text):
        info.module_list = text.lstrip().startswith("Modules linked in:")
        return True
    if info.module_list and MODULE_LIST.match(text):
        return True
    info.module_list = False
    return False


def _patch_signature(info: PasteInfo, dash: LogLine | None, text: str) -> LogLine | None:
    """The last cut mark while the line after it is not yet known; a "--" followed by git's
    version ("-- " then "2.41.0") is a patch mail's signature, no cut: it is taken back."""
    if dash is None or not text:
        return dash
    if dash.text == "--" and GIT_VERSION.match(text):
        info.snips.remove(dash)
    return None


def _says_bisected(text: str) -> bool:
    """Whether a prose sentence says the failure was bisected (or reverted away) to a commit."""
    named = (CAUSED_BY_COMMIT.search(text) and not text.rstrip().endswith("?")
             and not ASKED_CAUSE.search(text))
    return bool((BISECTED.search(text) or named) and not NO_BISECT.search(text))


def _note_prose(info: PasteInfo, line: LogLine, text: str) -> None:
    """What a prose line says: a bisect to a commit, commit ids, filesystems it names. A
    sentence a mail client wrapped is read with the prose line before it ("... _only_ \"memcg:
    charge ...\" being reverted on" / "top, and the problem is away", s390 2021)."""
    if text and len(info.prose_lines) < MAX_PROSE_LINES:
        info.prose_lines.append(line.line)
    before = info.prose_before if info.prose_before[0] == line.line - 1 else (0, "")
    info.prose_before = (line.line, text)
    if info.bisected is None and _says_bisected(text):
        info.bisected = LogLine(line.line, text, line.source)
    elif info.bisected is None and before[1] and _says_bisected(f"{before[1]} {text}") \
            and not NO_BISECT.search(before[1]):
        info.bisected = LogLine(before[0], f"{before[1].strip()} {text.strip()}", line.source)
    if info.bisected is None and info.commit_named[0] and THIS_CAUSES.match(text) \
            and 0 < line.line - info.commit_named[0] <= COMMIT_SPAN:
        info.bisected = LogLine(info.commit_named[0], f"{info.commit_named[1].strip()} ... "
                                f"{text.strip()}", line.source)
    if NAMED_COMMIT.search(text):
        info.commit_named = (line.line, text)
    if len(info.commits) < 50:
        info.commits += [c for c in COMMIT_ID.findall(text) if not c.isdigit()]
    _note_fs_words(info, line, text)


def _text_of(line: LogLine, info: PasteInfo) -> str | None:
    """The line without quote marks and indentation; None for a code fence."""
    raw = line.text
    if FENCE.match(raw) and not QUOTE.match(raw.replace("`", "")):
        info.fenced = True
        info.fences.append(line.line)
        return None
    if info.stamped and raw.strip():
        info.stamped = ANY_STAMP.match(QUOTE.sub("", raw, count=1).lstrip()) is not None
    text = _strip(raw, info, line.line)
    if FENCE.match(text):
        info.fenced = True
        info.fences.append(line.line)
        return None
    return text


class _Unwrapper:
    """Joins the pieces of a line a mail client broke back together."""

    def __init__(self, info: PasteInfo) -> None:
        self.info = info
        self.pending: LogLine | None = None
        self.width = 0

    def flush(self) -> Iterator[LogLine]:
        if self.pending is not None:
            yield self.pending
            self.pending = None

    def add(self, line: LogLine, text: str) -> Iterator[LogLine]:
        raw = line.text
        if self.pending is not None and _continues(self.pending.text, self.width, text):
            self.pending = LogLine(self.pending.line, self.pending.text.rstrip() + " " + text,
                                   self.pending.source)
            self.info.unwrapped += 1
            # the piece's own width: padding a mail client or editor put after it (a cover
            # letter with every line padded to 81 columns) is no text, one flowed space is
            piece = len(raw.rstrip()) + (raw[-1:] == " ") - self.info.prefixed
            # ... unless it is the short tail a 72-column wrap cut from a line its writer had
            # already broken at 80 ("... relative paths being" / "resolved" / "against the
            # caller's cwd ..."): then the writer's line was as wide as both, and its own
            # break is a wrap too
            # (one word: "passed   0" under a joined "Summary:" is a table's row, not a tail)
            word = text.strip()
            tail = self.width >= WRAP_WIDTH and len(word) < WRAP_WIDTH // 4 \
                and not any(c.isspace() for c in word) and word[-1:] not in ".:;!?,"
            self.width = self.width + 1 + piece if tail else piece
            return
        yield from self.flush()
        if not self.info.first_line and text:
            self.info.first_line = line.line
        self.pending = LogLine(line.line, text, line.source)
        self.width = len(raw.rstrip()) - self.info.prefixed  # a viewer's stamp was not wrapped


def clean_chars(text: str) -> str:
    """What copying from a web page or an HTML mail leaves in text, undone: zero-width spaces
    and byte-order marks dropped, non-breaking spaces made spaces, ``&gt;`` ``&lt;`` ``&amp;``
    left escaped turned back into the characters."""
    if not text.isascii():
        text = text.translate(INVISIBLE).translate(SPACES)
    if "&" in text and ";" in text:
        text = ENTITY.sub(lambda m: ENTITIES[m.group(0)], text)
    return text


def _note_setup(info: PasteInfo, line: LogLine, text: str) -> None:
    """What a line says the program set up itself: a /proc/sys knob (``OWN_SETUP``), memory
    made execute-only (``EXEC_ONLY``), a protection key of its own (``PKEY_CALL``)."""
    if info.exec_only is None and EXEC_ONLY.search(text):
        info.exec_only = LogLine(line.line, text, line.source)
    info.pkeys_used = info.pkeys_used or PKEY_CALL.search(text) is not None
    if len(info.own_setup) < 20 and (m := OWN_SETUP.search(text)) and (
            pair := f"{m.group('knob')}={m.group('value')}") not in info.own_setup:
        info.own_setup.append(pair)


def normalise(lines: Iterable[LogLine], info: PasteInfo | None = None) -> Iterator[LogLine]:
    """The log lines inside pasted text, with their original numbers."""
    info = info if info is not None else PasteInfo()
    joined = _Unwrapper(info)
    after_uname = in_diff = tight = False
    width_before = 0  # the raw line before's width: was it wrapped?
    dash: LogLine | None = None  # the last "--" cut mark, until the next line says what it is
    for line in drop_contrast_runs(drop_patched_after(_cleaned(lines), info.after, unprefixed),
                                   info.contrast, unprefixed):
        text = _text_of(line, info)
        if text is None:
            continue
        text = uncomment(text)
        if after_uname and text:
            after_uname = False
            if UNAME_R.match(text):
                _release(info, text, "uname -r")
                continue
        _note_release(info, text)
        _note_setup(info, line, text)
        # whether the line is quoted, seen behind a capture's prefix ("[ 12.3] > > ---")
        said = line if (QUOTE.match(line.text) is not None) == info.line_quoted else \
            LogLine(line.line, "> " * info.line_quoted + text, line.source)
        if info.statements.is_title(text):  # "# Failed to mmap ... (VirtualBox shared folder)"
            _note_fs_words(info, line, text[2:])
        info.statements.feed_line(said, text, info.bare)
        # the rest of a long diff line that a mail client wrapped is still the diff
        tight = not info.prefixed and tight_diff(in_diff, tight, line.text)
        in_diff = in_diff_after(in_diff, info.bare) or (in_diff and tight) or (
            in_diff and wrapped_piece(width_before, info.bare)) or (
            # a tight quote ("> \tcode" a context line) by its marks only; behind a viewer's
            # numbers ("> 46\t> Hi") the raw line starts with the number's padding
            in_diff and info.line_quoted and not info.prefixed and tight_context(line.text))
        width_before = len(line.text.rstrip())
        if in_diff:  # a patch's code ("VM_BUG_ON(...)", "ksft_test_result_fail(...)")
            info.diff_lines += 1
            yield from joined.flush()
            continue
        dash = _patch_signature(info, dash, text)
        if SNIP.match(text):
            yield from joined.flush()
            info.snips.append(LogLine(line.line, text, line.source))
            dash = info.snips[-1]
            continue
        if m := _prompt(text):
            yield from joined.flush()
            cmd = m.group("cmd").strip()
            _command(info, line, cmd)
            after_uname = bool(re.match(r"uname\s+-r\b", cmd))
            continue
        if PROMPT_ONLY.match(text):
            info.last_line = line.line
            continue
        if LOG_LIKE.match(text):
            info.last_line = line.line
            # a stamped "Modules linked in:" line starts a list its unstamped lines continue
            info.module_list = "Modules linked in:" in text
        elif "://" not in text and not _kernel_record(info, text):
            _note_prose(info, line, text)
        yield from joined.add(line, text)
    yield from joined.flush()
