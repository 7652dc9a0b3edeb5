"""README's "Installing" section, run as written: hatch-harmony from a wheel folder, builds isolated.

The section's two `sh` blocks are read from README.md. The first line of the first block installs
the frontends (build, hatch, uv) into `~/.harmony-tools`; this venv already holds them, so the test
makes `~/.harmony-tools` (HOME is a temporary folder) a link to this venv instead of installing
them again, and runs every other line verbatim with bash: hatch-harmony's wheel is built from this
checkout into `~/wheels`, and each connector command then builds the README's sample project with
build isolation on. The package index those isolated environments install hatchling and the rest
from is tests/package_index.py's, on 127.0.0.1, holding no hatch-harmony: the build succeeds only
through the wheel folder, as the README says. Proxies point at a closed port, so any attempt to
reach another host fails the test instead of leaving the machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.jar.builder import jar_file_name
from hatch_harmony.jar_manifest import Manifest
from tests.artifacts import archive_members, assert_no_secret_in
from tests.package_index import build_index, isolated_env, serve
from tests.promises.test_frontends import NAME, VERSION, WHEEL_STEM, make_connector

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Installing"
TOOLS_LINE = "python3 -m venv ~/.harmony-tools && ~/.harmony-tools/bin/python -m pip install build hatch uv"


def installing_blocks() -> tuple[list[str], list[str]]:
    """The section's two `sh` blocks as lines without comments: (set-up lines, connector commands)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    section = text[start : text.index("\n## ", start + len(SECTION))]
    blocks = re.findall(r"^```sh\n(.*?)^```", section, flags=re.S | re.M)
    assert len(blocks) == 2, "the Installing section has a set-up block and a block of connector commands"
    setup, builds = (
        [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()] for block in blocks
    )
    return setup, builds


SETUP, BUILDS = installing_blocks()
FRONTENDS = {
    " ".join(line.split()[:3] if line.startswith("python") else line.split()[:1]): line for line in BUILDS
}


def test_the_section_covers_every_frontend_and_installs_only_the_frontends_first() -> None:
    assert SETUP[0] == TOOLS_LINE
    assert sorted(FRONTENDS) == ["hatch", "pip", "python -m build", "uv"]
    assert all("--no-build-isolation" not in line and "--no-isolation" not in line for line in BUILDS)
    assert any(line.startswith("export PIP_FIND_LINKS=") and "UV_FIND_LINKS=" in line for line in SETUP)


POSIX_SHELL = pytest.mark.skipif(sys.platform == "win32", reason="README's Installing lines are POSIX sh")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """HOME after the README's set-up block ran, and the environment the connector's builds then get."""
    base = tmp_path_factory.mktemp("installing")
    home = base / "home"
    home.mkdir()
    (home / ".harmony-tools").symlink_to(sys.prefix, target_is_directory=True)
    simple = build_index(base / "index")
    assert not (simple / "hatch-harmony").exists()
    with serve(simple) as index_url:
        env = isolated_env(base, index_url, HOME=str(home))
        script = "\n".join(["set -euo pipefail", *SETUP[1:], "env -0"])
        done = subprocess.run(
            ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=600, check=False
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        exported = dict(item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
        wheels = sorted((home / "wheels").iterdir())
        assert [w.name for w in wheels] == [f"hatch_harmony-{metadata_version()}-py3-none-any.whl"]
        yield home, exported


def metadata_version() -> str:
    from importlib.metadata import version

    return version("hatch-harmony")


EXPECTED = {
    "hatch": {"jar"},
    "python -m build": {"sdist", "wheel"},
    "pip": {"wheel"},
    "uv": {"sdist", "wheel"},
}


def kind(artifact: Path) -> str:
    return {".gz": "sdist", ".whl": "wheel", ".jar": "jar"}[artifact.suffix]


@POSIX_SHELL
@pytest.mark.parametrize("frontend", sorted(FRONTENDS))
def test_readme_install_then_isolated_build(
    frontend: str, installed: tuple[Path, dict[str, str]], tmp_path: Path, emulator: Emulator
) -> None:
    _, env = installed
    project = make_connector(tmp_path / "dropbox-connector")
    env = {
        **env,
        "HARMONY_URL": emulator.url,
        "HARMONY_EMAIL": DEFAULT_EMAIL,
        "HARMONY_PASSWORD": DEFAULT_PASSWORD,
    }
    done = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{FRONTENDS[frontend]}"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output
    assert sum(emulator.counts().values()) == 3  # registered once: the hook ran in the isolated environment
    [registration] = emulator.registrations(DEFAULT_ORG_ID)
    assert_no_secret_in(emulator, output.encode())
    artifacts = sorted(p for p in (project / "dist").iterdir() if not p.name.startswith("."))
    assert {kind(a) for a in artifacts} == EXPECTED[frontend] and len(artifacts) == len(EXPECTED[frontend])
    for artifact in artifacts:
        if kind(artifact) == "jar":
            assert artifact.name == jar_file_name(NAME, VERSION)
            with zipfile.ZipFile(artifact) as jar:
                manifest = Manifest.parse(jar.read("META-INF/MANIFEST.MF"))
            assert manifest.get("Jitterbit-Connector-Key") == registration.key
        else:
            assert artifact.name.startswith(WHEEL_STEM)
            assert_no_secret_in(emulator, artifact.read_bytes(), *dict(archive_members(artifact)).values())
