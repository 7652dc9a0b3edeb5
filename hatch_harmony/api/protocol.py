"""The Connector Manager API's wire format, shared by the client and the emulator.

Pure (no HTTP, no I/O): the client and the emulator are two edges that must agree on
paths, field names and error codes, so both import them from here instead of each
spelling them out. Where each fact comes from ([DOC], [OBS], [INF]): docs/architecture.md,
"Facts about Harmony we build on".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

# Where the API lives is the host module's rule; re-exported (see __all__) for the wire format's users.
from hatch_harmony.api.host import BASE_PATH, REGIONS, is_loopback
from hatch_harmony.vocabulary import entity_id_problem

AUTH_HEADER = "authToken"

LOGIN_PATH = "user/login"  # PUT {"email", "password"}


def connectors_path(org_id: str) -> str:
    """POST registers (body {"name", "version"}); GET lists."""
    return f"orgs/{org_id}/connector"


def connector_path(org_id: str, connector_id: str) -> str:
    """DELETE removes the registration."""
    return f"orgs/{org_id}/connector/{connector_id}"


def payload_path(org_id: str, connector_id: str) -> str:
    """DELETE removes the cached UI payload (the file named by Jitterbit-Connector-UI)."""
    return f"orgs/{org_id}/connector/{connector_id}/sdk/delete"


def validate_path(org_id: str) -> str:
    """PUT checks a key/secret pair (body {"name", "key", "secret"})."""
    return f"orgs/{org_id}/connector/validate/securityinfo"


class ErrorCode:
    """`errorCode` values of `{"status": false, ...}` replies.

    Only VALIDATE_TFA_LOGIN_EMAIL is documented [DOC/OBS]; the others are our
    own names [INF], used by the emulator. The client classifies errors by HTTP status
    first and treats codes as hints, so an unknown code from real Harmony still maps
    to a sensible error.
    """

    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TFA_REQUIRED = "VALIDATE_TFA_LOGIN_EMAIL"
    SSO_REQUIRED = "SSO_LOGIN_REQUIRED"
    INVALID_TOKEN = "INVALID_AUTH_TOKEN"  # noqa: S105 (an error code, not a secret)
    ORG_NOT_FOUND = "ORG_NOT_FOUND"
    CONNECTOR_NOT_FOUND = "CONNECTOR_NOT_FOUND"
    CONNECTOR_IN_USE = "CONNECTOR_IN_USE"
    INVALID_SECURITY_INFO = "INVALID_CONNECTOR_SECURITY_INFO"
    BAD_REQUEST = "INVALID_REQUEST"
    INTERNAL = "INTERNAL_SERVER_ERROR"


_T = TypeVar("_T")


def identity(text: str) -> str:
    """A connector name or version as Harmony may echo it back: case and spacing do not count.

    Registering is not idempotent, so "is this listed connector ours?" must not depend on the
    server echoing the name byte for byte: a server that upper-cases or trims what it stores
    would otherwise make every build register again. adapter.json names are
    letters, digits, spaces and `_ - .`, so case and runs of spaces are all a server could
    plausibly normalise.
    """
    return " ".join(text.split()).casefold()


def same_connector(name: str, version: str | None, other_name: str, other_version: str | None) -> bool:
    """Whether (name, version) and (other_name, other_version) name one registration; None: any version."""
    if identity(name) != identity(other_name):
        return False
    return version is None or other_version is None or identity(version) == identity(other_version)


def named(
    items: Iterable[_T], name: str, version: str | None, key: Callable[[_T], tuple[str, str]]
) -> list[_T]:
    """The items `key` says are (name, version): exact matches, else matches by `identity`.

    Exact first, so an org that holds both "Dropbox" and "dropbox" keeps them apart; by
    identity only when nothing matches exactly, which is what a normalising server leaves.
    """
    pool = list(items)
    exact = [i for i in pool if key(i)[0] == name and (version is None or key(i)[1] == version)]
    if exact:
        return exact
    return [i for i in pool if same_connector(name, version, *key(i))]


class ProtocolError(ValueError):
    """A reply that does not have the documented shape; `field` names the offending JSON key."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


#: Wire name -> Registration attribute, in the documented order.
REGISTRATION_FIELDS: dict[str, str] = {
    "id": "id",
    "name": "name",
    "version": "version",
    "key": "key",
    "secret": "secret",
    "endpointEntityId": "endpoint_entity_id",
    "functionEntityStartId": "function_entity_start_id",
    "functionEntityEndId": "function_entity_end_id",
}


@dataclass(frozen=True)
class Registration:
    """One registered connector, as register and list return it.

    Ids stay strings, exactly as the API sends them. `key` and `secret` are kept out of
    `repr` (and so out of `str`, tracebacks and logs). `name`/`version` are empty when a
    register reply omits them; the caller fills them from its own request.
    """

    id: str
    name: str
    version: str
    key: str = field(repr=False)
    secret: str = field(repr=False)
    endpoint_entity_id: str
    function_entity_start_id: str
    function_entity_end_id: str

    @property
    def function_range(self) -> range:
        """The activity ids Harmony reserved for this connector, inclusive of the end id."""
        return range(int(self.function_entity_start_id), int(self.function_entity_end_id) + 1)

    @classmethod
    def from_wire(cls, data: Any, *, name: str = "", version: str = "") -> Registration:
        """Build from a register reply or a `registeredConnectorList` item.

        Raises ProtocolError naming the first missing or mistyped field. Ids must be
        strings of digits (JSON numbers are accepted and turned into strings, since a
        server that sends numbers still means the same id); the start/end must form a
        non-empty range after the endpoint id; no value may hold a control character,
        because these values end up in MANIFEST.MF headers.
        """
        if not isinstance(data, dict):
            raise ProtocolError(f"expected a JSON object, got {type(data).__name__}")
        values: dict[str, str] = {}
        for wire, attr in REGISTRATION_FIELDS.items():
            raw = data.get(wire)
            if raw is None and wire in ("name", "version"):
                raw = name if wire == "name" else version
            if isinstance(raw, bool) or not isinstance(raw, (str, int)):
                shown = "missing" if raw is None else f"a {type(raw).__name__}"
                raise ProtocolError(f"field {wire!r} is {shown}, expected a string", wire)
            text = str(raw)
            if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
                raise ProtocolError(f"field {wire!r} contains a control character", wire)
            values[attr] = text
        _check_ids(values)
        # Required, in register replies too: without it a registration can be neither recorded nor
        # deleted, and a register reply that lacks it is malformed (its outcome unknown, never resent).
        if not values["id"].strip():
            raise ProtocolError("field 'id' is empty", "id")
        if not (values["id"].isascii() and values["id"].isalnum()):
            raise ProtocolError("field 'id' is not an alphanumeric id", "id")
        _check_keys(values)
        endpoint = int(values["endpoint_entity_id"])
        start = int(values["function_entity_start_id"])
        end = int(values["function_entity_end_id"])
        if not endpoint < start <= end:
            raise ProtocolError(
                "function entity ids do not form a range after the endpoint id", "functionEntityStartId"
            )
        return cls(**values)

    def to_wire(self) -> dict[str, str]:
        """The documented JSON shape (used by the emulator and for adoption from `list`)."""
        return {wire: getattr(self, attr) for wire, attr in REGISTRATION_FIELDS.items()}

    def to_public(self) -> dict[str, str]:
        """The wire shape without key and secret: what `--json` output and reports may show."""
        return public_wire(self)


def public_wire(entry: object) -> dict[str, str]:
    """A registration's or a list entry's wire fields without key and secret (`replies.Listed` too)."""
    return {
        wire: getattr(entry, attr)
        for wire, attr in REGISTRATION_FIELDS.items()
        if wire not in ("key", "secret")
    }


def _check_ids(values: dict[str, str]) -> None:
    """Entity ids: ASCII digits, at most a Java long (what the manifest and the lock can hold)."""
    for wire in ("endpointEntityId", "functionEntityStartId", "functionEntityEndId"):
        text = values[REGISTRATION_FIELDS[wire]]
        if (problem := entity_id_problem(text)) is not None:
            raise ProtocolError(f"field {wire!r} is {problem}", wire)


def _check_keys(values: dict[str, str]) -> None:
    """Key and secret: present and real (a masked `****` from a server must never be adopted)."""
    from hatch_harmony.vocabulary import is_placeholder

    for wire in ("key", "secret"):
        if not values[wire].strip():
            raise ProtocolError(f"field {wire!r} is empty", wire)
        if is_placeholder(values[wire]):
            raise ProtocolError(f"field {wire!r} is masked or a placeholder, not a usable value", wire)


__all__ = [
    "AUTH_HEADER",
    "BASE_PATH",
    "LOGIN_PATH",
    "REGIONS",
    "REGISTRATION_FIELDS",
    "ErrorCode",
    "ProtocolError",
    "Registration",
    "connector_path",
    "connectors_path",
    "is_loopback",
    "payload_path",
    "validate_path",
]
