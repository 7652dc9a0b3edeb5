"""A registration belongs to the organisation the lock records, not the login's default.

The account here belongs to two organisations, as Harmony accounts may (its login reply
lists them in `orgAttrs`); the connector was registered in the second one with `org-id`,
and the fresh checkout that follows has no `org-id` configured (a colleague, a CI job).
Before the fix, lookups, verify and delete went to the default organisation: the build
said the registration "was deleted", verify said the key was rejected, delete missed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.emulator.state import User
from hatch_harmony.engine.pipeline import generate
from hatch_harmony.project.lock import read_lock
from tests.projects import Project

SECOND_ORG = "20002"
PROJECT = Project("Acme Orgs", "acme-orgs", version="1.0.0", activities=("query", "create"), jar=None)


@pytest.fixture
def two_orgs() -> Iterator[Emulator]:
    user = User(DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID, other_org_ids=(SECOND_ORG,))
    with Emulator(users=[user], test_controls=True) as running:
        yield running


@pytest.fixture
def checkout(tmp_path: Path, two_orgs: Emulator) -> Path:
    """A project registered in the second org; then a fresh checkout: the lock, no generated manifest."""
    root = PROJECT.make(tmp_path / "acme", gitignore=False, class_file=None)
    first = generate(load_config({"org-id": SECOND_ORG}, root, env(two_orgs)), env(two_orgs))
    assert first.outcome.action == "registered"
    first.path.unlink()
    two_orgs.reset_counts()
    return root


def env(emulator: Emulator) -> dict[str, str]:
    return {"HARMONY_URL": emulator.url, "HARMONY_EMAIL": DEFAULT_EMAIL, "HARMONY_PASSWORD": DEFAULT_PASSWORD}


def test_a_fresh_checkout_looks_the_registration_up_in_its_own_org(
    checkout: Path, two_orgs: Emulator
) -> None:
    result = generate(load_config({}, checkout, env(two_orgs)), env(two_orgs))

    assert result.outcome.action == "looked-up"
    assert result.outcome.requests == 2
    assert two_orgs.counts().get("register", 0) == 0
    assert len(two_orgs.registrations(SECOND_ORG)) == 1
    assert two_orgs.registrations(DEFAULT_ORG_ID) == []


def test_verify_asks_the_registrations_org(checkout: Path, two_orgs: Emulator) -> None:
    generate(load_config({}, checkout, env(two_orgs)), env(two_orgs))  # the manifest is back

    result = generate(load_config({"verify": True}, checkout, env(two_orgs)), env(two_orgs))

    assert result.outcome.action == "verified"


def cli(root: Path, emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
    return subprocess.run(
        [sys.executable, "-m", "hatch_harmony.cli", *args, "--project", str(root), "--json"],
        env={**clean, **env(emulator)},
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_validate_and_delete_go_to_the_registrations_org(checkout: Path, two_orgs: Emulator) -> None:
    assert cli(checkout, two_orgs, "manifest").returncode == 0

    validated = cli(checkout, two_orgs, "validate")
    assert validated.returncode == 0, validated.stderr
    assert json.loads(validated.stdout)["valid"] is True

    deleted = cli(checkout, two_orgs, "delete", "--registration", "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert two_orgs.registrations(SECOND_ORG) == []
    assert read_lock(checkout / "harmony.lock").entries == ()


def test_delete_without_a_terminal_says_how_to_confirm(checkout: Path, two_orgs: Emulator) -> None:
    done = cli(checkout, two_orgs, "delete", "--registration")

    assert done.returncode == 2  # a usage error: the command cannot ask
    assert "pass --yes" in json.loads(done.stdout)["error"]
    assert "Traceback" not in done.stderr
    assert len(two_orgs.registrations(SECOND_ORG)) == 1
