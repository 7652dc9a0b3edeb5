"""Which entity type id each activity gets, for the life of a registration.

Why the rules are what they are: Harmony projects refer to an activity by its id, so an
id that moved would silently point a customer's operation at a different activity. So:
an assigned id never changes; a removed activity keeps its id reserved forever (a
project may still use it, and the activity may come back); a new activity takes the
lowest id that was never handed out. Pure: the caller persists the result in the lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hatch_harmony.errors import ConfigError


def _check_existing(
    assigned: Mapping[str, int], reserved: Mapping[str, int], id_range: range, where: str
) -> None:
    """Existing ids come from a lock a human may have edited: they must be in range and distinct."""
    owners: dict[int, str] = {}
    for table, ids in (("activities", assigned), ("reserved", reserved)):
        for activity, activity_id in ids.items():
            if activity_id not in id_range:
                raise ConfigError(
                    f"{where}: `{table}.{activity}` = {activity_id} is outside the registration's activity "
                    f"id range {id_range.start}..{id_range.stop - 1}. Restore the id from version control; "
                    "an activity's id must never change."
                )
            if activity_id in owners:
                raise ConfigError(
                    f"{where}: `{table}.{activity}` = {activity_id} is also the id of "
                    f"{owners[activity_id]!r}. Restore the ids from version control; each activity "
                    "needs its own id."
                )
            owners[activity_id] = activity
    both = [name for name in assigned if name in reserved]
    if both:
        raise ConfigError(
            f"{where}: {both[0]!r} is listed both in `activities` and in `reserved`. Keep it in one "
            "table only (with the id your projects use)."
        )


def assign_activity_ids(
    activities: Sequence[str],
    assigned: Mapping[str, int],
    reserved: Mapping[str, int],
    id_range: range,
    *,
    where: str = "harmony.lock",
) -> tuple[dict[str, int], dict[str, int]]:
    """Ids for exactly `activities` (in their order), and the updated reserved ids.

    `assigned` and `reserved` are the lock's current maps; `where` names the lock in
    error messages. A returning activity gets its reserved id back. Raises ConfigError
    when an existing id is outside `id_range` or duplicated, or when the range has no
    free id left for a new activity.
    """
    if len(set(activities)) != len(activities):
        raise ValueError("activity keys must be unique")
    _check_existing(assigned, reserved, id_range, where)
    current = set(activities)
    result: dict[str, int] = {}
    new: list[str] = []
    for activity in activities:
        if activity in assigned:
            result[activity] = assigned[activity]
        elif activity in reserved:
            result[activity] = reserved[activity]
        else:
            new.append(activity)
    kept_reserved = {name: i for name, i in reserved.items() if name not in current}
    kept_reserved.update({name: i for name, i in assigned.items() if name not in current})
    taken = set(result.values()) | set(kept_reserved.values())
    free = (i for i in id_range if i not in taken)
    for activity in new:
        activity_id = next(free, None)
        if activity_id is None:
            in_use = len(activities) - len(new)
            raise ConfigError(
                f"{where}: no activity id left for {activity!r}. The registration's range "
                f"{id_range.start}..{id_range.stop - 1} holds {len(id_range)} ids; {in_use} are used by "
                f"current activities and {len(kept_reserved)} reserved for removed ones, and "
                f"{len(new)} new activities need one. Remove activities, or register the connector "
                "under a new version to get a fresh range."
            )
        result[activity] = activity_id
    ordered = {activity: result[activity] for activity in activities}
    return ordered, kept_reserved
