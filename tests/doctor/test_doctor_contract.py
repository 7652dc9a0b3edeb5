"""`hatch-harmony doctor --contract`: the CLI side of the API contract, against the emulator over loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hatch_harmony.doctor.contract import CONTRACT_PREFIX
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from tests.doctor.test_doctor import doctor
from tests.plugins.emulator import harmony_env
from tests.projects import Project

PROJECT = Project("Acme Contract CLI", "acme-contract-cli")
STEPS = ["login", "register", "list", "validate", "delete payload", "delete", "gone", "cleanup"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return PROJECT.make(tmp_path / "acme")


def listed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], root: Path, emulator: Emulator
) -> list[str]:
    """The org's connector names, asked the way a user would: `hatch-harmony list --json`."""
    code, out, err = doctor(monkeypatch, capsys, root, harmony_env(emulator), "--json", command="list")
    assert code == 0, err
    return [c["name"] for c in json.loads(out)["connectors"]]


def test_contract_with_yes_passes_every_step_and_leaves_nothing(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = doctor(
        monkeypatch, capsys, project, harmony_env(emulator), "--contract", "--yes", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["exitCode"] == 0, out + err
    assert [c["name"] for c in data["checks"]] == STEPS
    assert {c["status"] for c in data["checks"]} == {"ok"}
    assert data["connectorName"].startswith(CONTRACT_PREFIX) and data["connectorId"]
    assert data["leftovers"] == []
    counts = emulator.counts()
    assert (counts["register"], counts["delete"], counts["delete_payload"], counts["validate"]) == (
        1,
        1,
        1,
        1,
    )
    assert data["requests"] == sum(counts.values())
    assert emulator.registrations(DEFAULT_ORG_ID) == []
    assert not [
        name for name in listed(monkeypatch, capsys, project, emulator) if name.startswith(CONTRACT_PREFIX)
    ]


def test_a_fault_mid_way_is_cleaned_up_reported_and_exits_1(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.fail_next(1, 500, route="validate")
    code, out, err = doctor(monkeypatch, capsys, project, harmony_env(emulator), "--contract", "--yes")
    assert code == 1, out + err
    lines = out.splitlines()
    assert any(line.startswith("failed  validate: ") and "HTTP 500" in line for line in lines), out
    cleanup = [line for line in lines if line.startswith("ok      cleanup: ")]
    assert len(cleanup) == 1 and "deleted connector" in cleanup[0] and "nothing left" in cleanup[0]
    assert not any(line.startswith(("ok      delete", "ok      gone")) for line in lines)
    assert lines[-1].startswith("contract: ") and "1 failed, 0 left behind" in lines[-1]
    assert emulator.registrations(DEFAULT_ORG_ID) == []
    assert listed(monkeypatch, capsys, project, emulator) == []


def test_without_a_terminal_and_without_yes_it_asks_for_yes_and_sends_nothing(
    project: Path, emulator: Emulator
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
    env.update(harmony_env(emulator))
    done = subprocess.run(
        [sys.executable, "-m", "hatch_harmony", "doctor", "--contract", "--project", str(project)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "--yes" in done.stderr
    assert sum(emulator.counts().values()) == 0


def test_without_credentials_it_exits_3_before_asking(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = doctor(monkeypatch, capsys, project, {"HARMONY_URL": emulator.url}, "--contract", "--yes")
    assert code == 3
    assert "HARMONY_EMAIL" in err and "HARMONY_PASSWORD" in err
    assert sum(emulator.counts().values()) == 0


def test_yes_without_contract_is_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = doctor(monkeypatch, capsys, project, {}, "--yes")
    assert code == 2 and "--contract" in err
