"""After `init`, no Maven command builds a jar with placeholders (the old habit, `mvn package`).

init turns the committed manifest into a template with placeholders; a pom whose
maven-jar-plugin still packages it made `mvn package` exit 0 with `Jitterbit-Connector-Key:
****` in the jar, a jar every agent refuses. init now points `<manifestFile>` at the manifest
hatch-harmony generates (git-ignored): Maven fails loudly until it exists and ships the real
one after. A small connector in Jitterbit's Maven layout, real `mvn -o package` runs (the
offline repository holds the plugins pinned below), the CLI against the emulator on 127.0.0.1.
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

import pytest

from hatch_harmony.api.protocol import Registration
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.init.pom import read_pom
from hatch_harmony.jar_manifest import Manifest
from tests.plugins.emulator import RawApi, harmony_env

pytestmark = pytest.mark.skipif(shutil.which("mvn") is None, reason="mvn not found: the test runs Maven")

VERSION = "1.0.0"
TEMPLATE = "src/main/resources/META-INF/MANIFEST.MF"
GENERATED = "build/harmony/MANIFEST.MF"
JAR = f"tiny-connector-{VERSION}.jar"
#: Plugin versions the offline repository holds with their dependencies (benchmarks/maven.py pins the same).
POM = f"""\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>tiny-connector</artifactId>
  <version>{VERSION}</version>
  <packaging>jar</packaging>
  <properties>
    <maven.compiler.release>11</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.1</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>3.2.5</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-jar-plugin</artifactId>
        <version>3.4.1</version>
        <configuration>
          <archive>
            <manifestFile>{TEMPLATE}</manifestFile>
          </archive>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
"""
ADAPTER = {
    "name": "Tiny",
    "endpoint": {"displayName": "Tiny", "properties": []},
    "activities": {"fetch": {"displayName": "Fetch"}},
}


def hand_manifest(reg: Registration) -> str:
    return (
        "Manifest-Version: 1.0\n"
        f"Jitterbit-Connector-Key: {reg.key}\n"
        f"Jitterbit-Connector-Secret: {reg.secret}\n"
        f"Jitterbit-Connector-Endpoint-EntityTypeId: {reg.endpoint_entity_id}\n"
        f"Jitterbit-Activity-EntityTypeId-fetch: {reg.function_entity_start_id}\n"
        "Jitterbit-Connector-UI: adapter.json\n\n"
    )


def run(
    command: list[str], root: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}
    return subprocess.run(
        command,
        cwd=root,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def mvn_package(root: Path) -> subprocess.CompletedProcess[str]:
    return run(["mvn", "-o", "-q", "-B", "package"], root)


def cli(root: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "hatch_harmony.cli", *args, "--project", str(root)], root, env)


def connector(root: Path, reg: Registration) -> Path:
    """The Maven project as it was registered by hand: the key, secret and ids in its committed manifest."""
    files = {
        "pom.xml": POM,
        "src/main/java/com/example/Tiny.java": "package com.example;\n\npublic final class Tiny {}\n",
        "src/main/resources/adapter.json": json.dumps(ADAPTER, indent=2),
        TEMPLATE: hand_manifest(reg),
        ".gitignore": "target/\n",
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "The Tiny connector"]):
        run(
            ["git", "-c", "user.email=dev@example.com", "-c", "user.name=Dev", *args], root
        ).check_returncode()
    return root


def jar_manifest(root: Path) -> str:
    with zipfile.ZipFile(root / "target" / JAR) as jar:
        return jar.read("META-INF/MANIFEST.MF").decode()


def test_after_init_maven_fails_before_the_manifest_exists_and_ships_the_real_one_after(
    tmp_path: Path, api: RawApi, emulator: Emulator
) -> None:
    api.register(api.login(), name="Tiny", version=VERSION)
    (reg,) = emulator.registrations(DEFAULT_ORG_ID)
    root = connector(tmp_path / "tiny", reg)
    assert mvn_package(root).returncode == 0  # the old habit worked before init...
    shutil.rmtree(root / "target")

    done = cli(root, {}, "init", "--offline", "--json")

    assert done.returncode == 0, done.stderr
    (change,) = [c for c in json.loads(done.stdout)["changes"] if c["path"] == "pom.xml"]
    assert change["action"] == "edit"
    assert f"{TEMPLATE} -> {GENERATED}" in change["what"] and "placeholders" in change["what"]
    assert read_pom(root / "pom.xml").manifest_file == GENERATED
    assert run(["git", "check-ignore", GENERATED], root).returncode == 0

    before = mvn_package(root)  # ...and after init, Maven refuses rather than ship `****`
    assert before.returncode != 0
    assert "MANIFEST.MF" in before.stdout + before.stderr
    assert not (root / "target" / JAR).exists()

    assert cli(root, harmony_env(emulator), "manifest").returncode == 0
    after = mvn_package(root)

    assert after.returncode == 0, after.stdout + after.stderr
    shipped = Manifest.parse(jar_manifest(root).encode()).main
    assert shipped.get("Jitterbit-Connector-Key") == reg.key
    assert shipped.get("Jitterbit-Connector-Endpoint-EntityTypeId") == reg.endpoint_entity_id
    assert "****" not in jar_manifest(root)


def test_a_second_init_keeps_the_template_it_chose(tmp_path: Path, api: RawApi, emulator: Emulator) -> None:
    api.register(api.login(), name="Tiny", version=VERSION)
    (reg,) = emulator.registrations(DEFAULT_ORG_ID)
    root = connector(tmp_path / "tiny", reg)
    assert cli(root, {}, "init", "--offline").returncode == 0
    pom_after_init = (root / "pom.xml").read_bytes()

    again = cli(root, {}, "init", "--offline", "--json")

    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["layout"]["manifestTemplate"] == TEMPLATE
    assert report["changes"] == []
    assert (root / "pom.xml").read_bytes() == pom_after_init
