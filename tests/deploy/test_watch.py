"""`hatch-harmony deploy --watch`: each change of the jar's inputs reaches the agent under a new Version."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from hatch_harmony.deploy.watch import dev_version, with_version
from tests.deploy.agent import main_section, one_jar_each
from tests.deploy.conftest import NAME, Built

pytest.importorskip("watchfiles", reason="the [watch] extra (watchfiles) is not installed")


def version_in(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return main_section(archive.read("META-INF/MANIFEST.MF"))["version"]


def wait_for(what: str, ready: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    """Until `ready()` (no timing is asserted: the limit only ends a hung test)."""
    for _ in range(1200):
        if ready():
            return
        assert process.poll() is None, f"the loop ended early while waiting for {what}"
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def loaded_version(folder: Path) -> str | None:
    """The Version of the connector's one loaded jar; None when there is none (or it was just renamed)."""
    jar = one_jar_each(folder).get(NAME)
    try:
        return None if jar is None else version_in(folder / jar)
    except FileNotFoundError:
        return None


def test_the_loop_deploys_each_change_under_a_growing_dev_version_and_stops_cleanly(
    built: Built, tmp_path: Path
) -> None:
    project = built.copy(tmp_path / "acme")
    folder = tmp_path / "Connectors"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
    env["HARMONY_OFFLINE"] = "1"  # the lock and the dev manifest's key are at hand: no request at all
    command = ("deploy", "--watch", "--env", "dev", "--project", str(project), "--to", str(folder))
    loop = subprocess.Popen(
        [sys.executable, "-m", "hatch_harmony", *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for("the first deploy", lambda: loaded_version(folder) is not None, loop)
        first = loaded_version(folder)
        assert first is not None and first.startswith("0.1.0.dev")
        class_file = project / "build" / "classes" / "acme" / "Hello.class"
        class_file.write_bytes(class_file.read_bytes() + b"changed")
        wait_for("the rebuilt jar", lambda: loaded_version(folder) not in (None, first), loop)
        second = loaded_version(folder)
        assert second is not None and int(second.rpartition("dev")[2]) > int(first.rpartition("dev")[2])
        jar = folder / one_jar_each(folder)[NAME]
        with zipfile.ZipFile(jar) as archive:
            assert archive.read("acme/Hello.class").endswith(b"changed")
            assert archive.namelist()[:2] == ["META-INF/", "META-INF/MANIFEST.MF"]
        (retired,) = folder.glob("*.retired")
        assert version_in(retired) == first
    finally:
        loop.send_signal(signal.SIGINT)
        out, err = loop.communicate(timeout=120)
    assert loop.returncode == 130, err
    assert "interrupted" in err and "not deployed" not in out
    assert list(one_jar_each(folder)) == [NAME]
    assert not (project / "dist").exists()  # dist/ keeps the release jar: the loop builds elsewhere


def test_dev_versions_only_grow_and_the_jar_keeps_its_entries(built: Built) -> None:
    version, number = dev_version("0.1.0", 10**15)
    assert (version, number) == (f"0.1.0.dev{10**15 + 1}", 10**15 + 1)
    later, _ = dev_version("0.1.0", 0)
    assert int(later.rpartition("dev")[2]) >= 20240101000000
    rewritten = with_version(built.dev.data, "9.9.9.dev1")
    with (
        zipfile.ZipFile(io.BytesIO(built.dev.data)) as before,
        zipfile.ZipFile(io.BytesIO(rewritten)) as after,
    ):
        assert before.namelist() == after.namelist()
        for name in before.namelist():
            if name != "META-INF/MANIFEST.MF":
                assert before.read(name) == after.read(name)
        old, new = (main_section(z.read("META-INF/MANIFEST.MF")) for z in (before, after))
        assert new.pop("version") == "9.9.9.dev1" and old.pop("version") == "1.0.0"
        assert new == old
