"""A real OpenSSH server on loopback for the ssh destination tests: its own host key, user key,
known_hosts and client config, on a free port; nothing of the user's ~/.ssh is read or written.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ALIAS = "test-agent"


def sshd_path() -> str | None:
    """sshd as Debian's openssh-server installs it (outside PATH for non-root users)."""
    return shutil.which("sshd") or next(
        (p for p in ("/usr/sbin/sshd", "/usr/local/sbin/sshd") if Path(p).is_file()), None
    )


@dataclass(frozen=True)
class Sshd:
    port: int
    user: str
    client_config: Path  # for `ssh -F`: the alias, the user key, the test known_hosts

    @property
    def ssh_command(self) -> str:
        """HARMONY_SSH_COMMAND for the deploys under test."""
        return f"ssh -F {self.client_config}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text(encoding="utf-8").strip()


@contextmanager
def running_sshd(sshd: str, folder: Path) -> Iterator[Sshd]:
    """sshd -D on 127.0.0.1:<free port>, key authentication only, until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    host_public = _keygen(folder / "host_key")
    user_public = _keygen(folder / "user_key")
    (folder / "authorized_keys").write_text(user_public + "\n", encoding="utf-8")
    port, user = _free_port(), getpass.getuser()
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host_key'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nLogLevel ERROR\n",
        encoding="utf-8",
    )
    key_type, key = host_public.split()[:2]
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {key_type} {key}\n", encoding="utf-8")
    config = folder / "ssh_config"
    config.write_text(
        f"Host {ALIAS}\n  HostName 127.0.0.1\n  Port {port}\n  User {user}\n"
        f"Host *\n  IdentityFile {folder / 'user_key'}\n  IdentitiesOnly yes\n"
        f"  UserKnownHostsFile {folder / 'known_hosts'}\n  GlobalKnownHostsFile /dev/null\n"
        "  StrictHostKeyChecking yes\n  ConnectTimeout 20\n",
        encoding="utf-8",
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder as root
    server = subprocess.Popen(
        [sshd, "-D", "-e", "-f", str(folder / "sshd_config")],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(port, server)
        yield Sshd(port, user, config)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int, server: subprocess.Popen[str]) -> None:
    """Until sshd accepts connections (it exits with its reason on a bad config)."""
    for _ in range(400):
        if server.poll() is not None:
            raise RuntimeError(f"sshd exited: {server.stderr.read() if server.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("sshd did not start listening")
