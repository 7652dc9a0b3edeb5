"""The README's first command: the demo builds the example connector twice, the second with no request."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "example_connector"


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
