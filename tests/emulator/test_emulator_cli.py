"""The emulator's lifecycle: persistence across restarts, loopback-only binding, the command line."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hatch_harmony.api.protocol import BASE_PATH, LOGIN_PATH, connectors_path, validate_path
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator, EmulatorError, main
from hatch_harmony.emulator.command import parse_user
from hatch_harmony.errors import ConfigError
from tests.plugins.emulator import RawApi

ORG = "10001"


# --- persistence -------------------------------------------------------------------------------


def test_state_survives_a_restart_without_tokens(tmp_path: Path) -> None:
    data = tmp_path / "emulator.json"
    with Emulator(data_file=data) as first:
        api = RawApi(first)
        token = api.login()
        one, two = api.register(token, "One"), api.register(token, "Two")
        body = {"name": "One", "key": one["key"], "secret": one["secret"]}
        api.request("PUT", validate_path(ORG), body, token=token)
        first.set_in_use(two["id"])
        before = first.connectors(ORG)
    assert stat.S_IMODE(data.stat().st_mode) == 0o600  # it holds keys and secrets
    assert [p.name for p in tmp_path.iterdir()] == ["emulator.json"]  # no temporary file left
    with Emulator(data_file=data) as second:
        api = RawApi(second)
        assert second.connectors(ORG) == before
        assert (before[0].payload_cached, before[1].in_use) == (True, True)
        assert api.request("GET", connectors_path(ORG), token=token).status == 401  # tokens are not kept
        three = api.register(api.login(), "Three")
    assert int(three["id"]) == int(two["id"]) + 1
    assert int(three["endpointEntityId"]) == int(two["functionEntityEndId"]) + 1
    saved = json.loads(data.read_text(encoding="utf-8"))
    assert [c["name"] for c in saved["connectors"]] == ["One", "Two", "Three"]


def test_deleted_registration_with_cached_payload_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    with Emulator(data_file=data) as first:
        api = RawApi(first)
        token = api.login()
        reg = api.register(token)
        body = {"name": "Dropbox", "key": reg["key"], "secret": reg["secret"]}
        api.request("PUT", validate_path(ORG), body, token=token)
        api.request("DELETE", f"orgs/{ORG}/connector/{reg['id']}", token=token)
    with Emulator(data_file=data) as second:
        api = RawApi(second)
        assert second.registrations() == []
        reply = api.request("DELETE", f"orgs/{ORG}/connector/{reg['id']}/sdk/delete", token=api.login())
        assert reply.status == 200


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"format": "something-else"}',
        '{"format": "hatch-harmony-emulator/1", "nextConnectorId": 1, "nextEndpointEntityId": 1}',
        '{"format": "hatch-harmony-emulator/1", "nextConnectorId": 1, "nextEndpointEntityId": 1,'
        ' "connectors": [{"orgId": "1", "id": "5", "name": "x", "version": "1", "key": "k", "secret": "s",'
        ' "endpointEntityId": "10", "functionEntityStartId": "9", "functionEntityEndId": "20"}]}',
    ],
)
def test_a_bad_data_file_is_one_clear_config_error(tmp_path: Path, content: str) -> None:
    data = tmp_path / "state.json"
    data.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Emulator(data_file=data)
    assert str(data) in str(info.value) and "--data" in str(info.value)
    assert data.read_text(encoding="utf-8") == content  # never overwritten


def test_a_data_file_in_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Emulator(data_file=tmp_path / "nope" / "state.json")


def test_a_failed_save_changes_neither_file_nor_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "state.json"
    with Emulator(data_file=data) as emulator:
        api = RawApi(emulator)
        token = api.login()
        api.register(token, "Kept")
        saved = data.read_bytes()

        def failing_fsync(fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", failing_fsync)
        reply = api.request("POST", connectors_path(ORG), {"name": "Lost", "version": "1"}, token=token)
        assert reply.status == 500 and reply.json()["status"] is False
        assert [r.name for r in emulator.registrations()] == ["Kept"]
        assert data.read_bytes() == saved
        assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
        monkeypatch.undo()
        assert api.register(token, "Next")["id"] == str(int(emulator.registrations()[0].id) + 1)


# --- binding -----------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.com"])
def test_non_loopback_hosts_are_refused_without_allow_remote(host: str) -> None:
    with pytest.raises(ConfigError, match="allow-remote"):
        Emulator(host)
    Emulator(host, allow_remote=True)  # accepted (not started: tests talk to 127.0.0.1 only)


def test_other_loopback_addresses_are_accepted() -> None:
    with Emulator("127.0.0.2") as emulator:
        assert emulator.url == f"http://127.0.0.2:{emulator.port}"
    with Emulator("localhost") as emulator:
        assert emulator.url.startswith("http://127.0.0.1:") or emulator.url.startswith("http://[::1]:")


def test_a_busy_port_is_a_clear_error(emulator: Emulator) -> None:
    with pytest.raises(EmulatorError, match="--port"):
        Emulator(port=emulator.port).start()


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"port": 70000}, "port"), ({"session_timeout": 0}, "timeout")]
)
def test_bad_settings_are_config_errors(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Emulator(**kwargs)  # type: ignore[arg-type]


# --- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("me@example.com:pw", ("me@example.com", "pw", "10001")),
        ("me@example.com:pw:20002", ("me@example.com", "pw", "20002")),
        ("me@example.com:p:w:20002", ("me@example.com", "p:w", "20002")),
        ("me@example.com:pw:abc", ("me@example.com", "pw:abc", "10001")),
    ],
)
def test_parse_user(text: str, expected: tuple[str, str, str]) -> None:
    user = parse_user(text)
    assert (user.email, user.password, user.org_id) == expected
    assert user.password not in repr(user)


@pytest.mark.parametrize("text", ["me@example.com", "me@example.com:", "nobody:pw", ":pw"])
def test_parse_user_rejects_bad_values(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_user(text)


def test_main_rejects_a_bad_user_as_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--user", "nobody"])
    assert info.value.code == 2
    assert "EMAIL:PASSWORD" in capsys.readouterr().err


def test_main_refuses_a_public_host_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0", "--port", "0", "--quiet"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def start_cli(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start `python -m hatch_harmony.emulator`, return it with its banner lines."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hatch_harmony.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    banner: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        banner.append(line.rstrip("\n"))
        if line.startswith("Stop with"):
            break
    else:
        proc.wait(timeout=30)
        pytest.fail(f"the emulator did not start: {banner} {proc.stderr.read() if proc.stderr else ''}")
    return proc, banner


def url_of(banner: list[str]) -> str:
    [line] = [line for line in banner if line.startswith("URL: ")]
    return line.removeprefix("URL: ")


def request(url: str, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, bytes]:
    host, _, port = url.removeprefix("http://").rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


def finish(proc: subprocess.Popen[str], signum: int) -> tuple[str, str]:
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return out, err


def test_cli_starts_prints_url_and_stops_on_sigterm() -> None:
    proc, banner = start_cli("--test-controls")
    try:
        text = "\n".join(banner)
        assert "NOT Jitterbit Harmony" in text
        assert f"User: {DEFAULT_EMAIL}  password {DEFAULT_PASSWORD}  org 10001" in text
        assert "Test controls: on" in text
        url = url_of(banner)
        assert url.startswith("http://127.0.0.1:")
        status, body = request(
            url, "PUT", BASE_PATH + LOGIN_PATH, {"email": DEFAULT_EMAIL, "password": "cnry-pw"}
        )
        assert status == 401
        status, body = request(
            url, "PUT", BASE_PATH + LOGIN_PATH, {"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD}
        )
        token = json.loads(body)["authenticationToken"]
        assert request(url, "GET", "/__emulator__/counts")[0] == 200
    finally:
        out, err = finish(proc, signal.SIGTERM)
    assert "Emulator stopped." in out
    assert "PUT /jitterbit-cloud-restful-service/user/login" in err  # an access log...
    assert "cnry-pw" not in err + out and token not in err + out  # ...without secrets


def test_cli_with_users_hides_their_passwords_and_stops_on_sigint(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    proc, banner = start_cli("--user", "ops@example.com:cnry-pw:20002", "--data", str(data), "--quiet")
    try:
        text = "\n".join(banner)
        assert "User: ops@example.com  password as given  org 20002" in text
        assert DEFAULT_EMAIL not in text  # --user replaces the demo accounts
        assert "cnry-pw" not in text
        assert f"State: saved in {data}" in text
        assert "Test controls: off" in text
        url = url_of(banner)
        status, body = request(
            url, "PUT", BASE_PATH + LOGIN_PATH, {"email": "ops@example.com", "password": "cnry-pw"}
        )
        assert status == 200 and json.loads(body)["defaultOrgId"] == "20002"
        assert request(url, "GET", "/__emulator__/counts")[0] == 404
    finally:
        out, err = finish(proc, signal.SIGINT)
    assert err == "" and "Emulator stopped." in out  # --quiet


def test_banner_suggests_a_build_command_that_works_from_the_emulators_environment(tmp_path: Path) -> None:
    """The `Try` line, run as printed (with the emulator's PATH), builds a connector jar: 3 requests."""
    import shlex

    project = tmp_path / "acme"
    (project / "build" / "classes").mkdir(parents=True)
    (project / "build" / "classes" / "Hello.class").write_bytes(b"\xca\xfe\xba\xbe")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "acme"\nversion = "1.0"\n[tool.hatch.build.hooks.harmony]\n'
        '[tool.hatch.build.targets.jar]\nclasses = "build/classes"\n',
        encoding="utf-8",
    )
    (project / "adapter.json").write_text('{"name": "Acme", "activities": {"get": {}}}', encoding="utf-8")
    (project / ".gitignore").write_text("build/\n", encoding="utf-8")
    proc, banner = start_cli("--test-controls", "--quiet")
    try:
        [line] = [line for line in banner if line.startswith("Try")]
        words = shlex.split(line.partition(": ")[2])
        assignments = {w.partition("=")[0]: w.partition("=")[2] for w in words if re.match(r"^[A-Z_]+=", w)}
        argv = words[len(assignments) :]
        assert argv[-5:] == ["-m", "hatchling", "build", "-t", "jar"] and "hatch" not in argv
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}
        done = subprocess.run(
            argv,
            cwd=project,
            env={**env, **assignments},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "harmony: registered 'Acme'" in done.stderr + done.stdout
        counts = json.loads(request(url_of(banner), "GET", "/__emulator__/counts")[1])["counts"]
        assert sum(counts.values()) == 3
        assert [p.name for p in (project / "dist").iterdir()] == ["acme-1.0.jar"]
    finally:
        finish(proc, signal.SIGTERM)
