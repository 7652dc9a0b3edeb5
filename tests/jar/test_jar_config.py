"""The `jar` target's table: its BuilderConfig, our options, what each hatchling option means, timestamps.

Unit tests of `JarBuilderConfig` built the way hatchling builds it (the builder, the root,
the target name, `[tool.hatch.build]` and the target's table); real builds that prove the
same rules end to end are in test_builder.py.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import hatchling
import pytest
from hatchling.builders.config import BuilderConfig
from hatchling.builders.wheel import WheelBuilder

from hatch_harmony.errors import ConfigError
from hatch_harmony.jar.archive import DEFAULT_EPOCH, ZIP_MAX_EPOCH, ZIP_MIN_EPOCH
from hatch_harmony.jar.builder import JarBuilder, load_jar_table
from hatch_harmony.jar.config import (
    DEFAULT_CLASSES_DIRS,
    JAR_TABLE,
    REFUSED_OPTIONS,
    SELECTION_OPTIONS,
    TARGET_OPTIONS,
    JarBuilderConfig,
    check_before_build,
    entry_epoch,
)

CANARY = "canary-Zq8v-do-not-print"
#: Never created: validation is pure, and paths are only resolved against it.
ROOT = Path(__file__).resolve().parent / "no-such-project"


def jar_config(
    table: dict[str, Any], build: dict[str, Any] | None = None, root: Path = ROOT
) -> JarBuilderConfig:
    """The config as hatchling makes it for the `jar` target (BuilderInterface.config)."""
    return JarBuilderConfig(JarBuilder(str(root)), str(root), "jar", build or {}, table)


def problem_lines(message: str) -> list[str]:
    return [line.removeprefix("  - ") for line in message.splitlines()[1:]]


# --------------------------------------------------------------------------- our options


def test_jar_defaults_are_auto() -> None:
    jar = jar_config({})
    assert (jar.classes, jar.lib, jar.assets, jar.bundle_sdk) == (None, None, (), False)
    assert jar.table_path == JAR_TABLE
    assert jar.classes_candidates == tuple(ROOT / d for d in DEFAULT_CLASSES_DIRS)
    assert DEFAULT_CLASSES_DIRS[0] == "target/classes"
    assert jar.lib_candidate == ROOT / "lib"


def test_jar_options_are_resolved() -> None:
    jar = jar_config({"classes": "out/classes", "lib": "../deps", "assets": ["icons", "docs/ui"]})
    assert jar.classes == ROOT / "out/classes"
    assert jar.classes_candidates == (ROOT / "out/classes",)
    assert jar.lib == ROOT.parent / "deps"
    assert jar.lib_candidate == ROOT.parent / "deps"
    assert jar.assets == (ROOT / "icons", ROOT / "docs/ui")
    assert jar_config({"bundle-sdk": True}).bundle_sdk is True


def test_jar_table_problems_are_all_reported() -> None:
    with pytest.raises(ConfigError) as info:
        jar_config(
            {
                "asset": ["x"],
                "classes": 3,
                "lib": "",
                "assets": ["ok", 5, "..", ".", "ok", "../elsewhere"],
                "connector-secret": CANARY,
            },
        ).validate()
    message = info.value.message
    assert CANARY not in message
    assert [line.split(": ", 1)[0] for line in problem_lines(message)] == [
        f"{JAR_TABLE}.connector-secret",
        f"{JAR_TABLE}.asset",
        f"{JAR_TABLE}.classes",
        f"{JAR_TABLE}.lib",
        f"{JAR_TABLE}.assets[1]",
        f"{JAR_TABLE}.assets[2]",
        f"{JAR_TABLE}.assets[3]",
        f"{JAR_TABLE}.assets[4]",
        f"{JAR_TABLE}.assets[5]",
    ]
    assert 'Did you mean "assets"?' in message
    assert "is listed twice" in message


def test_jar_assets_must_be_an_array() -> None:
    with pytest.raises(ConfigError, match=r"assets: expected an array of folder paths, got a string"):
        jar_config({"assets": "icons"}).validate()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", r"bundle-sdk: expected a boolean, got a string; write bundle-sdk = true \(no quotes\)"),
        (1, r"bundle-sdk: expected a boolean, got an integer; write bundle-sdk = true$"),
    ],
)
def test_bundle_sdk_must_be_a_boolean(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"^pyproject\.toml: {JAR_TABLE}\.{message}"):
        jar_config({"bundle-sdk": value}).validate()


def test_bundle_sdk_typo_is_suggested() -> None:
    with pytest.raises(ConfigError, match=r'bundle_sdk: unknown option\. Did you mean "bundle-sdk"\?'):
        jar_config({"bundle_sdk": True}).validate()


def test_the_config_is_lazy_and_is_what_hatchling_builds_for_the_target(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "c"\nversion = "1"\n[tool.hatch.build.targets.jar]\nbundle-sdk = "yes"\n',
        encoding="utf-8",
    )
    config = JarBuilder(str(tmp_path)).config  # hatchling's BuilderInterface.config, via get_config_class
    assert type(config) is JarBuilderConfig
    assert config.target_config == {"bundle-sdk": "yes"}  # built without a complaint: nothing read yet
    assert config.directory == str(tmp_path / "dist")  # hatchling's own options work before ours are read
    with pytest.raises(ConfigError, match=r"targets\.jar\.bundle-sdk: expected a boolean"):
        _ = config.bundle_sdk


# --------------------------------------------------------------------------- hatchling's options


def test_the_hatchling_options_the_jar_honours_are_accepted() -> None:
    table: dict[str, Any] = {
        "include": ["com/"],
        "exclude": ["**/*Test.class"],
        "artifacts": ["lib/generated-*.jar"],
        "force-include": {"LICENSE": "META-INF/LICENSE"},
        "skip-excluded-dirs": True,
        "reproducible": True,
        "directory": "out",
        "hooks": {"harmony": {}},
        "dependencies": ["x"],
        "require-runtime-dependencies": False,
        "require-runtime-features": [],
        "versions": ["standard"],
    }
    assert set(table) == set(SELECTION_OPTIONS + TARGET_OPTIONS)
    jar = jar_config(table)
    jar.validate()
    assert (jar.classes, jar.lib, jar.assets, jar.bundle_sdk) == (None, None, (), False)
    assert jar.force_include == {str(ROOT / "LICENSE"): "META-INF/LICENSE"}


def test_every_hatchling_option_the_jar_names_is_hatchlings_own() -> None:
    """The names are hatchling's, not invented: each one is read by hatchling's builders."""
    builders = Path(hatchling.__file__).parent / "builders"
    source = "".join(p.read_text(encoding="utf-8") for p in builders.glob("*.py"))
    for option in SELECTION_OPTIONS + TARGET_OPTIONS + tuple(REFUSED_OPTIONS):
        assert f'"{option}"' in source, option


@pytest.mark.parametrize(
    ("option", "value", "fix"),
    [
        (
            "only-include",
            ["docs"],
            "add the folder to `assets`, or map it to a path in the jar with `force-include`",
        ),
        (
            "sources",
            ["src"],
            "to put a file or folder elsewhere, map it to a path in the jar with `force-include`",
        ),
        ("packages", ["src/pkg"], "a connector jar holds no Python packages"),
        ("only-packages", True, "select files with `include`/`exclude`"),
        ("ignore-vcs", True, "the jar never applies .gitignore"),
        ("dev-mode-dirs", ["."], "set it under [tool.hatch.build.targets.wheel]"),
        ("dev-mode-exact", True, "set it under [tool.hatch.build.targets.wheel]"),
    ],
)
def test_options_the_jar_cannot_honour_are_refused_with_the_fix(option: str, value: object, fix: str) -> None:
    with pytest.raises(ConfigError) as info:
        jar_config({option: value}).validate()
    prefix = f"pyproject.toml: {JAR_TABLE}.{option}: not an option of the jar target: "
    assert info.value.message.startswith(prefix)
    assert fix in info.value.message


def test_hatchlings_own_checks_are_reported_with_ours_naming_the_field() -> None:
    with pytest.raises(ConfigError) as info:
        jar_config(
            {
                "exclude": "lib/",
                "bundle-sdk": "yes",
                "force-include": {"a": 3},
                "reproducible": "no",
                "sources": [],
            }
        ).validate()
    lines = problem_lines(info.value.message)
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{JAR_TABLE}.exclude",
        f"{JAR_TABLE}.bundle-sdk",
        f"{JAR_TABLE}.force-include",
        f"{JAR_TABLE}.reproducible",
        f"{JAR_TABLE}.sources",
    ]
    assert f"Field `{JAR_TABLE}.exclude` must be an array of strings (hatchling's rule" in lines[0]
    assert "Path for source `a`" in lines[2] and "must be a string" in lines[2]
    assert f"Field `{JAR_TABLE}.reproducible` must be a boolean" in lines[3]


def test_an_option_nobody_knows_is_unknown_and_the_message_lists_what_the_jar_takes() -> None:
    with pytest.raises(ConfigError) as info:
        jar_config({"shared-data": {"a": "b"}}).validate()
    assert info.value.message == (
        f"pyproject.toml: {JAR_TABLE}.shared-data: unknown option. The jar target takes classes, lib, "
        "assets, bundle-sdk and hatchling's include, exclude, artifacts, force-include, skip-excluded-dirs, "
        "directory, hooks, dependencies, require-runtime-dependencies, require-runtime-features, versions, "
        "reproducible"
    )
    with pytest.raises(ConfigError, match=r'exlude: unknown option\. Did you mean "exclude"\?'):
        jar_config({"exlude": ["x"]}).validate()


def test_selection_is_hatchlings_by_jar_path_with_the_jars_default_excludes() -> None:
    jar = jar_config(
        {"include": ["com/", "lib/"], "exclude": ["**/*Test.class", "!.gitkeep"], "artifacts": ["*.txt"]}
    )
    assert jar.bundles("com/example/Connector.class")
    assert not jar.bundles("com/example/ConnectorTest.class")  # exclude
    assert not jar.bundles("assets/x.svg")  # not in include
    assert jar.bundles("assets/NOTICE.txt")  # an artifact: in whatever include and exclude say
    assert not jar.bundles("com/.DS_Store") and not jar.bundles("com/.git/HEAD")  # default excludes
    assert jar.bundles("com/.gitkeep")  # re-included by a negated pattern, as in hatchling
    assert not jar.prunes("com/example")
    plain = jar_config({})
    assert plain.bundles("com/example/Connector.class") and plain.bundles("anything/at/all.txt")
    assert not plain.bundles("x/__pycache__/m.pyc") and not plain.bundles("a/Thumbs.db")


def test_skip_excluded_dirs_prunes_the_folders_exclude_matches() -> None:
    assert not jar_config({"exclude": ["docs/"]}).prunes("docs")
    pruning = jar_config({"exclude": ["docs/"], "skip-excluded-dirs": True})
    assert pruning.prunes("docs") and pruning.prunes("assets/docs") and not pruning.prunes("com")


def test_project_selection_under_tool_hatch_build_is_left_to_the_sdist_and_wheel() -> None:
    build = {
        "exclude": ["com/"],
        "include": ["src/"],
        "only-include": ["src"],
        "reproducible": False,
        "hooks": {},
    }
    jar = jar_config({}, build)
    jar.validate()  # a global option the jar refuses in its own table is the wheel's business here
    assert jar.unused_global_options == ("exclude", "include", "only-include")
    assert jar.bundles("com/example/Connector.class")
    assert jar.reproducible is False  # not file selection: hatchling's fallback to [tool.hatch.build] holds
    own = jar_config({"exclude": ["com/"]}, build)
    assert not own.bundles("com/example/Connector.class")


# --------------------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, DEFAULT_EPOCH),
        ("", DEFAULT_EPOCH),
        (" 1700000000 ", 1_700_000_000),
        ("0", ZIP_MIN_EPOCH),
        ("-5", ZIP_MIN_EPOCH),
        ("99999999999", ZIP_MAX_EPOCH),
    ],
)
def test_entry_epoch_follows_source_date_epoch(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int
) -> None:
    if value is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert entry_epoch(jar_config({})) == expected


def test_entry_epoch_rejects_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ConfigError, match=r"SOURCE_DATE_EPOCH must be a whole number.*'yesterday'"):
        entry_epoch(jar_config({}))


@pytest.mark.parametrize("where", ["target", "global"])
def test_not_reproducible_stamps_the_build_time_and_ignores_source_date_epoch(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not read at all")
    table, build = ({"reproducible": False}, {}) if where == "target" else ({}, {"reproducible": False})
    before = int(time.time())
    assert before <= entry_epoch(jar_config(table, build)) <= int(time.time())


def test_a_bad_reproducible_value_is_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with pytest.raises(
        ConfigError, match=r"^pyproject\.toml: Field `tool\.hatch\.build\.reproducible` must be a boolean"
    ):
        entry_epoch(jar_config({}, {"reproducible": "yes"}))


def test_check_before_build_covers_every_target_and_the_whole_jar_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What the harmony hook asks before registering: one rule, whichever target builds."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "abc")
    wheel = BuilderConfig(WheelBuilder(str(tmp_path)), str(tmp_path), "wheel", {}, {})
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH must be a whole number"):
        check_before_build(wheel)
    check_before_build(
        BuilderConfig(WheelBuilder(str(tmp_path)), str(tmp_path), "wheel", {}, {"reproducible": False})
    )
    with pytest.raises(ConfigError, match=r"bundle-sdk: expected a boolean"):
        check_before_build(jar_config({"bundle-sdk": "yes"}))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    check_before_build(jar_config({"bundle-sdk": True}))


def test_load_jar_table_checks_a_table_as_a_build_would(tmp_path: Path) -> None:
    """For `hatch-harmony init`, which writes a jar table and checks it before saving."""
    jar = load_jar_table({"classes": "target/classes", "exclude": ["**/*Test.class"]}, tmp_path)
    assert (jar.classes, jar.table_path) == (tmp_path / "target" / "classes", JAR_TABLE)
    assert not jar.bundles("com/x/FooTest.class")
    with pytest.raises(ConfigError, match=rf"^pyproject\.toml: {JAR_TABLE}\.sources: not an option"):
        load_jar_table({"sources": ["src"]}, tmp_path)


# --------------------------------------------------------------------------- paths are not option names


def test_force_include_paths_that_name_credentials_are_files_not_credentials() -> None:
    """The credential rule reads option names; a mapped file called key.svg is an icon."""
    mapped = {
        "icons/key.svg": "images/key.svg",
        "icons/oauth-token.png": "images/oauth-token.png",
        "icons/email.svg": "images/email.svg",
    }
    jar = jar_config({"force-include": mapped})
    jar.validate()
    assert {Path(k).name: v for k, v in jar.force_include.items()} == {
        "key.svg": "images/key.svg",
        "oauth-token.png": "images/oauth-token.png",
        "email.svg": "images/email.svg",
    }
    with pytest.raises(ConfigError, match=r"\.connector-key: a connector credential never goes"):
        jar_config({"force-include": mapped, "connector-key": CANARY}).validate()  # names still are read


@pytest.mark.parametrize(("key", "value"), [("classes", "build\\classes"), ("lib", "deps\\lib")])
def test_a_backslash_in_a_jar_path_is_refused_with_the_slash_form(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        jar_config({key: value}).validate()
    fixed = value.replace("\\", "/")
    assert f'{JAR_TABLE}.{key}: has a backslash; paths in the configuration use "/"' in info.value.message
    assert f'write {key} = "{fixed}"' in info.value.message


def test_a_backslash_in_an_asset_folder_is_refused() -> None:
    with pytest.raises(ConfigError, match=r'assets\[1\]: has a backslash.*"docs/ui"'):
        jar_config({"assets": ["icons", "docs\\ui"]}).validate()
