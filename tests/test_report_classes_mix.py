"""Classes of real reports held-out round 13-mix-a got wrong (tests/fixtures/reports/README.md,
"Round 13-mix-a"), each tested on real texts:

- a report that says the test used a filesystem feature without checking that the filesystem
  supports it ("Apparently it tries to use O_DIRECT without checking for FS support first",
  gocryptfs #244 on xfstests generic/391, fixed in xfstests) is the test's filesystem
  assumption: the filesystem rule's evidence (open() with O_DIRECT -> EINVAL on FUSE) holds, and
  the stated conclusion is the more specific diagnosis, so it wins over the environment rule.
  Without such a statement - a maintainer who says "the underlying FS doesn't support direct
  IO" (ncw/directio #7) - the same failure stays the filesystem's (env/fs-no-direct-io).
"""

from __future__ import annotations

import json
from pathlib import Path

from test_report_classes import triage_read as triage

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


def test_unchecked_fs_feature_stated_is_the_tests_assumption(tmp_path: Path) -> None:
    text = (REPORTS / "gocryptfs-xfstests-391-odirect-einval-issue.txt").read_text()
    report = triage(tmp_path, text)
    assert report["verdict"] == "test-bug"
    assert causes(report) == {"test-fs-assumption"}


# ncw/directio issue #7 (2018, "TestDirectIO fail on Fedora 26, Go version 1.7"): the test
# output from the description and the start of the maintainer's (ncw) answer, unmodified.
DIRECTIO = """\
## Test Output ##

```
[jess@localhost directio]$ go test
--- FAIL: TestDirectIo (0.00s)
\tdirect_io_test.go:32: Failed to directio.OpenFile for read open /tmp/direct_io_test087816965: \
invalid argument
FAIL
exit status 1
FAIL\tdirectio\t0.001s

```

This error

FAIL

Likely means that the underlying FS doesn't support direct IO

from `man 2 open`

       EINVAL The filesystem does not support the O_DIRECT  flag.   See  NOTES
              for more information.

On your machine, what filing system is `/tmp` on?
"""


def test_fs_lacking_the_feature_without_a_test_statement_stays_env(tmp_path: Path) -> None:
    report = triage(tmp_path, DIRECTIO)
    assert report["verdict"] == "env"
    assert causes(report) == {"fs-no-direct-io"}
    assert "stated" not in json.dumps(report.get("environment", {}))
