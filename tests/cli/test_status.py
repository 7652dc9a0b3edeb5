"""README: `status` shows what the next build would do and makes no request; the build then does exactly that.

In-process (`cli.main`) against the emulator: each state of the project is shown by `status`
(0 requests, counted by the emulator), then built by `manifest`, whose request count must be
the one status predicted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.cli import main
from hatch_harmony.emulator import Emulator
from tests.plugins.emulator import harmony_env
from tests.projects import Project

PROJECT = Project("Acme Status", "acme-status", activities=("read",), jar=None)


@pytest.fixture
def env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    for name, value in harmony_env(emulator).items():
        monkeypatch.setenv(name, value)
    for name in ("HARMONY_ENV", "HARMONY_OFFLINE", "HARMONY_VERIFY", "HARMONY_ORG_ID", "HARMONY_REGION"):
        monkeypatch.delenv(name, raising=False)
    return emulator


def command(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code = main([*args, "--project", str(root), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def status_then_build(
    root: Path, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> tuple[str, int, int, int]:
    """`status` (asserting it sent nothing), then `manifest` (asserting it did what status said)."""
    emulator.reset_counts()
    predicted = command(root, capsys, "status")["next"]
    assert sum(emulator.counts().values()) == 0, f"status sent {emulator.counts()}"
    command(root, capsys, "manifest")
    made = sum(emulator.counts().values())
    assert predicted["requests"] <= made <= predicted["maxRequests"], (predicted, emulator.counts())
    return predicted["action"], predicted["requests"], predicted["maxRequests"], made


def test_status_sends_nothing_and_predicts_each_build(
    tmp_path: Path, env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme", class_file=None)
    manifest = root / "build" / "harmony" / "MANIFEST.MF"

    assert status_then_build(root, env, capsys) == ("adopt-or-register", 2, 3, 3)  # nothing registered
    assert status_then_build(root, env, capsys) == ("offline", 0, 0, 0)  # lock and key at hand
    manifest.unlink()
    assert status_then_build(root, env, capsys) == ("look-up", 2, 2, 2)  # a fresh checkout: the lock only
    (root / "pyproject.toml").write_text(PROJECT.pyproject("verify = true"), encoding="utf-8")
    assert status_then_build(root, env, capsys) == ("verify", 2, 2, 2)  # login and validate
    assert env.counts()["validate"] == 1


def test_offline_status_predicts_the_stop_with_no_request(
    tmp_path: Path, env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """HARMONY_OFFLINE: a row that needs Harmony shows as needs-network, 0 requests; the offline row stays."""
    root = PROJECT.make(tmp_path / "acme", class_file=None)
    monkeypatch.setenv("HARMONY_OFFLINE", "1")
    predicted = command(root, capsys, "status")["next"]
    assert (predicted["action"], predicted["requests"], predicted["maxRequests"]) == ("needs-network", 0, 0)
    assert "HARMONY_OFFLINE is set, but a build would need Harmony (adopt-or-register" in predicted["reason"]
    monkeypatch.delenv("HARMONY_OFFLINE")
    command(root, capsys, "manifest")  # registered: the lock and the key are at hand now
    monkeypatch.setenv("HARMONY_OFFLINE", "1")
    env.reset_counts()
    predicted = command(root, capsys, "status")["next"]
    assert (predicted["action"], predicted["requests"], predicted["maxRequests"]) == ("offline", 0, 0)
    assert sum(env.counts().values()) == 0
