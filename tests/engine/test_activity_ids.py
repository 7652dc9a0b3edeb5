"""Activity id rules: ids never move, new ones take the lowest free id, removed ones stay reserved."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hatch_harmony.engine.activity_ids import assign_activity_ids
from hatch_harmony.errors import ConfigError

RANGE = range(2370702, 2370801)  # start = endpoint + 1, end = endpoint + 99, as in published examples


def test_first_assignment_takes_ids_in_activity_order() -> None:
    ids, reserved = assign_activity_ids(["fetch", "put", "process", "get"], {}, {}, RANGE)
    assert ids == {"fetch": 2370702, "put": 2370703, "process": 2370704, "get": 2370705}
    assert list(ids) == ["fetch", "put", "process", "get"]
    assert reserved == {}


def test_existing_ids_are_stable_even_when_activities_are_reordered() -> None:
    first, _ = assign_activity_ids(["fetch", "put", "process"], {}, {}, RANGE)
    again, reserved = assign_activity_ids(["process", "fetch", "put"], first, {}, RANGE)
    assert again == first
    assert list(again) == ["process", "fetch", "put"]
    assert reserved == {}


def test_removed_activity_is_reserved_and_its_id_is_not_reused() -> None:
    first, _ = assign_activity_ids(["fetch", "put", "process"], {}, {}, RANGE)
    ids, reserved = assign_activity_ids(["fetch", "process", "get"], first, {}, RANGE)
    assert reserved == {"put": 2370703}
    assert ids == {"fetch": 2370702, "process": 2370704, "get": 2370705}


def test_new_activity_takes_the_lowest_free_id_filling_gaps() -> None:
    assigned = {"a": RANGE.start, "c": RANGE.start + 2}
    ids, reserved = assign_activity_ids(["a", "c", "new", "newer"], assigned, {"old": RANGE.start + 3}, RANGE)
    assert ids == {"a": RANGE.start, "c": RANGE.start + 2, "new": RANGE.start + 1, "newer": RANGE.start + 4}
    assert reserved == {"old": RANGE.start + 3}


def test_returning_activity_gets_its_old_id_back() -> None:
    first, _ = assign_activity_ids(["fetch", "put"], {}, {}, RANGE)
    without, reserved = assign_activity_ids(["fetch", "get"], first, {}, RANGE)
    assert reserved == {"put": first["put"]}
    back, reserved = assign_activity_ids(["fetch", "get", "put"], without, reserved, RANGE)
    assert back["put"] == first["put"]
    assert back == {"fetch": first["fetch"], "get": without["get"], "put": first["put"]}
    assert reserved == {}


def test_inputs_are_not_mutated() -> None:
    assigned = {"fetch": RANGE.start}
    reserved = {"put": RANGE.start + 1}
    assign_activity_ids(["get"], assigned, reserved, RANGE)
    assert assigned == {"fetch": RANGE.start}
    assert reserved == {"put": RANGE.start + 1}


def test_99_activities_fill_a_99_id_range() -> None:
    names = [f"a{i}" for i in range(99)]
    ids, reserved = assign_activity_ids(names, {}, {}, RANGE)
    assert len(RANGE) == 99
    assert sorted(ids.values()) == list(RANGE)
    assert reserved == {}


def test_range_exhaustion_counts_used_and_reserved() -> None:
    small = range(10, 14)  # 4 ids
    assigned = {"a": 10, "b": 11}
    with pytest.raises(ConfigError) as info:
        assign_activity_ids(["a", "b", "c", "d"], assigned, {"old": 12, "older": 13}, small)
    message = str(info.value)
    assert "harmony.lock" in message
    assert "no activity id left for 'c'" in message
    assert "10..13 holds 4 ids" in message
    assert "2 are used by current activities and 2 reserved for removed ones" in message
    assert "new version" in message
    assert info.value.exit_code == 2


def test_exhaustion_error_names_the_configured_lock() -> None:
    with pytest.raises(ConfigError, match=r"^locks/dev\.lock: "):
        assign_activity_ids(["a", "b"], {}, {}, range(1, 2), where="locks/dev.lock")


@pytest.mark.parametrize("table", ["assigned", "reserved"])
def test_existing_id_outside_the_range_is_a_hand_edit(table: str) -> None:
    ids = {"fetch": RANGE.stop}
    assigned, reserved = (ids, {}) if table == "assigned" else ({}, ids)
    with pytest.raises(ConfigError) as info:
        assign_activity_ids(["fetch"], assigned, reserved, RANGE)
    message = str(info.value)
    assert f"= {RANGE.stop} is outside" in message
    assert "2370702..2370800" in message
    assert "Restore the id from version control" in message


def test_two_activities_with_one_id_is_a_hand_edit() -> None:
    with pytest.raises(ConfigError, match="also the id of 'fetch'"):
        assign_activity_ids(["fetch", "put"], {"fetch": RANGE.start}, {"put": RANGE.start}, RANGE)


def test_activity_both_current_and_reserved_is_a_hand_edit() -> None:
    with pytest.raises(ConfigError, match="both in `activities` and in `reserved`"):
        assign_activity_ids(["fetch"], {"fetch": RANGE.start}, {"fetch": RANGE.start + 1}, RANGE)


def test_duplicate_activity_names_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unique"):
        assign_activity_ids(["fetch", "fetch"], {}, {}, RANGE)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcdefghij"), unique=True), min_size=1, max_size=8))
def test_an_id_once_given_never_changes_across_any_history(history: list[list[str]]) -> None:
    """Replay a random history of adapter.json edits: every name keeps its first id, ids stay distinct."""
    id_range = range(100, 115)  # 15 ids for 10 names: exhaustion cannot happen
    assigned: dict[str, int] = {}
    reserved: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for activities in history:
        taken = set(assigned.values()) | set(reserved.values())
        assigned, reserved = assign_activity_ids(activities, assigned, reserved, id_range)
        assert list(assigned) == activities
        assert not set(assigned) & set(reserved)
        everything = {**assigned, **reserved}
        assert len(set(everything.values())) == len(everything)
        for name, activity_id in everything.items():
            assert first_seen.setdefault(name, activity_id) == activity_id
            assert activity_id in id_range
        fresh = sorted(activity_id for activity_id in everything.values() if activity_id not in taken)
        lowest_free = [i for i in id_range if i not in taken][: len(fresh)]
        assert fresh == lowest_free
