"""What the CLI prints: human lines, or one stable JSON document with --json, and the exit codes.

Secrets: nothing printed here carries a key, secret, password or token, except the
manifest written to stdout with `--show-secrets` (without it, they are masked).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from hatch_harmony.engine.execute import Outcome
    from hatch_harmony.project.lock import LockEntry

#: What `--json` prints: read-only shapes (Mapping, Sequence), so dict[str, int] and the like fit.
Json = Union[str, int, float, bool, None, Sequence["Json"], Mapping[str, "Json"]]  # noqa: UP007

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_NEEDS_NETWORK = 0, 1, 2, 3
MASK = "********"


class Output:
    """Where results go: human lines on stdout, or one JSON document with --json."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Mapping[str, Json], lines: Sequence[str]) -> None:
        if self.as_json:
            print(json.dumps(data, indent=2, sort_keys=True))
        else:
            for line in lines:
                print(line)


def entry_json(entry: LockEntry) -> dict[str, Json]:
    return {
        "host": entry.host,
        "orgId": entry.org_id,
        "id": entry.connector_id,
        "name": entry.name,
        "version": entry.version,
        "endpointEntityId": entry.endpoint_entity_id,
        "functionEntityStartId": entry.function_entity_start_id,
        "functionEntityEndId": entry.function_entity_end_id,
        "activities": dict(entry.activities),
        "reserved": dict(entry.reserved),
    }


def outcome_json(outcome: Outcome) -> dict[str, Json]:
    """The registration part of `manifest --json` and `register --json`: one shape for both."""
    return {
        "action": outcome.action,
        "reason": outcome.reason,
        "requests": outcome.requests,
        "connector": outcome.registration.to_public(),
        "activities": dict(outcome.activity_ids),
        "notices": list(outcome.notices),
    }


def outcome_lines(outcome: Outcome) -> list[str]:
    reg = outcome.registration
    lines = [
        f"{outcome.action}: {reg.name!r} {reg.version}, connector id {reg.id or '?'} — {outcome.reason}",
        f"requests: {outcome.requests}",
        f"endpoint entity id: {reg.endpoint_entity_id}; range {reg.function_entity_start_id}-"
        f"{reg.function_entity_end_id}",
    ]
    lines += [f"activity {name}: {value}" for name, value in outcome.activity_ids.items()]
    lines += [f"note: {notice}" for notice in outcome.notices]
    return lines
