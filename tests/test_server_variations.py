"""The engine against servers that differ from the documented shapes (hatch_harmony/emulator/variations.py).

Each variation is one way a real Harmony server may behave; the default emulator stays
the documented one. Request counts come from the emulator's own counters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.emulator.variations import Variations
from hatch_harmony.lock import read_lock
from hatch_harmony.pipeline import generate
from tests.plugins.emulator import harmony_env

ADAPTER = {"name": "Acme Widgets", "version": "1.0.0-beta", "activities": {"query": {}, "create": {}}}


@pytest.fixture
def upper_casing() -> Iterator[Emulator]:
    with Emulator(test_controls=True, variations=Variations(upper_case_names=True)) as running:
        yield running


def build(root: Path, emulator: Emulator, **table: Any) -> str:
    env = harmony_env(emulator)
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
