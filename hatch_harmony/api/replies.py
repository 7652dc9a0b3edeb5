"""What the connector calls' replies mean: a registration, and the org's list read strictly or leniently.

Apart from the request machinery because these are rules about registrations, not about
HTTP: the list is strict for `list_connectors` and lenient only where skipping an entry
cannot hide the caller's own connector (which would lead to a second registration).
Failures are raised through the caller's `bad(reason)`, which words them as a malformed
reply of that call (for register: outcome unknown). Pure; no httpx.

A list entry without `key` or `secret` (missing or null) is not a malformed entry [decision]:
a server may keep them write-once and show them only in the register reply. Such an entry
is read as `Listed` (`keys_listed` False), never as a registration with an empty key (an
empty or masked key stays malformed). A caller that needs the key gets `keyless(entry)`
raised, one message naming the connector and what to do; `listed_entries` serves lookups
that need only ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hatch_harmony.api import protocol
from hatch_harmony.api.errors import ApiError
from hatch_harmony.api.server_text import json_type

#: The client's one logger, whichever of its modules writes: users configure one name.
log = logging.getLogger("hatch_harmony.client")

#: Words a malformed reply of the call at hand, given why it is malformed.
Bad = Callable[[str], ApiError]

#: Stands in for an unlisted key and secret while the rest of an entry is checked; never kept.
_STAND_IN = "not-listed"


class KeyNotListedError(ApiError):
    """Harmony lists the registration the caller needs without its key and secret."""


@dataclass(frozen=True)
class Listed:
    """A list entry as a lookup that needs no key reads it: the registration's public fields."""

    id: str
    name: str
    version: str
    endpoint_entity_id: str
    function_entity_start_id: str
    function_entity_end_id: str
    #: False when the entry came without `key` or `secret` (so no registration can be made of it).
    keys_listed: bool


#: Words the error for an entry whose key the caller needs but the list does not show.
Keyless = Callable[[Listed], ApiError]


def registration(data: dict[str, Any], name: str, version: str, bad: Bad) -> protocol.Registration:
    """The register reply's registration; its name and version default to the ones sent."""
    try:
        return protocol.Registration.from_wire(data, name=name, version=version)
    except protocol.ProtocolError as exc:
        raise bad(_protocol_reason(exc)) from None


def connector_list(data: dict[str, Any], bad: Bad) -> list[Any]:
    """The list reply's raw entries.

    [decision] null means an org without connectors; a missing key does not.
    """
    items = data.get("registeredConnectorList", ...)
    if items is None:
        return []
    if not isinstance(items, list):
        shown = "missing" if items is ... else json_type(items)
        raise bad(f"field 'registeredConnectorList' is {shown}, expected a list")
    return items


def every_registration(items: list[Any], bad: Bad, keyless: Keyless) -> list[protocol.Registration]:
    """Every entry as a registration; one malformed or keyless entry fails the whole list."""
    result = []
    for index, item in enumerate(items):
        listed, registration = _entry(index, item, bad)
        if registration is None:
            raise keyless(listed)
        result.append(registration)
    return result


def listed_entries(items: list[Any], bad: Bad) -> list[Listed]:
    """Every entry's public fields, with or without its key; one malformed entry fails the whole list."""
    return [_entry(index, item, bad)[0] for index, item in enumerate(items)]


def registrations_named(
    items: list[Any], name: str, version: str | None, bad: Bad, keyless: Keyless
) -> list[protocol.Registration]:
    """The entries with this name (and version), as `protocol.named` compares.

    Lenient where that is safe [decision]: a malformed entry whose `name` is readable and
    different is skipped (another connector of the org is none of our business); a
    malformed entry that may be ours fails, so it is never mistaken for "absent"; so does
    a matching entry without its key (`keyless`), which must not be mistaken for "absent"
    either.
    """
    found: list[tuple[Listed, protocol.Registration | None]] = []
    for index, item in enumerate(items):
        try:
            found.append(_entry(index, item))
        except protocol.ProtocolError as exc:
            other = item.get("name") if isinstance(item, dict) else None
            if isinstance(other, str) and not protocol.same_connector(name, None, other, None):
                log.debug("ignoring malformed list entry %d of another connector: %s", index, exc)
                continue
            raise bad(_entry_reason(index, exc)) from None
    matching = protocol.named(found, name, version, lambda pair: (pair[0].name, pair[0].version))
    result = []
    for listed, registration in matching:
        if registration is None:
            raise keyless(listed)
        result.append(registration)
    return result


def _entry(index: int, item: Any, bad: Bad | None = None) -> tuple[Listed, protocol.Registration | None]:
    """One entry: its public fields, and the registration when key and secret are listed.

    ProtocolError is raised when `bad` is None, else `bad(reason)`. A missing or null key or
    secret is "not listed"; any other fault of theirs (empty, masked, a number) is malformed.
    """
    keys_listed = not (isinstance(item, dict) and (item.get("key") is None or item.get("secret") is None))
    wire = item if keys_listed else {**item, "key": _STAND_IN, "secret": _STAND_IN}
    try:
        registration = protocol.Registration.from_wire(wire)
    except protocol.ProtocolError as exc:
        if bad is None:
            raise
        raise bad(_entry_reason(index, exc)) from None
    reg = registration
    listed = Listed(
        reg.id,
        reg.name,
        reg.version,
        reg.endpoint_entity_id,
        reg.function_entity_start_id,
        reg.function_entity_end_id,
        keys_listed,
    )
    return listed, reg if keys_listed else None


def _protocol_reason(exc: protocol.ProtocolError) -> str:
    """ProtocolError's text, naming its field when the text does not already."""
    text = str(exc)
    if exc.field and repr(exc.field) not in text:
        text = f"field {exc.field!r}: {text}"
    return text


def _entry_reason(index: int, exc: protocol.ProtocolError) -> str:
    return f"registeredConnectorList[{index}]: {_protocol_reason(exc)}"
