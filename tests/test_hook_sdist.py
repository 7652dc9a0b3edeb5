"""README: a jar built from an unpacked sdist reuses the lock's registration and never registers.

An unpacked sdist is a folder with PKG-INFO and no .git: its harmony.lock is a temporary copy,
so a registration made there would be lost. Real `python -m hatchling build` runs against
the emulator: the sdist built from the source tree registers once; the jar built from the
unpacked sdist looks the registration up (login, list) and registers nothing; without a lock
entry it stops with the message that says why and what to do.
"""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.project.lock import read_lock
from tests.projects import CLASS_BYTES, Project, hatchling_build

PROJECT = Project("Acme Unpacked", "acme-unpacked")


def hatchling(root: Path, emulator: Emulator, target: str) -> subprocess.CompletedProcess[str]:
    return hatchling_build(root, emulator, "-t", target, timeout=120)


def unpack_sdist(root: Path, into: Path) -> Path:
    (sdist,) = (root / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+, 3.11.4+
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - our own sdist, just built
            archive.extractall(into)  # noqa: S202
    (unpacked,) = into.iterdir()
    classes = unpacked / "build" / "classes" / "acme" / "Hello.class"  # compile first
    classes.parent.mkdir(parents=True)
    classes.write_bytes(CLASS_BYTES)
    return unpacked


def test_a_jar_from_an_unpacked_sdist_reuses_the_lock_and_registers_nothing(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    assert hatchling(root, emulator, "sdist").returncode == 0
    [registration] = emulator.registrations(DEFAULT_ORG_ID)
    unpacked = unpack_sdist(root, tmp_path / "unpacked")
    assert (unpacked / "PKG-INFO").is_file() and (unpacked / "harmony.lock").is_file()
    emulator.reset_counts()

    done = hatchling(unpacked, emulator, "jar")

    assert done.returncode == 0, done.stderr
    assert emulator.counts()["register"] == 0 and len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    assert (emulator.counts()["login"], emulator.counts()["list"]) == (1, 1)  # the key was not in the sdist
    [entry] = read_lock(unpacked / "harmony.lock").entries
    assert entry.connector_id == registration.id
    assert (unpacked / "dist" / PROJECT.jar_name).is_file()


def test_an_unpacked_sdist_without_the_registration_never_registers_and_says_why(
    tmp_path: Path, emulator: Emulator
) -> None:
    unpacked = PROJECT.make(tmp_path / "acme-unpacked-0.1.0")
    (unpacked / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: acme-unpacked\nVersion: 0.1.0\n")

    done = hatchling(unpacked, emulator, "jar")

    assert done.returncode != 0
    assert emulator.counts()["register"] == 0 and emulator.registrations(DEFAULT_ORG_ID) == []
    message = done.stderr
    assert "this build cannot register it: it runs from an unpacked sdist" in message
    assert "Build once from the source tree (`hatch build`) and commit harmony.lock." in message
    assert "Traceback" not in message
    assert not (unpacked / "harmony.lock").exists() and not (unpacked / "dist" / PROJECT.jar_name).exists()
