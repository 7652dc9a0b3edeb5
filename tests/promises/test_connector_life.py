"""A connector's first week after the move to hatch-harmony, replayed end to end against the emulator.

A Maven-layout connector registered by hand, its key, secret and ids in its committed
manifest, is migrated with `init`; dev is built; a prod environment in another
organisation is added and built (its own registration, 3 requests, the template untouched),
and the two jars sit side by side in dist/, each with its own registration; the project
version is bumped and both rebuilt (the manifest `Version` and the jar names follow, the ids
stay, nothing registered); an activity is added with `init --add-activity` (a new id in each
environment, nothing renumbered); adapter.json's name is changed (refused, nothing sent);
doctor passes with the history warning and fails with `--strict`; each environment's jar is
deployed to its own agents' folder; and where Maven is installed, `mvn -o package` after init
never produces a jar with placeholders. Every step is what a user runs: the CLI and
hatchling in subprocesses, the emulator on 127.0.0.1 (one account in two organisations).
Each step reuses the builds of the steps before it (8 to 22 s measured on 2 cores, Maven included).
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
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project.lock import LockEntry, read_lock
from tests.init.test_init_maven import JAR, TEMPLATE, VERSION, cli, connector, mvn_package, run
from tests.plugins.emulator import RawApi, harmony_env
from tests.projects import CLASS_BYTES

PROD_ORG = "20002"
NEXT = "1.0.1"
REGISTRATIONS = {"dev": DEFAULT_ORG_ID, "prod": PROD_ORG}  # environment: its organisation
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


def jars(root: Path) -> dict[str, Path]:
    """dist/'s jars by name."""
    return {path.name: path for path in (root / "dist").glob("*.jar")}


def manifest_of(jar: Path) -> dict[str, str]:
    """The main section of a jar's manifest, as an agent reads it."""
    with zipfile.ZipFile(jar) as archive:
        return dict(Manifest.parse(archive.read("META-INF/MANIFEST.MF")).main.items())


def lock_entries(root: Path) -> dict[str, LockEntry]:
    """harmony.lock's entries by organisation."""
    return {entry.org_id: entry for entry in read_lock(root / "harmony.lock").entries}


def activity_ids(manifest: dict[str, str]) -> dict[str, str]:
    prefix = "Jitterbit-Activity-EntityTypeId-"
    return {name[len(prefix) :]: value for name, value in manifest.items() if name.startswith(prefix)}


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
    entries = lock_entries(root)
    assert entries[DEFAULT_ORG_ID].connector_id == dev.id and entries[PROD_ORG].connector_id == prod.id
    assert (root / TEMPLATE).read_bytes() == template
    # side by side in dist/: the dev build is still there, each jar holds its own registration
    assert set(jars(root)) == {f"tiny-connector-{VERSION}-dev.jar", f"tiny-connector-{VERSION}-prod.jar"}
    first = {env: manifest_of(jars(root)[f"tiny-connector-{VERSION}-{env}.jar"]) for env in REGISTRATIONS}
    registrations = {"dev": dev, "prod": prod}
    for env, reg in registrations.items():
        assert first[env]["Jitterbit-Connector-Key"] == reg.key
        assert first[env]["Jitterbit-Connector-Endpoint-EntityTypeId"] == reg.endpoint_entity_id
        assert first[env]["Version"] == VERSION
        (fetch,) = activity_ids(first[env]).values()
        assert int(fetch) in entries[REGISTRATIONS[env]].function_range
    assert dev.key != prod.key and dev.endpoint_entity_id != prod.endpoint_entity_id
    assert activity_ids(first["dev"]) == {"fetch": dev.function_entity_start_id}  # the hand-shipped id, kept

    # Wednesday: the next version. One place to bump; both rebuilt; the registrations and ids stay.
    project = root / "pyproject.toml"
    text = project.read_text(encoding="utf-8")
    assert text.count(f'version = "{VERSION}"') == 1
    project.write_text(text.replace(f'version = "{VERSION}"', f'version = "{NEXT}"'), encoding="utf-8")
    emulator.reset_counts()
    for env in REGISTRATIONS:
        said = build(root, emulator, env)
        # whose version differs, named: the project's, and the registration's in the lock
        assert f"the project version is {NEXT}, the registration in harmony.lock is {VERSION}" in said
    assert requests(emulator) == 0
    # the jar names follow the version; the 1.0.0 jars stay until `hatch clean -t jar`
    assert set(jars(root)) == {f"tiny-connector-{v}-{e}.jar" for v in (VERSION, NEXT) for e in REGISTRATIONS}
    second = {env: manifest_of(jars(root)[f"tiny-connector-{NEXT}-{env}.jar"]) for env in REGISTRATIONS}
    for env in REGISTRATIONS:
        assert second[env]["Version"] == NEXT
        assert {**second[env], "Version": VERSION} == first[env]  # key, secret, every id: unchanged
    assert lock_entries(root) == entries  # the registrations keep their version: nothing re-registered

    # Thursday: a new activity. Each environment gives it its next free id; nothing is renumbered.
    added = cli(root, {}, "init", "--add-activity", "upload")
    assert added.returncode == 0, added.stderr
    adapter = root / "src" / "main" / "resources" / "adapter.json"
    with_upload = adapter.read_bytes()
    assert list(json.loads(with_upload)["activities"]) == ["fetch", "upload"]
    emulator.reset_counts()
    for env in REGISTRATIONS:
        build(root, emulator, env)
    assert requests(emulator) == 0
    after = lock_entries(root)
    for env in REGISTRATIONS:
        before, now = entries[REGISTRATIONS[env]], after[REGISTRATIONS[env]]
        kept = before.activities["fetch"]
        assert now.activities == {"fetch": kept, "upload": kept + 1}  # the lowest free id of the range
        assert now.connector_id == before.connector_id and now.endpoint_entity_id == before.endpoint_entity_id
        ids = activity_ids(manifest_of(jars(root)[f"tiny-connector-{NEXT}-{env}.jar"]))
        assert ids == {"fetch": str(kept), "upload": str(kept + 1)}
    assert after[DEFAULT_ORG_ID].activities["upload"] != after[PROD_ORG].activities["upload"]

    # ...and someone renames the connector in adapter.json: both builds refuse, nothing is sent.
    adapter.write_text(json.dumps({**json.loads(with_upload), "name": "Tiny Connector"}), encoding="utf-8")
    emulator.reset_counts()
    for environment in REGISTRATIONS:
        refused = run(
            [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
            root,
            {**harmony_env(emulator), "HARMONY_ENV": environment},
        )
        assert refused.returncode != 0 and "'Tiny Connector'" in refused.stderr and "'Tiny'" in refused.stderr
        assert "displayName" in refused.stderr and "hatch-harmony register" in refused.stderr  # the ways out
    assert requests(emulator) == 0
    adapter.write_bytes(with_upload)
    build(root, emulator, "dev")  # the name restored: dev builds again, nothing registered
    assert emulator.counts().get("register", 0) == 0

    # Friday: doctor in CI, per environment. The key committed before the move is history: a warning.
    doctor = cli(root, harmony_env(emulator), "doctor", "--env", "dev", "--json")
    report = json.loads(doctor.stdout)
    (secrets,) = [c for c in report["checks"] if c["name"] == "secrets"]
    assert secrets["status"] == "warning" and "still accepts" in secrets["detail"]
    committed = run(["git", "rev-parse", "--short", "HEAD"], root).stdout.strip()  # the hand manifest
    assert committed in secrets["detail"]
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

    # ...and the release: each environment's jar onto its own agents' folder, exactly one jar there.
    built = jars(root)
    newest = max(built.values(), key=lambda jar: jar.stat().st_mtime_ns)
    assert newest.name == f"tiny-connector-{NEXT}-dev.jar"  # the last build: prod never takes it
    emulator.reset_counts()
    for env, reg in registrations.items():
        folder = tmp_path / f"{env}-agents"
        folder.mkdir()
        deployed = cli(root, {"HARMONY_URL": emulator.url}, "deploy", "--env", env, "--to", str(folder))
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        (held,) = folder.glob("*.jar")
        assert held.name == f"tiny-connector-{NEXT}-{env}.jar"  # the newest build, of this environment
        assert manifest_of(held)["Jitterbit-Connector-Key"] == reg.key
        assert reg.key not in deployed.stdout + deployed.stderr
    assert requests(emulator) == 0
