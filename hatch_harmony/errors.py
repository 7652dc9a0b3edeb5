"""The one base class of every error hatch-harmony reports to a person.

The hook, the CLI and the setuptools integration catch `HarmonyError` and print its
message (never a traceback), so every subclass must carry a message that names the
file or key at fault and says what to do. Messages never contain a secret.
"""

from __future__ import annotations

from pathlib import Path


class HarmonyError(Exception):
    """A failure with a message a connector developer can act on.

    `exit_code` follows the CLI contract: 1 failure, 2 usage or configuration error,
    3 the network is needed but forbidden (offline) or no credentials are set.
    """

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(HarmonyError):
    """Bad input in a file the user wrote (pyproject, adapter.json, a manifest template, the lock)."""

    exit_code = 2


class NeedsNetworkError(HarmonyError):
    """The network is needed, but credentials are missing or HARMONY_OFFLINE forbids it."""

    exit_code = 3


def shown_path(path: Path, root: Path) -> str:
    """A path as messages show it: relative to the project when inside it, else absolute."""
    relative = project_relative(path, root)
    return str(path) if relative is None else relative


def project_relative(path: Path, root: Path | str) -> str | None:
    """`path` relative to the project, '/'-separated (as archives and hatchling name files), or None
    when it lies outside (no archive of the project can hold it under that name)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None
