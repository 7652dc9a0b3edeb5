"""The `jar` build target: `hatch build -t jar` makes the connector jar a private agent loads.

A Harmony agent loads jars, not wheels, so the deployable artifact of a connector project
is built by hatch itself, with the manifest the `harmony` build hook just generated.

hatch imports this module whenever it lists the build targets of a project that has
hatch-harmony installed (`hatch_register_builder`, called by `hatch build` for the wheel
too), so it imports only hatchling's interfaces: the table (`config`), the layout
(`layout`: planning and walking) and the writer (`archive`) are imported when the jar
target is configured or builds. This module is the thin glue: names, clean-up, messages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.builders.plugin.interface import BuilderInterface
from hatchling.plugin.manager import PluginManager

from hatch_harmony.errors import ConfigError, HarmonyError
from hatch_harmony.errors import shown_path as _shown
from hatch_harmony.jar import ADAPTER_KEY, ENVIRONMENT_KEY, MANIFEST_KEY

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.jar.config import JarBuilderConfig


#: What a manifest `Version` may hold to name the jar: a version starting with a digit, in
#: characters a file name keeps everywhere. `-` becomes `_` in the name (as in a wheel's), so
#: the name's hyphens keep separating the project name, the version and the environment.
JAR_VERSION = re.compile(r"[0-9][A-Za-z0-9.+!_-]*")


def _stem(project_name: str) -> str:
    """The project name as PEP 503 normalises it (`Weather_Example` -> `weather-example`)."""
    from packaging.utils import canonicalize_name  # hatchling's dependency; loaded by any build anyway

    return canonicalize_name(project_name)


def jar_version_problem(version: str) -> str | None:
    """Why `version` cannot name the jar, or None."""
    if JAR_VERSION.fullmatch(version):
        return None
    return "names the jar too, so it must start with a digit and hold only letters, digits and . + ! _ -"


def check_attributes_version(config: HarmonyConfig) -> None:
    """A `Version` set in `attributes` names the jar: one that cannot stops the build before it registers."""
    from hatch_harmony.project.connector_manifest import explicit_version

    explicit = explicit_version(config.attributes)
    problem = None if explicit is None else jar_version_problem(explicit)
    if problem is not None:
        env = f" (environment {config.environment!r})" if config.environment else ""
        raise ConfigError(f"{config.table_path}.attributes{env}: Version {explicit!r} {problem}")


def jar_file_name(project_name: str, version: str, environment: str | None = None) -> str:
    """`<name>-<version>.jar`, or `<name>-<version>-<environment>.jar` for an environment's build.

    Hyphens, as in Maven's `artifactId-version.jar`, which connector developers know. The
    version is the manifest's `Version` (the project version unless `attributes` sets one),
    with `-` written `_`, so it never holds a hyphen and `clean` can recognise this project's
    jars exactly. Each environment holds its own registration, so each gets its own file:
    building prod must not replace the dev jar in dist/.
    """
    suffix = f"-{environment}" if environment else ""
    return f"{_stem(project_name)}-{version.replace('-', '_')}{suffix}.jar"


def made_jars(directory: Path, project_name: str, environments: Iterable[str] = ()) -> list[Path]:
    """The jars (and leftover temporary files) this target made for this project in `directory`.

    `environments` are the declared environment names: only those count as a suffix, so a
    neighbouring project's `<name>-2-1.0.jar` is never taken for ours.
    """
    names = sorted(set(environments), key=len, reverse=True)
    suffix = f"(?:-(?:{'|'.join(map(re.escape, names))}))?" if names else ""
    jar = rf"{re.escape(_stem(project_name))}-[0-9][^-/]*{suffix}\.jar"
    ours = re.compile(rf"{jar}|\.{jar}\..+\.tmp")
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if ours.fullmatch(p.name) and p.is_file())


def declared_environments(build_config: Mapping[str, Any], target_config: Mapping[str, Any]) -> list[str]:
    """The environment names of the `harmony` hook table ([tool.hatch.build] and the jar's own)."""
    found: list[str] = []
    for table in (build_config, target_config):
        hooks = table.get("hooks")
        hook = hooks.get("harmony") if isinstance(hooks, Mapping) else None
        environments = hook.get("environments") if isinstance(hook, Mapping) else None
        if isinstance(environments, Mapping):
            found += [name for name in environments if isinstance(name, str)]
    return found


# The config class is named as a string: it is imported only when hatch configures the target.
class JarBuilder(BuilderInterface["JarBuilderConfig", PluginManager]):
    """`hatch build -t jar` -> `dist/<name>-<version>.jar`, the deployable connector jar.

    Options live under `[tool.hatch.build.targets.jar]` (`config.JarBuilderConfig`). The
    manifest and adapter path come from the `harmony` build hook through build_data, which
    hatchling passes to `build_standard` as keywords.
    """

    PLUGIN_NAME = "jar"

    @classmethod
    def get_config_class(cls) -> type[JarBuilderConfig]:
        from hatch_harmony.jar.config import JarBuilderConfig

        return JarBuilderConfig

    def get_version_api(self) -> dict[str, Callable[..., str]]:
        return {"standard": self.build_standard}

    def get_default_versions(self) -> list[str]:
        return ["standard"]

    def clean(self, directory: str, versions: list[str]) -> None:
        """Remove only this project's jars: dist/ is shared with the wheel, sdist and other projects."""
        environments = declared_environments(self.build_config, self.target_config)
        for path in made_jars(Path(directory), self.metadata.core.name, environments):
            path.unlink()

    def build_standard(self, directory: str, **build_data: Any) -> str:
        try:
            return str(self._build(Path(directory), build_data))
        except HarmonyError as exc:
            self.app.abort(f"hatch-harmony: {exc.message}", code=exc.exit_code)
            raise SystemExit(exc.exit_code) from None  # abort() exits; this keeps the types honest

    def _build(self, directory: Path, build_data: Mapping[str, Any]) -> Path:
        from hatch_harmony.jar.archive import write_jar
        from hatch_harmony.jar.config import check_before_build, entry_epoch
        from hatch_harmony.jar.layout import plan_jar
        from hatch_harmony.jar.said import first_time

        manifest = build_data.get(MANIFEST_KEY)
        adapter = build_data.get(ADAPTER_KEY)
        if not isinstance(manifest, bytes) or not isinstance(adapter, str):
            raise ConfigError(self._missing_hook_message())
        root = Path(self.root)
        config = self.config
        check_before_build(config)
        environment = build_data.get(ENVIRONMENT_KEY)
        version = self._version(manifest)
        target = directory / jar_file_name(
            self.metadata.core.name, version, environment if isinstance(environment, str) else None
        )
        if config.unused_global_options:
            self.app.display_info(
                f"jar: [tool.hatch.build] {', '.join(config.unused_global_options)} select the sdist's and "
                f"wheel's project files, not the jar's; set them under [{config.table_path}] for the jar"
            )
        try:
            plan = plan_jar(root, config, manifest=manifest, adapter=Path(adapter))
            for notice in plan.notices:
                self.app.display_warning(f"jar: {notice}")
            for notice in plan.once:
                if first_time(root, "class-path", notice, os.environ):
                    self.app.display_warning(f"jar: {notice}")
            for note in plan.notes:
                self.app.display_info(f"jar: {note}")
            self.app.display_info(f"jar: {plan.summary}")
            written = write_jar(target, plan.manifest, plan.entries, epoch=entry_epoch(config))
            for problem in self._agent_problems(written, Path(adapter)):
                self.app.display_warning(f"jar: {problem}")
            return written
        except ValueError as exc:  # a file/folder name clash between sources
            raise ConfigError(f"{_shown(target, root)}: {exc}") from None
        except OSError as exc:  # an unreadable input, a full disk: the previous jar is untouched
            raise HarmonyError(f"could not build {_shown(target, root)}: {exc}") from None

    def _version(self, manifest: bytes) -> str:
        """The manifest's `Version`, so that the jar's name and what agents compare always agree.

        The hook writes the project version there unless `attributes` sets one (and checks
        that one before it registers); a manifest without one takes the project version.
        """
        from hatch_harmony.jar_manifest import Manifest
        from hatch_harmony.vocabulary import VERSION

        version = Manifest.parse(manifest, source="the manifest from the harmony build hook").get(VERSION)
        if not version:
            return self.metadata.version
        problem = jar_version_problem(version)
        if problem is not None:
            raise ConfigError(
                f"the manifest's {VERSION} {version!r} {problem}; set it in the hook's `attributes`"
            )
        return version

    def _agent_problems(self, jar: Path, adapter_path: Path) -> list[str]:
        """The jar as an agent reads it (annotations, factory class) against adapter.json: one cheap step."""
        from hatch_harmony.jar.agent_view import code_problems, read_jar
        from hatch_harmony.project.adapter import load_adapter

        return code_problems(read_jar(jar), load_adapter(adapter_path), jar.name)

    def _missing_hook_message(self) -> str:
        configured = "harmony" in self.build_config.get("hooks", {}) or "harmony" in self.target_config.get(
            "hooks", {}
        )
        if configured:
            return (
                "the jar target needs the manifest of the `harmony` build hook, which is disabled "
                "(enable-by-default = false); run with HATCH_BUILD_HOOK_ENABLE_HARMONY=true"
            )
        hidden = self._hidden_by_hatch_toml()
        if hidden is not None:
            needs = "the jar target needs the manifest of the `harmony` build hook"
            return f"{needs}, which is not run: {hidden}"
        return (
            "the jar target needs the manifest of the `harmony` build hook, which is not configured. "
            'Add to pyproject.toml:\n\n    [tool.hatch.build.hooks.harmony]\n    adapter = "adapter.json"\n'
        )

    def _hidden_by_hatch_toml(self) -> str | None:
        """hatch.toml's [build] replaces pyproject's [tool.hatch.build]: what that hides and what to write."""
        from hatch_harmony.config import hatch_toml

        root = Path(self.root)
        try:
            if hatch_toml.read_build(root) is None:
                return None
            from hatch_harmony.util.long_integers import load_toml

            pyproject = load_toml((root / "pyproject.toml").read_text(encoding="utf-8"))
        except (HarmonyError, OSError, ValueError):
            return None  # hatchling read both files already; anything odd is reported elsewhere
        return hatch_toml.hidden_message(hatch_toml.pyproject_has_hook(pyproject))


def load_jar_table(table: Mapping[str, Any], root: Path) -> JarBuilderConfig:
    """A `jar` table checked as a build checks it, without a build (for `hatch-harmony init`)."""
    from hatch_harmony.jar.config import JarBuilderConfig

    config = JarBuilderConfig(JarBuilder(str(root)), str(root), JarBuilder.PLUGIN_NAME, {}, dict(table))
    config.validate()
    return config
