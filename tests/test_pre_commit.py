"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit itself on a connector repository.

`pre-commit try-repo` needs the hook repository as a git repository with the hooks committed, so
the test copies this checkout's files (as they are on disk, so uncommitted edits are tested too)
into a temporary repository and commits them. pre-commit then installs the hooks the way a
connector's developers get them (`language: python`: a venv of its own with hatch-harmony built
from that repository), with the requirements from tests/package_index.py's index on 127.0.0.1.
The connector repository is the README's sample, its manifest generated against the emulator.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from tests.package_index import build_index, isolated_env, serve
from tests.promises.test_frontends import make_connector

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Never copied into the hook repository: venvs, caches, build output, git's own folder.
SKIP = shutil.ignore_patterns(
    ".git", ".venv", ".demo-venv", "__pycache__", "*_cache", ".hypothesis", "build", "dist", "*.egg-info"
)
IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The hook repository (this checkout, committed) and the environment pre-commit runs in."""
    base = tmp_path_factory.mktemp("pre-commit")
    repo = base / "hatch-harmony"
    shutil.copytree(ROOT, repo, ignore=SKIP, symlinks=True)
    env = {**isolated_env(base, "http://127.0.0.1:9/"), **IDENTITY, "HOME": str(base)}
    git(repo, "init", "-q", env=env)
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", "hooks under test", env=env)
    with serve(build_index(base / "index")) as url:
        env.update(PIP_INDEX_URL=url, UV_INDEX_URL=url, PRE_COMMIT_HOME=str(base / "pre-commit-home"))
        env["PATH"] = os.pathsep.join([str(BIN), env["PATH"]])
        yield repo, env


@pytest.fixture
def connector(
    tmp_path: Path, emulator: Emulator, hooks: tuple[Path, dict[str, str]]
) -> tuple[Path, dict[str, str]]:
    """The README's sample as a git repository, its manifest generated (registered: 3 requests)."""
    _, env = hooks
    env = {
        **env,
        "HARMONY_URL": emulator.url,
        "HARMONY_EMAIL": DEFAULT_EMAIL,
        "HARMONY_PASSWORD": DEFAULT_PASSWORD,
    }
    project = make_connector(tmp_path / "connector")
    git(project, "init", "-q", env=env)
    done = subprocess.run(
        [str(BIN / "hatch-harmony"), "manifest"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "build" / "harmony" / "MANIFEST.MF").is_file()
    return project, env


def try_repo(
    hooks: Path, project: Path, env: dict[str, str], *hook_ids: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(hooks), *hook_ids],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def secrets(emulator: Emulator) -> tuple[str, str]:
    [registration] = emulator.registrations(DEFAULT_ORG_ID)
    return registration.key, registration.secret


def test_a_clean_commit_passes_both_hooks(
    connector: tuple[Path, dict[str, str]], hooks: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    project, env = connector
    git(project, "add", "-A", env=env)  # the .gitignore keeps build/ (the generated manifest) out
    staged = git(project, "diff", "--cached", "--name-only", env=env).split()
    assert {"pyproject.toml", "adapter.json", "MANIFEST.MF", "harmony.lock"} <= set(staged)
    before = sum(emulator.counts().values())
    done = try_repo(hooks[0], project, env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "hatch-harmony)" in output and "Passed" in output
    assert output.count("Passed") == 2  # both hooks ran (the manifest check: pyproject.toml is staged)
    assert sum(emulator.counts().values()) == before  # no request: the lock and the manifest are at hand
    assert all(value not in output for value in secrets(emulator))


def test_a_staged_secret_or_generated_manifest_is_refused_by_name_never_by_value(
    connector: tuple[Path, dict[str, str]], hooks: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    """One run of both hooks (each try-repo installs the hooks afresh): every refusal at once."""
    project, env = connector
    key, secret = secrets(emulator)
    (project / "notes.txt").write_text(f"for the agent: {secret}\n", encoding="utf-8")
    (project / "env.sh").write_text(f"export HARMONY_CONNECTOR_KEY={key}\n", encoding="utf-8")
    template = project / "MANIFEST.MF"  # and the template changed since the manifest was generated
    template.write_text(template.read_text(encoding="utf-8") + "Vendor: ACME Inc\n", encoding="utf-8")
    git(project, "add", "-A", env=env)
    git(project, "add", "-f", "build/harmony/MANIFEST.MF", env=env)
    # the key and secret a CI job holds in its environment are known too, besides the generated manifest's
    ci = {**env, "HARMONY_CONNECTOR_KEY": key, "HARMONY_CONNECTOR_SECRET": secret}
    done = try_repo(hooks[0], project, ci)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    manifest = "the generated manifest build/harmony/MANIFEST.MF"
    assert f"notes.txt: holds the connector secret (as in HARMONY_CONNECTOR_SECRET and {manifest})" in output
    assert f"env.sh: holds the connector key (as in HARMONY_CONNECTOR_KEY and {manifest})" in output
    assert "build/harmony/MANIFEST.MF: is a generated manifest" in output
    assert "build/harmony/MANIFEST.MF: out of date" in output  # the manifest check failed as well
    assert key not in output and secret not in output and DEFAULT_PASSWORD not in output
