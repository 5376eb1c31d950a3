"""tmpfs: the control - the work dir in guest memory, nothing on the host."""

from __future__ import annotations

from pathlib import Path

from fs_profiles.base import FsProfile, GuestSide, RootPayload


class TmpfsProfile(FsProfile):
    name = "tmpfs"
    fs_type = "tmpfs"

    def provision(self, workdir: Path, mountpoint: str, as_root: bool = False,
                  payload: RootPayload | None = None) -> GuestSide:
        """As a root: a fresh tmpfs in the guest, filled by /init from the initramfs (the host
        has nowhere to put ``payload``)."""
        return GuestSide(
            mountpoint=mountpoint,
            mount=[] if as_root else [f"mount -t tmpfs -o mode=1777 harness-tmpfs {mountpoint}"],
            root_args=["root=harness-tmpfs", "rootfstype=tmpfs", "rootflags=mode=0755"]
            if as_root else [],
            facts={"backing": "guest memory"},
        )

    def teardown(self) -> None:
        """Nothing on the host to undo."""
