"""harmony.lock at the edges of its rules: the 64-bit id boundary, and an empty `environment`.

Ids are Java longs on the agent's side: 2**63 - 1 is the largest an entry may hold, as a
string (the entity ids) or as a TOML integer (the activities); 2**63 is refused, naming the
key. A 19-digit id is an ordinary id.
"""

from __future__ import annotations

import pytest

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
