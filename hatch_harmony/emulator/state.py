"""The emulator's memory: users, organisations, registrations, tokens and id counters.

No HTTP here: `api.py` turns requests into calls on `State`, and `State` answers with
values or raises `Refusal` (an API error reply). Keeping the rules of the Connector
Manager API in one socket-free place makes them easy to read next to Jitterbit's documentation
of the API (summed up in docs/architecture.md).

Decisions where Harmony is silent [INF]:
- Ids are allocated from emulator-wide counters, like Harmony's global entity ids:
  connector ids count up from 4471 and endpoint ids from 2370701 (the documented example),
  start = endpoint + 1, end = endpoint + 99, the next endpoint id follows the end id.
- Registering the same name and version twice creates two registrations (Harmony is not
  idempotent); the tool must never do it, and tests prove that by counting.
- A user belongs to one default organisation (and optionally others). Asking for any other id gets the
  same 404 as an unknown one, so ids of other organisations do not leak.
- The payload (the cached adapter.json) is marked cached by a successful `validate`: agents
  check the key/secret when they load a connector, which is when Harmony gets the UI file.
  `register` caches nothing. Deleting the registration keeps a cached payload (removing a
  connector completely takes both deletes, in any order); deleting a payload that is not
  cached succeeds, so "make sure it is gone" is safe to repeat.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hatch_harmony.api.protocol import ErrorCode, Registration
from hatch_harmony.emulator import store
from hatch_harmony.emulator.store import Connector, Data
from hatch_harmony.emulator.variations import Variations
from hatch_harmony.util.files import FileWriteError

DEFAULT_EMAIL = "demo@example.com"
DEFAULT_PASSWORD = "demo-password"  # noqa: S105 (the emulator's documented demo account)
DEFAULT_ORG_ID = "10001"
#: Built-in accounts whose login is refused the way Harmony refuses it (same password).
TFA_EMAIL = "tfa@example.com"
SSO_EMAIL = "sso@example.com"

FUNCTION_IDS_PER_CONNECTOR = 99


@dataclass(frozen=True)
class User:
    """An account that can log in; `tfa`/`sso` accounts are refused like Harmony refuses them."""

    email: str
    password: str = field(repr=False)
    org_id: str = DEFAULT_ORG_ID
    tfa: bool = False
    sso: bool = False
    #: Organisations besides the default one the account belongs to (Harmony's `orgAttrs` lists
    #: them all): a registration made in one of them is not in the login's default org.
    other_org_ids: tuple[str, ...] = ()

    @property
    def org_ids(self) -> tuple[str, ...]:
        return (self.org_id, *self.other_org_ids)


def default_users() -> list[User]:
    """The demo account, plus one two-factor and one SSO account to show how those logins fail."""
    return [
        User(DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID),
        User(TFA_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID, tfa=True),
        User(SSO_EMAIL, DEFAULT_PASSWORD, DEFAULT_ORG_ID, sso=True),
    ]


class Refusal(Exception):
    """An API error reply: `{"status": false, "errorCode", "errorMessage"}` with an HTTP status."""

    def __init__(self, http_status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.error_code = error_code
        self.message = message


@dataclass(frozen=True)
class LoginResult:
    token: str = field(repr=False)
    user: User
    org_name: str
    timeout_seconds: int
    #: The session cookie's value when the `session_cookie` variation is on, else None.
    cookie: str | None = field(default=None, repr=False)


@dataclass
class _Token:
    user: User
    expires_at: float
    cookie: str | None = None


def org_name(org_id: str) -> str:
    return f"Emulated organization {org_id}"


class State:
    """Thread-safe: the HTTP server calls it from one thread per connection."""

    def __init__(
        self,
        users: Sequence[User],
        *,
        session_timeout: int,
        clock: Callable[[], float],
        data_file: Path | None,
        variations: Variations | None = None,
    ) -> None:
        self._users = {user.email.casefold(): user for user in users}
        self.variations = variations or Variations()
        self._session_timeout = session_timeout
        self._clock = clock
        self._data_file = data_file
        self._lock = threading.RLock()
        self._tokens: dict[str, _Token] = {}
        self._data = store.load(data_file) if data_file is not None else Data()

    # --- authentication --------------------------------------------------------------------

    def login(self, email: str, password: str) -> LoginResult:
        user = self._users.get(email.casefold())
        if user is None or user.password != password:
            raise Refusal(401, ErrorCode.INVALID_CREDENTIALS, "Invalid email or password.")
        if user.sso:
            raise Refusal(
                401,
                ErrorCode.SSO_REQUIRED,
                "This organization uses single sign-on: log in through your identity provider, "
                "or ask an administrator to add this account to the bypass-SSO list.",
            )
        if user.tfa:
            # Harmony answers a two-factor account by e-mailing a code and asking for it: the
            # login does not fail with an HTTP error, it just yields no token [OBS], hence 200.
            raise Refusal(
                200,
                ErrorCode.TFA_REQUIRED,
                "Two-factor authentication is enabled: enter the verification code sent by e-mail.",
            )
        now = self._clock()
        token = uuid.uuid4().hex.upper()
        cookie = uuid.uuid4().hex if self.variations.session_cookie else None
        with self._lock:
            self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
            self._tokens[token] = _Token(user, now + self._session_timeout, cookie)
        return LoginResult(token, user, org_name(user.org_id), self._session_timeout, cookie)

    def authenticate(self, token: str | None, cookie: str | None = None) -> User:
        """The token's user; with the `session_cookie` variation the login's cookie must come too."""
        if not token:
            raise Refusal(401, ErrorCode.INVALID_TOKEN, "Missing authToken header: log in first.")
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None:
            raise Refusal(401, ErrorCode.INVALID_TOKEN, "Invalid authentication token: log in again.")
        if entry.expires_at <= self._clock():
            raise Refusal(401, ErrorCode.INVALID_TOKEN, "The session has expired: log in again.")
        if entry.cookie is not None and cookie != entry.cookie:
            raise Refusal(
                401, ErrorCode.INVALID_TOKEN, "The session cookie is missing or stale: log in again."
            )
        return entry.user

    def expire_tokens(self) -> None:
        with self._lock:
            for entry in self._tokens.values():
                entry.expires_at = float("-inf")

    @staticmethod
    def check_org(user: User, org_id: str) -> None:
        if org_id not in user.org_ids:
            raise Refusal(404, ErrorCode.ORG_NOT_FOUND, f"Organization {org_id} not found for this user.")

    # --- the connector calls ---------------------------------------------------------------

    def register(self, org_id: str, name: str, version: str) -> Registration:
        with self._commit():
            endpoint = self._data.next_endpoint_id
            registration = Registration(
                id=str(self._data.next_connector_id),
                name=self.variations.stored(name),
                version=self.variations.stored(version),
                key=str(uuid.uuid4()),
                secret=str(uuid.uuid4()),
                endpoint_entity_id=str(endpoint),
                function_entity_start_id=str(endpoint + 1),
                function_entity_end_id=str(endpoint + FUNCTION_IDS_PER_CONNECTOR),
            )
            self._data.next_connector_id += 1
            self._data.next_endpoint_id = endpoint + FUNCTION_IDS_PER_CONNECTOR + 1
            self._data.connectors.append(Connector(org_id, registration))
        return registration

    def list_registrations(self, org_id: str) -> list[Registration]:
        with self._lock:
            return [c.registration for c in self._data.connectors if c.org_id == org_id and not c.deleted]

    def delete(self, org_id: str, connector_id: str) -> None:
        with self._commit():
            connector = self._find(org_id, connector_id)
            self._refuse_in_use(connector, "registration")
            if connector.payload_cached:
                connector.deleted = True
            else:
                self._data.connectors.remove(connector)

    def delete_payload(self, org_id: str, connector_id: str) -> None:
        with self._commit():
            connector = self._find(org_id, connector_id, include_deleted=True)
            self._refuse_in_use(connector, "payload")
            connector.payload_cached = False
            if connector.deleted:
                self._data.connectors.remove(connector)

    def validate(self, org_id: str, name: str, key: str, secret: str) -> None:
        # A server that normalises names looks them up normalised too: a client need not
        # know the stored spelling to validate (the name the project registered with works).
        name = self.variations.stored(name)
        with self._commit():
            for connector in self._data.connectors:
                reg = connector.registration
                same_name = connector.org_id == org_id and not connector.deleted and reg.name == name
                if same_name and reg.key == key and reg.secret == secret:
                    connector.payload_cached = True
                    return
            raise Refusal(
                200,  # a well-formed question with the answer "no" [INF]; never 401 (not a token issue)
                ErrorCode.INVALID_SECURITY_INFO,
                f"The key and secret are not valid for a connector named {name!r} in organization {org_id}.",
            )

    # --- in-process inspection and test controls -------------------------------------------

    def connectors(self, org_id: str | None = None) -> list[Connector]:
        """Copies, so callers cannot change the state behind the lock."""
        with self._lock:
            return [
                copy.copy(c)
                for c in self._data.connectors
                if not c.deleted and (org_id is None or c.org_id == org_id)
            ]

    def set_in_use(self, connector_id: str, in_use: bool) -> None:
        with self._commit():
            for connector in self._data.connectors:
                if connector.registration.id == connector_id and not connector.deleted:
                    connector.in_use = in_use
                    return
            raise KeyError(f"no connector with id {connector_id!r}")

    # --- helpers ---------------------------------------------------------------------------

    def _find(self, org_id: str, connector_id: str, *, include_deleted: bool = False) -> Connector:
        for connector in self._data.connectors:
            same = connector.org_id == org_id and connector.registration.id == connector_id
            if same and (include_deleted or not connector.deleted):
                return connector
        raise Refusal(
            404,
            ErrorCode.CONNECTOR_NOT_FOUND,
            f"Connector {connector_id} is not registered in organization {org_id}.",
        )

    @staticmethod
    def _refuse_in_use(connector: Connector, what: str) -> None:
        if connector.in_use:
            raise Refusal(
                409,
                ErrorCode.CONNECTOR_IN_USE,
                f"Connector {connector.registration.id} is used by a project of the organization: "
                f"its {what} cannot be deleted until no project uses it.",
            )

    @contextmanager
    def _commit(self) -> Iterator[None]:
        """Apply a change and persist it, or leave memory and file as they were."""
        with self._lock:
            backup = copy.deepcopy(self._data)
            try:
                yield
                if self._data_file is not None:
                    store.save(self._data_file, self._data)
            except FileWriteError as exc:
                self._data = backup
                raise Refusal(
                    500, ErrorCode.INTERNAL, f"The emulator could not save its state: {exc.reason}."
                ) from exc
            except BaseException:
                self._data = backup
                raise
