"""Looking inside what builds produce: archive members, and the emulator's secrets to search them for."""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from hatch_harmony.emulator import DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator


def archive_members(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every member of an sdist (.tar.gz) or a wheel/jar (zip), decompressed."""
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path) as tar:
            for member in tar.getmembers():
                handle = tar.extractfile(member)
                if handle is not None:
                    yield member.name, handle.read()
    else:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                yield name, archive.read(name)


def emulator_secrets(emulator: Emulator) -> list[bytes]:
    """The demo password and every key and secret the emulator handed out."""
    values = [DEFAULT_PASSWORD] + [
        s for r in emulator.registrations(DEFAULT_ORG_ID) for s in (r.key, r.secret)
    ]
    return [value.encode() for value in values]


def assert_no_secret_in(emulator: Emulator, *blobs: bytes) -> None:
    for secret in emulator_secrets(emulator):
        for blob in blobs:
            assert secret not in blob
