"""The warm-build shortcut: when nothing the manifest depends on changed, reuse it untouched.

Why: a warm build makes no request, yet importing and running the engine (config, adapter,
lock, manifest, git check) costs ~15 ms per build process, over 10 % of a small `-t jar`
build. Like make, the hook instead compares what the last full run depended on — the
hook settings, the non-secret HARMONY_* variables, the project version, and the size,
mtime and mode of every file it read or wrote (pyproject.toml, adapter.json and the paths
tried for it, the template, harmony.lock, the manifest, .gitignore, git's index) — with a
stamp it left behind. Equal: the manifest on disk is handed over as is (0 requests, and
this module imports only the standard library). Anything different, or any doubt: the
full engine runs, exactly as without the stamp. The mode counts because the engine keeps
the manifest 0600 and a `chmod` leaves size and mtime alone: a warm build must not hand
over a secret that others can read, where a full run would have made it 0600 again. And
what git ignores is asked of git itself on every warm hit (`_git_still_agrees`): a line
removed from a parent .gitignore, .git/info/exclude or core.excludesFile changes no
file the stamp watches, yet makes the full engine refuse.

Yes/no variables mean here exactly what they mean to the engine (`util/env.py`, the one rule):
`HARMONY_NO_WARM_STAMP=0` keeps the stamp, `=1` turns it off, and a value that is neither
makes this module step aside so that the engine reports it. The stamp is keyed on what a
value means (`on` and `1` are one key), not on how it is spelled.

The stamp holds no secret (paths, sizes, times, settings that pyproject.toml already
shows) and lives in the user's cache folder, not in the project, so it is never committed
or packaged. Runs that cannot be replayed offline (`verify`, or a key/secret passed
through HARMONY_CONNECTOR_KEY/_SECRET, whose values a stamp must not keep) never use it.

The stamp's format is this module's own: lines of tab-separated fields, with the settings as one
canonical text (`canonical`). Not JSON: `json` was the largest import of a warm wheel build
that otherwise needs nothing of hatch-harmony (1.8 ms of our 4.8, benchmarks/RESULTS.md
section 7), and a warm hit only compares texts; it never needs the structure back. A path
holding a line break is never stamped (the full engine then runs every time).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hatch_harmony import __version__
from hatch_harmony.util import env as yes_no
from hatch_harmony.vocabulary import (
    ENV_VAR,
    KEY_VAR,
    NO_WARM_STAMP_VAR,
    OFFLINE_VAR,
    ORG_ID_VAR,
    REGION_VAR,
    SECRET_VAR,
    URL_VAR,
    VERIFY_VAR,
)

STAMP_VERSION = 4
#: Variables that change what a warm build writes and hold no secret.
KEYED_VARIABLES = (URL_VAR, REGION_VAR, ORG_ID_VAR, ENV_VAR)
#: Yes/no variables that change what a warm build writes, keyed by meaning.
KEYED_FLAGS = (OFFLINE_VAR, VERIFY_VAR)
VERIFY_VARIABLE = VERIFY_VAR
#: Variables whose values change the manifest but must not be kept in a stamp.
UNKEYABLE_VARIABLES = (KEY_VAR, SECRET_VAR)
DISABLE_VARIABLE = NO_WARM_STAMP_VAR
SMALL_FILE = 1 << 20
_HEADER = f"hatch-harmony warm stamp {STAMP_VERSION}"


class Hit:
    """What a still-valid stamp hands over instead of a full run.

    A plain class, not a dataclass: creating a dataclass costs a warm build ~0.8 ms.
    """

    __slots__ = ("adapter_path", "environment", "manifest", "manifest_path", "table_path")

    def __init__(
        self,
        manifest: bytes,
        manifest_path: Path,
        adapter_path: Path,
        table_path: str,
        environment: str | None,
    ) -> None:
        self.manifest = manifest
        self.manifest_path = manifest_path
        self.adapter_path = adapter_path
        self.table_path = table_path
        self.environment = environment  # the selected environment table: it names the jar


def canonical(value: object) -> str:
    """One text per meaning: mappings sorted by key, other values by `repr` (anything else by str).

    The hook settings come from TOML (str, int, float, bool, lists, tables, dates), so two
    equal tables give the same text, whatever their key order.
    """
    if isinstance(value, Mapping):
        items = sorted((str(k), canonical(v)) for k, v in value.items())
        return "{" + ",".join(f"{k!r}:{v}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return repr(value)
    return repr(str(value))


def key(
    settings: Mapping[str, Any], *, target: str, project_version: str, env: Mapping[str, str]
) -> str | None:
    """Everything besides files that decides the manifest; None when this run must not use stamps.

    None too when a yes/no variable holds neither yes nor no: the engine runs and reports it.
    """
    try:
        flags = {name: yes_no.read(env, name) for name in (*KEYED_FLAGS, DISABLE_VARIABLE)}
    except yes_no.NotYesNoError:
        return None
    if flags[DISABLE_VARIABLE] or flags[VERIFY_VARIABLE]:
        return None
    if any(yes_no.value(env, name) for name in UNKEYABLE_VARIABLES):
        return None
    return canonical(
        {
            "hatch-harmony": __version__,
            "python": sys.version_info[:2],
            "target": target,
            "settings": settings,
            "project-version": project_version,
            "env": {name: env.get(name, "") for name in KEYED_VARIABLES},
            "flags": {name: flags[name] for name in KEYED_FLAGS},
        }
    )


def user_cache(env: Mapping[str, str]) -> Path:
    """hatch-harmony's folder in the user's cache: warm stamps here, machine-wide mutexes beside them."""
    if os.name == "nt":
        base = env.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    else:
        base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hatch-harmony"


def cache_dir(env: Mapping[str, str]) -> Path:
    """The user's cache folder for hatch-harmony's build-to-build memory (never in the project)."""
    return user_cache(env) / "warm"


def _stamp_path(root: Path, target: str, env: Mapping[str, str]) -> Path:
    return cache_dir(env) / f"{zlib.crc32(str(root).encode()):08x}-{target}.stamp"


def _state(path: Path) -> str:
    """Mode, size, mtime (ns) and, for small files, a CRC of the content; "-" when it does not exist.

    The CRC is there because file times are coarse (a few ms on Linux): an edit that keeps
    the size right after a build could otherwise keep the same mtime. It is a change
    detector, not a digest of anything secret worth protecting (the stamp is 0600 anyway).
    """
    try:
        found = path.stat()
        state = [stat.S_IMODE(found.st_mode), found.st_size, found.st_mtime_ns]
        if path.name != "index" and found.st_size <= SMALL_FILE:
            state.append(zlib.crc32(path.read_bytes()))
    except OSError:
        return "-"
    return ",".join(map(str, state))


def lookup(root: Path, run_key: str, env: Mapping[str, str], target: str) -> Hit | None:
    """The manifest of the last full run, if nothing it depended on changed since."""
    try:
        lines = _stamp_path(root, target, env).read_text(encoding="utf-8").split("\n")
        fields = dict(line.split("\t", 1) for line in lines[1:7])
        if lines[0] != _HEADER or fields["root"] != str(root) or fields["key"] != run_key:
            return None
        for line in lines[7:]:
            recorded, name = line.split("\t", 1)
            if _state(Path(name)) != recorded:
                return None
        manifest_path = Path(fields["manifest"])
        if not _git_still_agrees(manifest_path):
            return None
        manifest = manifest_path.read_bytes()
        environment = fields["environment"] or None
        return Hit(manifest, manifest_path, Path(fields["adapter"]), fields["table-path"], environment)
    except (OSError, ValueError, KeyError):
        return None


def _git_still_agrees(manifest: Path) -> bool:
    """git still ignores the manifest (or it is still outside a work tree): the full engine's check.

    git's ignore decision reads far more than the stamp watches: every .gitignore up to the
    top of the work tree (a monorepo's), .git/info/exclude, core.excludesFile and the config
    files that set it, environment variables. Watching all of that would be a second copy of
    git's rules; asking git the very question the full engine asks (`git_status`) is exact,
    and costs one `git check-ignore` (benchmarks/RESULTS.md section 8) of the
    ~40 ms a stamp saves. Outside a work tree it costs a few stats and no process.
    """
    from hatch_harmony.util.git import GitStatus, git_status

    return git_status(manifest) in (GitStatus.IGNORED, GitStatus.OUTSIDE)


def record(
    root: Path,
    run_key: str,
    env: Mapping[str, str],
    *,
    target: str,
    files: Iterable[Path | None],
    manifest: Path,
    adapter: Path,
    table_path: str,
    environment: str | None = None,
) -> None:
    """Leave a stamp for the next build; a cache that cannot be written is simply not used."""
    watched = sorted({str(p) for p in files if p is not None})
    fields = [
        ("root", str(root)),
        ("key", run_key),
        ("manifest", str(manifest)),
        ("adapter", str(adapter)),
        ("table-path", table_path),
        ("environment", environment or ""),
    ]
    lines = [_HEADER, *(f"{name}\t{value}" for name, value in fields)]
    lines += [f"{_state(Path(name))}\t{name}" for name in watched]
    if any(ch in line for line in lines for ch in "\r\n"):
        return  # not representable in this format: no stamp, the full engine runs next time
    # Imported here: a warm hit never writes, and imports only what it reads with.
    from hatch_harmony.util.files import FileWriteError, atomic_write

    with contextlib.suppress(FileWriteError):
        atomic_write(_stamp_path(root, target, env), "\n".join(lines).encode("utf-8"), mode=0o600)
