"""One engine run: its inputs, the notices it collects, and its client, opened on first need.

`execute` carries out a row of the decision table with it, `lock_entries` builds the
lock entry from it; neither opens a connection any other way, so "no network unless the
row needs it" (the request table of docs/architecture.md) holds in one place:
`RunContext.connect`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hatch_harmony.engine.connection import Client, ClientFactory, for_entry, open_client
from hatch_harmony.engine.decision import scope
from hatch_harmony.vocabulary import KEY_VAR, SECRET_VAR

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.engine.shipped_ids import ShippedIds
    from hatch_harmony.project.adapter import Adapter
    from hatch_harmony.project.lock import LockEntry


@dataclass
class RunContext:
    """One engine run's inputs and its lazily created client."""

    config: HarmonyConfig
    adapter: Adapter
    version: str
    version_source: str  # whose version it is, for messages (decision.registered_version)
    env: Mapping[str, str]
    factory: ClientFactory
    host: str
    allow_register: bool = True
    read_only: bool = False
    shipped: tuple[ShippedIds, ...] = ()
    new_name: bool = False  # `hatch-harmony register`: a renamed connector is registered on purpose
    #: The lock's endpoint ids -> how messages name their entries: whose ids a template holds.
    owners: dict[str, str] = field(default_factory=dict)
    client: Client | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return self.client.requests_made if self.client else 0

    def connect(self, why: str, entry: LockEntry | None = None) -> Client:
        """The client, created on first need; refuses early when the network is off limits.

        `why` says what needed the network, so the error tells the user what would have
        happened and which variables to set. With a lock `entry`, the client works in the
        entry's organisation (`for_entry`).
        """
        if self.client is not None:
            return self.client
        self.client = open_client(
            for_entry(self.config, entry),
            self.env,
            why,
            factory=self.factory,
            offline_hint=f"or provide {KEY_VAR} and {SECRET_VAR} when {self.config.lock.name} already has "
            "the registration",
        )
        return self.client

    def scope(self) -> str:
        return scope(self.config, self.adapter, self.host)
