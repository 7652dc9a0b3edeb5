"""An agent's connector folder on another machine, through the system's OpenSSH client.

Why the system's `ssh` and no library: the user's ~/.ssh/config (aliases, jump hosts,
ports), their agent and known_hosts apply as they do for every other tool, and no
password ever passes through us (`BatchMode=yes`: a host that would ask for one fails
with ssh's own message instead). HARMONY_SSH_COMMAND replaces `ssh` with a command and
its options, e.g. `ssh -F deploy/ssh_config`, as GIT_SSH_COMMAND does for git.

Each operation is one POSIX shell command on the agent's host (`cat`, `cp`, `mv` within
the folder, `sync`), so the same plan is as atomic there as here: `mv` within one folder
is a rename. They share one connection per destination (OpenSSH's ControlMaster, stopped at
the end), so a deploy costs one handshake. The listing uses GNU find's -printf, present on
the Linux hosts agents run on.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile

from hatch_harmony.config.destinations import Destination
from hatch_harmony.deploy.folders import Entry, Ran, tail
from hatch_harmony.deploy.source import DeployError
from hatch_harmony.vocabulary import SSH_COMMAND_VAR

TIMEOUT = 300.0


class SshFolder:
    """A destination `ssh://[user@]host[:port]/path`."""

    def __init__(self, destination: Destination) -> None:
        self.destination = destination
        self.label = destination.text
        self.folder = destination.path.rstrip("/")
        base = os.environ.get(SSH_COMMAND_VAR, "").strip() or "ssh"
        # One connection for all the operations of a deploy (each is one `ssh` run): the first run
        # becomes the master, and it exits by itself soon after the last one.
        self._sockets = tempfile.mkdtemp(prefix="hh-ssh-")
        shared = [
            "-o",
            "ControlMaster=auto",
            "-o",
            f"ControlPath={self._sockets}/%C",
            "-o",
            "ControlPersist=5",
        ]
        self.command = [*shlex.split(base), "-o", "BatchMode=yes", *shared]
        if destination.port is not None:
            self.command += ["-p", str(destination.port)]
        self.command.append(destination.ssh_target)

    def close(self) -> None:
        """Stop the shared connection (if one was made) and remove its socket's folder."""
        # no master, or one that exits by itself (ControlPersist): nothing to stop
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                [*self.command[:-1], "-O", "exit", self.command[-1]],
                capture_output=True,
                timeout=30,
                check=False,
            )
        shutil.rmtree(self._sockets, ignore_errors=True)

    def _path(self, name: str) -> str:
        return shlex.quote(f"{self.folder}/{name}")

    def _ssh(self, what: str, script: str, data: bytes | None = None) -> bytes:
        try:
            done = subprocess.run(
                [*self.command, script], input=data, capture_output=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise DeployError(f"{self.label}: cannot {what}: ssh could not run ({exc})") from None
        if done.returncode != 0:
            said = tail(done.stderr.decode("utf-8", "replace")) or f"exit {done.returncode}"
            raise DeployError(f"{self.label}: cannot {what}: {said}")
        return done.stdout

    def entries(self) -> list[Entry]:
        folder = shlex.quote(self.folder)
        script = (
            f"if [ ! -d {folder} ]; then echo 'no such folder: {self.folder}' >&2; exit 3; fi; "
            f"find {folder} -maxdepth 1 -type f -printf '%T@ %f\\0'"
        )
        found = []
        for item in self._ssh("list the folder", script).split(b"\0"):
            if item:
                mtime, _, name = item.decode("utf-8", "surrogateescape").partition(" ")
                found.append(Entry(name, float(mtime)))
        return found

    def read(self, name: str) -> bytes:
        return self._ssh(f"read {name}", f"cat -- {self._path(name)}")

    def write(self, name: str, data: bytes) -> None:
        self._ssh(f"write {name}", f"cat > {self._path(name)} && sync", data)

    def copy(self, source: str, target: str) -> None:
        self._ssh(f"copy {source} to {target}", f"cp -- {self._path(source)} {self._path(target)} && sync")

    def rename(self, source: str, target: str) -> None:
        self._ssh(
            f"rename {source} to {target}", f"mv -f -- {self._path(source)} {self._path(target)} && sync"
        )

    def remove(self, name: str) -> None:
        self._ssh(f"remove {name}", f"rm -f -- {self._path(name)}")

    def run(self, command: str) -> Ran:
        try:
            done = subprocess.run(
                [*self.command, command], capture_output=True, text=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return Ran(127, str(exc))
        return Ran(done.returncode, tail(done.stdout + done.stderr))
