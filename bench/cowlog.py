"""Generate big cow-like kselftest logs from a real capture, with their exact expected counts.

The test cases, their order, names and messages come from a real cow run
(tests/fixtures/logs/qemu-x86_64-9p-cow.log: 778 results, 6.12.117 under QEMU). A generated
log is ONE TAP stream (one header, one plan) that cycles through those cases, renumbered, with a
seeded mix of what fleets see on top of the capture: the file-backed variants failing with
`ftruncate() failed` (9p) or `fallocate() failed` (NFS < 4.2) for a whole cycle, an
occasional real-looking leak failure, strerror diagnostics before failures, [INFO] lines and
printk noise. ``generate`` returns the exact status counts harness must report.

Usage: python bench/cowlog.py RESULTS OUT.log [RUNNER_LEVELS]
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "tests/fixtures/logs/qemu-x86_64-9p-cow.log"
FILE_CONFIGS = (" ... with tmpfile", " ... with local tmpfile")


def cases(fixture: Path = FIXTURE) -> list[tuple[str, str]]:
    """(name on the [RUN] line, result text after 'ok N ') of every case in the capture."""
    out: list[tuple[str, str]] = []
    run = ""
    for line in fixture.read_text().splitlines():
        if line.startswith("# [RUN] "):
            run = line[len("# [RUN] "):]
        elif line.startswith(("ok ", "not ok ")):
            rest = line.split(" ", 2)[2] if line.startswith("ok ") else line.split(" ", 3)[3]
            out.append((run, rest))
    return out


def status_of(ok: bool, rest: str) -> str:
    if "# SKIP" in rest:
        return "skip"
    if "# XFAIL" in rest:
        return "xfail" if ok else "fail"
    return "pass" if ok else "fail"


def generate(path: Path, results: int, seed: int = 1, scenario: str | None = None,
             runner: int = 0) -> Counter[str]:
    """Write a log with exactly ``results`` results; returns the count of each status.

    scenario: None mixes per cycle; "9p", "nfs", "clean" or "leak" fixes one for the log.
    runner: 0, the binary's own output; 1, as the kselftest runner (run_kselftest.sh) shows
    it, every line of cow '# '-prefixed between '# selftests: mm: cow' and the runner's own
    'ok 1 selftests: mm: cow'; 2, as the runner shows run_vmtests.sh -t running cow (cow's
    lines '# # '-prefixed, run_vmtests.sh's '# ok 1 cow' and SUMMARY, then the runner's
    verdict). Printk noise stays unprefixed (the kernel writes to the console itself).
    """
    rng = random.Random(seed)
    table = cases()
    counts: Counter[str] = Counter()
    prefix = "# " * runner
    with path.open("w", encoding="utf-8") as f:
        raw = f.write

        def w(text: str) -> None:
            raw(prefix + text)

        binary = "cow" if runner < 2 else "run_vmtests.sh"
        if runner:
            raw(f"TAP version 13\n1..1\n# timeout set to 180\n# selftests: mm: {binary}\n")
        if runner == 2:
            raw("# TAP version 13\n# # -----------------\n# # running ./cow\n"
                "# # -----------------\n")
        w("TAP version 13\n")
        w("# [INFO] detected PMD size: 2048 KiB\n")
        w("# [INFO] detected hugetlb page size: 2048 KiB\n")
        w(f"1..{results}\n")
        n = 0
        while n < results:
            kind = scenario or rng.choices(("clean", "9p", "nfs", "leak"), (6, 2, 1, 1))[0]
            room = min(len(table), results - n)
            eligible = [i for i, (_, rest) in enumerate(table[:room])
                        if "SKIP" not in rest and "XFAIL" not in rest]
            leak_at = rng.choice(eligible) if kind == "leak" and eligible else -1
            for i, (name, rest) in enumerate(table):
                n += 1
                if n > results:
                    break
                w(f"# [RUN] {name}\n")
                ok = True
                if kind in ("9p", "nfs") and name.endswith(FILE_CONFIGS) and "SKIP" not in rest:
                    ok = False
                    call, err = (("ftruncate", "No such file or directory") if kind == "9p"
                                 else ("fallocate", "Operation not supported"))
                    w(f"# {call}() failed ({err})\n")
                    rest = f"{call}() failed"
                elif i == leak_at and "SKIP" not in rest and "XFAIL" not in rest:
                    ok = False
                    rest = "Leak from parent into child"
                if n % 97 == 0:
                    raw(f"[ {n / 1000:12.6f}] virtio_net virtio0 eth0: noise {n}\n")
                w(f"{'ok' if ok else 'not ok'} {n} {rest}\n")
                counts[status_of(ok, rest)] += 1
        w(f"# Totals: pass:{counts['pass']} fail:{counts['fail']} xfail:{counts['xfail']} "
          f"xpass:0 skip:{counts['skip']} error:0\n")
        verdict = "not ok" if counts["fail"] else "ok"
        exit_code = " # exit=1" if counts["fail"] else ""
        if runner == 2:
            raw(f"# # [{'FAIL' if counts['fail'] else 'PASS'}]\n# {verdict} 1 cow{exit_code}\n"
                f"# # SUMMARY: PASS={0 if counts['fail'] else 1} SKIP=0 "
                f"FAIL={1 if counts['fail'] else 0}\n# 1..1\n")
        if runner:
            raw(f"{verdict} 1 selftests: mm: {binary}{exit_code}\n")
    return counts


if __name__ == "__main__":
    got = generate(Path(sys.argv[2]), int(sys.argv[1]),
                   runner=int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    print(dict(sorted(got.items())))
