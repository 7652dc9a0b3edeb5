"""One registration per connector per machine, whatever folder the build runs from.

The build mutex beside harmony.lock keeps two builds of one checkout apart. Two checkouts of
one connector (two `git worktree`s, two clones on one CI runner) each have their own, so
built together both would list, both find nothing, and both register: Harmony would hold
two registrations of one name and version, and the two locks different ids. A registering
build therefore also holds a mutex keyed by what Harmony knows a connector by, (host,
organisation, connector name), from its lookup to its lock write. The second build then
lists after the first registered, and adopts that registration.

The mutex file lives in the user's cache folder, beside the warm-build stamps (the same
folder for every checkout of this user), named by a digest of the key: no name, host or
organisation shows in the file name, and any text is a valid key. It is taken after the
checkout's own mutex, always in that order, so two builds never wait on each other in a
circle. Builds of different users on one machine do not share a cache folder, so they are not
kept apart: two people building one connector of one organisation at the same instant, on one
machine, may still register it twice (a later build without a lock entry then adopts the oldest
registration and names the other, as after any duplicate).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from hatch_harmony.engine.warm import user_cache
from hatch_harmony.util.files import build_mutex


def mutex_path(env: Mapping[str, str], host: str, org_id: str, name: str) -> Path:
    """The path the machine-wide mutex guards (its lock file is `.<name>.lck` beside it)."""
    digest = hashlib.sha256("\n".join((host, org_id, name)).encode("utf-8")).hexdigest()[:32]
    return user_cache(env) / "registering" / digest


@contextmanager
def registering(env: Mapping[str, str], host: str, org_id: str, name: str) -> Iterator[None]:
    """Hold the machine-wide mutex of (host, organisation, connector name) for the body."""
    path = mutex_path(env, host, org_id, name)
    with build_mutex(path, what=f"registration of {name!r} (another checkout of it may be registering)"):
        yield
