"""Which files make strace run in the guest: host strace for the host arch, Debian's otherwise."""

import os
import shutil

import pytest

from guests.base import GuestError
from guests.strace_bundle import closure, resolve_in_root, strace_files


def test_resolve_follows_relative_and_absolute_links_inside_the_root(tmp_path):
    (tmp_path / "lib/aarch64-linux-gnu").mkdir(parents=True)
    real = tmp_path / "lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"
    real.write_bytes(b"loader")
    os.symlink("aarch64-linux-gnu/ld-linux-aarch64.so.1", tmp_path / "lib/ld-linux-aarch64.so.1")
    (tmp_path / "usr").mkdir()
    os.symlink("/lib", tmp_path / "usr/lib")  # absolute: must stay inside the root
    assert resolve_in_root(tmp_path, "/lib/ld-linux-aarch64.so.1") == real
    assert resolve_in_root(tmp_path, "/usr/lib/ld-linux-aarch64.so.1") == real
    assert resolve_in_root(tmp_path, "/lib/missing.so") is None
    os.symlink("loop", tmp_path / "loop")
    assert resolve_in_root(tmp_path, "/loop") is None


@pytest.mark.skipif(not (shutil.which("strace") and shutil.which("readelf")),
                    reason="needs strace and binutils")
def test_host_strace_with_libs_and_loader():
    files = strace_files(os.uname().machine.replace("aarch64", "arm64"))
    assert "/usr/bin/strace" in files
    assert any(p.endswith("/libc.so.6") for p in files)
    assert any("ld-linux" in p for p in files)
    assert all(f.is_file() for f in files.values())


def test_missing_library_is_a_clear_error(tmp_path):
    if not shutil.which("readelf"):
        pytest.skip("needs binutils")
    (tmp_path / "usr/bin").mkdir(parents=True)
    shutil.copyfile(shutil.which("readelf"), tmp_path / "usr/bin/tool")  # dynamic, needs libc
    with pytest.raises(GuestError, match="is missing from|which is not in"):
        closure(tmp_path, "/usr/bin/tool", "x86_64")
