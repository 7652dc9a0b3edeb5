"""`doctor` can gate CI although a secret was once committed: tracked now fails, history only warns.

A key or secret in a file git tracks now is a failure (it goes out with the next push); one
found only in history is a warning that names the commits, never the value, and asks
Harmony whether the committed key is still valid: one Harmony no longer accepts is harmless
history (ok). `doctor --strict` fails on warnings. The CLI in this process, against the
emulator over loopback; the values are real registrations' or shaped like them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.engine.pipeline import generate
from tests.doctor.test_doctor import REAL_KEY, REAL_SECRET, check_of, doctor, git
from tests.plugins.emulator import harmony_env
from tests.projects import Project

PROJECT = Project("Acme History", "acme-history", activities=("fetch", "put"))


def manifest(key: str, secret: str) -> str:
    return f"Manifest-Version: 1.0\nJitterbit-Connector-Key: {key}\nJitterbit-Connector-Secret: {secret}\n"


def committed_then_replaced(root: Path, key: str, secret: str) -> str:
    """A manifest with real values committed, then the values replaced by placeholders; the first commit."""
    git(root, "init", "-q")
    (root / "MANIFEST.MF").write_text(manifest(key, secret), encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Add the connector")
    leaked = git(root, "rev-parse", "HEAD")
    (root / "MANIFEST.MF").write_text(manifest("****", "*****"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "Placeholders in the manifest")
    return leaked


def secrets_of(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    root: Path,
    env: dict[str, str],
    *args: str,
) -> tuple[int, dict[str, str], str]:
    code, out, err = doctor(monkeypatch, capsys, root, env, "--json", *args)
    data = json.loads(out)
    assert data["exitCode"] == code
    return code, check_of(data, "secrets"), out + err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return PROJECT.make(tmp_path / "acme")


def test_a_secret_tracked_now_fails(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(project, "init", "-q")
    (project / "MANIFEST.MF").write_text(manifest(REAL_KEY, REAL_SECRET), encoding="utf-8")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "Add the connector")

    code, secrets, text = secrets_of(monkeypatch, capsys, project, {})

    assert code == 1
    assert secrets["status"] == "failed" and "MANIFEST.MF" in secrets["fix"]
    assert REAL_KEY not in text and REAL_SECRET not in text


def test_history_only_is_a_warning_and_strict_fails_on_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    leaked = committed_then_replaced(project, REAL_KEY, REAL_SECRET)

    code, secrets, text = secrets_of(monkeypatch, capsys, project, {})
    assert code == 0
    assert secrets["status"] == "warning"
    assert leaked[:12] in secrets["fix"] and "not asked" in secrets["detail"]
    assert "no key rotation" in secrets["fix"] and "git filter-repo" in secrets["fix"]
    assert REAL_KEY not in text and REAL_SECRET not in text

    strict, _, _ = secrets_of(monkeypatch, capsys, project, {}, "--strict")
    assert strict == 1


def test_a_committed_key_harmony_still_accepts_stays_a_warning(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = harmony_env(emulator)
    generate(load_config({}, project, env), env)  # registered; the manifest is git-ignored
    (reg,) = emulator.registrations(DEFAULT_ORG_ID)
    leaked = committed_then_replaced(project, reg.key, reg.secret)
    emulator.reset_counts()

    code, secrets, text = secrets_of(monkeypatch, capsys, project, env)

    assert code == 0
    assert secrets["status"] == "warning" and "still accepts" in secrets["detail"]
    assert leaked[:12] in secrets["detail"] + secrets["fix"]
    assert emulator.counts()["validate"] == 2  # the manifest's key, and the committed one
    assert reg.key not in text and reg.secret not in text
    strict, _, _ = secrets_of(monkeypatch, capsys, project, env, "--strict")
    assert strict == 1


def test_a_committed_key_harmony_no_longer_accepts_is_harmless_history(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = harmony_env(emulator)
    generate(load_config({}, project, env), env)
    leaked = committed_then_replaced(project, REAL_KEY, REAL_SECRET)  # no registration has this key
    emulator.reset_counts()

    code, out, _ = doctor(monkeypatch, capsys, project, env, "--json", "--strict")

    data = json.loads(out)
    secrets = check_of(data, "secrets")
    assert secrets["status"] == "ok" and "harmless history" in secrets["detail"]
    assert leaked[:12] in secrets["detail"]
    assert emulator.counts()["validate"] == 2  # the manifest's key, and the committed one
    warned = [c["name"] for c in data["checks"] if c["status"] == "warning"]  # `jdk` where javac is absent
    assert code == (1 if warned else 0) and "secrets" not in warned
