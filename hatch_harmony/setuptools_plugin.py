"""Thin setuptools glue: the hatch hook's manifest step for setuptools-built connector projects.

setuptools calls every `setuptools.finalize_distribution_options` entry point for every
Distribution of every project built on the machine, so this module imports only the
standard library at the top, and a project opts in with a `[tool.hatch-harmony]` table:
pyproject.toml is searched for the bytes `hatch-harmony` before it is parsed, and the engine
(config, pipeline, and httpx when the network is needed) is imported only for such projects.

When it runs, and why there:
* When the Distribution is created (`finalize_distribution_options`), before any command
  runs: the manifest is a file of the source tree, like setuptools-scm's version, and it
  must exist before setuptools decides what to package, so the packaging check below sees it.
  This is before pyproject.toml's `[project]` table is applied, so the project version (a
  fallback when adapter.json has none) is read from pyproject here, else from setup.py.
* Only for commands that build something (`sdist`, `bdist_wheel`, `build`, `install`, ...).
  The metadata steps a frontend runs first (`egg_info` for get_requires_for_build_*,
  `dist_info` for prepare_metadata_for_build_wheel) need no manifest: skipping them makes
  `python -m build` and `pip wheel` run the engine once per artifact instead of three times,
  and keeps pip's metadata-only resolution off the network.
* Once per process and project: setuptools may create several Distributions in one process.
* Editable installs (`editable_wheel`, `develop`) never touch the network, as with hatch.
* Not at all in an unpacked sdist (PKG-INFO, no .git): `python -m build` builds the wheel
  from it, and the manifest belongs to the source tree, where the sdist step wrote it.

The secret must never be packaged. hatch answers "is this file selected?" before the build;
setuptools only knows once it has computed its selections, so the check runs on setuptools'
own answers: the sdist's file list right after `egg_info` computed it, and the wheel's
package data right before `build_py` copies it. A hit stops the build before any archive is
written (after the engine ran: the registration is in the lock, so nothing is lost).

Errors stop the build with `SystemExit("hatch-harmony: <message>")`: setuptools and both
frontends print exactly that line, without a traceback. (A `DistutilsSetupError` would come
out as "error in setup command: ..." from setup(), and a plain exception as a traceback.)
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig

#: Commands that produce an artifact or an installation, and so need the manifest. (They are
#: looked up among all of setup's arguments, option values included: a value spelled like a
#: command, as in `egg_info -e build`, can only make the step run, never skip it.)
BUILD_COMMANDS = frozenset(
    {"sdist", "bdist_wheel", "bdist", "bdist_egg", "bdist_dumb", "bdist_rpm", "build", "build_py", "install"}
)
#: Editable installs: the manifest is refreshed only when that needs no request.
EDITABLE_COMMANDS = frozenset({"editable_wheel", "develop"})

_MARKER = b"hatch-harmony"
_TABLE_KEY = "hatch-harmony"

#: Projects whose manifest step already ran in this process, with their resolved settings.
_done: dict[Path, HarmonyConfig] = {}


class _Distribution(Protocol):
    """What this module uses of `setuptools.dist.Distribution` (setuptools is an optional extra)."""

    script_args: list[str] | None
    src_root: str | None
    metadata: Any
    run_command: Callable[[str], None]

    def get_command_obj(self, command: str, create: bool = ...) -> Any: ...


def finalize_distribution_options(dist: _Distribution) -> None:
    """The `setuptools.finalize_distribution_options` entry point (see the module docstring)."""
    commands = {arg for arg in dist.script_args or () if not arg.startswith("-")}
    editable = bool(commands & EDITABLE_COMMANDS)
    if not editable and not commands & BUILD_COMMANDS:
        return
    root = Path(dist.src_root or os.curdir).absolute()
    pyproject = _read_pyproject(root)
    if pyproject is None:
        return
    from hatch_harmony.util.git import unpacked_sdist

    if unpacked_sdist(root):
        _say("harmony: building from an unpacked sdist; the manifest belongs to the source tree, skipped")
        return
    from hatch_harmony.errors import HarmonyError

    try:
        config = _done.get(root)
        if config is None:
            config = _run(dist, root, pyproject, editable=editable)
            _done[root] = config
    except HarmonyError as exc:
        raise SystemExit(f"hatch-harmony: {exc.message}") from None
    if not editable:
        _guard_packaging(dist, config)


# finalize_distribution_options hooks run by ascending `order` (default 0): run after the
# others, so a version set by setuptools-scm's hook is there when adapter.json has none.
finalize_distribution_options.order = 100  # type: ignore[attr-defined]


def _read_pyproject(root: Path) -> dict[str, Any] | None:
    """root/pyproject.toml parsed, when it has a `[tool.hatch-harmony]` table; else None, cheaply.

    Unreadable or invalid TOML is None too: setuptools reads the same file and reports that itself.
    """
    try:
        data = (root / "pyproject.toml").read_bytes()
    except OSError:
        return None
    if _MARKER not in data:
        return None
    from hatch_harmony.util.long_integers import LongIntegerError, TOMLDecodeError, load_toml

    try:
        parsed = load_toml(data.decode("utf-8"))
    except LongIntegerError as exc:  # setuptools would stop on it with a bare ValueError
        raise SystemExit(
            f"hatch-harmony: {root / 'pyproject.toml'}: {exc.describe()}; fix that value"
        ) from None
    except (UnicodeDecodeError, TOMLDecodeError):
        return None
    tool = parsed.get("tool")
    return parsed if isinstance(tool, dict) and _TABLE_KEY in tool else None


def _run(dist: _Distribution, root: Path, pyproject: dict[str, Any], *, editable: bool) -> HarmonyConfig:
    """The pipeline's one entry, exactly as the hatch hook calls it; status lines to stderr."""
    from hatch_harmony.config import find_harmony_table
    from hatch_harmony.engine.pipeline import run_build

    found = find_harmony_table(pyproject)  # also refuses a hatch hook table beside ours
    assert found is not None  # _read_pyproject saw [tool.hatch-harmony]
    table, table_path = found
    with _quiet_http_logs():
        run = run_build(
            root,
            table,
            os.environ,
            project_version=_project_version(dist, pyproject),
            table_path=table_path,
            editable=editable,
        )
    for line in run.lines:
        _say(line.text.replace("harmony: ", "harmony: warning: ", 1) if line.warning else line.text)
    return run.config


def _project_version(dist: _Distribution, pyproject: dict[str, Any]) -> str | None:
    """`[project].version`, else setup.py's `version=` (or setuptools-scm's), else None."""
    project = pyproject.get("project")
    version = project.get("version") if isinstance(project, dict) else None
    if isinstance(version, str) and version:
        return version
    version = getattr(dist.metadata, "version", None)
    return version if isinstance(version, str) and version else None


@contextmanager
def _quiet_http_logs() -> Iterator[None]:
    """Keep the HTTP and mutex debug chatter out of the build log, as under hatch.

    setuptools sets the root logger to DEBUG when setup() starts and lowers it only once the
    command line is parsed, after this hook: httpx's and httpcore's per-request records (and
    the client's redacted request dumps) and filelock's four lines per build mutex ("Attempting
    to acquire lock ...") would flood the build output. Loggers someone configured (level set)
    are left alone; warnings (e.g. retries) still show.
    """
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore", "filelock", "hatch_harmony")]
    quieted = [logger for logger in loggers if logger.level == logging.NOTSET]
    for logger in quieted:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger in quieted:
            logger.setLevel(logging.NOTSET)


def _say(line: str) -> None:
    """Status goes to stderr, as hatch's do: `python -m build` shows it, `pip wheel -v` too."""
    print(line, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- packaging guard


def _guard_packaging(dist: _Distribution, config: HarmonyConfig) -> None:
    """Check setuptools' own selections for the manifest before anything is archived.

    `run_command` is replaced on this Distribution instance only (every command, including
    sub-commands, runs through it): `build_py` is checked before it copies package data into
    the wheel's tree, and `egg_info`'s file list (what the sdist takes) right after it is made.
    """
    manifest = config.manifest
    if config.root not in manifest.parents:
        return  # outside the project: nothing can package it
    original = dist.run_command

    def run_command(command: str) -> None:
        if command == "build_py":
            _check_package_data(dist, config)
        original(command)
        if command == "egg_info":
            _check_sdist_files(dist, config)

    dist.run_command = run_command


def _check_sdist_files(dist: _Distribution, config: HarmonyConfig) -> None:
    filelist = getattr(dist.get_command_obj("egg_info"), "filelist", None)
    selected = {_join(config.root, name) for name in getattr(filelist, "files", ())}
    if config.manifest in selected:
        # (the sdist's file list also feeds the wheel's package data when include_package_data is on)
        _refuse(
            config,
            "the sdist (it is in setuptools' file list)",
            f"`exclude {_relative(config)}` to MANIFEST.in",
        )


def _check_package_data(dist: _Distribution, config: HarmonyConfig) -> None:
    build_py = dist.get_command_obj("build_py")
    build_py.ensure_finalized()
    for package, src_dir, _build_dir, filenames in build_py.data_files:
        folder = _join(config.root, src_dir)
        if any(_join(folder, name) == config.manifest for name in filenames):
            inner = config.manifest.relative_to(folder).as_posix()
            _refuse(
                config,
                f"the wheel as package data of {package!r}",
                f'`"{package}" = ["{inner}"]` under [tool.setuptools.exclude-package-data]',
            )


def _join(folder: Path, name: str) -> Path:
    """Lexically normalised, like the config's paths (setuptools' names are relative to the root)."""
    return Path(os.path.normpath(folder / name))


def _relative(config: HarmonyConfig) -> str:
    return config.manifest.relative_to(config.root).as_posix()


def _refuse(config: HarmonyConfig, where: str, exclusion: str) -> None:
    rel = _relative(config)
    raise SystemExit(
        f"hatch-harmony: {config.table_path}.manifest: {rel} would be packaged into {where}, and it "
        "holds the connector secret. Write it outside your packages (the default, build/harmony/MANIFEST.MF, "
        f"is never packaged), or exclude it: add {exclusion}."
    )
