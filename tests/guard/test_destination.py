"""Where the secret manifest may be written.

Every case is refused before the first request (the emulator's counters stay at zero),
with one message naming `manifest` and the fix, and nothing is written anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.engine.pipeline import generate
from hatch_harmony.errors import ConfigError, HarmonyError
from hatch_harmony.util.files import atomic_write
from tests.plugins.emulator import harmony_env

ADAPTER = {"name": "Acme Dest", "version": "1.0.0", "activities": {"query": {}}}


def project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "adapter.json").write_text(json.dumps(ADAPTER), encoding="utf-8")
    (root / "pyproject.toml").write_text('[project]\nname = "acme-dest"\nversion = "1"\n', encoding="utf-8")
    return root


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def git_project(root: Path, gitignore: str | None) -> Path:
    project(root)
    git(root, "init", "-q")
    if gitignore is not None:
        (root / ".gitignore").write_text(gitignore, encoding="utf-8")
    return root


def snapshot(*roots: Path) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes()
        for root in roots
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and ".git" not in p.parts
    }


def refused(root: Path, emulator: Emulator, table: dict[str, Any], *expected: str) -> str:
    env = harmony_env(emulator)
    with pytest.raises(ConfigError) as raised:
        generate(load_config(table, root, env), env)
    message = raised.value.message
    for text in expected:
        assert text in message
    assert sum(emulator.counts().values()) == 0
    assert not (root / "harmony.lock").exists()
    return message


def test_a_build_folder_linking_out_of_the_project_is_refused(tmp_path: Path, emulator: Emulator) -> None:
    root = project(tmp_path / "acme")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "build").symlink_to(outside, target_is_directory=True)

    refused(root, emulator, {}, "tool.hatch.build.hooks.harmony.manifest", "outside the project")

    assert list(outside.iterdir()) == []


def test_a_manifest_that_is_a_symlink_is_refused(tmp_path: Path, emulator: Emulator) -> None:
    root = project(tmp_path / "acme")
    target = root / "real.MF"
    target.write_bytes(b"Manifest-Version: 1.0\r\n")
    (root / "build" / "harmony").mkdir(parents=True)
    (root / "build" / "harmony" / "MANIFEST.MF").symlink_to(target)
    before = snapshot(root)

    refused(root, emulator, {}, "is a symlink")

    assert snapshot(root) == before


def test_a_manifest_path_that_is_a_folder_is_refused(tmp_path: Path, emulator: Emulator) -> None:
    root = project(tmp_path / "acme")
    (root / "out").mkdir()

    refused(root, emulator, {"manifest": "out"}, "out is a folder", "MANIFEST.MF")


@pytest.mark.parametrize(
    ("manifest", "table"),
    [
        ("adapter.json", {}),  # found by default
        ("ui/adapter.json", {"adapter": "ui/adapter.json"}),
        ("MANIFEST.MF", {"manifest-template": "MANIFEST.MF"}),
        ("harmony.lock", {}),
        ("pyproject.toml", {}),
        (".gitignore", {}),
    ],
)
def test_the_manifest_is_never_written_over_an_input(
    tmp_path: Path, emulator: Emulator, manifest: str, table: dict[str, Any]
) -> None:
    root = project(tmp_path / "acme")
    (root / "ui").mkdir()
    (root / "ui" / "adapter.json").write_text(json.dumps(ADAPTER), encoding="utf-8")
    (root / "MANIFEST.MF").write_bytes(b"Author: ACME\r\n")
    (root / ".gitignore").write_text("build/\n", encoding="utf-8")
    (root / "harmony.lock").write_text("# empty\n", encoding="utf-8")
    before = snapshot(root)
    env = harmony_env(emulator)

    # configured inputs are caught by the config itself; found ones (the default adapter,
    # pyproject.toml, .gitignore) by the destination check against the file system
    with pytest.raises(ConfigError, match=r"a file the build reads|different files|same file as") as raised:
        generate(load_config({**table, "manifest": manifest}, root, env), env)

    assert "tool.hatch.build.hooks.harmony.manifest: " in raised.value.message
    assert sum(emulator.counts().values()) == 0
    assert snapshot(root) == before


def test_in_a_git_work_tree_the_manifest_goes_only_where_git_ignores(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = git_project(tmp_path / "acme", gitignore=None)

    message = refused(root, emulator, {}, "not ignored by git", "`build/`", ".gitignore")

    (root / ".gitignore").write_text("build/\n", encoding="utf-8")
    env = harmony_env(emulator)
    result = generate(load_config({}, root, env), env)
    assert result.written and "secret" in message


def test_a_nested_untracked_path_names_its_own_gitignore_line(tmp_path: Path, emulator: Emulator) -> None:
    root = git_project(tmp_path / "acme", gitignore="build/\n")
    maven = "src/main/resources/META-INF/MANIFEST.MF"

    refused(root, emulator, {"manifest": maven}, f"`/{maven}`")


def test_a_tracked_manifest_is_refused(tmp_path: Path, emulator: Emulator) -> None:
    root = git_project(tmp_path / "acme", gitignore="")
    (root / "MANIFEST.MF").write_bytes(b"Author: ACME\r\n")
    git(root, "add", "MANIFEST.MF")

    refused(root, emulator, {"manifest": "MANIFEST.MF"}, "is tracked by git", "git rm --cached MANIFEST.MF")


JAR_ONLY_HOOK = """\
[build-system]
requires = ["hatchling", "hatch-harmony"]
build-backend = "hatchling.build"

[project]
name = "acme-dest"
version = "1.0.0"

[tool.hatch.build.targets.jar.hooks.harmony]

[tool.hatch.build.targets.jar]
classes = "classes"
"""


def test_a_jar_only_hook_in_git_refuses_an_unignored_build_folder(tmp_path: Path, emulator: Emulator) -> None:
    """The red team's case: `-t jar` wrote the manifest silently, and a later `-t sdist` shipped it."""
    root = git_project(tmp_path / "acme", gitignore="dist/\n")
    (root / "pyproject.toml").write_text(JAR_ONLY_HOOK, encoding="utf-8")
    (root / "classes").mkdir()
    (root / "classes" / "A.class").write_bytes(b"\xca\xfe\xba\xbe")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}

    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env={**env, **harmony_env(emulator)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode != 0
    assert "not ignored by git" in done.stderr and "`build/`" in done.stderr
    assert "Traceback" not in done.stderr
    assert sum(emulator.counts().values()) == 0
    assert not (root / "build").exists()


def test_the_cli_output_path_follows_the_same_rule(tmp_path: Path, emulator: Emulator) -> None:
    root = git_project(tmp_path / "acme", gitignore="build/\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "acme-dest"\nversion = "1"\n\n[tool.hatch.build.hooks.harmony]\n', encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hatch_harmony",
            "manifest",
            "--output",
            "out/MANIFEST.MF",
            "--project",
            str(root),
        ],
        cwd=root,
        env={**env, **harmony_env(emulator)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 2, done.stderr
    assert "out/MANIFEST.MF is not ignored by git" in done.stderr
    assert sum(emulator.counts().values()) == 0
    assert not (root / "out").exists()


def test_a_symlinked_lock_is_refused_before_any_request(tmp_path: Path, emulator: Emulator) -> None:
    """Issue 14, item 7: the lock write silently replaced the link with a regular file."""
    root = project(tmp_path / "acme")
    real = tmp_path / "shared" / "harmony.lock"
    real.parent.mkdir()
    real.write_text("# shared lock\n", encoding="utf-8")
    (root / "harmony.lock").symlink_to(real)

    with pytest.raises(ConfigError, match=r"\.lock: harmony\.lock is a symlink") as raised:
        generate(load_config({}, root, harmony_env(emulator)), harmony_env(emulator))

    assert "point `lock` at the real file" in raised.value.message
    assert sum(emulator.counts().values()) == 0
    assert (root / "harmony.lock").is_symlink() and real.read_text(encoding="utf-8") == "# shared lock\n"


def test_a_dangling_lock_sidecar_symlink_creates_nothing_outside(tmp_path: Path, emulator: Emulator) -> None:
    """Issue 14, item 7: opening `.harmony.lock.lck` followed a dangling link out of the project."""
    root = project(tmp_path / "acme")
    outside = tmp_path / "outside.lck"
    (root / ".harmony.lock.lck").symlink_to(outside)
    env = harmony_env(emulator)

    with pytest.raises(HarmonyError, match=r"\.harmony\.lock\.lck: is a symlink"):
        generate(load_config({}, root, env), env)

    assert not outside.exists()
    assert emulator.registrations(DEFAULT_ORG_ID) == []


def test_atomic_writes_never_replace_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("kept", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)

    with pytest.raises(HarmonyError, match="is a symlink"):
        atomic_write(link, b"new")

    assert link.is_symlink() and target.read_text(encoding="utf-8") == "kept"
