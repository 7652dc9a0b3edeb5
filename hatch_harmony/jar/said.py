"""Warnings said once per change: a build remembers what it last warned about, per project.

Why: a template's Class-Path that lists jars the jar does not bundle (Jitterbit's sample lists
ten and ships one) is worth one warning, and the user may well keep the template as it is.
Repeating the warning on every build teaches people to skip warnings; saying it again when
its text changes (another entry dropped, a new classes folder) keeps it useful.

The memory is a digest of the last text, in the user's cache folder beside the warm-build
stamps (never in the project, so never committed or packaged). A cache that cannot be read
or written only means the warning is said again.
"""

from __future__ import annotations

import contextlib
import hashlib
import zlib
from collections.abc import Mapping
from pathlib import Path


def first_time(root: Path, topic: str, text: str, env: Mapping[str, str]) -> bool:
    """Whether `text` differs from what this project's last build said on `topic`; remembers it."""
    from hatch_harmony.engine.warm import cache_dir
    from hatch_harmony.util.files import FileWriteError, atomic_write

    path = cache_dir(env) / f"{zlib.crc32(str(root).encode()):08x}-{topic}.said"
    digest = hashlib.sha256(f"{root}\n{text}".encode()).hexdigest()
    try:
        if path.read_text(encoding="ascii") == digest:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    with contextlib.suppress(FileWriteError):
        atomic_write(path, digest.encode("ascii"), mode=0o600)
    return True
