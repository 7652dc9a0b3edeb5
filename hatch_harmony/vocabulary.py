"""The project's words, pure and cheap to import: every other module asks here, none re-defines them.

Manifest attribute names, the activity-key rule, the placeholder rule, the HARMONY_*
variable names and the Harmony-id rule each used to be written in three or four modules;
a rule written twice drifts. Callers decide only how to report a problem (which file,
which key, which fix). The Harmony host (URL or region, its normalised lock key,
is-loopback, the region table) has its own owner, `host.py`, for the same reason: ask it,
never parse a URL or list the regions elsewhere.

A leaf: standard library only (the warm-build path imports it), no hatch_harmony import;
its patterns are compiled on first use (`re`'s own cache), not at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# --- manifest attribute names: the Jitterbit mapping ([DOC], docs/architecture.md) -------------

#: Every attribute Harmony's agent reads starts with it (a connector manifest is one that has any).
JITTERBIT_PREFIX = "Jitterbit-"
MANIFEST_VERSION = "Manifest-Version"
CONNECTOR = "Jitterbit-Connector"
CONNECTOR_UI = "Jitterbit-Connector-UI"
KEY = "Jitterbit-Connector-Key"
SECRET = "Jitterbit-Connector-Secret"  # noqa: S105 (an attribute name, not a secret)
ENDPOINT_ID = "Jitterbit-Connector-Endpoint-EntityTypeId"
ACTIVITY_PREFIX = "Jitterbit-Activity-EntityTypeId-"
CLASS_PATH = "Class-Path"
FACTORY_CLASS = "Jitterbit-Connector-Factory-Class"
#: Free text to the JAR spec; agents reload a connector when it changes. The project version
#: by default, or the hook's `attributes` (connector_manifest.manifest_version).
VERSION = "Version"

#: Spellings from the sample's PACKAGING.md that Harmony does not read. A template that
#: still has them gets them renamed in place to the EntityTypeId forms (their values are
#: replaced anyway), so the generated manifest has one attribute per id, where the user
#: put it, and no stale copy that looks authoritative.
STALE_ENDPOINT_ID = "Jitterbit-Connector-Endpoint-Id"
STALE_ACTIVITY_PREFIX = "Jitterbit-Activity-Id-"

#: Every spelling of a registration attribute, current or stale, starts with one of these
#: (lower-cased): the hook's `attributes` may not set any of them.
REGISTRATION_PREFIXES = tuple(
    prefix.lower() for prefix in (KEY, SECRET, "Jitterbit-Connector-Endpoint-", "Jitterbit-Activity-")
)

#: Attributes hatch-harmony sets itself; `extra` attributes may not override them.
RESERVED = frozenset(
    n.lower()
    for n in (MANIFEST_VERSION, CONNECTOR, CONNECTOR_UI, KEY, SECRET, ENDPOINT_ID, STALE_ENDPOINT_ID)
)

# --- activity keys: adapter.json's keys, each the suffix of one manifest attribute name -------

#: The JAR specification's limit on an attribute name (jar_manifest checks every name
#: against it): an activity key must leave room for ACTIVITY_PREFIX within it.
MAX_ATTRIBUTE_NAME_BYTES = 70
MAX_ACTIVITY_KEY_LENGTH = MAX_ATTRIBUTE_NAME_BYTES - len(ACTIVITY_PREFIX)
_ACTIVITY_KEY = r"[A-Za-z0-9_-]+"


def activity_key_problem(key: str) -> str | None:
    """Why `key` cannot be an activity key (ACTIVITY_PREFIX + key a valid attribute name), or None.

    adapter.json, harmony.lock and the manifest writer all ask, so a key one of them
    accepts is never refused by another after a registration.
    """
    if not key:
        return "is empty"
    if not re.fullmatch(_ACTIVITY_KEY, key):
        return "may contain only ASCII letters, digits, '-' and '_'"
    if len(key) > MAX_ACTIVITY_KEY_LENGTH:
        return f"is {len(key)} characters long, at most {MAX_ACTIVITY_KEY_LENGTH} fit"
    return None


def activity_attribute_name(key: str) -> str:
    """The manifest attribute carrying activity `key`'s entity type id: the key is the suffix as-is."""
    return ACTIVITY_PREFIX + key


def activity_key_of(attribute: str, prefix: str = ACTIVITY_PREFIX) -> str | None:
    """The activity key `attribute` carries after `prefix` (compared ignoring case), or None.

    `prefix` is ACTIVITY_PREFIX, or STALE_ACTIVITY_PREFIX to read the older spelling.
    """
    if attribute.lower().startswith(prefix.lower()) and len(attribute) > len(prefix):
        return attribute[len(prefix) :]
    return None


def case_clash(keys: Iterable[str]) -> tuple[str, str] | None:
    """The first two `keys` that differ only in case, or None.

    Manifest attribute names compare case-insensitively, so `fetch` and `Fetch` would be
    one attribute carrying two ids.
    """
    seen: dict[str, str] = {}
    for key in keys:
        first = seen.setdefault(key.lower(), key)
        if first != key:
            return first, key
    return None


# --- placeholders: what a template holds where registration data will go --------------------------

_PLACEHOLDER_CHARS = frozenset("*Xx#?._-")
_PLACEHOLDER_WORDS = frozenset(
    {"todo", "tbd", "changeme", "change-me", "change_me", "placeholder", "none", "null", "undefined"}
)
_PLACEHOLDER_WRAPPED = r"<.*>|\$\{.*\}|\{\{.*\}\}|@.*@"


def is_placeholder(value: str) -> bool:
    """Whether `value` stands in for registration data instead of being it.

    Decided from the templates in the wild: empty or blank; only filler characters
    (`****`, `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`, `XXXXX`, `???`, `...`); a template
    variable left unresolved (`<key>`, `${KEY}` from Maven filtering, `{{key}}` from
    Postman, `@KEY@` from Ant); or a word such as TODO, changeme, None or null (the last
    ones from a script that formatted a missing value).
    """
    text = value.strip()
    if not text or set(text) <= _PLACEHOLDER_CHARS:
        return True
    return bool(re.fullmatch(_PLACEHOLDER_WRAPPED, text, re.DOTALL)) or text.lower() in _PLACEHOLDER_WORDS


# --- environment variables ----------------------------------------------------------------------

EMAIL_VAR = "HARMONY_EMAIL"
PASSWORD_VAR = "HARMONY_PASSWORD"  # noqa: S105 (a variable name, not a password)
KEY_VAR = "HARMONY_CONNECTOR_KEY"
SECRET_VAR = "HARMONY_CONNECTOR_SECRET"  # noqa: S105 (a variable name, not a secret)
ENV_VAR = "HARMONY_ENV"
URL_VAR = "HARMONY_URL"
REGION_VAR = "HARMONY_REGION"
ORG_ID_VAR = "HARMONY_ORG_ID"
OFFLINE_VAR = "HARMONY_OFFLINE"
VERIFY_VAR = "HARMONY_VERIFY"
NO_WARM_STAMP_VAR = "HARMONY_NO_WARM_STAMP"
SSH_COMMAND_VAR = "HARMONY_SSH_COMMAND"  # the ssh command `deploy` runs (like GIT_SSH_COMMAND)


# --- Harmony ids (organisations, connectors) -----------------------------------------------------

_HARMONY_ID = _ACTIVITY_KEY  # the same characters, a different rule
ORG_ID_RULE = 'must hold only letters, digits, "-" and "_" (Harmony org ids are numbers)'


def is_harmony_id(text: str) -> bool:
    """An org or connector id as it may go into a URL path, where nothing may climb out of it.

    Harmony's ids are numbers; letters, `-` and `_` are tolerated, `/`, `.` and `%` never.
    """
    return bool(re.fullmatch(_HARMONY_ID, text))


#: Entity ids (endpoint, activity range) are Java longs in Harmony and TOML integers in
#: harmony.lock: both stop here.
MAX_ENTITY_ID = 2**63 - 1
NOT_NUMERIC = "not a numeric id"
BEYOND_LONG = "beyond a 64-bit id (Java reads entity ids as longs)"


def entity_id_problem(text: str) -> str | None:
    """Why `text` is not an entity id (ASCII digits, at most a Java long), or None.

    The API's replies, harmony.lock, a shipped manifest and a generated one all ask, so an
    id one of them accepts is never refused by another.
    """
    if not (text.isascii() and text.isdigit()):
        return NOT_NUMERIC
    # Length first: int() refuses over 4300 digits, and no id beyond 19 digits fits anyway.
    if len(text.lstrip("0")) > len(str(MAX_ENTITY_ID)) or int(text) > MAX_ENTITY_ID:
        return BEYOND_LONG
    return None


def entity_id(text: str) -> int | None:
    """The value of an entity id, or None when `text` is not one (`entity_id_problem` says why)."""
    return None if entity_id_problem(text) else int(text)


def is_org_id(text: str) -> bool:
    """An org id (configured, or read from a login reply): the Harmony-id rule."""
    return is_harmony_id(text)
