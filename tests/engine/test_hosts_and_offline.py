"""A lock tied to a host, said aloud: other hosts' entries, a forgetful emulator, and what `offline` means."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hatch_harmony.cli import main
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator
from hatch_harmony.init.report import scaffold_json, scaffold_lines
from hatch_harmony.init.scaffold import scaffold
from hatch_harmony.util.data_dir import emulator_data_file
from tests.plugins.emulator import harmony_env
from tests.projects import Project

PROJECT = Project("Acme Hosts", "acme-hosts", activities=("fetch",))


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    root: Path,
    env: dict[str, str],
    *args: str,
) -> tuple[int, str, str]:
    """A CLI command in this process with exactly `env`'s HARMONY_* variables."""
    for name in list(os.environ):
        if name.startswith("HARMONY_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main([*args, "--project", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def test_status_and_the_build_name_the_hosts_the_lock_has_entries_for(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    assert run(monkeypatch, capsys, root, harmony_env(emulator), "register")[0] == 0
    home = emulator.url.removesuffix("/")

    code, out, _ = run(monkeypatch, capsys, root, {}, "status", "--region", "na")
    assert code == 0
    assert "has no registration for this connector" in out
    assert (
        f"harmony.lock has 'Acme Hosts' registered on {home} (the emulator) only; this build targets "
        "https://na-east.jitterbit.com: it will look up or register the connector there"
    ) in out

    with Emulator(test_controls=True) as other:
        code, out, _ = run(monkeypatch, capsys, root, harmony_env(other), "register")
        there = other.url.removesuffix("/")
    assert code == 0
    assert f"registered on {home} (the emulator) only; this build targets {there}" in out

    code, out, _ = run(monkeypatch, capsys, root, harmony_env(emulator), "status")
    assert "only; this build targets" not in out  # an entry for this host: nothing to say


def test_a_restarted_emulator_that_forgot_names_its_data_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    root = PROJECT.make(tmp_path / "acme")
    with Emulator(test_controls=True) as first:
        port = first.port
        assert run(monkeypatch, capsys, root, harmony_env(first), "register")[0] == 0
    assert not (root / "build" / "harmony" / "MANIFEST.MF").exists()  # no key at hand: a look-up
    with Emulator(port=port, test_controls=True) as restarted:  # --memory: it forgot
        code, _, err = run(monkeypatch, capsys, root, harmony_env(restarted), "register")
    assert code != 0
    assert "no longer lists it: it was deleted" in err
    assert "hatch-harmony's emulator, it keeps registrations in its data file (by default " in err
    assert str(emulator_data_file(port)) in err and str(tmp_path / "data") in err


def test_offline_means_no_credentials_were_used(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    assert run(monkeypatch, capsys, root, harmony_env(emulator), "manifest")[0] == 0
    manifest = (root / "build" / "harmony" / "MANIFEST.MF").read_text(encoding="utf-8")
    key = manifest.split("Jitterbit-Connector-Key: ", 1)[1].split("\r\n", 1)[0].split("\n", 1)[0]
    secret = manifest.split("Jitterbit-Connector-Secret: ", 1)[1].split("\r\n", 1)[0].split("\n", 1)[0]
    (root / "build" / "harmony" / "MANIFEST.MF").unlink()

    # Key from the environment, the registration from the lock: credentials set but unused.
    emulator.reset_counts()
    env = {**harmony_env(emulator), "HARMONY_CONNECTOR_KEY": key, "HARMONY_CONNECTOR_SECRET": secret}
    code, out, _ = run(monkeypatch, capsys, root, env, "manifest", "--json")
    data = json.loads(out)
    assert code == 0 and data["action"] == "offline" and data["requests"] == 0
    assert "the key came from environment" in data["reason"]
    assert sum(emulator.counts().values()) == 0

    # No key at hand: the credentials are used (login, list), and the build does not say offline.
    (root / "build" / "harmony" / "MANIFEST.MF").unlink()
    code, out, _ = run(monkeypatch, capsys, root, harmony_env(emulator), "manifest", "--json")
    data = json.loads(out)
    assert code == 0 and data["action"] == "looked-up" and data["requests"] == 2
    assert "offline" not in data["reason"]


def test_inits_closing_hint_names_every_variable_a_first_build_needs(tmp_path: Path) -> None:
    made = scaffold(tmp_path / "new", "Hint Check", dry_run=True)
    text = "\n".join(scaffold_lines(made))
    for variable in ("HARMONY_URL", "HARMONY_EMAIL", "HARMONY_PASSWORD"):
        assert variable in text
    assert scaffold_json(made)["firstBuildNeeds"] == ["HARMONY_URL", "HARMONY_EMAIL", "HARMONY_PASSWORD"]
    assert DEFAULT_EMAIL not in text and DEFAULT_PASSWORD not in text


def test_an_offline_migration_names_every_variable_the_first_build_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "weather"
    (root / "build" / "classes").mkdir(parents=True)
    (root / "build" / "classes" / "Weather.class").write_bytes(b"\xca\xfe\xba\xbe")
    (root / "adapter.json").write_text(
        json.dumps({"name": "Weather", "version": "1.0.0", "activities": {"q": {}}})
    )
    code, out, _ = run(monkeypatch, capsys, root, {}, "init", "--offline")
    assert code == 0
    assert "first build: adopt-or-register" in out
    assert "  it asks Harmony: set HARMONY_URL (or HARMONY_REGION), HARMONY_EMAIL and HARMONY_PASSWORD" in out
