"""README "Environments": each environment gets its own lock entry and its own manifest.

One account in two organisations (as tests/engine/test_organisations.py makes it); `dev` and
`prod` each name one. Both are built, then both again: every build after the first of each
environment reuses that environment's own manifest (0 requests), never the other's key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.engine.pipeline import Generated, generate
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project.lock import read_lock
from hatch_harmony.vocabulary import KEY
from tests.engine.test_organisations import PROJECT, SECOND_ORG, two_orgs  # noqa: F401 (a fixture)
from tests.engine.test_organisations import env as login_env

TABLE: dict[str, Any] = {
    "environments": {"dev": {"org-id": DEFAULT_ORG_ID}, "prod": {"org-id": SECOND_ORG}},
}


def build(root: Path, emulator: Emulator, environment: str) -> Generated:
    env = {**login_env(emulator), "HARMONY_ENV": environment}
    return generate(load_config(TABLE, root, env), env)


def test_two_environments_get_two_lock_entries_and_two_manifests(
    tmp_path: Path,
    two_orgs: Emulator,  # noqa: F811 (the fixture)
) -> None:
    root = PROJECT.make(tmp_path / "acme", gitignore=False, class_file=None)

    dev, prod = build(root, two_orgs, "dev"), build(root, two_orgs, "prod")

    assert (dev.outcome.action, prod.outcome.action) == ("registered", "registered")
    assert dev.path == root / "build" / "harmony" / "dev" / "MANIFEST.MF"
    assert prod.path == root / "build" / "harmony" / "prod" / "MANIFEST.MF"
    keys = {Manifest.parse(p.read_bytes()).main.get(KEY) for p in (dev.path, prod.path)}
    assert keys == {dev.outcome.registration.key, prod.outcome.registration.key} and len(keys) == 2
    entries = {e.environment: e for e in read_lock(root / "harmony.lock").entries}
    assert set(entries) == {"dev", "prod"}
    assert (entries["dev"].org_id, entries["prod"].org_id) == (DEFAULT_ORG_ID, SECOND_ORG)
    assert entries["dev"].connector_id == dev.outcome.registration.id
    assert entries["prod"].connector_id == prod.outcome.registration.id
    assert len(two_orgs.registrations(DEFAULT_ORG_ID)) == len(two_orgs.registrations(SECOND_ORG)) == 1

    two_orgs.reset_counts()
    again = [build(root, two_orgs, name) for name in ("prod", "dev")]
    assert [g.outcome.action for g in again] == ["offline", "offline"]
    assert sum(two_orgs.counts().values()) == 0
    assert [g.outcome.registration.id for g in again] == [
        prod.outcome.registration.id,
        dev.outcome.registration.id,
    ]
