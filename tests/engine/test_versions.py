"""README: "a version bump keeps the registration; `register-per-version = true` registers each version".

The engine against the emulator over loopback HTTP, as tests/engine/test_registration.py runs
it; adapter.json's version is bumped between runs, as a release does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.engine.execute import Outcome
from hatch_harmony.project.lock import read_lock
from tests.engine.test_registration import ADAPTER, credentials, remember, run, total


def bump(root: Path, version: str) -> None:
    data: dict[str, Any] = {**ADAPTER, "version": version}
    (root / "adapter.json").write_text(json.dumps(data), encoding="utf-8")


def test_a_version_bump_keeps_the_registration_and_every_id(tmp_path: Path, emulator: Emulator) -> None:
    bump(tmp_path, "1.0.0")
    first = run(tmp_path, credentials(emulator))
    emulator.reset_counts()
    bump(tmp_path, "1.1.0")

    again = run(tmp_path, credentials(emulator), remember(first))

    assert again.requests == 0 and total(emulator) == 0 and again.action == "offline"
    assert again.registration.id == first.registration.id
    assert again.activity_ids == first.activity_ids
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    [entry] = read_lock(tmp_path / "harmony.lock").entries
    assert entry.connector_id == first.registration.id


def test_register_per_version_registers_each_version_once(tmp_path: Path, emulator: Emulator) -> None:
    bump(tmp_path, "1.0.0")
    first = run(tmp_path, credentials(emulator), **{"register-per-version": True})
    emulator.reset_counts()
    bump(tmp_path, "1.1.0")

    second = run(tmp_path, credentials(emulator), remember(first), **{"register-per-version": True})

    assert second.action == "registered" and emulator.counts()["register"] == 1
    assert second.registration.id != first.registration.id
    assert {r.version for r in emulator.registrations(DEFAULT_ORG_ID)} == {"1.0.0", "1.1.0"}
    entries = read_lock(tmp_path / "harmony.lock").entries
    assert {(e.version, e.connector_id) for e in entries} == {
        ("1.0.0", first.registration.id),
        ("1.1.0", second.registration.id),
    }
    emulator.reset_counts()  # and the second build of 1.1.0 registers nothing
    third = run(tmp_path, credentials(emulator), remember(second), **{"register-per-version": True})
    assert (third.action, third.requests, total(emulator)) == ("offline", 0, 0)


def per_version_lock(root: Path, emulator: Emulator) -> tuple[Outcome, Outcome]:
    """A lock holding the connector as 1.0.0 and as 2.0.0 (registered per version), oldest first."""
    outcomes = []
    for version in ("1.0.0", "2.0.0"):
        bump(root, version)
        outcomes.append(run(root, credentials(emulator), **{"register-per-version": True}))
    return outcomes[0], outcomes[1]


def test_with_no_entry_of_the_project_version_the_newest_entry_is_used(
    tmp_path: Path, emulator: Emulator
) -> None:
    """register-per-version turned off again, version 3.0.0: the lock's newest registration is kept."""
    _, newest = per_version_lock(tmp_path, emulator)
    emulator.reset_counts()
    bump(tmp_path, "3.0.0")

    outcome = run(tmp_path, credentials(emulator), remember(newest))

    assert (outcome.action, outcome.requests, emulator.counts()["register"]) == ("offline", 0, 0)
    assert outcome.registration.id == newest.registration.id


def test_an_entry_of_the_project_version_wins_over_the_newest(tmp_path: Path, emulator: Emulator) -> None:
    oldest, _ = per_version_lock(tmp_path, emulator)
    emulator.reset_counts()
    bump(tmp_path, "1.0.0")

    outcome = run(tmp_path, credentials(emulator), remember(oldest))

    assert (outcome.action, outcome.requests) == ("offline", 0)
    assert outcome.registration.id == oldest.registration.id
