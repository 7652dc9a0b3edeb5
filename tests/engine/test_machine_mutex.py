"""Two checkouts of one connector building at once register it once (engine/machine_mutex.py).

Each checkout has its own build mutex beside its harmony.lock, so only the machine-wide
mutex keyed by (host, organisation, connector name) keeps them apart. The race is made
deterministic with the emulator's `hold_next`: the first build's list reply is computed at
once (nothing registered yet) and held until a second list request arrives, so without the
machine-wide mutex both builds see an empty list and both register. With it, the second
build waits before its lookup; the held reply goes out after the hold's bound, the first
build registers and writes its lock, and the second lists and adopts.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from hatch_harmony.config import HOOK_TABLE
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.engine.machine_mutex import mutex_path
from hatch_harmony.engine.pipeline import BuildRun, run_build
from hatch_harmony.project.lock import read_lock
from tests.plugins.emulator import harmony_env
from tests.projects import Project

PROJECT = Project("Acme Two Checkouts", "acme-two-checkouts", activities=("fetch", "put"))


def build(root: Path, env: dict[str, str], runs: dict[Path, BuildRun], errors: list[BaseException]) -> None:
    try:
        runs[root] = run_build(root, {}, env, project_version=PROJECT.version, table_path=HOOK_TABLE)
    except BaseException as exc:  # reported by the test thread
        errors.append(exc)


def test_two_checkouts_building_at_once_register_once(tmp_path: Path, emulator: Emulator) -> None:
    first, second = PROJECT.make(tmp_path / "one"), PROJECT.make(tmp_path / "two")
    env = {**os.environ, **harmony_env(emulator)}
    emulator.hold_next("list", others=1, timeout=3.0)
    runs: dict[Path, BuildRun] = {}
    errors: list[BaseException] = []
    one = threading.Thread(target=build, args=(first, env, runs, errors))
    one.start()
    while emulator.controls.held == 0 and one.is_alive():  # the first build's list reply is held
        time.sleep(0.005)
    two = threading.Thread(target=build, args=(second, env, runs, errors))
    two.start()
    one.join(60)
    two.join(60)
    assert not errors, errors
    assert emulator.counts()["register"] == 1
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    [entry_one] = read_lock(first / "harmony.lock").entries
    [entry_two] = read_lock(second / "harmony.lock").entries
    assert entry_one.connector_id == entry_two.connector_id
    assert entry_one.activities == entry_two.activities
    assert entry_one.endpoint_entity_id == entry_two.endpoint_entity_id
    actions = sorted(run.result.outcome.action for run in runs.values() if run.result is not None)
    assert actions == ["adopted", "registered"]


def test_the_mutex_file_is_in_the_user_cache_and_names_nothing(tmp_path: Path) -> None:
    cache = {"XDG_CACHE_HOME": str(tmp_path), "LOCALAPPDATA": str(tmp_path)}
    path = mutex_path(cache, "https://acme.example", "10001", "Acme Secret Name")
    assert path.parent == tmp_path / "hatch-harmony" / "registering"
    assert "Acme" not in path.name and "10001" not in path.name and "example" not in path.name
    other = mutex_path(cache, "https://acme.example", "10002", "Acme Secret Name")
    assert other != path
