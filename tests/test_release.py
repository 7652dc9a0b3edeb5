"""`python -m build` of this repository gives what release.yml publishes, and it passes the same checks.

One build per module (sdist, then the wheel from the unpacked sdist, as `python -m build` does),
without isolation: hatchling is this venv's, and isolated builds are proven in
tests/promises/test_installing.py. The checks are the real tools from the test extras: `twine
check --strict` (the long description renders on PyPI, the metadata is complete) and
`check-wheel-contents` (no stray top-level names, no bytecode, no empty or duplicate files).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import hatch_harmony

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


def run(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_twine_check_strict_passes(dist: dict[str, Path]) -> None:
    done = run(str(BIN / "twine"), "check", "--strict", str(dist["sdist"]), str(dist["wheel"]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_check_wheel_contents_passes(dist: dict[str, Path]) -> None:
    done = run(str(BIN / "check-wheel-contents"), str(dist["wheel"]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK" in done.stdout


def test_the_version_has_one_source_and_everything_agrees(dist: dict[str, Path]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "hatch_harmony/__init__.py"
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(wheel.read(name).decode())
    assert metadata["Name"] == "hatch-harmony"
    assert metadata["Version"] == hatch_harmony.__version__
    assert dist["wheel"].name == f"hatch_harmony-{hatch_harmony.__version__}-py3-none-any.whl"
    assert dist["sdist"].name == f"hatch_harmony-{hatch_harmony.__version__}.tar.gz"
    done = run(str(BIN / "hatch-harmony"), "--version")
    assert done.stdout.strip() == f"hatch-harmony {metadata['Version']}"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{hatch_harmony.__version__}]" in changelog  # every release has its entry


def test_the_wheel_holds_the_package_and_nothing_else(dist: dict[str, Path]) -> None:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        tops = {name.split("/")[0] for name in wheel.namelist()}
    assert tops == {"hatch_harmony", f"hatch_harmony-{hatch_harmony.__version__}.dist-info"}


def tracked(*folders: str) -> set[str]:
    """What git tracks under `folders` (the files the tests may read)."""
    done = run("git", "ls-files", "-z", "--", *folders)
    assert done.returncode == 0, done.stderr
    return {name for name in done.stdout.split("\0") if name}


def test_the_sdist_holds_what_the_tests_need_and_they_run_from_it(
    dist: dict[str, Path], tmp_path: Path
) -> None:
    with tarfile.open(dist["sdist"]) as sdist:
        top = f"hatch_harmony-{hatch_harmony.__version__}/"
        members = {m.name.removeprefix(top) for m in sdist.getmembers() if m.isfile()}
        sdist.extractall(tmp_path, filter="data")  # 3.10.12+, 3.11.4+: every Python CI runs
    needed = tracked(
        "hatch_harmony", "tests", "example_connector", ".ci", ".github", "benchmarks", "action", "docs"
    )
    needed |= {
        "README.md",
        "CHANGELOG.md",
        "pyproject.toml",
        ".gitignore",
        "action.yml",
        ".pre-commit-hooks.yaml",
    }
    assert needed - members == set()
    assert not {m for m in members if re.search(r"(^|/)(\.venv|__pycache__|\.git)/", m)}
    unpacked = tmp_path / top
    # the suite collects from the unpacked sdist, and the README/workflow checks pass there
    done = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only", cwd=unpacked)
    assert done.returncode == 0, done.stdout + done.stderr
    here = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only")
    count = re.compile(r"^(\d+)(?:/\d+)? tests? (?:collected|selected)", flags=re.M)
    assert count.findall(done.stdout) == count.findall(here.stdout) != []
    done = run(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_readme.py",
        "tests/test_workflows.py",
        "tests/test_action.py::test_action_shape",
        cwd=unpacked,
    )
    assert done.returncode == 0, done.stdout + done.stderr
