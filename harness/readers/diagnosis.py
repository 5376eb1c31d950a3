"""A diagnosis stated in prose: the sentence in which a maintainer (or the reporter) says why.

Many reports carry their cause only in words, after the log they quote: "I think this is
caused by test_sysctl() in memfd_test, which ... does not restore it", "It means that the
hugetlb mmap() failed", "The test fails because it assumes a size of 4096 bytes ... when using
tmpfs", "this is because the robot has no swap", "turns out CONFIG_USERFAULTFD was off". A
sentence is a diagnosis when

- it has a causal marker (caused by, because, due to, the root cause/problem/reason is, turns
  out, it means that, looks like, that explains it, fixed by ...);
- it is no question ("could it be ...?", "I wonder its because ..."), no hypothetical ("if",
  "maybe", "might", "would" before the marker) and not negated at the marker ("not because",
  "wouldn't be caused by");
- it is the writer's own (not quoted), or a quoted one the writer confirms right after ("yes,
  that was it", "you're right", "that fixed it"); a quoted one only when the writer states
  none (a forwarded report, a reply that only quotes) and does not disagree;
- its cause side (the words after the marker; before it for "X is the culprit") names a cause
  this module knows: the test's own fault (a test that assumes, relies on or does not restore
  something), a filesystem the test assumed, huge pages, swap, a CONFIG_ option, root, a
  sysctl or rlimit, memory, a missing library or tool, an old kernel, THP, userfaultfd, NUMA,
  seccomp, the page size, a kernel commit.

Each cause maps to the rule id the log-based rules already use (``CAUSES``), never a new one.
The last diagnosis of the text wins (later messages refine earlier guesses). The finding
quotes the sentence; it is the thread's word, kept apart from what the log shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine

# Markers whose cause follows them.
MARKER_AFTER = lazy(
    r"\b(?:(?:the|a|one|its?|this)\s+)?(?:root[- ]?)?causes?\s+(?:of\s+[^.;]{0,80}?\s+)?"
    r"(?:is|was|are|were|seems to be|appears to be)\b|"
    r"\bcaus(?:ed|ing)\s+by\b|\bintroduced\s+by\b|\btriggered\s+by\b|\bbecause\b(?!\s+of\s+"
    r"(?:this|that)\b)|\bdue\s+to\b|\bthanks\s+to\b(?=[^.]{0,40}\b(?:not|no|missing|lack))|"
    r"\bthe\s+(?:(?:real|core|main|actual|underlying)\s+)?(?:problem|issue|reason|culprit|"
    r"trouble|bug)\s+(?:here\s+)?"
    r"(?:is|was|seems to be|appears to be)\b|"
    r"\bturn(?:s|ed)\s+out\b|"
    # the setting a test needs, said by the change that sets it: "So, need to change
    # unprivileged_userfaultfd behavior on 15-SP4 KVM for our OSD guest migration test"
    r"\bneed(?:s|ed)?\s+to\s+(?:change|set|enable|raise|increase|adjust|turn\s+on)\b"
    r"(?=[^.;]{0,80}\bfor\s+(?:our|the|this|these|that)\s+(?:[\w-]+\s+){0,4}tests?\b)|\bit\s+means\s+(?:that\s+)?|\bthat\s+means\s+(?:that\s+)?|"
    r"\b(?:it\s+)?(?:looks|sounds)\s+like\b|\bit\s+seems\s+(?:that\s+|like\s+)?|"
    # what the failure happens on, said with its lack: "crashed ... on filesystems that can't
    # provide WAL's required mmap(MAP_SHARED)" (the lack is the cause)
    r"\bon\s+(?:file ?systems?|mounts?|shares?|volumes?)\s+(?:that|which)\s+(?=(?:can't|cannot|"
    r"can not|don't|do not|doesn't|does not)\b)|"
    # an analysis's own heading word: "Reason: generic_file_readonly_mmap is used by ..."
    r"^(?:reason|root[- ]cause|cause)\s*:\s|"
    r"\bfails?\s+(?:on|with|when)\b(?=[^.]{0,60}\bsince\b)|\bsince\b(?=[^.]{0,80}\b(?:no|not|"
    r"without|missing|lacks?)\b)|"
    r"\bfixed\s+(?:upstream\s+)?(?:by|in|with)\b|"
    r"\bfails?\s+(?:on|with|when|if)\s+(?:the\s+)?(?:kernel|machine|system|host|runner)s?\s+"
    r"(?:has|have|is|are|does|do|lacks?|without)\b|"
    # "IOEngineTests fail on 64k page systems": the condition is the cause
    r"\bfail(?:s|ed|ing)?\s+(?:on|with)\b(?=\s+(?:\w+\s+){0,3}?(?:16|64)\s?[kK]i?B?[- ]?(?:base"
    r"[- ])?pages?\b)",
    re.IGNORECASE)
# Markers whose cause comes before them: "the missing swap is the culprit".
MARKER_BEFORE = lazy(
    r"\bto\s+fix\s+(?:it|this|that|the\s+(?:issue|problem|error|failure))\b|"
    r"\b(?:is|was|are|were)\s+(?:the\s+|a\s+)?(?:root\s+)?(?:cause|culprit|reason|problem)\b"
    r"(?!\s+(?:of|for|why)\b)|\b(?:is|was)\s+to\s+blame\b|\bexplains?\s+(?:it|this|that|the\s+"
    r"failures?)\b",
    re.IGNORECASE)
# A reply that takes the quoted diagnosis as its own.
CONFIRMS = lazy(
    r"^(?:yes|yep|yeah|indeed|correct|exactly|confirmed|right)\b|\bthat(?:'s| was| is) "
    r"(?:it|the (?:problem|issue|cause|culprit))\b|\byou(?:'re| are) (?:right|correct)\b|"
    r"\bthat (?:fixed|fixes|solved|did) (?:it|the trick)\b|\bgood catch\b|"
    r"\bthat explains it\b|\bfinding the root cause\b|\bcan confirm\b",
    re.IGNORECASE)
# ... or answers it with "no".
DENIES = lazy(r"^(?:no[,.!]|nope\b|not really\b|not quite\b)|\bI (?:don't|do not) "
              r"(?:think so|agree|believe (?:that|so|it))\b|\bI disagree\b|\bthat'?s not "
              r"(?:it|right|true|the (?:case|cause|problem))\b", re.IGNORECASE)
QUESTION = lazy(
    r"\?\s*$|^(?:could|can|is|are|does|do|did|would|might|should|was|were|has|have)\s+(?:it|"
    r"this|that|there|the|we|you)\b|\b(?:I\s+)?wonder\w*\b|\bnot\s+sure\b|"
    r"\bno\s+idea\b|\b(?:don'?t|do\s+not)\s+know\b|\bany\s+(?:idea|chance)\b",
    re.IGNORECASE)
# Before the marker, in its clause: what could be, not what was.
# ("I'm guessing the problem is ...", "my guess is", "I suspect": a hedge, but the writer's
# own working diagnosis, as "I think" is; "if I had to guess" stays hypothetical by its "if")
# ("I'm a bit reluctant to say that this is a qemu bug", 2023: a doubt, not a verdict)
HYPOTHETICAL = lazy(r"\b(?:if|unless|maybe|perhaps|might|may|could|would|suppose|"
                    r"possibly|in case|otherwise|ruled? out|reluctant|hesitant)\b|'d\b",
                    re.IGNORECASE)
NEGATION = lazy(r"(?:\b(?:not|never|no longer|nothing|hardly)|n't)\s*(?:\w+\s+){0,2}$",
                re.IGNORECASE)
CLAUSE_START = lazy(r"[.;:!?]\s|,\s(?:but|and|so)\s|\bbut\b|\bhowever\b", re.IGNORECASE)
SENTENCE_END = lazy(r"(?<=[.!?])\s+(?=[A-Z(\"'`])|(?<=[.!?])$")
# Code, log and furniture lines are no prose.
# (a sentence may open with an inline code span: "`vboxsf` does not support directory `fsync`",
# Fulcrum #100; a fence or a line that is one code span is no prose)
NOT_PROSE = lazy(r"^(?:[#*|$~]|```|`[^`]*`\s*$|\w+:\s*$|diff |@@|[-+]{3} |"
                       r"[\w./-]+\.[ch]:\d+)|"
                       r"[;{}]\s*$|"
                       # a tracker thread's turn header: "spanezz · description · 2018-04-27"
                       r"^\S+ \u00b7 [\w ]+ \u00b7 \d{4}-\d\d-\d\d$")

# The test's own fault: a test (a test name, a test function, "the test", "the code") that
# assumes, relies on, does not restore/check/skip ...
TEST_NOUN = lazy(
    r"\b(?:self)?tests?(?:case)?s?\b|\btest\w*\(\)|\b\w+::\w+|\b\w*_tests?\b|"
    r"\bthe (?:code|program|script|harness|benchmark|tool)\b", re.IGNORECASE)
# ... or a pronoun for the test the sentence named before the marker ("The test fails because
# it assumes ...", "the tests are failing ..., because they rely on ...").
PRONOUN = lazy(r"\b(?:it|they)\b", re.IGNORECASE)
TEST_FAULT = lazy(
    r"\bassum\w*\b|\bAssume\b|\brel(?:y|ies|ied|ying) on\b|\bexpects?\b|\bhard[- ]?cod\w*\b|"
    r"\b(?:does|do|did)(?:n't| not) (?:restore|reset|check|handle|skip|clean|probe|account|"
    r"wait|unmap|close|free|release|set|take into account)\b|\bnever (?:restores?|resets?|"
    r"checks?|skips?|frees?)\b|\bforg(?:ot|ets)\b|\bleaves?\b[^.]{0,40}\b(?:set|behind|"
    r"mounted|running|enabled)\b|\b(?:a |the )?bug in (?:the |this )?(?:self)?test|\bwrong "
    r"(?:size|value|length|check|assumption|page ?size)\b|\bshould (?:be )?skip",
    re.IGNORECASE)
FS_NAMES = lazy(r"\b(?:tmpfs|ramfs|9p|virtio-?fs|nfs(?:v?[234](?:\.\d)?)?|overlay(?:fs)?|"
                r"fuse|btrfs|xfs|ext[234]|f2fs|vfat|exfat|cifs|smb|ceph|zfs|"
                r"(?:memory|network|shared) file ?systems?)\b", re.IGNORECASE)
SELFTEST_SUBJECT = lazy(r"^\s*selftests?\b", re.IGNORECASE)
# (the subject in parentheses, as git's --pretty=reference writes it, or only in quotes:
# 'Fixed with commit 2ea7ff1e39cb "mm/hugetlb: fix race ..."')
COMMIT = lazy(r"\b(?:commit\s+)?[0-9a-f]{8,40}\b(?:\s*\(\"(?P<subject>[^\"]{4,})\"\)|"
              r"\s+[\"\u201c](?P<quoted>[^\"\u201d]{4,})[\"\u201d])?")


@dataclass(frozen=True)
class Cause:
    stated: str  # the key a ``stated`` rule checks (its rule id or the generic diagnosis rule)
    category: str
    cause: str  # the cause id the finding carries (an existing rule's)
    what: str  # for the explanation: "no swap"
    # environment rules whose evidence the statement explains (the test wrote where it should
    # not, so the read-only or full directory is its choice): they give way to it
    outranks: tuple[str, ...] = ()


def _env(cause: str, what: str) -> Cause:
    return Cause("diagnosis-env", "env", cause, what)


def _config(cause: str, what: str) -> Cause:
    return Cause("diagnosis-config", "config", cause, what)


# (a filesystem that cannot map answers mmap with ENOSYS too - GPFS, Cray's DVS: not a missing
# system call, whatever call the text's words were read as)
LACKS_MMAP = Cause("diagnosis-env", "env", "fs-no-shared-mmap",
                   "the filesystem gives no writable shared mappings", ("syscall-not-implemented",))


# WSL's Windows drives: DrvFs under /mnt/c (a 9p share from Windows under WSL 2), "outside
# VolFs" (WSL 1's own filesystem), "the Windows file system", "a Windows share"; "/mnt/" alone
# only where it ends (ggllm.cpp #13: "mmap on WSL only works in native folders not on the /mnt/")
WINDOWS_DRIVE = (r"(?:drvfs|(?:outside|not\s+in|off)\s+(?:of\s+)?(?:the\s+)?VolFs|/mnt/(?:[a-z]"
                 r"(?=/|\b))?(?![\w-])|Windows\s+(?:drives?|file ?systems?|partitions?|shares?|"
                 r"folders?|director(?:y|ies)|side\s+of\s+the\s+file ?system)|"
                 r"(?:mounted|shared)\s+Windows\s+(?:drives?|folders?))")
ON_WINDOWS_DRIVE = _env("only-on-fs", "the files are on WSL's Windows drives (DrvFs), not its "
                        "own filesystem")


# A mount that forbids executable mappings, a cause by its own words: "the mapped area belongs
# to a file on a filesystem mounted noexec" (xenia-edge #137, 2026), "/tmp mounts options
# containing 'noexec'" (raspberrypi/piserver #53, 2019), "your /tmp is mounted with the noexec
# flag" (OpenComputers #452, 2014).
NOEXEC = lazy(r"\bmounted\s+(?:with\s+|as\s+)?(?:the\s+)?\W?noexec\b|\bnoexec\b\W?\s+(?:mount|"
              r"flag|option|attribute)|\bmounts?\s+options?\s+(?:containing|with|include\w*)\s+"
              r"\W?noexec\b", re.IGNORECASE)
NOEXEC_MOUNT = _env("fs-noexec-mount", "the file's filesystem is mounted noexec")


# Environment and configuration nouns, said of the machine or kernel the test ran on.
CAUSES: tuple[tuple[re.Pattern[str], Cause], ...] = (
    # (first: more specific than a pool's words for the same noun)
    # the setup the test ran in lacks what it uses: "threaded mode doesn't support hugepage"
    # (kata, cgroup v2), "Huge page feature is not enabled in runtime-rs" (kata #5560)
    (lazy(r"\b(?:mode|controller|cgroups?(?: v[12])?|runtimes?|runtime-\w+|hypervisor|"
          r"container|sandbox|VM|guest|runner|platform|environment)\b[^.;]{0,20}?\b(?:does "
          r"not|doesn't|do not|don't|cannot|can't) (?:support|handle)\s+(?:the\s+)?"
          r"(?:huge ?pages?|hugetlb\w*|THP|transparent huge ?pages?|userfaultfd|O_DIRECT|"
          r"memfd\w*|io_uring|swap)\b|\b(?:huge ?pages?|hugetlb\w*|THP|userfaultfd|io_uring)"
          r"\b(?: feature| support)?\s+(?:is|are)(?:n't| not) (?:enabled|supported|"
          r"implemented|available) (?:in|by|with|under) (?:the )?(?!kernel|linux)"
          r"[\w-]+", re.IGNORECASE),
     _env("setup-unsupported", "the setup the test ran in does not support what it uses")),
    (lazy(
        r"\bno (?:free |reserved |available )?(?:huge ?pages|hugetlb(?: pages)?)\b|"
        r"\b(?:huge ?pages?|hugetlb(?: pages)?)\b[^.;]{0,30}\b(?:not|never)\b[^.;]{0,20}\b"
        r"(?:reserved|available|allocated|set up|configured|enabled|free)\b|\b(?:not enough|too "
        r"few|insufficient|zero|0) (?:free )?(?:huge ?pages|hugetlb pages)\b|\bnr_hugepages\b"
        r"[^.;]{0,25}\b(?:0|zero|too (?:low|small)|not set|empty)\b|\b(?:huge ?page|hugetlb)\w*"
        r"\b[^.;]{0,12}\b(?:mmap|mapping|allocation|alloc|reservation)\w*(?:\(\))?\s+(?:has\s+)?"
        r"fail(?:ed|s)?\b|\bran out of huge ?pages\b|\b(?:huge ?page|hugetlb) pool\b[^.;]{0,20}"
        r"\b(?:empty|exhausted|too small)\b", re.IGNORECASE),
     _env("hugetlb-pages-short", "no free huge pages reserved")),
    (lazy(r"\b(?:does not|doesn't|did not|didn't|do not|don't) have (?:any )?(?:configured|"
          r"reserved|pre-?allocated) huge ?pages\b", re.IGNORECASE),
     _env("hugetlb-not-reserved", "no huge pages configured")),
    (lazy(r"\bno swap\b|\bswap(?: space| partition| device| file)?\b[^.;]{0,20}\b(?:is |"
          r"was |were )?(?:not (?:enabled|configured|available|set up|present)|disabled|"
          r"off|missing|zero|0)\b|\bwithout (?:any )?swap\b|\bswapless\b|\bswap ?(?:total|"
          r"free)\W{0,3}(?:is |was |=\s*)?0\b|\b(?:do(?:es)?n't|do(?:es)? not|didn't) have "
          r"(?:any )?swap\b", re.IGNORECASE),
     _env("swap-missing", "no swap")),
    (lazy(r"\bunprivileged_userfaultfd\b|\buserfaultfd\b[^.;]{0,30}\b(?:not (?:enabled|"
          r"available|permitted|allowed)|disabled|restricted)", re.IGNORECASE),
     _config("userfaultfd-unavailable", "userfaultfd not available to the test")),
    (lazy(r"\bCONFIG_[A-Z0-9_]+\b(?:=n\b|\s+(?:is |was |were )?(?:not (?:set|enabled|"
          r"selected|built)|disabled|off|missing|unset))|\b(?:without|lacks?|lacking|"
          r"missing|(?:need|require)s?|disabled|enable|turn on)\s+(?:the\s+)?CONFIG_"
          r"[A-Z0-9_]+\b|\bkernel (?:was |is )?(?:built|compiled|configured) without\b|"
          r"\b(?:not|isn't|wasn't) (?:enabled|built|compiled) (?:in|into) the kernel\b|"
          # the option said as the remedy, or by the feature's name: "recompile the kernel
          # with support for `CONFIG_SYSVIPC=y`", "Sys V IPC function is missing from the
          # kernel" (meefik/linuxdeploy #41), "enable System V IPC to fix it" (a defconfig
          # patch for fio's "shmget: Function not implemented")
          r"\b(?:re)?(?:compile|build)\s+(?:the|your|a)\s+kernel\s+with\b|"
          r"\bmissing\s+(?:from|in)\s+(?:the|your)\s+kernel\b|"
          r"\benable\s+(?:the\s+)?(?:System\s*V|Sys\s*V)\s+IPC\b",
          re.IGNORECASE),
     # (the option said: a call missing for it, ENOSYS, is that option's consequence, not a
     # kernel too old for the call)
     Cause("diagnosis-config", "config", "kernel-config-missing",
           "a kernel option the test needs was not enabled",
           outranks=("syscall-not-implemented",))),
    (NOEXEC, NOEXEC_MOUNT),
    (lazy(r"\b(?:not|isn't|wasn't|aren't|weren't) (?:run(?:ning)?|started) as root\b|"
          r"\b(?:needs?|requires?|must (?:be )?run as) root\b|\bwithout root\b|"
          r"\b(?:as|by) (?:a |an )?(?:normal|regular|non-?root|unprivileged) user\b|"
          r"\bran unprivileged\b|\bnot (?:have|having) (?:root|CAP_\w+)\b|\blacks? CAP_\w+",
          re.IGNORECASE),
     _env("not-root", "the test was not run as root")),
    (lazy(r"\bvm\.(?:max_map_count|overcommit\w*)\b|\bkernel\.shm\w+\b|\bmax_map_count\b|"
          r"\bRLIMIT_\w+\b|\bulimit\b|\bmemlock\b|\bshmmax\b|\bshmall\b|\bshmmni\b|"
          r"\b(?:locked[- ]memory|mapping|map count|file descriptor|open files?) limit\b",
          re.IGNORECASE),
     _env("sysctl-limit", "a system limit too low for the test")),
    (lazy(r"\b(?:not enough|too little|insufficient|only \d+\s?[MG]i?B? of) (?:free )?"
          r"(?:RAM|memory)\b|\b(?:ran|runs|running) out of memory\b|\bOOM[- ]kill\w*\b|"
          r"\bout of memory\b|\bmemory (?:is |was )?too small\b|\blow[- ]memory (?:machine|"
          r"system|board|VM|guest)\b", re.IGNORECASE),
     _env("memory-short", "too little memory for the test")),
    (lazy(r"\blib[\w+.-]*\.so(?:\.\d+)*\b[^.;]{0,30}\b(?:missing|not (?:found|installed|"
          r"present))|\bmissing (?:shared )?librar(?:y|ies)\b|\b(?:shared )?librar(?:y|ies)"
          r"\b[^.;]{0,20}\b(?:is |are |was |were )?(?:missing|not installed)\b",
          re.IGNORECASE),
     _env("missing-shared-library", "a shared library the test needs is not installed")),
    (lazy(r"\bseccomp\b|\bdocker'?s? default (?:seccomp )?profile\b", re.IGNORECASE),
     _env("container-seccomp", "the container's seccomp profile")),
    (lazy(r"\b(?:only )?(?:one|a single|1) NUMA node\b|\bnot a NUMA (?:machine|system)\b|"
          r"\bwithout NUMA\b|\bno NUMA\b", re.IGNORECASE),
     _env("numa-nodes-missing", "too few NUMA nodes")),
    # the filesystem (or share) maps its files read-only: "By default, 9pfs provides readonly
    # mmap" (Clear Containers' analysis, clearcontainers/agent #92), "generic_file_readonly_mmap
    # is used by 9pfs", "Virtualbox shared folders don't support mmap" (boltdb #459), "GPFS does
    # not support the MAP_SHARED flag" (libgit2 #7136)
    # ... "filesystems that can't provide WAL's required mmap(MAP_SHARED)" (devenv #2985), "mmap
    # does not fully support the semantics SQLite expects" (gsd-2 #3396), "mmap not liking the
    # fs it was opening on" (pearldb #26)
    (lazy(r"\bread-?only\s+mmap\b|\bgeneric_file_readonly_mmap\b|\b(?:does|do)(?:n't| not)"
          r"\s+(?:support|allow|handle)\s+(?:the\s+)?(?:writ\w+\s+)?(?:mmap|MAP_SHARED|shared\s+"
          r"(?:writ\w+\s+)?(?:mmap|mappings?))\b|\b(?:MAP_SHARED|shared (?:mmap|mappings?))\b"
          r"[^.;]{0,20}\bnot supported\b|\b(?:can't|cannot|can not|unable to)\s+(?:provide|"
          r"support|handle|do)\b[^.;]{0,40}\b(?:mmap|MAP_SHARED|shared mappings?)\b|\bmmap\b"
          r"(?:\(\))?[^.;]{0,20}?\b(?:does(?:n't| not)|do(?:n't| not))\s+"
          r"(?:fully\s+|properly\s+)?(?:support|work)\b|"
          r"\bmmap\b[^.;]{0,10}\bnot\s+lik\w+\s+(?:the\s+)?(?:fs|file ?system)\b|"
          # ... in a gerund or a participle: 'caused by "vboxfs not supporting mmap properly"'
          # (docker-monitoring #9), "due to filesystem type not being supported (mmap not
          # working on vboxsf)" (docker-library/mongo #30)
          r"\bnot\s+supporting\s+(?:the\s+)?(?:writ\w+\s+)?(?:shared\s+)?(?:mmap|MAP_SHARED|"
          r"memory[- ]mapp\w+)\b|\bmmap\b[^.;]{0,10}?\bnot\s+(?:being\s+)?(?:fully\s+|properly\s+)?"
          r"(?:supported|working)\b",
          re.IGNORECASE),
     LACKS_MMAP),
    # the filesystem's locks: "go-nfs has no lock manager" under a "## Cause" heading (e2b
    # #3618), "Using `nolock` solved this" (go-nfs #98), lockd not running, no NLM
    (lazy(r"\bno\s+(?:\w+\s+)?(?:lock\s+manager|NLM|lockd)\b|\bwithout\s+(?:a\s+|any\s+)?"
          r"(?:lock\s+manager|NLM|lockd)\b|\b(?:lock\s+manager|lockd|rpc\.statd)\b[^.;]{0,20}"
          r"\b(?:missing|not\s+running|absent|disabled)\b|`?\b(?:nolock|local_lock(?:=\w+)?)\b`?",
          re.IGNORECASE),
     _env("fs-unsupported-operation", "the filesystem has no working locks (no lock manager)")),
    # the files on WSL's Windows drives: "This is because my $HOME is linked from some place
    # outside VolFs (/home/Fabrice -> /mnt/c/Home)" (microsoft/WSL #4670) - the share, whose
    # lack of mappings ``diagnosis()`` names when the text speaks of mmap
    (lazy(r"\b(?:on|in|from|under|to|into|onto)\s+(?:a\s+|the\s+|some\s+place\s+|some"
                r"where\s+)?(?:mounted\s+)?" + WINDOWS_DRIVE + r"(?![\w-])|\b(?:outside|not\s+in)"
                r"\s+(?:of\s+)?(?:the\s+)?VolFs\b", re.IGNORECASE),
     ON_WINDOWS_DRIVE),
    (lazy(r"\b(?:disk|filesystem|file system|partition|/tmp) (?:is |was )?(?:full|out of "
                r"space)\b|\bno space left\b|\bran out of (?:disk )?space\b", re.IGNORECASE),
     _env("fs-full", "the filesystem was full")),
    (lazy(r"\b(?:THP|transparent[_ ]huge ?pages?)\b[^.;]{0,20}\b(?:disabled|never|not "
          r"(?:enabled|available|built))\b|\btransparent_hugepage=never\b", re.IGNORECASE),
     _config("thp-unavailable", "transparent huge pages were not available")),
    (lazy(r"\b(?:kernel|linux)(?: version)? (?:is |was )?too old\b|\bolder kernels?\b"
          r"[^.;]{0,30}\b(?:do(?:es)?n't|do(?:es)? not|lack|without)\b|\b(?:needs?|"
          r"requires?) (?:a )?(?:kernel|linux) (?:v?\d+\.\d+|version)\b|\bkernels? "
          r"(?:before|older than|prior to) v?\d+\.\d+\b|\bv?\d+\.\d+\+?\s+or (?:later|"
          r"newer)\b", re.IGNORECASE),
     _config("kernel-feature-missing", "the kernel predates a feature the test needs")),
    (lazy(r"\bla57\b|\b5[- ]level pag\w*|\bcpu (?:flag|feature)\b|\bCPU (?:does not|"
          r"doesn't) (?:have|support)|\bhardware (?:does not|doesn't) support\b",
          re.IGNORECASE),
     Cause("arch-unsupported", "config", "arch-unsupported", "a CPU feature the test needs")),
)
# A page size other than the test expected: almost always a test that assumes 4K.
PAGE_SIZE = lazy(r"\A\s*(?:the\s+)?(?:system\s+|base\s+|kernel\s+)?page ?size\b|"
                 r"\bpage ?size (?:is )?differen\w*|\b(?:larger|bigger|greater|different|"
                 r"non-4\s?[kK])\s+(?:system\s+|base\s+|kernel\s+)?page ?sizes?\b|"
                 r"\bpage ?size (?:is )?(?:larger|bigger|greater) than "
                 r"(?:4\s?[kK]\w*|4096)\b|"
                 r"\bPAGE_?SIZE\s*(?:!=|>|<>)\s*4096\b|\b65536[- ]byte pages?\b|"
                 r"\b(?:16|64)\s?[kK](?:i?B)?[- ]?(?:base[- ])?pages?\b|\b(?:16|64)\s?"
                 r"[kK](?:i?B)? page ?size\b|\bpage ?size\b[^.;]{0,30}\b(?:16|64)\s?[kK]\b|"
                 r"\bpages? (?:larger|bigger) than 4\s?[kK]\b|\brather than (?:the )?4\s?"
                 r"[kK]\b|\bnot 4\s?[kK] pages?\b|\bhuge ?page ?size\b|\bhugepage=\d+[MG]\b",
                 re.IGNORECASE)


@dataclass(frozen=True)
class Diagnosis:
    """A stated cause: what it is, the sentence (its first line) and the tests it names."""

    cause: Cause
    line: LogLine
    sentence: str
    names: tuple[str, ...] = ()
    scope: str = ""  # "skip" when the sentence explains skips only, "fail" failures only


@dataclass
class _Paragraph:
    first: LogLine
    text: str
    quoted: bool
    starts: list[tuple[int, int]] = field(default_factory=list)  # (offset, line) per line
    reason: bool = False  # under a template's "Reason" heading: its sentences state the cause

    def add(self, line: LogLine, text: str) -> None:
        self.starts.append((len(self.text) + 1, line.line))
        self.text = f"{self.text} {text}"

    def line_at(self, offset: int) -> int:
        """The line a character of the joined text came from."""
        number = self.first.line
        for start, line in self.starts:
            if start > offset:
                break
            number = line
        return number


@dataclass
class DiagnosisReader:
    """Collects prose paragraphs line by line; ``diagnosis()`` reads them at the end."""

    paragraphs: list[_Paragraph] = field(default_factory=list)
    _open: _Paragraph | None = None
    _confirmed: list[int] = field(default_factory=list)  # paragraphs that confirm a quote
    _reason: int = 0  # paragraphs left under the last "Reason" heading

    def heading(self, text: str) -> bool:
        """A markdown heading: a template's "Reason for failure:" or "Background and Reason"
        makes the paragraph under it the writer's stated cause."""
        if not HEADING.match(text):
            return False
        self.brk()
        self._reason = 3 if REASON_HEADING.match(text) is not None else 0
        return True

    def feed(self, line: LogLine, text: str, quoted: bool) -> None:
        """One prose line (quote marks and indentation stripped)."""
        text = text.strip()
        if not text or NOT_PROSE.search(text) or len(self.paragraphs) >= 400:
            self.brk()
            return
        current = self._open
        if current is not None and current.quoted == quoted and current.first.source == (
                line.source) and len(current.text) < 4000:
            current.add(line, text)
            return
        self.brk()
        self._open = _Paragraph(LogLine(line.line, text, line.source), text, quoted,
                                reason=self._reason > 0)
        self._reason = max(0, self._reason - 1)  # a "Root cause" section's next paragraphs too

    def brk(self) -> None:
        """A blank line, a log line or code: the paragraph ends."""
        if self._open is not None:
            self.paragraphs.append(self._open)
            self._open = None

    def diagnosis(self) -> Diagnosis | None:
        """The last stated diagnosis: the writer's own, or a quoted one confirmed after it."""
        self.brk()
        found: Diagnosis | None = None
        waiting: Diagnosis | None = None  # a quoted diagnosis, until the writer confirms it
        quoted: Diagnosis | None = None  # the last quoted one (a forwarded report's)
        # "works elsewhere" blames a filesystem only where the text names a shared one
        shared = any(SHARED_FS.search(p.text) for p in self.paragraphs)
        mapped = any(MAPPING.search(p.text) for p in self.paragraphs)
        elsewhere: Diagnosis | None = None
        known: Diagnosis | None = None  # a failure already known, its cause unsaid
        for paragraph in self.paragraphs:
            if not paragraph.quoted and (regressed := _regression(paragraph)) is not None:
                found, waiting = regressed, None  # later sentences may still refine it
            if not paragraph.quoted and waiting is not None:
                if DENIES.search(paragraph.text):
                    waiting = quoted = None  # the writer answers the quoted cause with "no"
                elif CONFIRMS.search(paragraph.text):
                    found, waiting = waiting, None
            for offset, sentence in _sentences(paragraph.text):
                where = LogLine(paragraph.line_at(offset), sentence, paragraph.first.source)
                stated = _placed(_diagnosis(sentence, where) or (
                    _under_reason(sentence, where) if paragraph.reason else None), shared, mapped)
                if stated is not None and stated.cause is ELSEWHERE:
                    # the weakest statement: only where the text states no cause
                    elsewhere = elsewhere or (stated if shared else None)
                    continue
                if stated is not None and stated.cause is KNOWN:
                    # the weakest statement: only where the text states no cause
                    if not paragraph.quoted and not KERNEL_FIX_NEAR.search(paragraph.text):
                        known = known or stated
                    continue
                if stated is None:
                    continue
                if paragraph.quoted:
                    waiting = quoted = stated
                else:
                    found, waiting = stated, None
        return found or quoted or elsewhere or known


def _placed(stated: Diagnosis | None, shared: bool, mapped: bool) -> Diagnosis | None:
    """A filesystem's mapping trouble, read with what the whole text names: a Windows drive's
    (or a filesystem lacking the semantics a program needs) where the text speaks of mappings,
    an mmap restriction only where it names a shared place."""
    if stated is not None and stated.cause in (ON_WINDOWS_DRIVE, LACKS_SEMANTICS) and mapped:
        return Diagnosis(LACKS_MMAP, stated.line, stated.sentence, stated.names)
    if stated is not None and stated.cause in (ELSEWHERE, SHARED_STOPPED) and shared and mapped:
        # fine off the shared place, in a text about mapping files: the share's mappings
        return Diagnosis(LACKS_MMAP, stated.line, stated.sentence, stated.names)
    if stated is not None and stated.cause is MMAP_ISSUE:
        return Diagnosis(LACKS_MMAP, stated.line, stated.sentence, stated.names) \
            if shared else None
    return stated


# A markdown heading, and one that announces the cause: a Kubernetes failing-test issue's
# "#### Reason for failure:", kata's "## Background and Reason", "### Root cause".
HEADING = lazy(r"^#{2,6}\s+\S")
REASON_HEADING = lazy(r"^#{2,6}\s+(?:\*\*)?(?:[\w ]{0,24}\band\s+)?(?:the\s+)?(?:root\s+)?"
                      r"(?:reasons?|causes?)\b(?:\s+(?:for|of)\s+(?:the\s+)?"
                      r"(?:failures?|problem|issue|bug))?\s*:?\s*(?:\*\*)?\s*$",
                      re.IGNORECASE)


def _under_reason(sentence: str, first: LogLine) -> Diagnosis | None:
    """A sentence under a "Reason" heading: the heading is its marker."""
    if QUESTION.search(sentence) or _doubtful(sentence[:1], sentence):
        return None
    cause = _cause(sentence, sentence, "")
    return Diagnosis(cause, first, sentence, _names(sentence)) if cause else None


# A regression across kernel releases told in words: "Everything used to work fine up to kernel
# 6.5. But, with kernels 6.6 to 6.8, ... is not freed" (Void Linux #49269), "works on 6.8,
# fails on 6.9", "regressed in 6.9", "since upgrading to 6.2 ... fails", "broke in v6.7".
_VERSION = (r"(?:the\s+)?(?:(?:kernels?|linux)\s+)?v?(?P<{}>[2-7]\.\d{{1,2}})(?:\.\d{{1,3}})?"
            r"(?!\.?\d)")
WORKED_ON = lazy(
    r"\b(?:work(?:s|ed|ing)?(?:\s+(?:fine|ok|well|correctly))?|used\s+to\s+work\w*|passe[sd]|"
    r"(?:was|is)\s+(?:fine|ok)|behaviou?r\s+observed)\b[^.;()\[\]]{0,40}?\b(?:on|with|in|up\s+to|"
    r"until|under|before)\s+" + _VERSION.format("good") + r"|\b(?:booting|on|with|under)\s+"
    + _VERSION.format("good2") + r"(?:\s+kernel)?,?\s+(?:it\s+|the\s+test\s+)?(?:passes|passed|"
    r"works|worked)\b", re.IGNORECASE)
BROKEN_ON = lazy(
    r"\b(?:with|on|in|since|from|after|upgrad\w+\s+to)\s+" + _VERSION.format("bad")
    # (not "show no regression", "without any failures": a run that stayed good)
    + r"(?:[^.;()\[\]]|\.\d){0,90}?(?<!used to )(?<!\bno )(?<!\bwithout )(?<!\bany )"
    r"\b(?:fail\w*|not|broken|breaks?|no\s+longer|"
    r"regress\w*|"
    r"crash\w*|hangs?)\b|"
    r"\b(?:regressed|broke|broken|fails?|failing|started\s+failing)(?:\s+(?:again|for\s+me|"
    r"for\s+us|now))?\s+(?:in|since|with|on)\s+" + _VERSION.format("bad2")
    + r"(?:\s+(?:and|or)\s+(?:later|newer|above))?",
    re.IGNORECASE)


def _release(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def _regression(paragraph: _Paragraph) -> Diagnosis | None:
    """A kernel release the paragraph says the thing worked on, and a later one it says it
    fails on (or a release it says it regressed or broke in); the paragraph must speak of the
    kernel."""
    text = paragraph.text
    if not KERNEL_WORD.search(text) or QUESTION.search(text[-2:]):
        return None
    bad = next((m for m in BROKEN_ON.finditer(text)
                if not HYPOTHETICAL.search(text, _clause_start(text, m.start()), m.start())), None)
    if bad is None:
        return None
    bad_release = _release(bad.group("bad") or bad.group("bad2"))
    good = WORKED_ON.search(text)
    if good is not None and _release(good.group("good") or good.group("good2")) >= bad_release:
        return None
    if good is None and not re.search(r"regress|broke|upgrad|since", bad.group(0), re.IGNORECASE):
        return None  # "fails on 6.9" alone names where, not a change between releases
    sentence = next((x for at, x in reversed(_sentences(text)) if at <= bad.start()), text[:300])
    where = LogLine(paragraph.line_at(bad.start()), sentence, paragraph.first.source)
    cause = Cause("kernel-fix-stated", "kernel-bug", "kernel-regression",
                  "a regression between kernel releases")
    return Diagnosis(cause, where, sentence, _names(sentence))


def _sentences(text: str) -> list[tuple[int, str]]:
    """The sentences of a paragraph, each with its offset."""
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        piece = text[start:m.start()].strip()
        if 12 <= len(piece) <= 600:
            out.append((start, piece))
        start = m.end()
    piece = text[start:].strip()
    if 12 <= len(piece) <= 600:
        out.append((start, piece))
    return out


# A test-fault statement needs no marker: "Several tests appear to assume a 4 KiB filesystem
# allocation granularity", "Original test used a hardcoded 4097-byte string assuming 4KB page
# size" - the test, then (after a few words) what it assumes.
TEST_ASSUMES = lazy(
    r"\b(?:self)?tests?(?:[ _-]?cases?)?\b(?:\s+[\w-]+){0,3}?\s+(?:(?:appears?|seems?)\s+to\s+)?"
    r"(?:assum\w*|rel(?:y|ies|ied) on|hard-?cod\w*|used a hard-?coded)\b", re.IGNORECASE)


# A test (or its runner) that ignores the temporary directory it is given and writes where it
# should not - the family of LTP's "looks like mmap3 is ignoring LTPTMP env variable" (ltp #72),
# "Looks like the test tries to create new file in test binary folder" (#87), "zoo-file created
# in root-fs (which could be read-only)" (#53), "the test opens files in $CWD", "does not honour
# $TMPDIR", "hardcodes /tmp": what ran chose the directory; a read-only or full one is the
# test's fault, not the machine's. Said of a program whatever its name, so no test noun needed.
TMP_DIR = (r"`*(?:\$?(?:LTPTMP|TMPDIR|TEST_TMPDIR|TST_TMPDIR|TMP|TEMP|XDG_RUNTIME_DIR)\b"
           r"(?:\s+env(?:ironment)?\s+var(?:iable)?)?|(?:the\s+)?(?:LTP\s+|configured\s+|given\s+)?"
           r"(?:temp(?:orary)?|tmp)\s*(?:dir(?:ectory)?|folder|path)\b)")
# how a program reads the variable: "$ENV{TMPDIR}" (Perl), "os.environ['TMPDIR']", getenv("TMPDIR")
_ENV_OF = r"(?:\$ENV\{|os\.environ\[['\"]|(?:os\.)?getenv\(['\"])?"
TMPDIR_FAULT = lazy(
    r"\bignor(?:es|ed|ing)\s+(?:the\s+)?" + TMP_DIR + r"|"
    r"\b(?:does|do|did)(?:n't|\s+not)\s+(?:use|honou?r|respect|obey|follow)\s+(?:the\s+)?"
    + TMP_DIR + r"|\bshould\s+(?:(?:it|we|this|they|the\s+(?:test|library|code))\s+(?:not\s+)?)?"
    r"(?:be\s+fixed\s+to\s+)?(?:at\s+least\s+)?(?:use|honou?r|"
    r"respect)\s+(?:the\s+)?" + TMP_DIR + r"|"
    r"\b(?:creat|open|writ|put|mak)\w*\s+(?:(?:a|an|the|its|new|temp\w*|test)\s+)*"
    r"(?:[\w.]+[- ])?files?\s+in\s+(?:the\s+)?`*(?:test(?:'s)?\s+binary|binary|current|working|"
    r"\$?CWD|root(?:[- ]?fs)?|source|build|install(?:ation)?)\b(?:\s+(?:folder|directory|"
    r"dir|fs|file ?system))?|"
    r"\b[\w-]*files?\s+(?:is\s+|are\s+|was\s+|were\s+)?(?:created|opened|written|put)\s+in\s+"
    r"(?:the\s+)?(?:root[- ]?fs|rootfs|root file ?system|\$?CWD|current directory|"
    r"working directory)\b|"
    r"\bhard[- ]?cod\w*\s+(?:the\s+)?/tmp\b|"
    # the fix said as what to use: "The `$TMPDIR` environment variable should be used instead"
    # (robovm #412), "It is better to utilise $TMPDIR" (URI #14), a fix's title "respect
    # TMPDIR in LoggerUTest" (cogutil #192), "Use $ENV{TMPDIR} if defined"
    + TMP_DIR + r"`*(?:\s+[\w-]+){0,3}?\s+should\s+be\s+(?:used|honou?red|respected)\b|"
    r"\b(?:better|best)\s+to\s+(?:use|utili[sz]e|honou?r|respect)\s+(?:the\s+)?"
    + _ENV_OF + TMP_DIR + r"|"
    r"^[#\s]*(?:use|respect|honou?r)\s+(?:the\s+)?" + _ENV_OF + TMP_DIR, re.IGNORECASE)
# The test runner, as LTP's and the kernel's are named (LTP's pan keeps its "zoo" file of
# running tests): the statement is then about the runner script.
RUNNER = lazy(r"\b(?:runltp|ltp-pan|pan\(\d+\)|zoo|run_vmtests(?:\.sh)?|"
              r"run_kselftest(?:\.sh)?|kselftest runner|runner script)", re.IGNORECASE)
DIRECTORY_RULES = ("fs-read-only", "fs-full", "out-of-space")


# A kernel option said to be needed, no marker needed: a tracker title asking for it ("Add
# support for CONFIG_MODIFY_LDT_SYSCALL", docker/for-mac #1686: Docker Desktop's VM kernel lacks
# it; "Documentation: indicate CONFIG_BPF_SYSCALL=y required in kernel config", iovisor/bcc #283),
# and the kernel said to need it ("The kernel *must* have CONFIG_BPF_SYSCALL=y set ... the
# general Arch kernel doesn't have it set"). Not a question, not negated (the clause's own doubt).
OPTION_NEEDED = lazy(
    r"^\W*(?:please\s+)?(?:add\s+support\s+for|enable|turn\s+on|(?:re)?(?:build|compile)\s+"
    r"(?:the\s+kernel\s+)?with)\s+`?CONFIG_[A-Z0-9_]+\b|"
    r"\bCONFIG_[A-Z0-9_]+(?:=[ym])?`?\s+(?:is\s+)?(?:required|needed|necessary)\b|"
    r"\b(?:kernel|it|you)\s+(?:\*?must\*?|needs?\s+to|has\s+to)\s+have\s+`?CONFIG_[A-Z0-9_]+|"
    # advice to the reporter: "you should check your kernel config and set "CONFIG_TUN=y/m""
    # (Yang Xu on LTP netns_netlink's missing /dev/net/tun, 2020), "Yes, you need to enable
    # CONFIG_ARM_IMX8M_DDRC_DEVFREQ in order to test this." (a devfreq review, 2019)
    r"\b(?:you\s+(?:should|need\s+to|must|have\s+to|will\s+need\s+to)|please)\s+"
    r"(?:[\w/-]+\s+){0,6}?(?:set|enable|select|turn\s+on)\s+[\"'`]?CONFIG_[A-Z0-9_]+\b",
    re.IGNORECASE)
OPTION_CAUSE = Cause("diagnosis-config", "config", "kernel-config-missing",
                     "a kernel option the program needs was not enabled",
                     outranks=("syscall-not-implemented",))


def _option_needed(sentence: str) -> Cause | None:
    """A kernel option named as needed (``OPTION_NEEDED``)."""
    return OPTION_CAUSE if _said(OPTION_NEEDED, sentence) else None


def _ignores_tmpdir(sentence: str) -> Cause | None:
    """A test (or runner) said to ignore its temporary directory (``TMPDIR_FAULT``)."""
    m = TMPDIR_FAULT.search(sentence)
    if m is None or _doubtful(sentence[_clause_start(sentence, m.start()):m.start()], ""):
        return None
    if RUNNER.search(sentence):
        return Cause("runner-script-bug", "test-bug", "runner-script-bug",
                     "the runner writes outside the temporary directory", DIRECTORY_RULES)
    return Cause("selftest-logic-bug", "test-bug", "selftest-logic-bug",
                 "the test ignores the temporary directory it is given", DIRECTORY_RULES)


# The failure told as absent elsewhere: "Those failures are not observed when using `virtio-blk`
# as rootfs" (rust-vmm-container #117), "Running on a regular file system works just fine"
# (bbolt #102), "this does not occur locally with ext4" (libtorrent #7475), "mounted to volume to
# another path ... and things worked great" (boltdb #272). With a shared or network filesystem
# named in the text (``SHARED_FS``), that filesystem is the difference: the environment, its
# exact limitation unsaid.
_LOCAL = (r"(?:a\s+|the\s+|my\s+|his\s+|her\s+|their\s+|our\s+)?`?(?:(?:regular|local|internal|"
          r"normal)\s+(?:hard\s+)?(?:drives?|disks?)|iSCSI|virtio-?blk|ext[234]|xfs|btrfs|local(?:ly)?|regular\s+"
          r"file ?systems?|local\s+(?:disks?|file ?systems?|storage)|block\s+devices?|raw\s+"
          r"images?|(?:home|another|other|a\s+different)\s+(?:director(?:y|ies)|path|folder)|"
          r"director(?:y|ies)\s+(?:in\s+the\s+guest\s+)?(?:that\s+(?:are|is)\s+)?not\s+"
          r"(?:shared|sync(?:h)?ed)|"
          # WSL's own filesystem against its Windows drives: "If I set $HOME inside VolFs, then
          # dconf is working ok" (microsoft/WSL #4670), "native folders", "the Linux filesystem"
          r"(?:inside\s+)?(?:VolFs|lxfs)|native\s+(?:WSL\s+|Linux\s+)?(?:folders?|director(?:y|ies)|"
          r"file ?systems?|paths?)|(?:WSL|Linux)(?:'s)?\s+(?:own\s+)?(?:file ?system|home\s+"
          r"director(?:y|ies)))\b")
_FINE = (r"(?:(?:works?|worked|running|runs?)(?:\s+just)?\s+(?:fine|well|ok(?:ay)?|great|"
         r"correctly|flawlessly|without\s+(?:issues?|problems?))|(?:solved|fixed|resolved)\s+(?:it|"
         r"the\s+(?:issue|problem))|(?:did|do)\s+the\s+trick|went\s+flawlessly)")
WORKS_ELSEWHERE = lazy(
    r"\b(?:(?:is|are|was|were)\s+not\s+(?:observed|seen|reproduced|reproducible|present)|"
    r"(?:does|do|did)(?:n't|\s+not)\s+(?:occur|happen|reproduce|fail)|never\s+(?:fails?|"
    r"happens?|occurs?)|" + _FINE + r")[^.;]{0,40}?\b(?:when|with|on|using|in|over|from|under|"
    r"targeting)\s+" + _LOCAL + r"|"
    r"\b(?:on|in|from|to|with|using|used|targeting)\s+" + _LOCAL + r"[^.;]{0,60}?\b" + _FINE
    + r"\b|"
    # the files moved off the shared place, and the trouble gone: "I moved the mjolnir directory
    # out of shared folder, the problem solved" (valhalla/mjolnir #253)
    r"\b(?:mov|cop|clon|put|plac|ran|run|build)\w*\b[^.;]{0,40}?\b(?:out\s+of|outside(?:\s+of)?|"
    r"away\s+from|off)\s+(?:the\s+|a\s+|my\s+|our\s+)?(?:\w+\s+)?(?:(?:shared|synced)\s+"
    r"(?:folders?|director(?:y|ies)|volumes?|drives?|mounts?)|vbox(?:sf|fs)|vmhgfs|9p\w*|NFS\w*|"
    r"/vagrant\b|/media/sf_\w+)[^.;]{0,30}?(?:\b" + _FINE + r"|\b(?:the\s+)?(?:problem|issue|"
    r"error)s?\s+(?:is\s+|was\s+|were\s+|are\s+)?(?:solved|fixed|resolved|gone|went\s+away|"
    r"disappeared))\b",
    re.IGNORECASE)
SHARED_FS = lazy(r"\b(?:9p\w*|v9fs|virtio-?fs|virtfs|nfs\w*|fuse|sshfs|cifs|smb|"
                       r"vbox(?:sf|fs)|"
                       # (Vagrant's word for its VirtualBox share: "a Vagrant shared/synced
                       # directory (default: /vagrant)", docker-monitoring #9)
                       r"vmhgfs|(?:shared|synced)(?:/(?:shared|synced))? (?:folders?|"
                       r"director(?:y|ies)|file ?systems?|volumes?|"
                       r"drives?|mounts?)|(?:volumes?|folders?|director(?:y|ies)) shared\b|"
                       r"media/sf_\w+|drvfs|VolFs)\b|(?<![\w/])/mnt/[a-z](?=/|\b)",
                       re.IGNORECASE)
ELSEWHERE = _env("only-on-fs", "the failure is not seen on another filesystem")
# Root and an ordinary user set side by side, the failure only the user's: "It works for root"
# after "I get "Operation not Permitted" when running it as a normal user" (shmget with
# SHM_HUGETLB, linux-kernel 2004), "If you run it as root, it allocates 1 Hugepage, if run as
# user, it fails." (the same report's follow-up): the user's privileges, not the kernel.
_USER = (r"(?:an?\s+)?(?:normal\s+|regular\s+|ordinary\s+|non-?root\s+|unprivileged\s+)?"
         r"user\b")
ROOT_ONLY = lazy(
    r"\b(?:works?|worked|runs?|passe[sd]|succeed(?:s|ed)?)(?:\s+(?:just\s+)?(?:fine|ok(?:ay)?|"
    r"well))?\s+(?:for|as|under|with)\s+root\b|"
    r"\bas\s+root\b[^.;]{0,60}?\bas\s+" + _USER + r"[^.;]{0,20}?\bfail|"
    r"\bfail(?:s|ed|ing)?\b[^.;]{0,40}?\b(?:as|for)\s+(?:an?\s+)?(?:normal|regular|ordinary|"
    r"non-?root|unprivileged)\s+user\b[^.;]{0,40}?\broot\b",
    re.IGNORECASE)
ROOT_ONLY_CAUSE = _env("not-root", "it works as root and fails as an ordinary user")
# A CI owner's word that the failures are the CI's own, needing no marker: "This is an
# infrastructure problem with restraint harness", "they are an infra issue" (CKI's replies,
# 2020). (A CKI report's own "This is not the fault of the kernel that was tested" is about one
# host's aborted tests only: readers/cki_report.py reads it there.)
CI_OWN_FAULT = lazy(
    r"\b(?:this|that|it|these|those|they|the (?:failures?|errors?|aborts?))\s+(?:is|are|was|"
    r"were)\s+(?:(?:an?|the|our|a known)\s+)?(?:internal\s+)?(?:CI\s+|lab\s+|test\s+)?"
    r"(?:infrastructure|infra)\s+(?:problem|issue|bug|failure|outage)s?\b", re.IGNORECASE)
# The same after a causal marker: "they are caused by an infrastructure bug related to our test
# harness being too chatty" (the harness named after it is the CI's, not the selftest's).
CI_SIDE = lazy(r"\s*(?:(?:an?|the|our|a known)\s+)?(?:internal\s+)?(?:CI\s+|lab\s+)?"
               r"(?:infrastructure|infra)\s+(?:problem|issue|bug|failure|outage)s?\b",
               re.IGNORECASE)
CI_INFRASTRUCTURE = Cause("diagnosis-env", "env", "ci-infrastructure-abort",
                          "the CI's own infrastructure")


# A filesystem said to lack mappings, no causal marker needed (the sentence is about the place):
# "Shared folders use special VirtualBox filesystem, which doesn't support mmap" (gperftools
# #533), "they only support read-only mmap on DVS" (py-lmdb #100), "GPFS does not support the
# MAP_SHARED flag".
FS_LACKS_MMAP = lazy(
    r"\b(?:file ?systems?|fs|shares?|shared folders?|mounts?|FUSE|9p\w*|virtio-?fs|NFS\w*|"
    r"vbox(?:sf|fs)|vmhgfs|GPFS|DVS|jffs2)\b[^.;]{0,60}?\b(?:does(?:n't| not)|do(?:n't| not)|"
    r"cannot|"
    r"can't|can not)\s+(?:fully\s+)?(?:support|provide|handle|allow)\s+(?:the\s+)?(?:writ\w+\s+)?"
    r"(?:shared\s+)?(?:mmap|MAP_SHARED|memory[- ]mapp\w+)\b|"
    # ... or to refuse them: "VirtualBox shared folders have been observed to refuse writable
    # mmaps" (capnproto #635)
    r"\b(?:file ?systems?|fs|shares?|shared folders?|FUSE|9p\w*|virtio-?fs|NFS\w*|vbox(?:sf|fs)|"
    r"vmhgfs)\b[^.;]{0,40}?\b(?:refuses?|refused|rejects?|rejected)\s+(?:the\s+)?(?:writ\w+\s+)?"
    r"(?:shared\s+)?(?:mmaps?|MAP_SHARED|(?:shared\s+)?mappings?)\b|"
    r"\bonly\s+(?:supports?|provides?|allows?)\s+read-?only\s+(?:mmaps?|mappings?)\b",
    re.IGNORECASE)


def _said(pattern: re.Pattern[str], sentence: str) -> bool:
    """The pattern is in the sentence, and its clause does not suppose or negate it."""
    m = pattern.search(sentence)
    return m is not None and not _doubtful(
        sentence[_clause_start(sentence, m.start()):m.start()], "")


# An emulator too old for what the test uses: "These tests rely on MADV_DONTNEED working which
# I think only very recent versions of QEMU implement" (wasmtime #6263), "qemu-user doesn't
# support MADV_DONTNEED", "not implemented in older QEMU", "needs a newer qemu". The
# environment, whatever the test relies on (read before the test's "relies on").
# (WSL 1 translates Linux system calls in its LxCore driver: a layer, not a kernel - "WSL1 does
# not use a real Linux kernel", microsoft/WSL #6792; "it is a WSL1 limitation")
# (library OSes and other layers that answer a program's system calls in place of Linux: Gramine
# (Graphene), Occlum, Mystikos, SGX-LKL in an SGX enclave, a unikernel, elfuse, FreeBSD's
# linuxulator, Darling; rr, which records a program's calls and refuses those it cannot)
EMULATOR = (r"(?:QEMU|qemu(?:-[\w-]+)?|user[- ]mode emulation|(?:CPU |user[- ]mode )?emulator|"
            r"hypervisor|gVisor|runsc|valgrind|box(?:64|86)|FEX(?:-Emu)?|Rosetta|WSL\s?1|"
            r"LxCore|(?-i:iSH)|(?:syscall|system call) translation layer|"
            r"Gramine(?:-SGX|-direct)?|Graphene(?:-SGX)?|Occlum|Mystikos|SGX-LKL|library\s+OS|"
            r"lib\s?OS|unikernel|elfuse|(?-i:rr)|linuxulator|Linux\s+(?:binary\s+)?(?:emulation|"
            r"compatibility)\s+layer|Darling)")
EMULATOR_TOO_OLD = lazy(
    r"\b(?:only|just)\s+(?:very\s+|more\s+|the\s+)?(?:recent|new(?:er)?|latest)\s+"
    r"(?:versions?\s+(?:of\s+)?)?" + EMULATOR + r"\b[^.;]{0,40}\b(?:implement|support|handle)|"
    # (the version unsaid: "Syscall 352 is getrandom(), and it is not implemented by qemu",
    # qemu-m68k #4, 2016 - the emulator lacks the call, whichever version)
    r"\b(?:not|never)\s+(?:yet\s+)?(?:implemented|supported|emulated|handled)\s+(?:in|by)\s+"
    r"(?:the\s+)?(?:(?:old(?:er)?|earlier|this version of|older versions? of)\s+)?" + EMULATOR
    + r"\b|"
    # (a few words between: "the version of qemu in Ubuntu 16.04 does not support `getrandom`",
    # "qemu which does not support getrandom", Mbed-TLS #1212, 2017)
    r"\b" + EMULATOR + r"(?:'s)?(?:\s+[\w.()/-]+){0,4}?\s+(?:does(?:n't| not)|do(?:n't| not)|"
    r"can(?:'t|not))\s+(?:yet\s+)?(?:support|implement|emulate|handle)\b|"
    r"\b" + EMULATOR + r"(?:\s+(?:version\s+)?v?\d+(?:\.\d+)+)?\s+(?:is|was)\s+too\s+old\b|"
    r"\btoo\s+old\s+(?:a\s+|an\s+)?" + EMULATOR + r"\b|"
    r"\b(?:needs?|requires?)\s+(?:a\s+)?(?:newer|more recent|recent)\s+(?:version\s+of\s+)?"
    + EMULATOR + r"\b|"
    r"\bolder\s+" + EMULATOR + r"(?:\s+versions?)?\s+(?:does(?:n't| not)|do(?:n't| not)|"
    r"lacks?)\b|"
    # the layer's own limit, named so: "this is a WSL1 limitation", "a known gVisor limitation",
    # "a limitation of qemu-user" (plain "WSL" too: "this is a WSL limitation"); and what it is
    # not: "WSL1 does not use a real Linux kernel"
    r"\b(?:" + EMULATOR + r"|WSL)(?:'s)?\s+(?:limitations?|restrictions?|shortcomings?)\b|"
    r"\b(?:limitations?|restrictions?)\s+(?:of|in|with)\s+(?:the\s+)?(?:" + EMULATOR + r"|WSL)\b|"
    # ... said as where it is unsupported or as what fixes it: "Not supported on WSL1", "This is
    # expected on WSL1, please use WSL2", "Better in WSL2", "fixed in WSL 2", "switch to WSL2"
    r"\b(?:not|un)\s*(?:supported|implemented|available)\s+(?:on|in|under|by)\s+(?:the\s+)?"
    + EMULATOR + r"\b|\b(?:expected|known)\s+(?:on|in|under|with)\s+" + EMULATOR + r"\b|"
    r"\b(?:better|works?|fixed|resolved|supported)\s+(?:in|on|with|under)\s+WSL\s?2\b|"
    r"\b(?:please|should|could|can|need\s+to|have\s+to|try(?:\s+to)?|just)\s+(?:\w+\s+)?(?:use|"
    r"switch\s+to|upgrade\s+to|convert\w*\s+(?:\w+\s+){0,3}to|move\s+to)\s+WSL\s?2\b|"
    r"\b(?:use|switch\s+to)\s+WSL\s?2\s+instead\b|"
    r"\b" + EMULATOR + r"\s+(?:does(?:n't| not) (?:use|run|have)|is\s+not|isn't)\s+(?:a\s+)?"
    r"real\s+(?:Linux\s+)?kernel\b|"
    r"\b" + EMULATOR + r"(?:'s)?(?:\s+[\w.()/-]+){0,4}?\s+(?:does(?:n't| not)|do(?:n't| not)|"
    r"can(?:'t|not))\s+(?:yet\s+)?(?:translate|implement)\b|"
    # a newer build of the layer does not fail: "The `mmap` [does not](...) fail with `EINVAL`,
    # as of WSL1 18890" (microsoft/WSL #4873), "fixed in qemu 7.2", "works as of gVisor
    # release-20230605"
    r"\b(?:does(?:n't| not)|no\s+longer)\]?(?:\([^)\s]*\))?\s+(?:fail|crash|happen|occur|"
    r"break)\w*\b[^.;]{0,60}?\b(?:as\s+of|since|starting\s+(?:with|from)|from|in|with)\s+"
    r"(?:build\s+)?" + EMULATOR + r"(?:\s+(?:build|version|release))?[\s-]+v?\d|"
    r"\b(?:fixed|resolved|works?|implemented|supported)\s+(?:as\s+of|since|in|with|starting\s+"
    r"(?:with|from))\s+(?:build\s+)?" + EMULATOR + r"(?:\s+(?:build|version|release))?[\s-]+v?\d|"
    # the layer's own semantics, told as wrong against Linux's: "When running x86_64 binaries via
    # Rosetta 2 (VZ) on Linux, the `mmap` syscall exhibits non-atomic destructive behavior"
    # (colima #1452), "under gVisor mmap behaves differently than on Linux"
    # ... or as the Windows kernel's under WSL 1: "This is a known issue where NT has different
    # semantics around mapping a file of size 0" (the WSL team on microsoft/WSL #658, 2016) - a
    # known issue of the layer, not a known failure of the test
    r"\b(?:(?-i:NT)|Windows|WSL\s?1?)(?:'s)?\s+(?:kernel\s+)?(?:has|uses|follows|with)\s+"
    r"(?:\w+\s+){0,2}?different\s+semantics\b|"
    # "both rely on functionality that the Windows kernel does not support" (the WSL team on
    # microsoft/WSL #3451, mmap of a zero-length file, 2018)
    r"\b(?:(?-i:NT)|the\s+Windows)\s+kernel\s+(?:does(?:n't| not)|can(?:'t|not))\s+(?:support|"
    r"implement|allow)\b|"
    r"\b(?:via|under|in|with|through|inside|on)\s+(?:the\s+)?" + EMULATOR + r"\b[^.;]{0,120}?\b(?:"
    r"(?:abnormal|wrong|incorrect|broken|non-atomic|destructive|inconsistent|buggy)\s+(?:[\w-]+\s+)?"
    r"(?:behaviou?r|semantics)|behaves\s+(?:differently|wrongly|incorrectly))\b|"
    # the layer the only place it fails: "The following fails with runsc but succeeds w/
    # crun/runc as well as on the host" (google/gvisor #11143), "`bash` from the pack works with
    # `runc` and only fails with `runsc`" (#10849), "works natively but fails under qemu-user"
    r"\bfail\w*\s+(?:with|under|in|on|using|inside|through)\s+(?:the\s+)?`?" + EMULATOR
    + r"\b[^.;]{0,30}?\b(?:but|while|whereas|yet)\s+(?:it\s+)?(?:succeed|work|pass|run)\w*\b|"
    r"\b(?:succeed|work|pass|run)\w*\b[^.;]{0,60}?\b(?:but|while|whereas|yet|and)\s+(?:it\s+)?"
    r"(?:only\s+)?fail\w*"
    r"\s+(?:with|under|in|on|using|inside|through)\s+(?:the\s+)?`?" + EMULATOR + r"\b|"
    # ... or against the native machine's, the layer unnamed in the sentence: "the syscall
    # `__NR_execveat`'s behavior doesnt match a x86_64 native machine" (FEX-Emu #5234)
    r"\bbehaviou?r\s+(?:does(?:n'?t|\s+not)\s+match|differs\s+from|is\s+different\s+(?:from|than))"
    r"\s+(?:that\s+of\s+)?(?:an?\s+|the\s+)?(?:x86[_-]64\s+|aarch64\s+|arm64\s+)?(?:native|real\s+"
    r"(?:hardware|Linux|machine)|bare[- ]metal)\b|"
    # the emulator's own bug, named as the answer: "Your qemu is buggy, 6.2 has a known issue
    # which has subsequently been fixed." (Mark Brown on LKFT's arm64 MTE failures under QEMU
    # 7.2, 2023), "This is a bug in qemu-user and already fixed there on master." (nolibc's
    # mmap_munmap_good under qemu-loongarch64 8.1.2, 2023), "a known QEMU bug"
    r"\b(?:your|the|this|that|our)\s+" + EMULATOR
    + r"(?:\s+(?:version|build|binary|v?\d+(?:\.\d+)+))?\s+(?:is|was)\s+"
    r"(?:(?:just|simply|clearly|still)\s+)?(?:buggy|broken)\b|"
    r"\b(?:it|this|that)(?:'s|\s+is|\s+was)\s+(?:(?:just|simply|clearly)\s+)?(?:a|an)\s+(?:known\s+)?"
    r"(?:bug|issue|problem)\s+in\s+(?:the\s+)?(?:old(?:er)?\s+)?" + EMULATOR + r"\b|"
    r"\b(?:it|this|that)(?:'s|\s+is|\s+was)\s+(?:(?:just|simply|clearly)\s+)?(?:a|an)\s+(?:known\s+)?"
    + EMULATOR + r"\s+(?:bug|issue|problem)\b|"
    # ... or as where the problem lies: "The problem is actually in qemu-user-static that is used
    # to execute ..." (docker/for-mac #6409), "the issue is with gVisor"
    r"\b(?:the\s+)?(?:problem|issue|bug|fault|culprit)\s+(?:here\s+)?(?:is|was|lies)\s+"
    r"(?:(?:actually|really|probably|likely|clearly)\s+)?(?:in|with|inside)\s+(?:the\s+)?`?"
    + EMULATOR + r"\b|"
    # the layer's own support told as partial, a stub or missing: "Gramine' support for
    # `madvise(..., MADV_DONTNEED)` is only partially implemented" (gramine #1469), "gVisor's
    # implementation of mremap is incomplete", "Occlum only partially supports MAP_SHARED",
    # "madvise is stubbed out in the unikernel", "elfuse currently reports the syscall as
    # unimplemented" (sysprog21/elfuse #213)
    r"\b" + EMULATOR + r"(?:'s|'|\u2019s?)?\s+(?:own\s+)?(?:support|implementation|emulation|"
    r"handling)\s+(?:of|for)\b(?:`[^`]{0,60}`|[^.;`]){0,80}?\b(?:is|are|was|were)\s+(?:still\s+|currently\s+)?"
    r"(?:only\s+)?(?:partial(?:ly\s+(?:implemented|supported))?|incomplete|limited|missing|"
    r"(?:a\s+)?stub(?:bed)?(?:\s+out)?|not\s+(?:yet\s+)?(?:implemented|supported|complete))\b|"
    # ... or the layer's whole emulation: "Qemu's syscall emulation is simply not complete"
    # (systemd #31219, systemd-nspawn under qemu-user-static)
    r"\b" + EMULATOR + r"(?:'s|'|\u2019s?)\s+(?:[\w-]+\s+){0,3}?(?:emulation|support|"
    r"implementation)\s+(?:is|was)\s+(?:simply\s+|just\s+|still\s+)?(?:not\s+(?:yet\s+)?"
    r"(?:complete|finished)|incomplete|partial)\b|"
    r"\b" + EMULATOR + r"\s+(?:currently\s+|still\s+)?(?:only\s+)?(?:partially|partly)\s+"
    r"(?:implements|supports|emulates|handles)\b|"
    r"\b(?:only\s+)?(?:partially|partly)\s+(?:implemented|supported|emulated)\s+(?:in|by|on|"
    r"under)\s+(?:the\s+)?" + EMULATOR + r"\b|"
    r"\b(?:stubbed(?:\s+out)?|(?:just\s+)?a\s+stub|a\s+no-?op)\s+(?:in|by|on|under)\s+(?:the\s+)?"
    + EMULATOR + r"\b|"
    r"\b" + EMULATOR + r"\s+(?:currently\s+|still\s+|just\s+)?(?:reports?|treats?|marks?|"
    r"lists?|flags?)\s+(?:the|this|that|it|every|any)\s+(?:(?:sys)?call|system\s+call|flag|"
    r"operation|request)?\s*as\s+(?:unimplemented|unsupported|not\s+(?:implemented|supported))"
    r"\b|"
    # the failure sent to the emulator's tracker: "please report a bug against qemu instead of
    # systemd" (systemd #31219), "I think it should probably be reported to qemu" (Docker on an
    # amd64 image under emulation on Apple silicon, docker/for-mac #6106)
    r"\b(?:report|file|open|raise|send)\s+(?:(?:a|an|the|this|it|that)\s+)?(?:(?:bug|issue)\s+)?"
    r"(?:against|to|with|upstream\s+(?:at|to|with))\s+(?:the\s+)?`?" + EMULATOR + r"\b|"
    r"\b(?:should|must|needs?\s+to|has\s+to|could|can)\s+(?:probably\s+|really\s+)?be\s+"
    r"(?:reported|filed|raised|fixed|addressed)\s+(?:against|to|with|in|upstream\s+(?:at|to|"
    r"with|in))\s+(?:the\s+)?`?" + EMULATOR + r"\b|"
    # the layer's maintainers, of their own layer named in the sentence: "In gVisor we don't
    # implement MAP_SYNC", "we do not support shmget in Occlum yet"
    r"\b(?:in|under|on|for)\s+(?:the\s+)?" + EMULATOR + r"\b[^.;]{0,40}?\bwe\s+(?:don't|do\s+"
    r"not|haven't|have\s+not|can't|cannot)\s+(?:yet\s+)?(?:implement|support|emulate|handle)|"
    r"\bwe\s+(?:don't|do\s+not|haven't|have\s+not)\s+(?:yet\s+)?(?:implement|support|emulate)"
    r"(?:ed)?\b[^.;]{0,60}?\b(?:in|by|under)\s+(?:the\s+)?" + EMULATOR + r"\b",
    re.IGNORECASE)
# (the emulator's own answer can look like another cause - EROFS opening a /proc file qemu-user
# emulates, ENOSYS for a call the layer lacks, a kernel interface it does not provide: the
# statement explains that evidence, and those rules give way to it)
EMULATOR_OLD = Cause("diagnosis-env", "env", "emulator-too-old",
                     "an emulator or hypervisor too old for what the test uses",
                     outranks=("fs-read-only", "syscall-not-implemented", "madvise-enosys",
                               "kernel-feature-missing"))


# A selftests directory the tree renamed under a runner that still names the old one: "Kselftest
# vm test suite has been renamed to mm. But we didn't get any failure in kernelci results"
# (kernelci-core #1787), "selftests/vm was renamed to selftests/mm" (6.3, baa489fabd01). The
# runner's configuration (rule selftest-dir-missing), stated without make's own error.
SUITE_RENAMED = lazy(
    r"\b(?:k?selftests?|tests?)\b(?:[\s/]+[\w-]+){0,3}?\s+(?:(?:test\s+)?suite\s+|"
    r"director(?:y|ies)\s+|dir\s+|folder\s+|targets?\s+)?(?:has\s+been|have\s+been|had\s+"
    r"been|was|were|got|is|are)\s+(?:now\s+)?(?:renamed|moved)\s+(?:to|into)\b", re.IGNORECASE)
RENAMED = Cause("selftest-dir-renamed-stated", "test-bug", "selftest-dir-missing",
                "the runner names a selftests directory the tree renamed")


# The machine told as short of memory, no causal marker needed: "we are running the tests on a
# system with too little memory (512MB)" (Yocto's LTP runs, 2020), "not enough memory on that
# board", "the machine only has 4GB memory".
MACHINE = (r"(?:system|machine|board|VM|guest|box|host|device|target|instance|container|"
           r"qemu|emulator|runner)s?")
SHORT_OF_MEMORY = lazy(
    r"\bon\s+(?:a|an|the|this|that|our|your|such\s+a)\s+(?:[\w-]+\s+)?" + MACHINE + r"\s+"
    r"(?:with|that\s+has|which\s+has)\s+(?:only\s+)?(?:too\s+little|not\s+enough|insufficient)"
    r"\s+(?:free\s+)?(?:RAM|memory)\b|"
    r"\b(?:too\s+little|not\s+enough|insufficient)\s+(?:free\s+)?(?:RAM|memory)\s+(?:on|in|for)"
    r"\s+(?:a|an|the|this|that|our|your|such\s+a)\s+(?:[\w-]+\s+)?" + MACHINE + r"\b|"
    r"\b(?:the\s+)?" + MACHINE + r"\s+(?:only\s+)?(?:has|had)\s+(?:only\s+)?(?:too\s+little|"
    r"not\s+enough|insufficient)\s+(?:free\s+)?(?:RAM|memory)\b|"
    # "the s390x machine currently only has 4GB memory" (dotnet/runtimelab #892), "a Raspberry
    # PI 2, which has only 1G of memory available" (openjdk #2507): "only" makes it a shortage
    r"\b(?:only\s+(?:has|had|have)|(?:has|had|have|with)\s+only)\s+\d+(?:\.\d+)?\s*[MGT]i?B?"
    r"\s+(?:of\s+)?(?:memory|RAM)\b|"
    # the memory each of the test's processes is left, said too low: "that leaves us about 125kB
    # per process (aprox: 8 * 1024 * 1024 / 64000) which is likely too low" (Cyril Hrubis on
    # LTP msgstress03 forking 64000 children on an 8GB machine, 2021)
    r"\b\d+(?:\.\d+)?\s*[kKMG]i?B\s+(?:of\s+(?:memory|RAM)\s+)?per\s+(?:process|task|child|"
    r"thread|worker)\b[^.]{0,80}?\b(?:is|are|was|were)\s+(?:\w+\s+)?too\s+(?:low|little|small)\b",
    re.IGNORECASE)
MEMORY_SHORT = _env("memory-short", "too little memory for the test")
# The setup named as the fault, in a verdict rather than a causal sentence: "That's more of the
# system problem than anything else" (Cyril Hrubis on ksm03, LTP 2020), "this is a problem with
# your setup", "the machine was misconfigured", "it's an environment issue". Said of the
# machine, not of the kernel (a sentence that names the kernel is left alone).
SETUP_VERDICT = lazy(
    r"\b(?:this|that|it|which)\s*(?:is|was|'s)\s+(?:(?:more|rather|mostly)\s+(?:of\s+)?|just\s+|"
    r"simply\s+|clearly\s+)?(?:a|an|the)\s+(?:(?:local|pure|simple)\s+)?(?:system|setup|"
    r"set-up|environment(?:al)?|configuration|machine|board|installation|distro|deployment|"
    r"host|userspace|user-space)\s+(?:problem|issue|bug|fault|misconfiguration)\b|"
    r"\b(?:problem|issue|bug|fault)\s+(?:with|in|of)\s+(?:your|the|this|that)\s+(?:local\s+)?"
    r"(?:setup|set-up|environment|configuration|machine|board|installation)\b|"
    r"\b(?:your|the|this|that)\s+(?:setup|system|environment|machine|board|installation)\s+"
    r"(?:is|was)\s+(?:misconfigured|broken|wrong|not set up (?:correctly|properly)|not "
    r"(?:properly|correctly) configured)\b|\bmisconfigured\s+(?:system|machine|setup|"
    r"environment|board)\b", re.IGNORECASE)
SETUP_FAULT = _env("setup-at-fault", "the machine's own setup")
# The C library the tests run with named as the fault: "I think it is a known bug of glibc
# rather than a bug of test case" (LTP pwritev201 on 4.4: glibc before 2.28 emulated pwritev2
# with pwritev, 2019), "this is a glibc bug", "a bug in musl", "a known uClibc issue". The
# machine's userspace, not the kernel under test (a sentence that names the kernel is left alone).
_LIBC = (r"(?:glibc|eglibc|musl(?:\s+libc)?|uclibc(?:-ng)?|bionic|newlib|libc|(?:the\s+)?(?:C|"
         r"system)\s+library)")
LIBC_BUG = lazy(
    r"\b(?:a|an|the)\s+(?:known\s+)?(?:bug|issue|problem|regression)s?\s+(?:of|in|with)\s+"
    r"(?:the\s+)?(?:installed\s+|old(?:er)?\s+)?" + _LIBC + r"\b|"
    r"\b(?:a|an|the)\s+(?:known\s+)?" + _LIBC + r"(?:'s)?\s+(?:bug|issue|problem|regression)\b",
    re.IGNORECASE)
LIBC_FAULT = _env("setup-at-fault", "a bug of the C library the tests run with")
KERNEL_NAMED = lazy(r"\bkernel\b", re.IGNORECASE)
CLAUSE_END = lazy(r"[,.;:!?]")


def _kernel_in_clause(pattern: re.Pattern[str], sentence: str) -> bool:
    """The kernel is named in the clause of the pattern's match ("a kernel setup problem"),
    not in another clause ("..., kernel itself does not mount cgroups anywhere")."""
    m = pattern.search(sentence)
    if m is None:
        return False
    end = CLAUSE_END.search(sentence, m.end())
    return KERNEL_NAMED.search(sentence, _clause_start(sentence, m.start()),
                               end.start() if end else len(sentence)) is not None


# A filesystem (or share, mount, volume) said to lack another operation, no marker needed:
# "That's the \"your fs doesn't do fs-verity\" thing" (composefs-rs #7), "copying xattrs where
# the target FS doesn't support them" (xcp #26), "Lack of support in 9pfs for fallocate()"
# (kata #687), "the share does not support hard links", "O_TMPFILE is not supported on NFS".
# The operation named decides the rule (fallocate, O_DIRECT, O_TMPFILE); any other is the
# filesystem's unsupported operation. Mappings are ``FS_LACKS_MMAP``'s (read first).
_FS_NOUN = (r"(?:file ?systems?|fs|shares?|shared (?:folders?|director(?:y|ies)|volumes?)|"
            r"mounts?|volumes?|FUSE|9p\w*|v9fs|virtio-?fs|NFS\w*|cifs|smb\w*|samba|sshfs|"
            r"vbox(?:sf|fs)|vmhgfs|drvfs|osxfs|grpc[- ]?fuse|gvfs|rclone|mergerfs|s3fs|exfat|vfat|"
            r"fat32|ntfs\w*|zfs|"
            r"overlay(?:fs)?|tmpfs)")
FS_LACKS_OP = lazy(
    r"\b" + _FS_NOUN + r"\b[^.;]{0,40}?\b(?:does(?:n't| not)|do(?:n't| not)|cannot|can'?t|"
    r"can not|won't|will not)\s+(?:(?:yet|fully|properly|even)\s+)?(?:support|do|implement|"
    r"handle|allow|provide|have|create|make|store|hold)\s+"
    r"(?!(?:any|a|an|the)\s+(?:problem|issue|error)s?\b)"
    r"(?P<op>[\w\"'`(). -]{2,40})|"
    r"\b(?P<op2>[\w()`-]{3,30})\s+(?:is|are)\s+(?:not|un)\s*(?:supported|implemented|"
    r"available)\s+(?:on|by|in|for|with)\s+(?:the\s+|this\s+|a\s+|an\s+)?(?:\w+\s+)?"
    + _FS_NOUN + r"\b|"
    r"\black(?:s|ing)?\s+(?:of\s+)?support\s+(?:in|on|by)\s+(?:the\s+)?" + _FS_NOUN
    + r"\b(?:\s+for\s+(?P<op3>[\w()`-]{3,30}))?",
    re.IGNORECASE)
FS_OP_RULES = ((lazy(r"fallocat|prealloc", re.IGNORECASE), "fs-no-fallocate",
                "the filesystem has no fallocate"),
               (lazy(r"O_DIRECT|direct ?I/?O", re.IGNORECASE), "fs-no-direct-io",
                "the filesystem has no direct I/O"),
               (lazy(r"O_TMPFILE|tmpfile", re.IGNORECASE), "fs-no-tmpfile",
                "the filesystem has no unnamed temporary files"))


# A program said not to work on a shared place because of mmap, no marker needed: "etcd now
# does not work for shared volume among vm and its host due to mmap issue" (etcd #5923, its
# maintainer): the place lacks shared mappings. Without mmap in the sentence it is the symptom
# ("does not work on NFS"), not a cause.
_SHARED_PLACE = (r"(?:shared\s+(?:volumes?|folders?|director(?:y|ies)|drives?|file ?systems?|"
                 r"mounts?)|network\s+(?:shares?|drives?|file ?systems?|mounts?)|(?:volumes?|"
                 r"folders?|director(?:y|ies))\s+shared\s+(?:between|with|from|among)\b|"
                 r"host[- ]mounted\s+(?:volumes?|folders?|director(?:y|ies))|9p\w*|virtio-?fs|"
                 r"virtfs|NFS\w*|cifs|smb\w*|sshfs|vbox(?:sf|fs)|vmhgfs|" + WINDOWS_DRIVE + r")")
FAILS_ON_SHARED = lazy(
    r"\b(?:does(?:n't| not)|do(?:n't| not)|did(?:n't| not)|cannot|can't|can not|won't)\s+"
    r"(?:\w+\s+)?(?:work|run|start|open)\b[^.;]{0,20}?\b(?:for|on|with|in|from|over|under|"
    r"inside)\s+(?:a\s+|the\s+|any\s+)?" + _SHARED_PLACE + r"(?![\w-])|"
    r"\b(?:fails?|breaks?)\s+(?:for|on|with|in|from|over)\s+(?:a\s+|the\s+|any\s+)?"
    + _SHARED_PLACE + r"(?![\w-])|"
    # the place it works, then the shared one it does not: "mmap on WSL only works in native
    # folders not on the /mnt/" (ggllm.cpp #13), "works only on the Linux side, not on /mnt/c"
    r"\b(?:only\s+works?|works?\s+only)\b[^.;]{0,50}?,?\s+(?:but\s+|and\s+)?not\s+(?:on|in|from|"
    r"with|over|under|inside|when\s+(?:on|in))\s+(?:a\s+|the\s+|any\s+)?" + _SHARED_PLACE
    + r"(?![\w-])", re.IGNORECASE)
# ... said as a verdict on the place, not a symptom: "it appears LMDB is a no-go on NFS"
# (pantsbuild #14599), "LMDB is unsafe on remote filesystems" (monero #5260, LMDB's author).
# ("fanotify01 test fails on nfsv3" is the symptom a report opens with: no cause without mmap.)
NO_GO_ON_SHARED = lazy(
    r"\b(?:is|are)\s+(?:a\s+no-?go|unsafe|unusable|not\s+usable|(?:officially\s+)?unsupported)\s+"
    r"(?:on|with|over|for|from)\s+(?:a\s+|the\s+|any\s+)?(?:remote\s+file ?systems?|"
    + _SHARED_PLACE + r")(?![\w-])", re.IGNORECASE)
ON_SHARED = _env("only-on-fs", "the program does not work on a shared filesystem")
# ... said as what the shared place stops, or when the file is on it: "build: VirtualBox shared
# folders and NFS shares prevent LLD linking", "We cannot link when the output file is located
# on a shared filesystem." (osquery #3414, its maintainer); in a text that speaks of mapping the
# file ("there is required `mmap` with `MAP_SHARED`"), the share's mappings.
SHARED_STOPS = lazy(
    r"\b" + _SHARED_PLACE + r"(?:\s+(?:and|or)\s+(?:\w+\s+)?" + _SHARED_PLACE + r")?\s+"
    r"(?:prevents?|breaks?|blocks?)\s+(?!(?:the\s+)?(?:data\s+)?(?:loss|corruption)\b)\w+|"
    r"\b(?:cannot|can't|can\s+not|unable\s+to|fails?\s+to)\s+\w+\s+(?:\w+\s+)?(?:when|if|while)\s+"
    r"(?:the\s+|a\s+|its\s+)?(?:[\w-]+\s+){0,3}(?:is|are)\s+(?:located\s+|placed\s+|stored\s+|"
    r"kept\s+)?(?:on|in)\s+(?:a\s+|the\s+|any\s+)?" + _SHARED_PLACE + r"(?![\w-])", re.IGNORECASE)
SHARED_STOPPED = _env("only-on-fs", "the program fails when its files are on a shared filesystem")
# A filesystem said to lack the semantics the program needs, or only to pretend to have them:
# "VirtualBox's shared filesystem performs some conversion between the posixy semantics it
# pretends to have and the ones it uses for the real Windows filesystem" (libgit2 #3845), 'this
# "filesystem" lacks some semantics needed by libgit2 client' (nodegit #1115, a VirtualBox
# shared folder). In a text that speaks of mapping the file, the mappings are what it lacks.
FS_LACKS_SEMANTICS = lazy(
    r"\b" + _FS_NOUN + r"\b\"?[^.;]{0,80}?(?:\b(?:lacks?|lacking|is\s+missing|does(?:n't|\s+not)\s+"
    r"(?:have|provide|support|implement)|(?:only\s+)?(?:pretends?\s+to\s+have|emulates?))\s+"
    r"(?:some\s+|the\s+|full\s+|proper\s+|all\s+)?(?:of\s+the\s+)?(?:(?:POSIX\w*|posixy|Unix|"
    r"Linux)\s+)?semantics\b|\bsemantics\s+(?:it|they)\s+(?:only\s+)?pretends?\s+to\s+(?:have|"
    r"provide|support)\b)", re.IGNORECASE)
LACKS_SEMANTICS = _env("fs-unsupported-operation",
                       "the filesystem lacks semantics the program needs")
# mmap named as the restriction: "This is a mmap issue (restriction)" (etcd #5923) - the
# place's lack of mappings where the text names a shared place (``SHARED_FS``), else nothing.
MMAP_RESTRICTION = lazy(r"\bmmap(?:\(\))?\s+(?:issue|restriction|limitation|problem)\b|"
                        r"\b(?:restriction|limitation)s?\s+(?:of|on|with)\s+mmap\b",
                        re.IGNORECASE)
MMAP_ISSUE = _env("fs-no-shared-mmap", "mmap named as the restriction")
# a text that speaks of mapping a file: the shared place it blames lacks mappings
MAPPING = lazy(r"\bmmap\w*|\bMAP_(?:FAILED|SHARED)\b|\bmemory[- ]map", re.IGNORECASE)


# A man page's errors list quoted in a report ("EINVAL The filesystem does not support the
# O_DIRECT flag.", open(2)) documents an errno; and "likely"/"probably" before the words is the
# writer's guess, asked back in the same breath ("Likely means that the underlying FS doesn't
# support direct IO ... what filing system is /tmp on?", directio): neither states the cause.
MAN_PAGE_ERRNO = lazy(r"^\s*E[A-Z0-9]{2,}\s+[A-Z]")
GUESS = lazy(r"\b(?:likely|probably|presumably|guess|suspect)\b", re.IGNORECASE)


# The filesystem's limit, named so: "Yes, this is a limitation of 9p I'm afraid" (kata-containers
# runtime #687, no fallocate), "a known NFS limitation", "a vboxsf restriction": the place, its
# operation said elsewhere (mmap named in the sentence: its mappings).
FS_LIMITATION = lazy(
    r"\b(?:limitations?|restrictions?|shortcomings?)\s+(?:of|in|with)\s+(?:the\s+)?(?:[\w-]+\s+)?"
    + _FS_NOUN + r"\b|\b" + _FS_NOUN + r"(?:'s)?\s+(?:limitations?|restrictions?)\b", re.IGNORECASE)


def _fs_limitation(sentence: str) -> Cause | None:
    """A filesystem named as the limit (``FS_LIMITATION``)."""
    if not _said(FS_LIMITATION, sentence):
        return None
    if MAPPING.search(sentence):
        return LACKS_MMAP
    return _env("fs-unsupported-operation", "a limitation of the filesystem")


def _fs_lacks_op(sentence: str) -> Cause | None:
    """A filesystem said to lack an operation (``FS_LACKS_OP``); not where the sentence blames
    the test for assuming it (that is the test's fault, read after)."""
    m = FS_LACKS_OP.search(sentence)
    if m is None or MAN_PAGE_ERRNO.match(sentence) or TEST_FAULT.search(sentence) \
            or TEST_ASSUMES.search(sentence):
        return None
    before = sentence[_clause_start(sentence, m.start()):m.start()]
    if _doubtful(before, "") or GUESS.search(sentence, 0, m.start()):
        return None
    # (the operation: the words the match took, and its clause - "O_DIRECT flag is not supported
    # for tmpfs" names O_DIRECT two words before "is not")
    op = " ".join((m.group("op") or m.group("op2") or m.group("op3") or "",
                   sentence[_clause_start(sentence, m.start()):m.end()]))
    if re.search(r"\bmmap|MAP_SHARED|memory[- ]map|shared mapp", op, re.IGNORECASE):
        return LACKS_MMAP
    for pattern, cause, what in FS_OP_RULES:
        if pattern.search(op):
            return _env(cause, what)
    return _env("fs-unsupported-operation", "the filesystem lacks an operation the program uses")


# The machine's memory said to have been cut or short, no marker needed: "VMware decided to
# reset the RAM allocation of this VM back to the default of 2GB" (sst-elements #132, 2016),
# "our boards have only up to 2GB of RAM" (v8mips #446), "the container's memory was limited to
# 512 MB", "So, you're running out of RAM." (spades #610).
VM_MEMORY_CUT = lazy(
    r"\b(?:reset|reduced|lowered|cut|dropped|shrunk|limited|set)\s+(?:back\s+)?(?:the\s+)?(?:RAM|"
    r"memory)(?:\s+(?:allocation|size|limit))?(?:\s+(?:of|for)\s+(?:this|the|that|my|our)\s+(?:VM|"
    r"guest|machine|instance|container|runner))?\s+(?:back\s+)?(?:down\s+)?to\s+(?:the\s+default"
    r"\s+(?:of\s+)?|only\s+)?\d+(?:\.\d+)?\s?[MG]i?B\b|"
    r"\b(?:RAM|memory)(?:\s+(?:allocation|size|limit))?\b[^.;]{0,30}?\b(?:was|got|is|had\s+been|"
    r"has\s+been)\s+(?:reset|reduced|lowered|cut|dropped|limited|capped)\s+(?:back\s+)?(?:down\s+)?"
    r"to\s+(?:only\s+)?\d+(?:\.\d+)?\s?[MG]i?B\b|"
    r"\b(?:VMs?|guests?|containers?|runners?|instances?|boards?|VPS|droplets?|nodes?)\b[^.;]{0,20}?"
    r"\b(?:only\s+(?:has|have|had|gets?|got)|(?:has|have|had|gets?|got)\s+only)\s+(?:up\s+to\s+)?"
    r"\d+(?:\.\d+)?\s?[MG]i?B\b|"
    # the maintainer's one-liner after the log: "So, you're running out of RAM." (spades #610)
    r"\b(?:you(?:'re| are)|we(?:'re| are)|it(?:'s| is)|(?:the|your|this)\s+(?:VM|machine|box|"
    r"system|host|guest|container|node))\s+(?:just\s+)?(?:running|ran|run)\s+out\s+of\s+"
    r"(?:RAM|memory)\b", re.IGNORECASE)
# A fix the writer says worked, its words the cause: "Using `nolock` solved this" (go-nfs #98),
# "Adding CONFIG_USERFAULTFD=y fixed it", "setting vm.max_map_count higher solves the issue":
# what was changed names what was wrong (read with ``CAUSES``).
FIXED_BY = lazy(
    r"^(?:(?:so|and|then|finally)\s+)?(?:using|adding|setting|passing|mounting\s+with|changing|"
    r"switching|enabling|disabling|removing|increasing|raising|installing)\b(?P<fix>[^.;]{1,80}?)"
    r"\b(?:solved|solves|fixed|fixes|resolved|resolves|cured|cures)\s+(?:it|this|that|the\s+"
    r"(?:issue|problem|error|hang|failure|crash))\b", re.IGNORECASE)


def _fixed_by(sentence: str) -> Cause | None:
    """The cause a stated fix names (``FIXED_BY``)."""
    m = FIXED_BY.search(sentence)
    if m is None:
        return None
    named = [(n.start(), cause) for pattern, cause in CAUSES
             if (n := pattern.search(m.group("fix")))]
    return min(named, key=lambda x: x[0])[1] if named else None


# A failure the maintainers already know, said as the answer and naming no side: "It is more
# likely that your GCC run suffered the very intermittent glitch which we've been aware of for a
# while" (Mark Brown on LKFT's fp-stress report, 2024), "It is a known intermittent failure due
# to test running more than expected time" (LKFT answering a proc-uptime-001 report, 2021),
# "This is a known issue." - not "a known issue with checkpatch" (another tool's), not a known
# issue with a kernel fix named beside it (``KERNEL_FIX_NEAR``: the kernel's bug).
KNOWN_ISSUE = lazy(
    r"\b(?:this|that|it)(?:'s|\s+is|\s+was)\s+(?:(?:just|simply|already|still)\s+)?(?:a|an)\s+"
    r"(?:already\s+|well[- ])?known\s+"
    r"(?:(?:intermittent|sporadic|flaky|random|rare|occasional)\s+)?"
    r"(?:issue|problem|failure|flake|glitch)\b(?!\s+(?:with|in|of)\s+(?!(?:the|this|that)\s+"
    r"(?:self)?tests?\b))|"
    r"\b(?:intermittent|sporadic|rare|occasional|random|flaky)\s+(?:glitch|flake|failure|issue|"
    r"problem)s?\s+(?:which|that)\s+we(?:'ve|\s+have)\s+(?:been\s+aware\s+of|known\s+about|"
    r"(?:been\s+)?seen\s+(?:before|for))\b", re.IGNORECASE)
KNOWN = Cause("known-issue-stated", "known-issue", "known-issue-stated",
              "a failure the maintainers already know, its side unnamed")
# ... nor one whose paragraph goes on to say what it is: "It's a known issue[*], that I think we
# kinda forgot about.  The underlying issue is that KVM ARM needs the test to create a vGIC"
# (Sean Christopherson on LKFT's irqfd_test, 2025: the test's), "This is a known problem that we
# have encountered before where VMware resets the manually specified RAM allocation" (SST, the
# VM's memory) - a known issue with its cause is that cause's.
KERNEL_FIX_NEAR = lazy(r"\bkernel\b[^.]{0,40}\b(?:fix|patch|commit)|\b(?:fix|patch|commit)\w*"
                       r"\b[^.]{0,40}\bkernel\b|\bregression\b|\bunderlying\b|\broot[- ]?cause\b|"
                       r"\bbecause\b|\bcaused\s+by\b|\bthe\s+(?:real\s+|actual\s+)?(?:issue|"
                       r"problem|reason)\s+(?:here\s+)?is\b|\b(?:encountered|seen)\s+before\s+"
                       r"(?:where|when)\b", re.IGNORECASE)


def _setup_named(sentence: str) -> Cause | None:
    """The machine's setup, or the C library it runs the tests with, named as the fault in a
    clause that does not name the kernel."""
    for pattern, cause in ((SETUP_VERDICT, SETUP_FAULT), (LIBC_BUG, LIBC_FAULT)):
        if _said(pattern, sentence) and not _kernel_in_clause(pattern, sentence):
            return cause
    return None


def _without_marker(sentence: str) -> Cause | None:
    """Causes a sentence states by its own words, no causal marker needed: a filesystem that
    lacks mappings or another operation, a failure absent on a local filesystem, a machine short
    of memory, the setup named as the fault, a test that ignores its temporary directory."""
    if _said(FS_LACKS_MMAP, sentence):
        return LACKS_MMAP
    if (lacks := _fs_lacks_op(sentence) or _fs_limitation(sentence) or (
            LACKS_SEMANTICS if _said(FS_LACKS_SEMANTICS, sentence) else None)) is not None:
        return lacks
    if _said(FAILS_ON_SHARED, sentence) and re.search(r"\bmmap\b", sentence, re.IGNORECASE):
        return LACKS_MMAP
    if (shared := _on_shared(sentence)) is not None:
        return shared
    if _said(MMAP_RESTRICTION, sentence):
        return MMAP_ISSUE
    if _said(SHORT_OF_MEMORY, sentence) or _said(VM_MEMORY_CUT, sentence):
        return MEMORY_SHORT
    if (setup := _setup_named(sentence)) is not None:
        return setup
    if _said(WORKS_ELSEWHERE, sentence):
        return ELSEWHERE
    for pattern, cause in ((EMULATOR_TOO_OLD, EMULATOR_OLD), (SUITE_RENAMED, RENAMED),
                           (KNOWN_ISSUE, KNOWN)):
        if _said(pattern, sentence):
            return cause
    if (fixed := _fixed_by(sentence)) is not None:
        return fixed
    return _option_needed(sentence) or _ignores_tmpdir(sentence) or _root_only(sentence) or (
        NOEXEC_MOUNT if _said(NOEXEC, sentence) else None) or _build_flag(sentence)


def _build_flag(sentence: str) -> Cause | None:
    """The failure said to come and go with a compiler flag of the test (``BUILD_FLAG_ONLY``),
    in a sentence that does not speak of the kernel."""
    if _said(BUILD_FLAG_ONLY, sentence) and not KERNEL_NAMED.search(sentence):
        return BUILD_FLAG_CAUSE
    return None


# The failure comes and goes with how the test binary itself is compiled: "I was able to run
# mremap_test without errors when compiling it without the -no-pie flag" (linux-kselftest
# 2021-10: the test remapped over its own non-PIE text; fixed in the selftest), "the test passes
# when built with -O0", "compiling it with -fno-stack-protector makes the crash go away". The
# kernel is the same either way: the test's own code (or what it assumes of its binary's
# layout) is at fault. A compiler flag it names (a dash option), not a kernel option.
_FLAG = (r"(?:C(?:XX)?FLAGS\s*\+?=\s*)?[`'\"]?-{1,2}[a-zA-Z][\w=+-]*[`'\"]?"
         r"(?:\s+(?:flag|option|switch))?")
_COMPILING = (r"(?:compil(?:e|es|ed|ing)|(?:re)?buil(?:d|ds|t|ding)|link(?:s|ed|ing)?)\s+"
              r"(?:it|them|the\s+(?:test|binary|program|selftest)s?|[\w-]+_test|[\w-]+\.c)?")
BUILD_FLAG_ONLY = lazy(
    r"\b(?:(?:was|were|am|is|are)\s+able\s+to\s+run|runs?|ran|works?|worked|pass(?:es|ed)?|"
    r"succeed(?:s|ed)?)\b[^.;]{0,60}?\b(?:when|after|once|by)\s+(?:I\s+|we\s+)?"
    + _COMPILING + r"\s*(?:with(?:out)?|minus|dropping|removing)\s+(?:the\s+)?" + _FLAG + r"|"
    r"\b(?:compiling|building|rebuilding|linking)\s+(?:it\s+|the\s+(?:test|binary|program|"
    r"selftest)s?\s+|[\w-]+_test\s+)?(?:with(?:out)?|minus)\s+(?:the\s+)?" + _FLAG +
    r"[^.;]{0,30}?\b(?:fix(?:es|ed)?|avoids?|avoided|solves?|solved|makes?\s+(?:it|the\s+"
    r"(?:test|crash|failure|segfault|problem)s?)\s+(?:pass|work|go\s+away|disappear))\b|"
    # ... and the other way: "Compiling hugemmap34 with CFLAGS='-fstack-clash-protection'
    # causes gcc to insert additional stack address validation checks ... eventually
    # triggering an OOM" (LTP list 2025-02; the test was changed)
    r"^(?:compiling|building)\s+(?:it\s+|the\s+(?:test|binary|program|selftest)s?\s+|"
    r"[\w-]+\s+)?with\s+" + _FLAG + r"\s+(?:causes|triggers|makes|results\s+in|leads\s+to)\b",
    re.IGNORECASE)
KERNEL_NAMED = lazy(r"\bkernel\b", re.IGNORECASE)
BUILD_FLAG_CAUSE = Cause("selftest-logic-bug", "test-bug", "selftest-logic-bug",
                         "the failure depends on how the test itself is compiled")


def _on_shared(sentence: str) -> Cause | None:
    """A program said not to go on a shared place, or a shared place said to stop it (the
    share's mappings where the sentence names them)."""
    if _said(NO_GO_ON_SHARED, sentence):
        return ON_SHARED
    if _said(SHARED_STOPS, sentence):
        return LACKS_MMAP if MAPPING.search(sentence) else SHARED_STOPPED
    return None


def _root_only(sentence: str) -> Cause | None:
    """Root and an ordinary user set side by side, the failure only the user's (an "if" there
    compares the two; it supposes nothing)."""
    m = ROOT_ONLY.search(sentence)
    return ROOT_ONLY_CAUSE if m and not NEGATION.search(sentence[:m.start()]) else None


SUGGESTED_FIX = lazy(r"\s*(?:should(?:n't)?\s+(?:it|we|this|they|the\s+\w+)|why\s+"
                     r"(?:not|doesn't\s+it|does\s+it\s+not))\b.*\binstead\b",
                     re.IGNORECASE)


def _diagnosis(sentence: str, first: LogLine) -> Diagnosis | None:
    """The sentence's stated cause, or None."""
    if QUESTION.search(sentence):
        # a fix suggested as a question ("Should it use `TMPDIR` instead?", ltp #986) says what
        # the test gets wrong; any other question states nothing
        suggested = _ignores_tmpdir(sentence) if SUGGESTED_FIX.match(sentence) else None
        return Diagnosis(suggested, first, sentence, _names(sentence)) if suggested else None
    if (plain := _without_marker(sentence)) is not None:
        return Diagnosis(plain, first, sentence, _names(sentence))
    if (m := CI_OWN_FAULT.search(sentence)) and not _doubtful(sentence[:m.start()], "") \
            and not NEGATION.search(sentence[:m.start()].split(",")[-1][-30:]):
        return Diagnosis(CI_INFRASTRUCTURE, first, sentence, _names(sentence))
    if (m := TEST_ASSUMES.search(sentence)) and not _doubtful(sentence[:m.start()], ""):
        assumed = (Cause("test-fs-assumption", "test-bug", "test-fs-assumption",
                         "the test assumes a filesystem property")
                   if FS_NAMES.search(sentence, m.start()) else
                   Cause("selftest-logic-bug", "test-bug", "selftest-logic-bug",
                         "the test's own logic"))
        return Diagnosis(assumed, first, sentence, _names(sentence))
    for m in MARKER_AFTER.finditer(sentence):
        before = sentence[_clause_start(sentence, m.start()):m.start()]
        after = sentence[m.end():]
        if _doubtful(before, after):
            continue
        cause = _cause(after, sentence, before)
        if cause is not None:
            return Diagnosis(cause, first, sentence, _names(sentence),
                             _scope(sentence[:m.start()]))
    for m in MARKER_BEFORE.finditer(sentence):
        before = sentence[_clause_start(sentence, m.start()):m.start()]
        if _doubtful(before, "") or NEGATION.search(before):
            continue
        cause = _cause(before, sentence, "")
        if cause is not None:
            return Diagnosis(cause, first, sentence, _names(sentence))
    return None


SKIP_WORD = lazy(r"\bskip(?:s|ped)?\b", re.IGNORECASE)
FAIL_WORD = lazy(r"\bfail\w*|\bnot ok\b|\bcrash\w*|\babort\w*|\bassert\w*|\berror",
                 re.IGNORECASE)


def _scope(subject: str) -> str:
    """What the sentence explains, by its words before the marker: "the skip:1 is due to ..."
    explains skips, "the test fails because ..." failures."""
    skip, fail = SKIP_WORD.search(subject), FAIL_WORD.search(subject)
    return "skip" if skip and not fail else "fail" if fail and not skip else ""


def _doubtful(before: str, after: str) -> bool:
    """A hypothetical or negated marker: "if ... because", "isn't caused by", "not because"."""
    return (HYPOTHETICAL.search(before) is not None or NEGATION.search(before) is not None
            or re.match(r"\s*(?:not|n't)\b", after) is not None)


def _clause_start(text: str, column: int) -> int:
    start = 0
    for m in CLAUSE_START.finditer(text, 0, column):
        start = m.end()
    return start


SIDE_END = lazy(r",\s+that\b|;\s")


def _test_fault(side: str, subject: str) -> bool:
    """The cause side says the test is at fault: a test (or, when the sentence named the test
    before the marker, "it"/"they") before a fault word."""
    fault = TEST_FAULT.search(side)
    if fault is None or HYPOTHETICAL.search(side, 0, fault.start()):
        return False
    noun = TEST_NOUN.search(side, 0, fault.start() + 1)
    if noun is None and TEST_NOUN.search(subject):
        noun = PRONOUN.search(side, 0, fault.start())
    return noun is not None


def _cause(side: str, sentence: str, subject: str) -> Cause | None:
    """What the cause side names: the test's own fault first, then the machine's nouns (the
    one named first), then a kernel commit."""
    # (a parenthesis is an aside; ", that ..." after a comma starts the next item of a list
    # about the sentence's subject, not more of the cause)
    # (a commit's quoted subject in parentheses is the commit, not an aside: 'fixed with commit
    # d24f511b04b8 ("tcp: fix tcp_min_tso_segs sysctl")', Eric Dumazet, 2021)
    # (... unless the aside says what is not there: ``whole`` keeps such asides)
    whole = SIDE_END.split(re.sub(r"\((?![\"'`])(?![^()]*\b(?:not|no|n't|without|lacks?|lacking|"
                                  r"missing|unsupported)\b)[^()]*\)", "", side[:300]),
                           maxsplit=1)[0]
    side = SIDE_END.split(re.sub(r"\((?![\"'`])[^()]*\)", "", side[:300]), maxsplit=1)[0]
    if CI_SIDE.match(side):  # "caused by an infrastructure bug related to our test harness"
        return CI_INFRASTRUCTURE
    if _test_fault(side, subject):
        if FS_NAMES.search(side) or FS_NAMES.search(sentence) and re.search(
                r"\b(?:on|using|with|when)\s+(?:a\s+|the\s+)?`?\w+`?\s*(?:file ?system|fs)?\b",
                sentence):
            return Cause("test-fs-assumption", "test-bug", "test-fs-assumption",
                         "the test assumes a filesystem property")
        return Cause("selftest-logic-bug", "test-bug", "selftest-logic-bug",
                     "the test's own logic")
    # (what would or could follow is no cause: "because ..., it would increase the chance of
    # OOM")
    named = [(m.start(), cause) for pattern, cause in CAUSES if (m := pattern.search(side))
             and not HYPOTHETICAL.search(side, 0, m.start())]
    if not named and whole != side:
        # the aside is the cause's own words when the rest names none and it says what is not
        # there: "due to filesystem type not being supported (mmap not working on vboxsf)"
        # (docker-library/mongo #30) - not an acronym's ("the maximum size of a shmem segment
        # (SHMMAX) too low", libhugetlbfs)
        named = [(m.start(), cause) for pattern, cause in CAUSES if (m := pattern.search(whole))
                 and not HYPOTHETICAL.search(whole, 0, m.start())
                 and not NEGATION.search(whole[:m.start()])]
    if named:
        return min(named, key=lambda x: x[0])[1]
    if PAGE_SIZE.search(side):
        return Cause("selftest-logic-bug", "test-bug", "selftest-logic-bug",
                     "the test assumes another page size")
    if (m := COMMIT.search(side)) and re.search(r"\bcommit\b|\(\"", side):
        subject = m.group("subject") or m.group("quoted") or ""
        if SELFTEST_SUBJECT.match(subject):
            return Cause("selftest-logic-bug", "test-bug", "selftest-logic-bug",
                         "a selftests commit")
        if subject:
            return Cause("kernel-fix-stated", "kernel-bug", "kernel-behaviour-fail",
                         "a kernel commit")
    if (release := KERNEL_RELEASE.match(side)) and (release.group("kernel")
                                                    or KERNEL_WORD.search(sentence)):
        return Cause("kernel-fix-stated", "kernel-bug", "kernel-behaviour-fail",
                     "a kernel release")
    return None


# "fixed in 6.2-rc1", "fixed in v5.19", "fixed in the mainline kernel 6.9.3": a kernel release
# named as the fix (a bare number only in a sentence that speaks of the kernel: "fixed in 1.2"
# may be any program's release)
KERNEL_RELEASE = lazy(
    r"\s*(?:the\s+)?(?:(?:mainline|upstream|stable|latest)\s+)?(?P<kernel>kernel\s+|linux[\s-]+"
    r"|v(?=\d))?(?:v?)[2-7]\.\d{1,2}(?:\.\d{1,3})?(?P<rc>-rc\d+)?\b(?![.\d])", re.IGNORECASE)
KERNEL_WORD = lazy(r"\bkernels?\b|\blinux\b|\bmainline\b|\bupstream\b|-rc\d",
                   re.IGNORECASE)


# Tests a sentence names: "memfd_test", "uffd-stress", "hugetlb-madvise", "test_sysctl()".
NAME = lazy(r"\b[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+\b")


def _names(sentence: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(NAME.findall(sentence)))[:8]
