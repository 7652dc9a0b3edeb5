"""Does a finished sdist or wheel hold the connector key or secret? Asked of the archive itself.

The `harmony` hook checks hatchling's file selection before the build (`packaging`), but
hatchling runs every other hook's `initialize` after ours, and any of them may add files
(a `force_include` of `build/`, a copy of the manifest under another name). What the
archive finally holds is known only once it is written: hatchling then calls each hook's
`finalize` with its path, and the hook reads the archive back here. The setuptools
integration asks the same question of the archives setuptools made.

What counts as a leak, by content, not by name: an entry whose bytes hold the key or the
secret of the manifest this build generated (so a copy under any name, a link, or a file a
hook wrote from it is caught), or an entry at the generated manifest's own path. A
committed template with placeholders (`****`) holds neither and ships as before.

Cost: every entry is decompressed once and searched for a few short byte strings, in
chunks (memory stays flat for large files). zlib inflates at hundreds of MB/s, so a wheel
of a few MB costs a few ms (benchmarks/RESULTS.md, section 8). Standard library only:
hatchling has already imported the archive module it wrote with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from hatch_harmony.vocabulary import KEY, SECRET

#: Bytes read at a time from one archive entry.
CHUNK = 1 << 20
#: Values shorter than this are not searched for: they would match ordinary bytes. Harmony's
#: keys and secrets are long random strings; a shorter one is no secret worth the name.
MIN_NEEDLE = 8


class Leak:
    """One archive entry that must not ship, and why."""

    __slots__ = ("entry", "generated")

    def __init__(self, entry: str, *, generated: bool) -> None:
        self.entry = entry
        #: True: the entry is at the generated manifest's path; False: it holds the key or secret.
        self.generated = generated

    def __repr__(self) -> str:  # never the bytes, only where they are
        return f"Leak({self.entry!r}, generated={self.generated})"


def needles(manifest: bytes) -> tuple[bytes, ...]:
    """The byte strings that give the key or secret away: their values, unfolded and as written.

    A manifest folds lines at 72 bytes (a continuation line starts with one space), so a
    copy of the manifest holds a long secret folded, and a file a hook wrote from the value
    holds it unfolded: both forms are searched for.
    """
    found: list[bytes] = []
    lines = re.split(rb"\r\n|\r|\n", manifest)
    index = 0
    while index < len(lines):
        raw = [lines[index]]
        index += 1
        while index < len(lines) and lines[index].startswith(b" "):
            raw.append(lines[index])
            index += 1
        name, sep, _ = raw[0].partition(b": ")
        if not sep or name.decode("ascii", "replace") not in (KEY, SECRET):
            continue
        value = (raw[0][len(name) + 2 :] + b"".join(part[1:] for part in raw[1:])).strip()
        found.append(value)
        if len(raw) > 1:  # folded: each piece of it as written (the first after the name)
            found += [raw[0][len(name) + 2 :], *(part[1:] for part in raw[1:])]
    return tuple(dict.fromkeys(n for n in found if len(n) >= MIN_NEEDLE))


def scan(artifact: Path, manifest: bytes, *, manifest_path: str | None = None) -> Leak | None:
    """The first entry of `artifact` (.tar.gz sdist or zip wheel) that must not ship, or None.

    `manifest` is the generated manifest (its key and secret are searched for);
    `manifest_path` its project-relative path ('/'-separated), matched at the end of names.
    """
    wanted = needles(manifest)
    for name, stream in _entries(artifact):
        if manifest_path and (name == manifest_path or name.endswith("/" + manifest_path)):
            return Leak(name, generated=True)
        if wanted and _holds(stream, wanted):
            return Leak(name, generated=False)
    return None


def _entries(artifact: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """(name, open stream) of every regular file in the archive.

    Each format's module is imported when an archive of it is read: a wheel build never loads
    tarfile, an sdist build never zipfile (hatchling loaded the one it wrote with).
    """
    if artifact.name.endswith((".tar.gz", ".tgz", ".tar")):
        import tarfile

        with tarfile.open(artifact) as tar:
            for member in tar:
                if member.isfile():
                    handle = tar.extractfile(member)
                    if handle is not None:
                        with handle:
                            yield member.name, handle
        return
    import zipfile

    with zipfile.ZipFile(artifact) as archive:
        for info in archive.infolist():
            if not info.is_dir():
                with archive.open(info) as handle:
                    yield info.filename, handle


def _holds(stream: IO[bytes], wanted: Iterable[bytes]) -> bool:
    """Whether the stream holds any of `wanted`, read in chunks that overlap by the longest one."""
    wanted = tuple(wanted)
    overlap = max(len(w) for w in wanted) - 1
    tail = b""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return False
        window = tail + chunk
        if any(w in window for w in wanted):
            return True
        tail = window[-overlap:] if overlap else b""
