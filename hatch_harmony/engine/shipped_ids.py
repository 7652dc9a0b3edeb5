"""Ids an existing manifest already ships, and whether they agree with a registration.

Most connectors were registered by hand long before hatch-harmony: their committed
manifest (the template) holds the endpoint and activity ids that running Harmony
projects refer to, often assigned in an order of a person's choosing. When the engine
creates or completes a lock entry from Harmony (adopted, looked-up) it must keep exactly
those ids, and when they cannot belong to the registration it must stop and say so:
a silent reassignment would point customers' operations at other activities.

Decided here (the README's "Existing connectors" section says the same):

* The template is the user's claim about one registration: a concrete (non-placeholder)
  endpoint id, activity id or key that disagrees with it stops the run. Once a lock entry
  records the template's endpoint id (it was adopted from it), the template is that
  entry's, and another registration of the connector (another organisation's) is not
  checked against it (`claims_about`).
* The manifest generated last time is our own output, written per environment but
  possibly for another organisation (HARMONY_ORG_ID switched): it counts only when its
  endpoint id is the registration's; otherwise it describes another registration and is
  ignored, as its keys already are.
* An id shipped for an activity that adapter.json no longer has is kept reserved, so no
  new activity ever reuses it.
* Placeholders (`****`, empty, `${ID}`) claim nothing: those activities get the lowest
  free id.

Pure: the caller reads the manifests and persists the result in the lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hatch_harmony.errors import ConfigError
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.vocabulary import (
    ACTIVITY_PREFIX,
    ENDPOINT_ID,
    ENV_VAR,
    KEY,
    ORG_ID_VAR,
    STALE_ACTIVITY_PREFIX,
    STALE_ENDPOINT_ID,
    activity_key_of,
    entity_id,
    is_placeholder,
)

_PLACEHOLDER_HINT = "or replace the value by a placeholder (****) to let hatch-harmony assign the id"


@dataclass(frozen=True)
class ShippedIds:
    """The registration values one manifest holds, placeholders left out.

    `activities` maps the activity key as the manifest spells it to (attribute, value):
    the attribute is kept for messages, the raw value is checked against the registration.
    """

    source: str
    template: bool
    key: str | None = field(repr=False)
    endpoint: str | None
    endpoint_attribute: str
    activities: Mapping[str, tuple[str, str]]

    @property
    def claims_anything(self) -> bool:
        return bool(self.key or self.endpoint or self.activities)


def read_shipped(manifest: Manifest, source: str, *, template: bool) -> ShippedIds:
    """What `manifest` claims; the `-Id` spellings of Jitterbit's older samples count too.

    An activity attribute with no key after its prefix is refused: it claims an id for no
    activity, and would otherwise be dropped from the generated manifest without a word.
    """
    main = manifest.main
    for attr in main.names():
        if attr.lower() in (ACTIVITY_PREFIX.lower(), STALE_ACTIVITY_PREFIX.lower()):
            raise ConfigError(
                f"{source}: the attribute {attr} names no activity (nothing follows the prefix), so its id "
                f"belongs to none: write the activity key of adapter.json after it ({ACTIVITY_PREFIX}<key>), "
                "or delete the line. Nothing was sent to Harmony or written."
            )
    endpoint_attribute = ENDPOINT_ID if ENDPOINT_ID in main else STALE_ENDPOINT_ID
    endpoint = _concrete(main.get(endpoint_attribute))
    activities: dict[str, tuple[str, str]] = {}
    for prefix in (ACTIVITY_PREFIX, STALE_ACTIVITY_PREFIX):
        for attr, raw in main.items():
            activity = activity_key_of(attr, prefix)
            value = None if activity is None else _concrete(raw)
            if activity and value is not None and activity.lower() not in {a.lower() for a in activities}:
                activities[activity] = (attr, value)
    return ShippedIds(source, template, _concrete(main.get(KEY)), endpoint, endpoint_attribute, activities)


def _concrete(value: str | None) -> str | None:
    return None if value is None or is_placeholder(value) else value.strip()


@dataclass(frozen=True)
class Registered:
    """The registration the shipped ids are checked against (a lock entry or Harmony's reply)."""

    describe: str  # e.g. "connector 4471 ('Dropbox' 3.0.2, org 10001)"
    endpoint: str
    id_range: range
    key: str | None = field(repr=False)  # None when Harmony was not asked (the key is unknown)


def kept_ids(
    shipped: Sequence[ShippedIds],
    registered: Registered,
    activities: Sequence[str],
    assigned: Mapping[str, int],
    reserved: Mapping[str, int],
) -> tuple[dict[str, int], dict[str, int]]:
    """The (activities, reserved) ids to keep: the lock's, plus those the manifests ship.

    `assigned`/`reserved` are the lock entry's maps (empty when there is none yet).
    Raises ConfigError naming the manifest attribute when a shipped value cannot belong to
    `registered`: not numeric, outside its range, used twice, another endpoint or key, or
    not the id the lock records.
    """
    by_lower = {a.lower(): a for a in activities}
    kept_assigned, kept_reserved = dict(assigned), dict(reserved)
    claims: dict[str, list[tuple[int, str]]] = {}  # activity -> [(id, "source: attribute")]
    for source in shipped:
        if not source.template and source.endpoint != registered.endpoint:
            continue  # our own output, for another registration: not a claim
        _check_identity(source, registered)
        for spelled, (attr, value) in source.activities.items():
            where = f"{source.source}: {attr}"
            activity = by_lower.get(spelled.lower(), spelled)
            claims.setdefault(activity, []).append((_numeric(value, where, registered), where))
    owners = {i: name for table in (kept_assigned, kept_reserved) for name, i in table.items()}
    for activity, found in claims.items():
        recorded = kept_assigned.get(activity, kept_reserved.get(activity))
        activity_id, where = _agreed(activity, found, recorded, registered)
        owner = owners.get(activity_id)
        if owner is not None and owner != activity:
            raise ConfigError(
                f"{where} is {activity_id}, which is already the id of {owner!r}: each activity needs its "
                f"own id. Correct one of them, {_PLACEHOLDER_HINT}."
            )
        owners[activity_id] = activity
        if recorded is None:
            (kept_assigned if activity in activities else kept_reserved)[activity] = activity_id
    return kept_assigned, kept_reserved


def _agreed(
    activity: str, found: Sequence[tuple[int, str]], recorded: int | None, registered: Registered
) -> tuple[int, str]:
    """The one id every shipped manifest (and the lock, when it has one) gives `activity`."""
    for activity_id, where in found:
        if recorded is not None and activity_id != recorded:
            raise ConfigError(
                f"{where} is {activity_id}, but the lock records {recorded} for {activity!r} of "
                f"{registered.describe}. One of them was edited by hand: restore the id your Harmony "
                f"projects use in both (git history shows which), {_PLACEHOLDER_HINT}."
            )
        if activity_id != found[0][0]:
            raise ConfigError(
                f"{where} is {activity_id}, but {found[0][1]} is {found[0][0]}: two shipped manifests "
                "disagree on this activity's id. Keep the one your Harmony projects use in both, "
                f"{_PLACEHOLDER_HINT}."
            )
    return found[0]


def _check_identity(source: ShippedIds, registered: Registered) -> None:
    """Endpoint and key must be the registration's: else the ids are another registration's."""
    if source.endpoint is not None and source.endpoint != registered.endpoint:
        raise ConfigError(
            f"{source.source}: {source.endpoint_attribute} is {source.endpoint}, but {registered.describe} "
            f"has endpoint {registered.endpoint}: this manifest belongs to another registration (another "
            "organisation or environment?), so its activity ids cannot be kept. Point `org-id` at the "
            "organisation it was registered in, give this environment its own `manifest-template`, or "
            "replace its key, secret and ids by placeholders (****) to take this registration's ids."
        )
    if source.key is not None and registered.key is not None and source.key != registered.key:
        raise ConfigError(
            f"{source.source}: {KEY} is not the key of {registered.describe}: this manifest belongs to "
            "another registration, so its ids cannot be kept. Point `org-id` at the organisation it "
            "was registered in, or replace its key, secret and ids by placeholders (****)."
        )


def _numeric(value: str, where: str, registered: Registered) -> int:
    span = f"{registered.id_range.start}..{registered.id_range.stop - 1}"
    activity_id = entity_id(value)
    if activity_id is None:
        raise ConfigError(
            f"{where} is not a numeric id. Write the id your Harmony projects use (a number in {span}), "
            f"{_PLACEHOLDER_HINT}."
        )
    if activity_id not in registered.id_range:
        raise ConfigError(
            f"{where} is {activity_id}, outside the activity id range {span} of {registered.describe}. "
            f"Harmony projects may refer to this id, so it is never reassigned silently: correct it, "
            f"{_PLACEHOLDER_HINT}."
        )
    return activity_id


def claims_about(
    shipped: Sequence[ShippedIds], owners: Mapping[str, str], endpoint: str | None
) -> tuple[tuple[ShippedIds, ...], tuple[str, ...]]:
    """The manifests that claim ids of the registration with `endpoint`, and the templates set aside.

    A template's key and ids belong to one registration: the one a lock entry was adopted
    from, found by its endpoint id (`owners` maps the endpoint ids of the lock's entries of
    other environments to how messages name them). A declared environment's registration
    (another organisation; `endpoint` None: one about to be registered) has its own ids, so
    that template is no claim about it. A template no lock entry owns yet is always a claim:
    that is what stops a first build in the wrong organisation. The second value says,
    per template set aside, whose ids it holds.
    """
    kept: list[ShippedIds] = []
    aside: list[str] = []
    for source in shipped:
        owner = owners.get(source.endpoint or "") if source.template else None
        if owner is not None and source.endpoint != endpoint:
            aside.append(f"{source.source} holds the ids of {owner}")
        else:
            kept.append(source)
    return tuple(kept), tuple(aside)


def refuse_new_registration(shipped: Sequence[ShippedIds], describe: str, org_id: str) -> None:
    """Registering anew would replace ids a shipped template holds: stop before the register request.

    A template with a concrete key or ids was registered somewhere; that Harmony does not
    list it here means the wrong organisation (or a deleted registration), and a new
    registration would silently give every activity a new id.
    """
    for source in shipped:
        if source.template and source.claims_anything:
            raise ConfigError(
                f"{source.source} holds the key or ids of an existing registration, but Harmony lists no "
                f"{describe} in org {org_id}. Registering now would give every activity a new id. If it "
                f"was registered in another organisation, set `org-id` (or {ORG_ID_VAR}) to that one; to "
                "register it in this organisation as well, declare an environment for it "
                f"(`environments.<name>` with its `org-id`, selected with {ENV_VAR}), whose registration "
                "gets its own ids; to register anew on purpose, replace the key, secret and ids in the "
                "template by placeholders (****). Nothing was registered or written."
            )
