"""The registration engine against the emulator over real loopback HTTP.

Each test asserts the exact request count of its row of DESIGN.md's table, from the
emulator's own per-route counters.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.api.client import Credentials, HarmonyClient
from hatch_harmony.config import HarmonyConfig, load_config
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.engine.decision import EngineInputs, KeyPair
from hatch_harmony.engine.execute import Outcome, ensure_registration
from hatch_harmony.errors import ConfigError, HarmonyError, NeedsNetworkError
from hatch_harmony.project.adapter import load_adapter
from hatch_harmony.project.lock import read_lock

ADAPTER = {
    "name": "Acme Widgets",
    "version": "1.0.0",
    "endpoint": {"displayName": "Acme", "properties": []},
    "activities": {"query": {"displayName": "Query"}, "create": {"displayName": "Create"}},
}
CANARY_PASSWORD = "canary-Pa55word-7d1f"


def write_adapter(root: Path, data: dict[str, Any] | None = None) -> Path:
    path = root / "adapter.json"
    path.write_text(json.dumps(data or ADAPTER, indent=2), encoding="utf-8")
    return path


def credentials(emulator: Emulator) -> dict[str, str]:
    return {"HARMONY_URL": emulator.url, "HARMONY_EMAIL": DEFAULT_EMAIL, "HARMONY_PASSWORD": DEFAULT_PASSWORD}


def config_for(root: Path, env: dict[str, str], **table: Any) -> HarmonyConfig:
    return load_config(table, root, env)


Previous = tuple[KeyPair, str]


def run(root: Path, env: dict[str, str], previous: Previous | None = None, **table: Any) -> Outcome:
    """One engine run; `previous` is what the manifest generated last time holds (keys, endpoint id)."""
    config = config_for(root, env, **table)
    adapter = load_adapter(root / "adapter.json")
    return ensure_registration(
        config,
        adapter,
        env,
        EngineInputs(
            adapter.version or "0",
            manifest_keys=previous[0] if previous else None,
            manifest_endpoint=previous[1] if previous else None,
        ),
    )


def remember(outcome: Outcome) -> Previous:
    """What the previously generated manifest would hold after `outcome`."""
    reg = outcome.registration
    return KeyPair(reg.key, reg.secret, "manifest"), reg.endpoint_entity_id


def total(emulator: Emulator) -> int:
    return sum(emulator.counts().values())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_adapter(tmp_path)
    return tmp_path


def test_nothing_registered_takes_login_list_register(project: Path, emulator: Emulator) -> None:
    outcome = run(project, credentials(emulator))
    assert outcome.action == "registered"
    counts = emulator.counts()
    assert (counts["login"], counts["list"], counts["register"], total(emulator)) == (1, 1, 1, 3)
    assert outcome.requests == 3
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    assert reg.id == outcome.registration.id
    start = int(reg.function_entity_start_id)
    assert outcome.activity_ids == {"query": start, "create": start + 1}
    [entry] = read_lock(project / "harmony.lock").entries
    assert entry.connector_id == reg.id and entry.org_id == DEFAULT_ORG_ID
    assert entry.activities == outcome.activity_ids


def test_lock_and_keys_at_hand_make_no_request(project: Path, emulator: Emulator) -> None:
    keys = remember(run(project, credentials(emulator)))
    emulator.reset_counts()
    before = (project / "harmony.lock").read_bytes()
    outcome = run(project, credentials(emulator), keys)
    assert outcome.action == "offline" and outcome.requests == 0 and total(emulator) == 0
    assert (project / "harmony.lock").read_bytes() == before
    assert not outcome.lock_written


def test_keys_from_environment_make_no_request_even_without_credentials(
    project: Path, emulator: Emulator
) -> None:
    first = run(project, credentials(emulator))
    emulator.reset_counts()
    env = {
        "HARMONY_URL": emulator.url,
        "HARMONY_CONNECTOR_KEY": first.registration.key,
        "HARMONY_CONNECTOR_SECRET": first.registration.secret,
    }
    outcome = run(project, env)
    assert (outcome.action, outcome.requests, total(emulator)) == ("offline", 0, 0)
    assert outcome.registration.secret == first.registration.secret


def test_verify_takes_login_and_validate(project: Path, emulator: Emulator) -> None:
    keys = remember(run(project, credentials(emulator)))
    emulator.reset_counts()
    outcome = run(project, credentials(emulator), keys, verify=True)
    counts = emulator.counts()
    assert outcome.action == "verified"
    assert (counts["login"], counts["validate"], total(emulator)) == (1, 1, 2)


def test_verify_fails_clearly_when_harmony_rejects_the_key(project: Path, emulator: Emulator) -> None:
    run(project, credentials(emulator))
    env = {
        **credentials(emulator),
        "HARMONY_CONNECTOR_KEY": "wrong-key",
        "HARMONY_CONNECTOR_SECRET": "wrong-secret",
    }
    emulator.reset_counts()
    with pytest.raises(HarmonyError) as info:
        run(project, env, verify=True)
    message = info.value.message
    assert "wrong-secret" not in str(info.value) and "wrong-key" not in str(info.value)
    assert info.value.exit_code == 1
    assert message.startswith(f"Harmony at {emulator.url} rejected the connector key and secret")
    assert "'Acme Widgets' in org 10001" in message
    assert "unset HARMONY_CONNECTOR_KEY and HARMONY_CONNECTOR_SECRET" in message  # what to do
    assert (emulator.counts()["login"], emulator.counts()["validate"]) == (1, 1)


def test_fresh_checkout_with_lock_takes_login_and_list(project: Path, emulator: Emulator) -> None:
    first = run(project, credentials(emulator))
    emulator.reset_counts()
    outcome = run(project, credentials(emulator))  # no manifest, no key variables
    counts = emulator.counts()
    assert outcome.action == "looked-up"
    assert (counts["login"], counts["list"], total(emulator)) == (1, 1, 2)
    assert outcome.registration.key == first.registration.key
    assert outcome.activity_ids == first.activity_ids


def test_registered_elsewhere_is_adopted_not_registered_again(project: Path, emulator: Emulator) -> None:
    run(project, credentials(emulator))
    (project / "harmony.lock").unlink()
    emulator.reset_counts()
    outcome = run(project, credentials(emulator))
    counts = emulator.counts()
    assert outcome.action == "adopted"
    assert (counts["login"], counts["list"], counts.get("register", 0), total(emulator)) == (1, 1, 0, 2)
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    assert (project / "harmony.lock").exists()


@pytest.mark.parametrize("offline", [True, False])
def test_needs_network_without_credentials_or_offline_writes_nothing(
    project: Path, emulator: Emulator, offline: bool
) -> None:
    env = {"HARMONY_URL": emulator.url}
    if offline:
        env.update(credentials(emulator), HARMONY_OFFLINE="1")
    with pytest.raises(NeedsNetworkError) as info:
        run(project, env)
    message = str(info.value)
    assert (
        ("HARMONY_OFFLINE" in message)
        if offline
        else ("HARMONY_EMAIL" in message and "HARMONY_PASSWORD" in message)
    )
    assert info.value.exit_code == 3
    assert total(emulator) == 0
    assert not (project / "harmony.lock").exists()


def test_activity_ids_stay_stable_and_new_ones_take_the_lowest_free(
    project: Path, emulator: Emulator
) -> None:
    first = run(project, credentials(emulator))
    keys = remember(first)
    start = int(first.registration.function_entity_start_id)
    changed = dict(ADAPTER, activities={"create": {}, "delete": {}})  # query removed, delete added
    write_adapter(project, changed)
    emulator.reset_counts()
    second = run(project, credentials(emulator), keys)
    assert total(emulator) == 0
    assert second.activity_ids == {"create": start + 1, "delete": start + 2}
    assert second.entry.reserved == {"query": start}
    assert any("caches" in notice for notice in second.notices)  # payload advice on a changed adapter.json
    back = dict(ADAPTER, activities={"query": {}, "create": {}, "delete": {}, "update": {}})
    write_adapter(project, back)
    third = run(project, credentials(emulator), keys)
    assert third.activity_ids == {
        "query": start,
        "create": start + 1,
        "delete": start + 2,
        "update": start + 3,
    }


def test_dropped_connection_after_register_commit_adopts(project: Path, emulator: Emulator) -> None:
    emulator.drop_after_register()
    outcome = run(project, credentials(emulator))
    assert outcome.action == "registered"
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    counts = emulator.counts()
    assert (counts["register"], counts["list"]) == (1, 2)
    assert read_lock(project / "harmony.lock").entries[0].connector_id == outcome.registration.id


def test_register_500_is_never_resent(project: Path, emulator: Emulator) -> None:
    emulator.fail_next(1, 500, route="register")
    with pytest.raises(HarmonyError) as info:
        run(project, credentials(emulator))
    assert "Nothing was written" in str(info.value)
    assert emulator.counts()["register"] == 1
    assert emulator.registrations(DEFAULT_ORG_ID) == []
    assert not (project / "harmony.lock").exists()


def test_503_with_retry_after_on_list_is_retried(project: Path, emulator: Emulator) -> None:
    emulator.fail_next(1, 503, route="list", retry_after=0)
    outcome = run(project, credentials(emulator))
    assert outcome.action == "registered"
    assert emulator.counts()["list"] == 2
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1


def test_expired_token_logs_in_again_once(project: Path, emulator: Emulator) -> None:
    """The session expires between login and list, inside one run: one re-login, one repeat."""
    from hatch_harmony.engine.connection import default_client_factory

    def expiring(config: HarmonyConfig, email: str, password: str) -> Any:
        client = default_client_factory(config, email, password)
        find = client.find

        def find_after_expiry(name: str, version: str | None = None) -> Any:
            _ = client.org_id  # logged in now ...
            emulator.expire_tokens()  # ... and the token dies before the list arrives
            return find(name, version)

        client.find = find_after_expiry  # type: ignore[method-assign]
        return client

    config = config_for(project, credentials(emulator))
    adapter = load_adapter(project / "adapter.json")
    outcome = ensure_registration(
        config, adapter, credentials(emulator), EngineInputs("1.0.0"), client_factory=expiring
    )
    assert outcome.action == "registered"
    counts = emulator.counts()
    assert counts["login"] == 2  # the first, and exactly one more after the 401
    assert counts["list"] == 2  # refused once, repeated once
    assert counts["register"] == 1


def test_status_false_with_http_200_is_an_error(project: Path, emulator: Emulator) -> None:
    body = json.dumps(
        {"status": False, "operation": "List", "errorCode": "SOMETHING", "errorMessage": "no such thing"}
    ).encode()
    emulator.fail_next(1, 200, route="list", body=body)
    with pytest.raises(HarmonyError) as info:
        run(project, credentials(emulator))
    assert "no such thing" in str(info.value) or "SOMETHING" in str(info.value)
    assert emulator.counts().get("register", 0) == 0
    assert not (project / "harmony.lock").exists()


def test_deleted_registration_is_reported_not_replaced(project: Path, emulator: Emulator) -> None:
    run(project, credentials(emulator))
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    with HarmonyClient(emulator.url, Credentials(DEFAULT_EMAIL, DEFAULT_PASSWORD)) as client:
        client.delete_registration(reg.id)
    emulator.reset_counts()
    with pytest.raises(HarmonyError, match="no longer lists it"):
        run(project, credentials(emulator))
    assert emulator.counts().get("register", 0) == 0


CHILD = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from hatch_harmony.project.adapter import load_adapter
    from hatch_harmony.config import load_config
    from hatch_harmony.engine.connection import default_client_factory
    from hatch_harmony.engine.decision import EngineInputs
    from hatch_harmony.engine.execute import ensure_registration

    root = Path(sys.argv[1])
    mode = sys.argv[2]
    env = dict(os.environ)
    config = load_config({}, root, env)
    adapter = load_adapter(root / "adapter.json")

    def factory(config, email, password):
        client = default_client_factory(config, email, password)
        if mode == "crash-after-register":
            register = client.register
            def crashing(name, version):
                register(name, version)
                os._exit(17)  # the reply arrived; the lock was not written
            client.register = crashing
        return client

    outcome = ensure_registration(config, adapter, env, EngineInputs("1.0.0"), client_factory=factory)
    print(json.dumps({"action": outcome.action, "id": outcome.registration.id, "ids": outcome.activity_ids}))
    """
)


def child(root: Path, env: dict[str, str], mode: str = "normal") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), mode],
        env={"PATH": "/usr/bin:/bin", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_crash_between_register_reply_and_lock_write_then_rerun_adopts(
    project: Path, emulator: Emulator
) -> None:
    proc = child(project, credentials(emulator), "crash-after-register")
    proc.communicate(timeout=60)
    assert proc.returncode == 17
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    assert not (project / "harmony.lock").exists()
    emulator.reset_counts()
    proc = child(project, credentials(emulator))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(out)["action"] == "adopted"
    assert emulator.counts().get("register", 0) == 0
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1


def test_eight_parallel_processes_make_exactly_one_registration(project: Path, emulator: Emulator) -> None:
    emulator.set_latency(0.05)  # widen the race window
    procs = [child(project, credentials(emulator)) for _ in range(8)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    assert emulator.counts()["register"] == 1
    assert len({r["id"] for r in results}) == 1
    assert len({json.dumps(r["ids"], sort_keys=True) for r in results}) == 1
    assert sorted(r["action"] for r in results).count("registered") == 1


def test_no_secret_in_outcome_repr_or_errors(project: Path, emulator: Emulator) -> None:
    outcome = run(project, credentials(emulator))
    text = repr(outcome) + str(outcome)
    assert outcome.registration.key not in text and outcome.registration.secret not in text
    lock_text = (project / "harmony.lock").read_text(encoding="utf-8")
    assert f'connector-id = "{outcome.registration.id}"' in lock_text  # a real lock, read for real
    assert outcome.registration.secret not in lock_text and outcome.registration.key not in lock_text
    env = {"HARMONY_URL": emulator.url, "HARMONY_EMAIL": DEFAULT_EMAIL, "HARMONY_PASSWORD": CANARY_PASSWORD}
    (project / "harmony.lock").unlink()
    with pytest.raises(HarmonyError) as info:
        run(project, env)
    assert CANARY_PASSWORD not in str(info.value) and CANARY_PASSWORD not in repr(info.value)


def test_a_renamed_adapter_is_refused_before_any_request(project: Path, emulator: Emulator) -> None:
    run(project, credentials(emulator))
    lock_before = (project / "harmony.lock").read_bytes()
    write_adapter(project, dict(ADAPTER, name="Acme Gadgets"))
    emulator.reset_counts()

    with pytest.raises(ConfigError) as raised:
        run(project, credentials(emulator))

    message = raised.value.message
    assert "'Acme Gadgets'" in message and "'Acme Widgets'" in message
    assert "new connector" in message and "displayName" in message and "hatch-harmony register" in message
    assert total(emulator) == 0
    assert (project / "harmony.lock").read_bytes() == lock_before


def test_a_rename_registered_on_purpose_is_a_new_connector_and_keeps_the_old_entry(
    project: Path, emulator: Emulator
) -> None:
    first = run(project, credentials(emulator))
    write_adapter(project, dict(ADAPTER, name="Acme Gadgets"))
    env = credentials(emulator)
    adapter = load_adapter(project / "adapter.json")
    second = ensure_registration(config_for(project, env), adapter, env, EngineInputs("1.0.0"), new_name=True)
    assert second.action == "registered"
    assert second.registration.id != first.registration.id
    assert any("'Acme Widgets'" in n and "new connector" in n for n in second.notices)
    names = sorted(e.name for e in read_lock(project / "harmony.lock").entries)
    assert names == ["Acme Gadgets", "Acme Widgets"]
    emulator.reset_counts()
    assert run(project, credentials(emulator)).action == "looked-up"  # the new name builds from now on
    assert emulator.counts().get("register", 0) == 0


def test_a_malformed_entry_of_another_connector_does_not_stop_the_build(
    project: Path, emulator: Emulator
) -> None:
    other = {"id": "9", "name": "Someone Else", "version": "1", "key": "", "secret": None}
    emulator.override_next("list", {"registeredConnectorList": [other]})
    outcome = run(project, credentials(emulator))
    assert outcome.action == "registered"
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
