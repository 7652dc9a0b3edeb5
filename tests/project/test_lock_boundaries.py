"""harmony.lock at the edges of its rules: the 64-bit id boundary, and an empty `environment`.

Ids are Java longs on the agent's side: 2**63 - 1 is the largest an entry may hold, as a
string (the entity ids) or as a TOML integer (the activities); 2**63 is refused, naming the
key. A 19-digit id is an ordinary id.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hatch_harmony.errors import ConfigError
from hatch_harmony.project.lock import LockFile, dump_lock, parse_lock
from hatch_harmony.vocabulary import MAX_ENTITY_ID
from tests.project.test_lock import SOURCE, broken, entry, rejection

LONGEST = MAX_ENTITY_ID  # 9223372036854775807, 19 digits
TOO_BIG = 2**63


def test_the_largest_64_bit_ids_are_accepted_and_round_trip() -> None:
    assert LONGEST == 2**63 - 1 and len(str(LONGEST)) == 19
    edge = entry(
        endpoint_entity_id=str(LONGEST - 3),
        function_entity_start_id=str(LONGEST - 2),
        function_entity_end_id=str(LONGEST),
        activities={"fetch": LONGEST - 2, "put": LONGEST},
        reserved={"process": LONGEST - 1},
    )
    text = dump_lock(LockFile((edge,)))
    assert parse_lock(text, source=SOURCE).entries == (edge,)


def test_an_ordinary_19_digit_id_is_accepted() -> None:
    nineteen = 10**18
    ids = entry(
        endpoint_entity_id=str(nineteen),
        function_entity_start_id=str(nineteen + 1),
        function_entity_end_id=str(nineteen + 99),
        activities={"fetch": nineteen + 1},
        reserved={},
    )
    assert parse_lock(dump_lock(LockFile((ids,))), source=SOURCE).entries == (ids,)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            'function-entity-end-id = "2370800"',
            f'function-entity-end-id = "{TOO_BIG}"',
            "function-entity-end-id",
        ),
        ('endpoint-entity-id = "2370701"', f'endpoint-entity-id = "{2**63}"', "endpoint-entity-id"),
        ("fetch = 2370702", f"fetch = {2**63}", "activities.fetch"),
        ("process = 2370704", f"process = {2**63}", "reserved.process"),
    ],
)
def test_an_id_of_2_to_the_63_is_refused_naming_the_key(old: str, new: str, key: str) -> None:
    message = rejection(broken(old, new))
    assert f"`{key}`" in message and str(2**63) in message


def test_an_empty_environment_is_refused_with_a_clear_message() -> None:
    """`environment` is informational, but "" is a hand edit gone wrong: never accepted and written back."""
    for empty in ('""', '"  "'):
        message = rejection(broken('environment = "dev"', f"environment = {empty}"))
        assert "[[connector]] #1 ('Dropbox' 1.0.0): `environment` is empty." in message
        assert "restore the file from version control" in message


# --- order, mode, labels: the rest of the lock's rules at their edges -----------------------------------


def test_text_sorts_after_numbers_at_the_same_place_in_a_version() -> None:
    """1.2 < 1.x, and 1.0.1 < 1.0b ('.' before 'b'): one order, whatever the order of insertion."""
    versions = ["1.x", "1.0b", "1.2", "1.0.1", "1.0"]
    lock = LockFile(tuple(entry(v) for v in versions))
    assert [e.version for e in lock.entries] == ["1.0", "1.0.1", "1.0b", "1.2", "1.x"]
    prefixed = LockFile((entry("v2"), entry("2"), entry("1.0")))  # a leading word sorts after any number
    assert [e.version for e in prefixed.entries] == ["1.0", "2", "v2"]


def test_the_lock_is_written_0644_exactly(tmp_path: Path) -> None:
    import os

    from hatch_harmony.project.lock import write_lock

    old = os.umask(0o022)
    try:
        write_lock(tmp_path / "harmony.lock", LockFile((entry(),)))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "harmony.lock").stat().st_mode) == 0o644


@pytest.mark.parametrize(
    ("value", "says"), [(0, "must be a positive integer id, found 0"), (1, "outside the range")]
)
def test_an_activity_id_below_the_range_names_why(value: int, says: str) -> None:
    message = rejection(broken("fetch = 2370702", f"fetch = {value}"))
    assert "`activities.fetch`" in message and says in message


def test_an_entry_whose_version_is_no_string_is_labelled_by_its_number_alone() -> None:
    message = rejection(broken('version = "1.0.0"', "version = 1"))
    assert "[[connector]] #1: `version` must be a string, found int 1" in message


def test_lock_values_are_frozen() -> None:
    import dataclasses

    for value, attribute in ((entry(), "version"), (LockFile((entry(),)), "entries")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, attribute, "other")


def test_the_endpoint_id_must_come_before_the_activity_range() -> None:
    same = broken('endpoint-entity-id = "2370701"', 'endpoint-entity-id = "2370702"')  # the range's start
    assert "must form a range after the endpoint id 2370702" in rejection(same)
    single = broken('function-entity-end-id = "2370800"', 'function-entity-end-id = "2370702"')
    with pytest.raises(ConfigError, match="outside the range"):  # one id is a range, but put and get fall out
        parse_lock(single.encode(), source=SOURCE)


def test_an_empty_adapter_digest_is_accepted_as_none_recorded() -> None:
    """The digest is optional (older locks wrote none, an empty one means the same); it is never guessed."""
    text = broken(f'adapter-sha256 = "{"ab" * 32}"', 'adapter-sha256 = ""')
    (read,) = parse_lock(text.encode(), source=SOURCE).entries
    assert read.adapter_digest == ""


@pytest.mark.parametrize(("digits", "shown"), [(40, "1" * 40), (41, "1" * 30 + "… (41 characters)")])
def test_a_found_value_is_shown_in_full_up_to_40_characters(digits: int, shown: str) -> None:
    message = rejection(broken('host = "https://na-east.jitterbit.com"', f"host = {'1' * digits}"))
    assert f"`host` must be a string, found int {shown}." in message
