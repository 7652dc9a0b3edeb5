"""Many real processes build one connector at the same instant: one registration, one manifest.

Registering is not idempotent, so parallel builds of one project (a wheel and an sdist
at once, a CI matrix on one runner, two terminals) must not register twice. Each process
here imports everything first, then waits for a shared "go" file, so they hit the lookup
and the register at the same moment; the emulator adds latency to every request to widen
the window further. Half the processes are `hatchling build -t jar` (the build hook and
the jar target), half `hatch-harmony manifest --output` (the CLI a Maven build calls).
"""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from hatch_harmony import jar_manifest as jm
from hatch_harmony import vocabulary
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.project.lock import read_lock
from tests.projects import Project, build_env

DRIVER = r"""
import os, sys, time

go, kind, output = sys.argv[1:4]
if kind == "hatchling":
    from hatchling.cli import hatchling as run

    sys.argv = ["hatchling", "build", "-t", "jar", "-d", output]
    args = ()
else:
    from hatch_harmony.cli import main as run

    args = (["manifest", "--project", ".", "--output", output, "--json"],)
    # everything the run needs, loaded before the start
    import hatch_harmony.engine.pipeline, hatch_harmony.api.client
deadline = time.monotonic() + 60
while not os.path.exists(go):
    if time.monotonic() > deadline:
        sys.exit("never got the go signal")
    time.sleep(0.002)
sys.exit(run(*args))
"""

NAME = "Acme Race"
ACTIVITIES = ("query", "create", "delete")
PROJECT = Project(NAME, "acme-race", activities=ACTIVITIES)
JAR_NAME = PROJECT.jar_name


def make_project(root: Path) -> Path:
    return PROJECT.make(root, class_file="acme/Race.class")


def race(root: Path, emulator: Emulator, kinds: list[str], outputs: list[Path]) -> list[str]:
    """Start one process per kind, release them together; return each one's stdout + stderr."""
    env = build_env(emulator)
    go = root.parent / "go"
    go.unlink(missing_ok=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(go), kind, str(output)],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for kind, output in zip(kinds, outputs, strict=True)
    ]
    time.sleep(0.3)  # let them reach the starting line (a late one only races less; no result depends on it)
    go.touch()
    texts = []
    for proc in procs:
        out, _ = proc.communicate(timeout=240)
        assert proc.returncode == 0, out
        texts.append(out)
    return texts


def jar_manifest(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return archive.read("META-INF/MANIFEST.MF")


def run_race(
    tmp_path: Path, emulator: Emulator, n: int, *, fresh: bool
) -> tuple[Path, list[str], list[bytes], list[bytes]]:
    """n processes, half hatchling, half the CLI; returns outputs, jar manifests and CLI manifests."""
    root = make_project(tmp_path / "acme")
    if not fresh:  # a fresh CI checkout: the committed lock, no generated manifest
        first = race(root, emulator, ["cli"], [root / "build" / "warmup" / "MANIFEST.MF"])
        assert "registered" in first[0]
        emulator.reset_counts()
    kinds = ["hatchling" if i % 2 == 0 else "cli" for i in range(n)]
    outputs = [
        tmp_path / "jars" / str(i) if kind == "hatchling" else root / "build" / "cli" / str(i) / "MANIFEST.MF"
        for i, kind in enumerate(kinds)
    ]
    emulator.set_latency(0.05)
    texts = race(root, emulator, kinds, outputs)
    jars = [
        jar_manifest(out / JAR_NAME) for kind, out in zip(kinds, outputs, strict=True) if kind == "hatchling"
    ]
    cli = [out.read_bytes() for kind, out in zip(kinds, outputs, strict=True) if kind == "cli"]
    return root, texts, jars, cli


def assert_one_registration_and_one_manifest(
    root: Path, emulator: Emulator, jars: list[bytes], cli: list[bytes]
) -> None:
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    assert len(set(jars)) == 1 and len(set(cli)) == 1  # byte-identical within each frontend
    generated = (root / "build" / "harmony" / "MANIFEST.MF").read_bytes()
    assert cli[0] == generated  # the CLI and the hook render the same bytes
    main = dict(jm.Manifest.parse(jars[0]).main.items())
    assert main == dict(jm.Manifest.parse(generated).main.items())
    assert (main[vocabulary.KEY], main[vocabulary.SECRET], main[vocabulary.ENDPOINT_ID]) == (
        reg.key,
        reg.secret,
        reg.endpoint_entity_id,
    )
    [entry] = read_lock(root / "harmony.lock").entries
    assert entry.connector_id == reg.id
    start = int(reg.function_entity_start_id)
    assert entry.activities == {name: start + i for i, name in enumerate(ACTIVITIES)}
    assert {
        k.removeprefix(vocabulary.ACTIVITY_PREFIX): int(v)
        for k, v in main.items()
        if k.startswith(vocabulary.ACTIVITY_PREFIX)
    } == entry.activities


def test_twelve_simultaneous_builds_of_a_new_connector_register_it_once(
    tmp_path: Path, emulator: Emulator
) -> None:
    root, texts, jars, cli = run_race(tmp_path, emulator, 12, fresh=True)
    assert emulator.counts()["register"] == 1
    said = [t for t in texts if f"harmony: registered '{NAME}'" in t or '"action": "registered"' in t]
    assert len(said) == 1
    assert_one_registration_and_one_manifest(root, emulator, jars, cli)


def test_twelve_simultaneous_builds_of_a_fresh_checkout_register_nothing(
    tmp_path: Path, emulator: Emulator
) -> None:
    root, _, jars, cli = run_race(tmp_path, emulator, 12, fresh=False)
    counts = emulator.counts()
    assert counts["register"] == 0
    assert (
        counts["list"] <= 12 and counts["login"] == counts["list"]
    )  # a lookup costs login + list, at most once each
    assert_one_registration_and_one_manifest(root, emulator, jars, cli)


@pytest.mark.slow
def test_sixteen_builds_into_one_dist_folder_three_times(tmp_path: Path, emulator: Emulator) -> None:
    """Two terminals, at scale: every build writes the same jar path; each round the last one wins, whole."""
    root = make_project(tmp_path / "acme")
    dist = root / "dist"
    for round_ in range(3):
        race(root, emulator, ["hatchling"] * 16, [dist] * 16)
        jar_manifest(dist / JAR_NAME)
        assert sorted(p.name for p in dist.iterdir()) == [JAR_NAME], round_  # no temp jar left behind
    assert emulator.counts()["register"] == 1
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
