"""Thin hatch glue: the `harmony` build hook and the `jar` build target.

hatch imports this module for every build of a project that enables the hook, so it
imports only hatchling's hook interface and the warm-build stamp (standard library only):
the jar builder is imported when hatchling asks for build targets it does not ship (never
for a wheel or sdist), the engine when the hook has real work to do.
All decisions live in the engine (`engine.pipeline`, `engine.execute`), the guards and the
jar target; this module only translates between hatch and them:

* where the manifest must not go: the sdist and wheel file selections, asked the way
  hatchling selects files, refused with the fix for the option that selects it
  (`guard.packaging.refuse_shipping`); then, in `finalize`, the finished archive read back
  (`guard.archive_scan`), since hooks that run after ours may add files, and what put the
  entry there (`guard.packaging.leak_cause`),
* when not to touch the network (editable installs) or not to register (a build from an
  unpacked sdist, whose lock file is a temporary copy),
* status lines through hatch's `app`, and errors as one message without a traceback.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.plugin import hookimpl

from hatch_harmony.engine import warm
from hatch_harmony.errors import project_relative, shown_path
from hatch_harmony.jar import ADAPTER_KEY, ENVIRONMENT_KEY, MANIFEST_KEY
from hatch_harmony.util.git import UNPACKED_SDIST_SKIPPED, unpacked_sdist

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.jar.builder import JarBuilder

#: Said by sdist and wheel builds of a project that configures the jar target: `hatch build`
#: builds those two by default, and without this line it exits 0 with no jar and no word.
JAR_HINT = (
    "harmony: this builds the sdist and wheel, not the connector jar: `hatch build -t jar` builds it "
    "(hatch builds only the sdist and wheel by default)"
)


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

    #: Where this build's manifest is (set by `initialize`), for `finalize`'s messages.
    _manifest_path: Path | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from hatch_harmony.errors import HarmonyError

        try:
            self._run(version, build_data)
        except HarmonyError as exc:
            self.app.abort(f"hatch-harmony: {exc.message}", code=exc.exit_code)
        except KeyboardInterrupt:
            self.app.abort(INTERRUPTED, code=130)

    def _run(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name in ("sdist", "wheel") and version != "editable" and self._jar_configured():
            self.app.display_info(JAR_HINT)
        root = Path(self.root)
        from_sdist = unpacked_sdist(root)
        if from_sdist and self.target_name != "jar":
            if self.target_name == "wheel":  # still one clear message when the wheel has no files
                self._refuse_packaging_secret(None, "", build_data, version)
            self.app.display_info(UNPACKED_SDIST_SKIPPED)
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
                self._refuse_packaging_secret(hit.manifest_path, hit.table_path, build_data, version)
            self.app.display_info(
                f"harmony: nothing it depends on changed since the last build; manifest reused: "
                f"{shown_path(hit.manifest_path, root)}; 0 requests"
            )
            self._hand_over(build_data, hit.manifest, hit.manifest_path, hit.adapter_path, hit.environment)
            return
        self._full_run(root, env, build_data, version, from_sdist=from_sdist, run_key=run_key)

    def _hand_over(
        self,
        build_data: dict[str, Any],
        manifest: bytes,
        manifest_path: Path,
        adapter_path: Path,
        environment: str | None,
    ) -> None:
        """The manifest to the `jar` target (its build_data keys), and its path to `finalize`."""
        build_data[MANIFEST_KEY] = manifest
        build_data[ADAPTER_KEY] = str(adapter_path)
        build_data[ENVIRONMENT_KEY] = environment
        self._manifest_path = manifest_path

    def _jar_configured(self) -> bool:
        """Whether pyproject.toml has [tool.hatch.build.targets.jar] (a dict lookup: cheap when warm)."""
        targets = self.build_config.build_config.get("targets")
        return isinstance(targets, Mapping) and "jar" in targets

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
        from hatch_harmony.config.table import hook_table_path
        from hatch_harmony.engine.pipeline import run_build
        from hatch_harmony.jar.config import check_before_build

        # The archives take their timestamps (hatchling's reproducible settings) only after this
        # hook, and the jar reads its table then: a bad value must stop the build before it
        # registers, not after.
        check_before_build(self.build_config)

        def packaging_check(config: HarmonyConfig) -> None:
            if self.target_name in ("sdist", "wheel"):
                self._refuse_packaging_secret(config.manifest, config.table_path, build_data, version)
            elif self.target_name == "jar":
                from hatch_harmony.jar.builder import check_attributes_version

                check_attributes_version(config)

        run = run_build(
            root,
            self.config,
            env,
            project_version=self.metadata.version,
            table_path=hook_table_path(root),
            editable=version == "editable",
            from_sdist=from_sdist,
            check=packaging_check,
        )
        for line in run.lines:
            (self.app.display_warning if line.warning else self.app.display_info)(line.text)
        if run.result is None:
            return
        self._hand_over(
            build_data, run.result.manifest, run.result.path, run.result.adapter.path, run.config.environment
        )
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
                environment=run.config.environment,
            )

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """The archive as written: no sdist or wheel leaves the build holding the key or secret.

        `initialize` checked hatchling's selection, but hooks that run after ours may still add
        files (a `force_include` of `build/`); hatchling calls every hook's `finalize` once the
        archive exists, so the archive itself is read back (`archive_scan`). On a hit the
        archive is removed and the build fails, naming the entry and what put it there
        (`packaging.leak_cause`, asked of hatchling's selection).
        """
        manifest = build_data.get(MANIFEST_KEY)
        if self.target_name not in ("sdist", "wheel") or not isinstance(manifest, bytes):
            return
        from hatch_harmony.guard import archive_scan, packaging

        artifact = Path(artifact_path)
        rel = None if self._manifest_path is None else project_relative(self._manifest_path, self.root)
        leak = archive_scan.scan(artifact, manifest, manifest_path=rel)
        if leak is None:
            return
        with contextlib.suppress(OSError):
            artifact.unlink()
        message = archive_scan.leak_message(
            leak,
            artifact=shown_path(artifact, Path(self.root)),
            manifest_path=rel,
            template=self._template(),
            cause=lambda path: packaging.leak_cause(
                self.build_config,
                path,
                build_data,
                editable=version == "editable",
                target=self.target_name,
                hooks_after=packaging.hooks_after(build_data, self.PLUGIN_NAME),
            ),
        )
        self.app.abort(f"hatch-harmony: {message}", code=2)

    def _template(self) -> str | None:
        """The configured template's project-relative path, read only when a leak is reported."""
        from hatch_harmony.config import HOOK_TABLE, load_config
        from hatch_harmony.errors import HarmonyError

        try:
            config = load_config(self.config, Path(self.root), os.environ, table_path=HOOK_TABLE)
        except HarmonyError:
            return None
        template = config.manifest_template
        return None if template is None else project_relative(template, self.root)

    def _refuse_packaging_secret(
        self, manifest: Path | None, table_path: str, build_data: Mapping[str, Any], version: str
    ) -> None:
        """The generated manifest holds the secret: refuse when this sdist or wheel would ship it
        (`guard.packaging` asks hatchling's own file selection)."""
        from hatch_harmony.guard import packaging

        packaging.refuse_shipping(
            self.build_config,
            manifest,
            build_data,
            editable=version == "editable",
            target=self.target_name,
            project_name=self.metadata.core.name,
            table_path=table_path,
        )


@hookimpl
def hatch_register_build_hook() -> type[BuildHookInterface[Any]]:
    return HarmonyBuildHook


@hookimpl
def hatch_register_builder() -> type[JarBuilder]:
    from hatch_harmony.jar.builder import (
        JarBuilder,  # only when hatchling looks beyond its own targets (`-t jar`)
    )

    return JarBuilder
