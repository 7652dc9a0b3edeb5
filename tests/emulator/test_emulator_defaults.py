"""README "The emulator": its default address, and Jitterbit's own Postman collection run against it.

The default port is what the README's commands use (`HARMONY_URL=http://127.0.0.1:8765`): the
emulator is started with no `--port`, as a user starts it. Another process (a developer's own
emulator) may hold that port: then the test says so and skips, since the port is not ours.

The Postman collection is Jitterbit's file, not this repository's: the test runs it with
newman when newman is on PATH and `HARMONY_POSTMAN_COLLECTION` names the collection
(JitterbitConnectorManagerAPI.collection.json of Jitterbit's dropbox-connector sample), and
skips with the reason otherwise. benchmarks/newman/run.py does the same from the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hatch_harmony.api.protocol import BASE_PATH, LOGIN_PATH
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, DEFAULT_PORT, Emulator
from hatch_harmony.emulator import add_arguments as emulator_arguments
from tests.emulator.test_emulator_cli import request
from tests.plugins.emulator import RawApi

README = Path(__file__).resolve().parents[2] / "README.md"
COLLECTION_VAR = "HARMONY_POSTMAN_COLLECTION"


def test_the_default_port_is_the_one_the_readme_uses() -> None:
    parser = argparse.ArgumentParser()
    emulator_arguments(parser)
    assert parser.parse_args([]).port == DEFAULT_PORT == 8765
    readme = README.read_text(encoding="utf-8")
    assert (
        f"runs a local stand-in for Jitterbit's\nConnector Manager API on http://127.0.0.1:{DEFAULT_PORT}."
        in readme
    )
    assert f"HARMONY_URL=http://127.0.0.1:{DEFAULT_PORT} " in readme


def test_started_without_port_it_listens_on_the_default_port() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hatch_harmony.emulator"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        banner = []
        for line in proc.stdout:
            banner.append(line.rstrip("\n"))
            if line.startswith("Stop with"):
                break
        else:
            err = proc.stderr.read() if proc.stderr else ""
            if "cannot listen" in err:
                pytest.skip(f"port {DEFAULT_PORT} is held by another process on this machine: {err.strip()}")
            pytest.fail(f"the emulator did not start: {banner} {err}")
        assert f"URL: http://127.0.0.1:{DEFAULT_PORT}" in banner
        body = {"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD}
        status, _ = request(f"http://127.0.0.1:{DEFAULT_PORT}", "PUT", BASE_PATH + LOGIN_PATH, body)
        assert status == 200
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_jitterbits_postman_collection_runs_unchanged(tmp_path: Path) -> None:
    newman = shutil.which("newman")
    collection = os.environ.get(COLLECTION_VAR, "")
    if newman is None:
        pytest.skip("newman is not on PATH (npm install -g newman) to run Jitterbit's Postman collection")
    if not collection or not Path(collection).is_file():
        pytest.skip(f"{COLLECTION_VAR} does not name Jitterbit's Postman collection (it is not ours to copy)")
    with Emulator(test_controls=True) as emulator:
        raw = RawApi(emulator)
        doomed = raw.register(raw.login(), name="Doomed", version="1")  # the collection deletes it
        emulator.reset_counts()
        report = tmp_path / "newman.json"
        variables = {
            "host": emulator.url,
            "email": DEFAULT_EMAIL,
            "password": DEFAULT_PASSWORD,
            "connectorName": "Dropbox",
            "connectorVersion": "1.0.0",
            "connectorId": doomed["id"],  # none of the collection's scripts sets it
        }
        command = [newman, "run", collection, "--reporters", "json", "--reporter-json-export", str(report)]
        for key, value in variables.items():
            command += ["--env-var", f"{key}={value}"]
        subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)

        executions = json.loads(report.read_text(encoding="utf-8"))["run"]["executions"]
        assert len(executions) == 5
        for execution in executions:
            response = execution["response"]
            reply = json.loads(bytes(response["stream"]["data"]).decode())
            assert 200 <= response["code"] < 300 and reply["status"] is True, execution["item"]["name"]
        counts = emulator.counts()
        assert {k: counts[k] for k in ("login", "register", "list", "delete", "validate")} == dict.fromkeys(
            ("login", "register", "list", "delete", "validate"), 1
        )
        assert [r.name for r in emulator.registrations(DEFAULT_ORG_ID)] == ["Dropbox"]
