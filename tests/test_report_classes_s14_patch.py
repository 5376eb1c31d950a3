"""A test-only patch whose failure is a full or read-only place the test chose (session 14, the
lead; round 24-final's two confident wrong LTP patches).

An LTP patch that changes only the test and shows the failure it fixes in its commit message is
the test's bug - also when the failure is an errno that usually means the machine: EROFS from a
test that wrote into "/" on a read-only root instead of its temporary directory ("#define
NORMAL_PATH "./"", hugemmap11 on SLE Micro; "mkdir: cannot create directory '/hugetlb':
Read-only file system", cpuset_memory_test), ENOSPC from a test that wrote more than its own
300 MB test device holds on 64K pages (cachestat01). The rules fs-read-only and fs-full read
the errno; the patch says where the test wrote, so it outranks them. A test-only patch that
makes the test skip there says the opposite - the machine lacks what the test needs - and
outranks nothing.

A diffstat shortens long paths (".../cpuset_memory_test/cpuset_memory_test.c"): such a path is
the diff's own full path that ends with it, so the patch is seen to change only tests.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import triage_file

HERE = Path(__file__).parent
REPORTS = HERE / "fixtures" / "reports"
CLASSES = HERE / "fixtures" / "classes"


def _answer(report: dict) -> tuple[str, set[str]]:
    return report["verdict"], {f["cause"] for f in report["findings"]}


def test_a_test_only_patch_outranks_the_errno_of_the_place_the_test_chose():
    for path in [
        REPORTS / "ltp-hugemmap11-sle-micro-read-only-root-erofs-normal-path-patch.txt",
        REPORTS / "ltp-cachestat01-ppc64le-64k-pages-write-enospc-required-space-patch.txt",
        CLASSES / "ltp-cpuset-memory-test-read-only-root-mkdir-hugetlb-erofs-tmpdir-patch.eml",
    ]:
        verdict, causes = _answer(triage_file(path))
        assert (verdict, causes) == ("test-bug", {"selftest-logic-bug"}), (path.name, causes)


def test_a_test_only_patch_that_makes_the_test_skip_leaves_the_machine_its_cause(tmp_path):
    text = (REPORTS / "ltp-hugemmap11-sle-micro-read-only-root-erofs-normal-path-patch.txt"
            ).read_text()
    skip = tmp_path / "skip.txt"
    skip.write_text(text.replace('since "/" is read only',
                                 'since "/" is read only; skip the test there with TCONF'))
    verdict, causes = _answer(triage_file(skip))
    assert "fs-read-only" in causes and verdict == "env", causes
