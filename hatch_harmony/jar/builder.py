"""The `jar` build target: `hatch build -t jar` makes the connector jar a private agent loads.

A Harmony agent loads jars, not wheels, so the deployable artifact of a connector project
is built by hatch itself, with the manifest the `harmony` build hook just generated.

hatch imports this module whenever it lists the build targets of a project that has
hatch-harmony installed (`hatch_register_builder`, called by `hatch build` for the wheel
too), so it imports only hatchling's interfaces: the table (`jar_config`), the layout
(`jar_layout`: planning and walking) and the writer (`jarfile`) are imported when the jar
target is configured or builds. This module is the thin glue: names, clean-up, messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.builders.plugin.interface import BuilderInterface
from hatchling.plugin.manager import PluginManager

from hatch_harmony.errors import ConfigError, HarmonyError
from hatch_harmony.errors import shown_path as _shown
from hatch_harmony.hooks import ADAPTER_KEY, MANIFEST_KEY

if TYPE_CHECKING:
    from hatch_harmony.jar.config import JarBuilderConfig


def jar_file_name(project_name: str, version: str) -> str:
    """`<name>-<version>.jar`, name as PEP 503 normalises it (`Weather_Example` -> `weather-example`).

    Hyphens, as in Maven's `artifactId-version.jar`, which connector developers know; the
    version (normalised by hatchling) never contains a hyphen, so the last one separates
    the two and `clean` can recognise this project's jars exactly.
    """
    name = re.sub(r"[-_.]+", "-", project_name).lower()
    return f"{name}-{version}.jar"


def made_jars(directory: Path, project_name: str) -> list[Path]:
    """The jars (and leftover temporary files) this target made for this project in `directory`."""
    stem = re.escape(re.sub(r"[-_.]+", "-", project_name).lower())
    ours = re.compile(rf"{stem}-[0-9][^-/]*\.jar|\.{stem}-[0-9][^-/]*\.jar\..+\.tmp")
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if ours.fullmatch(p.name) and p.is_file())


# The config class is named as a string: it is imported only when hatch configures the target.
class JarBuilder(BuilderInterface["JarBuilderConfig", PluginManager]):
    """`hatch build -t jar` -> `dist/<name>-<version>.jar`, the deployable connector jar.

    Options live under `[tool.hatch.build.targets.jar]` (`jar_config.JarBuilderConfig`). The
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
        for path in made_jars(Path(directory), self.metadata.core.name):
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

        manifest = build_data.get(MANIFEST_KEY)
        adapter = build_data.get(ADAPTER_KEY)
        if not isinstance(manifest, bytes) or not isinstance(adapter, str):
            raise ConfigError(self._missing_hook_message())
        root = Path(self.root)
        config = self.config
        check_before_build(config)
        target = directory / jar_file_name(self.metadata.core.name, self.metadata.version)
        if config.unused_global_options:
            self.app.display_info(
                f"jar: [tool.hatch.build] {', '.join(config.unused_global_options)} select the sdist's and "
                f"wheel's project files, not the jar's; set them under [{config.table_path}] for the jar"
            )
        try:
            plan = plan_jar(root, config, manifest=manifest, adapter=Path(adapter))
            for notice in plan.notices:
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
        return (
            "the jar target needs the manifest of the `harmony` build hook, which is not configured. "
            'Add to pyproject.toml:\n\n    [tool.hatch.build.hooks.harmony]\n    adapter = "adapter.json"\n'
        )
