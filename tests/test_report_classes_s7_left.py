"""Wording and layout families round 12/13 left unread (tests/fixtures/reports/README.md, "Session
7, families left unread"), each tested on real public texts:

- a hedged diagnosis ("I'm guessing the problem is ...") is the writer's own working diagnosis,
  as "I think" is; only a hypothetical ("if I had to guess") is not;
- a kernel fix named in prose: a commit with its subject only in quotes ('Fixed with commit
  2ea7ff1e39cb "mm/hugetlb: fix race ..."'), a kernel release ("This was fixed in v6.13-rc7");
- a failure named with a definite article ("check if it resolves the test failure") is one that
  happened, whatever the clause around it wonders.
"""

from __future__ import annotations

import email
from pathlib import Path

from test_report_classes import triage_read as triage

from harness.model import LogLine
from harness.readers.diagnosis import _diagnosis

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


def stated(sentence: str):
    found = _diagnosis(sentence, LogLine(1, sentence, "mail"))
    return found.cause if found else None


def test_a_guessed_cause_beside_a_link_is_the_writers_diagnosis(tmp_path: Path) -> None:
    # openj9 #17472: "Re <link> I'm guessing the problem is the ub20-390 machines don't have any
    # swap space configured ... check if it resolves the test failure."
    text = (REPORTS / "openj9-s390-machines-no-swap-guess.txt").read_text()
    report = triage(tmp_path, text)
    assert report["verdict"] == "env"
    assert causes(report) == {"swap-missing"}


def test_a_hypothetical_guess_is_no_diagnosis() -> None:
    # git mailing list, 2016 (applypatch-msg hook): the hedge states, the "could" does not
    assert stated("Alternatively the \"problem\" could be that I'm using a hook that is not "
                  "intended for this purpose") is None


def test_a_kernel_commit_named_by_its_quoted_subject_is_a_kernel_fix(tmp_path: Path) -> None:
    # Mike Kravetz's answer to the kernel test robot (2022)
    text = (REPORTS / "lkp-userfaultfd-hugetlb-fixed-by-commit-reply.eml").read_bytes()
    body = next(p.get_payload(decode=True).decode()
                for p in email.message_from_bytes(text).walk()
                if p.get_content_type() == "text/plain")
    report = triage(tmp_path, body)
    assert report["verdict"] == "kernel-bug"
    assert causes(report) == {"kernel-behaviour-fail"}


def test_a_kernel_release_named_as_the_fix_is_a_kernel_fix() -> None:
    # Amir Goldstein, LTP fanotify13 (ltp list, 2025-01-22): a release with its -rc, no subject
    cause = stated("This was fixed in v6.13-rc7 and backported to v6.12.10 and v6.6.74.")
    assert cause is not None and cause.category == "kernel-bug"
    # a program's own release is no kernel's
    assert stated("It was fixed in 1.2.3 of the library.") is None


def test_a_setup_that_does_not_support_huge_pages_is_the_environment(tmp_path: Path) -> None:
    # kata-containers/tests (2022-02): "... but threaded mode doesn't support hugepage" under a
    # bats "not ok 1 Hugepages"; kata-containers #5560 (2022-11): the same bats failure with
    # "## Background and Reason" / "Huge page feature is not enabled in runtime-rs"
    for name in ("kata-tests-k8s-hugepages-cgroupv2-threaded-timeout",
                 "kata-runtime-rs-k8s-hugepages-feature-not-enabled"):
        report = triage(tmp_path, (REPORTS / f"{name}.txt").read_text())
        assert report["verdict"] == "env", name
        assert causes(report) == {"setup-unsupported"}, name


def test_a_templates_headings_are_no_failures_and_its_reason_is_the_cause(tmp_path: Path) -> None:
    # kubernetes #99070 (a failing-test issue): "#### Since when has it been failing:" and
    # "#### Reason for failure:" are the template's questions, not failures; the answer under
    # "Which test(s) are failing:" is the failure, the one under "Reason for failure:" its cause
    text = (REPORTS / "k8s-memory-manager-e2e-node-no-hugepages-configured.txt").read_text()
    report = triage(tmp_path, text)
    quoted = [r["message"] for r in report["results"]]
    assert not any(m.lstrip().startswith("#") for m in quoted), quoted
    assert report["verdict"] == "env"
    assert causes(report) == {"hugetlb-not-reserved"}
    # the other Kubernetes report of the corpus, whose reason names the pool, keeps its cause
    text = (REPORTS / "k8s-node-kubelet-serial-hugepage-prealloc-flaky.txt").read_text()
    assert causes(triage(tmp_path, text)) == {"hugetlb-pages-short"}


def test_a_person_failing_to_do_something_is_no_test_failure(tmp_path: Path) -> None:
    from harness.readers.unread_failures import states_failure
    # David Hildenbrand in the e500 hugetlb thread (linuxppc-dev, 2025): its kernel WARNINGs
    # stay the findings, the writer's own "failing" is no failed result
    text = (REPORTS / "ppc-e500-hugetlb-add-hstate-max-folio-order-thread.mbox").read_bytes()
    report = triage(tmp_path, text.decode())
    assert not any("failing for days" in (r["message"] or "") for r in report["results"])
    # Yi Liu on the iommufd vIOMMU series (linux-kselftest, 2024-09-27,
    # <8440cd72-ced6-4887-b724-ce6a1650db13@intel.com>) and Peter Xu on a userfaultfd patch
    # (2022-04-26, <YmhW+mOuQUWsByj4@xz-m1.local>): a person who could not see something
    assert not states_failure("cache invalidation as well. I failed to get why a S2 hwpt needs to")
    assert not states_failure("Could you help explain why we need this bool?  I failed to figure"
                              " out")
    # ... while a person who could not build something reports a failure (ltp list,
    # 2021-02-04, <CAD5BMqCdJXgqu2kwaRjD7=SRORDGoxENnRXBG5UrwvsmtjOzrQ@mail.gmail.com>)
    # (as a question the line is asked, not stated; its "failed to build" is a task's failure)
    from harness.readers.unread_failures import PERSON_TASK
    line = "Hello, I failed to build, can you help me?"
    assert PERSON_TASK.match(line, line.index("failed") + len("failed"))


def test_a_regression_between_kernel_releases_told_in_words_is_the_kernels(tmp_path: Path) -> None:
    from harness.readers.diagnosis import DiagnosisReader
    # Void Linux #49269 (2024): "Everything used to work fine up to kernel 6.5. But, with kernels
    # 6.6 to 6.8, 1/4 of the memory allocated to virtual machines is not freed upon exit."
    text = (REPORTS / "void-linux-qemu-hugetlbfs-1g-not-freed-6.6.txt").read_text()
    report = triage(tmp_path, text)
    assert report["verdict"] == "kernel-bug"
    assert any("not freed" in (r["message"] or "") for r in report["results"])
    # llvm-project #59717 (Michał Górny, 2022-12-27): the newer release fails, the older passes,
    # the other way round in words
    line = ("The following test is failing for me on 6.1.1 kernel. After booting 6.0.14, it "
            "passes. Tested as of dfc20708bcdf7b4c4bea8595fc4ac8674634d5e6, on Gentoo "
            "Linux/amd64.")
    reader = DiagnosisReader()
    reader.feed(LogLine(1, line, "issue"), line, False)
    found = reader.diagnosis()
    assert found is not None and found.cause.category == "kernel-bug"
    assert found.sentence == "The following test is failing for me on 6.1.1 kernel."
    # a release alone says where it fails, no change between releases (Void's own title
    # names the releases it fails on, "on kernels 6.6 to 6.8", and no working one)
    title = "Hugetlbfs allocations not completely freed by Qemu on kernels 6.6 to 6.8"
    reader = DiagnosisReader()
    reader.feed(LogLine(1, title, "issue"), title, False)
    assert reader.diagnosis() is None
    # openjdk's TracePageSizes fix (corpus): a checklist of releases a test "used to fail" on and
    # "now passes" is the test's fix, no kernel regression
    text = (REPORTS / "openjdk-tracepagesizes-old-kernels-smaps.txt").read_text()
    assert triage(tmp_path, text)["verdict"] != "kernel-bug"
