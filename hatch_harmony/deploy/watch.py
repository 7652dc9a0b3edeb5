"""`hatch-harmony deploy --watch`: the development loop, change -> jar -> agent, with no hand in between.

Why a development `Version` on every jar: an agent reloads a connector when its manifest's
`Version` changes (Jitterbit's PACKAGING.md), so each rebuilt jar gets the project version
plus a `.dev<N>` suffix that only grows (N is at least the UTC time, YYYYmmddHHMMSS, so it
also grows across sessions). The jar itself is built exactly as `hatch build -t jar` builds
it (hatchling, in a subprocess, into a scratch folder: dist/ keeps the release jar), and
its manifest's `Version` is then replaced; the same checks as a release apply before it is
deployed. A rebuild needs Harmony only when a build would (the hook's decision table): with
the lock and the key at hand, none.

The inputs watched are the jar target's (classes, lib, assets), adapter.json, the manifest
template, pyproject.toml and harmony.lock. Ctrl+C stops the loop; every deploy step keeps
exactly one jar of the connector loaded, so the folder is consistent whenever it stops.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hatch_harmony.deploy.folders import tail
from hatch_harmony.deploy.jars import MANIFEST_NAME, VERSION, read_connector_jar
from hatch_harmony.deploy.plan import Plan
from hatch_harmony.deploy.run import Options, deploy
from hatch_harmony.deploy.source import DeployError, Source, check_jar
from hatch_harmony.errors import ConfigError, HarmonyError
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.vocabulary import ENV_VAR, MANIFEST_VERSION

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.config.destinations import Destination
    from hatch_harmony.engine.decision import KeyPair
    from hatch_harmony.project.adapter import Adapter
    from hatch_harmony.project.lock import LockEntry

#: What a round reports: the plans per destination and the jar, or the error that stopped it.
Report = Callable[[Sequence[Plan], Source | None, str | None], None]


def dev_version(base: str, previous: int) -> tuple[str, int]:
    """`base.dev<N>` with N above `previous` and at least the UTC time as YYYYmmddHHMMSS."""
    number = max(previous + 1, int(time.strftime("%Y%m%d%H%M%S", time.gmtime())))
    return f"{base}.dev{number}", number


def with_version(data: bytes, version: str) -> bytes:
    """The jar `data` with its manifest's `Version` set to `version`; every other entry as it was."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with source, zipfile.ZipFile(target, "w") as result:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.upper() == MANIFEST_NAME:
                manifest = Manifest.parse(content, source=MANIFEST_NAME)
                manifest.main.set(VERSION, version, after=MANIFEST_VERSION)
                content = manifest.to_bytes()
            result.writestr(info, content)
    return target.getvalue()


def watched_inputs(config: HarmonyConfig, adapter: Adapter) -> list[Path]:
    """What the jar is made of, as far as it exists now."""
    from hatch_harmony.jar.builder import JarBuilder

    jar = JarBuilder(str(config.root)).config
    found = [*jar.classes_candidates, jar.lib_candidate, *jar.assets, adapter.path]
    found += [p for p in (config.manifest_template, config.root / "pyproject.toml", config.lock) if p]
    return sorted({p for p in found if p.exists()})


def build_dev_jar(config: HarmonyConfig, env: Mapping[str, str], scratch: Path, version: str) -> Source:
    """`hatch build -t jar` into `scratch` (with `env`, the command's), then the development `Version`."""
    environ = {**env, **({ENV_VAR: config.environment} if config.environment else {})}
    for old in scratch.glob("*.jar"):
        old.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar", "-d", str(scratch)],
        cwd=config.root,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DeployError(f"the jar build failed: {tail(done.stderr or done.stdout, 8)}")
    jars = sorted(scratch.glob("*.jar"))
    if len(jars) != 1:
        raise DeployError(f"the jar build wrote {len(jars)} jars into {scratch}, expected one")
    data = with_version(jars[0].read_bytes(), version)
    jars[0].write_bytes(data)
    jar = read_connector_jar(jars[0].name, data)
    if jar is None:
        raise DeployError(f"{jars[0].name} is not a connector jar (no `Jitterbit-Connector: true`)")
    return Source(jars[0], data, jar)


def watch(
    config: HarmonyConfig,
    adapter: Adapter,
    *,
    env: Mapping[str, str],
    registration: Callable[[], tuple[LockEntry | None, KeyPair | None]],
    destinations: Sequence[Destination],
    options: Options,
    report: Report,
    changes: Iterable[object] | None = None,
) -> None:
    """Build and deploy now, then again after each batch of `changes` (default: watchfiles' of the inputs)."""
    from hatch_harmony.jar.builder import JarBuilder

    base = JarBuilder(str(config.root)).metadata.version
    if changes is None:
        changes = _changes(watched_inputs(config, adapter))
    previous = 0
    with tempfile.TemporaryDirectory(prefix="hatch-harmony-dev-") as scratch:
        for _ in _now_and(changes):
            version, previous = dev_version(base, previous)
            try:
                source = build_dev_jar(config, env, Path(scratch), version)
                entry, keys = registration()
                if entry is None:
                    raise ConfigError(f"{config.lock.name} has no registration of {adapter.name!r} yet")
                check_jar(config, entry, keys, source)
            except HarmonyError as exc:
                report([], None, exc.message)
                continue
            report(deploy(source.jar, source, destinations, options), source, None)


def _now_and(changes: Iterable[object]) -> Iterable[object]:
    yield None
    yield from changes


def _changes(paths: list[Path]) -> Iterable[object]:
    try:
        import watchfiles
    except ImportError:
        raise ConfigError(
            "--watch needs the watchfiles package: pip install 'hatch-harmony[watch]'"
        ) from None
    if not paths:
        raise ConfigError("--watch found nothing to watch: compile the classes first, then run it again")
    # Yielding on a timeout (an empty batch) shows the watcher is running: it is started and
    # waited for here, before the first build, so a change made during that build is not lost.
    batches = watchfiles.watch(*paths, yield_on_timeout=True, rust_timeout=500)
    next(batches)
    return (batch for batch in batches if batch)
