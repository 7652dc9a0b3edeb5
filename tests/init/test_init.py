"""`hatch-harmony init` end to end: a dropbox-connector replica moved to hatch-harmony.

The replica is the repository most users have, made by the test (its own minimal pom with the
packaging sections of Jitterbit's, never a copy of it):

    pom.xml                         resources ui/, assets/ (targetPath assets), src/main/resources;
                                    copy-dependencies into target/classes/lib; manifestFile
    ui/adapter.json                 "Dropbox", no version (registered as the pom's 1.0.0, as
                                    Jitterbit's Postman environment did)
    assets/images/*.svg, lib/jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar, src/main/java/...
    src/main/resources/META-INF/MANIFEST.MF   hand-made: the real key, secret, endpoint and ids
    git history                     commit 1 adds it all (the secret with it), commit 2 edits the UI
    target/classes                  what Maven's early phases leave: javac output, resource
                                    copies, the dependency in lib/ (copy-dependencies)

The connector is registered in the emulator by hand first (Postman, long ago). Everything runs
as a user runs it: `python -m hatch_harmony.cli init` and `python -m hatchling build -t jar`
in subprocesses, against the emulator on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import pytest

from hatch_harmony.api.protocol import Registration
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project.lock import read_lock
from tests.jar.test_maven_layout import DEPENDENCY_JAR, SDK_JAR, SOURCES, _javac, _pack
from tests.plugins.emulator import RawApi, harmony_env

pytestmark = pytest.mark.java

VERSION = "1.0.0"
JAR = f"dropbox-connector-{VERSION}.jar"
TEMPLATE_PATH = "src/main/resources/META-INF/MANIFEST.MF"
ACTIVITIES = ("fetch", "put", "process", "get")
#: Ids a person pasted in, not in adapter.json's order (offsets from the range start).
HAND_ORDER = {"fetch": 3, "put": 1, "process": 0, "get": 2}

POM = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>dropbox-connector</artifactId>
  <version>{version}</version>
  <packaging>jar</packaging>
  <dependencies>
    <dependency>
      <groupId>com.example</groupId><artifactId>textutil</artifactId><version>1.2</version>
    </dependency>
    <dependency>
      <groupId>com.jitterbit</groupId>
      <artifactId>jitterbit-connector-sdk</artifactId>
      <version>1.0.0</version>
      <scope>system</scope>
      <systemPath>${{project.basedir}}/lib/{sdk}</systemPath>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <executions>
          <execution>
            <id>copy-dependencies</id>
            <phase>prepare-package</phase>
            <goals><goal>copy-dependencies</goal></goals>
            <configuration>
              <includeArtifactIds>textutil</includeArtifactIds>
              <outputDirectory>${{project.build.directory}}/classes/lib</outputDirectory>
            </configuration>
          </execution>
        </executions>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-jar-plugin</artifactId>
        <configuration>
          <archive>
            <manifestFile>src/main/resources/META-INF/MANIFEST.MF</manifestFile>
          </archive>
        </configuration>
      </plugin>
    </plugins>
    <resources>
      <resource><directory>assets</directory><targetPath>assets</targetPath></resource>
      <resource><directory>src/main/resources</directory></resource>
      <resource><directory>ui</directory></resource>
    </resources>
  </build>
</project>
"""

STALE_CLASS_PATH = ("lib/jackson-core-2.8.6.jar", "lib/guava-19.0.jar", "lib/log4j-1.2.17.jar")


def hand_manifest(reg: Registration) -> str:
    """Jitterbit's sample shape (LF, no Manifest-Version, a Class-Path over many lines), filled in by hand."""
    start = int(reg.function_entity_start_id)
    lines = [
        "Author: Jitterbit",
        "Version: 3.0.2",
        f"Jitterbit-Connector-Key: {reg.key}",
        f"Jitterbit-Connector-Secret: {reg.secret}",
        f"Jitterbit-Connector-Endpoint-EntityTypeId: {reg.endpoint_entity_id}",
        *(f"Jitterbit-Activity-EntityTypeId-{name}: {start + HAND_ORDER[name]}" for name in ACTIVITIES),
        "Jitterbit-Connector-UI: adapter.json",
        f"Class-Path: lib/{DEPENDENCY_JAR}",
        *(f"            {jar}" for jar in STALE_CLASS_PATH),
    ]
    return "\n".join(lines) + "\n\n"


def adapter(display: str = "Fetch") -> dict[str, Any]:
    activities = {name: {"displayName": name.title()} for name in ACTIVITIES}
    activities["fetch"]["displayName"] = display
    return {
        "name": "Dropbox",
        "endpoint": {"displayName": "Dropbox", "properties": []},
        "activities": activities,
    }


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2019-05-01T10:00:00Z",
        "GIT_COMMITTER_DATE": "2019-05-01T10:00:00Z",
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def write(root: Path, relative: str, text: str) -> None:
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).write_text(text, encoding="utf-8", newline="\n")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("javac") is None:
        pytest.skip("javac not found: the replica's connector is compiled Java (install a JDK)")
    base = tmp_path_factory.mktemp("init-java")
    dependency = _pack(_javac(SOURCES["dependency"], base / "dependency"), base / DEPENDENCY_JAR)
    sdk = _pack(_javac(SOURCES["sdk"], base / "sdk"), base / SDK_JAR)
    connector = _javac(SOURCES["connector"], base / "connector", dependency, sdk)
    return {"dependency": dependency, "sdk": sdk, "connector": connector}


def registered_by_hand(api: RawApi, emulator: Emulator) -> Registration:
    """Registered in Postman long ago (name and the pom's version); the counters start at 0 after it."""
    api.register(api.login(), name="Dropbox", version=VERSION)
    emulator.reset_counts()
    (reg,) = emulator.registrations(DEFAULT_ORG_ID)
    return reg


def replica(root: Path, compiled: dict[str, Path], reg: Registration) -> dict[str, str]:
    """The repository (two commits, the secret in the first) and Maven's target/classes; its commits."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Connector Dev")
    write(root, "pom.xml", POM.format(version=VERSION, sdk=SDK_JAR))
    write(root, ".gitignore", "target/\n")
    write(root, "ui/adapter.json", json.dumps(adapter(), indent=2) + "\n")
    for icon in ("dropbox-endpoint.svg", "dropbox-activity.svg"):
        write(root, f"assets/images/{icon}", f"<svg><title>{icon}</title></svg>\n")
    for name, text in SOURCES["connector"].items():
        write(root, f"src/main/java/{name}", text)
    write(root, TEMPLATE_PATH, hand_manifest(reg))
    (root / "lib").mkdir()
    shutil.copy(compiled["sdk"], root / "lib" / SDK_JAR)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Add the Dropbox connector")
    first = git(root, "rev-parse", "HEAD")
    write(root, "ui/adapter.json", json.dumps(adapter("Fetch a file"), indent=2) + "\n")
    git(root, "commit", "-q", "-am", "Describe the fetch activity")
    maven_early_phases(root, compiled)
    return {"secret": first, "head": git(root, "rev-parse", "HEAD")}


def maven_early_phases(root: Path, compiled: dict[str, Path]) -> None:
    """What `mvn prepare-package` leaves in target/classes: classes, resources, copy-dependencies."""
    classes = root / "target" / "classes"
    shutil.copytree(compiled["connector"], classes)
    shutil.copy(root / "ui" / "adapter.json", classes / "adapter.json")
    shutil.copytree(root / "assets", classes / "assets")
    shutil.copytree(root / "src" / "main" / "resources" / "META-INF", classes / "META-INF")
    (classes / "lib").mkdir()
    shutil.copy(compiled["dependency"], classes / "lib" / DEPENDENCY_JAR)


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}
    env.pop("SOURCE_DATE_EPOCH", None)
    return {**env, **extra}


def init(root: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hatch_harmony.cli", "init", "--project", str(root), *args],
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def build_jar(root: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root, .git included, with its bytes and mode."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def maven_jar_files(root: Path) -> set[str]:
    """The files maven-jar-plugin packs: target/classes and the manifest it writes.

    (Its META-INF/maven/ descriptor is Maven's build metadata, not part of a connector.)
    """
    classes = root / "target" / "classes"
    return {p.relative_to(classes).as_posix() for p in classes.rglob("*") if p.is_file()} | {
        "META-INF/MANIFEST.MF"
    }


def assert_no_secret(texts: Mapping[str, str | bytes], reg: Registration) -> None:
    for where, text in texts.items():
        data = text.encode() if isinstance(text, str) else text
        assert reg.key.encode() not in data, f"the key is in {where}"
        assert reg.secret.encode() not in data, f"the secret is in {where}"


def committable(root: Path) -> dict[str, bytes]:
    """Tracked files and the ones `git add .` would add: none may hold a secret."""
    listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    return {path: (root / path).read_bytes() for path in listed if (root / path).is_file()}


def test_init_then_a_jar_build_adopts_with_two_requests_and_ships_the_old_ids(
    tmp_path: Path, api: RawApi, emulator: Emulator, compiled: dict[str, Path]
) -> None:
    reg = registered_by_hand(api, emulator)
    root = tmp_path / "dropbox-connector"
    commits = replica(root, compiled, reg)
    template_before = (root / TEMPLATE_PATH).read_bytes()
    env = harmony_env(emulator)

    done = init(root, env, "--json")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert_no_secret({"stdout": done.stdout, "stderr": done.stderr}, reg)
    report = json.loads(done.stdout)
    assert report["adoption"]["action"] == "adopted"
    assert report["requests"] == 2
    assert emulator.counts()["login"] == 1 and emulator.counts()["list"] == 1
    start = int(reg.function_entity_start_id)
    assert report["adoption"]["activities"] == {n: start + HAND_ORDER[n] for n in ACTIVITIES}
    # The report names the commit that held the secret (and which file), never its value.
    (held,) = report["secrets"]["commits"]
    assert held["commit"] == commits["secret"] and held["subject"] == "Add the Dropbox connector"
    assert held["paths"] == [TEMPLATE_PATH]
    assert held["attributes"] == ["Jitterbit-Connector-Key", "Jitterbit-Connector-Secret"]
    assert report["secrets"]["trackedNow"] == []
    assert report["next"] == ["mvn prepare-package", "hatch build -t jar"]

    built = build_jar(root, env)

    assert built.returncode == 0, built.stderr
    assert "offline" in built.stdout + built.stderr  # the lock and the generated manifest: no request
    counts = emulator.counts()
    assert sum(counts.values()) == 2 and counts["register"] == 0
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    with zipfile.ZipFile(root / "dist" / JAR) as jar:
        names = {n for n in jar.namelist() if not n.endswith("/")}
        shipped = Manifest.parse(jar.read("META-INF/MANIFEST.MF")).main
    # The entries Maven's jar would hold, by name (the SDK is in none of them: system scope).
    assert names == maven_jar_files(root)
    assert not any("jitterbit-connector-sdk" in n for n in names)
    assert shipped.get("Class-Path") == f"lib/{DEPENDENCY_JAR}"  # the stale entries are dropped
    # The original ids, and the key and secret Harmony holds.
    assert shipped.get("Jitterbit-Connector-Endpoint-EntityTypeId") == reg.endpoint_entity_id
    ids = {a.rsplit("-", 1)[-1]: int(v) for a, v in shipped.items() if a.startswith("Jitterbit-Activity-")}
    assert ids == {n: start + HAND_ORDER[n] for n in ACTIVITIES}
    assert shipped.get("Jitterbit-Connector-Key") == reg.key
    assert shipped.get("Jitterbit-Connector-Secret") == reg.secret
    # One version to bump: the project's (the pom's), not the template's literal, with one notice naming both.
    assert shipped.get("Author") == "Jitterbit" and shipped.get("Version") == VERSION
    assert f"says Version: 3.0.2, the project version is {VERSION}" in built.stdout + built.stderr
    (entry,) = read_lock(root / "harmony.lock").entries
    assert entry.connector_id == reg.id and entry.activities == ids

    # No file git tracks, or would add, holds the secret; the template changed only in its two values.
    assert_no_secret(committable(root), reg)
    template_after = (root / TEMPLATE_PATH).read_bytes()
    changed = [
        (old, new)
        for old, new in zip(template_before.splitlines(), template_after.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [
        (f"Jitterbit-Connector-Key: {reg.key}".encode(), b"Jitterbit-Connector-Key: ****"),
        (f"Jitterbit-Connector-Secret: {reg.secret}".encode(), b"Jitterbit-Connector-Secret: *****"),
    ]
    assert git(root, "check-ignore", "build/harmony/MANIFEST.MF") == "build/harmony/MANIFEST.MF"


def test_the_report_names_the_commit_without_the_value_and_dry_run_changes_no_byte(
    tmp_path: Path, api: RawApi, emulator: Emulator, compiled: dict[str, Path]
) -> None:
    reg = registered_by_hand(api, emulator)
    root = tmp_path / "dropbox-connector"
    commits = replica(root, compiled, reg)
    before = snapshot(root)

    done = init(root, harmony_env(emulator), "--dry-run")

    assert done.returncode == 0, done.stderr
    assert snapshot(root) == before
    assert sum(emulator.counts().values()) == 0
    assert_no_secret({"stdout": done.stdout, "stderr": done.stderr}, reg)
    out = done.stdout
    assert "nothing was changed" in out
    assert f"{commits['secret'][:12]} 2019-05-01 'Add the Dropbox connector': {TEMPLATE_PATH}" in out
    assert commits["head"][:12] not in out
    assert "filter-repo" in out and "new activity ids" in out
    assert f"{TEMPLATE_PATH}: edit: key and secret replaced by placeholders" in out
    assert "pyproject.toml: create: add [build-system], [project]" in out
    # It ends with the two commands to run next.
    assert out.splitlines()[-2:] == ["  mvn prepare-package", "  hatch build -t jar"]


def test_a_second_run_changes_nothing(
    tmp_path: Path, api: RawApi, emulator: Emulator, compiled: dict[str, Path]
) -> None:
    reg = registered_by_hand(api, emulator)
    root = tmp_path / "dropbox-connector"
    replica(root, compiled, reg)
    env = harmony_env(emulator)
    assert init(root, env).returncode == 0
    before = snapshot(root)
    emulator.reset_counts()

    again = init(root, env, "--json")

    assert again.returncode == 0, again.stderr
    assert snapshot(root) == before
    report = json.loads(again.stdout)
    assert report["changes"] == [] and report["requests"] == 0
    assert report["adoption"]["action"] == "offline"
    assert sum(emulator.counts().values()) == 0


def test_offline_init_leaves_the_adoption_to_the_first_build(
    tmp_path: Path, api: RawApi, emulator: Emulator, compiled: dict[str, Path]
) -> None:
    reg = registered_by_hand(api, emulator)
    root = tmp_path / "dropbox-connector"
    replica(root, compiled, reg)

    done = init(root, harmony_env(emulator), "--offline", "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["adoption"]["action"] == "skipped" and report["requests"] == 0
    assert "adopt-or-register (2-3 requests)" in report["firstBuild"]
    assert not (root / "harmony.lock").exists()
    assert sum(emulator.counts().values()) == 0

    built = build_jar(root, harmony_env(emulator))

    assert built.returncode == 0, built.stderr
    assert "adopted 'Dropbox'" in built.stdout + built.stderr
    counts = emulator.counts()
    assert sum(counts.values()) == 2 and counts["register"] == 0
    with zipfile.ZipFile(root / "dist" / JAR) as jar:
        shipped = Manifest.parse(jar.read("META-INF/MANIFEST.MF")).main
    start = int(reg.function_entity_start_id)
    assert {
        a.rsplit("-", 1)[-1]: int(v) for a, v in shipped.items() if a.startswith("Jitterbit-Activity-")
    } == {n: start + HAND_ORDER[n] for n in ACTIVITIES}
    assert_no_secret(committable(root), reg)


EXAMPLE = Path(__file__).resolve().parents[2] / "example_connector"


def test_init_new_scaffolds_a_project_that_builds_against_the_emulator(
    tmp_path: Path, emulator: Emulator
) -> None:
    """`init --new "Weather"` in a fresh `git init`: its own next commands compile and build (3 requests)."""
    if shutil.which("javac") is None:
        pytest.skip("javac not found: the scaffold's Java source is compiled (install a JDK)")
    root = tmp_path / "weather"
    root.mkdir()
    git(root, "init", "-q")

    done = init(root, {}, "--new", "Weather", "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    java = [
        f"src/main/java/com/example/weather/{cls}.java"
        for cls in ("WeatherConnector", "WeatherConnection", "ActivitySupport", "QueryActivity")
    ]
    assert report["files"] == sorted(
        [".gitignore", "MANIFEST.MF.in", "adapter.json", "pyproject.toml", *java]
    )
    assert report["sdkStandIn"] == "lib/jitterbit-connector-sdk-0.0.0-stand-in.jar"
    assert report["requests"] == 0 and report["next"][1] == "hatch build -t jar"
    # The repository's example (the demo's connector) has the same shape: it could come from this.
    for path in report["files"]:
        assert path == ".gitignore" or (EXAMPLE / path).is_file(), path
    ours = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    example = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    for table in (("hooks", "harmony", "manifest-template"), ("targets", "jar", "classes")):
        assert get(ours, table) == get(example, table)

    compiled = subprocess.run(
        ["bash", "-c", report["next"][0]], cwd=root, capture_output=True, text=True, check=False
    )
    assert compiled.returncode == 0, compiled.stderr
    built = build_jar(root, harmony_env(emulator))

    assert built.returncode == 0, built.stderr
    assert sum(emulator.counts().values()) == 3 and emulator.counts()["register"] == 1
    with zipfile.ZipFile(root / "dist" / "weather-connector-1.0.0.jar") as jar:
        names = set(jar.namelist())
        shipped = Manifest.parse(jar.read("META-INF/MANIFEST.MF")).main
    assert {"adapter.json", "com/example/weather/WeatherConnector.class"} <= names
    assert not [n for n in names if n.startswith("org/jitterbit/") or "jitterbit-connector-sdk" in n]
    (reg,) = emulator.registrations(DEFAULT_ORG_ID)
    assert (reg.name, reg.version) == ("Weather", "1.0.0")
    assert shipped.get("Jitterbit-Connector-Key") == reg.key
    assert shipped.get("Jitterbit-Activity-EntityTypeId-query") == str(int(reg.function_entity_start_id))
    assert git(root, "status", "--porcelain", "--ignored", "build") == "!! build/"

    again = init(root, {}, "--new", "Weather")
    assert again.returncode == 2
    assert "is not empty" in again.stderr and "Traceback" not in again.stderr


def get(data: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    current: Any = data["tool"]["hatch"]["build"]
    for key in keys:
        current = current[key]
    return current
