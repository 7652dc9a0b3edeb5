"""adapter.json read like code: unknown keys, keys defined twice, icons the jar lacks, the shipped schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.cli import main
from hatch_harmony.emulator import Emulator
from hatch_harmony.errors import ConfigError
from hatch_harmony.init.scaffold import scaffold
from hatch_harmony.project.adapter import parse_adapter
from hatch_harmony.project.adapter_schema import schema, validate
from tests.projects import Project, build_env

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path("adapter.json")
BASE: dict[str, Any] = {
    "name": "Acme",
    "version": "1.0.0",
    "endpoint": {"displayName": "Acme", "properties": [{"name": "url", "displayName": "URL"}]},
    "activities": {"fetch": {"displayName": "Fetch", "properties": []}},
}


def warnings_of(data: dict[str, Any]) -> tuple[str, ...]:
    return parse_adapter(json.dumps(data, indent=2).encode(), source=SOURCE).warnings


def rejection(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_adapter(text.encode(), source=SOURCE)
    return caught.value.message


def test_a_clean_adapter_has_no_warnings() -> None:
    assert warnings_of(BASE) == ()


@pytest.mark.parametrize(
    ("change", "misspelt", "meant", "where"),
    [
        (lambda d: d.update(endpont={}), "endpont", "endpoint", "at the top level"),
        (lambda d: d.update(sandbx=True), "sandbx", "sandbox", "at the top level"),
        (lambda d: d["endpoint"].update(displayNmae="x"), "displayNmae", "displayName", "in `endpoint`"),
        (lambda d: d["activities"]["fetch"].update(icn="/x.svg"), "icn", "icon", "in `activities.fetch`"),
        (
            lambda d: d["endpoint"]["properties"][0].update(widgetHnt="password"),
            "widgetHnt",
            "widgetHint",
            "in `endpoint.properties[0]`",
        ),
    ],
)
def test_an_unknown_key_at_every_level_gets_one_warning_with_the_close_match(
    change: Any, misspelt: str, meant: str, where: str
) -> None:
    data = json.loads(json.dumps(BASE))
    change(data)
    [warning] = warnings_of(data)
    assert warning.startswith("adapter.json: ")
    assert f'unknown key "{misspelt}" {where}: did you mean "{meant}"?' in warning
    assert "Harmony ignores keys it does not know" in warning


def test_a_strict_level_warns_about_any_unknown_key_a_ui_component_only_about_near_misses() -> None:
    data = json.loads(json.dumps(BASE))
    data["endpoint"]["properties"][0]["placeholderText"] = "not one of the listed keys, nor near one"
    assert warnings_of(data) == ()
    data["colour"] = "blue"
    [warning] = warnings_of(data)
    assert 'unknown key "colour" at the top level: known keys there: name, version' in warning


def test_a_misspelt_required_key_is_named_in_the_missing_message() -> None:
    message = rejection('{"name": "Acme", "activites": {"fetch": {}}}')
    assert '`activities` is missing (is "activites" a misspelling of it?)' in message


def test_keys_defined_twice_name_their_lines() -> None:
    text = '{\n  "name": "Acme",\n  "activities": {\n    "fetch": {},\n    "fetch": {}\n  }\n}\n'
    message = rejection(text)
    assert "adapter.json, line 5: `activities` defines 'fetch' more than once (first at line 4)" in message
    message = rejection('{\n  "name": "Acme",\n  "activities": {},\n\n  "name": "Other"\n}')
    assert "line 5: `name` is defined more than once (first at line 2)" in message
    inner = (
        '{"name": "Acme",\n "activities": {"fetch": {\n  "displayName": "a",\n'
        '  "properties": [{"name": "x"}, {"name": "y",\n   "name": "z"}],\n  "displayName": "b"}}}'
    )
    first, second = parse_adapter(inner.encode(), source=SOURCE).warnings
    assert "line 5: `activities.fetch.properties[1].name` is defined a second time (first at line 4)" in first
    assert "line 6: `activities.fetch.displayName` is defined a second time (first at line 3)" in second


def test_a_syntax_error_names_the_line() -> None:
    text = '{\n  "name": "Acme",\n  "activities": {},\n}\n'
    message = rejection(text)
    # where Python's parser places it: line 4 column 1 up to 3.12, the comma itself (line 3) from 3.13
    with pytest.raises(json.JSONDecodeError) as parsed:
        json.loads(text)
    assert f"is not valid JSON (line {parsed.value.lineno}, column {parsed.value.colno}" in message
    assert parsed.value.lineno in (3, 4)


def test_the_example_and_the_scaffold_match_the_schema(tmp_path: Path) -> None:
    example = json.loads((ROOT / "example_connector" / "adapter.json").read_text(encoding="utf-8"))
    assert validate(example) == []
    assert warnings_of(example) == ()
    made = scaffold(tmp_path / "new", "Schema Check", dry_run=True)
    scaffolded = json.loads(made.files["adapter.json"])
    assert validate(scaffolded) == []
    assert warnings_of(scaffolded) == ()


def test_the_validator_is_not_vacuous() -> None:
    bad = {
        "name": "no/slash",
        "sandbox": "yes",
        "endpont": {},
        "endpoint": {"icon": "relative.svg", "properties": [{"displayName": "no name"}]},
        "activities": {"bad key": {}},
    }
    assert validate(bad) == [
        "name: 'no/slash' does not match ^[A-Za-z0-9]([A-Za-z0-9 ._-]*[A-Za-z0-9._-])?$",
        "sandbox: is not a boolean",
        "(top level): `endpont` is not allowed",
        "endpoint.icon: 'relative.svg' does not match ^/",
        "endpoint.properties[0]: `name` is required",
        "activities: the key 'bad key': 'bad key' does not match ^[A-Za-z0-9_-]+$",
    ]


def test_schema_adapter_prints_the_shipped_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "adapter"]) == 0
    assert json.loads(capsys.readouterr().out) == schema()
    assert schema()["properties"]["activities"]["maxProperties"] == 99


ICONS = Project(
    "Acme Icons", "acme-icons", activities=("fetch",), jar='classes = "build/classes"\nassets = ["assets"]'
)


def test_an_icon_the_jar_lacks_fails_the_jar_build_naming_the_path_and_folder(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = ICONS.make(tmp_path / "icons", adapter=ICONS.adapter(defaultActivityIcon="/assets/images/act.svg"))
    (root / "assets" / "images").mkdir(parents=True)
    (root / "assets" / "images" / "act.svg").write_text("<svg/>", encoding="utf-8")
    adapter = ICONS.adapter(defaultActivityIcon="/assets/images/act.svg")
    adapter["endpoint"]["icon"] = "/assets/images/nope.svg"
    (root / "adapter.json").write_text(json.dumps(adapter), encoding="utf-8")
    env = build_env(emulator)
    failed = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert failed.returncode != 0
    assert (
        "adapter.json: `endpoint.icon` names /assets/images/nope.svg, which the jar does not hold: "
        "put the file into the folder assets/images/ of the project"
    ) in failed.stderr + failed.stdout
    assert not (root / "dist" / ICONS.jar_name).exists()
    (root / "assets" / "images" / "nope.svg").write_text("<svg/>", encoding="utf-8")
    built = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert (root / "dist" / ICONS.jar_name).is_file()


def test_doctor_warns_about_the_keys_the_build_warns_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = ICONS.make(tmp_path / "doctor", adapter=ICONS.adapter(endpont={}))
    for name in list(os.environ):
        if name.startswith("HARMONY_"):
            monkeypatch.delenv(name)
    main(["doctor", "--project", str(root), "--json"])
    [check] = [c for c in json.loads(capsys.readouterr().out)["checks"] if c["name"] == "adapter"]
    assert check["status"] == "warning"
    assert 'unknown key "endpont" at the top level: did you mean "endpoint"?' in check["detail"]


def test_doctor_says_why_the_jar_is_unchecked_when_adapter_json_is_not_valid(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = ICONS.make(tmp_path / "broken")
    (root / "assets").mkdir()
    built = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env=build_env(emulator),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (root / "adapter.json").write_text('{"name": "Acme Icons",\n', encoding="utf-8")
    for name in list(os.environ):
        if name.startswith("HARMONY_"):
            monkeypatch.delenv(name)
    main(["doctor", "--project", str(root), "--json"])
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["adapter"]["status"] == "failed"
    assert "adapter.json is not valid, so its lock entry is not known" in checks["jar"]["detail"]
