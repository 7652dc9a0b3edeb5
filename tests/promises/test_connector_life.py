"""A connector's first week after the move to hatch-harmony, replayed end to end against the emulator.

A Maven-layout connector registered by hand, its key, secret and ids in its committed
manifest, is migrated with `init`; dev is built; a prod environment in another
organisation is added and built (its own registration, 3 requests, the template untouched);
adapter.json's name is changed (refused, nothing sent); doctor passes with the history
warning and fails with `--strict`; and where Maven is installed, `mvn -o package` after init
never produces a jar with placeholders. Every step is what a user runs: the CLI and
hatchling in subprocesses, the emulator on 127.0.0.1 (one account in two organisations).
"""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.emulator.state import User
from hatch_harmony.project.lock import read_lock
from tests.init.test_init_maven import ADAPTER, JAR, TEMPLATE, VERSION, cli, connector, mvn_package, run
from tests.plugins.emulator import RawApi, harmony_env
from tests.projects import CLASS_BYTES

PROD_ORG = "20002"
ENVIRONMENTS = f"""
[tool.hatch.build.hooks.harmony.environments.dev]
org-id = "{DEFAULT_ORG_ID}"

[tool.hatch.build.hooks.harmony.environments.prod]
org-id = "{PROD_ORG}"
"""


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    user = User(DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID, other_org_ids=(PROD_ORG,))
    with Emulator(users=[user], test_controls=True) as running:
        yield running


def build(root: Path, emulator: Emulator, environment: str) -> str:
    """`hatchling build -t jar` for one environment; its output (it must succeed)."""
    done = run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        root,
        {**harmony_env(emulator), "HARMONY_ENV": environment},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def requests(emulator: Emulator) -> int:
    return sum(emulator.counts().values())


def test_the_first_week(tmp_path: Path, api: RawApi, emulator: Emulator) -> None:
    api.register(api.login(), name="Tiny", version=VERSION)  # by hand, in Postman, long ago
    (dev,) = emulator.registrations(DEFAULT_ORG_ID)
    root = connector(tmp_path / "tiny", dev)
    classes = root / "target" / "classes" / "com" / "example"
    classes.mkdir(parents=True)
    (classes / "Tiny.class").write_bytes(CLASS_BYTES)  # what `mvn compile` leaves (the jar only packs it)
    emulator.reset_counts()

    # Monday: init adopts the hand registration (2 requests) and points Maven at the generated manifest.
    done = cli(root, harmony_env(emulator), "init", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["adoption"]["action"] == "adopted"
    assert requests(emulator) == 2 and emulator.counts().get("register", 0) == 0
    if shutil.which("mvn") is not None:  # the old habit now ships the real manifest, never `****`
        packaged = mvn_package(root)
        assert packaged.returncode == 0, packaged.stdout
        with zipfile.ZipFile(root / "target" / JAR) as jar:
            shipped = jar.read("META-INF/MANIFEST.MF").decode()
        assert "****" not in shipped and f"Jitterbit-Connector-Key: {dev.key}" in shipped

    # Tuesday: two environments; dev is the hand registration, prod registers in its own organisation.
    with (root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(ENVIRONMENTS)
    template = (root / TEMPLATE).read_bytes()
    emulator.reset_counts()
    build(root, emulator, "dev")
    assert emulator.counts().get("register", 0) == 0
    emulator.reset_counts()
    said = build(root, emulator, "prod")
    assert requests(emulator) == 3 and emulator.counts()["register"] == 1
    assert said.count("were not used") == 1
    (prod,) = emulator.registrations(PROD_ORG)
    entries = {e.org_id: e for e in read_lock(root / "harmony.lock").entries}
    assert entries[DEFAULT_ORG_ID].connector_id == dev.id and entries[PROD_ORG].connector_id == prod.id
    assert (root / TEMPLATE).read_bytes() == template

    # Wednesday: someone renames the connector in adapter.json; both builds refuse, nothing is sent.
    adapter = root / "src" / "main" / "resources" / "adapter.json"
    adapter.write_text(json.dumps({**ADAPTER, "name": "Tiny Connector"}), encoding="utf-8")
    emulator.reset_counts()
    for environment in ("dev", "prod"):
        refused = run(
            [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
            root,
            {**harmony_env(emulator), "HARMONY_ENV": environment},
        )
        assert refused.returncode != 0 and "'Tiny Connector'" in refused.stderr and "'Tiny'" in refused.stderr
    assert requests(emulator) == 0
    adapter.write_text(json.dumps(ADAPTER), encoding="utf-8")
    build(root, emulator, "dev")  # the name restored: dev builds again, nothing registered
    assert emulator.counts().get("register", 0) == 0

    # Thursday: doctor in CI, per environment. The key committed before the move is history: a warning.
    doctor = cli(root, harmony_env(emulator), "doctor", "--env", "dev", "--json")
    report = json.loads(doctor.stdout)
    (secrets,) = [c for c in report["checks"] if c["name"] == "secrets"]
    assert secrets["status"] == "warning" and "still accepts" in secrets["detail"]
    failed = [c["name"] for c in report["checks"] if c["status"] == "failed"]
    assert doctor.returncode == 0, failed
    assert cli(root, harmony_env(emulator), "doctor", "--env", "dev", "--strict").returncode == 1
    in_prod = json.loads(cli(root, harmony_env(emulator), "doctor", "--env", "prod", "--json").stdout)
    (secrets,) = [c for c in in_prod["checks"] if c["name"] == "secrets"]  # not valid in prod's org: no proof
    assert secrets["status"] == "warning" and f"also records org {DEFAULT_ORG_ID}" in secrets["detail"]
    unselected = cli(root, harmony_env(emulator), "doctor", "--json")  # two organisations: which one?
    (entry,) = [c for c in json.loads(unselected.stdout)["checks"] if c["name"] == "lock-entry"]
    assert entry["status"] == "failed" and "HARMONY_ENV" in entry["fix"] + entry["detail"]
    assert dev.key not in doctor.stdout + doctor.stderr and dev.secret not in doctor.stdout + doctor.stderr
