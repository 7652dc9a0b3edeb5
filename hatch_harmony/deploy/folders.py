"""An agent's connector folder, here or over ssh: the few file operations a deploy is made of.

Why so few, and why these: every change a deploy makes is a write under a name the agent
ignores (not `*.jar`), flushed to disk, then a rename within the same folder, which POSIX
makes atomic. So an agent scanning the folder at any moment sees each jar whole or not at
all, and a deploy cut short leaves the previous jar loaded. A local folder (a Docker
agent's bind mount included) and a remote one (ssh.py) offer the same operations, so the
plan (plan.py) is one code path for both.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from hatch_harmony.deploy.source import DeployError


@dataclass(frozen=True)
class Entry:
    """A regular file of the folder: its name and modification time (seconds)."""

    name: str
    mtime: float


@dataclass(frozen=True)
class Ran:
    """A command's exit status and its last lines of output (for the report)."""

    returncode: int
    output: str


class Folder(Protocol):
    """An agent's connector folder. Every method raises DeployError naming the folder and the file."""

    label: str

    def entries(self) -> list[Entry]: ...

    def read(self, name: str) -> bytes: ...

    def write(self, name: str, data: bytes) -> None:
        """Write `data` to `name` and flush it to disk (only ever a temporary name)."""

    def copy(self, source: str, target: str) -> None:
        """Copy `source` to `target` and flush it (only ever onto a temporary name)."""

    def rename(self, source: str, target: str) -> None:
        """Atomically rename, replacing `target`; the folder's entry is flushed too."""

    def remove(self, name: str) -> None: ...

    def run(self, command: str) -> Ran:
        """Run `command` where the agent runs (restart)."""

    def close(self) -> None:
        """Release what the folder holds open (an ssh connection); called once, at the end."""


def tail(text: str, lines: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class LocalFolder:
    """A folder on this machine: an agent's, or the host side of a Docker agent's /mnt/connectors."""

    def __init__(self, path: str, label: str | None = None) -> None:
        self.path = Path(path).expanduser()
        self.label = label or path

    def _fail(self, what: str, exc: OSError) -> DeployError:
        return DeployError(f"{self.label}: cannot {what} ({exc.strerror or exc})")

    def entries(self) -> list[Entry]:
        if not self.path.is_dir():
            raise DeployError(
                f"{self.label} is not a folder: create it (an agent's connector folder, or the host folder "
                "mounted at a Docker agent's /mnt/connectors), or fix the destination"
            )
        try:
            found = []
            for item in os.scandir(self.path):
                if item.is_file(follow_symlinks=False):
                    found.append(Entry(item.name, item.stat().st_mtime))
            return found
        except OSError as exc:
            raise self._fail("list the folder", exc) from None

    def read(self, name: str) -> bytes:
        try:
            return (self.path / name).read_bytes()
        except OSError as exc:
            raise self._fail(f"read {name}", exc) from None

    def write(self, name: str, data: bytes) -> None:
        try:
            with (self.path / name).open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise self._fail(f"write {name}", exc) from None

    def copy(self, source: str, target: str) -> None:
        try:
            with (self.path / source).open("rb") as src, (self.path / target).open("wb") as dst:
                shutil.copyfileobj(src, dst)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as exc:
            raise self._fail(f"copy {source} to {target}", exc) from None

    def rename(self, source: str, target: str) -> None:
        try:
            (self.path / source).replace(self.path / target)
            self._sync_folder()
        except OSError as exc:
            raise self._fail(f"rename {source} to {target}", exc) from None

    def _sync_folder(self) -> None:
        if os.name != "posix":  # Windows cannot open a folder for fsync; its renames are durable
            return
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def remove(self, name: str) -> None:
        try:
            (self.path / name).unlink(missing_ok=True)
        except OSError as exc:
            raise self._fail(f"remove {name}", exc) from None

    def close(self) -> None:
        pass  # nothing held open

    def run(self, command: str) -> Ran:
        try:
            done = subprocess.run(
                shlex.split(command), capture_output=True, text=True, check=False, timeout=300
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return Ran(127, str(exc))
        return Ran(done.returncode, tail(done.stdout + done.stderr))
