"""Where Harmony lives: the one owner of the host rule.

A host reaches hatch-harmony as a region name or a URL, from `url`/`region` in
pyproject.toml, HARMONY_URL/HARMONY_REGION or `--url`/`--region`. Every place that needs
it asks this module: the config check (`config.url_problem`), the lock key
(`connection.lock_host`), the client's base URL (`client.resolve_base_url`) and the
emulator's loopback rule. Before there was one owner, each of them parsed URLs its own way,
and a value one of them accepted could crash another (a non-ASCII host inside idna, a
control character inside httpx).

Pure and standard library only: `import hatch_harmony` must stay free of httpx.

The rule, strict on purpose, since a value that passes here goes unchanged into the
HTTP request and the lock file:

* printable ASCII without spaces (an international host name in its `xn--` form);
* `https://`, or `http://` for a loopback host only (the emulator), and nothing else;
* no user, password, query or fragment (dropped silently, or a credential in logs);
* a host that is an IP address, or dot-separated labels of letters, digits, `-` and
  `_`, each 1 to 63 characters, not starting or ending with `-`;
* an optional port 1 to 65535 and an optional path prefix (a gateway).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from hatch_harmony.vocabulary import EMAIL_VAR, PASSWORD_VAR

#: The Connector Manager API lives below this path on every host [DOC].
BASE_PATH = "/jitterbit-cloud-restful-service/"

#: Region names accepted wherever a host is configured [DOC].
REGIONS: dict[str, str] = {
    "na": "https://na-east.jitterbit.com",
    "emea": "https://emea-west.jitterbit.com",
    "apac": "https://apac-southeast.jitterbit.com",
}

_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?", re.ASCII)
_DOTTED_NUMBERS = re.compile(r"[0-9.]+", re.ASCII)
_SHOWN_LIMIT = 80
_EXAMPLE = "https://na-east.jitterbit.com"


class HostError(ValueError):
    """Why a value cannot name a Harmony host.

    `problem` is a phrase to follow the name of the setting ("must not have a query ..."),
    so each edge says where the value came from; it never quotes the value, which may hold
    a password. `shown` is the value without user info, query or fragment, for messages
    that do quote it. `insecure`: the value would send the password unencrypted, or is not
    HTTP at all.
    """

    def __init__(self, problem: str, *, shown: str = "", insecure: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.shown = shown
        self.insecure = insecure


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (brackets allowed): the only hosts plain http may use.

    One definition for the client (which refuses http elsewhere and never uses a proxy
    for them), the config check and the emulator (which refuses to listen elsewhere
    without an explicit flag).
    """
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


@dataclass(frozen=True)
class Host:
    """A validated, normalised Harmony host: scheme and host name lower-case, no API base path.

    `name` is a host name or an IP address (IPv6 without brackets); `prefix` is "" or a
    gateway path such as "/harmony", without a trailing slash.
    """

    scheme: str
    name: str
    port: int | None = None
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> Host:
        """The host of a URL; HostError with one message naming what is wrong and the fix."""
        value = url.strip()
        shown = _shown(value)

        def fail(problem: str, *, insecure: bool = False) -> HostError:
            return HostError(problem, shown=shown, insecure=insecure)

        if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
            raise fail("must not contain spaces or control characters")
        if not value.isascii():
            raise fail(
                "must be plain ASCII: write an international host name in its xn-- (punycode) form, "
                "and percent-encode other characters of the path"
            )
        try:
            parts = urlsplit(value)
        except ValueError:
            raise fail(f"is not a valid URL; write e.g. {_EXAMPLE}") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise fail(f"must be an http(s) URL with a host, e.g. {_EXAMPLE}", insecure=True)
        if "@" in parts.netloc:
            raise fail(
                f"must not hold a user or password: log in with {EMAIL_VAR} and {PASSWORD_VAR} in the "
                "environment"
            )
        if not parts.hostname:
            raise fail(f"must be an http(s) URL with a host, e.g. {_EXAMPLE}")
        try:
            port = parts.port
        except ValueError:
            port = 0
        if port == 0:
            raise fail("is not a valid URL: invalid port (write HOST:PORT with a port from 1 to 65535)")
        if parts.query or parts.fragment or value.endswith(("?", "#")):
            raise fail("must not have a query (?...) or fragment (#...)")
        name = _host_name(parts.hostname, bracketed="[" in parts.netloc, fail=fail)
        if scheme == "http" and not is_loopback(name):
            raise fail(
                "uses http:// with a non-local host: the password and connector secret would travel in "
                "clear; use https:// (plain http is accepted only for localhost, 127.x and ::1, e.g. the "
                "emulator)",
                insecure=True,
            )
        prefix = parts.path.rstrip("/")
        base = BASE_PATH.rstrip("/")
        if prefix.endswith(base):
            prefix = prefix[: -len(base)].rstrip("/")
        return cls(scheme, name, port, prefix)

    @classmethod
    def for_region(cls, region: str) -> Host:
        """The documented host of a region name (na, emea, apac; any case)."""
        url = REGIONS.get(region.strip().lower())
        if url is None:
            raise HostError(
                f"is not a Harmony region: use one of {', '.join(REGIONS)}, or a URL such as {_EXAMPLE} "
                "(for the emulator, e.g. http://127.0.0.1:8080)",
                shown=_cap(region.strip()),
            )
        return cls.parse(url)

    @classmethod
    def from_setting(cls, value: str) -> Host:
        """A region name or a URL, as `region`/`url` (and their variables and options) give it."""
        return cls.parse(value) if "://" in value else cls.for_region(value)

    @property
    def netloc(self) -> str:
        name = f"[{self.name}]" if ":" in self.name else self.name
        return name if self.port is None else f"{name}:{self.port}"

    @property
    def key(self) -> str:
        """scheme://host[:port][/prefix]: the host part of harmony.lock's key, one string per server."""
        return f"{self.scheme}://{self.netloc}{self.prefix}"

    @property
    def base_url(self) -> str:
        """The API base URL, ending in BASE_PATH."""
        return self.key + BASE_PATH

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.name)


def _host_name(hostname: str, *, bracketed: bool, fail: Callable[[str], HostError]) -> str:
    """The host name, lower-case, checked as an IP address or as DNS labels."""
    if bracketed or ":" in hostname:
        try:
            if "%" in hostname:  # a zone id ("%eth0") names a local interface, never a Harmony server
                raise ValueError(hostname)
            ipaddress.IPv6Address(hostname)
        except ValueError:
            raise fail("has an invalid IP address in [...]: write e.g. http://[::1]:8080") from None
        return hostname
    if _DOTTED_NUMBERS.fullmatch(hostname):
        try:
            ipaddress.IPv4Address(hostname)
        except ValueError:
            raise fail("is not a valid IP address: write four numbers 0-255, e.g. 127.0.0.1") from None
        return hostname
    labels = hostname[:-1] if hostname.endswith(".") else hostname
    if len(labels) > 253 or not all(_LABEL.fullmatch(label) for label in labels.split(".")):
        raise fail(
            "has an invalid host name: use dot-separated labels of letters, digits and '-', each 1 to 63 "
            "characters, such as na-east.jitterbit.com"
        )
    return hostname


def _shown(value: str) -> str:
    """The value without user info, query or fragment, and short: safe to quote in a message."""
    try:
        parts = urlsplit(value)
        text = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    except ValueError:
        text = value.partition("://")[0] + "://..."
    return _cap(text)


def _cap(text: str) -> str:
    return text if len(text) <= _SHOWN_LIMIT else text[: _SHOWN_LIMIT - 1] + "…"
