"""A migrated template's ids belong to one registration, not to every organisation.

The setup most migrations have: the connector was registered by hand in the dev
organisation, its committed manifest (the template) holds that registration's ids, and
the first build adopted it. Then a `prod` environment in another organisation is added.
Its registration has its own endpoint and ids, so the template is no claim about it:
prod registers there without editing the template. The guard stays where it protects:
with no lock entry at all, a template whose key Harmony does not list stops the run.
Against an emulator whose account belongs to two organisations, over loopback.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.emulator.state import User
from hatch_harmony.engine.pipeline import generate
from hatch_harmony.errors import ConfigError
from hatch_harmony.project.lock import read_lock
from tests.engine.test_adoption import HAND_ORDER, offsets, registered_by_hand, template
from tests.plugins.emulator import RawApi, harmony_env
from tests.projects import Project, build_env, hatchling_build

PROD_ORG = "20002"
ENVIRONMENTS = f"""\
manifest-template = "MANIFEST.MF"

[tool.hatch.build.hooks.harmony.environments.dev]
org-id = "{DEFAULT_ORG_ID}"

[tool.hatch.build.hooks.harmony.environments.prod]
org-id = "{PROD_ORG}"
"""
PROJECT = Project(
    "Dropbox", "dropbox-orgs", version="3.0.2", connector_version="3.0.2", activities=tuple(HAND_ORDER)
)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """The account is a member of the dev organisation (its default) and of prod's."""
    user = User(DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID, other_org_ids=(PROD_ORG,))
    with Emulator(users=[user], test_controls=True) as running:
        yield running


def hatchling_jar(root: Path, emulator: Emulator, environment: str) -> subprocess.CompletedProcess[str]:
    return hatchling_build(root, emulator, "-t", "jar", HARMONY_ENV=environment)


def requests(emulator: Emulator) -> int:
    return sum(emulator.counts().values())


def test_prod_in_another_org_registers_there_without_editing_the_template(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    dev = registered_by_hand(api, emulator)
    root = PROJECT.make(tmp_path / "dropbox", hook=ENVIRONMENTS)
    (root / "MANIFEST.MF").write_bytes(
        template(dev, HAND_ORDER).replace(dev.key.encode(), b"****").replace(dev.secret.encode(), b"*****")
    )
    template_before = (root / "MANIFEST.MF").read_bytes()
    first = hatchling_jar(root, emulator, "dev")
    assert first.returncode == 0, first.stderr
    assert "adopted" in first.stderr
    emulator.reset_counts()

    prod = hatchling_jar(root, emulator, "prod")

    assert prod.returncode == 0, prod.stderr
    assert requests(emulator) == 3 and emulator.counts()["register"] == 1
    assert prod.stderr.count("were not used") == 1
    assert f"connector {dev.id}" in prod.stderr  # whose ids the template holds
    (registered,) = emulator.registrations(PROD_ORG)
    entries = {e.org_id: e for e in read_lock(root / "harmony.lock").entries}
    assert entries[PROD_ORG].endpoint_entity_id == registered.endpoint_entity_id != dev.endpoint_entity_id
    assert offsets(dev, entries[DEFAULT_ORG_ID].activities) == HAND_ORDER
    assert (root / "MANIFEST.MF").read_bytes() == template_before

    emulator.reset_counts()
    for environment in ("prod", "dev"):  # each keeps its own registration, offline
        again = hatchling_jar(root, emulator, environment)
        assert again.returncode == 0, again.stderr
        assert "were not used" not in again.stderr
    assert requests(emulator) == 0
    assert read_lock(root / "harmony.lock").entries == tuple(entries[o] for o in sorted(entries))


def test_a_first_build_in_the_wrong_org_still_stops_before_registering(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    """No lock entry at all: the template's key is a claim Harmony must list, or nothing is registered."""
    dev = registered_by_hand(api, emulator)
    root = PROJECT.make(tmp_path / "dropbox", hook='manifest-template = "MANIFEST.MF"', class_file=None)
    (root / "MANIFEST.MF").write_bytes(template(dev, HAND_ORDER))
    env = harmony_env(emulator)

    with pytest.raises(ConfigError, match="holds the key or ids of an existing registration"):
        generate(load_config({"manifest-template": "MANIFEST.MF", "org-id": PROD_ORG}, root, env), env)

    assert emulator.counts().get("register", 0) == 0
    assert emulator.registrations(PROD_ORG) == []
    assert not (root / "harmony.lock").exists()


def test_the_several_organisations_error_names_the_environment_variable(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = PROJECT.make(tmp_path / "dropbox", hook="", class_file=None)
    env = harmony_env(emulator)
    environments = {"environments": {"dev": {"org-id": DEFAULT_ORG_ID}, "prod": {"org-id": PROD_ORG}}}
    for name in ("dev", "prod"):
        generate(load_config(environments, root, {**env, "HARMONY_ENV": name}), {**env, "HARMONY_ENV": name})
    emulator.reset_counts()

    with pytest.raises(ConfigError, match="several organisations") as raised:
        generate(load_config(environments, root, env), env)

    assert "HARMONY_ENV" in raised.value.message and "--env" in raised.value.message
    assert "'dev', 'prod'" in raised.value.message
    assert requests(emulator) == 0


def test_outside_a_declared_environment_a_wrong_org_id_still_meets_the_guard(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    """The template's owner is this (unnamed) environment's entry: another org id is a typo until declared."""
    dev = registered_by_hand(api, emulator)
    root = PROJECT.make(tmp_path / "dropbox", hook='manifest-template = "MANIFEST.MF"', class_file=None)
    (root / "MANIFEST.MF").write_bytes(template(dev, HAND_ORDER))
    env = harmony_env(emulator)
    table = {"manifest-template": "MANIFEST.MF"}
    assert generate(load_config(table, root, env), env).outcome.action == "adopted"
    lock_before = (root / "harmony.lock").read_bytes()
    emulator.reset_counts()

    with pytest.raises(ConfigError, match="holds the key or ids of an existing registration") as raised:
        generate(load_config({**table, "org-id": PROD_ORG}, root, env), env)

    assert "HARMONY_ENV" in raised.value.message
    assert emulator.counts().get("register", 0) == 0
    assert (root / "harmony.lock").read_bytes() == lock_before


def test_the_cli_registers_prod_as_the_build_does(tmp_path: Path, api: RawApi, emulator: Emulator) -> None:
    dev = registered_by_hand(api, emulator)
    root = PROJECT.make(tmp_path / "dropbox", hook=ENVIRONMENTS, class_file=None)
    (root / "MANIFEST.MF").write_bytes(
        template(dev, HAND_ORDER).replace(dev.key.encode(), b"****").replace(dev.secret.encode(), b"*****")
    )
    env = build_env(emulator)
    for environment, requests_made in (("dev", 2), ("prod", 3)):
        emulator.reset_counts()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "hatch_harmony.cli",
                "manifest",
                "--env",
                environment,
                "--project",
                str(root),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert requests(emulator) == requests_made
    assert "were not used" in done.stdout + done.stderr
    assert len(emulator.registrations(PROD_ORG)) == 1
