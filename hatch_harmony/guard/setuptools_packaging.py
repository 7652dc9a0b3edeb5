"""Would setuptools package the generated manifest? Asked of setuptools' own selections, then of its archives.

The generated manifest holds the connector secret, so no sdist or wheel setuptools builds may
hold it. hatch answers "is this file selected?" before the build (`packaging`); setuptools
only knows once it has computed its selections, so the checks here run on setuptools' own
answers, each at the moment it is final: setup()'s `data_files` and `scripts` before the
first command, the sdist's file list right after `egg_info` computed it, and the wheel's
package data right before `build_py` copies it. Whatever road those miss (a link to the
manifest under another name, a custom command, a plugin's file finder), each archive `sdist`
or `bdist_wheel` writes is read back (`archive_scan`) and removed when it holds the
generated manifest or its key or secret.

Each refusal is a ConfigError naming the option that selects the manifest and the fix; the
setuptools entry point (setuptools_plugin.py) only decides when to ask, and turns the error
into setuptools' one-line exit. Standard library only: setuptools is the frontend's, and its
objects are read through the few attributes named in `Distribution`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hatch_harmony.errors import ConfigError, project_relative

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig

#: Commands that write an archive and record it in `Distribution.dist_files`.
ARCHIVE_COMMANDS = frozenset({"sdist", "bdist_wheel", "bdist", "bdist_egg", "bdist_dumb"})


class Distribution(Protocol):
    """What hatch-harmony uses of `setuptools.dist.Distribution` (setuptools is an optional extra)."""

    script_args: list[str] | None
    src_root: str | None
    metadata: Any
    run_command: Callable[[str], None]

    def get_command_obj(self, command: str, create: bool = ...) -> Any: ...


def check_setup_lists(dist: Distribution, config: HarmonyConfig) -> None:
    """`data_files` and `scripts` name files to ship outright, in the wheel and the sdist."""
    for entry in getattr(dist, "data_files", None) or ():
        folder, names = ("", [entry]) if isinstance(entry, str) else entry
        if any(_join(config.root, name) == config.manifest for name in names):
            _refuse(
                config,
                f"the wheel and the sdist as data_files (into {folder or 'the data folder'!r})",
                fix=f"Take {_relative(config)} out of `data_files` (setup() or "
                "[tool.setuptools.data-files]): the manifest ships only inside the connector jar.",
            )
    for name in getattr(dist, "scripts", None) or ():
        if _join(config.root, name) == config.manifest:
            _refuse(
                config,
                "the wheel and the sdist as a script",
                fix=f"Take {_relative(config)} out of setup()'s `scripts`: the manifest ships only inside "
                "the connector jar.",
            )


def check_sdist_files(dist: Distribution, config: HarmonyConfig) -> None:
    """`egg_info`'s file list, which the sdist takes (and, with include_package_data, the wheel)."""
    filelist = getattr(dist.get_command_obj("egg_info"), "filelist", None)
    selected = {_join(config.root, name) for name in getattr(filelist, "files", ())}
    if config.manifest in selected:
        _refuse(
            config,
            "the sdist (it is in setuptools' file list)",
            f"`exclude {_relative(config)}` to MANIFEST.in",
        )


def check_package_data(dist: Distribution, config: HarmonyConfig) -> None:
    """The package data `build_py` is about to copy into the wheel's tree."""
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


def check_archives(dist: Distribution, config: HarmonyConfig, already: int) -> None:
    """The archives recorded in `dist_files` after the first `already`, read back: any other road is caught.

    setuptools has more roads into an archive than the checks above name (a custom command, a
    plugin's file finder); what the archive holds is the final answer. A hit removes it.
    """
    from hatch_harmony.guard import archive_scan

    try:
        manifest = config.manifest.read_bytes()
    except OSError:
        return  # never written (an editable install): nothing to find
    template = config.manifest_template
    for _command, _python, filename in list(getattr(dist, "dist_files", ()))[already:]:
        artifact = Path(filename)
        leak = archive_scan.scan(artifact, manifest, manifest_path=_relative(config))
        if leak is None:
            continue
        with contextlib.suppress(OSError):
            artifact.unlink()
        raise ConfigError(
            archive_scan.leak_message(
                leak,
                artifact=artifact.name,
                manifest_path=_relative(config),
                template=None if template is None else project_relative(template, config.root),
                setting=f"{config.table_path}.manifest",
                cause=lambda _path: (
                    "Find what puts it there (a link or copy of the manifest, MANIFEST.in, "
                    "package_data, data_files, a custom command) and take it out."
                ),
            )
        )


def _join(folder: Path, name: str) -> Path:
    """Lexically normalised, like the config's paths (setuptools' names are relative to the root)."""
    return Path(os.path.normpath(folder / name))


def _relative(config: HarmonyConfig) -> str:
    return config.manifest.relative_to(config.root).as_posix()


def _refuse(config: HarmonyConfig, where: str, exclusion: str = "", *, fix: str = "") -> None:
    """Stop the build: `exclusion` is what to add to leave the manifest out, `fix` a whole other remedy."""
    rel = _relative(config)
    fix = fix or (
        "Write it outside your packages (the default, build/harmony/MANIFEST.MF, is never packaged), "
        f"or exclude it: add {exclusion}."
    )
    raise ConfigError(
        f"{config.table_path}.manifest: {rel} would be packaged into {where}, and it holds the connector "
        f"secret. {fix}"
    )
