"""The default QEMU guest runs the heart of the tests: gup_test is there and swap works.

Debian's kernels lack CONFIG_GUP_TEST and the guest used to have no swap, so 62% of the cases
skipped. These boot the real Debian kernel with the harness's gup_test.ko and zram swap.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest


def harness_run(tmp: Path, *args: str) -> dict:
    out = tmp / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", *args, "--out", str(tmp / "out"),
         "--json", str(out)], capture_output=True, text=True, timeout=3600, check=False)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return json.loads(out.read_text())


@pytest.mark.qemu
def test_xfs_longterm_pin_cases_run_with_the_gup_test_module(tmp_path, x86_assets):
    report = harness_run(tmp_path, "--fs", "xfs", "--tests", "gup_longterm", "--cmdline",
                         "minimal")
    env = report["environment"]
    assert env["gup_test"] is True
    assert env["gup_test_source"].startswith("module built from linux-source-6.12")
    assert "zram0" in env["swap_source"] and env["swap_kb"] > 0
    pins = [r for r in report["results"] if "longterm" in r["name"] and "pin" in r["name"]]
    assert len(pins) == 40  # R/W, R/O x GUP, GUP-fast x shared, private x 5 file kinds
    # No hugetlb pages on the minimal command line: those skip; every other pin case runs and
    # passes (XFS refuses the R/W long-term pin of a shared mapping, as the test expects).
    assert {r["status"] for r in pins if "hugetlb" not in r["name"]} == {"pass"}
    rw = [r for r in pins if r["name"].startswith("R/W") and "hugetlb" not in r["name"]]
    assert len(rw) == 12
    assert not [r for r in pins if r["message"].startswith("gup_test not available")]


@pytest.mark.qemu
def test_no_swap_turns_the_swap_off(tmp_path, x86_assets):
    report = harness_run(tmp_path, "--fs", "tmpfs", "--tests", "gup_longterm", "--cmdline",
                         "minimal", "--no-swap")
    env = report["environment"]
    assert env["swap_kb"] == 0 and env["swap_source"] == "none (--no-swap)"


@pytest.mark.qemu
def test_swapped_out_and_ro_pin_cow_cases_run(tmp_path, x86_assets):
    report = harness_run(tmp_path, "--fs", "tmpfs", "--tests", "cow", "--cmdline", "minimal")
    results = report["results"]
    swapped = [r for r in results if "swapped" in r["name"] or "swapped-out" in r["name"]]
    assert len(swapped) > 200
    assert Counter(r["status"] for r in swapped)["skip"] == 0
    ro_pins = [r for r in results if "R/O" in r["name"] and "pin" in r["name"]]
    skipped = [r for r in ro_pins if r["status"] == "skip"]
    # Without hugetlb reservations only the hugetlb variants may skip.
    assert all("hugetlb" in r["name"] for r in skipped), skipped[:3]


def built_tree(tmp: Path) -> tuple[Path, Path]:
    """A built 6.12 kernel tree from real parts: Debian's linux-headers of the cached kernel
    (.config, Module.symvers, utsrelease.h, kbuild) plus the same version's sources from
    linux-source (the selftests, mm/gup_test.[ch], the Makefile's version); and the kernel."""
    import shutil

    from guests.assets.gup_test import _debian_manifest, _unpack_headers
    from guests.assets.kernels import find_kernel
    from harness.cache import cache_dir

    kernel = find_kernel("x86_64", "6.12")
    sources = sorted((cache_dir() / "sources").glob("linux-source-*/linux-source-*/Makefile"))
    manifest = _debian_manifest(kernel) if kernel else None
    if kernel is None or manifest is None or not sources:
        pytest.skip("no Debian 6.12 kernel or linux-source in the cache: run harness setup")
    source = sources[-1].parent
    tree = _unpack_headers(kernel, str(manifest["package_version"]), tmp / "root")
    shutil.copytree(source / "tools", tree / "tools", symlinks=True, dirs_exist_ok=True)
    (tree / "mm").mkdir()
    for name in ("gup_test.c", "gup_test.h"):
        shutil.copy2(source / "mm" / name, tree / "mm" / name)
    version = [ln for ln in (source / "Makefile").read_text().splitlines()
               if ln.split(" ")[0] in ("VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION")]
    makefile = tree / "Makefile"
    makefile.write_text("\n".join(version) + "\n" + makefile.read_text())
    image = tmp / "vmlinuz"
    shutil.copyfile(kernel.image, image)
    return tree, image


@pytest.mark.qemu
def test_a_kernel_tree_run_loads_gup_test_built_against_that_tree(tmp_path, x86_assets):
    import shutil

    from guests.assets.kernels import find_kernel
    from guests.assets.selftests import _selftests_key, ensure_selftests
    from guests.host_setup import tree_gup_test_line
    from harness.cache import cache_dir

    tree, image = built_tree(tmp_path)
    try:
        ensure_selftests("x86_64", tree)  # what `harness setup --kernel-tree` does first
        line = tree_gup_test_line(tree, "x86_64")
        assert line.endswith("gup_test.ko") and "/gup_test/x86_64/tree-6.12." in line, line
        kernel = find_kernel("x86_64", "6.12")
        assert kernel is not None and kernel.modules_dir is not None
        report = harness_run(tmp_path, "--fs", "xfs", "--tests", "gup_longterm", "--cmdline",
                             "minimal", "--kernel", str(image), "--modules",
                             str(kernel.modules_dir.parent), "--kernel-tree", str(tree))
    finally:
        shutil.rmtree(cache_dir() / "selftests" / "x86_64" / _selftests_key(tree),
                      ignore_errors=True)
    env = report["environment"]
    assert env["gup_test"] is True
    assert env["gup_test_source"] == (f"module built from its own mm/gup_test.c against the "
                                      f"kernel tree {tree} ({kernel.release})")
    shared_rw = [r for r in report["results"]
                 if r["name"].startswith("R/W longterm GUP") and "MAP_SHARED" in r["name"]
                 and r["config"] == "local tmpfile"]
    # XFS refused the R/W long-term pins of its shared mapping, through the tree's module.
    assert [(r["status"], r["message"]) for r in shared_rw] == [("pass", "Should have failed")] * 2
