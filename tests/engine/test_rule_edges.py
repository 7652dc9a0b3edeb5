"""Edges of the engine's rules that a changed operator or a dropped line would pass unnoticed.

Each test pins one rule: what counts as a claim of an existing registration, the lock holding
a connector in several organisations, an activity attribute without a key, and that no value
holding a key or secret shows it in a repr or str (log lines and tracebacks print them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.engine.decision import KeyPair, Row, Step, keypair_from_env
from hatch_harmony.engine.pipeline import generate
from hatch_harmony.engine.shipped_ids import Registered, read_shipped, refuse_new_registration
from hatch_harmony.errors import ConfigError
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project.lock import read_lock
from tests.engine.test_organisations import PROJECT as ORGS_PROJECT
from tests.engine.test_organisations import SECOND_ORG, two_orgs  # noqa: F401 (a fixture)
from tests.engine.test_organisations import env as orgs_env

KEY = "c0ffee00-key-4a5b-8c9d-0123456789ab"
SECRET = "5ecre7-55-secret-value-9f8e7d6c"
PLACEHOLDERS = "Jitterbit-Connector-Key: ****\nJitterbit-Connector-Secret: *****\n"


def shipped(text: str, *, template: bool = True) -> object:
    return read_shipped(Manifest.parse(text.encode(), source="MANIFEST.MF"), "MANIFEST.MF", template=template)


# --- what a template claims ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "claims"),
    [
        (PLACEHOLDERS + "Jitterbit-Activity-EntityTypeId-fetch: 2370702\n", True),  # the common template
        (PLACEHOLDERS + "Jitterbit-Connector-Endpoint-EntityTypeId: 2370701\n", True),
        ("Jitterbit-Connector-Key: " + KEY + "\nJitterbit-Connector-Secret: *****\n", True),
        (PLACEHOLDERS + "Jitterbit-Connector-Endpoint-EntityTypeId: \n", False),
        (PLACEHOLDERS + "Jitterbit-Activity-EntityTypeId-fetch: ${FETCH_ID}\n", False),
    ],
)
def test_any_one_concrete_key_endpoint_or_activity_id_is_a_claim(lines: str, claims: bool) -> None:
    ids = shipped(lines)
    assert ids.claims_anything is claims  # type: ignore[attr-defined]


def test_a_placeholder_key_with_real_activity_ids_is_never_registered_anew() -> None:
    """The committed template of most projects: `****` key and secret, the real ids kept."""
    ids = shipped(PLACEHOLDERS + "Jitterbit-Activity-EntityTypeId-fetch: 2370702\n")
    with pytest.raises(ConfigError, match="holds the key or ids of an existing registration"):
        refuse_new_registration([ids], "'Dropbox' 1.0.0", DEFAULT_ORG_ID)  # type: ignore[list-item]
    refuse_new_registration([shipped(PLACEHOLDERS)], "'Dropbox' 1.0.0", DEFAULT_ORG_ID)  # type: ignore[list-item]


@pytest.mark.parametrize(
    "attribute", ["Jitterbit-Activity-EntityTypeId-", "jitterbit-activity-entitytypeid-"]
)
def test_an_activity_attribute_without_a_key_is_refused_not_dropped(attribute: str) -> None:
    with pytest.raises(ConfigError) as info:
        shipped(PLACEHOLDERS + f"{attribute}: 2370702\n")
    message = info.value.message
    assert message.startswith(f"MANIFEST.MF: the attribute {attribute} names no activity")
    assert "Jitterbit-Activity-EntityTypeId-<key>" in message and "delete the line" in message


def test_a_template_with_a_keyless_activity_attribute_stops_the_build_before_any_request(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = ORGS_PROJECT.make(tmp_path / "acme", gitignore=False, class_file=None)
    (root / "MANIFEST.MF").write_text(
        PLACEHOLDERS + "Jitterbit-Activity-EntityTypeId-: 7\n", encoding="utf-8"
    )
    env = {"HARMONY_URL": emulator.url, "HARMONY_EMAIL": "x@example.com", "HARMONY_PASSWORD": "pw"}
    with pytest.raises(ConfigError, match="names no activity"):
        generate(load_config({"manifest-template": "MANIFEST.MF"}, root, env), env)
    assert sum(emulator.counts().values()) == 0
    assert not (root / "harmony.lock").exists()


# --- one connector, several organisations ----------------------------------------------------------------


def test_a_lock_holding_the_connector_in_two_organisations_needs_org_id(
    tmp_path: Path,
    two_orgs: Emulator,  # noqa: F811 (the fixture)
) -> None:
    root = ORGS_PROJECT.make(tmp_path / "acme", gitignore=False, class_file=None)
    env = orgs_env(two_orgs)
    for org in (SECOND_ORG, DEFAULT_ORG_ID):
        assert generate(load_config({"org-id": org}, root, env), env).outcome.action == "registered"
    assert {e.org_id for e in read_lock(root / "harmony.lock").entries} == {SECOND_ORG, DEFAULT_ORG_ID}
    two_orgs.reset_counts()

    with pytest.raises(ConfigError) as info:
        generate(load_config({}, root, env), env)

    message = info.value.message
    assert (
        f"holds registrations of 'Acme Orgs' in several organisations ({DEFAULT_ORG_ID}, {SECOND_ORG})"
        in message
    )
    assert "set `org-id` in the hook configuration or HARMONY_ORG_ID" in message
    assert sum(two_orgs.counts().values()) == 0
    named = generate(load_config({"org-id": SECOND_ORG}, root, env), env)  # one org named: no question
    assert named.outcome.action != "registered" and two_orgs.counts()["register"] == 0


# --- no secret in a repr or str --------------------------------------------------------------------------


def test_no_value_holding_a_key_or_secret_shows_it() -> None:
    pair = keypair_from_env({"HARMONY_CONNECTOR_KEY": KEY, "HARMONY_CONNECTOR_SECRET": SECRET})
    assert isinstance(pair, KeyPair) and (pair.key, pair.secret) == (KEY, SECRET)
    step = Step(Row.OFFLINE, None, pair, 0, 0, "the key came from the environment")
    template = f"Jitterbit-Connector-Key: {KEY}\nJitterbit-Connector-Secret: {SECRET}\n"
    ids = shipped(template + "Jitterbit-Connector-Endpoint-EntityTypeId: 2370701\n")
    registered = Registered("connector 4471 ('Dropbox' 1.0.0, org 10001)", "2370701", range(2, 9), KEY)
    for value in (pair, step, ids, registered):
        for shown in (repr(value), str(value), f"{value!r}", json.dumps(str(value))):
            assert KEY not in shown and SECRET not in shown, type(value).__name__
    assert "keys=" not in repr(step)  # the field is hidden, not only its pair's values


# --- the ids kept ------------------------------------------------------------------------------------------


def test_kept_ids_sorts_shipped_ids_into_current_activities_and_reserved_ones() -> None:
    """An id a template ships for an activity adapter.json no longer has is reserved, never reassigned."""
    from hatch_harmony.engine.shipped_ids import kept_ids

    template = (
        PLACEHOLDERS
        + "Jitterbit-Connector-Endpoint-EntityTypeId: 100\n"
        + "Jitterbit-Activity-EntityTypeId-fetch: 102\n"
        + "Jitterbit-Activity-EntityTypeId-legacy: 101\n"
    )
    registered = Registered("connector 1", "100", range(101, 200), None)
    assigned, reserved = kept_ids([shipped(template)], registered, ["fetch", "put"], {}, {})  # type: ignore[list-item]
    assert (assigned, reserved) == ({"fetch": 102}, {"legacy": 101})


def test_the_checked_values_cannot_change_after_the_check() -> None:
    import dataclasses

    ids = shipped(PLACEHOLDERS)
    registered = Registered("connector 1", "100", range(101, 200), None)
    for value, attribute in ((ids, "key"), (registered, "endpoint")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, attribute, "other")


# --- keys at hand ------------------------------------------------------------------------------------------


KEY_VAR, SECRET_VAR = "HARMONY_CONNECTOR_KEY", "HARMONY_CONNECTOR_SECRET"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({KEY_VAR: KEY}, f"{KEY_VAR} is set but {SECRET_VAR} is not"),
        ({SECRET_VAR: SECRET}, f"{SECRET_VAR} is set but {KEY_VAR} is not"),
        ({KEY_VAR: "****", SECRET_VAR: SECRET}, f"{KEY_VAR} is not a usable connector key"),
        ({KEY_VAR: KEY, SECRET_VAR: "a\nb"}, f"{SECRET_VAR} is not a usable connector secret"),
    ],
)
def test_a_half_set_or_unusable_key_pair_is_refused(env: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as info:
        keypair_from_env(env)
    assert info.value.message.startswith(says)
    assert SECRET not in info.value.message and KEY not in info.value.message


def test_the_last_manifests_keys_count_only_for_its_own_registration() -> None:
    from hatch_harmony.engine.decision import local_keys
    from tests.project.test_lock import entry

    lock_entry = entry()  # endpoint 2370701
    manifest = KeyPair(KEY, SECRET, "build/harmony/MANIFEST.MF")
    environment = KeyPair("env-key", "env-secret", "environment")
    assert local_keys(lock_entry, None, manifest, "2370701") is manifest
    assert local_keys(lock_entry, None, manifest, "999") is None  # another registration's manifest
    assert local_keys(lock_entry, environment, manifest, "2370701") is environment  # the environment first
    assert local_keys(lock_entry, None, None, "2370701") is None


def test_a_decided_step_and_a_key_pair_are_frozen() -> None:
    import dataclasses

    pair = KeyPair(KEY, SECRET, "environment")
    step = Step(Row.OFFLINE, None, pair, 0, 0, "reason")
    for value, attribute in ((pair, "key"), (step, "requests")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, attribute, "other")
