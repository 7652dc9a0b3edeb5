"""adapter.json: what is accepted, and that every rejection names the file, the key and a fix."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.errors import ConfigError
from hatch_harmony.project.adapter import (
    MAX_ACTIVITIES,
    check_fits,
    find_adapter,
    load_adapter,
    parse_adapter,
)
from hatch_harmony.vocabulary import MAX_ACTIVITY_KEY_LENGTH

SOURCE = Path("conn/adapter.json")

#: The shape of jitterbit/dropbox-connector's adapter.json, trimmed (activity order as in the sample).
DROPBOX = b"""{
  "name": "Dropbox",
  "sandbox": true,
  "defaultActivityIcon": "/assets/images/Dropbox_Activity.svg",
  "endpoint": {"displayName": "Dropbox Endpoint", "properties": [{"name": "app-key", "type": "string"}]},
  "activities": {
    "fetch": {"displayName": "Fetch File", "properties": []},
    "put": {"displayName": "Put File", "properties": []},
    "process": {"displayName": "Process File", "properties": []},
    "get": {"displayName": "Get File", "properties": []}
  }
}"""


def adapter_bytes(**overrides: Any) -> bytes:
    data: dict[str, Any] = {"name": "Acme", "version": "1.0.0", "activities": {"query": {}, "create": {}}}
    for key, value in overrides.items():
        if value is ...:
            data.pop(key)
        else:
            data[key] = value
    return json.dumps(data).encode()


def rejection(data: bytes) -> str:
    with pytest.raises(ConfigError) as info:
        parse_adapter(data, source=SOURCE)
    message = str(info.value)
    assert str(SOURCE) in message
    assert info.value.exit_code == 2
    return message


def test_dropbox_sample_parses_with_activities_in_file_order() -> None:
    adapter = parse_adapter(DROPBOX, source=SOURCE)
    assert adapter.name == "Dropbox"
    assert adapter.version is None
    assert adapter.activities == ("fetch", "put", "process", "get")
    assert adapter.path == SOURCE
    assert adapter.digest == hashlib.sha256(DROPBOX).hexdigest()


def test_version_and_a_utf8_bom_are_accepted() -> None:
    adapter = parse_adapter(b"\xef\xbb\xbf" + adapter_bytes(version="2.1.0-beta"), source=SOURCE)
    assert adapter.version == "2.1.0-beta"
    assert adapter.activities == ("query", "create")


def test_digest_changes_with_any_byte() -> None:
    one = parse_adapter(adapter_bytes(), source=SOURCE)
    two = parse_adapter(adapter_bytes() + b"\n", source=SOURCE)
    assert one.digest != two.digest


@pytest.mark.parametrize("name", ["Acme", "Acme Widgets", "acme_widgets-2.0", "X", "9lives"])
def test_allowed_names(name: str) -> None:
    assert parse_adapter(adapter_bytes(name=name), source=SOURCE).name == name


def test_invalid_utf8() -> None:
    message = rejection(b'{"name": "Acme\xff"}')
    assert "UTF-8" in message
    assert "Save the file as UTF-8" in message


def test_bad_json_gives_line_and_column() -> None:
    message = rejection(b'{\n  "name": "Acme",\n  "activities": {"a": {},}\n}')
    assert "line 3" in message
    assert "column" in message
    assert "trailing comma" in message


def test_top_level_not_an_object() -> None:
    message = rejection(b'["name"]')
    assert "top level is a list" in message
    assert '"name" and "activities"' in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (..., "is missing"),
        ("", "is empty"),
        ("   ", "is empty"),
        (42, "a number, not a string"),
        (None, "null"),
    ],
)
def test_bad_name(value: object, expected: str) -> None:
    message = rejection(adapter_bytes(name=value))
    assert "`name`" in message
    assert expected in message
    assert '"name": "Acme"' in message


@pytest.mark.parametrize(
    ("name", "shown"),
    [("Acme/Widgets", "'/'"), ("Acme:Widgets", "':'"), ("Café", "'é'"), ("a\tb", "'\\t'")],
)
def test_name_with_special_characters(name: str, shown: str) -> None:
    message = rejection(adapter_bytes(name=name))
    assert "`name`" in message
    assert shown in message
    assert "does not allow" in message
    assert "Use letters, digits" in message


@pytest.mark.parametrize("name", ["-Acme", "Acme ", ".hidden"])
def test_name_must_start_alphanumeric_and_not_end_with_a_space(name: str) -> None:
    message = rejection(adapter_bytes(name=name))
    assert "`name`" in message
    assert "starting with a letter or digit" in message


@pytest.mark.parametrize("value", [1.0, 2, True, [], {}])
def test_version_not_a_string(value: object) -> None:
    message = rejection(adapter_bytes(version=value))
    assert "`version`" in message
    assert "not a string" in message
    assert "Quote it" in message


@pytest.mark.parametrize("value", ["", " 1.0", "1.0\n"])
def test_version_empty_or_padded(value: str) -> None:
    message = rejection(adapter_bytes(version=value))
    assert "`version`" in message
    assert "remove it to use the project version" in message


def test_a_version_beyond_any_real_one_is_refused_before_anything_is_registered() -> None:
    """ "1." + 5000 zeros once registered, then crashed the lock write (Python's 4300-digit limit)."""
    message = rejection(adapter_bytes(version="1." + "0" * 5000))
    assert "`version`" in message
    assert "5002 characters" in message and "at most 64" in message
    assert "0" * 100 not in message  # the message stays one readable line


@pytest.mark.parametrize("value", ["1.0 beta", "-1.0", "1.0/2", "v1;rm"])
def test_a_version_must_look_like_a_version(value: str) -> None:
    message = rejection(adapter_bytes(version=value))
    assert "`version`" in message
    assert "letters, digits" in message


@pytest.mark.parametrize("value", ["1", "2.1.0-beta", "1.0.0+build.5", "3.0.2_rc1", "v2", "9" * 64])
def test_ordinary_versions_are_accepted(value: str) -> None:
    assert parse_adapter(adapter_bytes(version=value), source=SOURCE).version == value


@pytest.mark.parametrize("sign", ["", "-"])
def test_an_integer_beyond_pythons_digit_limit_is_one_message_naming_its_key(sign: str) -> None:
    """json.loads raises a bare ValueError for integers over 4300 digits; it must name the key instead."""
    huge = sign + "1" + "0" * 5000
    data = (
        b'{"name": "Acme", "version": "1.0.0", "activities": {"query": {}},'
        b' "endpoint": {"properties": [{"name": "size"}, {"max": ' + huge.encode() + b"}]}}"
    )
    message = rejection(data)
    assert "`endpoint.properties[1].max`" in message
    assert "5001 digits" in message
    assert "0" * 100 not in message


def test_an_integer_at_pythons_digit_limit_is_accepted() -> None:
    data = b'{"name": "Acme", "activities": {"query": {}}, "limit": ' + b"9" * 4300 + b"}"
    assert parse_adapter(data, source=SOURCE).activities == ("query",)


def test_activities_missing() -> None:
    message = rejection(adapter_bytes(activities=...))
    assert "`activities` is missing" in message
    assert '"activities": {' in message


@pytest.mark.parametrize(("value", "kind"), [(["query"], "list"), ("query", "string"), (None, "null")])
def test_activities_not_an_object(value: object, kind: str) -> None:
    message = rejection(adapter_bytes(activities=value))
    assert f"`activities` is a {kind}, not an object" in message
    assert "keyed by activity name" in message


def test_zero_activities_are_allowed() -> None:
    # Decision: an endpoint-only connector is odd but valid input; nothing to assign.
    assert parse_adapter(adapter_bytes(activities={}), source=SOURCE).activities == ()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("", "is empty"),
        ("fetch file", "only ASCII letters"),
        ("fetch.file", "only ASCII letters"),
        ("fetch/file", "only ASCII letters"),
        ("fétch", "only ASCII letters"),
        ("x" * (MAX_ACTIVITY_KEY_LENGTH + 1), f"at most {MAX_ACTIVITY_KEY_LENGTH} fit"),
    ],
)
def test_activity_key_that_cannot_be_a_manifest_header(key: str, expected: str) -> None:
    message = rejection(adapter_bytes(activities={"ok": {}, key: {}}))
    assert f"`activities.{key}`" in message
    assert expected in message
    assert "Jitterbit-Activity-EntityTypeId-<key>" in message
    assert "Rename the activity" in message


def test_longest_activity_key_fits_a_70_byte_header() -> None:
    key = "k" * MAX_ACTIVITY_KEY_LENGTH
    adapter = parse_adapter(adapter_bytes(activities={key: {}, "_x": {}, "-y": {}}), source=SOURCE)
    assert adapter.activities == (key, "_x", "-y")
    assert len(f"Jitterbit-Activity-EntityTypeId-{key}".encode()) == 70


def test_duplicate_activity_keys() -> None:
    message = rejection(b'{"name": "Acme", "activities": {"fetch": {}, "put": {}, "fetch": {"x": 1}}}')
    assert "`activities`" in message
    assert "'fetch' more than once" in message
    assert "Keep one definition" in message


def test_duplicate_top_level_name() -> None:
    message = rejection(b'{"name": "Acme", "name": "Other", "activities": {}}')
    assert "`name` is defined more than once" in message


def test_duplicates_inside_ui_definitions_warn_but_build() -> None:
    data = b'{"name": "Acme", "activities": {"fetch": {"displayName": "a", "displayName": "b"}}}'
    adapter = parse_adapter(data, source=SOURCE)
    assert adapter.activities == ("fetch",)
    [warning] = adapter.warnings
    assert "`activities.fetch.displayName` is defined a second time" in warning


def test_activity_keys_differing_only_in_case() -> None:
    message = rejection(adapter_bytes(activities={"fetch": {}, "Fetch": {}}))
    assert "`activities.Fetch`" in message
    assert "differ only in case" in message
    assert "Rename one" in message


def test_99_activities_are_fine_100_are_not() -> None:
    ninety_nine: dict[str, object] = {f"a{i}": {} for i in range(MAX_ACTIVITIES)}
    assert len(parse_adapter(adapter_bytes(activities=ninety_nine), source=SOURCE).activities) == 99
    message = rejection(adapter_bytes(activities={**ninety_nine, "one_more": {}}))
    assert "`activities` has 100 activities" in message
    assert "at most 99" in message
    assert "split the connector" in message


def test_check_fits() -> None:
    adapter = parse_adapter(adapter_bytes(activities={"a": {}, "b": {}, "c": {}}), source=SOURCE)
    check_fits(adapter, range(101, 104))
    with pytest.raises(ConfigError) as info:
        check_fits(adapter, range(101, 103))
    message = str(info.value)
    assert str(SOURCE) in message
    assert "`activities` has 3 activities" in message
    assert "101..102 holds only 2" in message
    assert "new version" in message


def test_load_adapter_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "adapter.json"
    path.write_bytes(DROPBOX)
    assert load_adapter(path).activities == ("fetch", "put", "process", "get")


def test_load_adapter_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "adapter.json"
    with pytest.raises(ConfigError) as info:
        load_adapter(path)
    assert str(path) in str(info.value)
    assert "does not exist" in str(info.value)


def test_find_adapter_defaults_in_order(tmp_path: Path) -> None:
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "adapter.json").write_bytes(DROPBOX)
    assert find_adapter(tmp_path, None) == tmp_path / "ui" / "adapter.json"
    (tmp_path / "adapter.json").write_bytes(DROPBOX)
    assert find_adapter(tmp_path, None) == tmp_path / "adapter.json"


def test_find_adapter_configured(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ui.json").write_bytes(DROPBOX)
    (tmp_path / "adapter.json").write_bytes(DROPBOX)
    assert find_adapter(tmp_path, "src/ui.json") == tmp_path / "src" / "ui.json"
    assert find_adapter(tmp_path, Path("src/ui.json")) == tmp_path / "src" / "ui.json"


def test_find_adapter_configured_but_missing_does_not_fall_back(tmp_path: Path) -> None:
    (tmp_path / "adapter.json").write_bytes(DROPBOX)
    with pytest.raises(ConfigError) as info:
        find_adapter(tmp_path, "ui/adapter.json")
    message = str(info.value)
    assert "ui/adapter.json" in message
    assert "does not exist" in message
    assert "`adapter` option" in message


def test_find_adapter_configured_directory(tmp_path: Path) -> None:
    (tmp_path / "ui").mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        find_adapter(tmp_path, "ui")


def test_find_adapter_nothing_found_names_what_was_tried(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        find_adapter(tmp_path, None)
    message = str(info.value)
    assert "adapter.json and ui/adapter.json" in message
    assert str(tmp_path) in message
    assert "`adapter` option" in message
