"""The canonical writer and the editing API (Section / Manifest)."""

from __future__ import annotations

import pytest

from hatch_harmony import vocabulary
from hatch_harmony.jar_manifest import Manifest, ManifestError, Section

CANARY = "s3cr3t-CANARY-7f2a"


def lines_of(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


# --- the canonical form ---------------------------------------------------------------------------


def test_exact_bytes_of_a_small_manifest() -> None:
    m = Manifest(
        Section(None, [("Author", "Ann"), ("Manifest-Version", "1.0")]), [Section("a/b", [("K", "v")])]
    )
    assert m.to_bytes() == b"Manifest-Version: 1.0\r\nAuthor: Ann\r\n\r\nName: a/b\r\nK: v\r\n\r\n"


def test_manifest_version_is_added_first_when_missing() -> None:
    assert lines_of(Manifest(Section(None, [("A", "1")])).to_bytes())[:2] == [
        b"Manifest-Version: 1.0",
        b"A: 1",
    ]


@pytest.mark.parametrize("value", ["", "  "])
def test_a_blank_manifest_version_is_written_as_1_0(value: str) -> None:
    m = Manifest(Section(None, [("A", "1"), ("Manifest-Version", value)]))
    assert lines_of(m.to_bytes()) == [b"Manifest-Version: 1.0", b"A: 1", b""]


def test_the_templates_manifest_version_value_and_spelling_are_kept() -> None:
    m = Manifest(Section(None, [("A", "1"), ("manifest-version", "2.0")]))
    assert lines_of(m.to_bytes())[0] == b"manifest-version: 2.0"


def test_an_empty_manifest() -> None:
    assert Manifest().to_bytes() == b"Manifest-Version: 1.0\r\n\r\n"


def test_a_72_byte_line_stays_whole_and_73_bytes_continue() -> None:
    exact = "x" * (72 - len("A: "))
    assert lines_of(Manifest(Section(None, [("A", exact)])).to_bytes())[1] == f"A: {exact}".encode()
    longer = exact + "yz"
    assert lines_of(Manifest(Section(None, [("A", longer)])).to_bytes())[1:3] == [
        f"A: {exact}".encode(),
        b" yz",
    ]


def test_continuation_lines_hold_71_bytes_after_the_space() -> None:
    value = "v" * 300
    lines = lines_of(Manifest(Section(None, [("Class-Path", value)])).to_bytes())[1:-1]
    assert [len(line) for line in lines] == [72, 72, 72, 72, 300 + len("Class-Path: ") - 72 - 3 * 71 + 1]
    assert all(line.startswith(b" ") and not line.startswith(b"  ") for line in lines[1:])


@pytest.mark.parametrize("char", ["é", "€", "😀"], ids=["2-byte", "3-byte", "4-byte"])
@pytest.mark.parametrize("shift", range(4))
def test_multibyte_characters_are_never_split(char: str, shift: int) -> None:
    value = "a" * shift + char * 60
    data = Manifest(Section(None, [("Author", value)])).to_bytes()
    for line in lines_of(data):
        assert len(line) <= 72
        line.decode("utf-8")  # each physical line is whole UTF-8 text
    assert Manifest.parse(data).get("Author") == value


def test_a_70_byte_name_fills_the_first_line_with_its_colon_and_space() -> None:
    name = "N" * 70
    lines = lines_of(Manifest(Section(None, [(name, "value")])).to_bytes())
    assert lines[1:3] == [name.encode() + b": ", b" value"]


def test_one_blank_line_between_sections_and_a_line_break_at_the_end() -> None:
    m = Manifest(Section(None, [("A", "1")]), [Section("x", [("B", "2")]), Section("y", [])])
    assert m.to_bytes() == (b"Manifest-Version: 1.0\r\nA: 1\r\n\r\nName: x\r\nB: 2\r\n\r\nName: y\r\n\r\n")


def test_writing_is_deterministic() -> None:
    m = Manifest.parse(b"A: 1\nB: \xc3\xa9\n\nName: s\nC: 3\n")
    assert m.to_bytes() == m.to_bytes() == m.copy().to_bytes()
    assert Manifest.parse(m.to_bytes()).to_bytes() == m.to_bytes()


def test_to_bytes_refuses_structural_damage() -> None:
    twins = Manifest(Section(), [Section("x"), Section("x")], source="built")
    with pytest.raises(ManifestError, match="two sections are named 'x'"):
        twins.to_bytes()
    named_main = Manifest(Section("oops"))
    with pytest.raises(ManifestError, match="main section cannot have a Name"):
        named_main.to_bytes()
    unnamed = Manifest(Section(), [Section(None)])
    with pytest.raises(ManifestError, match="entry section has no Name"):
        unnamed.to_bytes()


# --- editing --------------------------------------------------------------------------------------


def sample_section() -> Section:
    return Section(None, [("A", "1"), ("B", "2"), ("C", "3")])


def test_set_replaces_in_place_with_the_new_spelling() -> None:
    s = sample_section()
    s.set("b", "two")
    assert s.items() == [("A", "1"), ("b", "two"), ("C", "3")]


def test_set_appends_a_new_attribute_or_places_it_after_or_before_an_anchor() -> None:
    s = sample_section()
    s.set("D", "4")
    s.set("AB", "x", after="a")
    s.set("BC", "y", before="C")
    s.set("Z", "z", after="missing")  # absent anchor: at the end
    assert s.names() == ["A", "AB", "B", "BC", "C", "D", "Z"]


def test_remove_and_rename_keep_the_others_in_order() -> None:
    s = sample_section()
    assert s.remove("b") is True and s.remove("b") is False
    assert s.rename("c", "See") is True and s.rename("nope", "X") is False
    assert s.items() == [("A", "1"), ("See", "3")]
    with pytest.raises(ManifestError, match="'a' exists already"):
        s.rename("See", "a")
    assert s.rename("A", "a") and s.names() == ["a", "See"]  # a new spelling of itself


def test_contains_and_get_are_case_insensitive() -> None:
    s = sample_section()
    assert "a" in s and "B" in s and "D" not in s and 3 not in s
    assert s.get("c") == "3" and s.get("d") is None and len(s) == 3


def test_manifest_get_reads_the_main_section() -> None:
    m = Manifest(Section(None, [("Author", "Ann")]), [Section("s", [("Version", "7")])])
    assert m.get("author") == "Ann" and m.get("Version") is None


def test_copy_is_independent() -> None:
    m = Manifest(Section(None, [("A", "1")]), [Section("s", [("B", "2")])])
    twin = m.copy()
    twin.main.set("A", "changed")
    twin.sections[0].set("B", "changed")
    assert m.get("A") == "1" and m.sections[0].get("B") == "2" and twin != m


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Bad Name", "not a valid attribute name"),
        ("", "not a valid attribute name"),
        ("_x", "must start with a letter or digit"),
        ("Ünïcode", "not a valid attribute name"),
        ("x" * 71, "71 bytes long"),
        ("name", "'Name' is not an attribute"),
    ],
)
def test_set_refuses_invalid_names(name: str, words: str) -> None:
    with pytest.raises(ManifestError, match=words) as caught:
        Section(source="edit").set(name, "v")
    assert caught.value.attribute == name and caught.value.source == "edit"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (f"{CANARY}\r\nInjected: yes", "carriage return"),
        (f"{CANARY}\nInjected: yes", "line feed"),
        (f"{CANARY}\0", "NUL"),
        (f"{CANARY}\ud800", "lone surrogate"),
    ],
)
def test_set_refuses_values_that_would_break_the_line_without_quoting_them(value: str, words: str) -> None:
    with pytest.raises(ManifestError, match=words) as caught:
        Section().set(vocabulary.SECRET, value)
    assert CANARY not in str(caught.value) and caught.value.attribute == vocabulary.SECRET


def test_set_refuses_a_value_that_is_not_text() -> None:
    with pytest.raises(ManifestError, match="is a int, not text"):
        Section().set("A", 1)  # type: ignore[arg-type]


def test_constructor_refuses_duplicates_and_bad_section_names() -> None:
    with pytest.raises(ManifestError, match="given twice"):
        Section(None, [("A", "1"), ("a", "2")])
    with pytest.raises(ManifestError, match="it is empty"):
        Section("")
    with pytest.raises(ManifestError, match="line feed"):
        Section("a\nb")


def test_a_mapping_builds_a_section_in_order() -> None:
    assert Section(None, {"B": "2", "A": "1"}).names() == ["B", "A"]


def test_repr_never_shows_secret_values() -> None:
    m = Manifest(
        Section(
            None,
            [
                (vocabulary.KEY, CANARY),
                (vocabulary.SECRET, CANARY),
                ("X-Api-Token", CANARY),
                ("Author", "Ann"),
            ],
        )
    )
    for shown in (repr(m), str(m), repr(m.main)):
        assert CANARY not in shown
        assert "Ann" in shown  # ordinary values stay visible for debugging
