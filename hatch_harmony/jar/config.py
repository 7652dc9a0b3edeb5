"""The `jar` target's table, `[tool.hatch.build.targets.jar]`: hatchling's BuilderConfig plus our options.

Why a BuilderConfig subclass (as hatchling's sdist and wheel builders and hatch-zipped-directory
do): hatchling builds it lazily for the target (`BuilderInterface.config`), validates and reads
its own options through it, and gives build hooks the same object. The jar adds `classes`,
`lib`, `assets` and `bundle-sdk` as lazy properties, and reads hatchling's file selection from
hatchling's own properties (`include_path`, `force_include`, `skip_excluded_dirs`,
`reproducible`), so those options mean for the jar what they mean for a wheel, with one
difference: their paths are paths *inside the jar* (`com/example/...`, `lib/x.jar`), since the
jar's files come from `classes`, `lib` and `assets`, not from a walk of the project.

What each hatchling option does for the jar is decided here, one row each (README, "The
jar"); an option the jar cannot honour is refused with the reason and the fix, never ignored.
The file-selection options are read from this table only: the ones under `[tool.hatch.build]`
select the project files of the sdist and wheel (project paths), and a jar build says so in
one line rather than reinterpret them.

Our options are checked together, on first use: one ConfigError lists every problem of the
table with its TOML path, so a user fixes their pyproject in one round (the harmony hook asks
for it before it may register, through `check_before_build`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.utils import get_reproducible_timestamp

from hatch_harmony.errors import ConfigError

if TYPE_CHECKING:
    from hatchling.builders.plugin.interface import BuilderInterface

    from hatch_harmony.config import Problems

#: Where compiled classes usually are, tried in this order when `classes` is not set:
#: Maven, Gradle, plain `javac -d build/classes`, and a bare `classes/` folder.
DEFAULT_CLASSES_DIRS: tuple[str, ...] = (
    "target/classes",
    "build/classes/java/main",
    "build/classes",
    "classes",
)
DEFAULT_LIB_DIR = "lib"
#: The table of the installed `jar` target (under hatchling's custom target: `targets.custom`).
JAR_TABLE = "tool.hatch.build.targets.jar"

#: The jar's own options.
JAR_OPTIONS: tuple[str, ...] = ("classes", "lib", "assets", "bundle-sdk")

#: hatchling's file selection, honoured with jar paths (validated by hatchling's properties).
SELECTION_OPTIONS: tuple[str, ...] = (
    "include",
    "exclude",
    "artifacts",
    "force-include",
    "skip-excluded-dirs",
)

#: hatchling's options it applies to every target itself (build directory, hooks, build
#: environment, versions), and `reproducible`, which sets the jar's timestamps (`entry_epoch`).
TARGET_OPTIONS: tuple[str, ...] = (
    "directory",
    "hooks",
    "dependencies",
    "require-runtime-dependencies",
    "require-runtime-features",
    "versions",
    "reproducible",
)

_FORCE_INCLUDE_INSTEAD = "map it to a path in the jar with `force-include`"
#: hatchling options with no meaning for a connector jar: why, and what to write instead.
REFUSED_OPTIONS: dict[str, str] = {
    "only-include": "the jar's files come from `classes`, `lib` and `assets`, not from a walk of the "
    f"project; add the folder to `assets`, or {_FORCE_INCLUDE_INSTEAD}",
    "sources": "paths in the jar are fixed (classes at the root, jars under lib/, assets under their "
    f"project path); to put a file or folder elsewhere, {_FORCE_INCLUDE_INSTEAD}",
    "packages": "a connector jar holds no Python packages; add folders to `assets`, or "
    f"{_FORCE_INCLUDE_INSTEAD}",
    "only-packages": "a connector jar holds no Python packages; select files with `include`/`exclude`",
    "ignore-vcs": "the jar never applies .gitignore (compiled classes are git-ignored build output), so "
    "there is nothing to turn off; delete the option",
    "dev-mode-dirs": "only editable wheels use it; set it under [tool.hatch.build.targets.wheel]",
    "dev-mode-exact": "only editable wheels use it; set it under [tool.hatch.build.targets.wheel]",
}

#: Never bundled from `classes`, `lib` or `assets` unless an `exclude` pattern re-includes them
#: (`"!.gitkeep"`): VCS and OS droppings. hatchling's hook for a target's own default excludes.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git/",
    ".hg/",
    ".svn/",
    "__pycache__/",
    ".DS_Store",
    "Thumbs.db",
    ".gitkeep",
)

#: Options that `[tool.hatch.build]` gives every target, but that select project files.
_PROJECT_SELECTION = frozenset(SELECTION_OPTIONS) | (
    frozenset(REFUSED_OPTIONS) - {"dev-mode-dirs", "dev-mode-exact"}
)


#: The BuilderConfig property that reads (and checks) each hatchling option the jar reads.
_HATCHLING_PROPERTIES: dict[str, str] = {
    "include": "include_spec",
    "exclude": "exclude_spec",
    "artifacts": "artifact_spec",
    "force-include": "force_include",
    "skip-excluded-dirs": "skip_excluded_dirs",
    "reproducible": "reproducible",
}


@dataclass(frozen=True)
class _JarOptions:
    classes: Path | None
    lib: Path | None
    assets: tuple[Path, ...]
    bundle_sdk: bool


class JarBuilderConfig(BuilderConfig):
    """hatchling's target configuration for `jar`, with the connector jar's options."""

    def __init__(
        self,
        builder: BuilderInterface[Any, Any],
        root: str,
        plugin_name: str,
        build_config: dict[str, Any],
        target_config: dict[str, Any],
    ) -> None:
        # hatchling falls back to [tool.hatch.build] for every option; for file selection that
        # would apply the sdist's project paths to jar paths, so those stay with the other targets.
        shared = {key: value for key, value in build_config.items() if key not in _PROJECT_SELECTION}
        super().__init__(builder, root, plugin_name, shared, target_config)
        self.unused_global_options = tuple(key for key in build_config if key in _PROJECT_SELECTION)

    @property
    def table_path(self) -> str:
        return f"tool.hatch.build.targets.{self.plugin_name}"

    @property
    def root_path(self) -> Path:
        return Path(os.path.normpath(Path(self.root).absolute()))

    @property
    def classes(self) -> Path | None:
        """The configured classes folder; None: the first of DEFAULT_CLASSES_DIRS that exists."""
        return self._options.classes

    @property
    def lib(self) -> Path | None:
        """The configured dependency folder; None: `lib/` if it exists."""
        return self._options.lib

    @property
    def assets(self) -> tuple[Path, ...]:
        """Folders (or files) inside the project, bundled under their project-relative path."""
        return self._options.assets

    @property
    def bundle_sdk(self) -> bool:
        """Off by default: the agent provides the Jitterbit connector SDK (Maven's system scope)."""
        return self._options.bundle_sdk

    @property
    def classes_candidates(self) -> tuple[Path, ...]:
        """The folders the builder tries, in order: the configured one, else the usual build outputs."""
        if self.classes is not None:
            return (self.classes,)
        from hatch_harmony.config import project_path

        return tuple(project_path(self.root_path, rel) for rel in DEFAULT_CLASSES_DIRS)

    @property
    def lib_candidate(self) -> Path:
        """The dependency-jar folder: the configured one (must exist), else `lib/` when it exists."""
        from hatch_harmony.config import project_path

        return self.lib if self.lib is not None else project_path(self.root_path, DEFAULT_LIB_DIR)

    def validate(self) -> None:
        """Raise one ConfigError listing every problem of the table; nothing when it is fine."""
        self._options  # noqa: B018 (a cached property: computing it is the check)

    def bundles(self, jar_path: str) -> bool:
        """Whether a file of `classes`, `lib` or `assets` goes in: hatchling's include_path, by jar path."""
        return self.include_path(jar_path)

    def prunes(self, jar_folder: str) -> bool:
        """Whether the walk skips a folder: `skip-excluded-dirs` and `exclude` matching it (as hatchling)."""
        return self.skip_excluded_dirs and self.path_is_excluded(f"{jar_folder}/")

    def default_global_exclude(self) -> list[str]:
        return list(DEFAULT_EXCLUDE)

    def load_vcs_exclusion_patterns(self) -> list[str]:
        """None: compiled classes and copied jars are git-ignored build output, and they are the jar."""
        return []

    @cached_property
    def _options(self) -> _JarOptions:
        from hatch_harmony.config import Problems, scan_secrets, toml_path

        problems = Problems()
        secret_keys = scan_secrets(self.target_config, self.table_path, problems)
        options: dict[str, object] = {}
        for key, value in self.target_config.items():
            if key not in secret_keys:
                options[key] = self._check(key, value, toml_path(self.table_path, key), problems)
        problems.raise_if_any()
        classes, lib, assets = options.get("classes"), options.get("lib"), options.get("assets")
        return _JarOptions(
            classes=classes if isinstance(classes, Path) else None,
            lib=lib if isinstance(lib, Path) else None,
            assets=tuple(assets) if isinstance(assets, list) else (),
            bundle_sdk=options.get("bundle-sdk") is True,
        )

    def _check(self, key: str, value: object, where: str, problems: Problems) -> object:
        """One option of the table: ours parsed, hatchling's checked by hatchling, the rest refused."""
        from hatch_harmony.config import did_you_mean

        if key in JAR_OPTIONS:
            return _parse_own(key, value, where, self.root_path, problems)
        if key in REFUSED_OPTIONS:
            problems.add(where, f"not an option of the jar target: {REFUSED_OPTIONS[key]}")
        elif key in _HATCHLING_PROPERTIES:
            try:  # hatchling's own check; its message names the field and what it must be
                getattr(self, _HATCHLING_PROPERTIES[key])
            except (TypeError, ValueError) as exc:
                problems.add(where, f"{exc} (hatchling's rule for this option)")
        elif key not in TARGET_OPTIONS:  # those hatchling checks itself, before any hook runs
            known = JAR_OPTIONS + SELECTION_OPTIONS + TARGET_OPTIONS + tuple(REFUSED_OPTIONS)
            hatchlings = ", ".join(SELECTION_OPTIONS + TARGET_OPTIONS)
            problems.add(
                where,
                f"unknown option.{did_you_mean(key, known)} The jar target takes {', '.join(JAR_OPTIONS)} "
                f"and hatchling's {hatchlings}",
            )
        return None


def _parse_own(key: str, value: object, where: str, root: Path, problems: Problems) -> object:
    """One of JAR_OPTIONS, checked; None (and a problem) when it is wrong."""
    from hatch_harmony.config import bool_option, path_option, project_path

    if key == "bundle-sdk":
        return bool_option(value, where, "bundle-sdk = true", problems)
    if key == "assets":
        return _assets(value, where, root, problems)
    example = "target/classes" if key == "classes" else "lib"
    text = path_option(value, where, f'{key} = "{example}"', problems)
    return None if text is None else project_path(root, text)


def _assets(value: object, where: str, root: Path, problems: Problems) -> list[Path]:
    """`assets` go into the jar under their path relative to the project, so they must lie inside it."""
    from hatch_harmony.config import path_option, project_path, toml_kind

    example = 'assets = ["icons", "docs"]'
    if not isinstance(value, list):
        problems.add(where, f"expected an array of folder paths, got {toml_kind(value)}; write {example}")
        return []
    result: list[Path] = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        text = path_option(item, here, example, problems)
        if text is None:
            continue
        path = project_path(root, text)
        if path == root or root not in path.parents:
            problems.add(
                here,
                "must be a folder inside the project (it is stored in the jar under its path relative to "
                "the project), and not the project folder itself",
            )
        elif path in result:
            problems.add(here, "is listed twice")
        else:
            result.append(path)
    return result


# --------------------------------------------------------------------------- timestamps


def entry_epoch(config: BuilderConfig) -> int:
    """The one timestamp of every jar entry, from hatchling's reproducible settings.

    `reproducible` (hatchling's option: this target's table, else [tool.hatch.build]; true by
    default) false: the build time, as hatchling's sdist does. True: SOURCE_DATE_EPOCH as
    hatchling's own `get_reproducible_timestamp` reads it, so the jar and the wheel agree;
    unset or empty (CI templates often export it empty), the Java tools' 1980-02-01 rather than
    hatchling's 2020-02-02, so that jars keep the bytes they had. A value that is not a whole
    number is an error, as the reproducible-builds spec asks, rather than another timestamp.
    """
    from hatch_harmony.jar.archive import DEFAULT_EPOCH, ZIP_MAX_EPOCH, ZIP_MIN_EPOCH

    try:
        reproducible = config.reproducible
    except TypeError as exc:
        raise ConfigError(f"pyproject.toml: {exc}; write reproducible = true (or false)") from None
    if not reproducible:
        epoch = int(time.time())
    elif not os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return DEFAULT_EPOCH
    else:
        try:
            epoch = get_reproducible_timestamp()
        except ValueError:
            raw = os.environ["SOURCE_DATE_EPOCH"].strip()
            raise ConfigError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC "
                f"(e.g. `git log -1 --format=%ct`), got {raw[:40]!r}"
            ) from None
    return min(max(epoch, ZIP_MIN_EPOCH), ZIP_MAX_EPOCH)


def check_before_build(config: BuilderConfig) -> None:
    """What the `harmony` hook checks before it may register, for the target being built.

    Every target's archive takes its timestamps from hatchling's reproducible settings, so a
    bad SOURCE_DATE_EPOCH stops any build here rather than after a registration; the jar
    target's whole table is checked too. One owner for both: the jar build asks the same.
    """
    if isinstance(config, JarBuilderConfig):
        config.validate()
    entry_epoch(config)
