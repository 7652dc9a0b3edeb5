"""`hatch-harmony deploy` into local folders: exactly one jar per connector, atomically, with rollback."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import pytest

from hatch_harmony.cli import main
from tests.deploy.agent import digests, loaded, one_jar_each
from tests.deploy.conftest import NAME, Built, Jar, connector_jar
from tests.deploy.helpers import OTHER, agent_folder, deploy, killed_deploy

KEY_AND_SECRET = ("Jitterbit-Connector-Key: ", "Jitterbit-Connector-Secret: ")


def test_a_deploy_copies_the_environments_jar_and_a_rerun_needs_nothing(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = built.copy(tmp_path / "acme", built.dev)
    folder = agent_folder(tmp_path)
    code, document, err = deploy(capsys, project, "--to", str(folder))
    assert code == 0, err
    (row,) = document["destinations"]
    assert (row["action"], row["status"]) == ("copy", "done")
    assert document["jar"]["version"] == "1.0.0" and "reloads" in document["notice"]
    assert one_jar_each(folder) == {NAME: built.dev.name, "Other Connector": OTHER.name}
    assert (folder / built.dev.name).read_bytes() == built.dev.data
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "not a jar\n"
    assert sorted(p.name for p in folder.iterdir()) == sorted([built.dev.name, OTHER.name, "notes.txt"])

    before = digests(folder)
    code, document, _ = deploy(capsys, project, "--to", str(folder))
    assert code == 0 and document["destinations"][0]["action"] == "skip"
    assert digests(folder) == before

    main(["deploy", "--project", str(project), "--env", "dev", "--to", str(folder), "-v"])
    shown = json.dumps(document) + "".join(capsys.readouterr())
    assert "already holds this jar" in shown
    manifest = (project / "build" / "harmony" / "dev" / "MANIFEST.MF").read_text(encoding="utf-8")
    secrets = [line.split(": ", 1)[1] for line in manifest.splitlines() if line.startswith(KEY_AND_SECRET)]
    assert len(secrets) == 2 and not any(secret in shown for secret in secrets)


def test_a_new_version_retires_the_old_jar_and_rollback_swaps_them_back(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = built.copy(tmp_path / "acme", built.dev_next)
    folder = agent_folder(tmp_path, built.dev)
    other_before = (folder / OTHER.name).read_bytes()

    code, document, _ = deploy(capsys, project, "--to", str(folder))
    assert code == 0, document
    assert document["destinations"][0]["steps"] == [
        f"copy {built.dev_next.name} in place of {built.dev.name}",
        f"retire {built.dev.name} as {built.dev.name}.retired",
    ]
    assert one_jar_each(folder)[NAME] == built.dev_next.name
    assert (folder / f"{built.dev.name}.retired").read_bytes() == built.dev.data

    code, document, _ = deploy(capsys, project, "--to", str(folder), "--rollback")
    assert code == 0, document
    assert one_jar_each(folder)[NAME] == built.dev.name
    assert (folder / built.dev.name).read_bytes() == built.dev.data
    retired = sorted(p.name for p in folder.glob("*.retired"))
    assert retired == [f"{built.dev_next.name}.retired"]  # the latest only; the older one is gone

    code, document, _ = deploy(capsys, project, "--to", str(folder), "--rollback")
    assert code == 0
    assert (folder / one_jar_each(folder)[NAME]).read_bytes() == built.dev_next.data
    assert sorted(p.name for p in folder.glob("*.retired")) == [f"{built.dev.name}.retired"]
    assert (folder / OTHER.name).read_bytes() == other_before
    assert (folder / "notes.txt").exists()


def test_a_jar_of_the_same_version_with_other_content_is_refused_unless_forced(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = built.copy(tmp_path / "acme", built.dev_same_version)
    folder = agent_folder(tmp_path, built.dev)
    before = digests(folder)
    code, document, _ = deploy(capsys, project, "--to", str(folder))
    assert code == 1
    row = document["destinations"][0]
    assert (row["action"], row["status"]) == ("refuse", "refused")
    assert "Version 1.0.0 too but other content" in row["reason"] and "--force" in row["reason"]
    assert "Bump the project version" in row["reason"]
    assert digests(folder) == before

    code, document, _ = deploy(capsys, project, "--to", str(folder), "--force")
    assert code == 0
    assert (folder / one_jar_each(folder)[NAME]).read_bytes() == built.dev_same_version.data
    assert (folder / f"{built.dev.name}.retired").read_bytes() == built.dev.data


def test_two_loaded_jars_of_the_connector_become_one(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Jars left by hand (a copy under another name) are found by their manifest, not their name."""
    project = built.copy(tmp_path / "acme", built.dev_next)
    folder = agent_folder(tmp_path, Jar("copied-by-hand.jar", built.dev.data), built.dev_same_version)
    assert len(loaded(folder)[NAME]) == 2
    code, _, _ = deploy(capsys, project, "--to", str(folder), "--force")
    assert code == 0
    assert one_jar_each(folder)[NAME] == built.dev_next.name
    assert len(list(folder.glob("*.retired"))) == 1


def test_dry_run_changes_nothing_and_shows_the_plan(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = built.copy(tmp_path / "acme", built.dev_next)
    folder = agent_folder(tmp_path, built.dev, Jar(f"{built.dev_same_version.name}.retired", b"x"))
    before = digests(folder)
    code, document, _ = deploy(capsys, project, "--to", str(folder), "--dry-run")
    assert code == 0
    row = document["destinations"][0]
    assert (row["action"], row["status"], document["dryRun"]) == ("copy", "planned", True)
    assert row["steps"][1] == f"retire {built.dev.name} as {built.dev.name}.retired"
    assert digests(folder) == before

    code = main(["deploy", "--project", str(project), "--env", "dev", "--to", str(folder), "--dry-run"])
    text = capsys.readouterr().out
    assert code == 0 and "dry run: nothing changed" in text and f"copy {built.dev_next.name}" in text
    code, document, _ = deploy(capsys, project, "--to", str(folder), "--rollback", "--dry-run")
    assert code == 1 and document["destinations"][0]["action"] == "refuse"  # nothing retired yet
    assert digests(folder) == before


@pytest.mark.parametrize(
    ("jars", "env", "expected"),
    [
        (
            (),
            "dev",
            "no jar of 'Acme Deploy' in dist/: build it first with `HARMONY_ENV=dev hatch build -t jar`",
        ),
        (("prod",), "dev", "is not built for environment 'dev': its endpoint id"),
        (("dev",), "prod", "is not built for environment 'prod'"),
        (("placeholders",), "dev", "still holds placeholders (Jitterbit-Connector-Key"),
    ],
)
def test_a_wrong_jar_is_refused_before_anything_is_copied(
    built: Built,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    jars: tuple[str, ...],
    env: str,
    expected: str,
) -> None:
    placeholders = connector_jar(
        "acme-deploy-0.1.0.jar",
        NAME,
        "Jitterbit-Connector: true\nJitterbit-Connector-Key: ****\nJitterbit-Connector-Secret: ****\n"
        "Jitterbit-Connector-Endpoint-EntityTypeId: \nJitterbit-Connector-UI: adapter.json",
    )
    named = {"prod": built.prod, "dev": built.dev, "placeholders": placeholders}
    project = built.copy(tmp_path / "acme", *(named[j] for j in jars))
    folder = agent_folder(tmp_path)
    before = digests(folder)
    code, document, err = deploy(capsys, project, "--to", str(folder), env=env)
    assert code == 1
    assert expected in document["error"] and expected in err
    assert digests(folder) == before


def test_a_jar_whose_key_is_not_the_environments_is_refused(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = built.copy(tmp_path / "acme", built.dev)
    manifest = project / "build" / "harmony" / "dev" / "MANIFEST.MF"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    lines = [
        "Jitterbit-Connector-Key: another-key-0000" if n.startswith("Jitterbit-Connector-Key:") else n
        for n in lines
    ]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = agent_folder(tmp_path)
    code, document, _ = deploy(capsys, project, "--to", str(folder))
    assert code == 1
    assert "its connector key is not the one of environment 'dev''s manifest" in document["error"]
    assert "another-key" not in document["error"]
    assert loaded(folder) == {"Other Connector": [OTHER.name]}


def test_destinations_come_from_the_environment_table_and_each_is_reported(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An agent group: one destination missing fails alone; a rerun finishes the rest."""
    first, second = tmp_path / "agent1", tmp_path / "agent2"
    first.mkdir()
    project = built.copy(tmp_path / "acme", built.dev, hook_lines=f'deploy = ["{first}", "{second}"]\n')
    code, document, _ = deploy(capsys, project)
    assert code == 1
    assert [(r["destination"], r["status"]) for r in document["destinations"]] == [
        (str(first), "done"),
        (str(second), "failed"),
    ]
    assert "is not a folder" in document["destinations"][1]["error"]
    second.mkdir()
    code, document, _ = deploy(capsys, project)
    assert code == 0
    assert [r["action"] for r in document["destinations"]] == ["skip", "copy"]
    for folder in (first, second):
        assert one_jar_each(folder) == {NAME: built.dev.name}


def test_no_destination_and_a_bad_destination_are_usage_errors(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = built.copy(tmp_path / "acme", built.dev)
    code, _, err = deploy(capsys, project)
    assert code == 2
    assert "No destination: add deploy = [" in err and "environments.dev]" in err and "--to DEST" in err
    code, _, err = deploy(capsys, project, "--to", "relative/folder")
    assert code == 2 and "--to relative/folder: is a relative path" in err


def test_restart_runs_the_restart_command_after_the_copy(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = agent_folder(tmp_path)
    marker = tmp_path / "restarted.json"
    script = tmp_path / "restart.py"
    script.write_text(
        "import json, pathlib, sys\n"
        f"folder = pathlib.Path({str(folder)!r})\n"
        f"pathlib.Path({str(marker)!r}).write_text(json.dumps(sorted(p.name for p in folder.iterdir())))\n",
        encoding="utf-8",
    )
    command = f"{sys.executable} {script}"
    project = built.copy(
        tmp_path / "acme", built.dev, hook_lines=f"restart-command = {json.dumps(command)}\n"
    )
    code, document, _ = deploy(capsys, project, "--to", str(folder), "--restart")
    assert code == 0
    assert built.dev.name in json.loads(marker.read_text(encoding="utf-8"))  # ran after the copy
    assert document["destinations"][0]["restart"].endswith("exited 0") and "notice" not in document
    marker.unlink()
    code, document, _ = deploy(capsys, project, "--to", str(folder), "--restart")
    assert code == 0 and not marker.exists()  # nothing copied, nothing to restart


@pytest.mark.parametrize(
    ("stop_at", "loaded_after"),
    [("write:1", "old"), ("rename:1", "old"), ("rename:2", "new"), ("rename:3", "new")],
)
def test_an_interrupted_deploy_leaves_one_jar_loaded_and_a_rerun_finishes(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str], stop_at: str, loaded_after: str
) -> None:
    """Killed after the temporary file is written, after the retired copy, after the swap, after the
    rename: the agent sees exactly one jar of the connector every time, never a partial one."""
    project = built.copy(tmp_path / "acme", built.dev_next)
    folder = agent_folder(tmp_path, built.dev)
    killed = killed_deploy(
        "hatch_harmony.deploy.folders.LocalFolder",
        stop_at,
        *("--project", str(project), "--env", "dev", "--to", str(folder)),
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    jar = one_jar_each(folder)[NAME]
    expected = built.dev.data if loaded_after == "old" else built.dev_next.data
    assert (folder / jar).read_bytes() == expected

    code, _, _ = deploy(capsys, project, "--to", str(folder))
    assert code == 0
    assert one_jar_each(folder) == {NAME: built.dev_next.name, "Other Connector": OTHER.name}
    assert (folder / built.dev_next.name).read_bytes() == built.dev_next.data
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_the_environments_jar_is_picked_by_its_manifest_among_newer_ones(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dist/ holding a prod jar and a newer dev jar: `--env prod` deploys the prod one."""
    project = built.copy(tmp_path / "acme", Jar("prod-build.jar", built.prod.data), built.dev)
    folder = agent_folder(tmp_path)
    code, document, err = deploy(capsys, project, "--to", str(folder), env="prod")
    assert code == 0, err
    assert document["jar"]["path"].endswith("prod-build.jar")
    assert (folder / one_jar_each(folder)[NAME]).read_bytes() == built.prod.data


def test_only_the_latest_retired_jar_is_kept_and_a_foreign_file_is_never_overwritten(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = built.copy(tmp_path / "acme", built.dev_next)
    folder = agent_folder(tmp_path, Jar("older.jar.retired", built.dev.data), built.dev_same_version)
    code, _, err = deploy(capsys, project, "--to", str(folder))
    assert code == 0, err
    assert sorted(p.name for p in folder.glob("*.retired")) == [f"{built.dev_same_version.name}.retired"]

    squatter = tmp_path / "squatter"
    project = built.copy(squatter / "acme", built.dev_next)
    folder = agent_folder(squatter)
    (folder / built.dev_next.name).write_bytes(b"not a connector jar")
    before = digests(folder)
    code, document, _ = deploy(capsys, project, "--to", str(folder))
    assert code == 1
    assert document["destinations"][0]["reason"].startswith(
        f"{built.dev_next.name} there is not a jar of this"
    )
    assert digests(folder) == before
