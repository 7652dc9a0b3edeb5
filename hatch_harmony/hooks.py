"""Thin hatch glue: the `harmony` build hook and the `jar` build target.

hatch imports this module for every build of a project that enables the hook, so it
imports only hatchling's hook interface and the warm-build stamp (standard library only):
the jar builder is imported when hatchling asks for build targets it does not ship (never
for a wheel or sdist), the engine when the hook has real work to do.
All decisions live in the engine (`engine.pipeline`, `engine.execute`) and the guards; this
module only translates between hatch and them:

* where the manifest must not go (the sdist and wheel file selections, asked the way
  hatchling selects files, with the fix for each option that selects it: `guard.packaging`),
  and hatchling's selection errors as one message; then, in `finalize`, the finished archive
  read back (`guard.archive_scan`), since hooks that run after ours may add files,
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
from hatch_harmony.errors import shown_path
from hatch_harmony.jar import ADAPTER_KEY, ENVIRONMENT_KEY, MANIFEST_KEY
from hatch_harmony.util.git import UNPACKED_SDIST_SKIPPED, unpacked_sdist

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.guard import archive_scan
    from hatch_harmony.jar.builder import JarBuilder

#: Said by sdist and wheel builds of a project that configures the jar target: `hatch build`
#: builds those two by default, and without this line it exits 0 with no jar and no word.
JAR_HINT = (
    "harmony: this builds the sdist and wheel, not the connector jar: `hatch build -t jar` builds it "
    "(hatch builds only the sdist and wheel by default)"
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

    def _run(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name in ("sdist", "wheel") and version != "editable" and self._jar_configured():
            self.app.display_info(JAR_HINT)
        root = Path(self.root)
        from_sdist = unpacked_sdist(root)
        if from_sdist and self.target_name != "jar":
            if self.target_name == "wheel":  # still one clear message when the wheel has no files
                self._refuse_packaging_secret(None, root, "", build_data, version)
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
                self._refuse_packaging_secret(hit.manifest_path, root, hit.table_path, build_data, version)
            self.app.display_info(
                f"harmony: nothing it depends on changed since the last build; manifest reused: "
                f"{shown_path(hit.manifest_path, root)}; 0 requests"
            )
            build_data[MANIFEST_KEY] = hit.manifest
            build_data[ADAPTER_KEY] = str(hit.adapter_path)
            build_data[ENVIRONMENT_KEY] = hit.environment
            self._manifest_path = hit.manifest_path
            return
        self._full_run(root, env, build_data, version, from_sdist=from_sdist, run_key=run_key)

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
        from hatch_harmony.config import HOOK_TABLE, hatch_toml
        from hatch_harmony.engine.pipeline import run_build
        from hatch_harmony.jar.config import check_before_build

        # The archives take their timestamps (hatchling's reproducible settings) only after this
        # hook, and the jar reads its table then: a bad value must stop the build before it
        # registers, not after.
        check_before_build(self.build_config)

        def packaging_check(config: HarmonyConfig) -> None:
            if self.target_name in ("sdist", "wheel"):
                self._refuse_packaging_secret(config.manifest, root, config.table_path, build_data, version)
            elif self.target_name == "jar":
                _check_jar_version(config)

        # hatchling took the table from hatch.toml's [build] when it has one: messages name it there
        table_path = hatch_toml.HATCH_TOML_TABLE if hatch_toml.read_build(root) is not None else HOOK_TABLE
        run = run_build(
            root,
            self.config,
            env,
            project_version=self.metadata.version,
            table_path=table_path,
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
        build_data[ENVIRONMENT_KEY] = run.config.environment
        self._manifest_path = run.result.path
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
        archive is removed and the build fails, naming the entry and what put it there.
        """
        manifest = build_data.get(MANIFEST_KEY)
        if self.target_name not in ("sdist", "wheel") or not isinstance(manifest, bytes):
            return
        from hatch_harmony.guard import archive_scan

        artifact = Path(artifact_path)
        rel = self._relative_manifest()
        leak = archive_scan.scan(artifact, manifest, manifest_path=rel)
        if leak is None:
            return
        with contextlib.suppress(OSError):
            artifact.unlink()
        self.app.abort(
            f"hatch-harmony: {self._leak_message(leak, artifact, rel, build_data, version)}", code=2
        )

    def _relative_manifest(self) -> str | None:
        if self._manifest_path is None:
            return None
        try:
            return self._manifest_path.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def _leak_message(
        self,
        leak: archive_scan.Leak,
        artifact: Path,
        rel: str | None,
        build_data: Mapping[str, Any],
        version: str,
    ) -> str:
        """Which entry, why it must not ship, and (where hatchling's selection tells) what added it."""
        from hatch_harmony.guard import archive_scan
        from hatch_harmony.guard import packaging as shipping

        root = Path(self.root)
        text = f"{shown_path(artifact, root)} held {leak.entry}, "
        template = self._template()
        if template is not None and (leak.entry == template or leak.entry.endswith("/" + template)):
            return text + archive_scan.template_fix(template)
        text += archive_scan.what(leak, rel) + (
            ": no sdist or wheel may hold the connector secret, so the archive was removed."
        )
        if leak.kind == archive_scan.MANIFEST:  # not this build's manifest: hatchling's selection cannot tell
            rel = None
        order = list(build_data.get("build_hooks", ()))
        later = order[order.index(self.PLUGIN_NAME) + 1 :] if self.PLUGIN_NAME in order else order
        hooks = ", ".join(f"`{name}`" for name in later) or "none after harmony"
        found = None
        if rel is not None:
            with contextlib.suppress(shipping.NothingToShip, TypeError, ValueError):
                found = shipping.shipped(self.build_config, rel, build_data, editable=version == "editable")
        if found is not None and found.option == "force-include" and not self._selected_without_hooks(rel):
            return (
                f"{text} A build hook ({hooks}) put {rel} (or its folder) into build_data['force_include'] "
                "after the harmony hook checked the selection: take it out of what that hook adds. The "
                "manifest ships only inside the jar (`hatch build -t jar`)."
            )
        if found is not None:
            reason, fix = shipping.reason_and_fix(found.option, rel or "", self.target_name)
            return f"{text} It is there because {reason}. {fix}"
        return (
            f"{text} Neither hatchling's file selection nor its options put {rel or 'the manifest'} there "
            f"under that name: a build hook ({hooks}) or a link/copy of the manifest did. Remove it from "
            "what that hook adds, or the link from the project."
        )

    def _template(self) -> str | None:
        """The configured template's project-relative path, read only when a leak is reported."""
        from hatch_harmony.config import HOOK_TABLE, load_config
        from hatch_harmony.errors import HarmonyError

        try:
            template = load_config(
                self.config, Path(self.root), os.environ, table_path=HOOK_TABLE
            ).manifest_template
            return None if template is None else template.relative_to(self.root).as_posix()
        except (HarmonyError, ValueError):
            return None

    def _selected_without_hooks(self, rel: str | None) -> bool:
        """Whether the project's own options (no hook's build data) select `rel`."""
        from hatch_harmony.guard import packaging as shipping

        if rel is None:
            return False
        with contextlib.suppress(shipping.NothingToShip, TypeError, ValueError):
            return shipping.shipped(self.build_config, rel, {}) is not None
        return False

    def _refuse_packaging_secret(
        self, manifest: Path | None, root: Path, table_path: str, build_data: Mapping[str, Any], version: str
    ) -> None:
        """The generated manifest holds the secret: refuse when this sdist or wheel would ship it.

        `guard.packaging` asks hatchling's own file selection (see there why one `include_path`
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
        reason, fix = shipping.reason_and_fix(found.option, rel, target)
        shipped_as = "" if found.archive_path == rel else f" as {found.archive_path}"
        raise ConfigError(
            f"{table_path}.manifest: {rel} would be packaged into the {target}{shipped_as} ({reason}), "
            f"and it holds the connector secret. {fix}"
        )


def _check_jar_version(config: HarmonyConfig) -> None:
    """A `Version` set in `attributes` names the jar: one that cannot stops the build before it registers."""
    from hatch_harmony.errors import ConfigError
    from hatch_harmony.jar.builder import jar_version_problem
    from hatch_harmony.project.connector_manifest import explicit_version

    explicit = explicit_version(config.attributes)
    problem = None if explicit is None else jar_version_problem(explicit)
    if problem is not None:
        env = f" (environment {config.environment!r})" if config.environment else ""
        raise ConfigError(f"{config.table_path}.attributes{env}: Version {explicit!r} {problem}")


@hookimpl
def hatch_register_build_hook() -> type[BuildHookInterface[Any]]:
    return HarmonyBuildHook


@hookimpl
def hatch_register_builder() -> type[JarBuilder]:
    from hatch_harmony.jar.builder import (
        JarBuilder,  # only when hatchling looks beyond its own targets (`-t jar`)
    )

    return JarBuilder
