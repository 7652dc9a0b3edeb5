"""The README's connector configuration, as the README shows it, under every frontend.

The project is made from README.md itself, read by this test: the `toml` and `gitignore`
blocks of "A connector project" (in Configuration) become the project's pyproject.toml and
.gitignore, so the README cannot promise a configuration that does not build. Each frontend
builds it once, for real, in a subprocess, against the emulator (127.0.0.1 only):

* `hatch build` and `hatch build -t jar` run hatch itself. hatch normally installs the
  build requirements into its own `hatch-build` environment from an index; here its
  environment path is pointed at this venv (HATCH_ENV_TYPE_VIRTUAL_PATH), which already
  has hatchling and this hatch-harmony, so hatch installs nothing and needs no network
  (PIP_NO_INDEX and UV_OFFLINE make sure of it);
* `python -m build`, `uv build` and `pip wheel` run without build isolation, for the same
  reason: the hatch-harmony under test is the one installed here, not a release.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.jar.builder import jar_file_name
from hatch_harmony.jar_manifest import Manifest
from tests.artifacts import archive_members, assert_no_secret_in
from tests.markdown import read, section

ROOT = Path(__file__).resolve().parents[2]
SECTION = "### A connector project"  # in README's "Configuration"


def readme_sample() -> dict[str, str]:
    """The fenced blocks of the README's connector section, by language (toml, gitignore, sh)."""
    sample = section(read("README.md"), SECTION)
    blocks: dict[str, str] = {}
    for language, body in re.findall(r"^```(\w+)\n(.*?)^```", sample, flags=re.S | re.M):
        blocks.setdefault(language, body)
    assert {"toml", "gitignore", "sh"} <= set(blocks), f"the README's sample lost a block: {sorted(blocks)}"
    return blocks


SAMPLE = readme_sample()
PROJECT = re.search(r'^name = "(.+)"\nversion = "(.+)"$', SAMPLE["toml"], flags=re.M)
assert PROJECT is not None
NAME, VERSION = PROJECT.groups()
WHEEL_STEM = f"{NAME.replace('-', '_')}-{VERSION}"

#: What the README says the sdist holds: what git would track, never build/ (nor target/, dist/).
SDIST_FILES = {
    "PKG-INFO",
    "pyproject.toml",
    ".gitignore",
    "adapter.json",
    "MANIFEST.MF",
    "harmony.lock",
    "lib/dropbox-core-sdk-3.0.6.jar",
    "assets/images/dropbox.png",
    "src/main/java/com/example/DropboxConnector.java",
}


def make_connector(root: Path, *, toml: str = SAMPLE["toml"]) -> Path:
    """A connector laid out as the README's configuration expects, with Maven's output already compiled."""
    root.mkdir()
    (root / "pyproject.toml").write_text(toml, encoding="utf-8")
    (root / ".gitignore").write_text(SAMPLE["gitignore"], encoding="utf-8")
    adapter = {"name": "Dropbox", "version": "3.0.2", "activities": {"fetch": {}, "put": {}}}
    (root / "adapter.json").write_text(json.dumps(adapter, indent=2), encoding="utf-8")
    (root / "MANIFEST.MF").write_text(
        "Manifest-Version: 1.0\nAuthor: ACME\nVersion: 3.0.2\n"
        "Jitterbit-Connector-Factory-Class: com.example.DropboxConnectorFactory\n",
        encoding="utf-8",
    )
    source = root / "src" / "main" / "java" / "com" / "example" / "DropboxConnector.java"
    source.parent.mkdir(parents=True)
    source.write_text("package com.example; public final class DropboxConnector {}\n", encoding="utf-8")
    classes = root / "target" / "classes" / "com" / "example"
    classes.mkdir(parents=True)
    (classes / "DropboxConnector.class").write_bytes(b"\xca\xfe\xba\xbe\x00\x00\x00\x37")
    (root / "lib").mkdir()
    with zipfile.ZipFile(root / "lib" / "dropbox-core-sdk-3.0.6.jar", "w") as dependency:
        dependency.writestr("com/dropbox/core/DbxRequestConfig.class", b"\xca\xfe\xba\xbe")
    (root / "assets" / "images").mkdir(parents=True)
    (root / "assets" / "images" / "dropbox.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


def frontend_env(tmp_path: Path, emulator: Emulator | None = None) -> dict[str, str]:
    """This venv's tools, the emulator's address, hatch's state in tmp_path, and no index at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_", "PIP_", "UV_"))}
    (tmp_path / "hatch-config.toml").touch()
    env.update(
        HATCH_ENV_TYPE_VIRTUAL_PATH=sys.prefix,  # hatch's build environment: this venv, nothing to install
        HATCH_CONFIG=str(tmp_path / "hatch-config.toml"),
        HATCH_DATA_DIR=str(tmp_path / "hatch-data"),
        HATCH_CACHE_DIR=str(tmp_path / "hatch-cache"),
        PIP_NO_INDEX="1",
        UV_OFFLINE="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if emulator is not None:
        env.update(HARMONY_URL=emulator.url, HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD)
    return env


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found is not None, f"{name} is a test dependency (pip install -e '.[test]')"
    return found


FRONTENDS = {
    "hatch build": (["{hatch}", "build"], {"sdist", "wheel"}),
    "hatch build -t jar": (["{hatch}", "build", "-t", "jar"], {"jar"}),
    "python -m build": (["{python}", "-m", "build", "--no-isolation"], {"sdist", "wheel"}),
    "uv build": (["{uv}", "build", "--no-build-isolation", "--python", "{python}"], {"sdist", "wheel"}),
    "pip wheel": (
        ["{python}", "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-w", "dist", "."],
        {"wheel"},
    ),
}


def command(template: list[str]) -> list[str]:
    tools = {"{python}": sys.executable, "{hatch}": "hatch", "{uv}": "uv"}
    return [tool(tools[arg]) if arg in ("{hatch}", "{uv}") else tools.get(arg, arg) for arg in template]


def kind(artifact: Path) -> str:
    return {".gz": "sdist", ".whl": "wheel", ".jar": "jar"}[artifact.suffix]


@pytest.mark.parametrize("frontend", sorted(FRONTENDS))
def test_readme_sample_builds_under_every_frontend(frontend: str, tmp_path: Path, emulator: Emulator) -> None:
    template, expected = FRONTENDS[frontend]
    project = make_connector(tmp_path / "dropbox-connector")
    done = subprocess.run(
        command(template),
        cwd=project,
        env=frontend_env(tmp_path, emulator),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output
    counts = emulator.counts()
    assert (counts["login"], counts["list"], counts["register"], sum(counts.values())) == (1, 1, 1, 3)
    [registration] = emulator.registrations(DEFAULT_ORG_ID)
    assert (project / "harmony.lock").is_file()
    artifacts = sorted(p for p in (project / "dist").iterdir() if not p.name.startswith("."))
    assert {kind(a) for a in artifacts} == expected and len(artifacts) == len(expected)
    assert_no_secret_in(emulator, output.encode())

    for artifact in artifacts:
        members = dict(archive_members(artifact))
        if kind(artifact) == "sdist":
            top = f"{WHEEL_STEM}/"
            assert {name.removeprefix(top) for name in members} == SDIST_FILES
        elif kind(artifact) == "wheel":
            assert artifact.name.startswith(WHEEL_STEM)
            assert sorted(members) == [f"{WHEEL_STEM}.dist-info/{n}" for n in ("METADATA", "RECORD", "WHEEL")]
        else:
            [promised] = re.findall(r"→ (dist/\S+\.jar)", SAMPLE["sh"])  # the README's own comment
            assert artifact == project / promised == project / "dist" / jar_file_name(NAME, VERSION)
            with zipfile.ZipFile(artifact) as jar:
                assert jar.namelist()[:2] == ["META-INF/", "META-INF/MANIFEST.MF"]
                manifest = Manifest.parse(jar.read("META-INF/MANIFEST.MF"))
            assert manifest.get("Jitterbit-Connector-Key") == registration.key
            assert manifest.get("Author") == "ACME"  # the template's attributes are kept
            assert {"lib/dropbox-core-sdk-3.0.6.jar", "assets/images/dropbox.png"} <= set(members)
            continue
        assert_no_secret_in(emulator, artifact.read_bytes(), *members.values())


def test_sample_without_bypass_selection_is_one_message_naming_it(tmp_path: Path, emulator: Emulator) -> None:
    """`python -m build` builds the wheel from the unpacked sdist, where the hook otherwise steps aside."""
    toml = SAMPLE["toml"].replace("bypass-selection = true", "")
    assert toml != SAMPLE["toml"]
    project = make_connector(tmp_path / "dropbox-connector", toml=toml)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation"],
        cwd=project,
        env=frontend_env(tmp_path, emulator),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Traceback" not in output and "Unable to determine which files" not in output
    [message] = [line for line in output.splitlines() if line.startswith("hatch-harmony:")]
    assert "tool.hatch.build.targets.wheel" in message and "bypass-selection = true" in message
    assert "hatch build -t jar" in message
    assert not list((project / "dist").glob("*.whl"))


def test_hatch_clean_leaves_jars_and_clean_t_jar_removes_only_this_projects(tmp_path: Path) -> None:
    """The README's sentence on `hatch clean`, with hatch itself (no build or request needed)."""
    project = make_connector(tmp_path / "dropbox-connector")
    dist = project / "dist"
    dist.mkdir()
    ours = dist / jar_file_name(NAME, VERSION)
    others = [dist / "other-connector-1.0.0.jar", dist / f"{NAME}-extras-1.0.jar"]
    python_archives = [dist / f"{WHEEL_STEM}.tar.gz", dist / f"{WHEEL_STEM}-py3-none-any.whl"]
    for path in [ours, *others, *python_archives]:
        path.write_bytes(b"PK\x05\x06" + bytes(18))
    env = frontend_env(tmp_path)

    def hatch(*args: str) -> None:
        done = subprocess.run(
            [tool("hatch"), *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    hatch("clean")
    assert ours.exists() and all(p.exists() for p in others)  # plain `hatch clean`: sdist and wheel only
    assert not any(p.exists() for p in python_archives)
    hatch("clean", "-t", "jar")
    assert not ours.exists()
    assert all(p.exists() for p in others)  # never another project's jar
