"""Interpreters in which hatchling cannot import hatch-harmony: the baselines of wheel_overhead.py.

hatchling imports every installed `hatch` entry point when it loads third-party plugins, so
"hatch-harmony never imported" needs an interpreter where hatch-harmony is not installed.
Two, both venvs of this interpreter's base Python made in the benchmark's temporary folder:

* the mirror: this interpreter's site-packages minus hatch-harmony. Every other entry
  (packages, dist-info folders, .pth files) is symlinked, so it is the very same hatchling and
  the same other distributions; only hatch-harmony's dist-info and the files of its RECORD
  (the editable .pth that puts the checkout on sys.path) are left out. No network.
* hatchling alone: `pip --python VENV install` of hatchling and its requirements, at the
  versions this interpreter has; what a build environment holds without hatch-harmony. It
  needs the package registry, once.

Both are checked: the same hatchling version, no `hatch_harmony` importable, no `hatch` entry point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution, requires, version
from pathlib import Path

from benchmarks.harness import BenchmarkError

DISTRIBUTION = "hatch-harmony"

#: Run by a baseline's python (in its own folder: `-c` puts the working directory on sys.path).
_INSPECT = """\
import importlib.metadata, importlib.util, json
print(json.dumps({"hatchling": importlib.metadata.version("hatchling"),
                  "hatch_harmony": importlib.util.find_spec("hatch_harmony") is not None,
                  "plugins": [ep.value for ep in importlib.metadata.entry_points(group="hatch")],
                  "distributions": len(list(importlib.metadata.distributions()))}))
"""


@dataclass(frozen=True)
class Venv:
    python: Path
    description: str  # how it was made, for RESULTS.md
    distributions: int


def _create(dest: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkError(f"`python -m venv {dest}` failed:\n{done.stdout}{done.stderr}".rstrip())
    return dest / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _checked(python: Path, dest: Path, description: str) -> Venv:
    done = subprocess.run(
        [str(python), "-c", _INSPECT], cwd=dest, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchmarkError(f"{python} does not run:\n{done.stdout}{done.stderr}".rstrip())
    found = json.loads(done.stdout)
    if found["hatchling"] != version("hatchling") or found["hatch_harmony"] or found["plugins"]:
        raise BenchmarkError(
            f"{dest} is not a baseline: hatchling {version('hatchling')} without hatch-harmony was "
            f"expected, found {found}"
        )
    return Venv(python, description, int(found["distributions"]))


def _own_entries() -> set[str]:
    """The site-packages entries hatch-harmony's installation put there (dist-info, package, .pth)."""
    entries: set[str] = set()
    for file in distribution(DISTRIBUTION).files or []:  # RECORD lists the dist-info folder's files too
        first = file.parts[0]
        if first != "..":  # scripts in bin/ are not on the import path
            entries.add(first)
    return entries


def mirror(dest: Path) -> Venv:
    """A venv whose site-packages links every entry of this interpreter's but hatch-harmony's."""
    python = _create(dest)
    own = _own_entries()
    left_out: set[str] = set()
    for key in dict.fromkeys(("purelib", "platlib")):
        here = Path(sysconfig.get_paths()[key])
        there = dest / here.relative_to(sys.prefix)
        there.mkdir(parents=True, exist_ok=True)
        for entry in sorted(here.iterdir()):
            if entry.name in own:
                left_out.add(entry.name)
            elif not (there / entry.name).exists():
                (there / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    names = ", ".join(f"`{name}`" for name in sorted(left_out))
    description = (
        "`python -m venv --without-pip`, then a symlink in its site-packages to every entry of this "
        f"interpreter's site-packages except hatch-harmony's ({names})"
    )
    return _checked(python, dest, description)


def hatchling_alone(dest: Path) -> Venv:
    """A venv with this interpreter's hatchling and its requirements at the same versions, nothing else."""
    from packaging.requirements import Requirement

    pins = [f"hatchling=={version('hatchling')}"]
    for text in requires("hatchling") or []:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        try:
            pins.append(f"{requirement.name}=={version(requirement.name)}")
        except PackageNotFoundError:
            pins.append(str(requirement))
    python = _create(dest)
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--disable-pip-version-check"]
    done = subprocess.run([*pip, "--no-input", "-q", *pins], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchmarkError(
            f"could not install {' '.join(pins)} into {dest} (pip needs the package registry once):\n"
            f"{done.stdout}{done.stderr}".rstrip()
        )
    return _checked(
        python, dest, f"`python -m venv --without-pip`, then `pip --python VENV install {' '.join(pins)}`"
    )
