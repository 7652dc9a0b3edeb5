"""`hatch-harmony check-secrets`: every environment's generated manifest and its values, never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hatch_harmony.cli import main

KEY = "6f1b7c1e-5d1a-4b43-9c0e-0a2b3c4d5e6f"
SECRET = "c2VjcmV0LXZhbHVlLW5vdC1hLXBsYWNlaG9sZGVy"
PYPROJECT = """\
[build-system]
requires = ["hatchling", "hatch-harmony"]
build-backend = "hatchling.build"

[project]
name = "weather-connector"
version = "1.0.0"

[tool.hatch.build.hooks.harmony]
url = "http://127.0.0.1:1"

[tool.hatch.build.hooks.harmony.environments.prod]
org-id = "22222"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    prod = tmp_path / "build" / "harmony" / "prod" / "MANIFEST.MF"
    prod.parent.mkdir(parents=True)
    prod.write_text(
        f"Manifest-Version: 1.0\nJitterbit-Connector-Key: {KEY}\nJitterbit-Connector-Secret: {SECRET}\n",
        encoding="utf-8",
    )
    for name in ("HARMONY_CONNECTOR_KEY", "HARMONY_CONNECTOR_SECRET", "HARMONY_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_environments_manifest_and_its_values_are_refused_by_name(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "clean.txt").write_text("nothing to see\n", encoding="utf-8")
    (project / "leak.properties").write_text(f"secret={SECRET}\n", encoding="utf-8")
    files = ["clean.txt", "leak.properties", "build/harmony/prod/MANIFEST.MF"]
    assert main(["check-secrets", *files]) == 1
    out = capsys.readouterr().out
    assert KEY not in out and SECRET not in out
    lines = out.splitlines()
    assert lines == [
        "hatch-harmony: refused leak.properties: holds the connector secret (as in the generated manifest "
        "build/harmony/prod/MANIFEST.MF); remove it before committing",
        "hatch-harmony: refused build/harmony/prod/MANIFEST.MF: is a generated manifest (it holds the "
        "connector key and secret); unstage it (git rm --cached build/harmony/prod/MANIFEST.MF) and keep it "
        "in .gitignore",
    ]


def test_clean_files_pass_and_json_says_what_was_compared(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARMONY_CONNECTOR_KEY", "****")  # a placeholder is no secret to look for
    (project / "README.md").write_text("Jitterbit-Connector-Key: ****\n", encoding="utf-8")
    assert main(["check-secrets", "--json", "README.md", "missing.txt"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"refused": [], "checked": 2, "known": 2}  # the prod manifest's key and secret


def test_outside_a_project_the_environment_values_still_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HARMONY_CONNECTOR_SECRET", SECRET)
    (tmp_path / "ci.yml").write_text(f"secret: {SECRET}\n", encoding="utf-8")
    assert main(["check-secrets", "ci.yml"]) == 1
    out = capsys.readouterr().out
    assert "ci.yml: holds the connector secret (as in HARMONY_CONNECTOR_SECRET)" in out
    assert "note:" in out and "pyproject.toml does not exist" in out
    assert SECRET not in out
