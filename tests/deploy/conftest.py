"""Real jars of one connector, built once per session by `hatchling build -t jar` against the emulator.

`Built` holds a project after a dev and a prod build (its harmony.lock and both generated
manifests) and the jars: dev at Version 1.0.0, the same Version with other content, dev at
Version 1.0.1 (another project version, so another file name), and prod. Each test copies
the project and puts into its build directory the jars it needs.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator, User
from tests.projects import Project, hatchling_build

NAME = "Acme Deploy"
PROD_ORG = "20002"
ENVIRONMENTS = (
    '\n[tool.hatch.build.hooks.harmony.environments.dev]\norg-id = "10001"\n'
    f'\n[tool.hatch.build.hooks.harmony.environments.prod]\norg-id = "{PROD_ORG}"\n'
)


def hook(version: str, extra: str = "") -> str:
    return f'attributes = {{ Version = "{version}" }}\n{extra}{ENVIRONMENTS}'


PROJECT = Project(NAME, "acme-deploy", activities=("fetch",), hook=hook("1.0.0"))


@dataclass(frozen=True)
class Jar:
    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Built:
    project: Path  # after the builds: harmony.lock, build/harmony/{dev,prod}/MANIFEST.MF; dist/ empty
    dev: Jar  # Version 1.0.0
    dev_same_version: Jar  # Version 1.0.0, another class inside
    dev_next: Jar  # Version 1.0.1, project version 0.2.0
    prod: Jar

    def copy(self, target: Path, *jars: Jar, hook_lines: str = "") -> Path:
        """The project in `target`, `jars` in dist/ (the last one newest), `hook_lines` added to the hook."""
        shutil.copytree(self.project, target)
        if hook_lines:
            pyproject = target / "pyproject.toml"
            text = pyproject.read_text(encoding="utf-8")
            pyproject.write_text(text.replace(ENVIRONMENTS, hook_lines + ENVIRONMENTS, 1), encoding="utf-8")
        for jar in jars:
            put(target / "dist", jar)
        return target


def put(folder: Path, jar: Jar) -> Path:
    """`jar` into `folder`, newer than anything there (mtime order picks the jar to deploy)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / jar.name
    path.write_bytes(jar.data)
    newest = max((p.stat().st_mtime_ns for p in folder.iterdir()), default=0)
    os.utime(path, ns=(newest + 10**9, newest + 10**9))
    return path


def _build(root: Path, emulator: Emulator, environment: str) -> Jar:
    dist = root / "dist"
    if dist.exists():
        shutil.rmtree(dist)
    done = hatchling_build(root, emulator, "-t", "jar", HARMONY_ENV=environment)
    assert done.returncode == 0, done.stderr
    (path,) = list(dist.glob("*.jar"))
    jar = Jar(path.name, path.read_bytes())
    shutil.rmtree(dist)
    return jar


@pytest.fixture(autouse=True)
def _no_harmony_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deploys under test read only what each test sets."""
    for name in list(os.environ):
        if name.startswith("HARMONY_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = PROJECT.make(tmp_path_factory.mktemp("deploy") / "acme")
    users = [User(DEFAULT_EMAIL, DEFAULT_PASSWORD, other_org_ids=(PROD_ORG,))]
    with Emulator(users=users) as emulator:
        prod = _build(root, emulator, "prod")
        dev = _build(root, emulator, "dev")
        other_class = root / "build" / "classes" / "acme" / "Other.class"
        other_class.write_bytes(b"\xca\xfe\xba\xbe" + b"\1" * 60)
        dev_same = _build(root, emulator, "dev")
        other_class.unlink()
        pyproject = root / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        pyproject.write_text(
            text.replace('version = "0.1.0"', 'version = "0.2.0"').replace('"1.0.0"', '"1.0.1"'),
            encoding="utf-8",
        )
        dev_next = _build(root, emulator, "dev")
        # deploy reads the lock entry of the host the builds used (HARMONY_URL then): no request
        pyproject.write_text(
            text.replace(ENVIRONMENTS, f'url = "{emulator.url}"\n{ENVIRONMENTS}'), encoding="utf-8"
        )
    return Built(root, dev, dev_same, dev_next, prod)


def connector_jar(name: str, adapter_name: str, manifest: str) -> Jar:
    """A hand-made jar: `manifest`'s main section and an adapter.json naming `adapter_name`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n" + manifest + "\n")
        archive.writestr("adapter.json", json.dumps({"name": adapter_name, "version": "1.0.0"}))
    return Jar(name, buffer.getvalue())
