"""The KVM probe runs once per host kernel, /dev/kvm and QEMU build, not once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from guests import accel_memory, qemu
from harness.arch import get_arch


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("HARNESS_ACCEL", raising=False)
    monkeypatch.setattr(qemu, "_accel_cache", {})
    return tmp_path / "cache"


@pytest.fixture
def probes(monkeypatch) -> list[str]:
    """Pretend KVM is worth a probe here and count the probe boots (each answers TCG)."""
    calls: list[str] = []

    def probe(arch, kernel, initrd):
        calls.append(arch.name)
        return "tcg", "TCG: KVM probe boot failed (kvm_buf_set_msrs: Assertion failed)"

    monkeypatch.setattr(qemu, "kvm_possible", lambda arch: "")
    monkeypatch.setattr(qemu, "_probe_kvm", probe)
    return calls


def new_process(monkeypatch) -> None:
    monkeypatch.setattr(qemu, "_accel_cache", {})


def test_the_answer_is_remembered_between_runs(cache, probes, monkeypatch, tmp_path) -> None:
    x86 = get_arch("x86_64")
    first = qemu.choose_accel(x86, tmp_path / "k", tmp_path / "i")
    new_process(monkeypatch)
    second = qemu.choose_accel(x86, tmp_path / "k", tmp_path / "i")
    assert probes == ["x86_64"]
    assert first[0] == second[0] == "tcg"
    assert "remembered from a probe on" in second[1] and "kvm_buf_set_msrs" in second[1]
    assert (cache / accel_memory.FILE).is_file()


def test_a_new_qemu_build_or_host_kernel_probes_again(cache, probes, monkeypatch,
                                                      tmp_path) -> None:
    x86 = get_arch("x86_64")
    qemu.choose_accel(x86, tmp_path / "k", tmp_path / "i")
    new_process(monkeypatch)
    monkeypatch.setattr(accel_memory, "qemu_version", lambda binary: "QEMU emulator version 9.2")
    qemu.choose_accel(x86, tmp_path / "k", tmp_path / "i")
    assert probes == ["x86_64", "x86_64"]
    new_process(monkeypatch)
    monkeypatch.setattr(accel_memory.os, "uname", lambda: type("U", (), {
        "release": "6.99.0", "version": "#1 SMP"})())
    qemu.choose_accel(x86, tmp_path / "k", tmp_path / "i")
    assert len(probes) == 3


def test_harness_accel_probe_forgets(cache, probes, monkeypatch, tmp_path) -> None:
    x86 = get_arch("x86_64")
    qemu.choose_accel(x86, tmp_path / "k", tmp_path / "i")
    new_process(monkeypatch)
    monkeypatch.setenv("HARNESS_ACCEL", "probe")
    _, why = qemu.choose_accel(x86, tmp_path / "k", tmp_path / "i")
    assert len(probes) == 2 and "remembered" not in why


def test_the_key_names_what_decides_the_answer() -> None:
    key = accel_memory.probe_key("x86_64", "qemu-system-x86_64")
    arch, host, kvm, version = key.split(" | ")
    assert arch == "x86_64"
    assert host.startswith(__import__("os").uname().release)
    assert kvm.startswith("/dev/kvm ") or kvm == "no /dev/kvm"
    assert version.startswith("QEMU emulator version") or version.endswith("not runnable")
