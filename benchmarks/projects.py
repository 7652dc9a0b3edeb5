"""The projects the benchmarks build: copies of example_connector and a synthetic large connector.

Every project is created under the benchmark's temporary folder and made a git work tree,
as connector projects are: the hook asks git whether the manifest path is tracked, and
that check is part of what a real build pays.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import zipfile
from pathlib import Path

from benchmarks.harness import BenchmarkError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example_connector"

#: The copy gets sources and configuration only: the demo's builds, lock and venv stay behind.
_NOT_COPIED = ("build", "dist", ".demo-venv", "harmony.lock", "harmony.lock.*", ".harmony.lock.lck")

#: Where the no-hook baseline keeps the manifest its custom hook hands to the jar target.
BASELINE_MANIFEST = "benchmark-manifest.MF"

#: The baseline's build hook: supplies the build_data keys the `harmony` hook would fill
#: (hatch_harmony.jar.MANIFEST_KEY / ADAPTER_KEY) from a file, and does nothing else.
_BASELINE_HOOK = f'''\
"""Benchmark baseline: hand the jar target a fixed manifest instead of running the harmony hook."""

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class FixedManifestHook(BuildHookInterface):
    def initialize(self, version, build_data):
        root = Path(self.root)
        build_data["harmony_manifest"] = (root / "{BASELINE_MANIFEST}").read_bytes()
        build_data["harmony_adapter"] = str(root / "adapter.json")
'''

_HOOK_TABLE = "[tool.hatch.build.hooks.harmony]\n"

#: The wheel table of the README's sample: a connector has no Python package, so its wheel
#: holds only metadata (without it hatchling refuses to build the wheel).
WHEEL_TABLE = "\n[tool.hatch.build.targets.wheel]\nbypass-selection = true\n"


def run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchmarkError(f"`{' '.join(command)}` in {cwd} failed:\n{done.stdout}{done.stderr}")


def git_init(project: Path, *paths: str) -> None:
    """Make `project` a git work tree with `paths` staged (what a connector repository looks like).

    Without git on PATH the hook skips its tracked-file check, and so does this: the figures
    then hold one subprocess less.
    """
    if shutil.which("git") is None:
        return
    run(["git", "init", "-q"], project)
    if paths:
        run(["git", "add", "--", *paths], project)


def copy_example(dest: Path, *, pyproject_extra: str = "") -> Path:
    """A copy of example_connector (sources and configuration), `pyproject_extra` appended, as a git tree."""
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns(*_NOT_COPIED))
    if pyproject_extra:
        pyproject = dest / "pyproject.toml"
        pyproject.write_text(pyproject.read_text(encoding="utf-8") + pyproject_extra, encoding="utf-8")
    git_init(dest, "pyproject.toml", "adapter.json", "MANIFEST.MF.in", "src", "assets", ".gitignore")
    return dest


def compile_java(project: Path) -> Path:
    """`javac --release 11 -d build/classes $(find src -name '*.java')`, as the README says."""
    sources = sorted(str(p.relative_to(project)) for p in (project / "src").rglob("*.java"))
    run(["javac", "--release", "11", "-d", "build/classes", *sources], project)
    return project / "build" / "classes"


def make_no_hook_copy(warm: Path, dest: Path) -> Path:
    """A copy of the warm project with the harmony hook disabled and a fixed-manifest hook instead.

    The jar target needs the hook's manifest, so the baseline's custom hook supplies the very
    bytes the harmony hook produced (same jar, byte for byte). The lock and the generated
    manifest are left out: the baseline must not be able to use them.
    """
    shutil.copytree(warm, dest, ignore=shutil.ignore_patterns("dist", "harmony.lock", ".harmony.lock.lck"))
    shutil.rmtree(dest / "build" / "harmony")
    (dest / BASELINE_MANIFEST).write_bytes((warm / "build" / "harmony" / "MANIFEST.MF").read_bytes())
    (dest / "hatch_build.py").write_text(_BASELINE_HOOK, encoding="utf-8")
    pyproject = dest / "pyproject.toml"
    text = _disable_harmony_hook(pyproject) + "\n[tool.hatch.build.hooks.custom]\n"
    pyproject.write_text(text, encoding="utf-8")
    return dest


def make_disabled_copy(warm: Path, dest: Path) -> Path:
    """A copy of the warm project with the harmony hook disabled (`enable-by-default = false`), and
    nothing else changed: for targets that need no manifest (the wheel). Its lock, generated
    manifest and builds stay behind, so that nothing of the hook's could be used.
    """
    ignored = ("dist", "build", "harmony.lock", "harmony.lock.*", ".harmony.lock.*")
    shutil.copytree(warm, dest, ignore=shutil.ignore_patterns(*ignored))
    pyproject = dest / "pyproject.toml"
    pyproject.write_text(_disable_harmony_hook(pyproject), encoding="utf-8")
    return dest


def _disable_harmony_hook(pyproject: Path) -> str:
    """pyproject.toml's text with `enable-by-default = false` in its one harmony hook table."""
    text = pyproject.read_text(encoding="utf-8")
    if text.count(_HOOK_TABLE) != 1:
        raise BenchmarkError(f"{pyproject}: expected exactly one {_HOOK_TABLE.strip()} table")
    return text.replace(_HOOK_TABLE, _HOOK_TABLE + "enable-by-default = false\n")


def jar_create_command(project: Path, manifest: Path, output: Path, classes: Path, *extra: str) -> list[str]:
    """`jar --create` of the content the jar target packs: manifest, classes, adapter.json, `extra`."""
    command = ["jar", "--create", "--file", str(output), "--manifest", str(manifest)]
    command += ["-C", str(classes), ".", "-C", str(project), "adapter.json"]
    for name in extra:
        command += ["-C", str(project), name]
    return command


def file_entries(jar: Path) -> dict[str, int]:
    """File entries (not folders, not the manifest) of a jar: name -> CRC, to compare contents."""
    with zipfile.ZipFile(jar) as archive:
        return {
            info.filename: info.CRC
            for info in archive.infolist()
            if not info.is_dir() and info.filename.upper() != "META-INF/MANIFEST.MF"
        }


# --- the synthetic large connector ---------------------------------------------------------------


def synthetic_connector(dest: Path, *, activities: int, jars: int, seed: int = 8) -> Path:
    """A connector at Harmony's limits: `activities` activities, `jars` bundled dependency jars.

    Sources: one small Java class per activity plus the connector class, compiled once.
    Dependencies: real jars (zip files) of 2-16 KiB of seeded random bytes each, so their
    size is realistic for small libraries and the result is the same on every machine.
    """
    dest.mkdir(parents=True)
    (dest / "pyproject.toml").write_text(
        "[build-system]\n"
        'requires = ["hatchling", "hatch-harmony"]\n'
        'build-backend = "hatchling.build"\n\n'
        "[project]\n"
        'name = "scale-benchmark-connector"\n'
        'version = "1.0.0"\n\n'
        f"{_HOOK_TABLE}"
        'attributes = { Author = "hatch-harmony benchmarks", Version = "1.0.0" }\n\n'
        "[tool.hatch.build.targets.jar]\n"
        'classes = "build/classes"\n'
        'lib = "lib"\n',
        encoding="utf-8",
    )
    (dest / ".gitignore").write_text("build/\ndist/\n", encoding="utf-8")
    keys = [f"activity{n:02d}" for n in range(1, activities + 1)]
    adapter = {
        "name": "Scale Benchmark",
        "version": "1.0.0",
        "endpoint": {"displayName": "Scale Benchmark Endpoint", "properties": []},
        "activities": {
            key: {
                "displayName": f"Activity {n}",
                "name": key,
                "kind": "outbound",
                "polarity": "source",
                "properties": [],
            }
            for n, key in enumerate(keys, start=1)
        },
    }
    (dest / "adapter.json").write_text(json.dumps(adapter, indent=2) + "\n", encoding="utf-8")

    package = dest / "src" / "main" / "java" / "com" / "example" / "scale"
    package.mkdir(parents=True)
    for key in keys:
        name = key.capitalize()
        (package / f"{name}.java").write_text(
            "package com.example.scale;\n\n"
            f"public final class {name} {{\n"
            f'    public static final String KEY = "{key}";\n\n'
            "    public String execute(String input) {\n"
            '        return KEY + ":" + input;\n'
            "    }\n}\n",
            encoding="utf-8",
        )
    (package / "ScaleConnector.java").write_text(
        "package com.example.scale;\n\n"
        "public final class ScaleConnector {\n"
        f"    public static final int ACTIVITIES = {activities};\n"
        "}\n",
        encoding="utf-8",
    )

    rng = random.Random(seed)
    lib = dest / "lib"
    lib.mkdir()
    for n in range(1, jars + 1):
        with zipfile.ZipFile(lib / f"dependency-{n:03d}-1.0.jar", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
            archive.writestr(f"org/example/dep{n:03d}/Data.bin", rng.randbytes(rng.randint(2048, 16384)))
    git_init(dest, "pyproject.toml", "adapter.json", "src", ".gitignore")
    return dest
