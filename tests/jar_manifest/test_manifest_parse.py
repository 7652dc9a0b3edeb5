"""The lenient reader: what it accepts, and the line-numbered errors for what it cannot read."""

from __future__ import annotations

import pytest

from hatch_harmony.errors import ConfigError, HarmonyError
from hatch_harmony.jar_manifest import Manifest, ManifestError

CANARY = "s3cr3t-CANARY-7f2a"


def parse(text: str | bytes, source: str = "template.MF") -> Manifest:
    return Manifest.parse(text.encode() if isinstance(text, str) else text, source=source)


def parse_error(data: str | bytes) -> ManifestError:
    with pytest.raises(ManifestError) as caught:
        parse(data)
    return caught.value


# --- line breaks, continuations, sections --------------------------------------------------------


@pytest.mark.parametrize("brk", ["\r\n", "\n", "\r"], ids=["CRLF", "LF", "CR"])
def test_every_line_break_style_reads_the_same(brk: str) -> None:
    text = brk.join(
        ["Manifest-Version: 1.0", "Author: Ann", "Class-Path: a.jar", " b.jar", "", "Name: x/", "K: v", ""]
    )
    m = parse(text)
    assert m.main.items() == [("Manifest-Version", "1.0"), ("Author", "Ann"), ("Class-Path", "a.jarb.jar")]
    assert [(s.name, s.items()) for s in m.sections] == [("x/", [("K", "v")])]


def test_mixed_line_breaks_in_one_file() -> None:
    m = parse("A: 1\r\nB: 2\nC: 3\rD: 4\r\n")
    assert m.main.items() == [("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")]


def test_continuation_drops_exactly_one_space() -> None:
    m = parse("Class-Path: lib/a.jar\n   lib/b.jar\n  \n")
    assert m.get("Class-Path") == "lib/a.jar  lib/b.jar "


def test_continuations_are_joined_as_bytes_before_decoding() -> None:
    # The JDK's writer splits inside multibyte characters (FACTS.md); "é" = C3 A9 here.
    data = b"Author: Ren\xc3\n \xa9 \xe4\xb8\n \xad\n"
    assert parse(data).get("Author") == "René 中"


def test_a_name_continued_on_the_next_line_is_joined_like_java_does() -> None:
    assert parse("Jitterbit-Con\n nector: true\n").get("Jitterbit-Connector") == "true"


def test_named_sections_and_case_insensitive_name_lines() -> None:
    m = parse("A: 1\n\nName: lib/a.jar\nX: 1\n\n\n\nNAME: lib/b.jar\nY: 2\n")
    assert [s.name for s in m.sections] == ["lib/a.jar", "lib/b.jar"]
    assert m.sections[1].items() == [("Y", "2")]


def test_a_section_name_can_be_long_and_continued() -> None:
    long = "com/example/" + "deep/" * 20 + "Thing.class"
    m = parse(f"A: 1\n\nName: {long[:60]}\n {long[60:]}\nX: 1\n")
    assert m.sections[0].name == long


def test_names_are_case_insensitive_and_keep_their_spelling_and_order() -> None:
    m = parse("zeta: 1\nAlpha: 2\nJITTERBIT-CONNECTOR-KEY: k\n")
    assert m.get("ZETA") == "1" and m.get("jitterbit-connector-key") == "k"
    assert "alpha" in m.main and "beta" not in m.main
    assert m.main.names() == ["zeta", "Alpha", "JITTERBIT-CONNECTOR-KEY"]


def test_values_are_kept_verbatim() -> None:
    m = parse("A:  leading and trailing  \nB: a: b: c\nC: tab\there\nD: \n")
    assert m.main.items() == [
        ("A", " leading and trailing  "),
        ("B", "a: b: c"),
        ("C", "tab\there"),
        ("D", ""),
    ]


def test_values_with_unicode_line_separators_stay_one_value() -> None:
    m = parse("A: x\u2028y\u0085z\x0bw\x0cv\n")
    assert m.get("A") == "x\u2028y\u0085z\x0bw\x0cv"


# --- leniency -------------------------------------------------------------------------------------


def test_missing_final_line_break_keeps_the_last_line() -> None:
    # Java would silently drop "B: 2"; a template author means it.
    assert parse("A: 1\nB: 2").get("B") == "2"


def test_empty_input_is_an_empty_manifest() -> None:
    m = parse(b"")
    assert len(m.main) == 0 and m.sections == []


def test_byte_order_mark_is_ignored() -> None:
    assert parse(b"\xef\xbb\xbfAuthor: Ann\n").main.items() == [("Author", "Ann")]


def test_leading_blank_lines_before_main_attributes() -> None:
    assert parse("\n\nAuthor: Ann\n").main.items() == [("Author", "Ann")]


def test_leading_blank_line_then_name_is_a_section_with_an_empty_main() -> None:
    m = parse("\nName: a\nX: 1\n")
    assert len(m.main) == 0 and m.sections[0].name == "a"


def test_colon_at_end_of_line_is_an_empty_value() -> None:
    # An editor stripping trailing whitespace turns "Key: " into "Key:".
    m = parse("Jitterbit-Connector-Endpoint-EntityTypeId:\nB: 1\n")
    assert m.get("Jitterbit-Connector-Endpoint-EntityTypeId") == ""


def test_lines_longer_than_72_bytes_up_to_what_java_reads_are_accepted() -> None:
    value = "x" * (511 - len("A: "))
    assert parse(f"A: {value}\r\n").get("A") == value


# --- errors: line numbers, the attribute, one clear message ----------------------------------------


def test_manifest_error_is_a_config_error_with_source_line_attribute() -> None:
    err = parse_error("A: 1\nB: 2\nb: 3\n")
    assert isinstance(err, ConfigError) and isinstance(err, HarmonyError) and err.exit_code == 2
    assert (err.source, err.line, err.attribute) == ("template.MF", 3, "b")
    assert str(err).startswith("template.MF, line 3: duplicate attribute 'b' (first at line 2")


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (" A: 1\n", 1, "nothing to continue"),
        ("A: 1\n\n B: 2\n", 3, "nothing to continue"),
        ("A: 1\nno colon here\n", 2, "expected 'Name: value'"),
        ("A:1\n", 1, "one space after the colon"),
        ("A: 1\nBad Name: 2\n", 2, "'Bad Name' is not a valid attribute name"),
        ("-A: 1\n", 1, "must start with a letter or digit"),
        ("Näme: 1\n", 1, "not a valid attribute name"),
        (": value\n", 1, "'' is not a valid attribute name"),
        ("A" * 71 + ": 1\n", 1, "71 bytes long; attribute names may have at most 70"),
        (
            "A: 1\n\nName: a\nX: 1\n\nName: a\nY: 2\n",
            6,
            "a second section named 'a' (the first is at line 3)",
        ),
        ("A: 1\n\nB: 2\n", 3, "must start with 'Name: <entry>'"),
        ("A: 1\nName: x\n", 2, "put a blank line before it"),
        ("A: 1\n\nName: a\nname: b\n", 4, "a section has one Name"),
        ("A: 1\n\nName: \nX: 1\n", 3, "the section's Name is empty"),
        (b"A: 1\nB: x\x00y\n", 2, "NUL"),
        (b"A: 1\nB: \xff\xfe\n", 2, "not valid UTF-8"),
        (b"A: ok\nB: x\xc3\n \n", 2, "not valid UTF-8"),
    ],
)
def test_malformed_input_names_the_line(data: str | bytes, line: int, words: str) -> None:
    err = parse_error(data)
    assert err.line == line
    assert words in str(err)
    assert str(err).startswith(f"template.MF, line {line}: ")


def test_a_line_java_cannot_read_is_refused_with_the_limit() -> None:
    err = parse_error("A: 1\r\nB: " + "x" * (512 - len("B: ")) + "\r\n")
    assert err.line == 2
    assert "512 bytes long" in str(err) and "511" in str(err) and "start with one space" in str(err)


def test_a_70_byte_name_is_accepted() -> None:
    name = "N" * 70
    assert parse(f"{name}: v\n").get(name) == "v"


def test_errors_never_quote_a_secret_value() -> None:
    broken = [
        f"Jitterbit-Connector-Secret: {CANARY}\n{CANARY}-lost-its-space\n",
        f"Jitterbit-Connector-Secret: {CANARY}\njitterbit-connector-secret: {CANARY}\n",
        f"Jitterbit-Connector-Secret: {CANARY}\n\n{CANARY}: x\n".replace("\n\n", "\n\n\n"),
        f"Jitterbit-Connector-Secret: {CANARY}\x00\n",
        (f"Jitterbit-Connector-Secret: {CANARY}".encode() + b"\xff\n").decode("latin-1"),
        f"Jitterbit-Connector-Secret:{CANARY}\n",
    ]
    for text in broken:
        data = text.encode("latin-1") if "\xff" in text else text.encode()
        with pytest.raises(ManifestError) as caught:
            parse(data)
        assert CANARY not in str(caught.value)
        assert CANARY not in repr(caught.value)
