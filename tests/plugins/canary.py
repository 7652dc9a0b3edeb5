"""Canary secrets and a scanner that proves they never leak ("zero hits").

A canary is a fake secret with a value no test would print on purpose: a canary user's
password, a session token, a connector key and secret. The flows of tests/promises/test_secrets.py
put them into play (a canary emulator account, `override_next` replies that hand out a
canary token, key and secret), then feed every byte a user or a log could see into a
`CanaryScan`: stdout and stderr of real processes, log records, exception chains, the lock
file, sdists and wheels (member by member, decompressed).

The values are short and not shaped like Harmony's (no UUID, fewer than 32 characters):
the client also masks anything that *looks* like a key or token, and a canary that such a
safety net hides would prove nothing about the code that should never have printed it.

The plugin also guards the whole suite: a test whose captured stdout, stderr or log
contains a canary fails, whatever it asserted itself.
"""

from __future__ import annotations

import base64
import io
import logging
import tarfile
import traceback
import zipfile
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.emulator import Emulator, User

CANARY_EMAIL = "canary.builder@example.com"  # not a secret: it names the account in messages
CANARY_PASSWORD = "cnry-pass-Q7x2v"
CANARY_TOKEN = "cnry-token-R4m9k"
CANARY_KEY = "cnry-key-T8w3p"
CANARY_SECRET = "cnry-secret-Z5k1d"

#: name -> value; the names appear in failure messages instead of the values.
CANARIES: dict[str, str] = {
    "password": CANARY_PASSWORD,
    "token": CANARY_TOKEN,
    "connector key": CANARY_KEY,
    "connector secret": CANARY_SECRET,
}


def _needles(value: str) -> list[bytes]:
    """The value as it could appear in a blob: plain, and base64-encoded at each of the 3 alignments."""
    raw = value.encode()
    needles = [raw]
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        # Drop the characters touched by the padding bytes and by the end of the value.
        start = (shift * 4 + 2) // 3 + 1
        needles.append(encoded[start : len(encoded) - 4])
    return [n for n in needles if len(n) >= 8]


def _unfolded(blob: bytes) -> bytes:
    """MANIFEST.MF folds values at 72 bytes ("\\r\\n " continues a line): a folded secret is still one."""
    return blob.replace(b"\r\n ", b"").replace(b"\n ", b"").replace(b"\r ", b"")


@dataclass
class Hit:
    where: str
    canary: str

    def __str__(self) -> str:
        return f"the canary {self.canary} appears in {self.where}"


@dataclass
class CanaryScan:
    """What a flow produced that a person, a log or an artifact could expose; `assert_clean()` at the end.

    `values` defaults to the four canaries; add more (the emulator's real keys) with `also()`.
    `seen` counts the blobs scanned, so a test can prove it scanned what it meant to.
    """

    values: dict[str, str] = field(default_factory=lambda: dict(CANARIES))
    blobs: list[tuple[str, bytes]] = field(default_factory=list)

    def also(self, name: str, value: str) -> None:
        if value:
            self.values[name] = value

    @property
    def seen(self) -> int:
        return len(self.blobs)

    def add(self, where: str, data: bytes | str) -> None:
        self.blobs.append((where, data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data))

    def add_file(self, path: Path) -> None:
        """A file; sdists and wheels are opened and scanned member by member too."""
        data = path.read_bytes()
        self.add(str(path), data)
        name = path.name
        if name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                for member in tar.getmembers():
                    handle = tar.extractfile(member)
                    if handle is not None:
                        self.add(f"{path.name}!{member.name}", handle.read())
        elif name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for entry in archive.namelist():
                    self.add(f"{path.name}!{entry}", archive.read(entry))

    def add_files(self, paths: Iterable[Path]) -> None:
        for path in paths:
            self.add_file(path)

    def add_records(self, where: str, records: Iterable[logging.LogRecord]) -> None:
        """Log records as any handler could render them: message, raw args and formatted exception."""
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        for record in records:
            self.add(f"{where}: log record {record.name}", formatter.format(record))
            self.add(f"{where}: log record args {record.name}", repr(record.args))

    def add_exception(self, where: str, exc: BaseException) -> None:
        """str, repr and the full chained traceback (causes included) of an exception."""
        self.add(f"{where}: str", str(exc))
        self.add(f"{where}: repr", repr(exc))
        self.add(f"{where}: traceback", "".join(traceback.format_exception(exc)))

    def hits(self) -> list[Hit]:
        found = []
        for where, blob in self.blobs:
            haystacks = (blob, _unfolded(blob))
            for name, value in self.values.items():
                if any(n in h for h in haystacks for n in _needles(value)):
                    found.append(Hit(where, name))
        return found

    def assert_clean(self) -> None:
        hits = self.hits()
        assert not hits, "secrets leaked:\n" + "\n".join(f"  - {hit}" for hit in hits)


def canary_users() -> list[User]:
    return [User(CANARY_EMAIL, CANARY_PASSWORD)]


@pytest.fixture
def canary_emulator() -> Iterator[Emulator]:
    """An emulator whose only account logs in with CANARY_PASSWORD (test controls on)."""
    with Emulator(users=canary_users(), test_controls=True) as running:
        yield running


@pytest.fixture
def canary_env(canary_emulator: Emulator) -> dict[str, str]:
    """HARMONY_URL, HARMONY_EMAIL and HARMONY_PASSWORD of the canary account."""
    return {
        "HARMONY_URL": canary_emulator.url,
        "HARMONY_EMAIL": CANARY_EMAIL,
        "HARMONY_PASSWORD": CANARY_PASSWORD,
    }


@pytest.fixture
def canary_scan() -> CanaryScan:
    return CanaryScan()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Suite-wide guard: whatever a test asserts, its captured output and log must hold no canary."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when != "call" or not report.passed:
        return
    scan = CanaryScan()
    for name, text in report.sections:
        scan.add(name, text)
    hits = scan.hits()
    if hits:
        report.outcome = "failed"
        report.longrepr = "canary secrets in the test's captured output:\n" + "\n".join(
            f"  - {hit}" for hit in hits
        )
