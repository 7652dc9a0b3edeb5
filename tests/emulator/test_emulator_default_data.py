"""`hatch-harmony emulator` keeps its registrations across restarts by default (a fixed port), says where."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

from hatch_harmony.api.protocol import connectors_path
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.util.data_dir import emulator_data_file
from tests.plugins.emulator import RawApi


@dataclass(frozen=True)
class _At:
    """What RawApi needs of an emulator running in another process: its port."""

    port: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(port: int, data_home: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    """Start the emulator command on `port` with XDG_DATA_HOME = `data_home`; return it and its banner."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hatch_harmony.emulator", "--port", str(port), "--quiet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "XDG_DATA_HOME": str(data_home)},
    )
    assert proc.stdout is not None
    banner = []
    for line in proc.stdout:
        banner.append(line)
        if line.startswith("Stop with"):
            break
    else:
        proc.wait(timeout=30)
        pytest.fail(f"the emulator did not start: {banner} {proc.stderr.read() if proc.stderr else ''}")
    return proc, "".join(banner)


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 0


def names(api: RawApi) -> list[str]:
    reply = api.request("GET", connectors_path(DEFAULT_ORG_ID), token=api.login())
    return sorted(c["name"] for c in reply.json()["registeredConnectorList"])


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG_DATA_HOME is the Linux data folder")
def test_a_fixed_port_keeps_its_state_in_the_users_data_folder_and_memory_forgets(tmp_path: Path) -> None:
    port = free_port()
    expected = emulator_data_file(port, {"XDG_DATA_HOME": str(tmp_path)})
    assert expected == tmp_path / "hatch-harmony" / f"emulator-{port}.json"

    proc, banner = serve(port, tmp_path)
    try:
        assert f"State: saved in {expected} (kept across restarts" in banner
        api = RawApi(cast(Emulator, _At(port)))
        api.register(api.login(), "Kept")
    finally:
        stop(proc)
    assert expected.is_file() and (expected.stat().st_mode & 0o777) == 0o600

    proc, banner = serve(port, tmp_path)  # restarted: it remembers
    try:
        assert names(RawApi(cast(Emulator, _At(port)))) == ["Kept"]
    finally:
        stop(proc)

    proc, banner = serve(port, tmp_path, "--memory")
    try:
        assert "State: in memory only" in banner
        assert names(RawApi(cast(Emulator, _At(port)))) == []
    finally:
        stop(proc)


def test_data_and_memory_exclude_each_other(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hatch_harmony.emulator", "--memory", "--data", str(tmp_path / "x.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "not allowed with argument" in done.stderr
