"""The real `hatch-harmony` console script, in subprocesses, against the emulator over loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from tests.projects import Project

SCRIPT = Path(sys.executable).with_name("hatch-harmony")
CANARY_PASSWORD = "canary-cli-Pa55-91ab"

PROJECT = Project(
    "Acme CLI",
    "acme-connector",
    version="2.0.0",
    activities=("read", "write"),
    hook='attributes = { Author = "Acme" }',
    jar=None,
)
#: The harmony table ends the file: a test may append options to it.
PYPROJECT = PROJECT.pyproject()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return PROJECT.make(tmp_path / "acme", gitignore=False, class_file=None)


def env_for(emulator: Emulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
    env.update(HARMONY_URL=emulator.url, HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD)
    env.update(extra)
    return env


def cli(
    project: Path, env: dict[str, str], *args: str, script: bool = False, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if script else [sys.executable, "-m", "hatch_harmony"]
    return subprocess.run(
        [*command, *args, "--project", str(project)] if args and args[0] != "emulator" else [*command, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
        check=False,
    )


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def secrets_of(emulator: Emulator) -> list[str]:
    return [s for r in emulator.registrations(DEFAULT_ORG_ID) for s in (r.key, r.secret)]


def assert_no_secret(emulator: Emulator, *texts: str) -> None:
    for secret in [*secrets_of(emulator), DEFAULT_PASSWORD, CANARY_PASSWORD]:
        for text in texts:
            assert secret not in text


def test_console_script_is_installed_and_runs(project: Path, emulator: Emulator) -> None:
    result = cli(project, env_for(emulator), "status", "--json", script=True)
    data = as_json(result)
    assert data["next"]["action"] == "adopt-or-register"
    assert (data["next"]["requests"], data["next"]["maxRequests"]) == (2, 3)
    assert data["lock"] is None


def test_manifest_registers_once_then_makes_no_request(project: Path, emulator: Emulator) -> None:
    first = as_json(cli(project, env_for(emulator), "manifest", "--json"))
    assert (first["action"], first["requests"], first["written"]) == ("registered", 3, True)
    path = Path(first["path"])
    assert path == project / "build" / "harmony" / "MANIFEST.MF"
    assert path.stat().st_mode & 0o777 == 0o600
    assert set(first["activities"]) == {"read", "write"}
    emulator.reset_counts()
    second = cli(project, env_for(emulator), "manifest", "--json")
    data = as_json(second)
    assert (data["action"], data["requests"], data["written"]) == ("offline", 0, False)
    assert sum(emulator.counts().values()) == 0
    assert_no_secret(emulator, first["path"], second.stdout, second.stderr)


def test_manifest_check_fresh_stale_and_missing(project: Path, emulator: Emulator) -> None:
    env = env_for(emulator)
    assert cli(project, env, "manifest").returncode == 0
    path = project / "build" / "harmony" / "MANIFEST.MF"
    fresh = cli(project, env, "manifest", "--check", "--json")
    assert as_json(fresh)["upToDate"] is True
    path.write_bytes(path.read_bytes().replace(b"Author: Acme", b"Author: Someone"))
    before = path.read_bytes()
    stale = cli(project, env, "manifest", "--check")
    assert stale.returncode == 1 and "out of date" in stale.stdout
    assert path.read_bytes() == before  # --check writes nothing
    path.unlink()
    missing = cli(project, env, "manifest", "--check")
    assert missing.returncode == 1 and "missing" in missing.stdout
    assert not path.exists()


def test_manifest_check_on_unregistered_project_registers_nothing(project: Path, emulator: Emulator) -> None:
    result = cli(project, env_for(emulator), "manifest", "--check")
    assert result.returncode == 1
    assert "not registered" in result.stderr
    assert emulator.registrations(DEFAULT_ORG_ID) == []
    assert not (project / "harmony.lock").exists()


def test_manifest_to_stdout_masks_secrets_unless_asked(project: Path, emulator: Emulator) -> None:
    env = env_for(emulator)
    masked = cli(project, env, "manifest", "--output", "-")
    assert masked.returncode == 0, masked.stderr
    assert "Jitterbit-Connector-Secret: ********" in masked.stdout
    assert_no_secret(emulator, masked.stdout, masked.stderr)
    shown = cli(project, env, "manifest", "--output", "-", "--show-secrets")
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    assert f"Jitterbit-Connector-Secret: {reg.secret}" in shown.stdout
    assert not (project / "build").exists()  # stdout only: no file written


def test_manifest_output_path_for_maven(project: Path, emulator: Emulator) -> None:
    target = project / "src" / "main" / "resources" / "META-INF" / "MANIFEST.MF"
    data = as_json(cli(project, env_for(emulator), "manifest", "--output", str(target), "--json"))
    assert Path(data["path"]) == target
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("Manifest-Version: 1.0\r\n")
    assert f"Jitterbit-Connector-Endpoint-EntityTypeId: {data['connector']['endpointEntityId']}" in text


def test_manifest_output_elsewhere_reuses_the_configured_manifests_key(
    project: Path, emulator: Emulator
) -> None:
    """The configured manifest holds the key: writing a copy for Maven needs no request."""
    env = env_for(emulator)
    assert cli(project, env, "manifest").returncode == 0
    emulator.reset_counts()
    target = project / "src" / "main" / "resources" / "META-INF" / "MANIFEST.MF"
    data = as_json(cli(project, env, "manifest", "--output", str(target), "--json"))
    assert (data["action"], data["requests"]) == ("offline", 0)
    assert sum(emulator.counts().values()) == 0
    assert target.read_bytes() == (project / "build" / "harmony" / "MANIFEST.MF").read_bytes()


def test_a_bad_url_option_is_blamed_on_the_option(project: Path, emulator: Emulator) -> None:
    done = cli(project, {**env_for(emulator), "HARMONY_URL": ""}, "status", "--url", "http://10.0.0.5")
    assert done.returncode == 2
    assert done.stderr.startswith("hatch-harmony: --url: uses http:// with a non-local host")
    assert "HARMONY_URL" not in done.stderr


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("status", "--orgid", "5"), 'unrecognized arguments: --orgid 5. Did you mean "--org-id"?'),
        (("manifest", "--org_id=5", "--chek"), 'Did you mean "--org-id"? Did you mean "--check"?'),
        (("init", "--projct", "x"), 'Did you mean "--project"?'),
        (("status", "stray"), "unrecognized arguments: stray\n"),
    ],
)
def test_an_unknown_option_gets_the_close_match(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], hint: str
) -> None:
    from hatch_harmony.cli import main

    with pytest.raises(SystemExit) as exc:
        main(list(args))
    assert exc.value.code == 2
    assert hint in capsys.readouterr().err


def test_status_reports_lock_manifest_and_next_step(project: Path, emulator: Emulator) -> None:
    env = env_for(emulator)
    cli(project, env, "manifest")
    data = as_json(cli(project, env, "status", "--json"))
    assert data["next"] == {
        "action": "offline",
        "requests": 0,
        "maxRequests": 0,
        "reason": data["next"]["reason"],
    }
    lock_ids = data["lock"]["activities"]
    assert data["manifest"]["activities"] == lock_ids  # one type for ids: integers in both shapes
    assert all(type(i) is int for i in lock_ids.values())
    assert data["lock"]["orgId"] == DEFAULT_ORG_ID
    assert set(data["lock"]["activities"]) == {"read", "write"}
    assert data["manifest"]["exists"] is True and data["manifest"]["hasKey"] is True
    (project / "build" / "harmony" / "MANIFEST.MF").unlink()
    data = as_json(cli(project, env, "status", "--json"))
    assert (data["next"]["action"], data["next"]["requests"], data["next"]["maxRequests"]) == (
        "look-up",
        2,
        2,
    )
    offline = as_json(cli(project, {**env, "HARMONY_OFFLINE": "1"}, "status", "--json"))
    assert (offline["next"]["action"], offline["next"]["requests"]) == ("needs-network", 0)
    refused = cli(project, {**env, "HARMONY_OFFLINE": "1"}, "manifest")
    assert refused.returncode == 3  # what status predicted


def test_register_list_validate_delete_login(project: Path, emulator: Emulator) -> None:
    env = env_for(emulator)
    registered = as_json(cli(project, env, "register", "--json"))
    assert registered["action"] == "registered" and registered["lockWritten"] is True
    listing = cli(project, env, "list", "--json")
    data = as_json(listing)
    assert [c["name"] for c in data["connectors"]] == ["Acme CLI"]
    assert set(data["connectors"][0]) == {
        "id",
        "name",
        "version",
        "endpointEntityId",
        "functionEntityStartId",
        "functionEntityEndId",
    }
    assert_no_secret(emulator, listing.stdout, listing.stderr)
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    valid = cli(
        project,
        env_for(emulator, HARMONY_CONNECTOR_KEY=reg.key, HARMONY_CONNECTOR_SECRET=reg.secret),
        "validate",
    )
    assert valid.returncode == 0 and "accepts" in valid.stdout
    wrong = cli(
        project, env_for(emulator, HARMONY_CONNECTOR_KEY="k", HARMONY_CONNECTOR_SECRET="s"), "validate"
    )
    assert wrong.returncode == 1
    login = as_json(cli(project, env, "login", "--json"))
    assert login["defaultOrgId"] == DEFAULT_ORG_ID and login["orgs"]
    emulator.set_in_use(reg.id)
    refused = cli(project, env, "delete", "--registration", "--yes")
    assert refused.returncode == 1 and "a project of the organization uses it" in refused.stderr
    emulator.set_in_use(reg.id, False)
    cancelled = cli(project, env, "delete", "--registration", stdin="")  # no terminal to ask on
    assert cancelled.returncode == 2 and "pass --yes" in cancelled.stderr
    assert emulator.registrations(DEFAULT_ORG_ID)
    deleted = as_json(cli(project, env, "delete", "--registration", "--payload", "--yes", "--json"))
    assert deleted["deleted"] == {"payload": True, "registration": True}
    assert emulator.registrations(DEFAULT_ORG_ID) == []
    assert "[[connector]]" not in (project / "harmony.lock").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "env_extra", "code"),
    [
        (("manifest",), {"HARMONY_PASSWORD": ""}, 3),
        (("manifest",), {"HARMONY_OFFLINE": "1"}, 3),
        (("list",), {"HARMONY_EMAIL": ""}, 3),
        (("manifest", "--no-such-flag"), {}, 2),
        (("delete", "--yes"), {}, 2),
        (("login",), {"HARMONY_PASSWORD": CANARY_PASSWORD}, 1),
    ],
)
def test_exit_codes(
    project: Path, emulator: Emulator, args: tuple[str, ...], env_extra: dict[str, str], code: int
) -> None:
    result = cli(project, env_for(emulator, **env_extra), *args)
    assert result.returncode == code, result.stderr
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr
    assert_no_secret(emulator, result.stdout, result.stderr)


def test_config_error_exits_2_with_toml_path(project: Path, emulator: Emulator) -> None:
    (project / "pyproject.toml").write_text(PYPROJECT + 'regoin = "na"\n', encoding="utf-8")
    result = cli(project, env_for(emulator), "manifest", "--json")
    assert result.returncode == 2
    assert "tool.hatch.build.hooks.harmony.regoin" in result.stderr
    assert json.loads(result.stdout)["exitCode"] == 2
    assert not (project / "harmony.lock").exists()


def test_verbose_logs_requests_without_secrets(project: Path, emulator: Emulator) -> None:
    result = cli(project, env_for(emulator), "manifest", "-v")
    assert result.returncode == 0, result.stderr
    assert "user/login" in result.stderr
    assert_no_secret(emulator, result.stdout, result.stderr)
    token_marker = '"authenticationToken"'
    assert token_marker not in result.stderr or "***" in result.stderr


def test_environment_selection_gives_its_own_manifest_and_lock_entry(
    project: Path, emulator: Emulator
) -> None:
    text = PYPROJECT + '\n[tool.hatch.build.hooks.harmony.environments.prod]\norg-id = "20002"\n'
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    emulator_env = env_for(emulator)
    dev = as_json(cli(project, emulator_env, "manifest", "--json"))
    prod = cli(project, emulator_env, "manifest", "--env", "prod", "--json")
    # the default demo user has no access to org 20002: a clear failure, nothing written for prod
    assert prod.returncode != 0
    assert Path(dev["path"]).exists()
    assert "Traceback" not in prod.stderr


def test_manifest_path_tracked_by_git_is_refused_before_any_request(
    project: Path, emulator: Emulator
) -> None:
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    target = project / "META-INF" / "MANIFEST.MF"
    target.parent.mkdir()
    target.write_text("Manifest-Version: 1.0\n", encoding="utf-8")
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "META-INF/MANIFEST.MF"], cwd=project, check=True)
    text = PYPROJECT.replace(
        "[tool.hatch.build.hooks.harmony]",
        '[tool.hatch.build.hooks.harmony]\nmanifest = "META-INF/MANIFEST.MF"',
    )
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    result = cli(project, env_for(emulator), "manifest")
    assert result.returncode == 2
    assert "tracked by git" in result.stderr and "git rm --cached META-INF/MANIFEST.MF" in result.stderr
    assert sum(emulator.counts().values()) == 0
    assert target.read_text(encoding="utf-8") == "Manifest-Version: 1.0\n"
    assert not (project / "harmony.lock").exists()


def test_emulator_command_serves_the_other_commands(tmp_path: Path) -> None:
    """`hatch-harmony emulator` in one process, `hatch-harmony login` against it from another."""
    import signal

    proc = subprocess.Popen(
        [str(SCRIPT), "emulator", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        banner = []
        for line in proc.stdout:
            banner.append(line)
            if line.startswith("Stop with"):
                break
        [url] = [line.removeprefix("URL: ").strip() for line in banner if line.startswith("URL: ")]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
        env.update(HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD, HARMONY_ENV="prod")
        login = subprocess.run(
            [str(SCRIPT), "login", "--url", url, "--json", "--project", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        data = as_json(login)
        assert data["defaultOrgId"] == DEFAULT_ORG_ID
        assert data["sessionTimeoutSeconds"] == 14400
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_a_pyproject_integer_over_4300_digits_is_one_message(project: Path, emulator: Emulator) -> None:
    """Issue 14, item 14, for pyproject.toml: every reader of it goes through long_integers."""
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n[tool.other]\nn = " + "9" * 5000 + "\n")

    done = cli(project, env_for(emulator), "status")

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "pyproject.toml: `tool.other.n` (line" in done.stderr and "5000 digits" in done.stderr
