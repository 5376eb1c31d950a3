"""Every error the user can fix is a HarnessError, and the CLI says it in one line, exit 2."""

from __future__ import annotations

import pytest

import harness.cli.triage
from fs_profiles.base import ProfileError
from guests.assets.cache import AssetError
from guests.base import BootTimeout, GuestError, KernelCrash
from harness.arch import ArchError
from harness.cache import CacheError
from harness.cli.main import main
from harness.errors import HarnessError


@pytest.mark.parametrize("error", [GuestError, BootTimeout, KernelCrash, ProfileError, AssetError,
                                   ArchError, CacheError])
def test_guest_profile_and_asset_errors_are_harness_errors(error):
    assert issubclass(error, HarnessError)


@pytest.mark.parametrize("error", [GuestError, ProfileError, AssetError])
def test_the_cli_prints_the_first_line_and_exits_2(monkeypatch, capsys, error):
    def fail(args):
        raise error("QEMU exited before the guest was ready\nsecond line of detail")

    monkeypatch.setattr(harness.cli.triage, "run_triage", fail)
    assert main(["triage", "some.log"]) == 2
    err = capsys.readouterr().err
    assert err == "harness: error: QEMU exited before the guest was ready\n"


def test_an_error_without_text_is_named(monkeypatch, capsys):
    def fail(args):
        raise GuestError()

    monkeypatch.setattr(harness.cli.triage, "run_triage", fail)
    assert main(["triage", "some.log"]) == 2
    assert capsys.readouterr().err == "harness: error: GuestError\n"
