"""The Jitterbit mapping: registration -> attributes, placeholders, templates kept intact."""

from __future__ import annotations

import re

import pytest

from hatch_harmony import vocabulary
from hatch_harmony.errors import ConfigError
from hatch_harmony.jar_manifest import Manifest, ManifestError, Section
from hatch_harmony.project import connector_manifest as cm

KEY_CANARY = "key-CANARY-0b1c"
SECRET_CANARY = "secret-CANARY-9d8e"

#: A byte-exact copy of `jitterbit/dropbox-connector`'s committed MANIFEST.MF (the real-world
#: template; the repository stands alone, so the copy is the test's own): no Manifest-Version,
#: placeholders, empty values, a Class-Path continued over ten lines, LF line breaks.
SAMPLE = (
    b"Author: Jitterbit\n"
    b"Version: 3.0.2\n"
    b"Jitterbit-Connector-Key: ****\n"
    b"Jitterbit-Connector-Secret: *****\n"
    b"Jitterbit-Connector-Endpoint-EntityTypeId: \n"
    b"Jitterbit-Activity-EntityTypeId-fetch: \n"
    b"Jitterbit-Activity-EntityTypeId-put: \n"
    b"Jitterbit-Activity-EntityTypeId-process: \n"
    b"Jitterbit-Activity-EntityTypeId-get: \n"
    b"Jitterbit-Connector-UI: adapter.json\n"
    b"Class-Path: lib/dropbox-core-sdk-3.0.6.jar\n"
    b"            lib/jackson-core-2.8.6.jar\n"
    b"            lib/jackson-databind-2.8.5.jar\n"
    b"            lib/jackson-annotations-2.8.5.jar\n"
    b"            lib/commons-discovery-0.5.jar\n"
    b"            lib/commons-logging-1.2.jar\n"
    b"            lib/gson-2.3.jar\n"
    b"            lib/commons-io-2.6.jar\n"
    b"            lib/guava-19.0.jar\n"
    b"            lib/log4j-1.2.17.jar\n"
    b"\n"
)
SAMPLES = [pytest.param(SAMPLE, id="embedded")]
JARS = [
    "lib/dropbox-core-sdk-3.0.6.jar",
    "lib/jackson-core-2.8.6.jar",
    "lib/jackson-databind-2.8.5.jar",
    "lib/jackson-annotations-2.8.5.jar",
    "lib/commons-discovery-0.5.jar",
    "lib/commons-logging-1.2.jar",
    "lib/gson-2.3.jar",
    "lib/commons-io-2.6.jar",
    "lib/guava-19.0.jar",
    "lib/log4j-1.2.17.jar",
]


def register(template: Manifest, **overrides: object) -> Manifest:
    args: dict[str, object] = {
        "key": KEY_CANARY,
        "secret": SECRET_CANARY,
        "endpoint_entity_id": "20001",
        "activity_ids": {"fetch": 20002, "put": "20003", "get": 20004, "list": 20005},
    }
    args.update(overrides)
    return cm.apply_registration(template, **args)  # type: ignore[arg-type]


# --- the sample as a template ----------------------------------------------------------------------


@pytest.mark.parametrize("data", SAMPLES)
def test_the_sample_reads_with_its_placeholders_and_joined_class_path(data: bytes) -> None:
    m = Manifest.parse(data, source="MANIFEST.MF template")
    assert (
        m.get(vocabulary.KEY) == "****"
        and m.get(vocabulary.SECRET) == "*****"
        and m.get(vocabulary.ENDPOINT_ID) == ""
    )
    assert vocabulary.MANIFEST_VERSION not in m.main
    assert m.get(vocabulary.CLASS_PATH) == (" " * 11).join(
        JARS
    )  # what Java reads: one space dropped per line
    assert cm.registration_values(m) == (None, None)


@pytest.mark.parametrize("data", SAMPLES)
def test_the_sample_is_refused_as_output_naming_the_placeholder(data: bytes) -> None:
    with pytest.raises(
        ManifestError, match=r"^MANIFEST.MF template: Jitterbit-Connector-Key is a placeholder"
    ):
        cm.check_shippable(Manifest.parse(data, source="MANIFEST.MF template"))


@pytest.mark.parametrize("data", SAMPLES)
def test_registration_into_the_sample(data: bytes) -> None:
    template = Manifest.parse(data, source="MANIFEST.MF template")
    result = register(template)
    assert result.main.items() == [
        ("Manifest-Version", "1.0"),
        ("Author", "Jitterbit"),  # user data kept
        ("Version", "3.0.2"),  # user data: the version that makes agents reload is the user's to bump
        ("Jitterbit-Connector", "true"),  # added before the first Jitterbit attribute
        ("Jitterbit-Connector-Key", KEY_CANARY),
        ("Jitterbit-Connector-Secret", SECRET_CANARY),
        ("Jitterbit-Connector-Endpoint-EntityTypeId", "20001"),
        ("Jitterbit-Activity-EntityTypeId-fetch", "20002"),
        ("Jitterbit-Activity-EntityTypeId-put", "20003"),
        # "process" is no longer an activity: removed
        ("Jitterbit-Activity-EntityTypeId-get", "20004"),
        ("Jitterbit-Activity-EntityTypeId-list", "20005"),  # new: next to the other activities
        ("Jitterbit-Connector-UI", "adapter.json"),
        ("Class-Path", " ".join(JARS)),  # runs of spaces collapsed, same list for Java
    ]
    assert template.get(vocabulary.KEY) == "****" and len(template.main) == 11  # the template is not touched
    data_out = result.to_bytes()
    assert Manifest.parse(data_out) == result


def test_registration_into_an_empty_template() -> None:
    result = register(Manifest(), activity_ids={"b": 7, "a": 8}, ui_file="ui.json")
    assert result.main.items() == [
        ("Manifest-Version", "1.0"),
        ("Jitterbit-Connector", "true"),
        ("Jitterbit-Connector-UI", "ui.json"),
        ("Jitterbit-Connector-Key", KEY_CANARY),
        ("Jitterbit-Connector-Secret", SECRET_CANARY),
        ("Jitterbit-Connector-Endpoint-EntityTypeId", "20001"),
        ("Jitterbit-Activity-EntityTypeId-b", "7"),  # activity_ids order
        ("Jitterbit-Activity-EntityTypeId-a", "8"),
    ]


def test_user_attributes_and_sections_are_kept_in_place() -> None:
    template = Manifest.parse(
        b"Manifest-Version: 1.0\nAuthor: Ann\nJitterbit-Connector-Factory-Class: org.x.Factory\n"
        b"X-Unknown: kept\nJitterbit-Connector-UI: old.json\nVersion: 7\n\nName: org/x/\nSealed: true\n"
    )
    result = register(template, activity_ids={"fetch": 20002})
    assert result.main.names() == [
        "Manifest-Version",
        "Author",
        "Jitterbit-Connector",
        "Jitterbit-Connector-Factory-Class",
        "X-Unknown",
        "Jitterbit-Connector-UI",
        "Jitterbit-Connector-Key",
        "Jitterbit-Connector-Secret",
        "Jitterbit-Connector-Endpoint-EntityTypeId",
        "Jitterbit-Activity-EntityTypeId-fetch",
        "Version",
    ]
    assert result.get(vocabulary.CONNECTOR_UI) == "adapter.json" and result.get("Version") == "7"
    assert result.sections == template.sections


def test_existing_values_are_replaced_in_place_whatever_their_spelling() -> None:
    template = Manifest.parse(
        b"jitterbit-connector: false\nJITTERBIT-CONNECTOR-SECRET: old\nAuthor: A\n"
        b"jitterbit-activity-entitytypeid-FETCH: 1\nJitterbit-Connector-Key: old\n"
    )
    result = register(template, activity_ids={"fetch": 20002})
    assert result.main.items() == [
        ("Manifest-Version", "1.0"),
        ("Jitterbit-Connector", "true"),
        ("Jitterbit-Connector-UI", "adapter.json"),  # new: after the one before it in the canonical order
        ("Jitterbit-Connector-Secret", SECRET_CANARY),
        ("Jitterbit-Connector-Endpoint-EntityTypeId", "20001"),  # new: after the secret
        ("Author", "A"),
        ("Jitterbit-Activity-EntityTypeId-fetch", "20002"),
        ("Jitterbit-Connector-Key", KEY_CANARY),
    ]


def test_manifest_version_is_moved_first_keeping_its_value() -> None:
    result = register(Manifest.parse(b"Author: A\nmanifest-version: 1.0\n"))
    assert result.main.items()[:2] == [("Manifest-Version", "1.0"), ("Author", "A")]


def test_stale_id_spellings_are_renamed_in_place() -> None:
    # PACKAGING.md of the sample shows -Id forms Harmony does not read (FACTS.md).
    template = Manifest.parse(
        b"Jitterbit-Connector: true\nJitterbit-Connector-Endpoint-Id: XXXXX\n"
        b"Jitterbit-Activity-Id-fetch: XXXXX\n"
        b"Jitterbit-Activity-Id-gone: XXXXX\nJitterbit-Connector-UI: adapter.json\n"
    )
    result = register(template, activity_ids={"fetch": 20002})
    assert result.main.names() == [
        "Manifest-Version",
        "Jitterbit-Connector",
        "Jitterbit-Connector-Endpoint-EntityTypeId",
        "Jitterbit-Activity-EntityTypeId-fetch",
        "Jitterbit-Connector-UI",
        "Jitterbit-Connector-Key",
        "Jitterbit-Connector-Secret",
    ]
    assert (
        result.get(vocabulary.ENDPOINT_ID) == "20001"
        and result.get(cm.activity_attribute("fetch")) == "20002"
    )


def test_a_stale_spelling_beside_the_current_one_is_dropped() -> None:
    template = Manifest.parse(
        b"Jitterbit-Connector-Endpoint-EntityTypeId: 1\nJitterbit-Connector-Endpoint-Id: 1\n"
        b"Jitterbit-Activity-EntityTypeId-put: 2\nJitterbit-Activity-Id-put: 2\n"
    )
    names = [n.lower() for n in register(template, activity_ids={"put": 20003}).main.names()]
    assert vocabulary.STALE_ENDPOINT_ID.lower() not in names and "jitterbit-activity-id-put" not in names
    assert names.count(vocabulary.ENDPOINT_ID.lower()) == 1


def test_99_activities() -> None:
    ids = {f"activity{n:02d}": 20002 + n for n in range(99)}
    result = register(Manifest.parse(SAMPLE), activity_ids=ids)
    assert cm.activity_values(result) == {k: str(v) for k, v in ids.items()}
    assert Manifest.parse(result.to_bytes()) == result


def test_extra_attributes_are_set_last_or_in_place() -> None:
    result = register(Manifest.parse(b"Author: A\n"), extra={"Built-By": "ci", "Author": "B"})
    assert result.get("Author") == "B" and result.main.names()[1] == "Author"
    assert result.main.names()[-1] == "Built-By"


@pytest.mark.parametrize(
    "name",
    [
        vocabulary.KEY,
        "jitterbit-connector-secret",
        vocabulary.ENDPOINT_ID,
        "Jitterbit-Activity-EntityTypeId-x",
        vocabulary.CONNECTOR_UI,
        vocabulary.CONNECTOR,
        vocabulary.MANIFEST_VERSION,
        vocabulary.STALE_ENDPOINT_ID,
        "Jitterbit-Activity-Id-x",
    ],
)
def test_extra_attributes_cannot_override_registration_attributes(name: str) -> None:
    with pytest.raises(ConfigError, match=r"written by hatch-harmony .*remove it from `attributes`"):
        register(Manifest(), extra={name: "1"})


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"Bad Name": "x"}, "not a valid attribute name"),
        ({"X": "a\nb"}, "line feed"),
        ({"Name": "x"}, "starts a"),
    ],
)
def test_invalid_extra_attributes_are_config_errors(extra: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        register(Manifest(), extra=extra)


def test_activities_differing_only_in_case_are_refused() -> None:
    with pytest.raises(ConfigError, match="'Fetch' and 'fetch' differ only in case"):
        register(Manifest(), activity_ids={"Fetch": 1, "fetch": 2})


@pytest.mark.parametrize("ui_file", ["", " ", "a\nb.json"])
def test_an_unusable_ui_file_name_is_refused(ui_file: str) -> None:
    with pytest.raises(ConfigError, match="UI file name"):
        register(Manifest(), ui_file=ui_file)


@pytest.mark.parametrize(
    ("overrides", "attribute"),
    [
        ({"key": "****"}, vocabulary.KEY),
        ({"secret": ""}, vocabulary.SECRET),
        ({"endpoint_entity_id": "XXXXX"}, vocabulary.ENDPOINT_ID),
        ({"activity_ids": {"fetch": "<id>"}}, "Jitterbit-Activity-EntityTypeId-fetch"),
    ],
)
def test_registration_with_placeholder_values_is_refused(
    overrides: dict[str, object], attribute: str
) -> None:
    with pytest.raises(ManifestError) as caught:
        register(Manifest(), **overrides)
    assert caught.value.attribute == attribute and attribute in str(caught.value)
    assert KEY_CANARY not in str(caught.value) and SECRET_CANARY not in str(caught.value)


def test_regenerating_from_the_output_is_a_fixed_point() -> None:
    # A warm build reads nothing new: the same bytes, so the file is not rewritten.
    first = register(Manifest.parse(SAMPLE)).to_bytes()
    again = register(Manifest.parse(first)).to_bytes()
    assert again == first


def test_repr_of_a_generated_manifest_hides_key_and_secret() -> None:
    shown = repr(register(Manifest.parse(SAMPLE)))
    assert KEY_CANARY not in shown and SECRET_CANARY not in shown and "20001" in shown


# --- placeholders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "****",
        "*****",
        "*",
        "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX",
        "XXXXX",
        "xxxx",
        "???",
        "...",
        "<key>",
        "<author-name>",
        "${KEY}",
        "${env.HARMONY_KEY}",
        "{{connectorKey}}",
        "@KEY@",
        "TODO",
        "changeme",
        "None",
        "null",
        " **** ",
    ],
)
def test_placeholders(value: str) -> None:
    assert vocabulary.is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        "20001",
        "k",
        "x-1",
        "<a",
        "a>",
        "${",
        "@",
        "Xavier",
        "nonempty",
    ],
)
def test_real_values_are_not_placeholders(value: str) -> None:
    assert not vocabulary.is_placeholder(value)


@pytest.mark.parametrize(
    ("attribute", "value", "words"),
    [
        (vocabulary.KEY, "****", "is a placeholder"),
        (vocabulary.SECRET, "", "is empty"),
        (vocabulary.ENDPOINT_ID, "", "is empty"),
        (vocabulary.ENDPOINT_ID, "2000l", "'2000l', not a numeric id"),
        ("Jitterbit-Activity-EntityTypeId-put", "٣", "not a numeric id"),  # a digit, but not ASCII
        ("Jitterbit-Activity-EntityTypeId-put", str(2**63), "beyond a 64-bit id"),  # Java reads longs
    ],
)
def test_check_shippable_names_the_attribute(attribute: str, value: str, words: str) -> None:
    m = Manifest(Section(None, [(attribute, value)]), source="out/MANIFEST.MF")
    with pytest.raises(ManifestError, match=words) as caught:
        cm.check_shippable(m)
    assert caught.value.attribute == attribute and str(caught.value).startswith(
        f"out/MANIFEST.MF: {attribute} "
    )
    # the writer is the JAR format only: it writes what it is given (a masked copy for display)
    assert m.to_bytes().startswith(b"Manifest-Version: 1.0\r\n")
    values = {
        vocabulary.KEY: "k",
        vocabulary.SECRET: "s",
        vocabulary.ENDPOINT_ID: "1",
        "Jitterbit-Activity-EntityTypeId-put": "2",
    }
    values[attribute] = value
    with pytest.raises(ManifestError, match=words):  # generating one refuses it
        cm.apply_registration(
            Manifest(),
            key=values[vocabulary.KEY],
            secret=values[vocabulary.SECRET],
            endpoint_entity_id=values[vocabulary.ENDPOINT_ID],
            activity_ids={"put": values["Jitterbit-Activity-EntityTypeId-put"]},
        )


def test_check_shippable_accepts_a_plain_manifest_and_placeholders_in_user_attributes() -> None:
    cm.check_shippable(Manifest(Section(None, [("Author", "<author-name>"), ("Version", "<version>")])))


def test_registration_values() -> None:
    generated = register(Manifest())
    assert cm.registration_values(generated) == (KEY_CANARY, SECRET_CANARY)
    half = Manifest(Section(None, [(vocabulary.KEY, KEY_CANARY), (vocabulary.SECRET, "${SECRET}")]))
    assert cm.registration_values(half) == (KEY_CANARY, None)
    assert cm.registration_values(Manifest()) == (None, None)


# --- attribute names and Class-Path ---------------------------------------------------------------


def test_activity_attribute_names() -> None:
    assert cm.activity_attribute("fetch") == "Jitterbit-Activity-EntityTypeId-fetch"
    assert cm.activity_attribute("_x-1") == "Jitterbit-Activity-EntityTypeId-_x-1"
    longest = "a" * (70 - len(vocabulary.ACTIVITY_PREFIX))
    assert len(cm.activity_attribute(longest)) == 70
    with pytest.raises(ConfigError, match=r"the key is 39 characters long, at most 38 fit"):
        cm.activity_attribute(longest + "a")


@pytest.mark.parametrize(
    ("activity", "problem"),
    [
        ("", "the key is empty"),
        *[
            (key, "the key may contain only ASCII letters, digits, '-' and '_'")
            for key in ("get file", "get.file", "fétch", "a/b")
        ],
    ],
)
def test_activity_keys_that_cannot_be_attribute_names(activity: str, problem: str) -> None:
    with pytest.raises(
        ConfigError, match=re.escape(problem) + ".*" + re.escape("rename the activity in adapter.json")
    ):
        cm.activity_attribute(activity)


def test_activity_values_reads_the_ids_back() -> None:
    m = Manifest.parse(
        b"Jitterbit-Activity-EntityTypeId-fetch: 5\njitterbit-activity-entitytypeid-Put: 6\nA: 1\n"
    )
    assert cm.activity_values(m) == {"fetch": "5", "Put": "6"}


def test_set_class_path_replaces_the_templates_value_in_place() -> None:
    m = Manifest.parse(SAMPLE)
    position = m.main.names().index("Class-Path")
    cm.set_class_path(m, ["lib/a.jar", "lib/b.jar"])
    assert m.get("class-path") == "lib/a.jar lib/b.jar" and m.main.names().index("Class-Path") == position


def test_set_class_path_encodes_what_would_break_the_url_list() -> None:
    m = Manifest()
    cm.set_class_path(m, ["lib/my lib.jar", "lib\\win.jar", "lib/ü.jar"])
    assert m.get(vocabulary.CLASS_PATH) == "lib/my%20lib.jar lib/win.jar lib/%C3%BC.jar"


def test_set_class_path_without_jars_removes_it() -> None:
    m = Manifest.parse(SAMPLE)
    cm.set_class_path(m, [])
    assert vocabulary.CLASS_PATH not in m.main


@pytest.mark.parametrize("jar", ["", " ", "lib/a\n.jar"])
def test_set_class_path_refuses_unusable_paths(jar: str) -> None:
    with pytest.raises(ConfigError, match="not a usable jar path"):
        cm.set_class_path(Manifest(), [jar])


def test_a_long_class_path_is_wrapped_by_the_writer() -> None:
    m = Manifest()
    jars = [f"lib/dependency-number-{n}-1.0.0.jar" for n in range(200)]
    cm.set_class_path(m, jars)
    data = m.to_bytes()
    assert all(len(line) <= 72 for line in data.split(b"\r\n"))
    assert Manifest.parse(data).get(vocabulary.CLASS_PATH) == " ".join(jars)


def test_every_registration_attribute_spelling_is_reserved_from_attributes() -> None:
    """The hook's `attributes` may not set a registration attribute under any current or stale spelling."""
    spellings = (
        vocabulary.KEY,
        vocabulary.SECRET,
        vocabulary.ENDPOINT_ID,
        vocabulary.STALE_ENDPOINT_ID,
        vocabulary.ACTIVITY_PREFIX + "fetch",
        vocabulary.STALE_ACTIVITY_PREFIX + "fetch",
    )
    assert all(name.lower().startswith(vocabulary.REGISTRATION_PREFIXES) for name in spellings)
    assert not "Jitterbit-Connector-Factory-Class".lower().startswith(vocabulary.REGISTRATION_PREFIXES)
