"""LAVA job definitions for one cell (arch x filesystem), and the device description that lets
Debian's ``lava-run`` boot it in the local QEMU.

The job boots the harness's kernel and initramfs in LAVA's ``qemu`` device type with the same
QEMU options ``harness run`` uses (NUMA nodes, CPUs, the 9p share or the filesystem image) and
the same kernel command line. The initramfs mounts the filesystem, runs the selftests from it
and prints one ``HARNESS-CASE <suite> <n> <name> = pass|fail|skip`` line per TAP result; a
``monitors`` test action turns those into LAVA test cases, so the lab records one result per
selftest case, and the console keeps the selftests' own output for ``harness triage``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

BOOTED = "HARNESS-LAVA-BOOTED"
START = "HARNESS-LAVA-START"
END = "HARNESS-LAVA-END"
CASE = "HARNESS-CASE"
CASE_PATTERN = CASE + r" (?P<test_case_id>[^=\r\n]+?) = (?P<result>pass|fail|skip)"
LAVA_ARCH = {"x86_64": "amd64", "arm64": "arm64"}

# Per TAP result line, one line LAVA's monitor can match: the [RUN] name before it, or the
# result line's own text; "# SKIP" is a skip, "# XFAIL" an expected failure (a pass).
_AWK = r"""
/\[RUN\]/ { name = $0; sub(/.*\[RUN\] */, "", name); next }
/^(not )?ok [0-9]+/ {
  result = ($1 == "ok") ? "pass" : "fail"
  if ($0 ~ /# *SKIP/) result = "skip"
  if ($0 ~ /# *XFAIL/) result = "pass"
  first = ($1 == "ok") ? 2 : 3
  number = $first
  if (name == "") { name = $0; sub(/^(not )?ok [0-9]+ */, "", name); sub(/ *#.*/, "", name) }
  gsub(/=/, "-", name)
  print "HARNESS-CASE " suite " " number " " name " = " result
  name = ""
}
"""


@dataclass
class Cell:
    """What one LAVA job needs: the guest's files and QEMU options for one arch x filesystem."""

    name: str  # x86_64-9p
    arch: str
    fs: str
    kernel: Path
    initrd: Path
    console: str
    kernel_args: str
    memory_mib: int
    qemu_options: list[str]  # NUMA, CPUs, the share: "-opt value" items
    images: dict[str, tuple[Path, str]] = field(default_factory=dict)  # label -> (file, arg)
    cpu: str = ""
    machine: str = ""
    tests: tuple[str, ...] = ("gup_longterm", "cow")
    test_timeout_s: float = 900.0
    boot_timeout_s: float = 240.0
    notes: list[str] = field(default_factory=list)


def autorun(tests: tuple[str, ...], mountpoint: str, selftest_dir: str) -> list[str]:
    """Guest shell commands (after the mount) that run the tests and print LAVA's case lines."""
    lines = [f"echo {BOOTED}", f"cd {shlex.quote(mountpoint)}"]
    for test in tests:
        out = f"/tmp/harness-{test}.out"
        lines += [
            f"echo '{START} {test}'",
            f"{selftest_dir}/{test} 2>&1 | tee {out}",
            f"awk -v suite={test} {shlex.quote(_AWK)} {out}",
            f"echo '{END} {test}'",
        ]
    return lines + ["cd /"]


def _minutes(seconds: float) -> dict[str, int]:
    return {"minutes": max(1, int(-(-seconds // 60)))}


def _url(path: Path, url_base: str | None, cell: Cell) -> str:
    if url_base:
        return f"{url_base.rstrip('/')}/{cell.name}/{path.name}"
    return f"file://{path.resolve()}"


def job_definition(cell: Cell, url_base: str | None = None) -> dict[str, object]:
    """The LAVA job (a dict to dump as YAML) for ``cell``."""
    append = f"console={cell.console} panic=-1 {cell.kernel_args}".strip()
    images: dict[str, object] = {
        "kernel": {"url": _url(cell.kernel, url_base, cell),
                   "image_arg": f"-kernel {{kernel}} -append \"{append}\""},
        "ramdisk": {"url": _url(cell.initrd, url_base, cell), "image_arg": "-initrd {ramdisk}"},
    }
    for label, (path, arg) in cell.images.items():
        images[label] = {"url": _url(path, url_base, cell), "image_arg": arg}
    context: dict[str, object] = {"arch": LAVA_ARCH[cell.arch], "memory": cell.memory_mib,
                                  "no_kvm": True,
                                  "extra_options": list(cell.qemu_options)}
    if cell.cpu:
        context["cpu"] = cell.cpu
    if cell.machine:
        context["machine"] = cell.machine
    tests_s = cell.test_timeout_s * len(cell.tests)
    job_s = max(cell.boot_timeout_s, cell.test_timeout_s) + tests_s + 300
    monitors = [{"name": test, "start": f"{START} {test}", "end": f"{END} {test}",
                 "pattern": CASE_PATTERN} for test in cell.tests]
    return {
        "device_type": "qemu",
        "job_name": f"harness mm selftests {' '.join(cell.tests)} on {cell.fs} ({cell.arch})",
        "timeouts": {"job": _minutes(job_s), "action": _minutes(job_s),
                     "connection": {"minutes": 2}},
        "priority": "medium",
        "visibility": "public",
        "context": context,
        "metadata": {"harness.fs": cell.fs, "harness.arch": cell.arch,
                     "harness.cmdline": cell.kernel_args or "(none)"},
        "actions": [
            {"deploy": {"to": "tmpfs", "timeout": {"minutes": 5}, "images": images}},
            # lava-run's console keeps the boot action's timeout as its limit for silence, and
            # a selftest's output comes through a pipe (tee) in blocks: allow a whole test.
            {"boot": {"method": "qemu", "media": "tmpfs",
                      "timeout": _minutes(max(cell.boot_timeout_s, cell.test_timeout_s)),
                      "prompts": [BOOTED]}},
            {"test": {"timeout": _minutes(tests_s), "monitors": monitors}},
        ],
    }


def device_description(cell: Cell, job: dict) -> dict[str, object]:
    """A rendered ``qemu`` device for lava-run on this machine, as a lab renders its own from
    the qemu device-type template and the job's context (TCG, no network, the job's memory,
    CPU, machine and extra options)."""
    from harness.arch import get_arch

    a = get_arch(cell.arch)
    context = job["context"]
    assert isinstance(context, dict)
    options = ["-nographic", "-net none", f"-m {context['memory']}", "-monitor none"]
    if context.get("machine"):
        options.append(f"-machine {context['machine']}")
    if context.get("cpu"):
        options.append(f"-cpu {context['cpu']}")
    seconds = {"seconds": 30}
    return {
        "constants": {"posix": {"lava_test_sh_cmd": "/bin/sh",
                                "lava_test_results_dir": "/lava-%s",
                                "lava_test_shell_file": "~/.profile"},
                      "shutdown-message": "The system is going down for reboot NOW",
                      "kernel-start-message": "Linux version [0-9]",
                      "default-shell-prompt": "lava-test: # ",
                      "spawn_maxread": "4092", "failure_retry": 1, "boot_retry": ""},
        "parameters": {},
        "available_architectures": [LAVA_ARCH[cell.arch]],
        "actions": {
            "deploy": {"connections": {"serial": None}, "methods": {"image": None}},
            "boot": {"connections": {"serial": None},
                     "methods": {"qemu": {"parameters": {
                         "command": a.qemu_binary, "options": options,
                         "extra": list(context.get("extra_options") or [])}}}},
        },
        "timeouts": {"actions": {"apply-overlay-image": {"minutes": 2},
                                 "lava-test-monitor": {"minutes": 60}},
                     "connections": {"lava-test-monitor": {"minutes": 60},
                                     "bootloader-commands": seconds}},
    }
