"""A command imports only what it runs: `status`, `manifest --check` and `list` (until it sends a request)
load neither the emulator (a whole HTTP server), nor `http.server`, nor httpx.

Each command runs in a fresh interpreter through a small wrapper that calls `hatch_harmony.cli.main`
and then writes the names in `sys.modules` to a file: what the console script would have loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hatch_harmony.emulator import Emulator
from tests.cli.test_cli import PROJECT, env_for

WRAPPER = """\
import json, sys
from pathlib import Path
from hatch_harmony.cli import main
out, argv = Path(sys.argv[1]), sys.argv[2:]
try:
    code = main(argv)
finally:
    out.write_text(json.dumps(sorted(sys.modules)))
sys.exit(code)
"""

#: What none of these commands may load: the emulator's package, its server, the HTTP client.
NOT_RUN = ("hatch_harmony.emulator", "http.server", "httpx")


def loaded_by(project: Path, env: dict[str, str], *args: str) -> tuple[int, set[str]]:
    """The exit code of `hatch-harmony ARGS --project PROJECT` and every module it imported."""
    out = project.parent / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(out), *args, "--project", str(project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.is_file(), done.stderr
    return done.returncode, set(json.loads(out.read_text(encoding="utf-8")))


def no_harmony_variables() -> dict[str, str]:
    """The environment without any HARMONY_* variable: the default host, no credentials."""
    return {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}


def not_run(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m in NOT_RUN or m.startswith(tuple(f"{n}." for n in NOT_RUN)))


def test_status_and_manifest_check_import_neither_the_emulator_nor_an_http_stack(
    tmp_path: Path, emulator: Emulator
) -> None:
    project = PROJECT.make(tmp_path / "acme", gitignore=False, class_file=None)
    env = env_for(emulator)
    code, _ = loaded_by(project, env, "manifest")  # registers: lock and manifest written
    assert code == 0
    emulator.reset_counts()
    for command in (["status"], ["status", "--json"], ["manifest", "--check"]):
        code, modules = loaded_by(project, env, *command)
        assert code == 0, command
        assert "hatch_harmony.cli.commands" in modules  # the command did run
        assert not_run(modules) == [], command
    assert sum(emulator.counts().values()) == 0


def test_status_without_a_registration_needs_no_network_and_no_http_stack(tmp_path: Path) -> None:
    project = PROJECT.make(tmp_path / "acme", gitignore=False, class_file=None)
    code, modules = loaded_by(project, no_harmony_variables(), "status")
    assert code == 0
    assert not_run(modules) == []


def test_list_imports_httpx_only_when_it_sends_a_request(tmp_path: Path, emulator: Emulator) -> None:
    project = PROJECT.make(tmp_path / "acme", gitignore=False, class_file=None)
    code, modules = loaded_by(project, no_harmony_variables(), "list")
    assert code == 3  # no credentials: stopped before any request
    assert not_run(modules) == []
    code, modules = loaded_by(project, env_for(emulator), "list")
    assert code == 0
    assert "httpx" in modules  # the wrapper sees what a command really loads
    assert "hatch_harmony.emulator" not in modules
