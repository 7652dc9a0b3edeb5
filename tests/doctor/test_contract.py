"""The API contract: `run_contract` and each Connector Manager reply shape it relies on.

Tests marked `contract` run in the normal suite against the bundled emulator, and against a
real server when HARMONY_CONTRACT_URL/_EMAIL/_PASSWORD/_ORG_ID are set (`pytest -m contract`,
see tests/contract_target.py). Each reply shape has its own test, so a real run says exactly
where the emulator differs. The unmarked tests inject faults, which only the emulator can.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hatch_harmony.api.client import HarmonyClient, resolve_base_url
from hatch_harmony.api.errors import InvalidSecurityInfoError, NotFoundError, ServerError
from hatch_harmony.api.protocol import Registration
from hatch_harmony.doctor.contract import (
    CONTRACT_PREFIX,
    CONTRACT_VERSION,
    RANDOM_DIGITS,
    ContractReport,
    contract_name,
    run_contract,
)
from hatch_harmony.emulator import DEFAULT_PASSWORD, Emulator
from hatch_harmony.emulator.variations import Variations
from hatch_harmony.project.adapter import parse_adapter
from hatch_harmony.vocabulary import is_harmony_id
from tests.contract_target import (
    VARIABLES,
    Recording,
    Target,
    TargetError,
    assert_no_secret,
    listed_ids,
    real_target,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
#: A passing run's requests against the emulator, as the README says.
EMULATOR_REQUESTS = 7
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
        yield Target.on(emulator)


@pytest.fixture
def client(target: Target) -> Iterator[HarmonyClient]:
    with target.client() as opened:
        yield opened


@contextlib.contextmanager
def throwaway(client: HarmonyClient) -> Iterator[Registration]:
    """A contract connector, deleted afterwards whatever happened; gone by the ids-only list.

    Only ids are needed here, so a server that lists no keys fails the list-entry test alone.
    """
    registration = client.register(contract_name(), CONTRACT_VERSION)
    try:
        yield registration
    finally:
        for delete in (client.delete_payload, client.delete_registration):
            with contextlib.suppress(NotFoundError):
                delete(registration.id)
        assert registration.id not in listed(client), "not cleaned up"


@pytest.fixture
def registered(client: HarmonyClient) -> Iterator[Registration]:
    """A contract connector for one shape test (`throwaway`)."""
    with throwaway(client) as registration:
        yield registration


def listed(client: HarmonyClient) -> list[str]:
    """The ids the org lists, read as a lookup that needs no key reads them."""
    return [entry.id for entry in client.listed()]


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
        assert report.requests == EMULATOR_REQUESTS == after - before
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
    assert listed(client).count(registered.id) == 1


@pytest.mark.contract
def test_delete_removes_it_from_the_list(client: HarmonyClient, registered: Registration) -> None:
    client.validate(registered.name, registered.key, registered.secret)
    client.delete_payload(registered.id)
    client.delete_registration(registered.id)
    assert registered.id not in listed(client)


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
    target = Target.on(emulator, password=password)
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
def test_a_lost_register_reply_is_found_by_name_and_deleted(
    emulator: Emulator, lose_reply: Callable[[Emulator], None]
) -> None:
    lose_reply(emulator)
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

    target = Target.on(emulator)
    with target.client_of(Broken) as client, pytest.raises(RuntimeError):
        run_contract(client)
    assert emulator.registrations() == []


@pytest.mark.parametrize(
    ("variations", "requests"),
    [
        (Variations(upper_case_names=True), EMULATOR_REQUESTS),
        (Variations(session_cookie=True), EMULATOR_REQUESTS),
        (Variations(redirect_to="/eu"), 2 * EMULATOR_REQUESTS),  # each call: a 307, then the answer
    ],
    ids=["names upper-cased", "session cookie", "same-host redirect"],
)
def test_the_contract_passes_on_servers_the_client_handles(variations: Variations, requests: int) -> None:
    with Emulator(variations=variations) as varied:
        report, _ = run_on(varied)
        assert report.ok, report.steps
        assert report.requests == requests and varied.registrations() == []
    stored = f"; name stored as {report.connector_name.upper()!r}"
    assert step(report, "register").endswith(stored) == variations.upper_case_names


def test_a_redirect_to_another_host_fails_the_login_naming_it() -> None:
    with Emulator() as regional:
        with Emulator(variations=Variations(redirect_to=regional.url)) as fronting:
            report, _ = run_on(fronting)
        assert sum(regional.counts().values()) == 0
        assert regional.url.split("//")[1] in step(report, "login")
    assert [(s.name, s.ok) for s in report.steps] == [("login", False), ("cleanup", True)]
    assert report.requests == 1


def test_a_register_reply_naming_another_connector_fails_and_is_deleted_by_id(emulator: Emulator) -> None:
    emulator.override_next("register", {"name": "Dropbox"})
    report, registered = run_on(emulator)
    assert [(s.name, s.ok) for s in report.steps] == [("login", True), ("register", False), ("cleanup", True)]
    assert "names connector 'Dropbox' version '1.0.0'" in step(report, "register")
    assert step(report, "cleanup") == f"ok: deleted connector {registered[0].id}; nothing left"
    assert emulator.registrations() == []


class Lying(Recording):
    """Lists this run's entry with another key (`lie="key"`) or not at all (`lie="absent"`)."""

    lie = "key"

    def list_connectors(self) -> list[Registration]:
        listed = super().list_connectors()
        mine = {r.id for r in self.registered}
        if self.lie == "absent":
            return [r for r in listed if r.id not in mine]
        return [dataclasses.replace(r, key=str(uuid.uuid4())) if r.id in mine else r for r in listed]


@pytest.mark.parametrize(
    ("lie", "says"), [("key", "differs from the register reply in key"), ("absent", "is not listed")]
)
def test_a_list_entry_unlike_the_register_reply_fails_the_list_step(
    emulator: Emulator, lie: str, says: str
) -> None:
    target = Target.on(emulator)
    client = target.client_of(Lying)
    client.lie = lie
    with client:
        report = run_contract(client)
    assert [(s.name, s.ok) for s in report.steps][2:] == [("list", False), ("cleanup", True)]
    assert says in step(report, "list")
    assert_no_secret(report, client.registered, DEFAULT_PASSWORD)
    assert emulator.registrations() == []


def test_a_delete_whose_reply_was_lost_is_not_found_in_cleanup_which_counts_as_deleted(
    emulator: Emulator,
) -> None:
    class LostReply(HarmonyClient):
        def delete_registration(self, connector_id: str) -> None:
            super().delete_registration(connector_id)
            if not getattr(self, "lost", False):
                self.lost = True
                raise ServerError("HTTP 502 after the delete (a lost reply)")

    target = Target.on(emulator)
    client = target.client_of(LostReply)
    with client:
        report = run_contract(client)
    assert [(s.name, s.ok) for s in report.steps][-2:] == [("delete", False), ("cleanup", True)]
    assert step(report, "cleanup") == f"ok: deleted connector {report.connector_id}; nothing left"
    assert emulator.counts()["delete"] == 2 and emulator.registrations() == []


# --- a server that lists no keys (Variations.list_without_keys): the list step says so, cleanup works --


@pytest.mark.parametrize(
    ("variations", "fault", "steps", "requests"),
    [
        # login, register, list, delete payload, delete, the final lookup
        (Variations(list_without_keys=True), None, [("list", False), ("cleanup", True)], 6),
        # login, register, the lookup (refused: keyless), the ids-only list, delete payload, delete,
        # the ids-only list
        (
            Variations(list_without_keys=True, register_without_id=True),
            None,
            [("register", False), ("cleanup", True)],
            7,
        ),
        # login, register, list, delete payload, delete (500), the lookup (refused), the ids-only list
        (Variations(list_without_keys=True), "delete", [("list", False), ("cleanup", False)], 7),
    ],
    ids=["keyless", "keyless, register reply without id", "keyless, cleanup's delete faulted"],
)
def test_a_server_that_lists_no_keys_fails_the_list_step_and_cleanup_needs_no_key(
    variations: Variations, fault: str | None, steps: list[tuple[str, bool]], requests: int
) -> None:
    with Emulator(variations=variations) as keyless:
        if fault:
            keyless.fail_next(1, 500, route=fault)
        report, registered = run_on(keyless)
        left = tuple(r.id for r in keyless.registrations())
    assert [(s.name, s.ok) for s in report.steps][-2:] == steps
    if steps[0][0] == "list":
        assert "without its key and secret" in step(report, "list")
    connector = report.connector_id
    assert connector is not None
    if fault:
        assert step(report, "cleanup").startswith(f"FAILED: connector {connector} still registered")
        assert report.leftovers == left == (connector,)
    else:
        assert step(report, "cleanup") == f"ok: deleted connector {connector}; nothing left"
        assert report.leftovers == left == ()
    assert report.requests == requests
    assert_no_secret(report, registered, DEFAULT_PASSWORD)


def test_leftovers_that_cannot_be_checked_are_the_ones_whose_delete_failed(emulator: Emulator) -> None:
    class Unlisting(Recording):
        def find(self, name: str, version: str | None = None) -> list[Registration]:
            raise ServerError("HTTP 503 while listing (injected)")

    emulator.fail_next(2, 500, route="delete")  # the delete step, then cleanup's delete
    client = Target.on(emulator).client_of(Unlisting)
    with client:
        report = run_contract(client)
    connector = client.registered[0].id
    cleanup = step(report, "cleanup")
    assert cleanup == "FAILED: could not check for leftovers: HTTP 503 while listing (injected)"
    assert report.leftovers == (connector,) and [r.id for r in emulator.registrations()] == [connector]


def test_a_shape_tests_connector_is_deleted_on_a_server_that_lists_no_keys() -> None:
    with Emulator(variations=Variations(list_without_keys=True)) as keyless:
        with Target.on(keyless).client() as client, throwaway(client) as registration:
            assert [r.id for r in keyless.registrations()] == [registration.id]
        assert keyless.registrations() == []


# --- names and the target rule ---------------------------------------------------------------


def test_contract_names_are_valid_fresh_and_unmasked() -> None:
    names = {contract_name() for _ in range(20)}
    assert len(names) == 20
    for name in names:
        adapter = f'{{"name": "{name}", "version": "{CONTRACT_VERSION}", "activities": {{}}}}'
        assert parse_adapter(adapter.encode(), source=Path("adapter.json")).name == name
        assert name == name.lower() and len(name) < 32  # servertext masks runs of 32 or more


def test_a_name_without_the_prefix_is_refused(emulator: Emulator) -> None:
    target = Target.on(emulator)
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


def test_some_variables_but_not_all_fail_each_contract_test_with_one_message() -> None:
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environ[VARIABLES[0]] = "http://127.0.0.1:9"  # never reached: the fixture stops first
    command = [sys.executable, "-m", "pytest", __file__, "-m", "contract", "-k", "test_login_reply"]
    # -rN: no short summary, which would repeat the message (in full where CI is set)
    command += ["-p", "no:cacheprovider", "-q", "-rN"]
    run = subprocess.run(command, check=False, cwd=ROOT, env=environ, capture_output=True, text=True)
    message = f"{', '.join(VARIABLES[1:-1])} and {VARIABLES[-1]} are not set. Set them, or unset all four"
    assert run.returncode == 1 and "1 error" in run.stdout, run.stdout
    assert run.stdout.count(message) == 1 and "Traceback" not in run.stdout, run.stdout


def test_the_build_variables_never_make_a_real_target() -> None:
    build = {"HARMONY_URL": "na", "HARMONY_EMAIL": "a@b.c", "HARMONY_PASSWORD": "pw", "HARMONY_ORG_ID": "1"}
    assert real_target(build) is None
    region = real_target({**{name: "12345" for name in VARIABLES}, VARIABLES[0]: "na"})
    assert region is not None
    with region.client() as client:  # no request: a client connects on its first call
        assert client.base_url == resolve_base_url("na")


# --- the README tells the truth about it --------------------------------------------------------


def test_the_docs_explain_the_contract_as_it_is() -> None:
    # the contract moved from README.md to docs/api-contract.md, which README and doctor's section link
    page = (ROOT / "docs" / "api-contract.md").read_text(encoding="utf-8")
    section = page.split("\n## The API contract\n", 1)[1].split("\n## ", 1)[0]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/api-contract.md#the-api-contract)" in readme
    text = " ".join(section.split())
    command = " ".join(f"{name}=..." for name in VARIABLES) + " .venv/bin/python -m pytest -m contract"
    assert command in text
    assert re.findall(r"^\| `([a-z ]+)` \|", section, flags=re.M) == STEPS
    assert f"makes {EMULATOR_REQUESTS} requests against the emulator" in text
    assert (
        f"named `{CONTRACT_PREFIX}` and {RANDOM_DIGITS} random hex digits, version `{CONTRACT_VERSION}`"
        in text
    )
    assert "doctor --contract [--yes]" in text
    assert "a server that lists connectors without their key and secret, the `list` step fails" in text


def test_ci_runs_the_contract_tests_against_the_emulator() -> None:
    """CI runs plain `pytest` (.ci/run, the README's test command); the default options keep `contract`."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = pyproject["tool"]["pytest"]["ini_options"]
    assert any(marker.startswith("contract:") for marker in options["markers"])
    assert '-m "not slow"' in options["addopts"] and "contract" not in options["addopts"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert [line for line in ci.splitlines() if "pytest" in line and not line.startswith("#")] == [
        'python3 -m venv .venv && .venv/bin/python -m pip install -e ".[test]" && .venv/bin/python -m pytest'
    ]
