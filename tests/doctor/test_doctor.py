"""`hatch-harmony doctor` against the emulator over loopback: what it checks, skips, counts, never writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.cli import main
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.init.sdk_stand_in import make_stand_in
from tests.plugins.emulator import harmony_env
from tests.projects import Project, hatchling_build

EXAMPLE = Path(__file__).resolve().parents[2] / "example_connector"
PROJECT = Project("Acme Doctor", "acme-doctor", activities=("fetch", "put"))
ORDER = [
    "python",
    "hatchling",
    "jdk",
    "config",
    "adapter",
    "template",
    "manifest-path",
    "secrets",
    "login",
    "org",
    "lock-entry",
    "manifest-key",
    "jar",
]
NETWORK = ["login", "org", "lock-entry", "manifest-key"]
WRITES = ("register", "delete", "delete_payload")
#: A key and secret shaped like Harmony's, never placeholders.
REAL_KEY = "3f0c2b9e-5d41-4c8e-9a7f-1b2c3d4e5f60"
REAL_SECRET = "8e7d6c5b-4a39-4281-b7c6-d5e4f3a2b1c0"


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.email=dev@example.com", "-c", "user.name=Dev", *args]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def doctor(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    root: Path,
    env: dict[str, str],
    *args: str,
    command: str = "doctor",
) -> tuple[int, str, str]:
    """`hatch-harmony doctor` (or `command`) in this process with exactly `env`'s HARMONY_* variables."""
    for name in list(os.environ):
        if name.startswith("HARMONY_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main([command, "--project", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def statuses(data: dict[str, Any]) -> dict[str, str]:
    return {check["name"]: check["status"] for check in data["checks"]}


def check_of(data: dict[str, Any], name: str) -> dict[str, Any]:
    found = [check for check in data["checks"] if check["name"] == name]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return PROJECT.make(tmp_path / "acme")


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac not found: the example connector is Java")
def test_the_example_connector_after_the_demo_flow_is_all_ok_with_no_write_request(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "example_connector"
    shutil.copytree(
        EXAMPLE, root, ignore=shutil.ignore_patterns(".demo-venv", "build", "dist", "harmony.lock*")
    )
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "The example connector")
    sources = sorted(str(p) for p in (root / "src").rglob("*.java"))
    sdk = make_stand_in(root / "lib")
    subprocess.run(
        ["javac", "--release", "11", "-cp", str(sdk), "-d", str(root / "build/classes"), *sources], check=True
    )
    build = hatchling_build(root, emulator, "-t", "jar")
    assert build.returncode == 0, build.stderr
    emulator.reset_counts()
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}

    code, out, _ = doctor(monkeypatch, capsys, root, harmony_env(emulator), "--json")
    data = json.loads(out)
    assert code == 0 and data["exitCode"] == 0
    assert [c["name"] for c in data["checks"]] == ORDER
    assert statuses(data) == dict.fromkeys(ORDER, "ok"), data
    counts = emulator.counts()
    assert all(counts[route] == 0 for route in WRITES)
    assert (counts["login"], counts["list"], counts["validate"]) == (1, 1, 1)
    assert data["requests"] == 3 == sum(counts.values())
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    assert after == before  # doctor wrote nothing: no lock, no manifest, no jar

    code, out, _ = doctor(monkeypatch, capsys, root, harmony_env(emulator))
    assert code == 0
    assert out.splitlines()[-1] == "13 ok, 0 warnings, 0 failed, 0 skipped; 3 requests"
    assert out.splitlines()[3] == "ok      config: [tool.hatch.build.hooks.harmony]"
    secrets = [s for r in emulator.registrations(DEFAULT_ORG_ID) for s in (r.key, r.secret)]
    assert secrets and not any(s in out for s in secrets)


def test_a_wrong_password_is_one_failed_check_naming_the_variable(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**harmony_env(emulator), "HARMONY_PASSWORD": "wrong-Pa55-doctor"}
    code, out, err = doctor(monkeypatch, capsys, project, env, "--json")
    data = json.loads(out)
    assert code == 1 and data["exitCode"] == 1
    failed = [c for c in data["checks"] if c["status"] == "failed"]
    assert [c["name"] for c in failed] == ["login"]
    assert "HARMONY_PASSWORD" in failed[0]["fix"]
    assert all(statuses(data)[name] == "skipped" for name in ("org", "lock-entry", "manifest-key"))
    assert data["requests"] == 1 == emulator.counts()["login"]
    assert "wrong-Pa55-doctor" not in out + err

    code, out, _ = doctor(monkeypatch, capsys, project, env)
    assert code == 1
    assert any(line.startswith("failed  login") for line in out.splitlines())
    assert out.splitlines()[-1].endswith("1 failed, 5 skipped; 1 request")


def test_a_secret_committed_in_history_names_the_commit_never_the_value(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(project, "init", "-q")
    manifest = project / "MANIFEST.MF"
    manifest.write_text(
        f"Manifest-Version: 1.0\nJitterbit-Connector-Key: {REAL_KEY}\n"
        f"Jitterbit-Connector-Secret: {REAL_SECRET}\n",
        encoding="utf-8",
    )
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "Add the connector")
    leaked = git(project, "rev-parse", "HEAD")
    git(project, "rm", "-q", "MANIFEST.MF")
    git(project, "commit", "-q", "-m", "Remove the manifest")

    code, out, err = doctor(monkeypatch, capsys, project, {})
    assert code == 0  # history only: a warning (see tests/doctor/test_doctor_history.py)
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("warning secrets"))
    assert any(leaked[:12] in line and "MANIFEST.MF" in line for line in lines[head + 1 :])
    for value in (REAL_KEY, REAL_SECRET):
        assert value not in out + err

    code, out, err = doctor(monkeypatch, capsys, project, {}, "--json")
    secrets = check_of(json.loads(out), "secrets")
    assert secrets["status"] == "warning" and leaked[:12] in secrets["fix"]
    assert REAL_KEY not in out + err


def test_without_credentials_the_network_checks_are_skipped_and_exit_is_0(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = doctor(monkeypatch, capsys, project, {"HARMONY_URL": emulator.url}, "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"checks", "requests", "exitCode"}
    assert (data["requests"], data["exitCode"]) == (0, 0)
    assert [c["name"] for c in data["checks"]] == ORDER
    assert all(set(c) == {"name", "status", "detail", "fix"} for c in data["checks"])
    assert all(isinstance(c[k], str) for c in data["checks"] for k in ("name", "status", "detail", "fix"))
    assert [statuses(data)[name] for name in NETWORK] == ["skipped"] * 4
    assert "HARMONY_EMAIL" in check_of(data, "login")["detail"]
    assert statuses(data)["config"] == statuses(data)["adapter"] == "ok"
    assert sum(emulator.counts().values()) == 0


def test_offline_skips_the_network_checks_too(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**harmony_env(emulator), "HARMONY_OFFLINE": "1"}
    code, out, _ = doctor(monkeypatch, capsys, project, env, "--json")
    data = json.loads(out)
    assert code == 0
    assert "HARMONY_OFFLINE" in check_of(data, "login")["detail"]
    assert sum(emulator.counts().values()) == 0


def test_a_bad_config_lists_every_problem_in_one_failed_check(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = 'region = "mars"\nverify = "often"\nmanifst = "x.MF"'
    (project / "pyproject.toml").write_text(PROJECT.pyproject(hook=hook), encoding="utf-8")
    code, out, _ = doctor(monkeypatch, capsys, project, harmony_env(emulator), "--json")
    data = json.loads(out)
    assert code == 1
    config = check_of(data, "config")
    assert config["status"] == "failed"
    assert config["detail"].startswith("3 problems")
    for key in ("harmony.region", "harmony.verify", "harmony.manifst"):
        assert key in config["fix"], config["fix"]
    for name in ("adapter", "template", "manifest-path", *NETWORK):
        assert statuses(data)[name] == "skipped"
    assert [c["name"] for c in data["checks"] if c["status"] == "failed"] == ["config"]
    assert sum(emulator.counts().values()) == 0


def test_an_untracked_manifest_path_fails_naming_the_gitignore_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme", gitignore=False)
    git(root, "init", "-q")
    code, out, _ = doctor(monkeypatch, capsys, root, {}, "--json")
    check = check_of(json.loads(out), "manifest-path")
    assert code == 1 and check["status"] == "failed"
    assert "build/" in check["fix"] and ".gitignore" in check["fix"]


def test_a_bad_url_is_a_usage_error_with_exit_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in ("bad", "ftp://harmony.example.com", "http://harmony.example.com"):
        code, out, err = doctor(monkeypatch, capsys, project, {}, "--url", bad)
        assert code == 2, (bad, out, err)
        assert err.startswith("hatch-harmony: --url: ") and "https://" in err
