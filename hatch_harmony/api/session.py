"""A login to Harmony: what it sends (`Credentials`) and what its reply means (`Session`).

Kept apart from the request machinery so that the rules of a usable login reply (a token
that can travel in a header, an org id when none is configured, a positive session
length) are read in one place, without httpx. Every piece of server text kept in a
`Session` (org names, zone and server URLs) has gone through the client's `Scrubber`,
with the new token among the secrets it masks: a server may echo it anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from hatch_harmony.api.errors import ApiError
from hatch_harmony.api.server_text import Scrubber, json_type
from hatch_harmony.vocabulary import is_harmony_id

#: Used when a login reply does not say how long the session lasts [decision]: an hour is
#: short enough to be safe, and a 401 triggers a fresh login anyway.
DEFAULT_SESSION_SECONDS = 3600


@dataclass(frozen=True)
class Org:
    """One organization the account belongs to (login's `orgAttrs`); name and URL are scrubbed server text."""

    id: str
    name: str
    zone_url: str


@dataclass(frozen=True)
class Session:
    """A login: the token (never shown in repr), the default org and how long it lasts.

    `default_org_id` is None only when the reply gave none and a configured org id made it
    unnecessary. `server_url` and the orgs' text are scrubbed server text.
    """

    token: str = field(repr=False)
    default_org_id: str | None
    orgs: tuple[Org, ...]
    timeout_seconds: int
    server_url: str


@dataclass(frozen=True)
class Credentials:
    """The Harmony login; the password never shows in repr or str."""

    email: str
    password: str = field(repr=False)


def parse_session(
    data: dict[str, Any],
    *,
    org_configured: bool,
    scrubber: Callable[[str], Scrubber],
    bad: Callable[[str], ApiError],
) -> Session:
    """The session a login reply gives, or `bad(reason)` raised.

    `scrubber(token)` masks every secret the client knows plus the new token; with
    `org_configured` the reply's defaultOrgId is never used, so it may be missing.
    """
    token = data.get("authenticationToken")
    if not _usable_token(token):
        raise bad(f"field 'authenticationToken' is {'missing' if token is None else 'not a usable token'}")
    default_org = _id_field(data.get("defaultOrgId"))
    if default_org is None and not org_configured:
        raise bad("field 'defaultOrgId' is missing or not an org id")
    scrub = scrubber(token)

    def text(value: Any) -> str:
        return scrub.text(value) or "" if isinstance(value, str) else ""

    orgs = tuple(
        Org(org_id, text(attr.get("orgName")), text(attr.get("orgZoneUrl")))
        for org_id, attr in _orgs(data, bad)
    )
    timeout = data.get("sessionTimeoutInSeconds", DEFAULT_SESSION_SECONDS)
    if isinstance(timeout, str) and timeout.isdigit():
        timeout = int(timeout)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        raise bad("field 'sessionTimeoutInSeconds' is not a positive whole number")
    return Session(token, default_org, orgs, timeout, text(data.get("serverUrl")))


def _usable_token(token: object) -> TypeGuard[str]:
    """It travels in a header: a non-empty printable ASCII string without spaces, or httpx cannot send it."""
    return (
        isinstance(token, str)
        and bool(token)
        and token.isascii()
        and not any(ch.isspace() or not ch.isprintable() for ch in token)
    )


def _orgs(data: dict[str, Any], bad: Callable[[str], ApiError]) -> list[tuple[str, dict[str, Any]]]:
    """The `orgAttrs` entries with their org ids; a missing list is none, a bad entry fails the login."""
    attrs = data.get("orgAttrs") or []
    if not isinstance(attrs, list):
        raise bad(f"field 'orgAttrs' is {json_type(attrs)}, expected a list")
    orgs = []
    for index, attr in enumerate(attrs):
        org_id = _id_field(attr.get("orgId")) if isinstance(attr, dict) else None
        if org_id is None or not isinstance(attr, dict):
            raise bad(f"field 'orgAttrs[{index}].orgId' is missing or not an org id")
        orgs.append((org_id, attr))
    return orgs


def _id_field(value: Any) -> str | None:
    """A Harmony id sent as a string or a whole number; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value)
    return text if is_harmony_id(text) else None
