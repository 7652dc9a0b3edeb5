"""The configuration module: every option, every error at once, secrets, environments, variables."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hatch_harmony.config import (
    DEFAULT_REGION,
    HATCH_HOOK_OPTIONS,
    HOOK_TABLE,
    OPTIONS,
    SETUPTOOLS_TABLE,
    HarmonyConfig,
    load_config,
    read_project_table,
    secret_variable,
)
from hatch_harmony.errors import ConfigError
from hatch_harmony.jar.config import JAR_OPTIONS, REFUSED_OPTIONS, SELECTION_OPTIONS, TARGET_OPTIONS

CANARY = "canary-Zq8v-do-not-print"
ROOT = Path(tempfile.gettempdir()) / "hatch-harmony-config-tests"  # never created: pure config checks


def load(table: dict[str, Any], env: dict[str, str] | None = None, **kwargs: Any) -> HarmonyConfig:
    return load_config(table, ROOT, env or {}, **kwargs)


def problems(table: dict[str, Any], env: dict[str, str] | None = None, **kwargs: Any) -> str:
    with pytest.raises(ConfigError) as info:
        load(table, env, **kwargs)
    assert info.value.exit_code == 2
    return info.value.message


def problem_lines(message: str) -> list[str]:
    """The listed problems: one line each, or the single line after 'pyproject.toml: '."""
    lines = message.splitlines()
    if len(lines) == 1:
        return [lines[0].removeprefix("pyproject.toml: ")]
    assert re.match(r"\d+ problems in the hatch-harmony settings", lines[0])
    return [line.removeprefix("  - ") for line in lines[1:]]


# --------------------------------------------------------------------------- defaults and valid options


def test_empty_table_gives_documented_defaults() -> None:
    config = load({})
    assert config.root == ROOT
    assert config.environment is None
    assert config.adapter is None
    assert config.manifest_template is None
    assert config.manifest == ROOT / "build/harmony/MANIFEST.MF"
    assert config.ui_file == "adapter.json"
    assert (config.url, config.region) == (None, DEFAULT_REGION)
    assert DEFAULT_REGION == "na"
    assert config.org_id is None
    assert config.lock == ROOT / "harmony.lock"
    assert config.verify is False
    assert config.register_per_version is False
    assert config.attributes == {}
    assert config.offline is False
    assert config.table_path == HOOK_TABLE
    assert config.host_setting == "na"


def test_every_option_is_read_and_paths_are_absolute() -> None:
    config = load(
        {
            "adapter": "ui/adapter.json",
            "manifest-template": "MANIFEST.MF",
            "manifest": "src/main/resources/META-INF/MANIFEST.MF",
            "ui-file": "ui/adapter.json",
            "region": "emea",
            "org-id": "12345",
            "lock": "config/harmony.lock",
            "verify": True,
            "register-per-version": True,
            "attributes": {"Author": "ACME", "Version": "1.2.3", "Jitterbit-Connector-Factory-Class": "a.B"},
        }
    )
    assert config.adapter == ROOT / "ui/adapter.json"
    assert config.manifest_template == ROOT / "MANIFEST.MF"
    assert config.manifest == ROOT / "src/main/resources/META-INF/MANIFEST.MF"
    assert config.ui_file == "ui/adapter.json"
    assert (config.url, config.region, config.host_setting) == (None, "emea", "emea")
    assert config.org_id == "12345"
    assert config.lock == ROOT / "config/harmony.lock"
    assert config.verify is True
    assert config.register_per_version is True
    assert config.attributes == {
        "Author": "ACME",
        "Version": "1.2.3",
        "Jitterbit-Connector-Factory-Class": "a.B",
    }


def test_relative_root_and_dotdot_are_normalised() -> None:
    config = load_config({"manifest": "out/../build/M.MF"}, Path("proj/./sub/.."), {})
    assert config.root == Path.cwd() / "proj"
    assert config.manifest == Path.cwd() / "proj/build/M.MF"


def test_url_sets_the_host_and_clears_the_region() -> None:
    config = load({"url": "https://harmony.example.com/prefix/"})
    assert config.url == "https://harmony.example.com/prefix"
    assert config.region is None
    assert config.host_setting == "https://harmony.example.com/prefix"


@pytest.mark.parametrize(
    "url", ["http://localhost:8080", "http://127.0.0.1:5000", "http://127.8.9.10", "http://[::1]:9000"]
)
def test_plain_http_is_accepted_for_loopback_hosts(url: str) -> None:
    assert load({"url": url}).url == url


def test_region_is_case_insensitive() -> None:
    assert load({"region": "APAC"}).region == "apac"


def test_absolute_paths_inside_the_root_are_accepted_and_reads_may_leave_it() -> None:
    config = load({"manifest": str(ROOT / "out/M.MF"), "adapter": "../shared/adapter.json"})
    assert config.manifest == ROOT / "out/M.MF"
    assert config.adapter == ROOT.parent / "shared/adapter.json"


# --------------------------------------------------------------------------- invalid options


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("adapter", 3, 'expected a string, got an integer; write adapter = "ui/adapter.json"'),
        ("adapter", "", "is empty"),
        ("manifest-template", ["a"], "expected a string, got an array"),
        ("manifest", True, "expected a string, got a boolean"),
        ("manifest", "build/", "names a folder"),
        ("manifest", "../outside/MANIFEST.MF", "must be a file inside the project folder"),
        ("manifest", "/etc/MANIFEST.MF", "must be a file inside the project folder"),
        ("manifest", ".", "must be a file inside the project folder"),
        ("lock", "../harmony.lock", "must be a file inside the project folder"),
        ("lock", 1.5, "expected a string, got a float"),
        ("ui-file", "/adapter.json", "must be a plain path inside the jar"),
        ("ui-file", "../adapter.json", "must be a plain path inside the jar"),
        ("ui-file", "ui\\adapter.json", "must be a plain path inside the jar"),
        ("ui-file", "ui//adapter.json", "must be a plain path inside the jar"),
        ("ui-file", "a\nb", "must be one line"),
        ("region", "us", '\'us\' is not a Harmony region; use one of "na", "emea", "apac"'),
        ("region", 1, "expected a string, got an integer"),
        ("url", "ftp://harmony.example.com", "must be an http(s) URL with a host"),
        ("url", "https://", "must be an http(s) URL with a host"),
        ("url", "http://harmony.example.com", "uses http:// with a non-local host"),
        ("url", "https://h.example.com:99999", "is not a valid URL"),
        ("url", "https://h.example.com/?x=1", "must not have a query"),
        ("url", "https://h example.com", "must not contain spaces"),
        ("org-id", 12345, 'expected a string, got an integer; write org-id = "12345"'),
        ("org-id", "12/45", "must hold only letters, digits"),
        ("org-id", "", "is empty"),
        ("verify", "yes", "expected a boolean, got a string; write verify = true (no quotes)"),
        ("verify", "false", "write verify = false (no quotes)"),
        ("verify", 1, "expected a boolean, got an integer; write verify = true"),
        ("register-per-version", "no", "write register-per-version = false (no quotes)"),
        ("attributes", "Author=ACME", "expected a table, got a string"),
        ("attributes", {"Author": 3}, 'expected a string, got an integer; write Author = "..." (quoted)'),
        ("attributes", {"Author": "A\r\nInjected: x"}, "must be one line"),
        ("attributes", {"bad name": "x"}, "is not a valid manifest attribute name"),
        ("attributes", {"-Author": "x"}, "is not a valid manifest attribute name"),
        ("attributes", {"A" * 71: "x"}, "at most 70 characters"),
        ("attributes", {"Manifest-Version": "2.0"}, "it is always 1.0"),
        ("attributes", {"jitterbit-connector": "false"}, "Jitterbit-Connector: true"),
        ("attributes", {"Jitterbit-Connector-UI": "x.json"}, "set the `ui-file` option instead"),
        ("attributes", {"Class-Path": "lib/a.jar"}, "lists exactly the lib/*.jar it bundles"),
        ("attributes", {"Jitterbit-Connector-Endpoint-EntityTypeId": "1"}, "is a registration attribute"),
        ("attributes", {"Jitterbit-Activity-EntityTypeId-fetch": "2"}, "is a registration attribute"),
        ("attributes", {"Name": "x"}, "starts a per-entry section"),
        ("environments", "prod", "expected a table of tables, got a string"),
    ],
)
def test_each_invalid_option_is_reported_with_its_path(key: str, value: object, expected: str) -> None:
    message = problems({key: value})
    assert message.startswith(f"pyproject.toml: {HOOK_TABLE}.{key}")
    assert expected in message
    assert len(message.splitlines()) == 1


def test_attribute_names_are_quoted_in_paths_when_toml_needs_it() -> None:
    message = problems({"attributes": {"bad name": "x"}})
    assert f'{HOOK_TABLE}.attributes."bad name": ' in message


def test_attribute_names_that_differ_only_in_case_are_refused() -> None:
    message = problems({"attributes": {"Author": "a", "author": "b"}})
    assert f"{HOOK_TABLE}.attributes.author: repeats 'Author'" in message


def test_a_71_byte_attribute_name_is_refused_and_70_accepted() -> None:
    assert load({"attributes": {"A" * 70: "x"}}).attributes == {"A" * 70: "x"}
    problems({"attributes": {"A" * 71: "x"}})


def test_url_and_region_in_the_same_table_are_refused() -> None:
    message = problems({"url": "https://h.example.com", "region": "na"})
    assert "`url` and `region` are both set" in message


def test_url_with_credentials_is_refused_without_echoing_them() -> None:
    message = problems({"url": f"https://me:{CANARY}@harmony.example.com"})
    assert "must not hold a user or password" in message
    assert CANARY not in message
    assert "me:" not in message


def test_manifest_cannot_be_the_template() -> None:
    message = problems({"manifest-template": "META-INF/MANIFEST.MF", "manifest": "META-INF/MANIFEST.MF"})
    assert f"{HOOK_TABLE}.manifest: is the same file as manifest-template" in message


def test_manifest_lock_and_adapter_must_differ() -> None:
    assert "three different files" in problems({"manifest": "harmony.lock"})
    assert "three different files" in problems({"adapter": "x.json", "lock": "x.json"})


# --------------------------------------------------------------------------- every problem at once


def test_five_problems_are_reported_in_one_error_each_with_its_path() -> None:
    message = problems(
        {
            "region": "mars",
            "org-id": 42,
            "verify": "yes",
            "manifset": "out/MANIFEST.MF",
            "attributes": {"Author": 1},
        }
    )
    assert message.splitlines()[0] == "5 problems in the hatch-harmony settings (pyproject.toml):"
    assert [line.split(": ", 1)[0] for line in problem_lines(message)] == [
        f"{HOOK_TABLE}.region",
        f"{HOOK_TABLE}.org-id",
        f"{HOOK_TABLE}.verify",
        f"{HOOK_TABLE}.manifset",
        f"{HOOK_TABLE}.attributes.Author",
    ]


def test_file_and_environment_problems_are_reported_together() -> None:
    message = problems(
        {"region": "mars", "enviroments": {}},
        {"HARMONY_REGION": "moon", "HARMONY_OFFLINE": "maybe", "HARMONY_ORG_ID": "1 2"},
    )
    lines = problem_lines(message)
    assert message.splitlines()[0].endswith("(pyproject.toml and the environment):")
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{HOOK_TABLE}.region",
        f"{HOOK_TABLE}.enviroments",
        "HARMONY_REGION",
        "HARMONY_ORG_ID",
        "HARMONY_OFFLINE",
    ]


def test_a_single_environment_variable_problem_does_not_blame_pyproject() -> None:
    message = problems({}, {"HARMONY_VERIFY": "sometimes"})
    assert message.startswith("HARMONY_VERIFY: 'sometimes' is not a yes/no value")


# --------------------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("org_id", "org-id"),
        ("manifest_template", "manifest-template"),
        ("regoin", "region"),
        ("Region", "region"),
        ("atributes", "attributes"),
        ("enviroments", "environments"),
        ("register_per_version", "register-per-version"),
    ],
)
def test_unknown_keys_get_a_did_you_mean(key: str, suggestion: str) -> None:
    message = problems({key: "x"})
    assert f'{HOOK_TABLE}.{key}: unknown option. Did you mean "{suggestion}"?' in message


def test_unknown_key_without_a_close_match_lists_the_options() -> None:
    message = problems({"zzzz": 1})
    assert "Did you mean" not in message
    assert "Valid options: adapter, manifest-template, manifest, ui-file, region, url, org-id" in message


# --------------------------------------------------------------------------- secrets


@pytest.mark.parametrize(
    ("key", "variable"),
    [
        ("password", "HARMONY_PASSWORD"),
        ("Password", "HARMONY_PASSWORD"),
        ("harmony_password", "HARMONY_PASSWORD"),
        ("passwd", "HARMONY_PASSWORD"),
        ("pwd", "HARMONY_PASSWORD"),
        ("secret", "HARMONY_CONNECTOR_SECRET"),
        ("connector-secret", "HARMONY_CONNECTOR_SECRET"),
        ("CONNECTOR_SECRET", "HARMONY_CONNECTOR_SECRET"),
        ("connectorSecret", "HARMONY_CONNECTOR_SECRET"),
        ("key", "HARMONY_CONNECTOR_KEY"),
        ("connector-key", "HARMONY_CONNECTOR_KEY"),
        ("connectorKey", "HARMONY_CONNECTOR_KEY"),
        ("api_key", "HARMONY_CONNECTOR_KEY"),
        ("connector-keys", "HARMONY_CONNECTOR_KEY"),
        ("email", "HARMONY_EMAIL"),
        ("e-mail", "HARMONY_EMAIL"),
        ("userEmail", "HARMONY_EMAIL"),
        ("token", "HARMONY_EMAIL and HARMONY_PASSWORD"),
        ("authToken", "HARMONY_EMAIL and HARMONY_PASSWORD"),
    ],
)
def test_credential_keys_are_refused_naming_the_variable_without_the_value(key: str, variable: str) -> None:
    message = problems({key: CANARY})
    assert message.startswith(f"pyproject.toml: {HOOK_TABLE}.{key}: ")
    assert "never goes in pyproject.toml" in message
    assert "committed and shipped in every sdist" in message
    assert f"set {variable} in the environment" in message
    assert CANARY not in message
    assert len(message.splitlines()) == 1  # not also reported as an unknown option


def test_credentials_are_found_at_any_depth_and_reported_once() -> None:
    message = problems(
        {
            "credentials": {"password": CANARY},
            "attributes": {"Jitterbit-Connector-Key": CANARY},
            "environments": {"prod": {"connector_secret": CANARY, "org-id": "1"}},
        }
    )
    lines = problem_lines(message)
    assert CANARY not in message
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{HOOK_TABLE}.credentials.password",
        f"{HOOK_TABLE}.attributes.Jitterbit-Connector-Key",
        f"{HOOK_TABLE}.environments.prod.connector_secret",
        f"{HOOK_TABLE}.credentials",  # the unknown table itself
    ]


def test_no_real_option_looks_like_a_credential() -> None:
    jar_options = JAR_OPTIONS + SELECTION_OPTIONS + TARGET_OPTIONS + tuple(REFUSED_OPTIONS)
    for option in OPTIONS + HATCH_HOOK_OPTIONS + jar_options:
        assert secret_variable(option) is None, option
    for harmless in ("Author", "Version", "Jitterbit-Connector-Factory-Class", "keystore-type", "monkey"):
        assert secret_variable(harmless) is None, harmless


@given(
    prefix=st.sampled_from(["", "my-", "harmony_", "Connector", "x."]),
    word=st.sampled_from(["password", "PASSWORD", "Secret", "token", "Email"]),
    suffix=st.sampled_from(["", "-value", "_2", "Value"]),
)
def test_any_spelling_around_a_credential_word_is_caught(prefix: str, word: str, suffix: str) -> None:
    assert secret_variable(f"{prefix}{word}{suffix}") is not None


# --------------------------------------------------------------------------- hatch's reserved options


def test_hatch_hook_options_are_accepted_and_ignored_in_the_hook_table() -> None:
    table = {
        "enable-by-default": False,
        "dependencies": ["x"],
        "require-runtime-dependencies": True,
        "require-runtime-features": ["a"],
    }
    assert load(table) == load({})


def test_hatch_hook_options_are_refused_in_the_setuptools_table() -> None:
    message = problems({"enable-by-default": False}, table_path=SETUPTOOLS_TABLE)
    assert f"{SETUPTOOLS_TABLE}.enable-by-default: is a hatch build-hook option" in message


def test_hatch_hook_options_are_refused_inside_an_environment() -> None:
    message = problems({"environments": {"dev": {"enable-by-default": False}}})
    assert f"{HOOK_TABLE}.environments.dev.enable-by-default: is a hatch option of the whole hook" in message


def test_setuptools_table_path_appears_in_messages_and_config() -> None:
    assert load({}, table_path=SETUPTOOLS_TABLE).table_path == SETUPTOOLS_TABLE
    assert problems({"region": "x"}, table_path=SETUPTOOLS_TABLE).startswith(
        f"pyproject.toml: {SETUPTOOLS_TABLE}.region:"
    )


# --------------------------------------------------------------------------- environments

ENVS: dict[str, Any] = {
    "region": "na",
    "org-id": "100",
    "verify": False,
    "attributes": {"Author": "ACME", "Vendor": "ACME Corp"},
    "environments": {
        "dev": {"org-id": "200"},
        "prod": {
            "url": "https://harmony.example.com",
            "org-id": "300",
            "verify": True,
            "attributes": {"author": "ACME Prod", "Support": "ops@example.com"},
        },
    },
}


def test_no_environment_selected_uses_the_base_table() -> None:
    config = load(ENVS)
    assert (config.environment, config.org_id, config.region) == (None, "100", "na")
    assert config.manifest == ROOT / "build/harmony/MANIFEST.MF"


def test_environment_argument_selects_and_overrides_key_by_key() -> None:
    config = load(ENVS, environment="dev")
    assert config.environment == "dev"
    assert (config.org_id, config.region, config.verify) == ("200", "na", False)
    assert config.attributes == {"Author": "ACME", "Vendor": "ACME Corp"}


def test_environment_url_replaces_the_base_region_and_attributes_merge_by_name() -> None:
    config = load(ENVS, environment="prod")
    assert (config.url, config.region, config.org_id, config.verify) == (
        "https://harmony.example.com",
        None,
        "300",
        True,
    )
    # manifest attribute names ignore case: prod's `author` replaces the base `Author`
    assert config.attributes == {"Vendor": "ACME Corp", "author": "ACME Prod", "Support": "ops@example.com"}


def test_environment_region_replaces_the_base_url() -> None:
    table = {"url": "https://h.example.com", "environments": {"eu": {"region": "emea"}}}
    config = load(table, environment="eu")
    assert (config.url, config.region) == (None, "emea")


def test_harmony_env_selects_and_the_argument_wins_over_it() -> None:
    assert load(ENVS, {"HARMONY_ENV": "prod"}).org_id == "300"
    assert load(ENVS, {"HARMONY_ENV": "prod"}, environment="dev").org_id == "200"
    assert load(ENVS, {"HARMONY_ENV": ""}).environment is None


def test_each_environment_gets_its_own_default_manifest() -> None:
    assert load(ENVS, environment="dev").manifest == ROOT / "build/harmony/dev/MANIFEST.MF"
    assert load(ENVS, environment="prod").manifest == ROOT / "build/harmony/prod/MANIFEST.MF"
    assert load(ENVS, environment="prod").lock == ROOT / "harmony.lock"  # one lock, entries per org


def test_an_explicit_manifest_is_kept_for_every_environment_unless_overridden() -> None:
    table = {
        "manifest": "src/main/resources/META-INF/MANIFEST.MF",
        "environments": {"dev": {}, "prod": {"manifest": "prod/MANIFEST.MF"}},
    }
    assert load(table, environment="dev").manifest == ROOT / "src/main/resources/META-INF/MANIFEST.MF"
    assert load(table, environment="prod").manifest == ROOT / "prod/MANIFEST.MF"


def test_unknown_environment_lists_the_defined_ones() -> None:
    message = problems(ENVS, {"HARMONY_ENV": "staging"})
    assert message == "HARMONY_ENV: environment 'staging' is not defined; the environments are: dev, prod"
    assert problems(ENVS, environment="qa").startswith("--env: environment 'qa' is not defined")


def test_selecting_an_environment_when_none_are_defined_is_an_error() -> None:
    message = problems({}, {"HARMONY_ENV": "prod"})
    assert message == (
        "HARMONY_ENV: environment 'prod' is selected, but pyproject.toml defines no environments; add "
        f"[{HOOK_TABLE}.environments.prod], or unset HARMONY_ENV"
    )
    assert problems({}, environment="prod").endswith("or drop --env")


def test_problems_in_an_unselected_environment_are_still_reported() -> None:
    table = {"environments": {"dev": {}, "prod": {"region": "mars", "org_id": "1"}}}
    lines = problem_lines(problems(table, environment="dev"))
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{HOOK_TABLE}.environments.prod.region",
        f"{HOOK_TABLE}.environments.prod.org_id",
    ]
    assert 'Did you mean "org-id"?' in lines[1]


def test_environment_table_shape_errors() -> None:
    table = {
        "environments": {
            "prod": "300",
            "bad/name": {},
            "dev": {"environments": {}},
            "qa": {"url": "https://h.example.com", "region": "na"},
        }
    }
    lines = problem_lines(problems(table))
    assert lines[0].startswith(f"{HOOK_TABLE}.environments.prod: expected a table, got a string")
    assert lines[1].startswith(f'{HOOK_TABLE}.environments."bad/name": environment names hold')
    assert lines[2].startswith(f"{HOOK_TABLE}.environments.dev.environments: environments do not nest")
    assert lines[3].startswith(f"{HOOK_TABLE}.environments.qa.url: `url` and `region` are both set")


def test_environment_manifest_outside_the_root_is_reported_even_when_not_selected() -> None:
    message = problems({"environments": {"prod": {"manifest": "../../prod.MF"}}})
    assert f"{HOOK_TABLE}.environments.prod.manifest: must be a file inside the project folder" in message


# --------------------------------------------------------------------------- environment variables


def test_harmony_url_replaces_the_files_region_and_environment_host() -> None:
    config = load(ENVS, {"HARMONY_URL": "http://127.0.0.1:8123/"}, environment="prod")
    assert (config.url, config.region) == ("http://127.0.0.1:8123", None)


def test_harmony_region_replaces_the_files_url() -> None:
    config = load(ENVS, {"HARMONY_REGION": "APAC"}, environment="prod")
    assert (config.url, config.region) == (None, "apac")


def test_harmony_url_and_region_together_are_refused() -> None:
    message = problems({}, {"HARMONY_URL": "https://h.example.com", "HARMONY_REGION": "na"})
    assert message.startswith("HARMONY_URL and HARMONY_REGION: are both set")


def test_bad_harmony_region_and_url_name_the_variable() -> None:
    assert problems({}, {"HARMONY_REGION": "mars"}).startswith(
        "HARMONY_REGION: 'mars' is not a Harmony region; use one of na, emea, apac"
    )
    message = problems({}, {"HARMONY_URL": f"http://user:{CANARY}@example.com"})
    assert message.startswith("HARMONY_URL: must not hold a user or password")
    assert CANARY not in message
    assert problems({}, {"HARMONY_URL": "http://harmony.example.com"}).startswith(
        "HARMONY_URL: uses http:// with a non-local host"
    )


def test_harmony_org_id_overrides_base_and_environment() -> None:
    assert load(ENVS, {"HARMONY_ORG_ID": " 999 "}, environment="dev").org_id == "999"
    assert problems({}, {"HARMONY_ORG_ID": "../1"}).startswith("HARMONY_ORG_ID: must hold only")


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("YES", True), ("on", True)])
def test_harmony_offline_true_values(value: str, expected: bool) -> None:
    assert load({}, {"HARMONY_OFFLINE": value}).offline is expected


@pytest.mark.parametrize("value", ["0", "false", "No", "off", "", "  "])
def test_harmony_offline_false_values(value: str) -> None:
    assert load({}, {"HARMONY_OFFLINE": value}).offline is False


def test_bad_harmony_offline_names_the_variable() -> None:
    assert problems({}, {"HARMONY_OFFLINE": "2"}).startswith("HARMONY_OFFLINE: '2' is not a yes/no value")


def test_harmony_verify_overrides_the_file_both_ways() -> None:
    assert load({"verify": False}, {"HARMONY_VERIFY": "1"}).verify is True
    assert load({"verify": True}, {"HARMONY_VERIFY": "no"}).verify is False
    assert load({"verify": True}, {"HARMONY_VERIFY": ""}).verify is True


def test_precedence_variable_over_environment_over_base() -> None:
    table = {"org-id": "1", "environments": {"prod": {"org-id": "2"}}}
    assert load(table).org_id == "1"
    assert load(table, environment="prod").org_id == "2"
    assert load(table, {"HARMONY_ORG_ID": "3"}, environment="prod").org_id == "3"


def test_empty_variables_count_as_unset() -> None:
    config = load({"region": "emea"}, {"HARMONY_URL": "", "HARMONY_REGION": " ", "HARMONY_ORG_ID": ""})
    assert (config.region, config.url, config.org_id) == ("emea", None, None)


# --------------------------------------------------------------------------- read_project_table


def write_pyproject(root: Path, text: str) -> Path:
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def test_read_hook_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, f'[project]\nname = "c"\n[{HOOK_TABLE}]\norg-id = "12"\n')
    assert read_project_table(tmp_path) == ({"org-id": "12"}, HOOK_TABLE)


def test_read_setuptools_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, f'[{SETUPTOOLS_TABLE}]\nregion = "emea"\n')
    assert read_project_table(tmp_path) == ({"region": "emea"}, SETUPTOOLS_TABLE)


def test_read_target_level_hook_table_prefers_jar(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        '[tool.hatch.build.targets.wheel.hooks.harmony]\norg-id = "1"\n'
        '[tool.hatch.build.targets.jar.hooks.harmony]\norg-id = "2"\n',
    )
    assert read_project_table(tmp_path) == ({"org-id": "2"}, "tool.hatch.build.targets.jar.hooks.harmony")


def test_missing_pyproject(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"pyproject.toml does not exist: run hatch-harmony in the connector"
    ):
        read_project_table(tmp_path)


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    write_pyproject(tmp_path, f'[project]\nname = "c"\n[{HOOK_TABLE}]\norg-id = \n')
    with pytest.raises(ConfigError, match=r"pyproject.toml is not valid TOML: .*line 4"):
        read_project_table(tmp_path)


def test_non_utf8_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "\xff"\n')
    with pytest.raises(ConfigError, match=r"is not UTF-8 text"):
        read_project_table(tmp_path)


def test_no_harmony_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[project]\nname = "c"\n')
    with pytest.raises(
        ConfigError, match=r"has no hatch-harmony table: add \[tool.hatch.build.hooks.harmony\]"
    ):
        read_project_table(tmp_path)


def test_both_hatch_and_setuptools_tables_are_refused(tmp_path: Path) -> None:
    write_pyproject(tmp_path, f"[{HOOK_TABLE}]\n[{SETUPTOOLS_TABLE}]\n")
    with pytest.raises(ConfigError, match=r"has both .* keep the one for your build backend"):
        read_project_table(tmp_path)


def test_harmony_that_is_not_a_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.hatch.build.hooks]\nharmony = true\n")
    with pytest.raises(ConfigError, match=r"tool.hatch.build.hooks.harmony: expected a table, got a boolean"):
        read_project_table(tmp_path)


def test_a_real_pyproject_end_to_end(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        f"""
[{HOOK_TABLE}]
org-id = "10001"
manifest-template = "MANIFEST.MF"
attributes = {{ Author = "ACME" }}

[{HOOK_TABLE}.environments.prod]
org-id = "20002"
password = "{CANARY}"
region = "moon"
""",
    )
    table, path = read_project_table(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config(table, tmp_path, {}, table_path=path, environment="prod")
    assert CANARY not in info.value.message
    assert problem_lines(info.value.message) == [
        f"{HOOK_TABLE}.environments.prod.password: a Harmony login credential never goes in pyproject.toml: "
        "the file is committed and shipped in every sdist. Delete this key and set HARMONY_PASSWORD in the "
        "environment (locally or from your CI's secret store) instead.",
        f"{HOOK_TABLE}.environments.prod.region: 'moon' is not a Harmony region; use one of "
        '"na", "emea", "apac", or `url` for any other host',
    ]


def test_importing_config_does_not_import_httpx() -> None:
    code = "import sys, hatch_harmony.config; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
