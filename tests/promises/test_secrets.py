"""Canary secrets through every flow: zero hits in output, logs, exceptions, the lock, sdists and wheels.

The canaries (tests/plugins/canary.py) are put into play for real: the emulator account's
password is the canary password; `override_next` makes a login hand out the canary token
(which the emulator then refuses, so the client also goes through its re-login path) and
makes the register reply carry the canary key and secret, which end up in the generated
manifest and the jar, where they belong. Each test first proves the canaries were used
(positive controls: the manifest holds them, the login count shows the canary token was
sent), then scans everything else a person, a log or an artifact could expose.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hatch_harmony import jar_manifest as jm
from hatch_harmony.config import load_config, read_project_table
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.engine.pipeline import generate
from hatch_harmony.errors import HarmonyError
from tests.client_fakes import RawServer, http_reply, login_reply, send
from tests.plugins import canary
from tests.plugins.canary import (
    CANARY_EMAIL,
    CANARY_KEY,
    CANARY_PASSWORD,
    CANARY_SECRET,
    CANARY_TOKEN,
    CanaryScan,
)
from tests.projects import Project

NAME = "Acme Canary"
PROJECT = Project(NAME, "acme-canary")
CANARY_REPLY = {"key": CANARY_KEY, "secret": CANARY_SECRET}


def make_project(root: Path, hook: str = "") -> Path:
    return PROJECT.make(root, hook=hook, class_file="acme/Canary.class", package=True)


def engine(root: Path, env: dict[str, str]) -> Any:
    """One in-process manifest step, as the hook runs it."""
    table, table_path = read_project_table(root)
    return generate(load_config(table, root, env, table_path=table_path), env)


def scan_for(emulator: Emulator) -> CanaryScan:
    """The canaries, plus every key and secret the emulator really issued."""
    scan = CanaryScan()
    for index, reg in enumerate(emulator.registrations(DEFAULT_ORG_ID)):
        scan.also(f"issued key #{index}", reg.key)
        scan.also(f"issued secret #{index}", reg.secret)
    return scan


def project_files(root: Path, *, except_: tuple[Path, ...]) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p not in except_]


# --- the scanner itself --------------------------------------------------------------------------------


def test_the_scanner_finds_canaries_plain_folded_encoded_and_inside_archives(tmp_path: Path) -> None:
    folded = jm.Manifest.parse(b"Manifest-Version: 1.0\r\n")
    folded.main.set("Jitterbit-Connector-Secret", "x" * 40 + CANARY_SECRET)  # folded across two lines
    wheel = tmp_path / "acme-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("acme/config.txt", f"token={CANARY_TOKEN}")
    scan = CanaryScan()
    scan.add("plain", f"password {CANARY_PASSWORD}!")
    scan.add("folded manifest", folded.to_bytes())
    scan.add("base64", base64.b64encode(f"k={CANARY_KEY}".encode()))
    scan.add_file(wheel)
    scan.add("clean", "nothing to see")
    found = {(hit.where, hit.canary) for hit in scan.hits()}
    assert found == {
        ("plain", "password"),
        ("folded manifest", "connector secret"),
        ("base64", "connector key"),
        (f"{wheel.name}!acme/config.txt", "token"),
    }
    with pytest.raises(AssertionError, match="the canary password appears in plain"):
        scan.assert_clean()


def test_the_suite_wide_guard_fails_a_passing_test_that_printed_a_canary() -> None:
    report = pytest.TestReport(
        "test_x.py::test_x", ("test_x.py", 1, "test_x"), {}, "passed", None, "call",
        [("Captured stdout call", f"debug: secret={CANARY_SECRET}\n")],
    )  # fmt: skip
    clean = pytest.TestReport(
        "test_x.py::test_y", ("test_x.py", 2, "test_y"), {}, "passed", None, "call",
        [("Captured stdout call", "all good\n")],
    )  # fmt: skip
    for one in (report, clean):
        wrapper = canary.pytest_runtest_makereport(None, None)  # type: ignore[arg-type]
        next(wrapper)
        with pytest.raises(StopIteration):
            wrapper.send(SimpleNamespace(get_result=lambda one=one: one))
    assert report.outcome == "failed" and "connector secret" in str(report.longrepr)
    assert CANARY_SECRET not in str(report.longrepr)
    assert clean.outcome == "passed"


# --- in process: log records and exception texts --------------------------------------------------------


def test_a_registration_with_a_refused_token_logs_and_keeps_no_secret(
    tmp_path: Path, canary_emulator: Emulator, canary_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="hatch_harmony")  # whatever an earlier in-process CLI run set
    root = make_project(tmp_path / "acme")
    canary_emulator.override_next("login", {"authenticationToken": CANARY_TOKEN})  # refused at the next call
    canary_emulator.override_next("register", CANARY_REPLY)
    result = engine(root, canary_env)
    # positive controls: the canary token was sent (then refused: a second login), the canary key shipped
    assert canary_emulator.counts()["login"] == 2
    manifest = (root / "build" / "harmony" / "MANIFEST.MF").read_bytes()
    assert CANARY_KEY.encode() in manifest and CANARY_SECRET.encode() in manifest
    assert any("authToken" in r.getMessage() for r in caplog.records)  # requests were logged, headers and all

    scan = scan_for(canary_emulator)
    scan.add_records("engine run", caplog.records)
    scan.add("Generated repr", repr(result))
    scan.add("Outcome str", str(result.outcome))
    scan.add_files(project_files(root, except_=(root / "build" / "harmony" / "MANIFEST.MF",)))
    assert scan.seen > 10
    scan.assert_clean()


def failure(root: Path, env: dict[str, str]) -> HarmonyError:
    with pytest.raises(HarmonyError) as info:
        engine(root, env)
    return info.value


def test_failures_carry_no_secret_in_message_repr_traceback_or_log(
    tmp_path: Path, canary_emulator: Emulator, canary_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    scan = CanaryScan()
    errors: dict[str, HarmonyError] = {}

    fresh = make_project(tmp_path / "fresh")
    errors["wrong password"] = failure(fresh, {**canary_env, "HARMONY_PASSWORD": CANARY_PASSWORD + "-typo"})
    canary_emulator.override_next("login", {"authenticationToken": CANARY_TOKEN})
    canary_emulator.override_next("login", {"authenticationToken": CANARY_TOKEN})
    errors["token refused twice"] = failure(fresh, canary_env)
    canary_emulator.override_next("login", {"authenticationToken": CANARY_TOKEN + "-list"})
    echo = f"upstream said: password={CANARY_PASSWORD} token={CANARY_TOKEN}-list"
    canary_emulator.fail_next(
        1, 500, route="list", body=json.dumps({"status": False, "errorMessage": echo}).encode()
    )
    errors["list 500 echoing the password and token"] = failure(fresh, canary_env)

    registered = make_project(tmp_path / "registered", hook="verify = true")
    engine(make_project(tmp_path / "first"), canary_env)  # registers the connector
    (tmp_path / "first" / "harmony.lock").replace(registered / "harmony.lock")
    keys = {"HARMONY_CONNECTOR_KEY": CANARY_KEY, "HARMONY_CONNECTOR_SECRET": CANARY_SECRET}
    errors["validate rejects the key"] = failure(registered, {**canary_env, **keys})
    echo = f"no such pair: key={CANARY_KEY} secret={CANARY_SECRET} password={CANARY_PASSWORD}"
    canary_emulator.fail_next(
        1, 200, route="validate", body=json.dumps({"status": False, "errorMessage": echo}).encode()
    )
    errors["validate echoing key, secret and password"] = failure(registered, {**canary_env, **keys})

    # positive controls: the failures are the ones meant, and the echoes did reach the client
    assert "wrong email or password" in str(errors["wrong password"])
    assert "even after logging in again" in str(errors["token refused twice"])
    assert "upstream said" in str(errors["list 500 echoing the password and token"])
    assert "no such pair" in str(errors["validate echoing key, secret and password"])
    for where, error in errors.items():
        scan.add_exception(where, error)
    scan.add_records("failing runs", caplog.records)
    scan.assert_clean()


# --- real processes: every CLI command and real builds ----------------------------------------------------


def run(command: list[str], root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_every_command_and_build_with_canaries_shows_and_packages_none(
    tmp_path: Path, canary_emulator: Emulator, canary_env: dict[str, str]
) -> None:
    root = make_project(tmp_path / "acme")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(canary_env)
    cli = [sys.executable, "-m", "hatch_harmony"]
    scan = CanaryScan()
    logins_with_canary_token = 0

    def command(*args: str, code: int = 0, logins: int = 0) -> None:
        """Run one command; one that logs in gets the canary token, refused (a second login) on first use."""
        nonlocal logins_with_canary_token
        if logins:
            canary_emulator.override_next("login", {"authenticationToken": CANARY_TOKEN})
        before = canary_emulator.counts()["login"]
        done = run([*cli, *args, "--project", str(root), "-v"], root, env)
        assert done.returncode == code, done.stderr
        assert canary_emulator.counts()["login"] - before == logins
        logins_with_canary_token += bool(logins)
        scan.add(f"`{' '.join(args)}` stdout", done.stdout)
        scan.add(f"`{' '.join(args)}` stderr", done.stderr)

    canary_emulator.override_next("register", CANARY_REPLY)
    command("manifest", "--json", logins=2)  # registers: login, list refused, login, list, register
    command("status", "--json")
    command("status")
    command("manifest", "--check")
    command("manifest", "--output", "-")
    command("register", "--json")
    command("list", "--json", logins=2)
    command("list", logins=2)
    command("validate", code=1, logins=2)  # the canary key is not the one Harmony issued
    command("login", "--json", logins=1)  # the canary token is in the reply, never used
    command("delete", "--payload", "--yes", logins=2)
    for targets in ([], ["-t", "jar"]):  # sdist and wheel, then the connector jar
        done = run([sys.executable, "-m", "hatchling", "build", *targets], root, env)
        assert done.returncode == 0, done.stderr
        scan.add(f"hatchling build {targets} stdout", done.stdout)
        scan.add(f"hatchling build {targets} stderr", done.stderr)

    # positive controls: the canaries were in play where they belong
    manifest = root / "build" / "harmony" / "MANIFEST.MF"
    [jar] = (root / "dist").glob("*.jar")
    with zipfile.ZipFile(jar) as archive:
        shipped = archive.read("META-INF/MANIFEST.MF")
    for where in (manifest.read_bytes(), shipped):
        assert CANARY_KEY.encode() in where and CANARY_SECRET.encode() in where
    assert logins_with_canary_token == 6
    assert sum(canary_emulator.counts().values()) > 12
    assert sorted(p.name.rsplit(".", 1)[-1] for p in (root / "dist").iterdir()) == ["gz", "jar", "whl"]

    scan.values.update(scan_for(canary_emulator).values)
    scan.add_files(project_files(root, except_=(manifest, jar)))  # lock, sdist and wheel (opened), the rest
    assert any(where.endswith("/harmony.lock") for where, _ in scan.blobs if "!" in where)  # the sdist's lock
    scan.assert_clean()
    assert CANARY_EMAIL  # the account name may appear: it is not a secret


# --- what `-v` and `login --json` show ---------------------------------------------


def cli_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}
    return {**env, **extra}


def test_verbose_shows_our_redacted_request_log_only_never_httpcore_or_cookies(tmp_path: Path) -> None:
    """`-v` once printed httpcore's DEBUG lines: every response header verbatim, the session cookie too."""
    cookie = "JSESSIONID=cnry-cookie-W2n8f"
    login = http_reply(
        200, login_reply(token=CANARY_TOKEN).content, headers={"Set-Cookie": f"{cookie}; Path=/"}
    )
    env = cli_env({"HARMONY_EMAIL": CANARY_EMAIL, "HARMONY_PASSWORD": CANARY_PASSWORD})
    with RawServer(send(login)) as server:
        done = run([sys.executable, "-m", "hatch_harmony", "login", "-v", "--url", server.url], tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert "hatch_harmony.client: request PUT user/login" in done.stderr  # our log is there...
    assert "response PUT user/login -> 200" in done.stderr
    lines = done.stderr.splitlines()
    assert all(line.startswith("hatch_harmony.") for line in lines), done.stderr  # ...and nothing else
    for leak in ("JSESSIONID", "cnry-cookie", "Set-Cookie", "httpcore", "httpx"):
        assert leak not in done.stderr
    scan = CanaryScan()
    scan.add("login -v stderr", done.stderr)
    scan.add("login -v stdout", done.stdout)
    scan.assert_clean()


def test_login_json_shows_org_names_and_urls_scrubbed_and_capped(
    tmp_path: Path, canary_emulator: Emulator, canary_env: dict[str, str]
) -> None:
    huge = "x" * 2_000_000
    canary_emulator.override_next(
        "login",
        {
            "serverUrl": f"https://na.example/{CANARY_PASSWORD}/{huge}",
            "orgAttrs": [
                {"orgId": DEFAULT_ORG_ID, "orgName": f"Acme {CANARY_PASSWORD}\n{huge}", "orgZoneUrl": huge}
            ],
        },
    )
    done = run([sys.executable, "-m", "hatch_harmony", "login", "--json"], tmp_path, cli_env(canary_env))
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["orgs"][0]["name"].startswith("Acme ***")  # positive control: the org name is shown
    assert len(done.stdout) < 2000
    scan = CanaryScan()
    scan.add("login --json stdout", done.stdout)
    scan.add("login --json stderr", done.stderr)
    scan.assert_clean()
