"""Existing connectors keep the ids they ship, against the emulator over loopback.

The setup of every test is the one most users have: the connector was registered by hand
long ago, there is no harmony.lock, and the committed manifest (the template) holds the
ids a person assigned, in an order of their choosing. Harmony projects refer to those
ids, so adoption must keep them, and anything that cannot belong to the registration
must stop the run after the lookup, with nothing written.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.api.protocol import Registration
from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.engine.pipeline import Generated, generate
from hatch_harmony.errors import ConfigError
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project.lock import read_lock
from tests.plugins.emulator import RawApi, harmony_env
from tests.projects import GITIGNORE, Project

ACTIVITIES = ("fetch", "put", "process", "get")
PROJECT = Project(
    "Dropbox",
    "dropbox-connector",
    version="3.0.2",
    connector_version="3.0.2",
    activities=ACTIVITIES,
    hook='manifest-template = "MANIFEST.MF"',
)
ADAPTER = PROJECT.adapter()
#: The issue's migration case: ids a person assigned, not in adapter.json's order.
HAND_ORDER = {"fetch": 3, "put": 1, "process": 0, "get": 2}


def template(
    reg: Registration | None,
    ids: Mapping[str, int | str],
    *,
    endpoint: str | None = None,
    key: str | None = None,
    prefix: str = "Jitterbit-Activity-EntityTypeId-",
) -> bytes:
    """A hand-edited production manifest; `ids` values are offsets from the range start, or text."""
    start = int(reg.function_entity_start_id) if reg else 0
    lines = ["Manifest-Version: 1.0", "Author: ACME", "Version: 3.0.2", "Jitterbit-Connector: true"]
    lines.append(f"Jitterbit-Connector-Key: {key if key is not None else (reg.key if reg else '****')}")
    lines.append(f"Jitterbit-Connector-Secret: {reg.secret if reg and key is None else '*****'}")
    shown_endpoint = endpoint if endpoint is not None else (reg.endpoint_entity_id if reg else "")
    lines.append(f"Jitterbit-Connector-Endpoint-EntityTypeId: {shown_endpoint}")
    for name, offset in ids.items():
        value = str(start + offset) if isinstance(offset, int) else offset
        lines.append(f"{prefix}{name}: {value}")
    lines.append("Jitterbit-Connector-UI: adapter.json")
    return ("\r\n".join(lines) + "\r\n").encode()


def project(root: Path, manifest: bytes, adapter: Mapping[str, Any] = ADAPTER) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "adapter.json").write_text(json.dumps(adapter, indent=2), encoding="utf-8")
    (root / "MANIFEST.MF").write_bytes(manifest)
    return root


def registered_by_hand(api: RawApi, emulator: Emulator, name: str = "Dropbox") -> Registration:
    """A registration made in Postman long ago: the emulator's counters start at zero after it."""
    api.register(api.login(), name=name, version="3.0.2")
    emulator.reset_counts()
    (reg,) = [r for r in emulator.registrations(DEFAULT_ORG_ID) if r.name == name]
    return reg


def build(root: Path, env: Mapping[str, str], **table: Any) -> Generated:
    config = load_config({"manifest-template": "MANIFEST.MF", **table}, root, env)
    return generate(config, env)


def written_ids(path: Path) -> dict[str, int]:
    main = Manifest.parse(path.read_bytes()).main
    return {
        attr.rsplit("-", 1)[-1]: int(value)
        for attr, value in main.items()
        if attr.startswith("Jitterbit-Activity-EntityTypeId-")
    }


def files(root: Path) -> dict[str, bytes]:
    """Every file and its bytes, but the build mutex's sidecar (`.harmony.lock.lck`, empty, gitignored)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".harmony.lock.")
    }


def offsets(reg: Registration, ids: Mapping[str, int]) -> dict[str, int]:
    return {name: value - int(reg.function_entity_start_id) for name, value in ids.items()}


def test_adoption_keeps_the_ids_the_template_ships(tmp_path: Path, api: RawApi, emulator: Emulator) -> None:
    reg = registered_by_hand(api, emulator)
    root = project(tmp_path / "dropbox", template(reg, HAND_ORDER))

    result = build(root, harmony_env(emulator))

    assert result.outcome.action == "adopted"
    assert result.outcome.requests == 2
    assert offsets(reg, result.outcome.activity_ids) == HAND_ORDER
    assert offsets(reg, written_ids(result.path)) == HAND_ORDER
    (entry,) = read_lock(root / "harmony.lock").entries
    assert offsets(reg, entry.activities) == HAND_ORDER
    assert entry.endpoint_entity_id == reg.endpoint_entity_id
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1

    assert any("holds the connector key or secret" in n and "sdist" in n for n in result.outcome.notices)
    assert not any(reg.secret in n or reg.key in n for n in result.outcome.notices)

    again = build(root, harmony_env(emulator))  # offline now: the lock holds the kept ids
    assert again.outcome.action == "offline"
    assert offsets(reg, again.outcome.activity_ids) == HAND_ORDER


def test_only_activities_without_an_id_get_the_lowest_free_one(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    reg = registered_by_hand(api, emulator)
    root = project(tmp_path / "dropbox", template(reg, {"fetch": 0, "put": "****", "process": 2, "get": ""}))

    result = build(root, harmony_env(emulator))

    assert offsets(reg, result.outcome.activity_ids) == {"fetch": 0, "put": 1, "process": 2, "get": 3}


def test_the_older_id_spellings_count_as_shipped(tmp_path: Path, api: RawApi, emulator: Emulator) -> None:
    reg = registered_by_hand(api, emulator)
    shipped = template(reg, HAND_ORDER, prefix="Jitterbit-Activity-Id-")
    root = project(tmp_path / "dropbox", shipped)

    result = build(root, harmony_env(emulator))

    assert offsets(reg, written_ids(result.path)) == HAND_ORDER
    assert b"Jitterbit-Activity-Id-" not in result.manifest


def test_an_id_shipped_for_a_removed_activity_stays_reserved(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    reg = registered_by_hand(api, emulator)
    adapter = {**ADAPTER, "activities": {"fetch": {}, "put": {}, "list": {}}}
    root = project(tmp_path / "dropbox", template(reg, {"fetch": 1, "put": 2, "legacy": 0}), adapter)

    result = build(root, harmony_env(emulator))

    (entry,) = read_lock(root / "harmony.lock").entries
    assert offsets(reg, entry.reserved) == {"legacy": 0}
    assert offsets(reg, result.outcome.activity_ids) == {"fetch": 1, "put": 2, "list": 3}


def test_the_previous_manifest_of_this_registration_is_kept_too(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    """The lock was lost; the manifest generated last time (build/harmony) still ships the ids."""
    reg = registered_by_hand(api, emulator)
    root = project(tmp_path / "dropbox", template(None, {}))
    previous = root / "build" / "harmony" / "MANIFEST.MF"
    previous.parent.mkdir(parents=True)
    previous.write_bytes(template(reg, HAND_ORDER))

    result = build(root, harmony_env(emulator))

    assert result.outcome.action == "adopted"
    assert offsets(reg, result.outcome.activity_ids) == HAND_ORDER


def test_a_previous_manifest_of_another_registration_is_ignored(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    """Our own output for another org (HARMONY_ORG_ID switched) describes another registration."""
    reg = registered_by_hand(api, emulator)
    other = registered_by_hand(api, emulator, name="Other")
    root = project(tmp_path / "dropbox", template(None, {}))
    previous = root / "build" / "harmony" / "MANIFEST.MF"
    previous.parent.mkdir(parents=True)
    previous.write_bytes(template(other, HAND_ORDER))

    result = build(root, harmony_env(emulator))

    assert offsets(reg, result.outcome.activity_ids) == {"fetch": 0, "put": 1, "process": 2, "get": 3}


def test_looked_up_entries_gain_the_shipped_ids_the_lock_lacks(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    """A fresh CI checkout (lock, no key): a new activity the template already ships keeps its id."""
    reg = registered_by_hand(api, emulator)
    three = {**ADAPTER, "activities": {"fetch": {}, "put": {}, "process": {}}}
    root = project(tmp_path / "dropbox", template(reg, {"fetch": 3, "put": 1, "process": 0}), three)
    build(root, harmony_env(emulator))
    (root / "build").rename(root / "old-build")  # a fresh checkout: no generated manifest
    project(root, template(reg, {"get": 5}, key="****", endpoint=""))  # ships only the new activity's id
    emulator.reset_counts()

    result = build(root, harmony_env(emulator))

    assert result.outcome.action == "looked-up"
    assert result.outcome.requests == 2
    assert offsets(reg, result.outcome.activity_ids) == {"fetch": 3, "put": 1, "process": 0, "get": 5}


def inconsistent_cases(reg: Registration) -> dict[str, tuple[bytes, str]]:
    """Template -> the text the one error must contain (the attribute, never a secret)."""
    start, end = int(reg.function_entity_start_id), int(reg.function_entity_end_id)
    return {
        "out of range": (
            template(reg, {**HAND_ORDER, "get": end - start + 1}),
            f"Jitterbit-Activity-EntityTypeId-get is {end + 1}, outside the activity id range",
        ),
        "below the range": (
            template(reg, {"fetch": -1}),
            "Jitterbit-Activity-EntityTypeId-fetch is",
        ),
        "duplicated": (
            template(reg, {"fetch": 4, "put": 4}),
            f"Jitterbit-Activity-EntityTypeId-put is {start + 4}, which is already the id of 'fetch'",
        ),
        "not numeric": (
            template(reg, {"fetch": "12a"}),
            "Jitterbit-Activity-EntityTypeId-fetch is not a numeric id",
        ),
        "endpoint mismatch": (
            template(reg, HAND_ORDER, endpoint=str(int(reg.endpoint_entity_id) + 1000)),
            f"Jitterbit-Connector-Endpoint-EntityTypeId is {int(reg.endpoint_entity_id) + 1000}",
        ),
        "another registration's key": (
            template(reg, HAND_ORDER, key="0f" * 16),
            "Jitterbit-Connector-Key is not the key of connector",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "out of range",
        "below the range",
        "duplicated",
        "not numeric",
        "endpoint mismatch",
        "another registration's key",
    ],
)
def test_inconsistent_shipped_ids_stop_after_the_lookup_writing_nothing(
    tmp_path: Path, api: RawApi, emulator: Emulator, case: str
) -> None:
    reg = registered_by_hand(api, emulator)
    manifest, expected = inconsistent_cases(reg)[case]
    root = project(tmp_path / "dropbox", manifest)
    before = files(root)

    with pytest.raises(ConfigError) as raised:
        build(root, harmony_env(emulator))

    message = raised.value.message
    assert "MANIFEST.MF: " in message
    assert expected in message
    assert reg.key not in message and reg.secret not in message
    counts = emulator.counts()
    assert (counts["login"], counts["list"], sum(counts.values())) == (1, 1, 2)  # stopped after the lookup
    assert files(root) == before
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1


def test_template_and_previous_manifest_disagreeing_stop_the_run(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    reg = registered_by_hand(api, emulator)
    root = project(tmp_path / "dropbox", template(reg, HAND_ORDER))
    previous = root / "build" / "harmony" / "MANIFEST.MF"
    previous.parent.mkdir(parents=True)
    previous.write_bytes(template(reg, {**HAND_ORDER, "fetch": 7}))

    with pytest.raises(ConfigError, match="two shipped manifests disagree"):
        build(root, harmony_env(emulator))
    assert not (root / "harmony.lock").exists()


def test_a_lock_and_template_that_disagree_stop_even_offline(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    """Never a silent override: a template id edited after the lock was written is reported."""
    reg = registered_by_hand(api, emulator)
    root = project(tmp_path / "dropbox", template(reg, HAND_ORDER))
    build(root, harmony_env(emulator))
    lock_before = (root / "harmony.lock").read_bytes()
    (root / "MANIFEST.MF").write_bytes(template(reg, {**HAND_ORDER, "put": 9}))
    emulator.reset_counts()

    with pytest.raises(
        ConfigError, match=r"Jitterbit-Activity-EntityTypeId-put is \d+, but the lock records"
    ):
        build(root, harmony_env(emulator))
    assert sum(emulator.counts().values()) == 0
    assert (root / "harmony.lock").read_bytes() == lock_before


def test_a_template_with_ids_is_never_registered_anew(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    """Not listed in this org (wrong org? deleted?): registering would move every id; refuse instead."""
    reg = registered_by_hand(api, emulator)
    root = project(tmp_path / "dropbox", template(reg, HAND_ORDER))
    api.request("DELETE", f"orgs/{DEFAULT_ORG_ID}/connector/{reg.id}", token=api.login())
    emulator.reset_counts()

    with pytest.raises(ConfigError, match="holds the key or ids of an existing registration") as raised:
        build(root, harmony_env(emulator))

    assert "org-id" in raised.value.message and "placeholders" in raised.value.message
    assert emulator.counts().get("register", 0) == 0
    assert sum(emulator.counts().values()) == 2
    assert emulator.registrations(DEFAULT_ORG_ID) == []
    assert not (root / "harmony.lock").exists()


def cli(root: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hatch_harmony.cli", *args, "--project", str(root), "--json"],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


#: What the CLI reads: the project without the jar target.
PYPROJECT = dataclasses.replace(PROJECT, jar=None).pyproject()


@pytest.mark.parametrize("command", ["register", "manifest"])
def test_the_cli_keeps_shipped_ids_as_builds_do(
    tmp_path: Path, api: RawApi, emulator: Emulator, command: str
) -> None:
    reg = registered_by_hand(api, emulator)
    root = project(tmp_path / "dropbox", template(reg, HAND_ORDER))
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")

    done = cli(root, harmony_env(emulator), command)

    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["action"] == "adopted" and reply["requests"] == 2
    assert offsets(reg, reply["activities"]) == HAND_ORDER
    (entry,) = read_lock(root / "harmony.lock").entries
    assert offsets(reg, entry.activities) == HAND_ORDER


def test_the_cli_refuses_inconsistent_ids_with_one_message(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    reg = registered_by_hand(api, emulator)
    root = project(tmp_path / "dropbox", inconsistent_cases(reg)["duplicated"][0])
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")

    done = cli(root, harmony_env(emulator), "register")

    assert done.returncode == 2  # a configuration error, as the CLI's exit codes say
    assert "Traceback" not in done.stderr
    assert "Jitterbit-Activity-EntityTypeId-put" in done.stderr
    assert not (root / "harmony.lock").exists()


@pytest.mark.java
def test_the_migration_case_as_a_real_jar_build(tmp_path: Path, api: RawApi, emulator: Emulator) -> None:
    """The issue's reproduction: `hatch build -t jar` adopts with 2 requests and ships the hand-made ids."""
    javac = shutil.which("javac")
    if javac is None:
        pytest.skip("javac not found: a jar build needs compiled classes (install a JDK)")
    reg = registered_by_hand(api, emulator)
    root = project(tmp_path / "dropbox", template(reg, HAND_ORDER))
    (root / "pyproject.toml").write_text(PROJECT.pyproject(), encoding="utf-8")
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    source = root / "src" / "Dropbox.java"
    source.parent.mkdir()
    source.write_text("package acme; public final class Dropbox {}\n", encoding="utf-8")
    subprocess.run([javac, "--release", "11", "-d", str(root / "build" / "classes"), str(source)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}

    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env={**env, **harmony_env(emulator)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "adopted 'Dropbox'" in done.stdout + done.stderr
    assert sum(emulator.counts().values()) == 2
    with zipfile.ZipFile(root / "dist" / "dropbox-connector-3.0.2.jar") as jar:
        shipped = Manifest.parse(jar.read("META-INF/MANIFEST.MF")).main
    ids = {a.rsplit("-", 1)[-1]: int(v) for a, v in shipped.items() if a.startswith("Jitterbit-Activity-")}
    assert offsets(reg, ids) == HAND_ORDER
    assert shipped.get("Jitterbit-Connector-Endpoint-EntityTypeId") == reg.endpoint_entity_id
