"""Build one LAVA cell's files (initramfs, filesystem image or share) with the same planning
``harness run`` uses: the thread's command line and NUMA layout, the profile's modules and
mount commands, the QEMU options of the filesystem."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from harness.errors import UsageError
from harness.lava.job import Cell, autorun

# Options of ``build_argv`` that the qemu device type sets itself (or the deploy images do).
_DEVICE_SET = {"-M", "-machine", "-accel", "-m", "-kernel", "-initrd", "-append", "-cpu"}
_FLAGS = {"-nographic", "-no-reboot"}
LAVA_FILESYSTEMS = ("9p", "xfs", "tmpfs", "ext4")


def _options(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """QEMU argv -> ("-opt value" items the job adds, {option: value} the device type sets)."""
    items, device = [], {}
    i = 1  # argv[0] is the binary
    while i < len(argv):
        opt = argv[i]
        if opt in _FLAGS:
            if opt != "-nographic":
                items.append(opt)
            i += 1
            continue
        value = argv[i + 1]
        if opt in _DEVICE_SET:
            device[opt] = value
        else:
            items.append(f"{opt} {value}")
        i += 2
    return items, device


def build_cell(args, fs: str, arch: str, outdir: Path) -> Cell:
    """Provision ``fs`` for ``arch`` into ``outdir`` (kept) and return the cell's job inputs."""
    from fs_profiles.registry import make_profile, parse_spec
    from guests.assets.kernels import resolve_kernel
    from guests.assets.selftests import find_selftests
    from guests.base import MOUNTPOINT
    from guests.cmdline import build_cmdline, parse_memory, place_root, resize_numa
    from guests.initramfs import SELFTEST_DIR, InitramfsSpec, build_initramfs, find_busybox
    from guests.qemu import QemuConfig, build_argv, device_args
    from guests.run import parse_tests
    from harness.arch import get_arch

    name, _ = parse_spec(fs)
    if name not in LAVA_FILESYSTEMS:
        raise UsageError(f"--fs {fs}: a LAVA job can use {', '.join(LAVA_FILESYSTEMS)}; nfs "
                         "needs the lab's NFS root (qemu-nfs) and a kernel with NFS built in, "
                         "which Debian's kernels are not (CONFIG_NFS_FS=m)")
    a = get_arch(arch)
    tests = parse_tests(args.tests)
    selftests = find_selftests(a.name, Path(args.kernel_tree) if args.kernel_tree else None)
    if selftests is None:
        raise UsageError(f"selftests for {a.name} are not built: run `harness setup --arch "
                         f"{a.name}`")
    kernel = resolve_kernel(a.name, (args.kernel or [None])[0],
                            Path(args.modules) if args.modules else None, args.kernel_version)
    plan = build_cmdline(a, args.cmdline, args.append or "")
    numa = resize_numa(plan.numa, parse_memory(args.memory)) if args.memory else list(plan.numa)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = make_profile(fs)
    profile.keep()  # the image or share is the job's input; nothing runs on the host
    try:
        side = profile.provision(outdir / "fs", MOUNTPOINT)
    finally:
        profile.teardown()
    plan.kernel_args, root_notes = place_root(plan.kernel_args, side.root_args)
    plan.notes += root_notes
    if side.modules and kernel.modules_dir is None:
        raise UsageError(f"{fs} needs kernel modules; pass --modules with --kernel")
    initrd = outdir / "initrd.gz"
    spec = InitramfsSpec(arch=a.name, mountpoint=MOUNTPOINT, busybox=find_busybox(a.name),
                         modules_dir=kernel.modules_dir, modules=list(side.modules),
                         mount=list(side.mount) + autorun(tests, MOUNTPOINT, SELFTEST_DIR),
                         binaries={t: selftests.binaries[t] for t in tests})
    build_initramfs(spec, initrd)
    image = outdir / kernel.image.name
    if not image.exists():
        image.symlink_to(kernel.image.resolve())
    cfg = QemuConfig(arch=a, kernel=image, initrd=initrd, numa=tuple(numa), smp=args.smp,
                     kernel_args=plan.kernel_args, accel="tcg")
    items, device = _options(build_argv(cfg))
    # The shares go on QEMU's command line; each disk image is a deploy image the lab
    # downloads, put on the command line by its {label}.
    items += [" ".join(pair) for pair in zip(*[iter(device_args(a, replace(side, disks=[])))] * 2,
                                              strict=True)]
    images: dict[str, tuple[Path, str]] = {}
    for i, disk in enumerate(side.disks):
        label = name if i == 0 else f"{name}{i}"
        arg = (f"-drive file={{{label}}},if=none,format=raw,id=hd{i},cache=unsafe "
               f"-device {a.blk_device},drive=hd{i}")
        images[label] = (disk.image, arg)
    notes = list(plan.notes)
    notes += [f"the 9p share {share.path} must exist on the LAVA worker" for share in side.shares]
    return Cell(name=outdir.name, arch=a.name, fs=fs, kernel=image, initrd=initrd,
                console=a.console, kernel_args=plan.kernel_args, memory_mib=sum(numa),
                qemu_options=items, images=images, cpu=device.get("-cpu", ""),
                machine=device.get("-M", ""), tests=tests, test_timeout_s=args.timeout,
                boot_timeout_s=args.boot_timeout, notes=notes)
