"""The vocabulary's rules at their edges: every placeholder word, the 64-bit id boundary, activity keys.

The vocabulary is the one owner of these rules (the lock, the manifests and the API replies
all ask it), so each word and each boundary is pinned here once.
"""

from __future__ import annotations

import pytest

from hatch_harmony import vocabulary
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.jar_manifest.spec import SENSITIVE_WORDS, is_sensitive


@pytest.mark.parametrize(
    "word",
    ["TODO", "TBD", "changeme", "change-me", "change_me", "placeholder", "None", "null", "undefined"],
)
def test_each_placeholder_word_in_any_case_is_a_placeholder(word: str) -> None:
    for spelling in (word, word.upper(), word.lower(), f"  {word}  "):
        assert vocabulary.is_placeholder(spelling), spelling
    assert not vocabulary.is_placeholder(f"{word}1")  # a word inside a value is not one


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (str(2**63 - 1), 2**63 - 1),  # the largest Java long
        ("1000000000000000000", 10**18),  # 19 digits
        ("0009223372036854775807", 2**63 - 1),  # leading zeros do not count
        ("1", 1),
    ],
)
def test_ids_up_to_2_to_the_63_minus_1_are_entity_ids(text: str, value: int) -> None:
    assert vocabulary.entity_id_problem(text) is None
    assert vocabulary.entity_id(text) == value


@pytest.mark.parametrize("text", [str(2**63), "9999999999999999999", "1" + "0" * 19, "9" * 5000])
def test_ids_from_2_to_the_63_are_beyond_a_long(text: str) -> None:
    assert vocabulary.entity_id_problem(text) == vocabulary.BEYOND_LONG
    assert vocabulary.entity_id(text) is None


@pytest.mark.parametrize("text", ["", "-1", "+1", "1.0", "1e3", "٣", " 1"])
def test_anything_but_ascii_digits_is_not_numeric(text: str) -> None:
    assert vocabulary.entity_id_problem(text) == vocabulary.NOT_NUMERIC


def test_the_activity_prefix_alone_carries_no_activity_key() -> None:
    prefix = vocabulary.ACTIVITY_PREFIX
    assert vocabulary.activity_key_of(prefix) is None
    assert vocabulary.activity_key_of(prefix.upper()) is None
    assert vocabulary.activity_key_of(prefix + "q") == "q"
    assert vocabulary.activity_key_of(prefix.lower() + "Fetch") == "Fetch"


@pytest.mark.parametrize("word", ["key", "secret", "password", "token", "credential"])
def test_every_sensitive_word_hides_its_attribute_in_a_manifest_repr(word: str) -> None:
    """A custom attribute such as `Api-Password` or `Oauth-Credential` never shows its value."""
    assert word in SENSITIVE_WORDS
    name = f"Acme-{word.title()}-Value"
    assert is_sensitive(name) and is_sensitive(name.upper())
    manifest = Manifest.parse(f"Manifest-Version: 1.0\n{name}: hunter2-canary\nAuthor: Acme\n".encode())
    shown = repr(manifest)
    assert "hunter2-canary" not in shown and "Acme" in shown
    assert not is_sensitive("Author") and not is_sensitive("Jitterbit-Connector-UI")


def test_a_value_made_of_every_filler_character_is_a_placeholder() -> None:
    assert vocabulary.is_placeholder("*Xx#?._-")  # all of them at once, not only some
    assert vocabulary.is_placeholder("-_.?#xX*" * 3)


@pytest.mark.parametrize(
    ("length", "shown"), [(80, "A" * 80), (81, "A" * 77 + "..."), (200, "A" * 77 + "...")]
)
def test_a_long_attribute_name_is_shown_in_full_up_to_80_characters(length: int, shown: str) -> None:
    from hatch_harmony.jar_manifest.spec import name_problem

    problem = name_problem("A" * length)  # over the 70-byte limit: refused, the name shown
    assert problem is not None and problem.startswith(f"'{shown}' is {length} bytes long")
