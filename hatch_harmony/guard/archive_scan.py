"""Does a finished sdist or wheel hold the connector key or secret? Asked of the archive itself.

The `harmony` hook checks hatchling's file selection before the build (`packaging`), but
hatchling runs every other hook's `initialize` after ours, and any of them may add files
(a `force_include` of `build/`, a copy of the manifest under another name). What the
archive finally holds is known only once it is written: hatchling then calls each hook's
`finalize` with its path, and the hook reads the archive back here. The setuptools
integration asks the same question of the archives setuptools made.

What counts as a leak: an entry whose bytes hold the key or the secret of the manifest this
build generated (so a copy under any name, a link, or a file a hook wrote from it is caught),
an entry at the generated manifest's own path, and a `*.MF` entry holding a real
`Jitterbit-Connector-Secret` (another environment's generated manifest, or a template that
still holds the real secret). A committed template with placeholders (`****`) ships as before.

Cost: every entry is decompressed once and searched for a few short byte strings, in
chunks (memory stays flat for large files). zlib inflates at hundreds of MB/s, so a wheel
of a few MB costs a few ms (benchmarks/RESULTS.md, section 8). Standard library only:
hatchling has already imported the archive module it wrote with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from hatch_harmony.vocabulary import KEY, SECRET, is_placeholder

#: Bytes read at a time from one archive entry.
CHUNK = 1 << 20
#: Values shorter than this are not searched for: they would match ordinary bytes. Harmony's
#: keys and secrets are long random strings; a shorter one is no secret worth the name.
MIN_NEEDLE = 8
#: A `*.MF` entry larger than this is no manifest (99 activities and a 200-jar Class-Path: 11 KiB).
MANIFEST_LIMIT = 1 << 20


#: Why an entry must not ship (Leak.kind).
GENERATED = "generated"  # at the generated manifest's own path
HOLDS = "holds"  # holds this build's key or secret (a copy, a link, a file a hook wrote)
MANIFEST = "manifest"  # a *.MF holding a real Jitterbit-Connector-Secret (another environment's, a template)


class Leak:
    """One archive entry that must not ship, and why (`kind`: GENERATED, HOLDS or MANIFEST)."""

    __slots__ = ("entry", "kind")

    def __init__(self, entry: str, kind: str) -> None:
        self.entry = entry
        self.kind = kind

    def __repr__(self) -> str:  # never the bytes, only where they are
        return f"Leak({self.entry!r}, {self.kind})"


def _attributes(manifest: bytes) -> Iterator[tuple[str, bytes, list[bytes]]]:
    """(name, unfolded value, value pieces as written) of each attribute line of a manifest.

    A manifest folds lines at 72 bytes (a continuation line starts with one space).
    """
    lines = re.split(rb"\r\n|\r|\n", manifest)
    index = 0
    while index < len(lines):
        raw = [lines[index]]
        index += 1
        while index < len(lines) and lines[index].startswith(b" "):
            raw.append(lines[index])
            index += 1
        name, sep, _ = raw[0].partition(b": ")
        if sep:
            pieces = [raw[0][len(name) + 2 :], *(part[1:] for part in raw[1:])]
            yield name.decode("ascii", "replace"), b"".join(pieces).strip(), pieces


def needles(manifest: bytes) -> tuple[bytes, ...]:
    """The byte strings that give the key or secret away: their values, unfolded and as written.

    A copy of the manifest holds a long secret folded, and a file a hook wrote from the value
    holds it unfolded: both forms are searched for.
    """
    found: list[bytes] = []
    for name, value, pieces in _attributes(manifest):
        if name in (KEY, SECRET):
            found.append(value)
            if len(pieces) > 1:
                found += pieces
    return tuple(dict.fromkeys(n for n in found if len(n) >= MIN_NEEDLE))


def holds_real_secret(data: bytes) -> bool:
    """Whether manifest bytes hold a real (not placeholder) Jitterbit-Connector-Secret."""
    if SECRET.encode() not in data:
        return False
    for name, value, _ in _attributes(data):
        if name == SECRET:
            return not is_placeholder(value.decode("utf-8", "replace"))
    return False


def scan(artifact: Path, manifest: bytes, *, manifest_path: str | None = None) -> Leak | None:
    """The first entry of `artifact` (.tar.gz sdist or zip wheel) that must not ship, or None.

    `manifest` is the generated manifest (its key and secret are searched for);
    `manifest_path` its project-relative path ('/'-separated), matched at the end of names.
    `*.MF` entries (small, and few) are also read as manifests: one holding a real secret is
    another environment's generated manifest, or a template that should hold placeholders.
    """
    wanted = needles(manifest)
    for name, stream in _entries(artifact):
        if manifest_path and _at(name, manifest_path):
            return Leak(name, GENERATED)
        if name.upper().endswith(".MF"):
            data = stream.read()
            if any(w in data for w in wanted):
                return Leak(name, HOLDS)
            if len(data) <= MANIFEST_LIMIT and holds_real_secret(data):
                return Leak(name, MANIFEST)
            continue
        if wanted and _holds(stream, wanted):
            return Leak(name, HOLDS)
    return None


def what(leak: Leak, manifest_path: str | None) -> str:
    """The entry's description for a message (never its bytes)."""
    if leak.kind == GENERATED:
        return "the generated manifest"
    if leak.kind == MANIFEST:
        return "a manifest holding a real connector secret (another environment's generated manifest?)"
    return f"a file holding the connector key or secret of {manifest_path or 'the generated manifest'}"


def leak_message(
    leak: Leak,
    *,
    artifact: str,
    manifest_path: str | None,
    template: str | None,
    cause: Callable[[str | None], str],
    setting: str = "",
) -> str:
    """Why the archive was removed: the entry, what it is, and what put it there.

    One wording for every frontend: `artifact` as the message shows it, `manifest_path` and
    `template` project-relative ('/'-separated) or None, `setting` the option naming the
    manifest (shown after the description, when given). The committed template gets its own
    fix (`template_fix`); otherwise `cause` tells what put the entry there, given the manifest
    path its frontend may look up (None when the entry is another manifest, which the
    frontend's file selection cannot tell apart).
    """
    held = f"{artifact} held {leak.entry}, "
    # (an entry at the generated manifest's own path is that manifest, even when its name ends
    # like the template's: a root template MANIFEST.MF and build/harmony/MANIFEST.MF)
    if template is not None and leak.kind != GENERATED and _at(leak.entry, template):
        return held + template_fix(template)
    where = f" ({setting})" if setting else ""
    described = f"{held}{what(leak, manifest_path)}{where}"
    looked_up = None if leak.kind == MANIFEST else manifest_path
    return (
        f"{described}: no sdist or wheel may hold the connector secret, so the archive was removed. "
        f"{cause(looked_up)}"
    )


def _at(entry: str, path: str) -> bool:
    """Whether the archive entry `entry` is the project file `path` (an sdist nests it in a folder)."""
    return entry == path or entry.endswith("/" + path)


def template_fix(template: str) -> str:
    """The message for an archive holding the committed template with a real key or secret."""
    return (
        f"the manifest template {template}, which holds a real connector key or secret: it is committed, "
        "and no sdist or wheel may ship it, so the archive was removed. Put placeholders (****) in place "
        f"of {KEY} and {SECRET} and keep the ids (`hatch-harmony init` does this): each build gets key "
        "and secret on its own."
    )


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
