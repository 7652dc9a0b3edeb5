"""Would hatchling put this file into the sdist or wheel it is building? Asked hatchling's way.

The generated manifest holds the connector secret, so the `harmony` hook refuses to build an
sdist or a wheel that would contain it. It must refuse exactly when hatchling would ship the
file: a refusal hatchling does not need blocks a valid project (a `bypass-selection` wheel,
an `only-include` sdist), and a miss leaks the secret. Asking one hatchling predicate
(`include_path`) about the path was both too strict and too loose, because hatchling decides
in several steps. This module follows those steps for one path, with hatchling's own
predicates, as `recurse_included_files` in hatchling/builders/plugin/interface.py and the
wheel builder's `write_data` do:

* forced files (`force-include`, a hook's `force_include`) ship whatever the exclusions;
* with `only-include` (or `packages`, which hatchling turns into it) only those paths are
  walked, with `include_path(explicit=True)`;
* otherwise the whole project is walked: excluded folders are pruned, then `include_path`;
* a wheel also ships `shared-data`, `shared-scripts`, `extra-metadata` and `sbom-files`;
* an editable wheel ships no project file, only its forced files and that wheel data.

The manifest may not exist yet (the first build checks before it registers), so the walk is
followed along the path rather than over the disk. The predicates run on a fresh copy of the
target's BuilderConfig inside `set_build_data`: hatchling caches its file selection, and the
wheel's default selection depends on build data that later hooks may still add, so nothing
the check evaluates may be cached into the real build. tests/promises/test_packaging_check.py builds
real archives to prove the two agree.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.constants import EXCLUDED_DIRECTORIES, EXCLUDED_FILES
from hatchling.builders.utils import get_relative_path, normalize_inclusion_map
from hatchling.builders.wheel import WheelBuilderConfig

from hatch_harmony.errors import ConfigError, project_relative


class NothingToShip(Exception):
    """hatchling finds no file to put in the wheel (a project without a Python package)."""


class Shipped:
    """Where the file would go in the archive, and which option puts it there.

    A plain class, not a dataclass: every warm wheel build imports this module, and creating
    a dataclass costs it ~0.8 ms (benchmarks/RESULTS.md section 7).
    """

    __slots__ = ("archive_path", "option")

    def __init__(self, archive_path: str, option: str) -> None:
        self.archive_path = archive_path
        self.option = option


def shipped(
    config: BuilderConfig, relative_path: str | None, build_data: Mapping[str, Any], *, editable: bool = False
) -> Shipped | None:
    """How hatchling would ship `relative_path` (project-relative, '/'-separated), or None.

    With `relative_path` None, only checks that hatchling can select the target's files.
    Raises NothingToShip for a wheel hatchling cannot select files for, and hatchling's own
    TypeError/ValueError for malformed selection options (the caller turns both into one
    message).
    """
    fresh = type(config)(
        config.builder, config.root, config.plugin_name, config.build_config, config.target_config
    )
    selection = {
        "artifacts": list(build_data.get("artifacts", [])),
        "force_include": dict(build_data.get("force_include", {})),
    }
    with fresh.set_build_data(selection):
        _check_wheel_selection(fresh)
        if relative_path is None:
            return None
        path = os.path.join(fresh.root, *relative_path.split("/"))
        return _shipped(fresh, path, build_data, editable=editable)


def reason_and_fix(option: str, rel: str, target: str) -> tuple[str, str]:
    """Why hatchling selects the manifest at `rel` for `target`, and what to change: one row per option
    that `shipped` may name (the hook words its refusal with them)."""
    exclude = (
        f"Exclude it: add `{rel.split('/', maxsplit=1)[0]}/` to .gitignore, or "
        f'`exclude = ["{rel}"]` under [tool.hatch.build.targets.{target}].'
    )
    if option == "file selection":
        return "neither .gitignore nor `exclude` leaves it out", exclude
    if option == "ignore-vcs":
        return (
            "`ignore-vcs = true` makes hatchling disregard .gitignore, and no `exclude` leaves it out",
            f'Exclude it: `exclude = ["{rel}"]` under [tool.hatch.build.targets.{target}], or remove '
            "`ignore-vcs`.",
        )
    if option in ("only-include", "packages"):
        return f"it is under `{option}` and neither .gitignore nor `exclude` leaves it out", exclude
    if option == "artifacts":
        return "it matches `artifacts`", "Narrow `artifacts`: matching files ship whatever .gitignore says."
    where = "[tool.hatch.build.targets.wheel]"
    if option == "force-include":
        where = f"[tool.hatch.build] or [tool.hatch.build.targets.{target}], or the hook that adds it"
    return f"`{option}` puts it there", f"Take it (or its folder) out of `{option}` ({where})."


def refuse_shipping(
    config: BuilderConfig,
    manifest: Path | None,
    build_data: Mapping[str, Any],
    *,
    editable: bool,
    target: str,
    project_name: str,
    table_path: str,
) -> None:
    """ConfigError when the `target` being built would ship the `manifest` file.

    The hook asks before anything is written (the manifest may not exist yet); with `manifest`
    None, only whether hatchling can select the target's files. A manifest outside the
    project is never shipped. Whatever hatchling raises while selecting becomes one message:
    for a connector project without a Python package, how to build its wheel.
    """
    manifest_path = None
    if manifest is not None:
        manifest_path = project_relative(manifest, config.root)
        if manifest_path is None:
            return  # outside the project: no target can pick it up
    try:
        found = shipped(config, manifest_path, build_data, editable=editable)
    except NothingToShip:
        raise ConfigError(
            f"tool.hatch.build.targets.{target}: hatchling finds no Python package to put in the wheel "
            f"of {project_name!r} (a connector project has none). Add `bypass-selection = "
            f"true` under [tool.hatch.build.targets.{target}] (the wheel then holds only metadata; "
            "the connector ships as the jar), or build only the jar: `hatch build -t jar`."
        ) from None
    except (TypeError, ValueError) as exc:  # hatchling's own checks of the selection options
        raise ConfigError(
            f"pyproject.toml: hatchling cannot select the files of the {target}: {exc}"
        ) from None
    if found is None or manifest_path is None:
        return
    reason, fix = reason_and_fix(found.option, manifest_path, target)
    shipped_as = "" if found.archive_path == manifest_path else f" as {found.archive_path}"
    raise ConfigError(
        f"{table_path}.manifest: {manifest_path} would be packaged into the {target}{shipped_as} ({reason}), "
        f"and it holds the connector secret. {fix}"
    )


def leak_cause(
    config: BuilderConfig,
    manifest_path: str | None,
    build_data: Mapping[str, Any],
    *,
    editable: bool,
    target: str,
    hooks_after: Sequence[str],
) -> str:
    """What put the manifest at `manifest_path` into a finished archive, and what to change.

    The archive read back (`archive_scan`) holds it although the check before the build let
    it pass, so either a hook that ran after ours (`hooks_after`) added it to the build data,
    or hatchling's selection ships it under a road the check saw differently, or something
    hatchling does not know about (a link, a copy) did. With `manifest_path` None (another
    manifest), hatchling's selection cannot tell.
    """
    hooks = ", ".join(f"`{name}`" for name in hooks_after) or "none after harmony"
    found = None
    if manifest_path is not None:
        with contextlib.suppress(NothingToShip, TypeError, ValueError):
            found = shipped(config, manifest_path, build_data, editable=editable)
    by_hook = found is not None and found.option == "force-include"
    if by_hook and not _selected_without_hooks(config, manifest_path):
        return (
            f"A build hook ({hooks}) put {manifest_path} (or its folder) into build_data['force_include'] "
            "after the harmony hook checked the selection: take it out of what that hook adds. The "
            "manifest ships only inside the jar (`hatch build -t jar`)."
        )
    if found is not None:
        reason, fix = reason_and_fix(found.option, manifest_path or "", target)
        return f"It is there because {reason}. {fix}"
    return (
        f"Neither hatchling's file selection nor its options put {manifest_path or 'the manifest'} there "
        f"under that name: a build hook ({hooks}) or a link/copy of the manifest did. Remove it from "
        "what that hook adds, or the link from the project."
    )


def hooks_after(build_data: Mapping[str, Any], name: str) -> list[str]:
    """The build hooks hatchling runs after `name` (all of them when it is not listed)."""
    order = list(build_data.get("build_hooks", ()))
    return order[order.index(name) + 1 :] if name in order else order


def _selected_without_hooks(config: BuilderConfig, manifest_path: str | None) -> bool:
    """Whether the project's own options (no hook's build data) select `manifest_path`."""
    if manifest_path is None:
        return False
    with contextlib.suppress(NothingToShip, TypeError, ValueError):
        return shipped(config, manifest_path, {}) is not None
    return False


def _check_wheel_selection(config: BuilderConfig) -> None:
    """hatchling's wheel heuristics raise when a project has no package (editable wheels too)."""
    if not isinstance(config, WheelBuilderConfig):
        return
    try:
        config.default_file_selection_options  # noqa: B018 (evaluated for its error)
    except ValueError as exc:
        if "Unable to determine which files to ship" in str(exc):
            raise NothingToShip(str(exc)) from None
        raise


def _shipped(
    config: BuilderConfig, path: str, build_data: Mapping[str, Any], *, editable: bool
) -> Shipped | None:
    forced = _forced_map(config, build_data, editable=editable)
    for source, target in forced.items():
        hit = _forced(config, source, target, path)
        if hit is not None:
            return Shipped(hit, "force-include")
    if not editable:
        if config.only_include:
            for source, target in config.only_include.items():
                hit = _explicit(config, source, target, path)
                if hit is not None:
                    named = "only-include" in config.target_config or "only-include" in config.build_config
                    return Shipped(hit, "only-include" if named else "packages")
        else:
            hit = _walked(config, path)
            if hit is not None:
                relative = os.path.relpath(path, config.root)
                artifact = config.path_is_artifact(relative) or config.path_is_build_artifact(relative)
                if artifact:
                    return Shipped(hit, "artifacts")
                # with ignore-vcs, .gitignore cannot be the fix: hatchling disregards it
                return Shipped(hit, "ignore-vcs" if config.ignore_vcs else "file selection")
    for option, mapping in _wheel_data(config, build_data).items():
        for source, target in mapping.items():
            hit = _explicit(config, source, target, path)
            if hit is not None:
                return Shipped(hit, option)
    return None


def _forced_map(config: BuilderConfig, build_data: Mapping[str, Any], *, editable: bool) -> dict[str, str]:
    """The wheel builder's get_forced_inclusion_map for editable wheels; the forced files otherwise."""
    if editable and build_data.get("force_include_editable"):
        return normalize_inclusion_map(dict(build_data["force_include_editable"]), config.root)
    return config.get_force_include()


def _wheel_data(config: BuilderConfig, build_data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The wheel's extra files (write_data, add_extra_metadata, add_sboms); none for other targets."""
    if not isinstance(config, WheelBuilderConfig):
        return {}
    maps: dict[str, dict[str, str]] = {}
    for option, key in (
        ("shared-data", "shared_data"),
        ("shared-scripts", "shared_scripts"),
        ("extra-metadata", "extra_metadata"),
    ):
        mapping = dict(getattr(config, key))  # properties that check their own table
        mapping.update(normalize_inclusion_map(dict(build_data.get(key, {})), config.root))
        maps[option] = mapping
    sboms = [*getattr(config, "sbom_files", []), *build_data.get("sbom_files", [])]
    maps["sbom-files"] = {os.path.join(config.root, f): os.path.basename(f) for f in sboms}
    return maps


def _below(path: str, folder: str) -> list[str] | None:
    """The parts of `path` below `folder` (folders first, file last), or None when it is not below."""
    relative = os.path.relpath(path, folder)
    if relative == os.curdir or relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        return None
    return relative.split(os.sep)


def _is_package(path: str) -> bool:
    return os.path.isfile(os.path.join(os.path.dirname(path), "__init__.py"))


def _below_source(config: BuilderConfig, source: str, target: str, path: str) -> tuple[str, str] | None:
    """The relative and distribution paths of `path` under a forced or explicit `source`, or None.

    What recurse_forced_files and recurse_explicit_files share: the path must lie below the
    source, outside excluded folder names and not an excluded file name.
    """
    if path == source:
        return target, config.get_distribution_path(target)
    parts = _below(path, source)
    if (
        parts is None
        or any(part in EXCLUDED_DIRECTORIES for part in parts[:-1])
        or parts[-1] in EXCLUDED_FILES
    ):
        return None
    relative_file_path = os.path.join(target, get_relative_path(os.path.dirname(path), source), parts[-1])
    return relative_file_path, config.get_distribution_path(relative_file_path)


def _forced(config: BuilderConfig, source: str, target: str, path: str) -> str | None:
    """recurse_forced_files for one path: no exclusion applies, only excluded folder names."""
    found = _below_source(config, source, target, path)
    if found is None:
        return None
    if path == source:  # hatchling ships a forced file as named, reserved or not
        return found[1]
    return None if config.path_is_reserved(found[1]) else found[1]


def _explicit(config: BuilderConfig, source: str, target: str, path: str) -> str | None:
    """recurse_explicit_files for one path: named paths, then include_path(explicit=True)."""
    found = _below_source(config, source, target, path)
    if found is None or config.path_is_reserved(found[1]):
        return None
    relative_file_path, distribution_path = found
    if path == source or config.include_path(relative_file_path, explicit=True, is_package=_is_package(path)):
        return distribution_path
    return None


def _walked(config: BuilderConfig, path: str) -> str | None:
    """recurse_project_files for one path: every folder on the way must survive the pruning."""
    parts = _below(path, config.root)
    if parts is None:
        return None
    parent = ""
    for name in parts[:-1]:
        if config.directory_is_excluded(name, parent):
            return None
        parent = os.path.join(parent, name)
    if parts[-1] in EXCLUDED_FILES:
        return None
    relative_file_path = os.path.join(parent, parts[-1])
    distribution_path = config.get_distribution_path(relative_file_path)
    if config.path_is_reserved(distribution_path):
        return None
    if config.include_path(relative_file_path, is_package=_is_package(path)):
        return distribution_path
    return None
