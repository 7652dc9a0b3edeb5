"""Where the bundled emulator keeps its state by default: the user's data folder, one file per port.

A lock entry names its host by URL, port included, so an emulator restarted on the same port
must still know the registrations the lock records, or the next build is told they were
deleted and the restarted emulator hands out the same ids again. The emulator therefore
saves its state here unless told otherwise (`--data FILE`, `--memory`); the engine names the
same file when a loopback host no longer lists a registration. Standard library only: the
emulator and the engine both ask this module.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

APP = "hatch-harmony"


def user_data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The per-user data folder: XDG_DATA_HOME or ~/.local/share; macOS Application Support; LOCALAPPDATA."""
    env = os.environ if env is None else env
    if sys.platform == "win32":
        base = env.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP


def emulator_data_file(port: int, env: Mapping[str, str] | None = None) -> Path:
    """The emulator's default state file for `port` (a lock entry's host includes the port)."""
    return user_data_dir(env) / f"emulator-{port}.json"
