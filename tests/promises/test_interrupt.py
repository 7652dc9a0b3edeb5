"""Ctrl+C during a registering `hatchling build`: one line saying what was left, and the next build heals it.

The emulator delays every request (its latency control), so the build is still waiting for
the register reply when the test sends SIGINT, once the emulator has counted the register
request. The emulator completes the registration anyway (as Harmony would: the request
reached it); the lock was never written. The next build finds the registration by name and
version and adopts it: Harmony ends with one registration, the lock with its ids.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.project.lock import read_lock
from tests.projects import Project, build_env

PROJECT = Project("Acme Interrupted", "acme-interrupted")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX signals")


def wait_for(condition: object, what: str, limit: float = 60.0) -> None:
    """Poll until `condition()` holds; a hang fails with `what` instead of blocking the suite."""
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.02)


def test_ctrl_c_during_register_is_one_line_and_the_next_build_adopts(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    env = build_env(emulator)
    emulator.set_latency(0.5)
    build = subprocess.Popen(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: emulator.counts()["register"] == 1, "the build's register request")
        build.send_signal(signal.SIGINT)
        out, err = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
    emulator.set_latency(0)

    assert build.returncode == 130, out + err
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err
    (line,) = [text for text in err.splitlines() if "interrupted" in text]
    assert line.startswith("hatch-harmony: interrupted (Ctrl+C).")
    assert "the next build finds and adopts it (no second registration)" in line
    wait_for(lambda: len(emulator.registrations(DEFAULT_ORG_ID)) == 1, "the registration to complete")
    assert not (root / "harmony.lock").exists() and not (root / "dist" / PROJECT.jar_name).exists()

    emulator.reset_counts()
    again = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert again.returncode == 0, again.stderr
    assert emulator.counts()["register"] == 0 and emulator.counts()["list"] == 1
    (registration,) = emulator.registrations(DEFAULT_ORG_ID)
    (entry,) = read_lock(root / "harmony.lock").entries
    assert entry.connector_id == registration.id
