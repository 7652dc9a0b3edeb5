"""README: importing the plugin never imports httpx, and a warm build runs without importing the engine.

Both are promises about import cost (hatch imports the plugin for every build of a project
that enables it), checked in fresh interpreters: `import hatch_harmony.hooks` alone, and a
real `hatchling build` whose second hook, declared after `harmony`, writes down what the
`harmony` hook's `initialize` left imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hatch_harmony.emulator import Emulator
from tests.projects import Project, build_env

PROJECT = Project("Acme Imports", "acme-imports", jar=None)
PROBE = '''\
import json, os, sys
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class Probe(BuildHookInterface):
    """Runs after the harmony hook's initialize: records what it imported."""

    def initialize(self, version, build_data):
        names = sorted(m for m in sys.modules if m.split(".")[0] in ("hatch_harmony", "httpx", "httpcore"))
        with open(os.environ["PROBE_OUT"], "a", encoding="utf-8") as out:
            out.write(json.dumps(names) + "\\n")


def get_build_hook():
    return Probe
'''
#: The engine and what only it needs: a warm build hands the stamped manifest over without them.
ENGINE = ("hatch_harmony.api", "hatch_harmony.config", "hatch_harmony.project", "hatch_harmony.jar_manifest")


def engine_modules(names: set[str]) -> list[str]:
    """The modules of `names` a warm build must not import (hatch_harmony.engine.warm is the stamp)."""
    return sorted(
        n
        for n in names
        if n.split(".")[0] in ("httpx", "httpcore")
        or n.startswith(ENGINE)
        or (n.startswith("hatch_harmony.engine.") and n != "hatch_harmony.engine.warm")
    )


def test_importing_the_plugin_imports_no_httpx() -> None:
    code = (
        "import sys, hatch_harmony.hooks\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore', 'filelock')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_a_warm_build_imports_no_engine_module_and_no_httpx(tmp_path: Path, emulator: Emulator) -> None:
    root = PROJECT.make(tmp_path / "acme", package=True)
    (root / "pyproject.toml").write_text(
        PROJECT.pyproject() + '\n[tool.hatch.build.hooks.custom]\npath = "probe.py"\n', encoding="utf-8"
    )
    (root / "probe.py").write_text(PROBE, encoding="utf-8")
    out = tmp_path / "modules.jsonl"
    env = {**build_env(emulator), "PROBE_OUT": str(out)}
    env.pop("HARMONY_NO_WARM_STAMP", None)
    command = [sys.executable, "-m", "hatchling", "build", "-t", "sdist"]
    for _ in range(2):  # the first build registers and stamps; the second is warm
        done = subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
    assert "nothing it depends on changed since the last build" in done.stdout + done.stderr

    cold, warm = (set(json.loads(line)) for line in out.read_text(encoding="utf-8").splitlines())
    assert {"hatch_harmony.engine.execute", "httpx"} <= set(engine_modules(cold))  # the probe sees them
    assert "hatch_harmony.engine.warm" in warm
    assert engine_modules(warm) == []
