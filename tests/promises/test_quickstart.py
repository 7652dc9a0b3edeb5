"""README's "Quickstart: a new connector", run as written, against a fresh emulator.

The section's two `sh` blocks are read from README.md: the first starts the emulator in a second
terminal (here the test's own emulator stands in for it, on a free port), the second is run verbatim
with bash in a temporary folder, the one change being the emulator's URL. `init --new`, javac against
the SDK stand-in init compiled, two `hatch build -t jar` (hatch from this venv, its build environment
pointed at this venv so it installs nothing) and `doctor`: the first build registers (3 requests),
the second makes none, doctor logs in, lists and validates (3), and every check is ok or skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hatch_harmony.cli.parser import build_parser
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.jar_manifest import Manifest
from tests.artifacts import assert_no_secret_in
from tests.markdown import fenced, read, section
from tests.promises.test_frontends import frontend_env

SECTION = "## Quickstart: a new connector"
README_URL = "http://127.0.0.1:8765"

pytestmark = [
    pytest.mark.skipif(shutil.which("javac") is None, reason="javac not found: the quickstart compiles Java"),
    pytest.mark.skipif(sys.platform == "win32", reason="README's quickstart lines are POSIX sh"),
]


def quickstart_blocks() -> tuple[str, str]:
    blocks = fenced(section(read("README.md"), SECTION), "sh")
    assert len(blocks) == 2, "the Quickstart has the emulator's block and the steps' block"
    return blocks[0].strip(), blocks[1]


def test_the_first_block_starts_the_emulator_with_options_the_cli_takes() -> None:
    emulator, _ = quickstart_blocks()
    assert emulator == "hatch-harmony emulator"
    assert build_parser().parse_args(emulator.split()[1:]).command == "emulator"


def test_the_quickstart_runs_as_written(tmp_path: Path, emulator: Emulator) -> None:
    _, steps = quickstart_blocks()
    assert steps.count(README_URL) == 1 and "8765" not in steps.replace(README_URL, "")
    script = "set -euo pipefail\n" + steps.replace(README_URL, emulator.url)
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=frontend_env(tmp_path),  # no HARMONY_*: the block exports what the build needs
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output
    project = tmp_path / "weather"
    [jar] = sorted((project / "dist").glob("*.jar"))
    assert jar.name == "weather-connector-1.0.0.jar"  # the name the block's comment promises
    assert f"→ dist/{jar.name}" in steps
    [registration] = emulator.registrations(DEFAULT_ORG_ID)
    with zipfile.ZipFile(jar) as archive:
        names = archive.namelist()
        manifest = Manifest.parse(archive.read("META-INF/MANIFEST.MF"))
    assert manifest.get("Jitterbit-Connector-Key") == registration.key
    assert not [n for n in names if n.startswith("org/jitterbit/") or "jitterbit-connector-sdk" in n]
    assert "registered 'Weather'" in output and "0 requests" in output  # the two builds, as commented
    assert sum(emulator.counts().values()) == 3 + 3  # the registration, then doctor: login, list, validate
    summary = [line for line in output.splitlines() if line.endswith("; 3 requests") and " ok, " in line]
    assert summary and " 0 failed" in summary[0] and " 0 warnings" in summary[0], output
    assert (project / "harmony.lock").is_file()
    assert_no_secret_in(emulator, output.encode())
