"""The `deploy`, `restart` and `restart-command` options: where `hatch-harmony deploy` puts the jar.

Why the rule lives in config and not in the deploy package: a destination written in
pyproject.toml is checked with every other option (each problem with its TOML path, all
at once), and `--to` is checked by the same rule, so a value means the same wherever it
is given. A destination is a folder on this machine (absolute, or starting with `~`), or
`ssh://[user@]host[:port]/path`, which the system's OpenSSH client reaches (so the
user's ~/.ssh/config, agent and known_hosts apply and we never handle a password).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from hatch_harmony.config.problems import Problems, toml_kind
from hatch_harmony.config.values import string_option

#: Where a Linux private agent loads connector jars from (its log calls it the Connector Directory).
AGENT_FOLDER = "/opt/jitterbit/Connectors"
#: How a Linux private agent is restarted; the default of `restart-command`.
DEFAULT_RESTART_COMMAND = "/opt/jitterbit/bin/jitterbit restart"
EXAMPLE = f'deploy = ["{AGENT_FOLDER}", "ssh://builder@agent2.example.com{AGENT_FOLDER}"]'

_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
_USER = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Destination:
    """One place a jar goes: a local folder (`host` None) or a folder reached over ssh."""

    text: str  # as written: what reports show
    path: str
    host: str | None = None
    user: str | None = None
    port: int | None = None

    @property
    def is_ssh(self) -> bool:
        return self.host is not None

    @property
    def ssh_target(self) -> str:
        """`user@host` (or `host`) as the ssh client takes it; brackets dropped from IPv6 literals."""
        host = (self.host or "").strip("[]")
        return f"{self.user}@{host}" if self.user else host


def parse_destination(text: str) -> Destination | str:
    """The destination `text` names, or why it names none (never echoing more than the text itself)."""
    if text.startswith("ssh://"):
        return _ssh(text)
    if "://" in text:
        return "names a scheme other than ssh://; write a folder path or ssh://[user@]host[:port]/path"
    if not (text.startswith(("/", "~")) or re.match(r"[A-Za-z]:[\\/]", text)):
        return (
            "is a relative path; write the agent's folder as an absolute path, e.g. "
            f'"{AGENT_FOLDER}" (a Docker agent: the host folder mounted at /mnt/connectors)'
        )
    return Destination(text=text, path=text)


def _ssh(text: str) -> Destination | str:
    parts = urlsplit(text)
    if parts.query or parts.fragment:
        return "an ssh:// destination takes no ?query or #fragment; write ssh://[user@]host[:port]/path"
    if parts.password is not None:
        return "holds a password; never write one: ssh uses your keys, agent and ~/.ssh/config"
    host_port = _host_port(parts.netloc.rpartition("@")[2])
    if isinstance(host_port, str):
        return host_port
    host, port = host_port
    user = unquote(parts.username) if parts.username else None
    if user is not None and not _USER.fullmatch(user):
        return "has a user name ssh would not take; use letters, digits, '.', '-' and '_'"
    path = unquote(parts.path)
    if not path.startswith("/") or path == "/" or ".." in PurePosixPath(path).parts:
        return f"needs the agent's folder as an absolute path after the host, e.g. ssh://{host}{AGENT_FOLDER}"
    return Destination(text=text, path=path, host=host, user=user, port=port)


def _host_port(text: str) -> tuple[str, int | None] | str:
    """(host, port or None) of `host[:port]`, or why it is none."""
    host, port = text, None
    if not text.endswith("]") and ":" in text:
        host, _, port_text = text.rpartition(":")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            return "has a port that is not a number from 1 to 65535; write ssh://host:2222/path"
        port = int(port_text)
    if not _HOST.fullmatch(host):
        return "names no host; write ssh://[user@]host[:port]/path"
    return host, port


def deploy_option(value: object, where: str, problems: Problems) -> tuple[Destination, ...] | None:
    """`deploy = [...]`: a list of destinations; each bad one reported under its index."""
    if isinstance(value, str):
        problems.add(where, f"expected an array of destinations, got a string; write {EXAMPLE}")
        return None
    if not isinstance(value, list):
        problems.add(where, f"expected an array of destinations, got {toml_kind(value)}; write {EXAMPLE}")
        return None
    found: list[Destination] = []
    ok = True
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        text = string_option(item, here, EXAMPLE, problems)
        if text is None:
            ok = False
            continue
        parsed = parse_destination(text)
        if isinstance(parsed, str):
            problems.add(here, parsed)
            ok = False
        elif parsed in found:
            problems.add(here, f"repeats {text!r}; list each destination once")
            ok = False
        else:
            found.append(parsed)
    return tuple(found) if ok else None


def restart_command_option(value: object, where: str, problems: Problems) -> str | None:
    return string_option(value, where, f'restart-command = "{DEFAULT_RESTART_COMMAND}"', problems)


__all__ = [
    "AGENT_FOLDER",
    "DEFAULT_RESTART_COMMAND",
    "Destination",
    "deploy_option",
    "parse_destination",
    "restart_command_option",
]
