"""The engine against servers that differ from the documented shapes (hatch_harmony/emulator/variations.py).

Each variation is one way a real Harmony server may behave; the default emulator stays
the documented one. Request counts come from the emulator's own counters.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hatch_harmony.api.client import Credentials, HarmonyClient
from hatch_harmony.api.errors import RequestRejectedError
from hatch_harmony.api.protocol import AUTH_HEADER, BASE_PATH, LOGIN_PATH, connectors_path
from hatch_harmony.api.replies import KeyNotListedError
from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.emulator.variations import SESSION_COOKIE, Variations
from hatch_harmony.engine.pipeline import generate
from hatch_harmony.project.lock import read_lock
from tests.plugins.emulator import harmony_env
from tests.projects import Project, hatchling_build

ADAPTER = {"name": "Acme Widgets", "version": "1.0.0-beta", "activities": {"query": {}, "create": {}}}


@pytest.fixture
def upper_casing() -> Iterator[Emulator]:
    with Emulator(test_controls=True, variations=Variations(upper_case_names=True)) as running:
        yield running


def build(root: Path, emulator: Emulator, extra_env: dict[str, str] | None = None, **table: Any) -> str:
    env = {**harmony_env(emulator), **(extra_env or {})}
    return generate(load_config(table, root, env), env).outcome.action


@pytest.mark.parametrize("per_version", [False, True])
def test_a_server_that_renames_the_connector_gets_one_registration(
    tmp_path: Path, upper_casing: Emulator, per_version: bool
) -> None:
    """Issue 14, item 9: three builds once gave three registrations."""
    root = tmp_path / "acme"
    root.mkdir()
    (root / "adapter.json").write_text(json.dumps(ADAPTER), encoding="utf-8")
    table = {"register-per-version": per_version}

    actions = [build(root, upper_casing, **table)]
    (root / "build" / "harmony" / "MANIFEST.MF").unlink()  # a fresh checkout: look it up
    actions.append(build(root, upper_casing, **table))
    actions.append(build(root, upper_casing, **table))
    (root / "harmony.lock").unlink()  # the lock lost: adopt it
    actions.append(build(root, upper_casing, **table))

    assert actions == ["registered", "looked-up", "offline", "adopted"]
    [registration] = upper_casing.registrations(DEFAULT_ORG_ID)
    assert registration.name == "ACME WIDGETS" and registration.version == "1.0.0-BETA"
    [entry] = read_lock(root / "harmony.lock").entries
    assert (entry.name, entry.version) == ("Acme Widgets", "1.0.0-beta")  # what this project registers
    assert upper_casing.counts()["register"] == 1

    upper_casing.reset_counts()  # verify = true validates with the name this project registered with
    assert build(root, upper_casing, verify=True, **table) == "verified"
    assert upper_casing.counts()["validate"] == 1


# --- a list that shows no keys ---------------------------------------------------------------------------


@pytest.fixture
def keyless() -> Iterator[Emulator]:
    with Emulator(test_controls=True, variations=Variations(list_without_keys=True)) as running:
        yield running


def test_a_list_without_keys_stops_only_the_builds_that_need_the_key(
    tmp_path: Path, keyless: Emulator
) -> None:
    """The register reply's key is kept; a lookup or an adoption that needs it says what to do."""
    root = tmp_path / "acme"
    root.mkdir()
    (root / "adapter.json").write_text(json.dumps(ADAPTER), encoding="utf-8")
    assert build(root, keyless) == "registered"
    [registration] = keyless.registrations(DEFAULT_ORG_ID)
    manifest = root / "build" / "harmony" / "MANIFEST.MF"
    assert f"Jitterbit-Connector-Key: {registration.key}" in manifest.read_text(encoding="utf-8")

    manifest.unlink()  # a fresh checkout without the key: the list cannot give it
    with pytest.raises(KeyNotListedError) as caught:
        build(root, keyless)
    message = str(caught.value)
    assert f"'Acme Widgets' version '1.0.0-beta' (id {registration.id}) in org {DEFAULT_ORG_ID}" in message
    assert "HARMONY_CONNECTOR_KEY and HARMONY_CONNECTOR_SECRET" in message
    assert registration.key not in message and registration.secret not in message

    keyless.reset_counts()  # ... but the key and secret at hand make it an offline build
    env = {"HARMONY_CONNECTOR_KEY": registration.key, "HARMONY_CONNECTOR_SECRET": registration.secret}
    assert build(root, keyless, extra_env=env) == "offline"
    assert sum(keyless.counts().values()) == 0

    (root / "harmony.lock").unlink()  # adopting needs the key: one message, never a second register
    with pytest.raises(KeyNotListedError, match=f"--registration --id {registration.id}"):
        build(root, keyless)
    assert keyless.counts()["register"] == 0
    assert len(keyless.registrations(DEFAULT_ORG_ID)) == 1


def test_a_list_without_keys_still_answers_a_lookup_by_id(keyless: Emulator) -> None:
    registration = keyless.state.register(DEFAULT_ORG_ID, "Acme Widgets", "1.0.0")
    with HarmonyClient(keyless.url, Credentials(DEFAULT_EMAIL, DEFAULT_PASSWORD)) as client:
        [listed] = client.listed()
    assert (listed.id, listed.endpoint_entity_id, listed.keys_listed) == (
        registration.id,
        registration.endpoint_entity_id,
        False,
    )


# --- a register reply without an id ----------------------------------------------------------------------


def test_a_register_reply_without_id_is_resolved_by_listing_in_a_hook_build(tmp_path: Path) -> None:
    """Outcome unknown (README, Reliability): the next list finds it; register is never resent."""
    project = Project("Acme Idless", "acme-idless")
    root = project.make(tmp_path / "acme")
    with Emulator(test_controls=True, variations=Variations(register_without_id=True)) as idless:
        done = hatchling_build(root, idless, "-t", "jar")
        assert done.returncode == 0, done.stderr
        counts = {route: n for route, n in idless.counts().items() if n}
        [registration] = idless.registrations(DEFAULT_ORG_ID)
    assert counts == {"login": 1, "list": 2, "register": 1}
    assert "found the new registration by listing and adopted it" in done.stderr + done.stdout
    with zipfile.ZipFile(root / "dist" / project.jar_name) as jar:
        manifest = jar.read("META-INF/MANIFEST.MF").decode("utf-8")
    assert f"Jitterbit-Connector-Endpoint-EntityTypeId: {registration.endpoint_entity_id}" in manifest
    assert f"Jitterbit-Activity-EntityTypeId-fetch: {registration.function_entity_start_id}" in manifest
    [entry] = read_lock(root / "harmony.lock").entries
    assert entry.connector_id == registration.id


# --- a session cookie ------------------------------------------------------------------------------------


def test_a_server_that_needs_its_session_cookie_gets_it_and_it_stays_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "acme"
    root.mkdir()
    (root / "adapter.json").write_text(json.dumps(ADAPTER), encoding="utf-8")
    caplog.set_level(logging.DEBUG, logger="hatch_harmony")  # what `-v` shows (test_secrets.py: only that)
    with Emulator(test_controls=True, variations=Variations(session_cookie=True)) as pinned:
        assert build(root, pinned) == "registered"
        counts = {route: n for route, n in pinned.counts().items() if n}
        cookies = [entry.cookie for entry in pinned.state._tokens.values()]
        # The server really needs it: the same token without the cookie is refused.
        api = pinned.url + BASE_PATH
        with httpx.Client() as raw:
            login = raw.put(api + LOGIN_PATH, json={"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD})
            token = login.json()["authenticationToken"]
            assert login.headers["Set-Cookie"].startswith(f"{SESSION_COOKIE}=")
            without = httpx.get(api + connectors_path(DEFAULT_ORG_ID), headers={AUTH_HEADER: token})
    assert counts == {"login": 1, "list": 1, "register": 1}
    assert without.status_code == 401
    [cookie] = cookies
    assert cookie
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("hatch_harmony"))
    assert "request GET" in ours  # the request log was on
    assert cookie not in ours and SESSION_COOKIE not in ours
    for path in root.rglob("*"):
        assert not path.is_file() or cookie.encode() not in path.read_bytes(), path


def test_a_token_expired_mid_session_logs_in_again_and_carries_the_new_cookie_only() -> None:
    """The one re-login starts a new session: its cookie replaces the old one, in memory only."""
    with Emulator(test_controls=True, variations=Variations(session_cookie=True)) as pinned:
        pinned.state.register(DEFAULT_ORG_ID, "Acme Widgets", "1.0.0")
        with HarmonyClient(pinned.url, Credentials(DEFAULT_EMAIL, DEFAULT_PASSWORD)) as client:
            assert len(client.list_connectors()) == 1
            [first] = [entry.cookie for entry in pinned.state._tokens.values()]
            pinned.expire_tokens()
            assert len(client.list_connectors()) == 1  # 401, the one re-login, the list again
            held = client._transport.cookie_values()
        second = [entry.cookie for entry in pinned.state._tokens.values() if entry.cookie != first]
        counts = {route: n for route, n in pinned.counts().items() if n}
    assert counts == {"login": 2, "list": 3}
    assert held == second and first not in held


# --- a redirect to a regional host -----------------------------------------------------------------------


def test_a_redirect_to_another_host_stops_before_the_password_travels(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    root.mkdir()
    (root / "adapter.json").write_text(json.dumps(ADAPTER), encoding="utf-8")
    with Emulator(test_controls=True) as regional:
        fronting = Variations(redirect_to=regional.url)
        with Emulator(test_controls=True, variations=fronting) as front:
            with pytest.raises(RequestRejectedError) as caught:
                build(root, front)
            front_counts = {route: n for route, n in front.counts().items() if n}
        assert sum(regional.counts().values()) == 0  # the login (and its password) never went there
        message = str(caught.value)
        assert f"pointing to another host: {regional.url}." in message
        assert f"HARMONY_URL={regional.url}" in message
        assert not (root / "harmony.lock").exists()

        assert build(root, regional) == "registered"  # ...and what it says to set works
    assert front_counts == {"login": 1}


def test_a_redirect_within_the_same_host_is_followed(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    root.mkdir()
    (root / "adapter.json").write_text(json.dumps(ADAPTER), encoding="utf-8")
    with Emulator(test_controls=True, variations=Variations(redirect_to="/eu")) as moved:
        assert build(root, moved) == "registered"
        counts = {route: n for route, n in moved.counts().items() if n}
        registrations = moved.registrations(DEFAULT_ORG_ID)
    assert counts == {"login": 2, "list": 2, "register": 2}  # each call: the 307, then the answer
    assert len(registrations) == 1
    [entry] = read_lock(root / "harmony.lock").entries
    assert entry.connector_id == registrations[0].id


# --- the variations' wire shapes, read without the client ------------------------------------------------


def raw_session(emulator: Emulator, raw: httpx.Client) -> dict[str, str]:
    login = raw.put(
        emulator.url + BASE_PATH + LOGIN_PATH, json={"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD}
    )
    return {AUTH_HEADER: login.json()["authenticationToken"]}


@pytest.mark.parametrize(
    ("variations", "register_lacks", "entry_lacks"),
    [
        (Variations(), set(), set()),
        (Variations(register_without_id=True), {"id"}, set()),
        (Variations(list_without_keys=True), set(), {"key", "secret"}),
    ],
    ids=["documented", "register-without-id", "list-without-keys"],
)
def test_each_variation_changes_only_its_own_field(
    variations: Variations, register_lacks: set[str], entry_lacks: set[str]
) -> None:
    documented = {"id", "key", "secret", "endpointEntityId", "functionEntityStartId", "functionEntityEndId"}
    with Emulator(variations=variations) as emulator, httpx.Client() as raw:
        headers = raw_session(emulator, raw)
        url = emulator.url + BASE_PATH + connectors_path(DEFAULT_ORG_ID)
        registered = raw.post(url, json={"name": "A", "version": "1"}, headers=headers).json()
        [entry] = raw.get(url, headers=headers).json()["registeredConnectorList"]
        [kept] = emulator.registrations(DEFAULT_ORG_ID)
    assert documented - registered.keys() == register_lacks
    assert (documented | {"name", "version"}) - entry.keys() == entry_lacks
    assert kept.key and kept.secret and kept.id  # the registration itself is whole


@pytest.mark.parametrize(
    ("redirect_to", "target", "expected"),
    [
        (
            "",
            "/jitterbit-cloud-restful-service/user/login",
            (None, "/jitterbit-cloud-restful-service/user/login"),
        ),
        ("http://127.0.0.1:9/", "/a/b?c=1", ("http://127.0.0.1:9/a/b?c=1", "/a/b?c=1")),
        ("/eu", "/a/b?c=1", ("/eu/a/b?c=1", "/a/b?c=1")),
        ("/eu/", "/eu/a/b", (None, "/a/b")),
    ],
)
def test_redirect_to_says_where_and_what_to_serve(
    redirect_to: str, target: str, expected: tuple[str | None, str]
) -> None:
    assert Variations(redirect_to=redirect_to).redirect(target) == expected


def test_the_list_command_works_where_harmony_lists_no_keys(keyless: Emulator, tmp_path: Path) -> None:
    """`hatch-harmony list` shows ids, never keys, so a server that lists none must not stop it."""
    registration = keyless.state.register(DEFAULT_ORG_ID, "Acme Widgets", "1.0.0")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "acme"\nversion = "1.0.0"\n\n[tool.hatch.build.hooks.harmony]\n', encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
    env.update(HARMONY_URL=keyless.url, HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD)
    result = subprocess.run(
        [sys.executable, "-m", "hatch_harmony", "list", "--json", "--project", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [listed] = json.loads(result.stdout)["connectors"]
    assert listed["id"] == registration.id and listed["name"] == "Acme Widgets"
    assert "key" not in listed and "secret" not in listed
    assert registration.key not in result.stdout and registration.secret not in result.stdout
