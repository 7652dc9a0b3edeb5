"""What the connector calls' replies mean: a registration, and the org's list read strictly or leniently.

Apart from the request machinery because these are rules about registrations, not about
HTTP: the list is strict for `list_connectors` and lenient only where skipping an entry
cannot hide the caller's own connector (which would lead to a second registration).
Failures are raised through the caller's `bad(reason)`, which words them as a malformed
reply of that call (for register: outcome unknown). Pure; no httpx.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from . import protocol
from .api_errors import ApiError
from .servertext import json_type

#: The client's one logger, whichever of its modules writes: users configure one name.
log = logging.getLogger("hatch_harmony.client")

#: Words a malformed reply of the call at hand, given why it is malformed.
Bad = Callable[[str], ApiError]


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


def every_registration(items: list[Any], bad: Bad) -> list[protocol.Registration]:
    """Every entry as a registration; one malformed entry fails the whole list."""
    result = []
    for index, item in enumerate(items):
        try:
            result.append(protocol.Registration.from_wire(item))
        except protocol.ProtocolError as exc:
            raise bad(_entry_reason(index, exc)) from None
    return result


def registrations_named(
    items: list[Any], name: str, version: str | None, bad: Bad
) -> list[protocol.Registration]:
    """The entries with this name (and version), as `protocol.named` compares.

    Lenient where that is safe [decision]: a malformed entry whose `name` is readable and
    different is skipped (another connector of the org is none of our business); a
    malformed entry that may be ours fails, so it is never mistaken for "absent".
    """
    found = []
    for index, item in enumerate(items):
        try:
            found.append(protocol.Registration.from_wire(item))
        except protocol.ProtocolError as exc:
            other = item.get("name") if isinstance(item, dict) else None
            if isinstance(other, str) and not protocol.same_connector(name, None, other, None):
                log.debug("ignoring malformed list entry %d of another connector: %s", index, exc)
                continue
            raise bad(_entry_reason(index, exc)) from None
    return protocol.named(found, name, version, lambda r: (r.name, r.version))


def _protocol_reason(exc: protocol.ProtocolError) -> str:
    """ProtocolError's text, naming its field when the text does not already."""
    text = str(exc)
    if exc.field and repr(exc.field) not in text:
        text = f"field {exc.field!r}: {text}"
    return text


def _entry_reason(index: int, exc: protocol.ProtocolError) -> str:
    return f"registeredConnectorList[{index}]: {_protocol_reason(exc)}"
