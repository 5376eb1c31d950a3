"""9p (virtio, 9p2000.L) from a private host directory; the thread's failing filesystem."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fs_profiles.base import FsProfile, GuestSide, ProfileError, RootPayload, Share, place_payload

MOUNT_TAG = "harness9p"
MSIZE = 512000
CACHE_MODES = ("none", "loose", "fscache", "mmap", "readahead")


class NinePProfile(FsProfile):
    """``cache``: the guest's cache= mount option, or None for the kernel's default."""

    name = "9p"
    fs_type = "9p"

    def __init__(self, cache: str | None = None, security_model: str = "none"):
        if cache is not None and cache not in CACHE_MODES:
            raise ProfileError(f"bad 9p cache mode {cache!r}: use one of {', '.join(CACHE_MODES)}")
        if security_model not in ("none", "mapped-xattr", "mapped-file", "passthrough"):
            raise ProfileError(f"bad 9p security model {security_model!r}")
        self.cache = cache
        self.security_model = security_model
        self._dir: Path | None = None
        self._inode = 0  # the share's, at provision: a directory made again is not the share

    def mount_options(self) -> str:
        opts = f"trans=virtio,version=9p2000.L,msize={MSIZE}"
        return opts + (f",cache={self.cache}" if self.cache else "")

    def provision(self, workdir: Path, mountpoint: str, as_root: bool = False,
                  payload: RootPayload | None = None) -> GuestSide:
        workdir.mkdir(parents=True, exist_ok=True)
        self._dir = Path(tempfile.mkdtemp(prefix="9p-share-", dir=workdir))
        self._dir.chmod(0o777)
        self._inode = self._dir.stat().st_ino
        key = place_payload(payload, self._dir) if as_root and payload else ""
        return GuestSide(
            mountpoint=mountpoint,
            modules=["9pnet_virtio", "9p"],
            mount=[] if as_root
            else [f"mount -t 9p -o {self.mount_options()} {MOUNT_TAG} {mountpoint}"],
            root_args=[f"root={MOUNT_TAG}", "rootfstype=9p", f"rootflags={self.mount_options()}"]
            if as_root else [],
            shares=[Share(self._dir, MOUNT_TAG, self.security_model)],
            payload_key=key,
            facts={"share": str(self._dir), "cache": self.cache or "default",
                   "security_model": self.security_model, "msize": str(MSIZE)},
        )

    def gone(self) -> str:
        if self._dir is None:
            return ""
        try:
            if self._dir.stat().st_ino == self._inode:
                return ""
        except OSError:
            pass
        return f"The 9p share's directory {self._dir} was removed"

    @property
    def share(self) -> Path | None:
        """The host directory the guest sees (None before provision / after teardown)."""
        return self._dir

    def teardown(self) -> None:
        if self._dir is not None:
            if not self.kept:
                shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
