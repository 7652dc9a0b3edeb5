"""What the deploy tests share: the other connector's jar, an agent folder, running the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.cli import main
from tests.deploy.conftest import Jar, connector_jar, put

OTHER = connector_jar(
    "other-connector-2.0.jar",
    "Other Connector",
    "Jitterbit-Connector: true\nJitterbit-Connector-UI: adapter.json\nVersion: 1.0.0",
)


def deploy(
    capsys: pytest.CaptureFixture[str], project: Path, *args: str, env: str = "dev"
) -> tuple[int, dict[str, Any], str]:
    """`hatch-harmony deploy --json` in-process: exit code, the document, stderr."""
    code = main(["deploy", "--project", str(project), "--env", env, "--json", *args])
    out, err = capsys.readouterr()
    document = json.loads(out) if out.strip() else {}
    return code, document, err


def agent_folder(tmp_path: Path, *jars: Jar) -> Path:
    folder = tmp_path / "Connectors"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("not a jar\n", encoding="utf-8")
    for jar in (OTHER, *jars):
        put(folder, jar)
    return folder


KILLER = """
import os, signal, sys
import importlib
from hatch_harmony.cli import main

module, _, cls = sys.argv[1].rpartition(".")
folder_class = getattr(importlib.import_module(module), cls)
stop_at, calls = sys.argv[2], []

def stopping(name):
    original = getattr(folder_class, name)
    def step(self, *args):
        original(self, *args)
        calls.append(name)
        if f"{name}:{calls.count(name)}" == stop_at:
            os.kill(os.getpid(), signal.SIGKILL)
    setattr(folder_class, name, step)

stopping("write")
stopping("rename")
sys.exit(main(sys.argv[3:]))
"""


def killed_deploy(
    folder_class: str, stop_at: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """`hatch-harmony deploy ARGS` in a subprocess that kills itself (SIGKILL) right after the
    folder operation `stop_at` ("rename:2": the second rename) of `folder_class`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
    return subprocess.run(
        [sys.executable, "-c", KILLER, folder_class, stop_at, "deploy", *args],
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
