"""Kernel images: the release in a header, decompression, arm64 Image and the x86 PVH vmlinux."""

from __future__ import annotations

import hashlib
import lzma
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

from guests.assets.cache import AssetError
from harness.cache import cache_dir


def release_from_image(image: Path) -> str | None:
    """The kernel release (uname -r) recorded in a bzImage header or an uncompressed image."""
    data = image.read_bytes()
    if len(data) > 0x210 and data[0x202:0x206] == b"HdrS":
        offset = int.from_bytes(data[0x20E:0x210], "little") + 0x200
        if 0x200 < offset < len(data):
            text = data[offset:offset + 256].split(b"\0", 1)[0].decode("ascii", "replace")
            if text.strip():
                return text.split()[0]
    m = re.search(rb"Linux version (\S+) \(", maybe_gunzip(data))
    return m.group(1).decode("ascii", "replace") if m else None


def maybe_gunzip(data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:  # decompressobj stops at the end of the stream, so padding after it is fine
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
    except zlib.error:
        return data


def version_from_release(release: str) -> str:
    m = re.match(r"\d+\.\d+(?:\.\d+)?", release)
    return m.group(0) if m else release


def plain_arm64_image(src: Path, dest: Path) -> Path:
    """Debian's arm64 vmlinuz is a gzip'd Image: store it decompressed next to it."""
    data = src.read_bytes()
    if data[:2] != b"\x1f\x8b":
        return src
    plain = maybe_gunzip(data)
    if plain is data:
        raise AssetError(f"{src} looks gzip-compressed but does not decompress")
    dest.write_bytes(plain)
    return dest


def _zstd_decompress(data: bytes) -> bytes:
    """Decompress the first zstd frame of ``data``; trailing bytes make zstd complain, not fail."""
    if shutil.which("zstd") is None:
        return b""
    proc = subprocess.run(["zstd", "-dcq"], input=data, capture_output=True, check=False)
    return proc.stdout


def _decoders() -> dict[bytes, object]:
    return {
        b"\x28\xb5\x2f\xfd": _zstd_decompress,
        b"\xfd7zXZ\x00": lambda d: lzma.LZMADecompressor().decompress(d),
        b"\x1f\x8b\x08": lambda d: zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(d),
    }


def has_pvh_note(elf: bytes) -> bool:
    """Does a little-endian ELF64 kernel carry XEN_ELFNOTE_PHYS32_ENTRY (QEMU's PVH entry)?"""
    if elf[:4] != b"\x7fELF" or len(elf) < 64 or elf[4] != 2 or elf[5] != 1:
        return False
    try:
        return _pvh_note_in_phdrs(elf)
    except struct.error:  # truncated or malformed headers
        return False


def _pvh_note_in_phdrs(elf: bytes) -> bool:
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", elf, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        offset, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 8)
        size, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 0x20)
        pos, end = offset, offset + size
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz]
            if name == b"Xen\0" and ntype == 18:  # XEN_ELFNOTE_PHYS32_ENTRY
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def extract_vmlinux(bzimage: Path, dest: Path) -> Path | None:
    """Decompress a bzImage's payload (zstd, xz or gzip) to the ELF vmlinux QEMU can boot via
    PVH."""
    data = bzimage.read_bytes()
    for magic, decode in _decoders().items():
        start = data.find(magic)
        while start != -1:
            try:
                out = decode(data[start:])  # type: ignore[operator]
            except (lzma.LZMAError, zlib.error):
                out = b""
            if out[:4] == b"\x7fELF":
                if not has_pvh_note(out):
                    return None  # built without CONFIG_PVH: QEMU can only boot the bzImage
                dest.write_bytes(out)
                return dest
            start = data.find(magic, start + 1)
    return None


def user_boot_images(image: Path, arch: str) -> tuple[Path, Path | None]:
    """(image for -kernel, PVH vmlinux or None); derived files go to the cache, keyed by content."""
    data = image.read_bytes()
    is_elf = data[:4] == b"\x7fELF"
    if is_elf and (arch == "arm64" or not has_pvh_note(data)):
        what = "arch/arm64/boot/Image" if arch == "arm64" else "arch/x86/boot/bzImage"
        raise AssetError(f"{image} is an ELF vmlinux QEMU cannot boot directly: pass {what}")
    if is_elf:
        return image, image
    dest = cache_dir() / "kernels" / arch / f"image-{hashlib.sha256(data).hexdigest()[:12]}"
    dest.mkdir(parents=True, exist_ok=True)
    if arch == "arm64":
        return plain_arm64_image(image, dest / "Image"), None
    cached, no_pvh = dest / "vmlinux", dest / "no-pvh"
    if cached.is_file() or no_pvh.is_file():
        return image, cached if cached.is_file() else None
    vmlinux = extract_vmlinux(image, cached)
    if vmlinux is None:
        no_pvh.touch()
    return image, vmlinux

