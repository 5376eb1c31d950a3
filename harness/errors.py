"""Every error the user can act on: one base, turned into one line and an exit code in cli/main.py.

Subclasses say which stage failed. Guests, filesystem profiles and assets derive their own
(``guests.base.GuestError``, ``fs_profiles.base.ProfileError``, ``AssetError``) from the base here.
"""

from __future__ import annotations


class HarnessError(Exception):
    """An error the user can fix; the CLI prints its first line and exits with ``exit_code``."""

    exit_code = 2

    def one_line(self) -> str:
        text = str(self).strip()
        return text.splitlines()[0] if text else type(self).__name__


class UsageError(HarnessError):
    """Bad usage: options that do not fit together, a run that cannot start as asked."""


class InputError(HarnessError):
    """An input file cannot be read at all, or holds nothing to triage."""


class OutputError(HarnessError):
    """An output file cannot be written."""


class RuleError(HarnessError):
    """A rule file is malformed (names the file and the problem)."""


class ReportFormatError(HarnessError):
    """A file that is not a harness triage report."""


class EnvironmentValueError(HarnessError):
    """A user-given environment value (a filesystem name) is not understood."""


class HostError(HarnessError):
    """The host refused something a run needs (a directory, a file): the OS's reason."""
