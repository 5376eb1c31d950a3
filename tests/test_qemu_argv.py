"""QEMU argv assembly: a pure function of the arch, kernel, initrd, memory, NUMA, cmdline, accel."""

from pathlib import Path

import pytest

from guests.base import GuestError
from guests.cmdline import build_cmdline
from guests.qemu import QemuConfig, build_argv
from harness.arch import ARM64, X86_64, ArchError, get_arch, kernel_image_arch


def _opt(argv, flag):
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def test_x86_thread_argv_two_nodes_with_memdev_and_sockets():
    plan = build_cmdline("x86_64", "thread", "")
    argv = build_argv(QemuConfig(arch=X86_64, kernel=Path("/k"), initrd=Path("/i"),
                                 numa=tuple(plan.numa), smp=2, kernel_args=plan.kernel_args))
    assert argv[0] == "qemu-system-x86_64"
    assert _opt(argv, "-accel") == ["tcg"] and _opt(argv, "-cpu") == ["max,-erms,-fsrm"]
    assert _opt(argv, "-smp") == ["2,sockets=2"]
    assert _opt(argv, "-m") == ["7296M"]
    assert _opt(argv, "-object") == ["memory-backend-ram,id=mem0,size=4224M",
                                     "memory-backend-ram,id=mem1,size=3072M"]
    assert _opt(argv, "-numa") == ["node,nodeid=0,memdev=mem0,cpus=0",
                                   "node,nodeid=1,memdev=mem1,cpus=1"]
    append = _opt(argv, "-append")[0]
    assert append.startswith("console=ttyS0 panic=-1 ")
    assert "hugepagesz=1G" in append and "hugepagesz=64K" not in append
    assert "oops=panic" not in append
    assert {"-nographic", "-no-reboot"} <= set(argv)
    assert _opt(argv, "-kernel") == ["/k"] and _opt(argv, "-initrd") == ["/i"]


def test_arm64_argv_virt_pauth_and_console():
    argv = build_argv(QemuConfig(arch=ARM64, kernel=Path("/Image"), initrd=Path("/i"),
                                 numa=(6144, 6144), smp=4, extra_args=("-virtfs", "local,x")))
    assert argv[0] == "qemu-system-aarch64"
    assert _opt(argv, "-M") == ["virt"]
    assert _opt(argv, "-cpu") == ["max,pauth-impdef=on"]
    assert _opt(argv, "-numa") == ["node,nodeid=0,memdev=mem0,cpus=0-1",
                                   "node,nodeid=1,memdev=mem1,cpus=2-3"]
    assert _opt(argv, "-append")[0].startswith("console=ttyAMA0 ")
    assert argv[-2:] == ["-virtfs", "local,x"]  # profile args last


def test_single_node_and_kvm():
    argv = build_argv(QemuConfig(arch=X86_64, kernel=Path("/k"), initrd=Path("/i"),
                                 numa=(2048,), smp=2, accel="kvm"))
    assert "-numa" not in argv and "-object" not in argv
    assert _opt(argv, "-smp") == ["2"] and _opt(argv, "-m") == ["2048M"]
    assert _opt(argv, "-accel") == ["kvm"] and _opt(argv, "-cpu") == ["host"]
    with pytest.raises(GuestError):
        build_argv(QemuConfig(arch=X86_64, kernel=Path("/k"), initrd=Path("/i"),
                              numa=(2048,), accel="hvf"))


def test_arch_aliases():
    assert get_arch("amd64") is X86_64 and get_arch("aarch64") is ARM64
    with pytest.raises(ArchError, match="unsupported arch"):
        get_arch("riscv64")


def test_kernel_image_arch_from_headers(tmp_path):
    import gzip

    arm = tmp_path / "Image"
    arm.write_bytes(b"\0" * 0x38 + b"ARM\x64" + b"\0" * 64)
    assert kernel_image_arch(arm) == "arm64"
    gz = tmp_path / "Image.gz"
    gz.write_bytes(gzip.compress(arm.read_bytes()))
    assert kernel_image_arch(gz) == "arm64"
    elf = tmp_path / "vmlinux"
    elf.write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 11 + (62).to_bytes(2, "little") + b"\0" * 40)
    assert kernel_image_arch(elf) == "x86_64"


def test_only_the_minimal_line_gets_panic_minus_one():
    """The thread's line (and a literal one) go to the kernel as given, plus console=: a panic
    ends the run through the console watch instead (test_console.py)."""
    for choice, panic in (("thread", False), ("minimal", True), ("quiet", False)):
        plan = build_cmdline("arm64", choice, "")
        assert plan.panic_reboot is panic
        argv = build_argv(QemuConfig(arch=ARM64, kernel=Path("/Image"), initrd=Path("/i"),
                                     numa=tuple(plan.numa), kernel_args=plan.kernel_args,
                                     panic_reboot=plan.panic_reboot))
        append = _opt(argv, "-append")[0]
        assert append == " ".join(["console=ttyAMA0", *(["panic=-1"] if panic else []),
                                   plan.kernel_args]).strip()
        assert "-no-reboot" in argv
