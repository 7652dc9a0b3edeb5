"""Writing a reproducible jar: the same entries give the same bytes, on any machine.

This module knows zip and the two jar rules Java enforces, nothing about connectors:
which files go into a connector jar is decided in `layout.py`. Keeping the archive
mechanics here makes them testable without hatch and reusable by the CLI.

What makes the output reproducible (the same choices as hatchling's wheels, flit and
Maven's `project.build.outputTimestamp`):

* entries in a fixed order: `META-INF/`, `META-INF/MANIFEST.MF`, then every other entry
  sorted by name, with a directory entry for every parent folder (the JDK's `jar` tool
  writes them too, and `ClassLoader.getResource("dir/")` needs them);
* one timestamp for every entry, the `epoch` the caller passes (the jar target takes it from
  hatchling's reproducible settings, `config.entry_epoch`), DEFAULT_EPOCH when nothing
  sets one, clamped to what a zip date can hold;
* permissions fixed to 0644 for files and 0755 for folders, "made on Unix" whatever the
  host, and no extra fields (no extended timestamps, no uid/gid);
* deflate at zlib's default level 6 (what `zipfile` uses when no level is set: a fixed
  level; the bytes are identical for one zlib implementation).

Files are streamed into the archive in chunks, so bundling hundreds of dependency jars
never holds them in memory, and the jar is written through `files.atomic_write_with` (a
temporary file beside the target, renamed over it only when complete): a failed build
leaves the previous jar intact.
"""

from __future__ import annotations

import calendar
import os
import shutil
import stat
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hatch_harmony.util.files import atomic_write_with

MANIFEST_DIR = "META-INF/"
MANIFEST_NAME = "META-INF/MANIFEST.MF"

#: 1980-02-01T00:00:00Z (the Java tools' convention: bnd, Maven): a date that is obviously not
#: a build time, a month past the zip epoch so that no time-zone conversion by a reader ever
#: lands before 1980.
DEFAULT_EPOCH = calendar.timegm((1980, 2, 1, 0, 0, 0))
#: The range a zip (MS-DOS) timestamp can hold: 1980-01-01 .. 2107-12-31 23:59:58.
ZIP_MIN_EPOCH = calendar.timegm((1980, 1, 1, 0, 0, 0))
ZIP_MAX_EPOCH = calendar.timegm((2107, 12, 31, 23, 59, 58))

FILE_MODE = 0o644
DIR_MODE = 0o755
_MADE_ON_UNIX = 3  # zip "version made by" host: Unix, so readers honour the modes below
_MSDOS_DIRECTORY = 0x10
_CHUNK = 1 << 18  # 256 KiB: about the most of any one file held in memory while writing


@dataclass(frozen=True)
class JarEntry:
    """One file of a jar: its name inside the jar and where its bytes come from.

    Exactly one of `source` (a file streamed at write time) and `data` (small in-memory
    content, such as a generated manifest) is set; use the two constructors.
    """

    name: str
    source: Path | None = None
    data: bytes | None = None

    @classmethod
    def from_file(cls, name: str, source: Path) -> JarEntry:
        return cls(check_entry_name(name), source=source)

    def __post_init__(self) -> None:
        if (self.source is None) == (self.data is None):
            raise ValueError(f"jar entry {self.name!r} needs exactly one of source and data")


def check_entry_name(name: str) -> str:
    """Return `name` if it is a clean relative jar path of a file, else raise ValueError.

    Jar names are `/`-separated; a backslash, an absolute path, `.`/`..` or an empty
    segment would be read differently by different unzip tools (or escape the folder
    they are extracted to), so they are refused rather than "fixed".
    """
    if not name or name.startswith("/") or name.endswith("/"):
        raise ValueError(f"not a relative file name for a jar entry: {name!r}")
    if "\\" in name or "\x00" in name:
        raise ValueError(f"a jar entry name may not contain a backslash or NUL: {name!r}")
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise ValueError(f"a jar entry name may not contain empty, '.' or '..' segments: {name!r}")
    if len(name.encode("utf-8")) > 0xFFFF:
        raise ValueError(f"jar entry name too long: {name[:60]!r}...")
    return name


def zip_date_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    """The zip date of `epoch`, in UTC (zip dates have no zone; UTC keeps them host-independent)."""
    clamped = min(max(epoch, ZIP_MIN_EPOCH), ZIP_MAX_EPOCH)
    t = time.gmtime(clamped)
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def write_jar(target: Path, manifest: bytes, entries: Iterable[JarEntry], *, epoch: int) -> Path:
    """Write a jar atomically to `target`: the manifest first, then `entries` in name order.

    `entries` must not contain the manifest (it is the `manifest` argument) or the same
    name twice; both raise ValueError, since the caller is expected to have resolved
    such conflicts with a message fit for its user. An OSError while writing the archive
    (an unreadable source, a full disk) propagates as it is, and a failure to replace
    `target` raises files.FileWriteError; either way the temporary file is removed and
    `target` is untouched. The jar is 0644 under the usual umask: not a secret beyond what
    its manifest holds, and agents' deploy scripts must read it. Returns `target`.
    """
    files: dict[str, JarEntry] = {}
    for entry in entries:
        if entry.name.upper() == MANIFEST_NAME:
            raise ValueError(f"{entry.name!r} is written from the manifest argument, not as an entry")
        if entry.name in files:
            raise ValueError(f"two jar entries are named {entry.name!r}")
        files[entry.name] = entry
    directories = {MANIFEST_DIR}
    for name in files:
        parts = name.split("/")[:-1]
        directories.update("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    clashes = sorted({folder.rstrip("/") for folder in directories} & files.keys())
    if clashes:
        raise ValueError(f"{clashes[0]!r} is both a file and a folder in the jar")
    ordered = sorted((directories - {MANIFEST_DIR}) | files.keys())
    date_time = zip_date_time(epoch)

    def write(raw: BinaryIO) -> None:
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _add_directory(archive, MANIFEST_DIR, date_time)
            _add_file(archive, JarEntry(MANIFEST_NAME, data=manifest), date_time)
            for name in ordered:
                if name in files:
                    _add_file(archive, files[name], date_time)
                else:
                    _add_directory(archive, name, date_time)

    atomic_write_with(target, write, mode=FILE_MODE)
    return target


def _info(name: str, date_time: tuple[int, int, int, int, int, int], mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.create_system = _MADE_ON_UNIX
    info.external_attr = mode << 16
    return info


def _add_directory(
    archive: zipfile.ZipFile, name: str, date_time: tuple[int, int, int, int, int, int]
) -> None:
    info = _info(name, date_time, stat.S_IFDIR | DIR_MODE)
    info.external_attr |= _MSDOS_DIRECTORY
    info.compress_type = zipfile.ZIP_STORED
    archive.writestr(info, b"")


def _add_file(
    archive: zipfile.ZipFile, entry: JarEntry, date_time: tuple[int, int, int, int, int, int]
) -> None:
    info = _info(entry.name, date_time, stat.S_IFREG | FILE_MODE)
    info.compress_type = zipfile.ZIP_DEFLATED
    if entry.data is not None:
        archive.writestr(info, entry.data)
        return
    assert entry.source is not None  # guaranteed by JarEntry.__post_init__
    with entry.source.open("rb") as src:
        # The size decides whether zipfile reserves a zip64 header; sizes are rewritten
        # after streaming, so only files over 2 GiB are affected.
        info.file_size = os.fstat(src.fileno()).st_size
        with archive.open(info, "w") as dest:
            shutil.copyfileobj(src, dest, _CHUNK)
