"""A hatch.toml's `[build]` replaces `[tool.hatch.build]`: hatch-harmony reads it as hatchling does.

hatchling merges hatch.toml over `[tool.hatch]` at the top level, so a hatch.toml with any
`[build...]` table hides the harmony hook written in pyproject.toml: no manifest, no
packaging check. The jar target and `doctor` name hatch.toml as the cause and what to write
there; a hook written in hatch.toml's `[build.hooks.harmony]` is found and used.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from hatch_harmony.cli import main
from hatch_harmony.emulator import Emulator
from tests.projects import Project, hatchling_build

PROJECT = Project("Acme Hatch Toml", "acme-hatch-toml", activities=("fetch",))
#: The issue's hatch.toml: one wheel option, and the hook in pyproject.toml is gone.
WHEEL_ONLY = "[build.targets.wheel]\nbypass-selection = true\n"


def jar_build(root: Path, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    return hatchling_build(root, emulator, "-t", "jar", timeout=120)


def doctor_json(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, dict[str, str]]]:
    for name in [n for n in os.environ if n.startswith("HARMONY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HARMONY_OFFLINE", "1")
    code = main(["doctor", "--project", str(root), "--json"])
    data = json.loads(capsys.readouterr().out)
    return code, {check["name"]: check for check in data["checks"]}


def test_the_jar_target_names_hatch_toml_as_what_hides_the_hook(tmp_path: Path, emulator: Emulator) -> None:
    root = PROJECT.make(tmp_path / "acme")
    (root / "hatch.toml").write_text(WHEEL_ONLY, encoding="utf-8")
    done = jar_build(root, emulator)
    assert done.returncode != 0
    assert "hatch.toml has a [build] table" in done.stderr
    assert "ignores pyproject.toml's whole [tool.hatch.build]" in done.stderr
    assert "as [build.hooks.harmony]" in done.stderr
    assert "Add to pyproject.toml" not in done.stderr  # the hook IS there: that advice cannot work
    assert sum(emulator.counts().values()) == 0


def test_the_jar_target_says_to_add_the_hook_to_hatch_toml_when_none_is_anywhere(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "acme-hatch-toml"\nversion = "0.1.0"\n', encoding="utf-8"
    )
    (root / "hatch.toml").write_text('[build.targets.jar]\nclasses = "build/classes"\n', encoding="utf-8")
    done = jar_build(root, emulator)
    assert done.returncode != 0
    assert "add the hook to hatch.toml" in done.stderr and "[build.hooks.harmony]" in done.stderr


def test_doctor_fails_the_config_check_when_hatch_toml_hides_the_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    (root / "hatch.toml").write_text(WHEEL_ONLY, encoding="utf-8")
    code, checks = doctor_json(root, monkeypatch, capsys)
    assert code != 0
    assert checks["config"]["status"] == "failed"
    assert "hatch.toml has a [build] table" in json.dumps(checks["config"])


def test_a_hook_in_hatch_toml_is_found_and_builds(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "acme-hatch-toml"\nversion = "0.1.0"\n', encoding="utf-8"
    )
    (root / "hatch.toml").write_text(
        f'[build.hooks.harmony]\nadapter = "adapter.json"\n\n{WHEEL_ONLY}\n'
        '[build.targets.jar]\nclasses = "build/classes"\n',
        encoding="utf-8",
    )
    _, checks = doctor_json(root, monkeypatch, capsys)
    assert checks["config"]["status"] == "ok", checks["config"]
    assert "[build.hooks.harmony]" in json.dumps(checks["config"])
    done = jar_build(root, emulator)
    assert done.returncode == 0, done.stderr
    assert (root / "dist" / PROJECT.jar_name).is_file()


def test_a_hatch_toml_without_build_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    (root / "hatch.toml").write_text('[envs.default]\ndependencies = ["pytest"]\n', encoding="utf-8")
    _, checks = doctor_json(root, monkeypatch, capsys)
    assert checks["config"]["status"] == "ok", checks["config"]
    assert "[tool.hatch.build.hooks.harmony]" in json.dumps(checks["config"])


def test_a_problem_in_hatch_tomls_hook_table_is_named_there(tmp_path: Path, emulator: Emulator) -> None:
    root = PROJECT.make(tmp_path / "acme")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "acme-hatch-toml"\nversion = "0.1.0"\n', encoding="utf-8"
    )
    (root / "hatch.toml").write_text(
        '[build.hooks.harmony]\nregoin = "na"\n\n[build.targets.jar]\nclasses = "build/classes"\n',
        encoding="utf-8",
    )
    done = jar_build(root, emulator)
    assert done.returncode == 2
    assert "build.hooks.harmony.regoin" in done.stderr and "tool.hatch.build" not in done.stderr
