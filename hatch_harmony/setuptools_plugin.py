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
setuptools only knows once it has computed its selections, so guard/setuptools_packaging.py
checks setuptools' own answers, and this module asks it at the moment each is final (see
`_guard_packaging`): a hit stops the build before any archive is written (after the engine
ran: the registration is in the lock, so nothing is lost), and each archive `sdist` or
`bdist_wheel` writes is read back, as the hatch hook's `finalize` does.

Errors stop the build with `SystemExit("hatch-harmony: <message>")`: setuptools and both
frontends print exactly that line, without a traceback. (A `DistutilsSetupError` would come
out as "error in setup command: ..." from setup(), and a plain exception as a traceback.)
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.guard.setuptools_packaging import Distribution as _Distribution

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
    from hatch_harmony.util.git import UNPACKED_SDIST_SKIPPED, unpacked_sdist

    if unpacked_sdist(root):
        _say(UNPACKED_SDIST_SKIPPED)
        return
    with _one_line():
        config = _done.get(root)
        if config is None:
            config = _run(dist, root, pyproject, editable=editable)
            _done[root] = config
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
def _one_line() -> Iterator[None]:
    """A HarmonyError stops the build as setuptools' one line (see the module docstring)."""
    from hatch_harmony.errors import HarmonyError

    try:
        yield
    except HarmonyError as exc:
        raise SystemExit(f"hatch-harmony: {exc.message}") from None


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
    """Ask guard/setuptools_packaging.py at each moment one of setuptools' selections is final.

    `run_command` is replaced on this Distribution instance only (every command, including
    sub-commands, runs through it): `build_py` is checked before it copies package data into
    the wheel's tree, `egg_info`'s file list (what the sdist takes) right after it is made,
    and every archive right after its command wrote it.
    """
    manifest = config.manifest
    if config.root not in manifest.parents:
        return  # outside the project: nothing can package it
    from hatch_harmony.guard import setuptools_packaging as guard

    original = dist.run_command
    checked: list[bool] = []

    def run_command(command: str) -> None:
        with _one_line():
            if not checked:  # setup()'s own lists are final once a command runs
                checked.append(True)
                guard.check_setup_lists(dist, config)
            if command == "build_py":
                guard.check_package_data(dist, config)
            already = len(getattr(dist, "dist_files", ()))
            original(command)
            if command == "egg_info":
                guard.check_sdist_files(dist, config)
            if command in guard.ARCHIVE_COMMANDS:
                guard.check_archives(dist, config, already)

    dist.run_command = run_command
