"""Run Jitterbit's own Postman collection, unchanged, with newman against the emulator.

The proof that the emulator speaks the documented API: Jitterbit's collection
(`../shared/reference/dropbox-connector/JitterbitConnectorManagerAPI.collection.json`, not
copied into this repository: it is Jitterbit's file) runs request by request through a
real Postman runner, and every reply must be 2xx with `"status": true`. The collection has
no assertions of its own (newman would pass on errors), so this script checks newman's
JSON report, then cross-checks the emulator's own counters and state.

The collection's "Delete a Registered Connector" uses `{{connectorId}}`, which none of its
scripts sets: the script registers a throw-away connector first and passes its id.

Usage (from the repository root; needs Node.js and npm; not part of pytest):

    python benchmarks/newman/run.py [--newman-dir DIR] [--collection FILE]

newman is installed with npm into DIR (default: ~/.cache/hatch-harmony/newman), outside
the repository. Exit status 0 when every request succeeded, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from hatch_harmony.api.protocol import BASE_PATH, LOGIN_PATH, connectors_path  # noqa: E402
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator  # noqa: E402

COLLECTION = (
    ROOT
    / ".."
    / "shared"
    / "reference"
    / "dropbox-connector"
    / "JitterbitConnectorManagerAPI.collection.json"
)
NEWMAN_VERSION = "6.2.2"
CONNECTOR_NAME, CONNECTOR_VERSION = "Dropbox", "1.0.0"  # the collection's environment values


def install_newman(directory: Path) -> Path:
    binary = directory / "node_modules" / ".bin" / "newman"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("npm is not on PATH: install Node.js 16+ to run this benchmark")
        directory.mkdir(parents=True, exist_ok=True)
        print(f"installing newman {NEWMAN_VERSION} into {directory} ...", flush=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", f"newman@{NEWMAN_VERSION}"],
            cwd=directory,
            check=True,
        )
    return binary


def call(url: str, method: str, path: str, body: dict[str, str], token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json", **({"authToken": token} if token else {})}
    data = json.dumps(body).encode()
    request = urllib.request.Request(url + BASE_PATH + path, data=data, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 (our own loopback emulator)
        return json.loads(reply.read())


def check_report(report: dict[str, Any]) -> list[str]:
    """One line per request; 'FAIL' in a line means that request did not succeed."""
    lines = []
    executions = report["run"]["executions"]
    for execution in executions:
        name = execution["item"]["name"]
        response = execution.get("response")
        if response is None:
            lines.append(f"FAIL {name}: no response ({execution.get('requestError')})")
            continue
        code = response["code"]
        body = bytes(response["stream"]["data"]).decode("utf-8", "replace")
        try:
            status = json.loads(body).get("status")
        except ValueError:
            status = None
        verdict = "ok  " if 200 <= code < 300 and status is True else "FAIL"
        lines.append(f"{verdict} {name}: HTTP {code}, status {json.dumps(status)}")
    if len(executions) != 5:
        lines.append(f"FAIL expected the collection's 5 requests, newman ran {len(executions)}")
    for failure in report["run"].get("failures", []):
        lines.append(f"FAIL newman: {failure.get('error', {}).get('message')}")
    return lines


def check_emulator(emulator: Emulator, doomed_id: str) -> list[str]:
    counts = emulator.counts()
    expected = {
        "login": 1,
        "register": 1,
        "list": 1,
        "delete": 1,
        "delete_payload": 0,
        "validate": 1,
        "other": 0,
    }
    registered = emulator.registrations(DEFAULT_ORG_ID)
    checks = [
        (counts == expected, f"requests per route {counts}"),
        (
            [r.name for r in registered] == [CONNECTOR_NAME],
            "exactly the collection's connector is registered",
        ),
        (all(r.id != doomed_id for r in registered), f"connector {doomed_id} was deleted"),
        (bool(registered) and emulator.payload_cached(registered[0].id), "validate cached the payload"),
    ]
    return [f"{'ok  ' if passed else 'FAIL'} emulator: {text}" for passed, text in checks]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--newman-dir", type=Path, default=Path.home() / ".cache" / "hatch-harmony" / "newman"
    )
    parser.add_argument("--collection", type=Path, default=COLLECTION)
    args = parser.parse_args()
    collection = args.collection.resolve()
    if not collection.is_file():
        sys.exit(f"{collection}: Jitterbit's collection is not there; pass --collection FILE")
    newman = install_newman(args.newman_dir)

    with Emulator() as emulator, tempfile.TemporaryDirectory() as temp:
        token = call(emulator.url, "PUT", LOGIN_PATH, {"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD})[
            "authenticationToken"
        ]
        doomed = call(
            emulator.url,
            "POST",
            connectors_path(DEFAULT_ORG_ID),
            {"name": "Postman delete target", "version": "1"},
            token,
        )["id"]
        emulator.reset_counts()
        report_file = Path(temp) / "newman.json"
        variables = {
            "host": emulator.url,
            "email": DEFAULT_EMAIL,
            "password": DEFAULT_PASSWORD,
            "connectorName": CONNECTOR_NAME,
            "connectorVersion": CONNECTOR_VERSION,
            "connectorId": doomed,
        }
        command = [str(newman), "run", str(collection), "--reporters", "cli,json"]
        command += ["--reporter-json-export", str(report_file)]
        for key, value in variables.items():
            command += ["--env-var", f"{key}={value}"]
        shown = " ".join(c if DEFAULT_PASSWORD not in c else "password=***" for c in command)
        print(f"$ {shown}", flush=True)
        subprocess.run(command, check=False)
        lines = check_report(json.loads(report_file.read_text(encoding="utf-8")))
        lines += check_emulator(emulator, doomed)

    print("\n".join(lines))
    failed = sum("FAIL" in line for line in lines)
    print(f"{'FAILED' if failed else 'PASSED'}: {len(lines) - failed} checks ok, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
