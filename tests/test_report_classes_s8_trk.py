"""Classes of tracker issues held-out round 16-trk got wrong (tests/fixtures/reports/README.md,
"Round 16-trk"), each tested on a second real text worded differently from the report that
showed it:

- a test (or its runner) that ignores the temporary directory it is given and writes where it
  should not ("looks like mmap3 is ignoring LTPTMP env variable", "the test tries to create new
  file in test binary folder", "zoo-file created in root-fs", "the test opens files in $CWD it
  should be fixed to honour $TMPDIR"): its EROFS is the test's fault (selftest-logic-bug, or
  runner-script-bug for LTP's runner), not the read-only machine's (fs-read-only);
- a failure the text says is absent on a local filesystem ("not observed when using
  `virtio-blk` as rootfs", "Running on a regular file system works just fine", "things worked
  great" on another path) where it names a shared or network filesystem: that filesystem is the
  environment (only-on-fs), the weakest statement (any stated cause wins over it); a Go
  program's bare "invalid argument" with no share named stays unexplained;
- (no second text found in the time: Go's "syscall.Mmap" and its lower-case strerror after a
  colon, jffs2 and "mount the directory in my virtual box" as filesystems, an analysis's
  "Reason:" and "9pfs provides readonly mmap"; the corpus reports boltdb #592/#459 and
  clearcontainers/agent #92 hold them) - jffs2 with another call's EINVAL (fcntl) is not the
  read-only mapping.
"""

from __future__ import annotations

from test_report_classes import conclude, triage_read

# linux-test-project/ltp #87 ("mtest05 fail on read only remote machine", 2016-08-29): the
# first lines of NgaHoang10's description (the log), then Cyril Hrubis's answer in the same
# issue, unmodified. The round's fixture has the description's prose instead of the answer.
MTEST05_ANSWERED = (
    "2016-08-26T11:37:31 Test: mtest05 Testparm: mmstress\n"
    "mmstress    0  TINFO  :  run mmstress -h for all options\n"
    "mmstress    0  TINFO  :  test2: Test case tests the race condition between simultaneous"
    " write faults in the same address space.\n"
    "map_and_thread(): open(): Read-only file system\n"
    "map_and_thread(): open(): Read-only file system\n"
    "\n"
    "Indeed the test opens files in ```$CWD``` it should be fixed to honour ```$TMPDIR``` and"
    " create a temporary directory there before it starts testing.\n")

# The same log with only the reporter's setup said (ltp #88's words, "I run tests on read-only
# remote machine"): nothing says the test chose the directory, so the read-only filesystem
# stays the environment's.
MTEST05_MACHINE_ONLY = MTEST05_ANSWERED.split("\nIndeed")[0] + (
    "\nI run tests on read-only remote machine\n")


def test_a_test_that_ignores_its_temporary_directory_is_at_fault_for_erofs(tmp_path):
    report = triage_read(tmp_path, MTEST05_ANSWERED)
    assert report["verdict"] == "test-bug"
    assert {f["cause"] for f in report["findings"]} == {"selftest-logic-bug"}
    assert "$TMPDIR" in report["findings"][0]["explanation"]


def test_a_read_only_machine_alone_stays_the_environment(tmp_path):
    report = triage_read(tmp_path, MTEST05_MACHINE_ONLY)
    assert report["verdict"] == "env"
    assert {f["cause"] for f in report["findings"]} == {"fs-read-only"}


# etcd-io/bbolt #102 ("'invalid argument' error while opening database on qemu/9p_virtio shared
# file system", jooola, 2018-06-11): the description as the search service stores it, up to the
# Go program's only log line (its log output after it is cut there in the stored copy). The
# round's report is rust-vmm-container #117 ("not observed when using `virtio-blk` as rootfs").
BBOLT_9P = (
    "I tried to store a db on a [9p_virtio](https://www.linux-kvm.org/page/9p_virtio) shared"
    " file system but it throw me a 'invalid argument' error.\n"
    "The db file gets created but seems it don't like something related to the file system.\n"
    "Running on a regular file system works just fine.\n"
    "\n"
    "Running on debian 9 a [qemu/kvm](https://wiki.debian.org/KVM) virtual machine, sharing"
    " file system with host trough 9p_virtio module, in 'mapped' mode.\n"
    " \n"
    "Here is my fstab :\n"
    "```\n"
    "# Host share (data-stk-oo)\n"
    "data-stk-oo /mnt/storkshare 9p rw,sync,dirsync,relatime,trans=virtio,version=9p2000.L 0 0\n"
    "```\n"
    "The only logs I get from go is `invalid argument` : \n")

# edsrzf/mmap-go #34 ("invalid argument", lysShub, 2024-07-28): a Go program's bare "panic:
# invalid argument" from mapping /proc/net/tcp - no shared filesystem, nothing said to work
# elsewhere: it stays unexplained, not the environment. The output block as stored.
MMAP_GO_PROC = (
    "output:\n"
    "```bash\n"
    "normal 7\n"
    "panic: invalid argument\n"
    "\n"
    "goroutine 1 [running]:\n"
    "main.main()\n"
    "        /root/atest/main.go:27 +0x18d\n"
    "exit status 2\n"
    "```\n")


def test_a_failure_absent_on_a_local_filesystem_blames_the_share(tmp_path):
    report = triage_read(tmp_path, BBOLT_9P)
    assert report["verdict"] == "env"
    assert {f["cause"] for f in report["findings"]} == {"only-on-fs"}
    assert "works just fine" in report["findings"][0]["explanation"]


def test_a_bare_go_einval_without_a_share_stays_unexplained(tmp_path):
    report = triage_read(tmp_path, MMAP_GO_PROC)
    assert report["verdict"] != "env"
    assert not {f["cause"] for f in report["findings"]} & {"only-on-fs", "fs-no-shared-mmap"}


# OpenMANET/openmanetd #107 ("database: use unix-dotfile VFS on mipsle to fix jffs2 overlayfs
# crash", 2026-07-05): the PR description's first three paragraphs as stored. jffs2 and a Go
# "invalid argument" again, but the call is fcntl(F_SETLK), not mmap: the jffs2 mapping rule
# (fs-readonly-mmap) must not take it, nor anything call it a kernel bug.
OPENMANET_FCNTL = (
    'openmanetd crash-loops at startup on halowlink2 (ramips/mt7621) and ht-hd01-v2 ('
    'ramips/mt76x8):\n'
    '\n'
    '  FTL Failed to connect to database\n'
    '  (underlying: ping database: disk I/O error: invalid argument)\n'
    '  procd: Instance openmanetd::instance1 s in a crash loop 6 crashes\n'
    '\n'
    'Root cause: 1.3.2 switched the driver from modernc.org/sqlite (pure Go) to mattn'
    "/go-sqlite3 (cgo + amalgamation). The amalgamation's default unix VFS uses fcntl"
    '(F_SETLK) for advisory file locks, which returns EINVAL on the overlayfs+jffs2 r'
    'ootfs these boards ship with. SQLite turns that into SQLITE_IOERR and the FTL fi'
    'res before anything else can start — no mesh manager, no frontend on :8080/:8081'
    ', no API on :8087, no GNSS/PTT/BLOS. The whole OpenMANET app layer is offline.\n'
    '\n'
    'Pi3/Pi4/Venice use ext4-backed rootfs where fcntl works, so the bug is mipsle-sp'
    'ecific.\n'
)


def test_jffs2_einval_of_another_call_is_not_the_read_only_mapping(tmp_path):
    report = triage_read(tmp_path, OPENMANET_FCNTL)
    causes = {f["cause"] for f in report["findings"]}
    assert "fs-no-shared-mmap" not in causes
    assert report["verdict"] != "kernel-bug"


# Storj/storjshare-cli #243 ("Can't set an SMB-mounted share as a storage location", 2016-12-22):
# the description's question and the reporter's later comment in the same thread, unmodified.
# Round 16-trk-b's fixture has the description's "once he used his regular hard drive, it
# solved the issue"; the comment says it another way.
STORJSHARE_ISCSI = (
    "Is this the result of not being able to use a SMB-mounted drive as a data storage"
    " location?\n"
    "\n"
    "Well, I fixed it, but not by changing the Node version. Using iSCSI seemed to do the"
    " trick.\n")


def test_a_block_device_that_did_the_trick_blames_the_network_share():
    found = conclude(STORJSHARE_ISCSI)
    assert found is not None and found.category == "env"
    assert found.reported == "only-on-fs"
    assert "iSCSI" in found.line.text


# jnwatson/py-lmdb #100 ("Error when calling lmdb.open()", 2015-10-04): piergiaj's description,
# then his answer ("File system is dvs") and Howard Chu's (hyc) comment, unmodified, without the
# thread's author lines. Round 16-trk-c's gperftools #533 says it as "Shared folders use special
# VirtualBox filesystem, which doesn't support mmap"; here no causal marker either.
PY_LMDB_DVS = (
    "Whenever I call open, whatever string I pass in as the path, it gives the following"
    " error:\n"
    "\n"
    ">>> lmdb.open('trainingData')\n"
    "Traceback (most recent call last):\n"
    '  File "<stdin>", line 1, in <module>\n'
    "lmdb.Error: trainingData: Function not implemented\n"
    "\n"
    "File system is dvs\n"
    "\n"
    "The Cray documentation confirms, they only support read-only mmap on DVS."
    " http://docs.cray.com/books/S-0005-5204/ page 39 caveats.\n")


def test_a_filesystem_said_to_map_read_only_is_the_environment(tmp_path):
    report = triage_read(tmp_path, PY_LMDB_DVS)
    assert report["verdict"] == "env"
    assert {f["cause"] for f in report["findings"]} == {"fs-no-shared-mmap"}
