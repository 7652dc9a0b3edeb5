"""Reaching Harmony: the client the engine needs, credentials, and which organisation to ask.

Shared by the engine (execute.py), the CLI, init and doctor, so the rules for "may we
go online, with which account, in which organisation" are written once. The network
client is created lazily through a factory: the offline path never imports httpx.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from hatch_harmony.api.host import Host
from hatch_harmony.api.protocol import Registration
from hatch_harmony.errors import NeedsNetworkError
from hatch_harmony.vocabulary import EMAIL_VAR, OFFLINE_VAR, PASSWORD_VAR

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.project.lock import LockEntry


class Client(Protocol):
    """What the engine needs of `client.HarmonyClient` (a Protocol, so tests may pass their own)."""

    requests_made: int

    @property
    def org_id(self) -> str: ...

    def register(self, name: str, version: str) -> Registration: ...

    def find(self, name: str, version: str | None = None) -> list[Registration]: ...

    def validate(self, name: str, key: str, secret: str) -> None: ...

    def close(self) -> None: ...


ClientFactory = Callable[["HarmonyConfig", str, str], Client]


def lock_host(config: HarmonyConfig) -> str:
    """The host part of the lock key: scheme://host[:port][/prefix], without the API base path.

    Computed without the client (and so without httpx) by the host module, the one owner of
    the rule: a region name maps to its documented host, a URL is normalised (lower-case
    scheme and host, no trailing slash, no `/jitterbit-cloud-restful-service/`), exactly as
    the client normalises the URL it sends requests to.
    """
    return Host.from_setting(config.host_setting).key


def for_entry(config: HarmonyConfig, entry: LockEntry | None) -> HarmonyConfig:
    """The config to talk to Harmony about `entry`: in the organisation the lock records for it.

    Without `org-id` a client works in the login's default organisation, which need not be
    the one a registration was made in (a colleague's account, a fresh CI account): lookups,
    verification and deletes of a recorded registration always go to the entry's org.
    (With `org-id` set, only entries of that org are ever found, so both agree.)
    """
    if entry is None or config.org_id == entry.org_id:
        return config
    return replace(config, org_id=entry.org_id)


def default_client_factory(config: HarmonyConfig, email: str, password: str) -> Client:
    from hatch_harmony.api.client import (  # lazy: httpx only when the network is needed
        Credentials,
        HarmonyClient,
    )

    return HarmonyClient(config.host_setting, Credentials(email, password), org_id=config.org_id)


def open_client(
    config: HarmonyConfig,
    env: Mapping[str, str],
    why: str,
    *,
    factory: ClientFactory = default_client_factory,
    offline_hint: str = "",
) -> Client:
    """A client for Harmony, or one clear error when the network is off limits or credentials are missing.

    `why` says what needed the network, so the error tells the user what would have
    happened and which variables to set. Shared by the engine and the CLI.
    """
    if config.offline:
        hint = f", {offline_hint}" if offline_hint else ""
        raise NeedsNetworkError(
            f"{why}, which needs Harmony, but {OFFLINE_VAR} is set. Unset {OFFLINE_VAR}{hint}."
        )
    email = env.get(EMAIL_VAR, "").strip()
    password = env.get(PASSWORD_VAR, "")
    if not email or not password:
        missing = " and ".join(v for v, val in ((EMAIL_VAR, email), (PASSWORD_VAR, password)) if not val)
        raise NeedsNetworkError(
            f"{why}, which needs Harmony ({lock_host(config)}), but {missing} "
            f"{'is' if ' and ' not in missing else 'are'} not set. Set {EMAIL_VAR} and {PASSWORD_VAR} "
            "(a Harmony account without two-factor authentication; keep the password in your CI's "
            "secret store), or start the local emulator for a trial: `hatch-harmony emulator`."
        )
    return factory(config, email, password)
