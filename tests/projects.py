"""The one connector project the tests build, instead of a pyproject/adapter template pasted into each file.

A `Project` describes it: a hatchling project with the `harmony` build hook and the `jar`
target (classes in build/classes), its adapter.json, a .gitignore that keeps the build
output and the build mutex's file out of git, and a class file for the jar to bundle.
Each test module declares one with its own names (so that the jars, lock entries and
registrations of different modules never look alike) and changes only what it tests:

    PROJECT = Project("Acme Faults", "acme-faults", activities=("fetch", "put"))
    root = PROJECT.make(tmp_path / "acme")
    (root / "pyproject.toml").write_text(PROJECT.pyproject(hook='verify = true'))
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hatch_harmony.emulator import Emulator
from tests.plugins.emulator import harmony_env

BUILD_SYSTEM = """\
[build-system]
requires = ["hatchling", "hatch-harmony"]
build-backend = "hatchling.build"
"""
#: build output, and the build mutex's file beside harmony.lock (files.mutex_file)
GITIGNORE = "build/\ndist/\n.harmony.lock.lck\n"
#: Not loadable bytecode, and not meant to be: the jar target only bundles it.
CLASS_BYTES = bytes.fromhex("cafebabe00000037") + b"\0" * 64
#: The jar target's options of the default project.
JAR_OPTIONS = 'classes = "build/classes"'


@dataclass(frozen=True)
class Project:
    """One connector project: `name` is the connector (adapter.json), `dist` the Python project."""

    name: str
    dist: str
    version: str = "0.1.0"  # the Python project's; the connector's is `connector_version`
    connector_version: str = "1.0.0"
    activities: tuple[str, ...] = ("fetch", "put")
    hook: str = ""  # TOML lines of [tool.hatch.build.hooks.harmony]
    jar: str | None = JAR_OPTIONS  # TOML lines of [tool.hatch.build.targets.jar]; None: no jar target

    @property
    def jar_name(self) -> str:
        """The jar the `jar` target writes into dist/."""
        return f"{self.dist}-{self.version}.jar"

    def pyproject(self, hook: str | None = None) -> str:
        """pyproject.toml; `hook` replaces the project's hook options. The hook table ends the file
        when there is no jar target, so a test may append options to it."""
        options = self.hook if hook is None else hook
        text = f'{BUILD_SYSTEM}\n[project]\nname = "{self.dist}"\nversion = "{self.version}"\n\n'
        text += "[tool.hatch.build.hooks.harmony]\n" + (f"{options}\n" if options else "")
        if self.jar is not None:
            text += f"\n[tool.hatch.build.targets.jar]\n{self.jar}\n"
        return text

    def adapter(self, **changes: Any) -> dict[str, Any]:
        """adapter.json's content; `changes` replace top-level fields (None removes one)."""
        data: dict[str, Any] = {
            "name": self.name,
            "version": self.connector_version,
            "endpoint": {"displayName": self.name, "properties": []},
            "activities": {key: {"displayName": key.title()} for key in self.activities},
        }
        data.update(changes)
        return {key: value for key, value in data.items() if value is not None}

    def make(
        self,
        root: Path,
        *,
        hook: str | None = None,
        adapter: Mapping[str, Any] | None = None,
        gitignore: bool = True,
        class_file: str | None = "acme/Hello.class",
        package: bool = False,
    ) -> Path:
        """Write the project into `root` (created) and return `root`.

        `class_file`: the class bundled from build/classes (None: no classes folder, for tests
        that compile or copy real ones); `package`: a Python package too, for wheel builds.
        """
        root.mkdir(parents=True, exist_ok=True)
        (root / "pyproject.toml").write_text(self.pyproject(hook), encoding="utf-8")
        write_adapter(root, self.adapter() if adapter is None else adapter)
        if gitignore:
            (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        if class_file is not None:
            target = root / "build" / "classes" / class_file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(CLASS_BYTES)
        if package:
            module = root / self.dist.replace("-", "_")
            module.mkdir(exist_ok=True)
            (module / "__init__.py").write_text(f'"""{self.name}."""\n', encoding="utf-8")
        return root


def write_adapter(root: Path, data: Mapping[str, Any]) -> None:
    (root / "adapter.json").write_text(json.dumps(data, indent=2), encoding="utf-8")


def build_env(emulator: Emulator, **extra: str) -> dict[str, str]:
    """The environment of a build subprocess: this one's, minus every HARMONY_*, HATCH_BUILD_* and
    SOURCE_DATE_EPOCH it may carry, plus what reaches `emulator`, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(harmony_env(emulator))
    env.update(extra)
    return env


def hatchling_build(
    root: Path, emulator: Emulator, *args: str, timeout: float = 300, **extra: str
) -> subprocess.CompletedProcess[str]:
    """`python -m hatchling build ARGS` in `root`, reaching `emulator` (`build_env` with `extra`).

    A real build in a subprocess, as a frontend runs it; its result is returned, never raised on,
    so a test can assert a refusal as well as a success."""
    return subprocess.run(
        [sys.executable, "-m", "hatchling", "build", *args],
        cwd=root,
        env=build_env(emulator, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
