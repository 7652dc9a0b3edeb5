"""Thin hatch glue: the `harmony` build hook and the `jar` build target.

hatch imports this module for every build of every project that has hatch-harmony
installed, so it imports only hatchling's interfaces, the jar builder and the warm-build
stamp (standard library only); the engine is imported when the hook has real work to do.
All decisions live in `pipeline` and `registration`; this module only translates between
hatch and them:

* where the manifest must not go (the sdist and wheel file selections),
* when not to touch the network (editable installs) or not to register (a build from an
  unpacked sdist, whose lock file is a temporary copy),
* status lines through hatch's `app`, and errors as one message without a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.plugin import hookimpl

from . import warm
from .builder import ADAPTER_KEY, MANIFEST_KEY, JarBuilder
from .errors import shown_path


class HarmonyBuildHook(BuildHookInterface[Any]):
    """Registers the connector when needed and writes its MANIFEST.MF before packaging."""

    PLUGIN_NAME = "harmony"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from .errors import HarmonyError

        try:
            self._run(version, build_data)
        except HarmonyError as exc:
            self.app.abort(f"hatch-harmony: {exc.message}", code=exc.exit_code)

    def _run(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        from_sdist = (root / "PKG-INFO").is_file() and not (root / ".git").exists()
        if from_sdist and self.target_name != "jar":
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
        hit = warm.lookup(root, run_key, env) if run_key is not None else None
        if hit is not None:
            if self.target_name in ("sdist", "wheel"):
                self._refuse_packaging_secret(hit.manifest_path, root, hit.table_path)
            self.app.display_info(
                f"harmony: nothing it depends on changed since the last build; manifest reused: "
                f"{shown_path(hit.manifest_path, root)}; 0 requests"
            )
            build_data[MANIFEST_KEY] = hit.manifest
            build_data[ADAPTER_KEY] = str(hit.adapter_path)
            return
        self._full_run(root, env, build_data, editable=editable, from_sdist=from_sdist, run_key=run_key)

    def _full_run(
        self,
        root: Path,
        env: Mapping[str, str],
        build_data: dict[str, Any],
        *,
        editable: bool,
        from_sdist: bool,
        run_key: dict[str, Any] | None,
    ) -> None:
        """The engine: register when needed, write the manifest, leave a stamp for the next build."""
        from .adapter import DEFAULT_LOCATIONS
        from .config import load_config
        from .errors import NeedsNetworkError
        from .pipeline import generate, status_lines

        config = load_config(self.config, root, env)
        if editable:  # an editable install must never wait on (or register with) Harmony
            config = replace(config, offline=True)
        if self.target_name in ("sdist", "wheel"):
            self._refuse_packaging_secret(config.manifest, root, config.table_path)
        try:
            result = generate(
                config, env, project_version=self.metadata.version, allow_register=not from_sdist
            )
        except NeedsNetworkError:
            if not editable:
                raise
            self.app.display_warning(
                "harmony: an editable install never talks to Harmony, and the manifest needs it: not "
                "refreshed. `hatch build -t jar` or `hatch-harmony manifest` registers and writes it."
            )
            return
        for line in status_lines(result, root):
            (self.app.display_warning if line.warning else self.app.display_info)(line.text)
        build_data[MANIFEST_KEY] = result.manifest
        build_data[ADAPTER_KEY] = str(result.adapter.path)
        if run_key is not None and not config.verify:
            candidates = [root / c for c in DEFAULT_LOCATIONS] if config.adapter is None else [config.adapter]
            warm.record(
                root,
                run_key,
                env,
                files=[
                    root / "pyproject.toml",
                    root / ".gitignore",
                    warm.git_index(root),
                    result.adapter.path,
                    *candidates,
                    config.manifest_template,
                    config.lock,
                    result.path,
                ],
                manifest=result.path,
                adapter=result.adapter.path,
                table_path=config.table_path,
            )

    def _refuse_packaging_secret(self, manifest: Path, root: Path, table_path: str) -> None:
        """The generated manifest holds the secret: it must not be selected into an sdist or wheel."""
        try:
            rel = manifest.relative_to(root).as_posix()
        except ValueError:
            return  # outside the project: no target can pick it up
        from .errors import ConfigError

        if self.build_config.include_path(rel):
            raise ConfigError(
                f"{table_path}.manifest: {rel} would be packaged into the {self.target_name}, and it holds "
                f"the connector secret. Exclude it: add `{rel.split('/')[0]}/` to .gitignore, or "
                f'`exclude = ["{rel}"]` under [tool.hatch.build.targets.{self.target_name}].'
            )


@hookimpl
def hatch_register_build_hook() -> type[BuildHookInterface[Any]]:
    return HarmonyBuildHook


@hookimpl
def hatch_register_builder() -> type[JarBuilder]:
    return JarBuilder
