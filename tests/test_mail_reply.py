"""`harness triage THREAD --mail reply.txt` on every real thread of the corpus: a reply a
maintainer could send (threading headers to the message that posted the evidence, that
message's lines quoted, conclusion first, 72 columns, nothing of the harness's own)."""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.report.common import clean_text

REPORTS = Path(__file__).parent / "fixtures" / "reports"
THREADS = sorted([*REPORTS.glob("*.mbox"), *REPORTS.glob("*.eml")])
# Texts whose failure is only stated in words (no log at all).
NO_LOG = ["uffd-unit-tests-div-zero-no-hugetlb-thread.mbox",
          "mlock2-pagevec-race-page-flags-thread.mbox",
          "charge-reserved-hugetlb-mawk-awk-e-mm-commits.txt",
          "gvisor-ftruncate-deleted-einval.txt"]


def reply_to(path: Path, tmp_path: Path) -> str:
    out = tmp_path / "reply.txt"
    main(["triage", str(path), "--mail", str(out)])
    return out.read_text()


def split(text: str) -> tuple[dict[str, str], str]:
    head, body = text.split("\n\n", 1)
    headers: dict[str, str] = {}
    name = ""
    for line in head.splitlines():
        if line[:1].isspace():
            headers[name] += line  # a folded header goes on
        else:
            name, value = line.split(": ", 1)
            headers[name] = value
    return headers, body


def _decoded(part: email.message.Message) -> str:
    """A part's text in the charset it declares ("windows-1252" with its non-breaking spaces,
    an LTP list mail of 2020), else UTF-8."""
    raw = part.get_payload(decode=True) or b""
    try:
        return raw.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:
        return raw.decode("utf-8", "replace")


def messages(path: Path) -> dict[str, str]:
    """Message-ID -> the message's Subject and decoded text parts (a robot's statistic in the
    Subject is the message's own text too)."""
    if path.suffix == ".eml":
        found = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)]
    else:
        found = [email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
                 for m in mailbox.mbox(str(path))]
    out = {}
    for m in found:
        parts = [_decoded(p) for p in m.walk()
                 if p.get_content_maintype() == "text" or p.get_filename()]
        text = " ".join([str(m["Subject"] or "")] + parts)
        out[str(m["Message-ID"]).strip()] = re.sub(r"(?m)^[> ]*>", "", text)  # quote marks
    return out


def words(text: str) -> str:
    return " ".join(text.split())


def internal_words(text: str, path: Path, tmp_path: Path, reply: bool = True) -> list[str]:
    """What of the harness's own a mail must not carry: the paths it read or wrote, its
    options, its "message N (...)" labels and, in a reply, the line numbers of its copy of
    the thread (a plain mail about a pasted text may cite that text's lines)."""
    found = [w for w in (str(REPORTS), "tests/fixtures", path.name, str(tmp_path), "/tmp/pytest",
                         ".cache/harness", "--fs", "harness run", "harness triage")
             if w in text]
    found += re.findall(r"\bmessage \d+ \(|\[message \d+\]", text)
    if reply:
        found += re.findall(r"(?<![\w:])L\d+:|\bat L\d+\b", text)
    return found


@pytest.mark.parametrize("path", THREADS, ids=lambda p: p.name)
def test_corpus_thread_reply_is_ready_to_send(path, tmp_path):
    text = reply_to(path, tmp_path)
    headers, body = split(text)
    assert headers["Subject"].startswith("Re: ") and "Re: Re:" not in headers["Subject"]
    posts = messages(path)
    # Threads to a message of this thread, and References end with it.
    target = headers["In-Reply-To"]
    assert target in posts
    assert headers["References"].split()[-1] == target
    # The lines quoted under "X wrote:" are that message's own text.
    quoted = [line[2:] for line in body.splitlines() if line.startswith("> ")
              and not line.startswith("> [...")]
    assert quoted, "the reply quotes the evidence it answers"
    # each line whole, as that message has it (not re-wrapped into two "log lines")
    # (as a mail can carry it: a terminal's colour codes in the log are not text, clean_text)
    own = words(clean_text(posts[target]))
    assert [q for q in quoted if words(q.removesuffix(" [...]")) not in own] == []
    assert body.splitlines()[0].endswith(" wrote:")
    # Conclusion first: the paragraph after the quote is the verdict, not a note.
    after = body.split("\n\n", 1)[1]
    assert not after.startswith(("Note", "Environment", "--"))
    assert internal_words(text, path, tmp_path) == []
    long = [line for line in body.splitlines() if len(line) > 72 and not line.startswith(">")]
    assert long == []
    # A folded header line is longer than 72 only when it holds one address or id.
    for line in text.split("\n\n", 1)[0].splitlines():
        item = line.strip() if line[0].isspace() else line.split(": ", 1)[1]
        assert len(line) <= 72 or item.count("@") == 1 or " " not in item, line


def test_crash_without_results_still_answers_the_message_that_posted_it(tmp_path):
    path = REPORTS / "gup-fast-null-deref-bisected-next-thread.mbox"
    headers, body = split(reply_to(path, tmp_path))
    assert "f5032553-9ec0-494c-8689-0e3a6a73853c@sirena.org.uk" in headers["In-Reply-To"]
    quote = body.split("\n\n")[0]
    assert "Unable to handle kernel NULL pointer" in words(quote)
    assert not quote.rstrip().endswith(":")  # no "Full log:" that leads to nothing
    verdict = words(body.split("\n\n")[1])
    assert verdict.startswith("This points at a kernel bug")
    assert "nothing to triage" not in body


@pytest.mark.parametrize("name", NO_LOG)
def test_a_report_without_a_log_is_not_said_to_have_one(name, tmp_path):
    path = REPORTS / name
    text = words(reply_to(path, tmp_path))
    assert "in the log" not in text and "the log alone" not in text
    assert "(stated)" not in text and "test #1" not in text  # no number the report never gave
    assert internal_words(text, path, tmp_path, reply=path.suffix != ".txt") == []


def test_a_text_without_headers_gets_no_made_up_ones(tmp_path):
    text = reply_to(REPORTS / "charge-reserved-hugetlb-mawk-awk-e-mm-commits.txt", tmp_path)
    assert not re.match(r"(Subject|In-Reply-To|To):", text)
    assert "you wrote" not in text and "your message" not in text
    assert text.startswith("The report says:\n> ")


def test_notes_name_the_message_by_its_author(tmp_path):
    path = REPORTS / "cow-hugetlb-vmsplice-grep-excerpt-thread.mbox"
    text = words(reply_to(path, tmp_path))
    assert "Note: In Peter Xu's message, the excerpt covers 4 results of cow" in text
    assert "Note: In your message, the excerpt covers 6 results of cow" in text
    assert "From Peter Xu's message: # [RUN] vmsplice()" in text
    assert "were not read" not in text  # the harness's own bookkeeping


def test_a_reply_does_not_list_every_rule_that_did_not_apply(tmp_path):
    text = words(reply_to(REPORTS / "cow-vmsplice-hugetlb-xfail-patch.eml", tmp_path))
    assert "the report does not say" not in text
    assert "No known environment or configuration cause explains it" in text


def test_a_reply_says_each_message_once_per_test_list(tmp_path):
    path = REPORTS / "uffd-stress-hugepages-freed-by-runner-thread.mbox"
    text = words(reply_to(path, tmp_path))
    # hugetlb_fault_after_madv's SIGBUS (quoted from Breno Leitao's patch in every message) is
    # its own finding, the kernel race (hugetlb-madv-dontneed-fault-race); uffd-stress's is
    # the runner's
    assert ("(Tests [your message of 2 Nov 12:24] 1; [your message of 2 Nov 12:29] 1; "
            "[Breno Leitao] 1; [your message] 1.)") in text
    assert "(Tests 2, 3.) [test-bug/runner-script-bug" in text
    guard = words(reply_to(REPORTS / "guard-regions-shmem-uffd-tmp-not-tmpfs-thread.mbox",
                           tmp_path))
    assert "selftest test" not in guard and "of selftest" not in guard  # a reader's placeholder


def test_a_log_piped_in_is_not_called_stdin(tmp_path, monkeypatch):
    import io
    import sys

    text = (REPORTS / "hmm2-double-map-mirror-size-patch.txt").read_text()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    out = tmp_path / "mail.txt"
    main(["triage", "-", "--mail", str(out)])
    mail = out.read_text()
    assert "stdin" not in mail
    assert "\n    L16: not ok 53 hmm2.hmm2_device_private.double_map\n" in mail


def test_references_fall_back_to_the_parents_in_reply_to(tmp_path):
    from harness.model import Environment
    from harness.readers.mbox import Message
    from harness.report.mail import render_reply
    from harness.triage.engine import triage

    message = Message(1, "<child@example.org>", "cow fails", "Ann <ann@example.org>",
                      "Mon, 1 Jan 2024 10:00:00 +0000", in_reply_to="<parent@example.org>")
    headers, _ = split(render_reply(triage([], Environment(), [], []), message))
    assert headers["References"] == "<parent@example.org> <child@example.org>"
    assert headers["In-Reply-To"] == "<child@example.org>"


def test_only_references_to_the_input_are_dropped_not_file_names_the_report_mentions():
    from harness.report.mail import Voice

    voice = Voice()
    assert voice.say("the test is at fault: /home/u/report.txt L26: 'Fixes: abc'") \
        == "the test is at fault: 'Fixes: abc'"
    assert voice.say("the kernel has no /proc/config.gz; see dmesg.txt") \
        == "the kernel has no /proc/config.gz; see dmesg.txt"
    assert voice.notes(["a.log is the same file as b.log: read once", "kept"]) == ["Kept"]


def test_a_note_keeps_what_it_says_without_the_harness_option(tmp_path):
    from harness.report.mail import Voice

    note = ("filesystem 9p taken from the text of the report (L3: 'I was executing the script "
            "from the host filesystem using 9p.'); --fs confirms it")
    said = ("Filesystem 9p taken from the text of the report (L3: 'I was executing the script "
            "from the host filesystem using 9p.')")
    assert Voice().notes([note]) == [said]
    # a filesystem a sentence only supposes is none the run used: the memory-failure thread's
    # "... but, in theory, could be run from nfs etc." (the tests ran from tmpfs)
    text = words(reply_to(REPORTS / "memory-failure-tmpfs-0day-thread.mbox", tmp_path))
    assert "nfs" not in text.lower().replace("non-memory", "") and "--fs" not in text


def _piped(monkeypatch, data: bytes) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.mark.parametrize("gzipped", [False, True], ids=["mbox", "mbox.gz"])
def test_a_thread_piped_on_stdin_is_read_as_a_thread(gzipped, tmp_path, monkeypatch):
    # `b4 mbox -o - <msgid>` or `curl .../t.mbox.gz | harness triage -`: the thread is known
    # by what it holds, not by a file name, and the reply threads to the message with the log
    import gzip

    data = (REPORTS / "compaction-test-i386-uffd-wp-swap-oops-thread.mbox").read_bytes()
    _piped(monkeypatch, gzip.compress(data) if gzipped else data)
    out = tmp_path / "reply.txt"
    assert main(["triage", "-", "--mail", str(out)]) == 1
    headers, body = split(out.read_text())
    assert headers["In-Reply-To"] == (
        "<CA+G9fYsRGvkqtpdGv_aVr+Hn17KgYq04Q=EE=pB774qVxRqOeg@mail.gmail.com>")
    assert body.startswith("On Sun, 12 Apr 2020 12:24:57 +0530, Naresh Kamboju wrote:\n")
    assert "stdin" not in out.read_text()


def test_a_gzipped_log_piped_on_stdin_is_read(tmp_path, monkeypatch):
    import gzip

    text = (REPORTS / "hmm2-double-map-mirror-size-patch.txt").read_bytes()
    _piped(monkeypatch, gzip.compress(text))
    out = tmp_path / "mail.txt"
    main(["triage", "-", "--mail", str(out)])
    assert "not ok 53 hmm2.hmm2_device_private.double_map" in out.read_text()


@pytest.mark.parametrize("name", ["memfd-hugetlbfs-i386-invalid-opcode-thread.mbox",
                                  "cow-vmsplice-hugetlb-xfail-patch.eml"])
def test_a_thread_or_message_saved_as_txt_is_still_mail(name, tmp_path):
    # what a browser's "save as" or a mail client's "save message" gives: the content says
    # it is mail, whatever the name
    saved = tmp_path / "thread.txt"
    saved.write_bytes((REPORTS / name).read_bytes())
    headers, _ = split(reply_to(saved, tmp_path))
    assert headers["Subject"].startswith("Re: ") and headers["In-Reply-To"]


def test_a_single_text_is_not_called_a_thread(tmp_path):
    # the stated conclusion of one pasted report is the report's, not "the thread's"
    text = words(reply_to(REPORTS / "hmm2-double-map-mirror-size-patch.txt", tmp_path))
    assert "That is the report's conclusion, quoted" in text
    assert "thread" not in text
    thread = words(reply_to(REPORTS / "hmm2-double-map-mirror-size-thread.mbox", tmp_path))
    assert "That is the thread's conclusion, quoted" in thread


def test_a_kernel_crash_and_what_it_set_off_are_one_paragraph(tmp_path):
    # an Oops followed by a panic and a dozen "BUG: Bad page map" lines is one crash to
    # report, not twenty paragraphs each saying "This points at the kernel under test"
    text = reply_to(REPORTS / "compaction-test-i386-uffd-wp-swap-oops-thread.mbox", tmp_path)
    _, body = split(text)
    assert body.count("[kernel-bug/kernel-oops") == 1
    flat = words(body)
    assert "'BUG: Bad page map in process systemd-journal' (12 times)" in flat
    assert "Kernel panic - not syncing: Attempted to kill init!" in flat
    # the quote starts at the console's first crash line, not at "Steps to reproduce:"
    quote = body.split("\n\n")[0].splitlines()
    assert quote[1] == "> [   46.013647] BUG: kernel NULL pointer dereference, address: 00000000"


def test_a_kernel_crash_beside_a_passing_test_is_not_nothing(tmp_path):
    # memfd_test "passed" (ok 3) after the kernel hit BUG() (invalid opcode) under it
    text = words(reply_to(REPORTS / "memfd-hugetlbfs-i386-invalid-opcode-thread.mbox",
                          tmp_path))
    assert "Nothing points at the kernel" not in text
    assert text.split(" [ 111.", 1)[0].count("invalid opcode") == 1  # quoted once, at the top
    assert "The kernel itself reported a crash or warning during the run (kernel-oops), " \
        "although the one test passed: that points at the kernel." in text


def test_a_thread_without_a_log_answers_its_report(tmp_path):
    path = REPORTS / "nr-userfaultfd-asm-generic-unistd-thread.mbox"
    headers, body = split(reply_to(path, tmp_path))
    assert headers["In-Reply-To"] == "<3d07e4c3-e413-4378-82da-265a477bedb3@collabora.com>"
    assert "> This has caused failure" in body or "This has caused failure" in body
    assert "nothing here to triage" in words(body)
    assert "verdict is unknown, not clean" not in body  # the harness's bookkeeping


def test_one_failure_told_in_two_messages_is_one_failure(tmp_path):
    # the patch's commit message states test_prctl_fork's failure; a reply says "the issue I
    # was facing here was test_prctl_fork was failing": one failure, not "both failures"
    text = words(reply_to(REPORTS / "ksm-functional-prctl-fork-still-merged-thread.mbox",
                          tmp_path))
    assert "both failures" not in text and "The 2 " not in text
    assert "no rule knows" not in text and "line(s)" not in text
    assert not re.search(r"\('[^']*[a-z]'\)", text.split("commit message states", 1)[-1][:80])


def test_a_killed_test_and_the_kernels_line_about_its_segfault_are_one_paragraph(tmp_path):
    # mlock-random-test: "not ok 23 mlock-random-test # exit=139" and the console's "traps:
    # mlock-random-te[21661] general protection fault ... in libc.so.6": one test, one paragraph
    text = reply_to(REPORTS / "lkft-next-liburing-thread.mbox", tmp_path)
    paragraphs = [p for p in text.split("\n\n") if "mlock-random-test" in p and "confidence]" in p]
    assert len(paragraphs) == 1
    assert "general protection fault" in words(paragraphs[0])
    assert "decode_stacktrace" not in text  # a user-space segfault has no kernel trace to decode


def test_two_runs_of_one_test_stay_two_results(tmp_path):
    # the failure before the fix and the skip after it are different results
    text = reply_to(REPORTS / "gup-longterm-memfd-hugetlb-fail-not-skip-reply.txt", tmp_path)
    assert text.count("[test-bug/selftest-logic-bug") == 1
    assert "Also (env/hugetlb-pages-short)" not in text


@pytest.mark.parametrize("name", ["manticore-docker-mlock-failed-enomem.txt",
                                  "systemd-test-sigbus-ext3-fallocate-issue.txt",
                                  "memory-failure-tmpfs-0day-thread.mbox"])
def test_a_reply_names_calls_and_tests_not_the_readers_placeholders(name, tmp_path):
    text = words(reply_to(REPORTS / name, tmp_path))
    assert not re.search(r"\b(?:command|strace|report) tests?\b|/selftest\b|selftest tests?"
                         r"|\] selftest \d", text)


def test_a_warnings_own_end_trace_line_is_no_second_crash(tmp_path):
    # the WARNING's register dump and call trace run ~40 stamped lines before its
    # "---[ end trace 0000000000000000 ]---": that line ends this crash, it starts no other
    text = reply_to(REPORTS / "pagemap-ioctl-hugetlb-uffd-wp-warning-thread.mbox", tmp_path)
    assert text.count("[kernel-bug/") == 1 and "[kernel-bug/kernel-warning" in text
    assert "reported '[ 10.140197] ---[ end trace" not in words(text)


def test_one_failure_posted_in_three_messages_is_said_so(tmp_path):
    # Joel's report, Peter's patch mail and Mike's reply each show hugepage-mmap's failure
    text = words(reply_to(REPORTS / "hugepage-mmap-mountpoint-dropped-thread.mbox", tmp_path))
    assert "(one test, in three messages)" in text
    # a diffstat line is no sentence anyone wrote: whose patch it is, once
    assert "the patch is Peter Xu's." in text and "wrote: 'tools/" not in text


@pytest.mark.parametrize("name, sentence", [
    ("run-vmtests-hwpoison-thread.mbox",
     "'The addition of this test causes 2 later tests to fail with ENOMEM.'"),
    ("ksm-functional-prctl-fork-still-merged-thread.mbox",
     "will be read in child), causing the test to fail.'"),
    ("hmm2-double-map-mirror-size-thread.mbox",
     "'Fixes: fee9f6d1b8df (\"mm/hmm/test: add selftests for HMM\")'"),
])
def test_a_stated_conclusion_is_quoted_as_its_sentence(name, sentence, tmp_path):
    # not the one wrapped line the statement was read on ("the test to fail.", "... ENOMEM.
    # I suspect"), and a commit's trailer stays one trailer
    assert sentence in words(reply_to(REPORTS / name, tmp_path))


def test_a_broken_gzip_on_stdin_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    import gzip

    data = gzip.compress((REPORTS / "nr-userfaultfd-asm-generic-unistd-thread.mbox").read_bytes())
    _piped(monkeypatch, data[:len(data) // 2])  # a download cut short
    out = tmp_path / "reply.txt"
    assert main(["triage", "-", "--mail", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a readable gzip stream" in err[0]
    assert not out.exists()
