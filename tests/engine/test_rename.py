"""A new adapter.json `name` is a new connector: builds and `status` refuse it, `register` does it on purpose.

Harmony identifies a connector by its name, so renaming it registers another connector
(new endpoint, new activity ids) while every Harmony project keeps using the old one.
Before the fix a build registered the new name, exited 0 and only then warned. Real
hatchling builds and the CLI, against the emulator over loopback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.project.lock import read_lock
from tests.projects import Project, build_env, hatchling_build, write_adapter

PROJECT = Project("Acme Rename", "acme-rename", version="2.0.0")
NEW_NAME = "Acme Rename Connector"


def hatchling_jar(root: Path, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    return hatchling_build(root, emulator, "-t", "jar")


def cli(root: Path, emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hatch_harmony.cli", *args, "--project", str(root)],
        env=build_env(emulator),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def renamed_project(tmp_path: Path, emulator: Emulator) -> Path:
    """Built once under its old name, then adapter.json's `name` changed; the counters start at zero."""
    root = PROJECT.make(tmp_path / "acme")
    first = hatchling_jar(root, emulator)
    assert first.returncode == 0, first.stderr
    write_adapter(root, PROJECT.adapter(name=NEW_NAME))
    emulator.reset_counts()
    return root


def says_what_a_rename_means(text: str) -> None:
    assert f"'{NEW_NAME}'" in text and "'Acme Rename'" in text
    assert "new connector" in text and "keeps pointing at the old one" in text
    assert "displayName" in text and "hatch-harmony register" in text


def test_a_build_refuses_the_new_name_before_any_request(tmp_path: Path, emulator: Emulator) -> None:
    root = renamed_project(tmp_path, emulator)
    lock_before = (root / "harmony.lock").read_bytes()

    built = hatchling_jar(root, emulator)

    assert built.returncode != 0
    says_what_a_rename_means(built.stderr)
    assert sum(emulator.counts().values()) == 0
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    assert (root / "harmony.lock").read_bytes() == lock_before


def test_status_says_the_same_and_exits_non_zero(tmp_path: Path, emulator: Emulator) -> None:
    root = renamed_project(tmp_path, emulator)

    status = cli(root, emulator, "status")

    assert status.returncode == 2, status.stdout
    says_what_a_rename_means(status.stderr)
    assert sum(emulator.counts().values()) == 0


def test_register_makes_the_new_connector_and_the_old_one_can_still_be_deleted(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = renamed_project(tmp_path, emulator)
    (old,) = read_lock(root / "harmony.lock").entries

    registered = cli(root, emulator, "register", "--json")

    assert registered.returncode == 0, registered.stderr
    assert json.loads(registered.stdout)["action"] == "registered"
    assert sorted(e.name for e in read_lock(root / "harmony.lock").entries) == ["Acme Rename", NEW_NAME]
    rebuilt = hatchling_jar(root, emulator)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert emulator.counts()["register"] == 1  # the one `register` made, none by the build

    deleted = cli(root, emulator, "delete", "--registration", "--id", old.connector_id, "--yes")

    assert deleted.returncode == 0, deleted.stderr
    assert [e.name for e in read_lock(root / "harmony.lock").entries] == [NEW_NAME]
    assert [r.name for r in emulator.registrations(DEFAULT_ORG_ID)] == [NEW_NAME]
