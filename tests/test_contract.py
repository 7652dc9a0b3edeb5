"""The API contract (issue 16): `run_contract` and each Connector Manager reply shape it relies on.

Tests marked `contract` run in the normal suite against the bundled emulator, and against a
real server when HARMONY_CONTRACT_URL/_EMAIL/_PASSWORD/_ORG_ID are set (`pytest -m contract`,
see tests/contract_target.py). Each reply shape has its own test, so a real run says exactly
where the emulator differs. The unmarked tests inject faults, which only the emulator can.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.adapter import parse_adapter
from hatch_harmony.api_errors import InvalidSecurityInfoError, NotFoundError
from hatch_harmony.client import HarmonyClient
from hatch_harmony.contract import (
    CONTRACT_PREFIX,
    CONTRACT_VERSION,
    ContractReport,
    contract_name,
    run_contract,
)
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.protocol import Registration, same_connector
from hatch_harmony.vocabulary import is_harmony_id
from tests.contract_target import VARIABLES, Target, TargetError, real_target

ROOT = Path(__file__).resolve().parent.parent
STEPS = ["login", "register", "list", "validate", "delete payload", "delete", "gone", "cleanup"]


@pytest.fixture
def target() -> Iterator[Target]:
    """The real server the HARMONY_CONTRACT_* variables name, else a fresh emulator."""
    try:
        real = real_target(os.environ)
    except TargetError as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:  # outside the except block, so pytest shows the message once, without a chained error
        pytest.fail(problem, pytrace=False)
    if real is not None:
        yield real
        return
    with Emulator() as emulator:
        yield Target(emulator.url, DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID, emulator)


@pytest.fixture
def client(target: Target) -> Iterator[HarmonyClient]:
    with target.client() as opened:
        yield opened


@pytest.fixture
def registered(client: HarmonyClient) -> Iterator[Registration]:
    """A contract connector for one shape test, deleted afterwards whatever the test did."""
    registration = client.register(contract_name(), CONTRACT_VERSION)
    yield registration
    for delete in (client.delete_payload, client.delete_registration):
        with contextlib.suppress(NotFoundError):
            delete(registration.id)


class Recording(HarmonyClient):
    """Remembers what register returned, so a test can look for the key and secret in a report."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registered: list[Registration] = []

    def register(self, name: str, version: str) -> Registration:
        registration = super().register(name, version)
        self.registered.append(registration)
        return registration


def listed_ids(target: Target, name: str) -> list[str]:
    """An independent look: a new client's strict list, entries of this name or any contract name."""
    with target.client() as other:
        return [r.id for r in other.list_connectors() if same_connector(name, None, r.name, None)]


def assert_no_secret(report: ContractReport, registrations: list[Registration], password: str) -> None:
    for step in report.steps:
        for value in (password, *(v for r in registrations for v in (r.key, r.secret))):
            assert value not in step.detail, step.name


# --- the whole contract, against the target ---------------------------------------------------


@pytest.mark.contract
def test_the_whole_contract_passes_and_leaves_nothing(target: Target) -> None:
    client = target.client_of(Recording)
    with client:
        before = sum(target.emulator.counts().values()) if target.emulator else 0
        report = run_contract(client)
        after = sum(target.emulator.counts().values()) if target.emulator else 0
    assert [step.name for step in report.steps] == STEPS, report.steps
    assert all(step.ok for step in report.steps), report.steps
    assert report.ok and report.leftovers == ()
    assert report.connector_name.startswith(CONTRACT_PREFIX)
    assert report.connector_id == client.registered[0].id
    assert listed_ids(target, report.connector_name) == []
    assert_no_secret(report, client.registered, target.password)
    assert all("\n" not in step.detail and step.detail for step in report.steps)
    assert report.requests >= 7
    if target.emulator is not None:  # a real server may retry; the emulator answers each call once
        assert report.requests == 7 == after - before
        assert target.emulator.registrations() == []


# --- each reply shape, against the target ------------------------------------------------------


@pytest.mark.contract
def test_login_reply(client: HarmonyClient, target: Target) -> None:
    session = client.login()
    assert session.token and session.timeout_seconds > 0
    assert client.org_id == target.org_id
    assert target.org_id in [org.id for org in session.orgs], "the login reply's orgAttrs lack the org"


@pytest.mark.contract
def test_register_reply(registered: Registration) -> None:
    assert is_harmony_id(registered.id)
    assert registered.name.casefold().startswith(CONTRACT_PREFIX)  # a server may change the case
    assert registered.version == CONTRACT_VERSION
    assert registered.key.strip() and registered.secret.strip()
    endpoint = int(registered.endpoint_entity_id)
    assert endpoint < int(registered.function_entity_start_id) <= int(registered.function_entity_end_id)


@pytest.mark.contract
def test_list_entry_is_the_register_reply(client: HarmonyClient, registered: Registration) -> None:
    entries = [entry for entry in client.list_connectors() if entry.id == registered.id]
    assert len(entries) == 1
    assert entries[0].to_wire() == registered.to_wire()


@pytest.mark.contract
def test_validate_accepts_the_key_and_secret(client: HarmonyClient, registered: Registration) -> None:
    client.validate(registered.name, registered.key, registered.secret)


@pytest.mark.contract
def test_validate_refuses_a_wrong_secret(client: HarmonyClient, registered: Registration) -> None:
    wrong = str(uuid.uuid4())
    with pytest.raises(InvalidSecurityInfoError) as caught:
        client.validate(registered.name, registered.key, wrong)
    assert wrong not in str(caught.value) and registered.key not in str(caught.value)


@pytest.mark.contract
def test_delete_payload_keeps_the_registration(client: HarmonyClient, registered: Registration) -> None:
    client.validate(registered.name, registered.key, registered.secret)  # as a build would, first
    client.delete_payload(registered.id)
    assert [entry.id for entry in client.list_connectors() if entry.id == registered.id] == [registered.id]


@pytest.mark.contract
def test_delete_removes_it_from_the_list(client: HarmonyClient, registered: Registration) -> None:
    client.validate(registered.name, registered.key, registered.secret)
    client.delete_payload(registered.id)
    client.delete_registration(registered.id)
    assert registered.id not in [entry.id for entry in client.list_connectors()]


@pytest.mark.contract
def test_deleting_a_deleted_connector_is_not_found(client: HarmonyClient, registered: Registration) -> None:
    client.delete_payload(registered.id)
    client.delete_registration(registered.id)
    with pytest.raises(NotFoundError) as caught:
        client.delete_registration(registered.id)
    assert registered.id in str(caught.value)


# --- faults mid-way: emulator only (a real server cannot inject them), so not marked contract ------


def run_on(
    emulator: Emulator, *, password: str = DEFAULT_PASSWORD
) -> tuple[ContractReport, list[Registration]]:
    """The contract against `emulator`, with the registrations its register calls returned."""
    target = Target(emulator.url, DEFAULT_EMAIL, password, DEFAULT_ORG_ID, emulator)
    client = target.client_of(Recording)
    with client:
        report = run_contract(client)
        assert report.requests == sum(emulator.counts().values())
        return report, client.registered


def step(report: ContractReport, name: str) -> str:
    """The detail of step `name`, which must have run exactly once."""
    (found,) = [s for s in report.steps if s.name == name]
    return f"{'ok' if found.ok else 'FAILED'}: {found.detail}"


@pytest.mark.parametrize(
    ("route", "failed_step", "names"),
    [
        ("validate", "validate", STEPS[:4]),
        ("delete_payload", "delete payload", STEPS[:5]),
        ("list", "list", STEPS[:3]),
    ],
)
def test_a_500_mid_way_fails_that_step_and_cleanup_removes_the_connector(
    emulator: Emulator, route: str, failed_step: str, names: list[str]
) -> None:
    emulator.fail_next(1, 500, route=route)
    report, registered = run_on(emulator)
    assert [s.name for s in report.steps] == [*names, "cleanup"]
    assert [s.name for s in report.steps if not s.ok] == [failed_step]
    assert "500" in step(report, failed_step)
    assert step(report, "cleanup") == f"ok: deleted connector {registered[0].id}; nothing left"
    assert not report.ok and report.leftovers == () and report.connector_id == registered[0].id
    assert emulator.registrations() == []
    assert_no_secret(report, registered, DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    "lose_reply",
    [Emulator.drop_after_register, lambda emulator: emulator.override_next("register", {"id": None})],
    ids=["dropped", "without id"],
)
def test_a_lost_register_reply_is_found_by_name_and_deleted(emulator: Emulator, lose_reply: object) -> None:
    lose_reply(emulator)  # type: ignore[operator]
    report, registered = run_on(emulator)
    assert registered == []
    assert [(s.name, s.ok) for s in report.steps] == [("login", True), ("register", False), ("cleanup", True)]
    assert "may or may not have registered" in step(report, "register")
    assert report.connector_name in step(report, "register")  # the name is short enough not to be masked
    assert report.connector_id is not None
    assert step(report, "cleanup") == f"ok: deleted connector {report.connector_id}; nothing left"
    assert report.leftovers == () and emulator.registrations() == []
    # login, register, find, delete payload, delete, the final find
    assert report.requests == 6


def test_a_faulted_cleanup_reports_the_leftover_by_id(emulator: Emulator) -> None:
    emulator.fail_next(2, 500, route="delete")  # the delete step, then cleanup's delete
    report, registered = run_on(emulator)
    connector = registered[0].id
    assert [(s.name, s.ok) for s in report.steps][-2:] == [("delete", False), ("cleanup", False)]
    cleanup = step(report, "cleanup")
    assert cleanup.startswith(
        f"FAILED: connector {connector} still registered: deleting its registration failed"
    )
    assert report.leftovers == (connector,) and not report.ok
    assert [r.id for r in emulator.registrations()] == [connector]
    assert_no_secret(report, registered, DEFAULT_PASSWORD)


def test_a_refused_login_registers_nothing(emulator: Emulator) -> None:
    report, registered = run_on(emulator, password="wrong-password")
    assert [(s.name, s.ok) for s in report.steps] == [("login", False), ("cleanup", True)]
    assert "HARMONY_PASSWORD" in step(report, "login") and "wrong-password" not in step(report, "login")
    assert step(report, "cleanup") == "ok: nothing was registered"
    assert report.requests == 1 and report.connector_id is None and registered == []


def test_an_unexpected_error_still_cleans_up_and_is_raised(emulator: Emulator) -> None:
    class Broken(HarmonyClient):
        def validate(self, name: str, key: str, secret: str) -> None:
            raise RuntimeError("a bug, not an API failure")

    target = Target(emulator.url, DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID, emulator)
    with target.client_of(Broken) as client, pytest.raises(RuntimeError):
        run_contract(client)
    assert emulator.registrations() == []


def test_a_server_that_changes_the_name_passes(emulator: Emulator) -> None:
    from hatch_harmony.emulator.variations import Variations

    with Emulator(variations=Variations(upper_case_names=True)) as upper:
        report, _ = run_on(upper)
        assert report.ok, report.steps
        assert f"name stored as {report.connector_name.upper()!r}" in step(report, "register")
        assert upper.registrations() == []


# --- names and the target rule ---------------------------------------------------------------


def test_contract_names_are_valid_fresh_and_unmasked() -> None:
    names = {contract_name() for _ in range(20)}
    assert len(names) == 20
    for name in names:
        adapter = f'{{"name": "{name}", "version": "{CONTRACT_VERSION}", "activities": {{}}}}'
        assert parse_adapter(adapter.encode(), source=Path("adapter.json")).name == name
        assert name == name.lower() and len(name) < 32  # servertext masks runs of 32 or more


def test_a_name_without_the_prefix_is_refused(emulator: Emulator) -> None:
    target = Target(emulator.url, DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID, emulator)
    with target.client() as client, pytest.raises(ValueError, match=CONTRACT_PREFIX):
        run_contract(client, name="Dropbox")
    assert sum(emulator.counts().values()) == 0


def test_the_target_is_the_emulator_unless_all_four_variables_are_set() -> None:
    assert real_target({}) is None
    assert real_target(dict.fromkeys(VARIABLES, " ")) is None
    full = {name: f"value-{index}" for index, name in enumerate(VARIABLES)}
    real = real_target({**full, VARIABLES[0]: "https://example.invalid/"})
    assert real is not None and real.emulator is None
    assert (real.url, real.email, real.password, real.org_id) == (
        "https://example.invalid/",
        *list(full.values())[1:],
    )
    with pytest.raises(TargetError, match="HARMONY_CONTRACT_ORG_ID is not set"):
        real_target({name: "x" for name in VARIABLES[:3]})
    with pytest.raises(TargetError, match="HARMONY_CONTRACT_URL and HARMONY_CONTRACT_PASSWORD are not set"):
        real_target({VARIABLES[1]: "x", VARIABLES[3]: "x"})
