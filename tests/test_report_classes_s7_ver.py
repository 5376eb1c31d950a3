"""Classes of real reports held-out round 14-ver got wrong (tests/fixtures/reports/README.md,
"Round 14-ver"), each tested on a second real text worded differently from the one that showed
it:

- the selftests did not build because the host lacks a header: gcc's "fatal error: X.h: No
  such file or directory" (avocado-misc-tests PR 1968: 5.10's hmm-tests and hugetlbfs.h) and
  clang's "fatal error: 'X.h' file not found" are the environment (rule
  ``build-header-missing``), and a compiler's closing tally ("1 error generated.",
  "compilation terminated.") is no failure of its own that would leave the verdict unknown.
  A header named by a relative path (``../../../../mm/gup_test.h``) is the tree's own and is
  not this rule's.
"""

from __future__ import annotations

from pathlib import Path

from test_report_classes import triage_read as triage


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


# John Hubbard's reply to Jeff Xu on linux-kselftest, 2024-06-11 ("Re: [PATCH 0/2]
# selftests/mm: fix build failures" thread): Jeff's quoted build of selftests/mm and John's
# answer, unmodified (the lines between left out).
NUMA_REPLY = """\
> 1>
> cd tools/testing/selftests/mm
> make
> \n\
> migration.c:10:10: fatal error: numa.h: No such file or directory
>     10 | #include <numa.h>
>        |          ^~~~~~~~
> compilation terminated.
> \n\
> 2>
> make headers
> make -C tools/testing/selftests
> \n\
> make[1]: Entering directory
> '/usr/local/google/home/jeffxu/mm/tools/testing/selftests/mm'
>    CC       migration
> migration.c:10:10: fatal error: numa.h: No such file or directory
>     10 | #include <numa.h>
> \n\

Well, actually, for these, one should install libnuma-dev and
numactl (those are Ubuntu package names. Arch Linux would be:
numactl).
"""


def test_a_header_the_build_host_lacks_is_the_environment(tmp_path: Path) -> None:
    report = triage(tmp_path, NUMA_REPLY)
    assert report["verdict"] == "env"
    assert causes(report) == {"build-header-missing"}


# clang's wording of the same stop, with its closing tally (ksm_tests includes numa.h).
CLANG = """\
ksm_tests.c:9:10: fatal error: 'numa.h' file not found
#include <numa.h>
         ^~~~~~~~
1 error generated.
"""


def test_clangs_missing_header_and_its_tally_are_one_build_failure(tmp_path: Path) -> None:
    report = triage(tmp_path, CLANG)
    assert report["verdict"] == "env"
    assert causes(report) == {"build-header-missing"}
    assert len(report["results"]) == 1


def test_a_header_by_relative_path_is_not_the_hosts(tmp_path: Path) -> None:
    text = ("uffd-unit-tests.c:8:10: fatal error: ../../../../mm/gup_test.h: "
            "No such file or directory\n")
    report = triage(tmp_path, text)
    assert "build-header-missing" not in causes(report)


def test_a_selftests_own_header_is_not_the_hosts(tmp_path: Path) -> None:
    # stable 4.19.y review (tests/fixtures/reports/stable-4.19y-map-hugetlb-vm-util-h-revert):
    # a backport needing vm_util.h, which the stable tree lacks - the tree's, not the host's.
    text = "map_hugetlb.c:18:10: fatal error: vm_util.h: No such file or directory\n"
    report = triage(tmp_path, text)
    assert "build-header-missing" not in causes(report)
