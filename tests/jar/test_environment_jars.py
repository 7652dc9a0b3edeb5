"""Every environment's jar sits in dist/ under its own name; `clean` removes them all.

dev and prod hold different registrations (here: two organisations), so a prod build must not
replace the dev jar. Real hatchling builds with the real hook, against an emulator whose
account belongs to both organisations.
"""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.emulator.state import User
from hatch_harmony.jar_manifest import Manifest
from tests.projects import Project, hatchling_build

SECOND_ORG = "20002"
ENVIRONMENTS = (
    f'[tool.hatch.build.hooks.harmony.environments.dev]\norg-id = "{DEFAULT_ORG_ID}"\n'
    f'[tool.hatch.build.hooks.harmony.environments.prod]\norg-id = "{SECOND_ORG}"\n'
)
PROJECT = Project("Acme Envs", "acme-envs", version="2.1.0", activities=("query",))


@pytest.fixture
def two_orgs() -> Iterator[Emulator]:
    user = User(DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID, other_org_ids=(SECOND_ORG,))
    with Emulator(users=[user], test_controls=True) as running:
        yield running


def make(root: Path) -> Path:
    PROJECT.make(root)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(ENVIRONMENTS)
    return root


def build(root: Path, emulator: Emulator, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    done = hatchling_build(root, emulator, "-t", "jar", *args, **env)
    assert done.returncode == 0, done.stderr
    return done


def key_in(jar: Path) -> str | None:
    with zipfile.ZipFile(jar) as archive:
        return Manifest.parse(archive.read("META-INF/MANIFEST.MF")).get("Jitterbit-Connector-Key")


def test_dev_and_prod_jars_sit_side_by_side_each_with_its_registration(
    tmp_path: Path, two_orgs: Emulator
) -> None:
    root = make(tmp_path / "acme")
    dist = root / "dist"
    build(root, two_orgs, HARMONY_ENV="dev")
    build(root, two_orgs, HARMONY_ENV="prod")
    dev, prod = dist / "acme-envs-2.1.0-dev.jar", dist / "acme-envs-2.1.0-prod.jar"
    assert sorted(p.name for p in dist.iterdir()) == [dev.name, prod.name]
    [dev_reg] = two_orgs.registrations(DEFAULT_ORG_ID)
    [prod_reg] = two_orgs.registrations(SECOND_ORG)
    assert key_in(dev) == dev_reg.key and key_in(prod) == prod_reg.key != dev_reg.key

    # Rebuilding dev (a full run, then a warm one) writes the dev jar, never the prod one.
    prod_bytes = prod.read_bytes()
    build(root, two_orgs, HARMONY_ENV="dev")
    warm = build(root, two_orgs, HARMONY_ENV="dev")
    assert "nothing it depends on changed" in warm.stderr
    assert f"dist/{dev.name}" in warm.stdout + warm.stderr
    assert prod.read_bytes() == prod_bytes and key_in(dev) == dev_reg.key


def test_a_build_without_an_environment_keeps_the_plain_name_and_clean_removes_every_jar(
    tmp_path: Path, two_orgs: Emulator
) -> None:
    root = make(tmp_path / "acme")
    dist = root / "dist"
    for environment in ("", "dev", "prod"):
        build(root, two_orgs, HARMONY_ENV=environment)
    ours = ["acme-envs-2.1.0-dev.jar", "acme-envs-2.1.0-prod.jar", "acme-envs-2.1.0.jar"]
    assert sorted(p.name for p in dist.iterdir()) == ours
    others = ["acme-envs-extra-1.0.jar", "acme-envs-2.1.0-staging.jar", "acme_envs-2.1.0-py3-none-any.whl"]
    for name in others:
        (dist / name).write_bytes(b"not ours")
    (dist / "acme-envs-2.0.0-prod.jar").write_bytes(b"an older prod build of ours")
    build(root, two_orgs, "--clean-only")
    assert sorted(p.name for p in dist.iterdir()) == sorted(others)
