"""Jitterbit's own connector layout, built by `hatch build -t jar`.

A replica of jitterbit/dropbox-connector as Maven leaves it after `mvn package`'s early phases,
made by the test itself (no pom, no Maven: the tests must run without it):

    ui/adapter.json                              the UI file (Maven's `ui` resource folder)
    assets/images/*.svg                          icons (resource folder, `targetPath assets`)
    src/main/resources/META-INF/MANIFEST.MF      the committed template: placeholders, empty ids,
                                                 a ten-jar Class-Path continued over lines
    lib/jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar   the SDK, a system-scope (provided) dependency
    target/classes/                              compiled classes, Maven's copies of adapter.json,
                                                 assets/ and META-INF/MANIFEST.MF, and
    target/classes/lib/textutil-1.2.jar          copy-dependencies' output: the one bundled dependency

The connector class implements an SDK interface and uses the dependency in its static
initializer, so loading it proves both class paths: the bundled dependency through the jar's
Class-Path, the SDK through the agent. Every jar here is compiled with javac and packed by
the test. The build is the real `-t jar` target with the real `harmony` hook against the
emulator (3 requests: login, list, register).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator
from hatch_harmony.jar.archive import DEFAULT_EPOCH, JarEntry, write_jar
from tests.plugins.java import AgentLoader, JavaManifestReader

SDK_JAR = "jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar"
DEPENDENCY_JAR = "textutil-1.2.jar"
CONNECTOR_CLASS = "com.example.dropbox.DropboxConnector"
DEPENDENCY_CLASS = "com.example.textutil.Shout"
SDK_CLASS = "org.jitterbit.connector.sdk.Connector"
JAR = "dropbox-connector-3.0.2.jar"

SOURCES = {
    "dependency": {
        "com/example/textutil/Shout.java": (
            "package com.example.textutil;\n\n"
            "public final class Shout {\n"
            "    private Shout() {}\n\n"
            "    public static String loud(String text) {\n"
            '        return text.toUpperCase(java.util.Locale.ROOT) + "!";\n'
            "    }\n}\n"
        ),
    },
    "sdk": {  # a stand-in for the Jitterbit connector SDK: an interface connectors implement
        "org/jitterbit/connector/sdk/Connector.java": (
            "package org.jitterbit.connector.sdk;\n\npublic interface Connector {\n    String getName();\n}\n"
        ),
    },
    "connector": {
        "com/example/dropbox/DropboxConnector.java": (
            "package com.example.dropbox;\n\n"
            "import com.example.textutil.Shout;\n"
            "import org.jitterbit.connector.sdk.Connector;\n\n"
            "public final class DropboxConnector implements Connector {\n"
            "    // Not a constant: computed by the static initializer, which needs the dependency.\n"
            '    public static final String NAME = Shout.loud("dropbox");\n\n'
            "    @Override\n"
            "    public String getName() {\n"
            "        return NAME;\n"
            "    }\n}\n"
        ),
        "com/example/dropbox/DropboxConstants.java": (
            "package com.example.dropbox;\n\n"
            "final class DropboxConstants {\n"
            '    static final String ROOT = "/";\n\n'
            "    private DropboxConstants() {}\n}\n"
        ),
    },
}

ADAPTER = {
    "name": "Dropbox Replica",
    "version": "3.0.2",
    "endpoint": {"displayName": "Dropbox Replica", "properties": []},
    "activities": {key: {"displayName": key.title()} for key in ("fetch", "put", "process", "get")},
}

#: The shape of Jitterbit's committed sample manifest: no Manifest-Version, placeholders, empty
#: ids, LF line breaks and a Class-Path of ten jars continued over indented lines, of which
#: the pom bundles one.
NOT_SHIPPED = (
    "lib/jackson-core-2.8.6.jar",
    "lib/jackson-databind-2.8.5.jar",
    "lib/jackson-annotations-2.8.5.jar",
    "lib/commons-discovery-0.5.jar",
    "lib/commons-logging-1.2.jar",
    "lib/gson-2.3.jar",
    "lib/commons-io-2.6.jar",
    "lib/guava-19.0.jar",
    "lib/log4j-1.2.17.jar",
)
TEMPLATE = (
    "Author: Jitterbit\n"
    "Version: 3.0.2\n"
    "Jitterbit-Connector-Key: ****\n"
    "Jitterbit-Connector-Secret: *****\n"
    "Jitterbit-Connector-Endpoint-EntityTypeId: \n"
    "Jitterbit-Activity-EntityTypeId-fetch: \n"
    "Jitterbit-Activity-EntityTypeId-put: \n"
    "Jitterbit-Activity-EntityTypeId-process: \n"
    "Jitterbit-Activity-EntityTypeId-get: \n"
    "Jitterbit-Connector-UI: adapter.json\n"
    f"Class-Path: lib/{DEPENDENCY_JAR}\n" + "".join(f"            {jar}\n" for jar in NOT_SHIPPED) + "\n"
)

PYPROJECT = """\
[build-system]
requires = ["hatchling", "hatch-harmony"]
build-backend = "hatchling.build"

[project]
name = "dropbox-connector"
version = "3.0.2"

[tool.hatch.build.hooks.harmony]
adapter = "ui/adapter.json"
manifest-template = "src/main/resources/META-INF/MANIFEST.MF"

[tool.hatch.build.targets.jar]
classes = "target/classes"
lib = "lib"
assets = ["assets"]
{jar_options}
"""


def _javac(sources: dict[str, str], out: Path, *class_path: Path) -> Path:
    src = out.parent / f"{out.name}-src"
    for name, text in sources.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")
    cp = ["-cp", os.pathsep.join(str(p) for p in class_path)] if class_path else []
    files = [str(src / name) for name in sources]
    subprocess.run(["javac", "--release", "11", *cp, "-d", str(out), *files], check=True, timeout=120)
    return out


def _pack(classes: Path, jar: Path) -> Path:
    """A plain library jar: manifest first (as `jar` writes it), then the class files."""
    with zipfile.ZipFile(jar, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: tests\r\n\r\n")
        for path in sorted(classes.rglob("*.class")):
            archive.write(path, path.relative_to(classes).as_posix())
    return jar


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The dependency jar, the SDK jar and the connector's classes, compiled once for the module."""
    if shutil.which("javac") is None:
        pytest.skip("javac not found: the Maven-layout tests compile Java (install a JDK)")
    base = tmp_path_factory.mktemp("dropbox-java")
    dependency = _pack(_javac(SOURCES["dependency"], base / "dependency"), base / DEPENDENCY_JAR)
    sdk = _pack(_javac(SOURCES["sdk"], base / "sdk"), base / SDK_JAR)
    connector = _javac(SOURCES["connector"], base / "connector", dependency, sdk)
    return {"dependency": dependency, "sdk": sdk, "connector": connector}


def dropbox_replica(root: Path, compiled: dict[str, Path], *, jar_options: str = "") -> Path:
    """The dropbox-connector layout as Maven's resources, compile and copy-dependencies leave it."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT.format(jar_options=jar_options), encoding="utf-8")
    (root / ".gitignore").write_text("build/\ntarget/\ndist/\n.harmony.lock.*\n", encoding="utf-8")
    (root / "ui").mkdir()
    (root / "ui" / "adapter.json").write_text(json.dumps(ADAPTER, indent=2) + "\n", encoding="utf-8")
    for icon in ("dropbox-endpoint.svg", "dropbox-activity.svg"):
        (root / "assets" / "images").mkdir(parents=True, exist_ok=True)
        (root / "assets" / "images" / icon).write_text(
            f"<svg><title>{icon}</title></svg>\n", encoding="utf-8"
        )
    template = root / "src" / "main" / "resources" / "META-INF" / "MANIFEST.MF"
    template.parent.mkdir(parents=True)
    template.write_text(TEMPLATE, encoding="utf-8", newline="\n")
    (root / "lib").mkdir()
    shutil.copy(compiled["sdk"], root / "lib" / SDK_JAR)

    classes = root / "target" / "classes"
    shutil.copytree(compiled["connector"], classes)
    shutil.copy(root / "ui" / "adapter.json", classes / "adapter.json")  # resource folder `ui`
    shutil.copytree(root / "assets", classes / "assets")  # resource folder `assets`, targetPath assets
    shutil.copytree(template.parent, classes / "META-INF")  # src/main/resources
    (classes / "lib").mkdir()
    shutil.copy(compiled["dependency"], classes / "lib" / DEPENDENCY_JAR)  # copy-dependencies
    return root


def build_jar(root: Path, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(HARMONY_URL=emulator.url, HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD)
    return subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def bundled_lib_jars(names: list[str]) -> list[str]:
    return sorted(n for n in names if n.startswith("lib/") and n.endswith(".jar") and "/" not in n[4:])


def test_dropbox_layout_jar_is_strict_lists_its_bundled_jars_and_loads_like_an_agent(
    tmp_path: Path,
    emulator: Emulator,
    compiled: dict[str, Path],
    java_manifest: JavaManifestReader,
    java_agent_load: AgentLoader,
) -> None:
    root = dropbox_replica(tmp_path / "dropbox-connector", compiled)
    done = build_jar(root, emulator)
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert sum(emulator.counts().values()) == 3  # login, list, register: a fresh connector
    jar = root / "dist" / JAR

    # Java's strict reader (JarInputStream) finds the manifest; JarFile agrees (checked by the fixture).
    read = java_manifest(jar)
    assert read["manifestFirst"] is True
    main = read["main"]
    assert main["Manifest-Version"] == "1.0"
    assert main["Jitterbit-Connector-UI"] == "adapter.json"
    assert main["Author"] == "Jitterbit"

    # Class-Path: exactly the bundled lib/*.jar (the dependency Maven copied into target/classes/lib).
    names = read["entries"]
    assert main["Class-Path"].split(" ") == bundled_lib_jars(names) == [f"lib/{DEPENDENCY_JAR}"]
    # The SDK is provided by the agent: not in the jar, from no source.
    assert not [n for n in names if "jitterbit-connector-sdk" in n]
    # Maven's copies of the resources ship once, the template's copy not at all.
    files = sorted(n for n in names if not n.endswith("/"))
    assert files == [
        "META-INF/MANIFEST.MF",
        "adapter.json",
        "assets/images/dropbox-activity.svg",
        "assets/images/dropbox-endpoint.svg",
        "com/example/dropbox/DropboxConnector.class",
        "com/example/dropbox/DropboxConstants.class",
        f"lib/{DEPENDENCY_JAR}",
    ]
    with zipfile.ZipFile(jar) as archive:
        assert archive.read(f"lib/{DEPENDENCY_JAR}") == compiled["dependency"].read_bytes()
        assert archive.read("adapter.json") == (root / "ui" / "adapter.json").read_bytes()

    # One warning naming the nine template entries that are not shipped, one note for the SDK.
    dropped = [line for line in output.splitlines() if "Class-Path: dropped" in line]
    assert len(dropped) == 1
    assert "dropped 9 template entries" in dropped[0]
    assert all(entry in dropped[0] for entry in NOT_SHIPPED)
    assert f"lib/{DEPENDENCY_JAR}" not in dropped[0]
    sdk_lines = [line for line in output.splitlines() if SDK_JAR in line]
    assert len(sdk_lines) == 1
    assert f"not bundled: lib/{SDK_JAR}" in sdk_lines[0]
    assert "bundle-sdk = true" in sdk_lines[0]

    # The agent's view: the connector jar + its Class-Path jars, the SDK from the agent itself.
    loaded = java_agent_load(
        jar, CONNECTOR_CLASS, DEPENDENCY_CLASS, SDK_CLASS, provided=root / "lib" / SDK_JAR
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines() == [
        f"loaded {CONNECTOR_CLASS} from connector",
        f"loaded {DEPENDENCY_CLASS} from lib/{DEPENDENCY_JAR}",
        f"loaded {SDK_CLASS} from provided",
    ]
    # Without the agent's SDK the connector cannot load: the jar really does not carry it.
    alone = java_agent_load(jar, CONNECTOR_CLASS)
    assert alone.returncode == 1
    assert "org/jitterbit/connector/sdk/Connector" in alone.stderr


def test_the_agent_check_fails_when_class_path_misses_the_bundled_dependency(
    tmp_path: Path, compiled: dict[str, Path], java_agent_load: AgentLoader
) -> None:
    """The control: the same entries without Class-Path (as jars were before it was written) do not load."""
    entries = [
        JarEntry.from_file(path.relative_to(compiled["connector"]).as_posix(), path)
        for path in sorted(compiled["connector"].rglob("*.class"))
    ]
    entries.append(JarEntry.from_file(f"lib/{DEPENDENCY_JAR}", compiled["dependency"]))
    manifest = b"Manifest-Version: 1.0\r\nJitterbit-Connector: true\r\n\r\n"
    jar = write_jar(tmp_path / "no-class-path.jar", manifest, entries, epoch=DEFAULT_EPOCH)
    done = java_agent_load(jar, CONNECTOR_CLASS, provided=compiled["sdk"])
    assert done.returncode == 1
    assert "com/example/textutil/Shout" in done.stderr
    assert done.stdout == ""


def test_bundle_sdk_true_bundles_the_sdk_on_class_path(
    tmp_path: Path,
    emulator: Emulator,
    compiled: dict[str, Path],
    java_manifest: JavaManifestReader,
    java_agent_load: AgentLoader,
) -> None:
    root = dropbox_replica(tmp_path / "dropbox-connector", compiled, jar_options="bundle-sdk = true")
    done = build_jar(root, emulator)
    assert done.returncode == 0, done.stderr
    assert "not bundled" not in done.stdout + done.stderr
    jar = root / "dist" / JAR
    read = java_manifest(jar)
    expected = [f"lib/{SDK_JAR}", f"lib/{DEPENDENCY_JAR}"]  # sorted
    assert read["main"]["Class-Path"].split(" ") == bundled_lib_jars(read["entries"]) == expected
    # No agent-provided SDK this time: the jar's own copy is found through Class-Path.
    loaded = java_agent_load(jar, CONNECTOR_CLASS, SDK_CLASS)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines() == [
        f"loaded {CONNECTOR_CLASS} from connector",
        f"loaded {SDK_CLASS} from lib/{SDK_JAR}",
    ]


def test_a_bad_bundle_sdk_value_is_one_message_naming_the_option(
    tmp_path: Path, emulator: Emulator, compiled: dict[str, Path]
) -> None:
    root = dropbox_replica(tmp_path / "dropbox-connector", compiled, jar_options='bundle-sdk = "yes"')
    done = build_jar(root, emulator)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    # The hook checks the jar table before it may register: a typo costs no registration.
    assert sum(emulator.counts().values()) == 0
    assert not (root / "harmony.lock").exists()
    assert (
        "tool.hatch.build.targets.jar.bundle-sdk: expected a boolean, got a string; "
        "write bundle-sdk = true (no quotes)" in done.stderr
    )
    assert not (root / "dist").exists() or not list((root / "dist").glob("*.jar"))
