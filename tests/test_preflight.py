"""The checks before a QEMU guest boots: kernel options, gup_test and swap (cli/preflight.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from guests.assets.kernels import KernelAssets, find_kernel
from harness.cli.preflight import preflight
from harness.errors import UsageError


def debian_kernel() -> KernelAssets:
    kernel = find_kernel("x86_64", "6.12")
    if kernel is None or kernel.config is None:
        pytest.skip("no Debian 6.12 kernel in the cache: run harness setup")
    return kernel


def user_kernel(tmp_path: Path, drop: tuple[str, ...]) -> KernelAssets:
    """Debian's image and config as a user's --kernel, with some options turned off."""
    kernel = debian_kernel()
    text = kernel.config.read_text()
    for option in drop:
        text = text.replace(f"CONFIG_{option}=y\n", f"# CONFIG_{option} is not set\n")
        text = text.replace(f"CONFIG_{option}=m\n", f"# CONFIG_{option} is not set\n")
    config = tmp_path / f"config-{kernel.release}"
    config.write_text(text)
    image = tmp_path / "bzImage"
    shutil.copyfile(kernel.image, image)
    return KernelAssets(arch="x86_64", release=kernel.release, version=kernel.version,
                        image=image, modules_dir=kernel.modules_dir, config=config)


def test_debian_kernel_gets_the_cached_gup_test_module_and_swap(tmp_path) -> None:
    pre = preflight(debian_kernel(), fs="xfs", arch="x86_64", swap=True, swap_mib=512,
                    kernel_tree=None)
    assert set(pre.late_modules) == {"gup_test"}
    assert pre.gup_test_source.startswith("module built from linux-source-")
    assert pre.swap_mib == 512
    assert [line for line in pre.lines if "GUP_TEST unset; the guest loads gup_test.ko" in line]


def test_missing_test_options_are_named_before_boot(tmp_path) -> None:
    kernel = user_kernel(tmp_path, ("TRANSPARENT_HUGEPAGE", "IO_URING", "ZRAM"))
    pre = preflight(kernel, fs="xfs", arch="x86_64", swap=True, swap_mib=512, kernel_tree=None)
    text = "\n".join(pre.lines)
    assert "TRANSPARENT_HUGEPAGE: the THP cases of cow and gup_longterm will skip" in text
    assert "IO_URING: the io_uring cases" in text
    assert "ZRAM: the guest's swap is a zram device" in text
    # --no-swap: the missing zram no longer matters.
    quiet = preflight(kernel, fs="xfs", arch="x86_64", swap=False, swap_mib=512,
                      kernel_tree=None)
    assert "ZRAM" not in "\n".join(quiet.lines) and quiet.swap_mib == 0


def test_no_9p_in_the_kernel_stops_a_9p_run(tmp_path) -> None:
    kernel = user_kernel(tmp_path, ("NET_9P", "NET_9P_VIRTIO", "9P_FS"))
    with pytest.raises(UsageError, match=r"NET_9P, NET_9P_VIRTIO, 9P_FS missing - --fs 9p"):
        preflight(kernel, fs="9p", arch="x86_64", swap=True, swap_mib=512, kernel_tree=None)
    pre = preflight(kernel, fs="xfs", arch="x86_64", swap=True, swap_mib=512, kernel_tree=None)
    # A user's kernel gets no module built for Debian's, even with the same release name.
    assert not pre.late_modules and pre.gup_test_source.startswith("missing: CONFIG_GUP_TEST")
    assert any("GUP_TEST: gup_longterm's long-term pinning cases" in ln for ln in pre.lines)


def test_cli_refuses_a_pointless_run_in_one_line_before_anything_is_created(tmp_path) -> None:
    kernel = user_kernel(tmp_path, ("NET_9P", "NET_9P_VIRTIO", "9P_FS"))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--fs", "9p", "--kernel", str(kernel.image),
         "--out", str(out), "--json", str(tmp_path / "r.json")],
        capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "NET_9P, NET_9P_VIRTIO, 9P_FS missing" in lines[0]
    assert not out.exists() and not (tmp_path / "r.json").exists()
