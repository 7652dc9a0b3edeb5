"""The API contract: prove the Connector Manager API with a throwaway registration.

Everything else in the project is proven against the bundled emulator, which was written
from Jitterbit's documents; this is how a real Harmony account finds out whether the real
server agrees. `run_contract` walks the whole life of one connector through the client a
build uses: log in, register `hatch-harmony-contract-<random>`, find it in the strict list
with the register reply's id, key and ids, validate its key and secret, delete its payload,
delete it, and check that it is gone. Each step becomes a `ContractStep`; an `ApiError` (or
any `HarmonyError`) is that step's failure with its message, never a traceback.

It writes to a real org, so it always cleans up: whatever this run registered is deleted
even when a step failed (found by name when the register reply was lost), and a final
lookup reports by id any connector of this run still registered. Cleanup needs only ids, so
it works on a server that lists no keys (where the list step fails). Key and secret never
appear in a detail. `hatch-harmony doctor --contract` and tests/doctor/test_contract.py run it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hatch_harmony.api.errors import NotFoundError
from hatch_harmony.api.protocol import Registration, same_connector
from hatch_harmony.api.replies import KeyNotListedError
from hatch_harmony.api.server_text import REDACTED, one_line, shorten
from hatch_harmony.errors import HarmonyError

if TYPE_CHECKING:
    from hatch_harmony.api.client import HarmonyClient

#: Every contract connector's name starts with this, so a leftover is recognisable in any org.
CONTRACT_PREFIX = "hatch-harmony-contract-"
#: The version registered. Any valid adapter.json version would do.
CONTRACT_VERSION = "1.0.0"
#: Random hex digits after the prefix. 8 keep the name at 31 characters: a run of 32 or more
#: letters and digits looks like a secret to `server_text.mask_opaque`, and error messages
#: about this connector must show its name.
RANDOM_DIGITS = 8
#: The longest detail: room for a client error message in full (they are bounded already).
DETAIL_LIMIT = 1000


@dataclass(frozen=True)
class ContractStep:
    """One step: "login", "register", "list", "validate", "delete payload", "delete", "gone" or "cleanup"."""

    name: str
    ok: bool
    detail: str  # one line, never a secret


@dataclass(frozen=True)
class ContractReport:
    """What one run did: the steps in order, the connector it registered, what it left behind."""

    connector_name: str
    connector_id: str | None
    steps: tuple[ContractStep, ...]
    leftovers: tuple[str, ...]  # ids of this run's connectors still registered after cleanup
    requests: int

    @property
    def ok(self) -> bool:
        """Every step passed and nothing was left behind."""
        return all(step.ok for step in self.steps) and not self.leftovers


def contract_name() -> str:
    """A fresh name: the prefix and lowercase hex digits, valid under adapter.json's name rule."""
    return CONTRACT_PREFIX + secrets.token_hex(RANDOM_DIGITS // 2)


def run_contract(client: HarmonyClient, *, name: str | None = None) -> ContractReport:
    """Run every step against `client`'s server and org, clean up, and report.

    `name` (tests) must start with CONTRACT_PREFIX; by default a fresh random one is used.
    """
    if name is None:
        name = contract_name()
    elif not name.startswith(CONTRACT_PREFIX):
        raise ValueError(f"a contract connector's name must start with {CONTRACT_PREFIX!r}, not {name!r}")
    before = client.requests_made
    run = _Run(client, name)
    try:
        run.walk()
    finally:
        leftovers = run.clean_up()
    registered = run.registration.id if run.registration else next(iter(run.found), None)
    return ContractReport(name, registered, tuple(run.steps), leftovers, client.requests_made - before)


class _Mismatch(Exception):
    """A reply the client accepted but that does not say what the contract expects."""


class _Run:
    """One run's state: the steps so far and what is registered, so cleanup knows what to undo."""

    def __init__(self, client: HarmonyClient, name: str) -> None:
        self.client = client
        self.name = name
        self.steps: list[ContractStep] = []
        self.registration: Registration | None = None
        self.register_sent = False
        self.payload_deleted = False
        self.deleted = False
        self.gone = False
        self.found: list[str] = []  # found by name when the register reply was lost
        self.keyless = False  # the server lists this run's connector without its key

    def walk(self) -> None:
        """The steps in order, up to the first failure."""
        steps: tuple[tuple[str, Callable[[], str]], ...] = (
            ("login", self._login),
            ("register", self._register),
            ("list", self._list),
            ("validate", self._validate),
            ("delete payload", self._delete_payload),
            ("delete", self._delete),
            ("gone", self._gone),
        )
        all(self._step(name, action) for name, action in steps)

    def _step(self, name: str, action: Callable[[], str]) -> bool:
        try:
            detail, ok = action(), True
        except (HarmonyError, _Mismatch) as exc:
            detail, ok = str(exc), False
        self.steps.append(ContractStep(name, ok, self._shown(detail)))
        return ok

    def _shown(self, text: str) -> str:
        """One line, short, with this run's key and secret masked (the client's messages already are)."""
        if self.registration is not None:
            for value in (self.registration.key, self.registration.secret):
                text = text.replace(value, REDACTED)
        return shorten(one_line(text), DETAIL_LIMIT)

    @property
    def _mine(self) -> Registration:
        assert self.registration is not None  # the steps after register run only when it succeeded
        return self.registration

    def _login(self) -> str:
        session = self.client.login()
        return f"logged in; org {self.client.org_id}, session of {session.timeout_seconds} s"

    def _register(self) -> str:
        self.register_sent = True
        reg = self.registration = self.client.register(self.name, CONTRACT_VERSION)
        if not same_connector(self.name, CONTRACT_VERSION, reg.name, reg.version):
            raise _Mismatch(
                f"the register reply names connector {reg.name!r} version {reg.version!r}, "
                f"not {self.name!r} version {CONTRACT_VERSION!r}"
            )
        stored = "" if reg.name == self.name else f"; name stored as {reg.name!r}"
        return (
            f"connector {reg.id}: endpoint {reg.endpoint_entity_id}, "
            f"activity ids {reg.function_entity_start_id}-{reg.function_entity_end_id}{stored}"
        )

    def _list(self) -> str:
        reg = self._mine
        listed = self.client.list_connectors()
        entries = [entry for entry in listed if entry.id == reg.id]
        if len(entries) != 1:
            shown = "not listed" if not entries else f"listed {len(entries)} times"
            raise _Mismatch(f"connector {reg.id} is {shown} ({len(listed)} entries in the org's list)")
        differ = _differences(reg, entries[0])
        if differ:
            raise _Mismatch(
                f"the list entry of connector {reg.id} differs from the register reply in {differ}"
            )
        return f"connector {reg.id} listed with the register reply's name, key, secret, endpoint and range"

    def _validate(self) -> str:
        reg = self._mine
        self.client.validate(reg.name, reg.key, reg.secret)
        return "key and secret accepted"

    def _delete_payload(self) -> str:
        self.client.delete_payload(self._mine.id)
        self.payload_deleted = True
        return f"payload of connector {self._mine.id} deleted"

    def _delete(self) -> str:
        self.client.delete_registration(self._mine.id)
        self.deleted = True
        return f"connector {self._mine.id} deleted"

    def _gone(self) -> str:
        reg = self._mine
        left = self._leftovers((r.id, r.name) for r in self.client.list_connectors())
        if left:
            raise _Mismatch(f"connector {reg.id} was deleted but is still listed (as {', '.join(left)})")
        self.gone = True
        return f"connector {reg.id} no longer listed"

    def _leftovers(self, listed: Iterable[tuple[str, str]]) -> list[str]:
        """The ids of (id, name) pairs that are this run's: its registration's id, or its name as echoed."""
        mine = self.registration.id if self.registration else None
        return [id_ for id_, name in listed if id_ == mine or same_connector(self.name, None, name, None)]

    def _named(self) -> list[tuple[str, str]]:
        """(id, name) of the listed connectors named like this run's, for cleanup, which needs no key.

        `find` skips another connector's malformed entry; a server that lists this one
        without its key makes it refuse, so from then on the ids-only list is read instead.
        """
        if not self.keyless:
            try:
                return [(r.id, r.name) for r in self.client.find(self.name)]
            except KeyNotListedError:
                self.keyless = True
        return [(entry.id, entry.name) for entry in self.client.listed()]

    def clean_up(self) -> tuple[str, ...]:
        """The "cleanup" step: delete what this run left registered, then look again; its leftovers' ids."""
        if self.gone:
            return self._cleaned("nothing to clean up: the gone check found no connector of this run", ())
        if not self.register_sent:
            return self._cleaned("nothing was registered", ())
        reg = self.registration
        try:
            found = [(reg.id, reg.name)] if reg else self._named()
        except HarmonyError as exc:
            return self._cleaned(f"could not look for connector {self.name!r}: {exc}", (), ok=False)
        targets = self.found = self._leftovers(found)
        removals = {target: self._remove(target) for target in targets}
        problems = [problem for target_problems in removals.values() for problem in target_problems]
        try:
            left = tuple(self._leftovers(self._named()))
        except HarmonyError as exc:  # unchecked: the ones whose deletion failed are left, as far as we know
            failed = tuple(target for target, its in removals.items() if its)
            return self._cleaned(f"could not check for leftovers: {exc}", failed, ok=False)
        done = f"deleted connector {', '.join(targets)}" if targets else f"no connector {self.name!r} found"
        if left:
            reason = f": {'; '.join(problems)}" if problems else ""
            return self._cleaned(f"connector {', '.join(left)} still registered{reason}", left, ok=False)
        return self._cleaned(f"{done}; nothing left", (), ok=not problems)

    def _cleaned(self, detail: str, leftovers: tuple[str, ...], *, ok: bool = True) -> tuple[str, ...]:
        self.steps.append(ContractStep("cleanup", ok, self._shown(detail)))
        return leftovers

    def _remove(self, connector_id: str) -> list[str]:
        """Delete the payload (unless done), then the registration; a "not found" counts as done."""
        mine = self.registration is not None and connector_id == self.registration.id
        calls: list[tuple[str, Callable[[str], None]]] = []
        if not (mine and (self.payload_deleted or self.deleted)):
            calls.append(("payload", self.client.delete_payload))
        if not (mine and self.deleted):
            calls.append(("registration", self.client.delete_registration))
        problems = []
        for what, call in calls:
            try:
                call(connector_id)
            except NotFoundError:
                continue
            except HarmonyError as exc:
                problems.append(f"deleting its {what} failed: {exc}")
        return problems


def _differences(registered: Registration, listed: Registration) -> str:
    """The fields in which a list entry differs from the register reply (names by `protocol.identity`)."""
    differ = []
    if not same_connector(registered.name, registered.version, listed.name, listed.version):
        differ.append("name or version")
    for label, attr in (
        ("key", "key"),
        ("secret", "secret"),
        ("endpointEntityId", "endpoint_entity_id"),
        ("functionEntityStartId", "function_entity_start_id"),
        ("functionEntityEndId", "function_entity_end_id"),
    ):
        if getattr(registered, attr) != getattr(listed, attr):
            differ.append(label)
    return ", ".join(differ)
