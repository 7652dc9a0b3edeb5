"""Thin hatch glue: the `harmony` build hook and the `jar` build target.

hatch imports this module for every build of a project that enables the hook, so it
imports only hatchling's hook interface and the warm-build stamp (standard library only):
the jar builder is imported when hatchling asks for build targets it does not ship (never
for a wheel or sdist), the engine when the hook has real work to do.
All decisions live in `pipeline` and `registration`; this module only translates between
hatch and them:

* where the manifest must not go (the sdist and wheel file selections, asked the way
  hatchling selects files: `shipping`), and hatchling's selection errors as one message,
* when not to touch the network (editable installs) or not to register (a build from an
  unpacked sdist, whose lock file is a temporary copy),
* status lines through hatch's `app`, and errors as one message without a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.plugin import hookimpl

from hatch_harmony.engine import warm
from hatch_harmony.errors import shown_path
from hatch_harmony.util.git import unpacked_sdist

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.jar.builder import JarBuilder

#: build_data keys the hook fills for the `jar` target (builder.py); the hook runs first.
MANIFEST_KEY = "harmony_manifest"
ADAPTER_KEY = "harmony_adapter"


#: Ctrl+C while the hook runs: one line instead of hatchling's traceback, saying what was left.
#: Every file is written atomically (old or new, never half), and a register request that may
#: have reached Harmony is healed by the next build, which finds the connector by name and
#: version and adopts it instead of registering again.
INTERRUPTED = (
    "hatch-harmony: interrupted (Ctrl+C). harmony.lock and the manifest are each either as they were or "
    "complete; if a registration was under way, Harmony may hold it without harmony.lock naming it yet: "
    "the next build finds and adopts it (no second registration)."
)


class HarmonyBuildHook(BuildHookInterface[Any]):
    """Registers the connector when needed and writes its MANIFEST.MF before packaging."""

    PLUGIN_NAME = "harmony"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from hatch_harmony.errors import HarmonyError

        try:
            self._run(version, build_data)
        except HarmonyError as exc:
            self.app.abort(f"hatch-harmony: {exc.message}", code=exc.exit_code)
        except KeyboardInterrupt:
            self.app.abort(INTERRUPTED, code=130)

    def _run(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        from_sdist = unpacked_sdist(root)
        if from_sdist and self.target_name != "jar":
            if self.target_name == "wheel":  # still one clear message when the wheel has no files
                self._refuse_packaging_secret(None, root, "", build_data, version)
            self.app.display_info(
                "harmony: building from an unpacked sdist; the manifest belongs to the source tree, skipped"
            )
            return
        env = os.environ
        editable = version == "editable"
        run_key = None
        if not (from_sdist or editable):
            run_key = warm.key(
                self.config, target=self.target_name, project_version=self.metadata.version, env=env
            )
        hit = warm.lookup(root, run_key, env, self.target_name) if run_key is not None else None
        if hit is not None:
            if self.target_name in ("sdist", "wheel"):
                self._refuse_packaging_secret(hit.manifest_path, root, hit.table_path, build_data, version)
            self.app.display_info(
                f"harmony: nothing it depends on changed since the last build; manifest reused: "
                f"{shown_path(hit.manifest_path, root)}; 0 requests"
            )
            build_data[MANIFEST_KEY] = hit.manifest
            build_data[ADAPTER_KEY] = str(hit.adapter_path)
            return
        self._full_run(root, env, build_data, version, from_sdist=from_sdist, run_key=run_key)

    def _full_run(
        self,
        root: Path,
        env: Mapping[str, str],
        build_data: dict[str, Any],
        version: str,
        *,
        from_sdist: bool,
        run_key: str | None,
    ) -> None:
        """The engine, through the pipeline's one entry; then a stamp for the next warm build."""
        from hatch_harmony.config import HOOK_TABLE
        from hatch_harmony.engine.pipeline import run_build
        from hatch_harmony.jar.config import check_before_build

        # The archives take their timestamps (hatchling's reproducible settings) only after this
        # hook, and the jar reads its table then: a bad value must stop the build before it
        # registers, not after (issue 14, item 17).
        check_before_build(self.build_config)

        def packaging_check(config: HarmonyConfig) -> None:
            if self.target_name in ("sdist", "wheel"):
                self._refuse_packaging_secret(config.manifest, root, config.table_path, build_data, version)

        run = run_build(
            root,
            self.config,
            env,
            project_version=self.metadata.version,
            table_path=HOOK_TABLE,
            editable=version == "editable",
            from_sdist=from_sdist,
            check=packaging_check,
        )
        for line in run.lines:
            (self.app.display_warning if line.warning else self.app.display_info)(line.text)
        if run.result is None:
            return
        build_data[MANIFEST_KEY] = run.result.manifest
        build_data[ADAPTER_KEY] = str(run.result.adapter.path)
        if run_key is not None and not run.config.verify:
            warm.record(
                root,
                run_key,
                env,
                target=self.target_name,
                files=run.files_read,
                manifest=run.result.path,
                adapter=run.result.adapter.path,
                table_path=run.config.table_path,
            )

    def _refuse_packaging_secret(
        self, manifest: Path | None, root: Path, table_path: str, build_data: Mapping[str, Any], version: str
    ) -> None:
        """The generated manifest holds the secret: refuse when this sdist or wheel would ship it.

        `shipping` asks hatchling's own file selection (see there why one `include_path`
        was not enough). Whatever hatchling raises while selecting becomes one message:
        for a connector project without a Python package, how to build its wheel.
        """
        from hatch_harmony.errors import ConfigError
        from hatch_harmony.guard import packaging as shipping

        target = self.target_name
        rel = None
        if manifest is not None:
            try:
                rel = manifest.relative_to(root).as_posix()
            except ValueError:
                return  # outside the project: no target can pick it up
        try:
            found = shipping.shipped(self.build_config, rel, build_data, editable=version == "editable")
        except shipping.NothingToShip:
            raise ConfigError(
                f"tool.hatch.build.targets.{target}: hatchling finds no Python package to put in the wheel "
                f"of {self.metadata.core.name!r} (a connector project has none). Add `bypass-selection = "
                f"true` under [tool.hatch.build.targets.{target}] (the wheel then holds only metadata; "
                "the connector ships as the jar), or build only the jar: `hatch build -t jar`."
            ) from None
        except (TypeError, ValueError) as exc:  # hatchling's own checks of the selection options
            raise ConfigError(
                f"pyproject.toml: hatchling cannot select the files of the {target}: {exc}"
            ) from None
        if found is None or rel is None:
            return
        reason, fix = _reason_and_fix(found.option, rel, target)
        shipped_as = "" if found.archive_path == rel else f" as {found.archive_path}"
        raise ConfigError(
            f"{table_path}.manifest: {rel} would be packaged into the {target}{shipped_as} ({reason}), "
            f"and it holds the connector secret. {fix}"
        )


def _reason_and_fix(option: str, rel: str, target: str) -> tuple[str, str]:
    """Why hatchling selects the manifest, and what to change, by the option that selects it."""
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


@hookimpl
def hatch_register_build_hook() -> type[BuildHookInterface[Any]]:
    return HarmonyBuildHook


@hookimpl
def hatch_register_builder() -> type[JarBuilder]:
    from hatch_harmony.jar.builder import (
        JarBuilder,  # only when hatchling looks beyond its own targets (`-t jar`)
    )

    return JarBuilder
