"""Reports that say what failed without a selftest's or a tool's failure line - the corpus's last
refusals (session 9) - and the second real texts of their wordings:

- a test or program that ignores the temporary directory, said as the fix it asks for: "Should
  it use `TMPDIR` instead?" (ltp #986), "The `$TMPDIR` environment variable should be used
  instead" (robovm #412), "It is better to utilise $TMPDIR" (URI #14): test-bug;
- a failure said with "causes a problem", "isn't writable", "can't be built", "skip some
  cases", "make it work again": a failure, not a refusal;
- a link in brackets keeps the sentence break after it (a failure stated after the link is read).
"""

from __future__ import annotations

from test_report_classes import triage_read

# robovm/robovm #412 (2014-08-06), the description as the tracker shows it; fixed by using
# $TMPDIR for java.io.tmpdir.
ROBOVM_412 = """\
robovm/robovm · issue #412 · closed · Java
labels: bug
# Use $TMPDIR if set as java.io.tmpdir value

ntherning · description · 2014-08-06
The Android code uses `/tmp` but on iOS this folder isn't writable by apps. The `$TMPDIR` \
environment variable should be used instead if set. This is the POSIX standard environment \
variable for the temp dir.
"""

# libwww-perl/URI #14 (2014-01-11, merged): the test's temporary files under $TMPDIR.
URI_14 = """\
libwww-perl/URI · pull request #14 · merged · Perl
# Use $ENV{TMPDIR} if defined

dex4er · description · 2014-01-11
This package can't be built on Android. On this system there is no /tmp directory. It is \
better to utilise $TMPDIR environment variable so the test pass on any system with proper \
directory in $TMPDIR.
"""

# The iommufd 6.18 merge-window pull (Jason Gunthorpe, linux-kernel, 2025-10): a summary line
# that tells a fix by what it restores.
IOMMUFD_PULL = """\
iommufd 6.18 merge window pull

Two minor fixes

- Make the selftest work again on x86 platforms with iommus enabled

- Fix a compiler warning in the userspace kselftest
"""


def _causes(report: dict) -> set[str]:
    return {f["cause"] for f in report["findings"]}


def test_a_program_said_to_need_tmpdir_instead_of_tmp_is_its_own_fault(tmp_path):
    for text in (ROBOVM_412, URI_14):
        report = triage_read(tmp_path, text)
        assert report["verdict"] == "test-bug"
        assert _causes(report) == {"selftest-logic-bug"}


def test_a_fix_told_by_what_it_restores_is_a_failure_not_a_refusal(tmp_path):
    report = triage_read(tmp_path, IOMMUFD_PULL)
    quoted = [r["message"] for r in report["results"] if r["status"] == "fail"]
    assert quoted == ["- Make the selftest work again on x86 platforms with iommus enabled"]
    assert report["verdict"] == "unknown"


def test_a_question_that_suggests_no_fix_states_no_cause(tmp_path):
    text = ("This causes a problem for Android, where the `/tmp` directory isn't writeable.  "
            "Should we look at this again later?\n")
    report = triage_read(tmp_path, text)
    assert report["verdict"] == "unknown"


def test_a_link_in_brackets_keeps_the_sentence_break_before_a_stated_failure(tmp_path):
    # kernelci/kernelci-core #1787 (2023-03-08), its first paragraph unmodified
    text = ("Kselftest vm test suite has been renamed to mm. But we didn't get any failure in "
            "kernelci results (https://staging.kernelci.org/test/job/next/branch/master/kernel/"
            "next-20230306/plan/kselftest-vm/). Kernelci should have reported failure which "
            "would have been an indication for the developers to investigate and do renaming "
            "in kernelci as well.\n")
    report = triage_read(tmp_path, text)
    assert report["verdict"] == "test-bug"
    assert _causes(report) == {"selftest-dir-missing"}


# Pankaj Vinodrao Joshi's question on the LTP list (2021): the HTML part of the post, its one
# paragraph with the tags and quoted-printable soft breaks removed. Richard Palethorpe's answer
# (the corpus's ltp-madvise06-swap-too-small-tconf-question-reply, the same line wrapped after
# "madvise06.c:63:" and quoted): "Yes, you can increase your swap partition."
MADVISE06_POST = """\
Hi,
i am running madvise06.c but i am getting message madvise06.c:63: CONF: System swap is too \
small (838860800 bytes needed) can someone suggest if i can increase size of swap and make \
this testcase work ??
"""


def test_an_ltp_line_inside_a_sentence_or_wrapped_after_its_file_is_read(tmp_path):
    wrapped = ("> i am running madvise06.c but i am getting message madvise06.c:63:\n"
               "> CONF: System swap is too small (838860800 bytes needed) can someone\n"
               "> suggest if i can increase size of swap and make this testcase work ??\n")
    for text in (MADVISE06_POST, wrapped):
        report = triage_read(tmp_path, text)
        skips = [r for r in report["results"] if r["status"] == "skip"]
        assert [r["message"][:35] for r in skips] == ["System swap is too small (838860800"]
        assert report["verdict"] == "env"
        assert _causes(report) == {"swap-missing"}
