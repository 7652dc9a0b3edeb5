"""The Jitterbit connector attributes on top of the JAR manifest format (jar_manifest/).

What a connector manifest must hold ([DOC], docs/architecture.md): `Jitterbit-Connector:
true`, the UI file, the registration's key, secret and endpoint id, one
`Jitterbit-Activity-EntityTypeId-<activity>` per activity, a `Class-Path` of the bundled
jars. Generating one (`apply_registration`) refuses placeholders and non-numeric ids
(`check_shippable`) there, where the manifest is made, so the format's writer stays free of
Jitterbit rules and writes a masked copy for display like any other. The words (attribute
names, the activity-key and placeholder rules) are the vocabulary's; this module applies them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from hatch_harmony.errors import ConfigError
from hatch_harmony.jar_manifest import (
    DEFAULT_VERSION,
    MAX_NAME_BYTES,
    Manifest,
    ManifestError,
    Section,
    attribute_problem,
    name_problem,
    value_problem,
)
from hatch_harmony.vocabulary import (
    ACTIVITY_PREFIX,
    CLASS_PATH,
    CONNECTOR,
    CONNECTOR_UI,
    ENDPOINT_ID,
    JITTERBIT_PREFIX,
    KEY,
    KEY_VAR,
    MANIFEST_VERSION,
    RESERVED,
    SECRET,
    SECRET_VAR,
    STALE_ACTIVITY_PREFIX,
    STALE_ENDPOINT_ID,
    VERSION,
    activity_attribute_name,
    activity_key_of,
    activity_key_problem,
    case_clash,
    entity_id_problem,
    is_placeholder,
)


def activity_attribute(activity: str) -> str:
    """The manifest attribute carrying `activity`'s entity type id.

    ConfigError when the activity key breaks the vocabulary's rule, since Java would
    refuse the whole manifest for one bad attribute name.
    """
    problem = activity_key_problem(activity)
    if problem is not None:
        raise ConfigError(
            f"activity {activity!r}: the key {problem}, so it cannot form the MANIFEST.MF attribute name "
            f"{ACTIVITY_PREFIX}<key> (at most {MAX_NAME_BYTES} bytes); rename the activity in adapter.json "
            "(and in the Java code that registers it)"
        )
    return activity_attribute_name(activity)


def is_activity_attribute(name: str) -> bool:
    return activity_key_of(name) is not None


def activity_values(manifest: Manifest) -> dict[str, str]:
    """Activity key -> id as written in the manifest (keys in the manifest's spelling)."""
    return {key: value for attr, value in manifest.main.items() if (key := activity_key_of(attr)) is not None}


def registration_values(manifest: Manifest) -> tuple[str | None, str | None]:
    """(key, secret) of a previously generated manifest; None for each one absent or a placeholder."""
    key, secret = manifest.get(KEY), manifest.get(SECRET)
    return (
        None if key is None or is_placeholder(key) else key,
        None if secret is None or is_placeholder(secret) else secret,
    )


def explicit_version(attributes: Mapping[str, str]) -> str | None:
    """The `Version` the hook's `attributes` set (names are case-insensitive), or None."""
    return next((value for name, value in attributes.items() if name.lower() == VERSION.lower()), None)


def check_shippable(manifest: Manifest) -> None:
    """Refuse a manifest that would ship registration data Harmony cannot accept.

    Checked where present in the main section: key and secret are no placeholder, the
    endpoint and activity ids are decimal numbers (ids are numeric strings in every
    register reply). Absence is not checked here: a plain, non-connector manifest is fine.
    """
    for attr, value in manifest.main.items():
        lowered = attr.lower()
        if lowered in (KEY.lower(), SECRET.lower()):
            if is_placeholder(value):
                what = "empty" if not value.strip() else "a placeholder"
                raise ManifestError(
                    f"{attr} is {what}; refusing to write a connector manifest Harmony would reject. "
                    "Let hatch-harmony fill in the registered value (run a build or "
                    f"`hatch-harmony manifest`), or set {KEY_VAR} and {SECRET_VAR}",
                    source=manifest.source,
                    attribute=attr,
                )
        elif (lowered == ENDPOINT_ID.lower() or is_activity_attribute(attr)) and (
            problem := entity_id_problem(value)
        ):
            shown = "empty" if not value.strip() else f"{value!r}, {problem}"
            raise ManifestError(
                f"{attr} is {shown}; refusing to write a connector manifest Harmony would reject. "
                "Let hatch-harmony fill in the registered ids (run a build or `hatch-harmony manifest`)",
                source=manifest.source,
                attribute=attr,
            )


def set_class_path(manifest: Manifest, jars: Sequence[str]) -> None:
    """Replace `Class-Path` with `jars` (jar-relative paths), space-separated; no jars removes it.

    Class-Path entries are relative URLs separated by spaces, so a space or other unsafe
    character inside a path is percent-encoded (Java decodes it); backslashes become `/`.
    The writer wraps the long value at 72 bytes.
    """
    entries: list[str] = []
    for jar in jars:
        path = jar.replace("\\", "/")
        if not path.strip() or value_problem(path):
            raise ConfigError(f"Class-Path: {jar!r} is not a usable jar path")
        entries.append(quote(path, safe="/:@!$&'()*+,;=-._~"))
    if entries:
        manifest.main.set(CLASS_PATH, " ".join(entries))
    else:
        manifest.main.remove(CLASS_PATH)


def apply_registration(
    template: Manifest,
    *,
    key: str,
    secret: str,
    endpoint_entity_id: str,
    activity_ids: Mapping[str, int | str],
    ui_file: str = "adapter.json",
    version: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> Manifest:
    """A new manifest: `template` with the registration written in.

    - `Manifest-Version` first (the template's value kept, 1.0 when missing);
    - `Jitterbit-Connector: true`, `Jitterbit-Connector-UI: <ui_file>`, key, secret, endpoint
      id and one `Jitterbit-Activity-EntityTypeId-<activity>` per activity: an attribute the
      template has is replaced in place; a missing one goes right after the one before it in
      that order (so new activities land next to the existing ones), and
      `Jitterbit-Connector` itself before the first `Jitterbit-*` attribute (else at the end);
    - the stale `-Id` spellings are renamed in place to the EntityTypeId forms;
    - activity attributes for activities not in `activity_ids` are removed;
    - `version`, when given, is the `Version` (in place, else right after `Manifest-Version`);
    - everything else is kept as-is (Author, Jitterbit-Connector-Factory-Class,
      unknown attributes, entry sections), except that a `Class-Path` continued over many
      lines has its runs of spaces collapsed to one (the same list for Java, readable output);
    - `extra` attributes are set last (they may not override the attributes above).

    Raises ConfigError for unusable activity keys or extra attributes and ManifestError when
    the result is not shippable (placeholder key, non-numeric id).
    """
    result = template.copy()
    main = result.main
    wanted = _registration_attributes(key, secret, endpoint_entity_id, activity_ids, ui_file)
    extras = _checked_extras(extra or {})

    spec_version = main.get(MANIFEST_VERSION)
    main.remove(MANIFEST_VERSION)
    first = main.names()[0] if len(main) else None
    main.set(
        MANIFEST_VERSION,
        spec_version if spec_version and spec_version.strip() else DEFAULT_VERSION,
        before=first,
    )

    _rename_stale(main)
    wanted_names = {attr.lower() for attr, _ in wanted}
    for attr in main.names():
        if is_activity_attribute(attr) and attr.lower() not in wanted_names:
            main.remove(attr)

    _place(main, wanted)
    if version is not None:
        main.set(VERSION, version, after=MANIFEST_VERSION)

    class_path = main.get(CLASS_PATH)
    if class_path is not None:
        main.set(CLASS_PATH, re.sub(" +", " ", class_path).strip(" "))
    for attr, value in extras:
        main.set(attr, value)
    check_shippable(result)
    return result


def _place(main: Section, wanted: list[tuple[str, str]]) -> None:
    """Set `wanted` in place, each missing one right after the one before it in that order.

    The first (`Jitterbit-Connector`) goes before the template's first Jitterbit attribute,
    so a template's own order and its unrelated attributes stay where the user put them.
    """
    previous: str | None = None
    for attr, value in wanted:
        if previous is None:
            jitterbit = (n for n in main.names() if n.lower().startswith(JITTERBIT_PREFIX.lower()))
            main.set(attr, value, before=next(jitterbit, None))
        else:
            main.set(attr, value, after=previous)
        previous = attr


def _registration_attributes(
    key: str, secret: str, endpoint_entity_id: str, activity_ids: Mapping[str, int | str], ui_file: str
) -> list[tuple[str, str]]:
    if not ui_file.strip() or value_problem(ui_file):
        raise ConfigError(
            f"{CONNECTOR_UI}: the UI file name {ui_file!r} is not usable; use e.g. adapter.json"
        )
    wanted = [(CONNECTOR, "true"), (CONNECTOR_UI, ui_file), (KEY, key), (SECRET, secret)]
    wanted.append((ENDPOINT_ID, str(endpoint_entity_id)))
    clash = case_clash(activity_ids)
    if clash is not None:
        raise ConfigError(
            f"activities {clash[0]!r} and {clash[1]!r} differ only in case, but MANIFEST.MF attribute names "
            "are case-insensitive, so both would get the same attribute; rename one in adapter.json"
        )
    wanted += [(activity_attribute(activity), str(ident)) for activity, ident in activity_ids.items()]
    return wanted


def _checked_extras(extra: Mapping[str, str]) -> list[tuple[str, str]]:
    checked: list[tuple[str, str]] = []
    for attr, value in extra.items():
        lowered = attr.lower()
        if lowered in RESERVED or lowered.startswith(
            (ACTIVITY_PREFIX.lower(), STALE_ACTIVITY_PREFIX.lower())
        ):
            raise ConfigError(
                f"manifest attribute {attr!r} is written by hatch-harmony from the registration and "
                "adapter.json; remove it from `attributes`"
            )
        problem = attribute_problem(attr, value)
        if problem:
            raise ConfigError(f"manifest attribute {problem}")  # the problem names the attribute
        checked.append((attr, value))
    return checked


def _rename_stale(main: Section) -> None:
    renames = [(STALE_ENDPOINT_ID, ENDPOINT_ID)]
    renames += [
        (attr, activity_attribute_name(key))
        for attr in main.names()
        if (key := activity_key_of(attr, STALE_ACTIVITY_PREFIX)) is not None
    ]
    for old, new in renames:
        if old not in main:
            continue
        if new in main or name_problem(new):
            main.remove(old)  # the current spelling is there already (or the rename would not fit)
        else:
            main.rename(old, new)
