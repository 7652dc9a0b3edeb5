"""The README's first command: the demo builds the example connector twice, the second with no request.

The first test runs the demo's inner part (`demo.py --inner`) in this venv; the second runs the README's
command as written, venv bootstrap included, twice, in a copy of the repository's parts the demo needs.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.markdown import ROOT, fenced, read, section
from tests.package_index import ROOTS, build_index, isolated_env, serve

EXAMPLE = ROOT / "example_connector"


@pytest.mark.skipif(
    shutil.which("javac") is None, reason="javac not found: the demo compiles Java (install a JDK)"
)
def test_demo_registers_once_then_builds_without_requests(tmp_path: Path) -> None:
    copy = tmp_path / "example_connector"
    shutil.copytree(
        EXAMPLE, copy, ignore=shutil.ignore_patterns(".demo-venv", "build", "dist", "harmony.lock*")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
    env["HARMONY_DEMO_PORT"] = "0"  # any free port: tests may run beside a real demo
    done = subprocess.run(
        [sys.executable, str(copy / "demo.py"), "--inner"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    seen = [int(n) for n in re.findall(r"the emulator saw (\d+) request", output)]
    assert seen == [3, 0]
    assert "harmony: registered 'Weather Example'" in output
    jar = copy / "dist" / "weather-example-connector-1.0.0.jar"
    assert jar.is_file()
    manifest = (copy / "build" / "harmony" / "MANIFEST.MF").read_text(encoding="utf-8")
    secret = re.search(r"^Jitterbit-Connector-Secret: (.+)$", manifest, flags=re.M)
    key = re.search(r"^Jitterbit-Connector-Key: (.+)$", manifest, flags=re.M)
    assert secret and key
    assert secret.group(1).strip() not in output and key.group(1).strip() not in output
    assert "masked" in output


#: What the demo's bootstrap needs of the repository: `pip install -e REPO` builds hatch-harmony from these.
REPO_PARTS = ("pyproject.toml", "README.md", "hatch_harmony", "example_connector")


#: What a checkout's earlier demo runs leave (example_connector/.gitignore), and bytecode caches.
IGNORED = (
    "__pycache__",
    ".demo-venv",
    "build",
    "dist",
    "harmony.lock*",
    ".harmony.lock.*",
    "jitterbit-connector-sdk-0.0.0-stand-in.jar",
)


def demo_command() -> str:
    """The demo's command line, from README's section for people working on hatch-harmony."""
    hacking = section(read("README.md"), "## Working on hatch-harmony (this repository)")
    [command] = [block.strip() for block in fenced(hacking, "sh") if "demo.py" in block]
    return command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` (bytecode caches aside) with its size and modification time."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            stat = path.stat()
            found[path.relative_to(folder).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def seen(output: str) -> list[int]:
    return [int(n) for n in re.findall(r"the emulator saw (\d+) request", output)]


@pytest.mark.skipif(
    shutil.which("javac") is None, reason="javac not found: the demo compiles Java (install a JDK)"
)
def test_readme_demo_command_twice_bootstraps_once_and_runs_again_without_requests(tmp_path: Path) -> None:
    """README: the demo installs hatch-harmony into example_connector/.demo-venv, registers (3 requests,
    then 0), and "Run it again: still no request". Run as written, twice, from a copy of the repository
    (REPO, the checkout the bootstrap installs from, is the copy: this checkout is never touched).

    The bootstrap's `pip install -e REPO` installs from tests/package_index.py's index on 127.0.0.1
    (hatchling, hatch-harmony's dependencies, and editables for hatchling's editable wheel), only in the
    first run: the second finds hatch-harmony in the venv and must not install anything. `python3` is this
    interpreter, for whose markers the index was made. The emulator listens on one free port for both runs:
    a registration in harmony.lock belongs to its host, port included, and the README's second run reaches
    the same URL (the demo's fixed port) as the first; HARMONY_DEMO_PORT=0 would give each run a new host
    (and the second run 2 requests: login and list, to adopt the registration there).
    """
    repo = tmp_path / "repo"
    repo.mkdir()
    for part in REPO_PARTS:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, repo / part, ignore=shutil.ignore_patterns(*IGNORED))
        else:
            shutil.copy2(ROOT / part, repo / part)
    copy = repo / "example_connector"
    venv = copy / ".demo-venv"
    argv = shlex.split(demo_command())
    simple = build_index(tmp_path / "index", (*ROOTS, "editables"))

    def run(env: dict[str, str]) -> str:
        env = {**env, "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])}
        executable = shutil.which(argv[0], path=env["PATH"])
        assert executable is not None, argv[0]
        done = subprocess.run(
            [executable, *argv[1:]],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        return output

    port = str(free_port())
    with serve(simple) as index_url:
        first = run(isolated_env(tmp_path, index_url, HARMONY_DEMO_PORT=port))
    assert "demo: creating example_connector/.demo-venv and installing hatch-harmony" in first
    assert seen(first) == [3, 0]
    assert "harmony: registered 'Weather Example'" in first
    installed = subprocess.run(
        [
            str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")),
            "-I",
            "-c",
            "import hatch_harmony; print(hatch_harmony.__file__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(installed).parent == repo / "hatch_harmony"  # installed from the copy, in editable mode
    state = copy / "build" / "emulator-state.json"
    assert "Weather Example" in state.read_text(encoding="utf-8")
    lock = (copy / "harmony.lock").read_bytes()
    manifest = (copy / "build" / "harmony" / "MANIFEST.MF").read_bytes()
    before = files(venv)

    # the index is gone: an install would fail, and none may happen
    second = run(isolated_env(tmp_path, "http://127.0.0.1:9/simple/", HARMONY_DEMO_PORT=port))
    assert "demo: creating" not in second
    assert seen(second) == [0, 0]
    assert "harmony: registered" not in second and "adopted" not in second
    assert files(venv) == before  # the venv reused as it was: nothing installed into it again
    assert (copy / "harmony.lock").read_bytes() == lock  # the registration of the first run, on the same host
    assert (copy / "build" / "harmony" / "MANIFEST.MF").read_bytes() == manifest
    assert "Weather Example" in state.read_text(encoding="utf-8")
