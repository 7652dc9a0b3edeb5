"""Where the generated manifest may be written: the one owner of that rule.

The manifest holds the connector secret, so the place it is written to is checked before
the first request, against the file system as it is (symlinks resolved), not the
configured text alone:

* inside the project, after resolving symlinks: a `build/` that links elsewhere would put
  the secret outside it;
* not a symlink itself, not a folder, and every existing parent a folder;
* never a file the build reads (`build_inputs`, the one list of them): adapter.json, the
  template, the lock, pyproject.toml, .gitignore (writing the secret there would ship it as
  the UI file or commit it);
* in a git work tree, a path git ignores: a tracked file puts the secret in the history,
  an untracked one is a `git add .` away from it.

Files the jar target packs are its own concern (builder.py never packs a generated
manifest except as META-INF/MANIFEST.MF).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from hatch_harmony.errors import ConfigError, shown_path
from hatch_harmony.util.git import GitStatus, git_status

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig


def build_inputs(config: HarmonyConfig, adapter: Path | None) -> list[Path]:
    """The files a build reads, which the manifest may never be written over: harmony.lock,
    pyproject.toml, .gitignore, adapter.json (when found) and the template (when configured).

    The warm-build stamp watches them too (`pipeline.files_read`): one list for both.
    """
    found = [config.lock, config.root / "pyproject.toml", config.root / ".gitignore"]
    return found + [p for p in (adapter, config.manifest_template) if p is not None]


def check_destination(
    config: HarmonyConfig, path: Path, adapter: Path | None, *, also_read: Iterable[Path] = ()
) -> None:
    """Raise ConfigError naming `<table>.manifest` (or the path) and the fix; return when `path` is safe.

    `adapter` is the adapter.json the build reads (None when not found yet); `also_read` names
    more files the caller reads or writes in the same run (`init`'s edits).
    """
    inputs = [*build_inputs(config, adapter), *also_read]
    where = f"{config.table_path}.manifest" if path == config.manifest else shown_path(path, config.root)
    shown = shown_path(path, config.root)
    root = config.root.resolve()
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        raise ConfigError(
            f"{where}: {shown} resolves to {resolved}, outside the project {root} (through a symlink): the "
            "manifest holds the connector secret and is written inside the project only. Remove the "
            "symlink, or point `manifest` at a real folder of the project."
        )
    if path.is_symlink():
        raise ConfigError(
            f"{where}: {shown} is a symlink. The manifest is replaced atomically, which would break the "
            "link and leave the secret where the link pointed: remove it, or point `manifest` at its target."
        )
    if path.is_dir():
        raise ConfigError(
            f"{where}: {shown} is a folder; `manifest` names the file to write, e.g. "
            f'"{shown.rstrip("/")}/MANIFEST.MF".'
        )
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ConfigError(
            f"{where}: {shown_path(blocking, config.root)} is a file, so {shown} cannot be created below it; "
            "point `manifest` at a path in a folder."
        )
    for source in inputs:
        if source.exists() and source.resolve() == resolved:
            raise ConfigError(
                f"{where}: {shown} is {shown_path(source, config.root)}, a file the build reads; writing the "
                "manifest (and its secret) there would destroy it and ship the secret with it. Use the "
                "default (build/harmony/MANIFEST.MF) or another file of its own."
            )
    _check_git(where, shown, path)


def _check_git(where: str, shown: str, path: Path) -> None:
    status = git_status(path)
    if status is GitStatus.TRACKED:
        raise ConfigError(
            f"{where}: {shown} is tracked by git, and the generated manifest holds the connector secret. "
            f'Keep your committed file as the template (`manifest-template = "{shown}"`) and write to an '
            f"ignored path, or stop tracking it: `git rm --cached {shown}` and add it to .gitignore."
        )
    if status is GitStatus.UNTRACKED:
        line = "build/" if shown.startswith("build/") else f"/{shown}"
        raise ConfigError(
            f"{where}: {shown} is not ignored by git, and the generated manifest holds the connector "
            f"secret: `git add .` would commit it. Add the line `{line}` to .gitignore (nothing was sent "
            "to Harmony or written)."
        )


def check_lock_path(config: HarmonyConfig) -> None:
    """harmony.lock is rewritten atomically too: a symlink there would silently become a file.

    Checked before the first request, like the manifest's path, so a build that would
    register never gets to the lock write and stops there.
    """
    lock = config.lock
    where = f"{config.table_path}.lock"
    shown = shown_path(lock, config.root)
    if lock.is_symlink():
        raise ConfigError(
            f"{where}: {shown} is a symlink. The lock is replaced atomically, which would turn the link into "
            "a regular file: point `lock` at the real file (inside the project), or remove the link."
        )
    if not lock.resolve().is_relative_to(config.root.resolve()):
        raise ConfigError(
            f"{where}: {shown} resolves outside the project {config.root} (through a symlinked folder): the "
            "lock is written inside the project only. Remove the symlink."
        )
