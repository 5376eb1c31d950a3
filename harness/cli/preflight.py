"""Before a QEMU guest boots: the kernel's options checked, gup_test and swap chosen.

The config is the kernel's own (``config-<release>`` beside the image or in the Debian package,
the ``.config`` of ``--kernel-tree`` when it built this release, else the ``IKCONFIG`` copy in
the image). Missing options are printed with the tests that will skip; a run that cannot work
(no serial console, no 9p for ``--fs 9p``) stops with one line and exit 2 before anything boots.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import UsageError
from harness.kconfig import check, ikconfig_from_image, parse_config, parse_config_file


@dataclass
class Preflight:
    gup_test_source: str  # for the environment
    late_modules: dict[str, Path] = field(default_factory=dict)
    swap_mib: int = 0
    lines: list[str] = field(default_factory=list)  # printed before the boot
    notes: list[str] = field(default_factory=list)  # kept in the report's environment


def kernel_config(kernel, kernel_tree: Path | None) -> tuple[dict[str, str], str] | None:
    """(options, where they came from) for ``kernel``, or None when no config is readable."""
    if kernel.config is not None and kernel.config.is_file():
        return parse_config_file(kernel.config), kernel.config.name
    if kernel_tree is not None and (kernel_tree / ".config").is_file():
        from guests.assets.gup_test import tree_release

        built = tree_release(kernel_tree)
        if built is None or built == kernel.release:
            return parse_config_file(kernel_tree / ".config"), f"{kernel_tree}/.config"
    from guests.assets.kernel_image import maybe_gunzip

    for image in (kernel.vmlinux, kernel.image):
        if image is not None and image.is_file():
            text = ikconfig_from_image(maybe_gunzip(image.read_bytes()))
            if text:
                return parse_config(text), f"IKCONFIG in {image.name}"
    return None


def kernel_tree_of(kernel, kernel_tree: Path | None) -> Path | None:
    """The built tree of ``kernel``: --kernel-tree, or the tree its image sits in
    (<tree>/arch/<arch>/boot/...)."""
    if kernel_tree is not None:
        return kernel_tree
    parts = kernel.image.resolve().parts
    if "arch" in parts and "boot" in parts[parts.index("arch"):]:
        tree = Path(*parts[: parts.index("arch")])
        return tree if (tree / ".config").is_file() else None
    return None


NO_GUP_TEST_SKIPS = ("gup_longterm's long-term pinning cases (R/W and R/O, GUP and "
                     "GUP-fast) and cow's R/O long-term pinning cases will skip "
                     "(\"gup_test not available\")")


def _gup_test(kernel, options: dict[str, str] | None, kernel_tree: Path | None):
    """(source line, module path or None) for /sys/kernel/debug/gup_test in this guest."""
    from guests.assets.gup_test import find_gup_test, find_tree_gup_test, is_module_tree

    if options is not None and options.get("GUP_TEST") == "y":
        return "built in (CONFIG_GUP_TEST=y)", None
    tree = kernel_tree_of(kernel, kernel_tree)
    found = find_gup_test(kernel)
    if found is None and tree is not None:
        found = find_tree_gup_test(tree, kernel.arch, kernel.release)
    if found is not None:
        return found.source, found.module
    if tree is not None and is_module_tree(tree):
        how = (f"run `harness setup --arch {kernel.arch} --kernel-tree {tree}` to build "
               "gup_test.ko against it")
    else:
        how = ("give the kernel's built tree (--kernel-tree DIR, with its .config and "
               "Module.symvers) to `harness setup` and the run, and gup_test.ko is built against "
               "it; or build the kernel with CONFIG_GUP_TEST=y")
    if options is None:
        return (f"unknown: no readable config and no gup_test module for {kernel.release}; "
                f"without CONFIG_GUP_TEST {NO_GUP_TEST_SKIPS} ({how})"), None
    return (f"missing: CONFIG_GUP_TEST is not set and the harness has no gup_test module for "
            f"{kernel.release} ({how})"), None


def preflight(kernel, *, fs: str, arch: str, swap: bool, swap_mib: int,
              kernel_tree: Path | None) -> Preflight:
    """Check the kernel's options for a run on ``fs``; raise UsageError when it cannot work."""
    found = kernel_config(kernel, kernel_tree)
    options, source = found if found else (None, "")
    gup_source, module = _gup_test(kernel, options, kernel_tree)
    result = Preflight(gup_test_source=gup_source, swap_mib=swap_mib if swap else 0)
    if module is not None:
        result.late_modules["gup_test"] = module
    if options is None:
        result.lines.append(f"kernel config of {kernel.release}: not readable (no config file "
                            "beside the image, no IKCONFIG): options not checked before boot")
        if module is None:
            result.lines.append(f"gup_test: {gup_source}")
            result.notes.append(f"gup_test: {gup_source}")
        return result
    provided = {"gup_test": f"the guest loads {module.name} ({gup_source})"} if module else {}
    checked = check(options, source, fs=fs, arch=arch, swap=swap, provided=provided)
    if not checked.ok:
        raise UsageError(checked.error())
    result.lines += checked.lines()
    result.notes += checked.lines()
    return result


def say(pre: Preflight) -> None:
    for line in pre.lines:
        print(f"harness: {line}", file=sys.stderr)
