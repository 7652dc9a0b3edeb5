"""What the emulator remembers across restarts (`--data FILE`), and that file's format.

The file holds connector keys and secrets, so it is written 0600, atomically (through
`files.atomic_write`, standard library only like this package): a crash or a full disk
leaves the previous state intact. Tokens are not saved: after a restart everybody logs in again, as after a
Harmony session timeout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hatch_harmony.api.protocol import ProtocolError, Registration
from hatch_harmony.errors import ConfigError
from hatch_harmony.util.files import atomic_write

FORMAT = "hatch-harmony-emulator/1"
FIRST_CONNECTOR_ID = 4471  # the documented example's ids, so replies look like Harmony's
FIRST_ENDPOINT_ID = 2370701


@dataclass
class Connector:
    """A registration plus the flags Harmony keeps about it.

    `deleted` marks a registration removed while its payload is still cached: `list` no
    longer shows it, but the payload delete still finds it.
    """

    org_id: str
    registration: Registration
    in_use: bool = False
    payload_cached: bool = False
    deleted: bool = False


@dataclass
class Data:
    """Everything that survives a restart (tokens do not)."""

    connectors: list[Connector] = field(default_factory=list)
    next_connector_id: int = FIRST_CONNECTOR_ID
    next_endpoint_id: int = FIRST_ENDPOINT_ID


def to_json(data: Data) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "nextConnectorId": data.next_connector_id,
        "nextEndpointEntityId": data.next_endpoint_id,
        "connectors": [
            {
                "orgId": c.org_id,
                **c.registration.to_wire(),
                "inUse": c.in_use,
                "payloadCached": c.payload_cached,
                "registrationDeleted": c.deleted,
            }
            for c in data.connectors
        ],
    }


def from_json(raw: Any) -> Data:
    """Raises ValueError naming the first bad key."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError(f'"format" is not {FORMAT!r}')
    counters = {}
    for key in ("nextConnectorId", "nextEndpointEntityId"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f'"{key}" is not a positive integer')
        counters[key] = value
    items = raw.get("connectors")
    if not isinstance(items, list):
        raise ValueError('"connectors" is not a list')
    data = Data(
        next_connector_id=counters["nextConnectorId"], next_endpoint_id=counters["nextEndpointEntityId"]
    )
    for index, item in enumerate(items):
        where = f"connectors[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} is not an object")
        org_id = item.get("orgId")
        if not isinstance(org_id, str) or not org_id:
            raise ValueError(f'{where}."orgId" is not a string')
        flags = {}
        for key in ("inUse", "payloadCached", "registrationDeleted"):
            flag = item.get(key, False)
            if not isinstance(flag, bool):
                raise ValueError(f'{where}."{key}" is not true or false')
            flags[key] = flag
        try:
            registration = Registration.from_wire(item)
        except ProtocolError as exc:
            raise ValueError(f"{where}: {exc}") from exc
        if not registration.id.isdigit():
            raise ValueError(f'{where}."id" is not a numeric id')
        data.connectors.append(
            Connector(
                org_id,
                registration,
                in_use=flags["inUse"],
                payload_cached=flags["payloadCached"],
                deleted=flags["registrationDeleted"],
            )
        )
        # Never hand out an id twice, even if someone edited the counters by hand.
        data.next_connector_id = max(data.next_connector_id, int(registration.id) + 1)
        data.next_endpoint_id = max(data.next_endpoint_id, int(registration.function_entity_end_id) + 1)
    return data


def load(path: Path) -> Data:
    """The saved state, or a fresh one when the file does not exist yet."""
    if not path.parent.is_dir():
        raise ConfigError(
            f"{path}: the directory {path.parent} does not exist; create it or pass another --data file."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Data()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path}: cannot read the emulator state ({exc}); pass another --data file."
        ) from exc
    try:
        return from_json(json.loads(text))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        raise ConfigError(
            f"{path}: not an emulator state file ({exc}); delete it to start afresh "
            "or pass another --data file."
        ) from exc


def save(path: Path, data: Data) -> None:
    """Atomic and private (0600); raises files.FileWriteError and leaves the old file in place on failure."""
    atomic_write(path, (json.dumps(to_json(data), indent=2) + "\n").encode("utf-8"), mode=0o600)
