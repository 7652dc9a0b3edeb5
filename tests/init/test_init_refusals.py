"""A failed `hatch-harmony init` changes nothing: not a file, not what `git status` shows.

Each case makes a small connector repository under git, runs init in-process (`cli.main`) in
a way that must fail, and compares the files and `git status` before and after.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.cli import main
from hatch_harmony.emulator import Emulator
from tests.plugins.emulator import harmony_env

REAL_MANIFEST = (
    "Jitterbit-Connector-Key: 0123456789abcdef0123456789abcdef\n"
    "Jitterbit-Connector-Secret: fedcba9876543210fedcba9876543210\n"
    "Jitterbit-Connector-Endpoint-EntityTypeId: 1000\n"
    "Jitterbit-Activity-EntityTypeId-query: 1001\n"
    "Jitterbit-Connector-UI: adapter.json\n"
)
ADAPTER = {"name": "Weather", "version": "2.1.0", "endpoint": {}, "activities": {"query": {}}}


@pytest.fixture(autouse=True)
def _no_harmony_variables(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("HARMONY_"):
            monkeypatch.delenv(name)
    yield


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def repository(root: Path, files: dict[str, str]) -> Path:
    """A committed repository holding `files` (a template of its own, compiled classes ignored)."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Connector Dev")
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    (root / "classes").mkdir()
    (root / "classes" / "A.class").write_bytes(b"\xca\xfe\xba\xbe")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "connector")
    return root


def state(root: Path) -> tuple[dict[str, bytes], str]:
    """Every file outside .git with its bytes (links as their target's name), and `git status`."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative == ".git" or relative.startswith(".git/"):
            continue
        if path.is_symlink():
            files[relative] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            files[relative] = path.read_bytes()
    return files, git(root, "status", "--porcelain", "--untracked-files=all", "--ignored")


def init(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = main(["init", "--project", str(root), "--json", *args])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def test_an_init_refused_by_the_adoption_leaves_no_mutex_file_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template claims ids of a registration Harmony does not list: init stops, git status unchanged."""
    root = repository(
        tmp_path / "weather", {"adapter.json": json.dumps(ADAPTER), "MANIFEST.MF": REAL_MANIFEST}
    )
    before = state(root)
    for name, value in harmony_env(emulator).items():
        monkeypatch.setenv(name, value)

    code, report = init(root, capsys)

    assert code == 2, report
    assert emulator.counts()["register"] == 0
    assert state(root) == before


def test_an_init_that_cannot_reach_harmony_leaves_no_mutex_file_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repository(
        tmp_path / "weather", {"adapter.json": json.dumps(ADAPTER), "MANIFEST.MF": REAL_MANIFEST}
    )
    before = state(root)
    monkeypatch.setenv("HARMONY_URL", "http://127.0.0.1:9")  # discard: nothing listens there
    monkeypatch.setenv("HARMONY_EMAIL", "dev@example.com")
    monkeypatch.setenv("HARMONY_PASSWORD", "pw")

    code, report = init(root, capsys)

    assert code == 1, report  # the network's exit code
    assert "Could not connect" in report["error"]
    assert state(root) == before


def test_a_symlinked_template_is_refused_before_any_file_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The committed manifest is a link to the real file: init would have to replace the link."""
    root = repository(
        tmp_path / "weather", {"adapter.json": json.dumps(ADAPTER), "real/MANIFEST.MF": REAL_MANIFEST}
    )
    (root / "MANIFEST.MF").symlink_to("real/MANIFEST.MF")
    git(root, "add", "MANIFEST.MF")
    git(root, "commit", "-q", "-m", "link")
    before = state(root)

    code, report = init(root, capsys, "--offline", "--manifest-template", "MANIFEST.MF")

    assert code == 2, report
    assert "MANIFEST.MF" in report["error"] and "symlink" in report["error"]
    assert "real/MANIFEST.MF" in report["error"]  # the fix: name the real file
    assert state(root) == before


def test_new_with_a_very_long_name_makes_the_whole_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 240-letter name passes Harmony's rule; the Java file's name is cut to fit, never a write error."""
    name = "W" * 240
    root = tmp_path / "long"

    code, report = init(root, capsys, "--new", name)

    assert code == 0, report
    sources = list((root / "src" / "main" / "java").rglob("*.java"))
    assert sources and all(len(java.name) < 100 for java in sources)
    (connector,) = [java for java in sources if java.name.endswith("Connector.java")]
    assert f'@Connector(name = "{name}"' in connector.read_text(encoding="utf-8")
    assert json.loads((root / "adapter.json").read_text(encoding="utf-8"))["name"] == name
    assert {"adapter.json", "MANIFEST.MF.in", "pyproject.toml", ".gitignore"} <= {
        p.name for p in root.iterdir()
    }


def test_new_that_cannot_write_a_file_leaves_no_half_made_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up at the Java file (the third of five): the two written before it go too."""
    from hatch_harmony.util import files

    def full_disk(target: Path, fd: int) -> None:
        if target.suffix == ".java":
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "before_replace", full_disk)
    (tmp_path / "weather" / ".git").mkdir(parents=True)  # a fresh `git init` counts as empty

    code, report = init(tmp_path / "weather", capsys, "--new", "Weather")

    assert code != 0 and "No space left on device" in report["error"]
    assert [p.name for p in (tmp_path / "weather").iterdir()] == [".git"]
    code, report = init(tmp_path / "new" / "weather", capsys, "--new", "Weather")
    assert code != 0 and not (tmp_path / "new").exists()  # the folders init made go too


def nested_pom(references: int, levels: int) -> str:
    """A pom whose <version> is a property nesting `references` others per level, `levels` deep."""
    properties = ["<p0>1</p0>"]
    for level in range(1, levels + 1):
        properties.append(f"<p{level}>" + f"${{p{level - 1}}}" * references + f"</p{level}>")
    return (
        '<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        "  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.example</groupId>\n"
        f"  <artifactId>weather-connector</artifactId>\n  <version>${{p{levels}}}</version>\n"
        f"  <properties>{''.join(properties)}</properties>\n</project>\n"
    )


def test_dry_run_on_a_pom_with_exponentially_nested_properties_ends_with_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """5 KB of pom, 60 references x 9 levels: 60**9 characters if expanded; refused at 4096."""
    root = tmp_path / "weather"
    root.mkdir()
    (root / "pom.xml").write_text(nested_pom(60, 9), encoding="utf-8")
    (root / "adapter.json").write_text(json.dumps(ADAPTER), encoding="utf-8")
    assert len((root / "pom.xml").read_bytes()) < 6000

    code, report = init(root, capsys, "--dry-run", "--offline")

    assert code == 2, report
    assert report["error"].startswith("pom.xml: <version> grows past 4096 characters")
    assert "--project-version VERSION" in report["error"] and len(report["error"]) < 300


def test_properties_that_expand_within_the_bound_still_resolve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "weather"
    root.mkdir()
    (root / "pom.xml").write_text(nested_pom(2, 5), encoding="utf-8")  # ${p5} -> 32 ones
    (root / "adapter.json").write_text(json.dumps(ADAPTER), encoding="utf-8")
    (root / "classes").mkdir()

    options = ("--classes", "classes", "--adapter", "adapter.json")
    code, report = init(root, capsys, "--dry-run", "--offline", *options)

    assert code == 0, report
    assert '"1' + "1" * 31 + '"' in json.dumps(report)  # the pom's version, expanded
