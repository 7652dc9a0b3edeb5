"""`hatch-harmony init` across the layouts connector repositories have, and what it refuses to guess.

Each layout is made by the test; init runs in-process (`cli.main`), offline unless the test
says otherwise. A layout init can read gets the right tables; anything it cannot decide is
exit 2 with one message naming the file, the key and the option, and no byte changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.cli import main
from hatch_harmony.emulator import Emulator
from tests.plugins.emulator import RawApi, harmony_env

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PLACEHOLDER_MANIFEST = (
    "Jitterbit-Connector-Key: ****\nJitterbit-Connector-Secret: *****\n"
    "Jitterbit-Connector-Endpoint-EntityTypeId: \nJitterbit-Connector-UI: adapter.json\n"
)
ADAPTER = {"name": "Weather", "version": "2.1.0", "endpoint": {}, "activities": {"query": {}}}


@pytest.fixture(autouse=True)
def _no_harmony_variables(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("HARMONY_"):
            monkeypatch.delenv(name)
    yield


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def init(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["init", "--project", str(root), "--json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def pom(body: str, *, namespace: bool = True, version: str = "1.4.0") -> str:
    xmlns = ' xmlns="http://maven.apache.org/POM/4.0.0"' if namespace else ""
    return (
        f'<?xml version="1.0"?>\n<project{xmlns}>\n  <modelVersion>4.0.0</modelVersion>\n'
        f"  <groupId>com.example</groupId>\n  <artifactId>weather-connector</artifactId>\n"
        f"  <version>{version}</version>\n{body}</project>\n"
    )


def test_no_pom_finds_the_usual_folders_appends_to_pyproject_and_builds_under_every_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], emulator: Emulator
) -> None:
    """adapter.json, MANIFEST.MF, assets/, lib/ and build/classes; a pyproject.toml of another tool (CRLF)."""
    old_pyproject = b"[tool.ruff]\r\nline-length = 100\r\n"
    root = write(
        tmp_path / "weather",
        {
            "adapter.json": json.dumps(ADAPTER),
            "MANIFEST.MF": PLACEHOLDER_MANIFEST,
            "assets/icon.svg": "<svg/>",
            "lib/textutil-1.2.jar": b"PK\x05\x06" + bytes(18),
            "build/classes/com/example/Weather.class": b"\xca\xfe\xba\xbe",
            "pyproject.toml": old_pyproject,
        },
    )

    code, report, _ = init(root, capsys, "--offline")

    assert code == 0
    after = (root / "pyproject.toml").read_bytes()
    assert after.startswith(old_pyproject)  # not a byte lost
    assert b"\n" not in after.replace(b"\r\n", b"")  # its own line breaks kept
    data = tomllib.loads(after.decode())
    harmony = data["tool"]["hatch"]["build"]
    assert harmony["hooks"]["harmony"] == {"adapter": "adapter.json", "manifest-template": "MANIFEST.MF"}
    assert harmony["targets"]["jar"] == {"classes": "build/classes", "lib": "lib", "assets": ["assets"]}
    assert harmony["targets"]["wheel"] == {"bypass-selection": True}
    assert data["project"] == {"name": "weather-connector", "version": "2.1.0"}
    assert data["tool"]["ruff"] == {"line-length": 100}
    assert report["next"][0] == "javac -d build/classes $(find . -name '*.java')"
    assert report["secrets"]["inGit"] is False

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}
    built = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-t", "wheel", "-t", "jar"],
        cwd=root,
        env={**env, **harmony_env(emulator)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert sum(emulator.counts().values()) == 3  # registered once (nothing to adopt), then the lock
    (wheel_path,) = (root / "dist").glob("weather_connector-2.1.0-*.whl")
    with zipfile.ZipFile(wheel_path) as wheel:
        assert all(".dist-info/" in name for name in wheel.namelist())
    with zipfile.ZipFile(root / "dist" / "weather-connector-2.1.0.jar") as jar:
        assert {"assets/icon.svg", "lib/textutil-1.2.jar", "com/example/Weather.class"} <= set(jar.namelist())


def test_a_pom_without_namespace_with_properties_a_parent_and_outside_dependencies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = """
  <parent><groupId>com.example</groupId><artifactId>parent</artifactId><version>9</version></parent>
  <properties><manifest.dir>src/main/manifest</manifest.dir></properties>
  <build>
    <plugins>
      <plugin><artifactId>maven-dependency-plugin</artifactId><executions><execution>
        <goals><goal>copy-dependencies</goal></goals>
      </execution></executions></plugin>
      <plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive>
        <manifestFile>${manifest.dir}/MANIFEST.MF</manifestFile>
      </archive></configuration></plugin>
    </plugins>
  </build>
  <profiles><profile><id>ci</id><build><finalName>x</finalName></build></profile></profiles>
"""
    root = write(
        tmp_path / "weather",
        {
            "pom.xml": pom(body, namespace=False),
            "src/main/resources/adapter.json": json.dumps(ADAPTER),  # Maven's default resource folder
            "src/main/manifest/MANIFEST.MF": PLACEHOLDER_MANIFEST,
            "src/main/resources/META-INF/MANIFEST.MF": PLACEHOLDER_MANIFEST,  # the pom names the other
        },
    )

    code, report, _ = init(root, capsys, "--offline")

    assert code == 0
    layout = report["layout"]
    assert layout["manifestTemplate"] == "src/main/manifest/MANIFEST.MF"
    assert layout["adapter"] == "src/main/resources/adapter.json"
    assert layout["classes"] == "target/classes" and layout["lib"] is None
    assert layout["project"] == {"name": "weather-connector", "version": "1.4.0"}
    notes = " ".join(layout["notes"])
    assert "<parent>" in notes and "profiles" in notes
    assert "target/dependency, outside target/classes" in notes and "--lib target/dependency" in notes
    assert report["next"][0] == "mvn compile"


def test_gradle_and_a_ui_file_named_by_the_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(
        tmp_path / "weather",
        {
            "build.gradle": "plugins { id 'java' }\n",
            "ui/weather-ui.json": json.dumps(ADAPTER),
            "src/main/resources/META-INF/MANIFEST.MF": PLACEHOLDER_MANIFEST.replace(
                "adapter.json", "weather-ui.json"
            ),
        },
    )

    args = ("--offline", "--adapter", "ui/weather-ui.json", "--region", "emea", "--org-id", "12345")
    code, report, _ = init(root, capsys, *args)

    assert code == 0
    hook = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["hooks"]["harmony"]
    assert hook == {
        "adapter": "ui/weather-ui.json",
        "manifest-template": "src/main/resources/META-INF/MANIFEST.MF",
        "ui-file": "weather-ui.json",
        "region": "emea",
        "org-id": "12345",
    }
    assert report["layout"]["classes"] == "build/classes/java/main"
    assert report["next"][0] == "gradle classes"


MAVEN_ADAPTER = {"ui/adapter.json": json.dumps(ADAPTER)}
UI_RESOURCES = "<build><resources><resource><directory>ui</directory></resource></resources></build>\n"

REFUSED: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "malformed pom": (
        {"pom.xml": "<project><build></project>\n", **MAVEN_ADAPTER},
        ["pom.xml: not well-formed XML (line 1, column", "mvn validate"],
    ),
    "not a pom": ({"pom.xml": "<settings/>\n", **MAVEN_ADAPTER}, ["pom.xml: the root element is <settings>"]),
    "unknown property": (
        {
            "pom.xml": pom(
                "<build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive>"
                "<manifestFile>${where}/MANIFEST.MF</manifestFile></archive></configuration></plugin></plugins>"
                "</build>\n"
            ),
            **MAVEN_ADAPTER,
        },
        [
            "pom.xml: maven-jar-plugin's <archive><manifestFile> is '${where}/MANIFEST.MF'",
            "--manifest-template PATH",
        ],
    ),
    "missing manifestFile": (
        {
            "pom.xml": pom(
                "<build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive>"
                "<manifestFile>META-INF/MANIFEST.MF</manifestFile></archive></configuration></plugin></plugins>"
                "</build>\n"
            ),
            **MAVEN_ADAPTER,
        },
        ["<manifestFile> is META-INF/MANIFEST.MF, which does not exist", "--manifest-template"],
    ),
    "two manifests": (
        {
            "adapter.json": json.dumps(ADAPTER),
            "MANIFEST.MF": PLACEHOLDER_MANIFEST,
            "META-INF/MANIFEST.MF": PLACEHOLDER_MANIFEST,
            "classes/A.class": b"\xca\xfe",
        },
        ["several connector manifests: META-INF/MANIFEST.MF, MANIFEST.MF", "--manifest-template PATH"],
    ),
    "a template outside the project": (
        {"pom.xml": pom(UI_RESOURCES), **MAVEN_ADAPTER, "../MANIFEST.MF": PLACEHOLDER_MANIFEST},
        ["--manifest-template: ../MANIFEST.MF is not a file of the project"],
    ),
    "no adapter": (
        {"pom.xml": pom(UI_RESOURCES)},
        ["no adapter.json found in pom.xml's resource", "--adapter"],
    ),
    "no classes": ({"adapter.json": json.dumps(ADAPTER)}, ["compiled classes", "--classes DIR"]),
    "snapshot version": (
        {"pom.xml": pom(UI_RESOURCES, version="1.0.0-SNAPSHOT"), **MAVEN_ADAPTER},
        ["pom.xml <version>: '1.0.0-SNAPSHOT' is not a Python (PEP 440) version", "--project-version"],
    ),
    "jars in lib that Maven does not bundle": (
        {"pom.xml": pom(UI_RESOURCES), **MAVEN_ADAPTER, "lib/vendor-api.jar": b"PK"},
        ["lib/ holds vendor-api.jar, which Maven's jar does not bundle", "--lib lib"],
    ),
    "malformed template": (
        {
            "adapter.json": json.dumps(ADAPTER),
            "MANIFEST.MF": "Jitterbit-Connector-Key ****\n",
            "classes/A.class": b"\xca\xfe",
        },
        ["MANIFEST.MF, line 1"],
    ),
    "malformed adapter": ({"pom.xml": pom(UI_RESOURCES), "ui/adapter.json": "{"}, ["ui/adapter.json"]),
    "a differing table": (
        {
            "pom.xml": pom(UI_RESOURCES),
            **MAVEN_ADAPTER,
            "pyproject.toml": '[tool.hatch.build.targets.jar]\nclasses = "out"\n',
        },
        ['[tool.hatch.build.targets.jar] classes = "out" (init: "target/classes")', "changed no file"],
    ),
    "a setuptools table": (
        {
            "pom.xml": pom(UI_RESOURCES),
            **MAVEN_ADAPTER,
            "pyproject.toml": '[tool.hatch-harmony]\norg-id = "1"\n',
        },
        ["[tool.hatch-harmony] already configures hatch-harmony"],
    ),
    "an inline table in the way": (
        {
            "pom.xml": pom(UI_RESOURCES),
            **MAVEN_ADAPTER,
            "pyproject.toml": '[tool.hatch.build]\ntargets = { sdist = { include = ["src"] } }\n',
        },
        ["another way (dotted keys or an inline table)", "[tool.hatch.build.targets.jar]"],
    ),
    "broken pyproject": (
        {"pom.xml": pom(UI_RESOURCES), **MAVEN_ADAPTER, "pyproject.toml": "[project\n"},
        ["pyproject.toml is not valid TOML"],
    ),
}


EXTRA_ARGS = {"a template outside the project": ("--manifest-template", "../MANIFEST.MF")}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_init_cannot_decide_or_read_is_one_message_and_no_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    files, expected = REFUSED[case]
    root = write(tmp_path / "connector", files)
    before = snapshot(root)

    code, report, err = init(root, capsys, "--offline", *EXTRA_ARGS.get(case, ()))

    assert code == 2
    assert report["exitCode"] == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 12
    for text in expected:
        assert text in report["error"], report["error"]
    assert snapshot(root) == before


def test_an_empty_folder_points_to_new_and_a_missing_one_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty" / ".git").mkdir(parents=True)
    code, report, _ = init(tmp_path / "empty", capsys)
    assert code == 2 and "is empty" in report["error"] and "init --new" in report["error"]
    code, report, _ = init(tmp_path / "missing", capsys)
    assert code == 2 and report["error"].startswith("--project: ") and "is not a folder" in report["error"]


def test_new_takes_no_layout_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = init(tmp_path, capsys, "--new", "Weather", "--adapter", "x.json")
    assert code == 2 and "--new makes a new project" in report["error"]
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_a_name_harmony_would_refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = init(tmp_path / "x", capsys, "--new", "Weather/Beta")
    assert code == 2 and report["error"].startswith("--new 'Weather/Beta': ")
    assert not (tmp_path / "x").exists()


def test_init_never_registers_and_names_the_version_harmony_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registered by hand as 3.0.2; the pom says 1.4.0 and adapter.json has no version: 2 requests."""
    api = RawApi(emulator)
    api.register(api.login(), name="Weather", version="3.0.2")
    emulator.reset_counts()
    no_version = {k: v for k, v in ADAPTER.items() if k != "version"}
    root = write(
        tmp_path / "weather",
        {
            "pom.xml": pom(UI_RESOURCES),
            "ui/adapter.json": json.dumps(no_version),
            "MANIFEST.MF": PLACEHOLDER_MANIFEST,
        },
    )
    for name, value in harmony_env(emulator).items():
        monkeypatch.setenv(name, value)

    code, report, _ = init(root, capsys)

    assert code == 0
    assert report["adoption"]["action"] == "not-registered" and report["requests"] == 2
    assert "'Weather' 1.4.0 is not registered in org" in report["adoption"]["reason"]
    assert "--project-version 3.0.2" in report["adoption"]["reason"]
    assert emulator.counts()["register"] == 0 and len(emulator.registrations()) == 1
    assert not (root / "harmony.lock").exists()
