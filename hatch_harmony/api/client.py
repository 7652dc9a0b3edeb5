"""The Connector Manager API: every call, typed results, one session.

This module says what to call (a `call.Call`); `call` says when a call may be sent again
(the retry table: never a register that may have reached the server), `transport` how it
travels (the attempts, Retry-After, the one re-login, bounded replies), `verdict` how one
reply is judged, `session` and `replies` what a reply means, and `errors` how failures are
worded. It is the network client's one public face, and with `transport` the only module
that imports httpx at run time; nothing on the warm build path imports it: the engine
creates a client only when a registration really needs the network.

Where Harmony lives: `resolve_base_url` takes a region (na, emea, apac) or any URL and
adds `/jitterbit-cloud-restful-service/`, by the rule of `host` (its one owner). Plain
`http://` is refused except for loopback hosts (the emulator). Ids go into URL paths, so
only plain Harmony ids are accepted, and the org id is quoted all the same.

Every piece of server text that reaches a message, a log record or a `Session`
(errorMessage, errorCode, status, Location, Content-Type, an HTML title, org names and
URLs) goes through `server_text.Scrubber`: the secrets the client knows and anything
shaped like a Harmony key or token masked, one line, length-capped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from hatch_harmony import vocabulary as words
from hatch_harmony.api import errors as api_errors
from hatch_harmony.api import protocol, replies
from hatch_harmony.api.call import Call
from hatch_harmony.api.errors import ApiError, Context, InsecureUrlError
from hatch_harmony.api.host import Host, HostError
from hatch_harmony.api.limits import DEADLINE_SECONDS, MAX_REPLY_BYTES
from hatch_harmony.api.server_text import Scrubber
from hatch_harmony.api.session import DEFAULT_SESSION_SECONDS, Credentials, Org, Session, parse_session
from hatch_harmony.api.transport import Bounds, Transport
from hatch_harmony.errors import ConfigError
from hatch_harmony.vocabulary import KEY_VAR, SECRET_VAR, is_harmony_id

__all__ = [
    "DEADLINE_SECONDS",
    "DEFAULT_SESSION_SECONDS",
    "MAX_REPLY_BYTES",
    "Credentials",
    "HarmonyClient",
    "Org",
    "Session",
    "resolve_base_url",
]


# --- where Harmony lives --------------------------------------------------------------------


def resolve_base_url(region_or_url: str) -> str:
    """The API base URL (ending in protocol.BASE_PATH) for a region name or a URL.

    The rule is `host.Host`'s: a URL may carry a path prefix (a gateway), the base path is
    added unless it is already there, scheme and host are lower-cased (one server, one lock
    key); user info, queries, fragments, non-ASCII and control characters are refused.
    """
    try:
        return Host.from_setting(region_or_url).base_url
    except HostError as exc:
        what = "URL" if "://" in region_or_url else "region"
        message = f"The Harmony {what} {exc.shown!r} {exc.problem}."
        raise (InsecureUrlError if exc.insecure else ConfigError)(message) from None


# --- the client -------------------------------------------------------------------------------


class HarmonyClient:
    """A synchronous Connector Manager API client: one session, bounded retries, no secret leaks."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        org_id: str | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_retries: int = 3,
        max_retry_after: float = 30.0,
        max_reply_bytes: int = MAX_REPLY_BYTES,
        deadline: float = DEADLINE_SECONDS,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        host = Host.parse(self.base_url)
        self.host = host.key
        if org_id is not None:
            org_id = org_id.strip()
            _check_id(org_id, "org id")
        self._org_id = org_id
        self._credentials = credentials
        self._clock = clock
        self._session: Session | None = None
        self._session_expires = 0.0
        bounds = Bounds(
            connect_timeout,
            read_timeout,
            max(0, max_retries),
            max(0.0, max_retry_after),
            max_reply_bytes,
            deadline,
        )
        # Looked up when a request is made, not now: the session may have been renewed since, and a
        # subclass or a test wrapping `login` must see its own.
        self._transport = Transport(
            host,
            credentials.email,
            bounds,
            http_transport=transport,
            sleep=sleep,
            token=lambda: self.session.token,
            relogin=lambda: self.login(),  # noqa: PLW0108 (late binding, see above)
            scrubber=self._scrubber,
        )

    def __repr__(self) -> str:
        return (
            f"HarmonyClient(base_url={self.base_url!r}, email={self._credentials.email!r}, "
            f"org_id={self._org_id!r}, requests_made={self.requests_made})"
        )

    @property
    def requests_made(self) -> int:
        """Requests that reached a server (connect failures do not count): the README's request counts."""
        return self._transport.requests_made

    @requests_made.setter
    def requests_made(self, value: int) -> None:
        self._transport.requests_made = value

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> HarmonyClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- session ------------------------------------------------------------------------------

    def login(self) -> Session:
        """Log in now (PUT user/login) and remember the session for the other calls."""
        call = Call(
            "login",
            "PUT",
            protocol.LOGIN_PATH,
            f"log in as {self._credentials.email}",
            body={"email": self._credentials.email, "password": self._credentials.password},
        )
        session = parse_session(
            self._transport.perform(call),
            org_configured=self._org_id is not None,
            scrubber=lambda token: self._scrubber(call, token),
            bad=self._malformed(call),
        )
        self._session = session
        # Renew a little before the advertised end, so no call starts on a dying token.
        margin = min(60.0, session.timeout_seconds / 10)
        self._session_expires = self._clock() + session.timeout_seconds - margin
        return session

    @property
    def session(self) -> Session:
        """The current session; logs in on first use, and again once the advertised timeout passed."""
        if self._session is None or self._clock() >= self._session_expires:
            return self.login()
        return self._session

    @property
    def org_id(self) -> str:
        """The configured org id, else the login's defaultOrgId (`parse_session` requires it then)."""
        org = self._org_id or self.session.default_org_id
        if org is None:  # pragma: no cover - `parse_session` refuses such a login
            raise api_errors.malformed(
                Context("login", "log in", self.host), 200, "field 'defaultOrgId' is missing"
            )
        return org

    # --- the API calls ------------------------------------------------------------------------

    def register(self, name: str, version: str) -> protocol.Registration:
        """POST orgs/{org}/connector. Never resent once it may have reached the server."""
        call = self._in_org(
            "register",
            "POST",
            protocol.connectors_path,
            f"register connector {name!r} version {version!r} in",
            body={"name": name, "version": version},
        )
        return replies.registration(self._transport.perform(call), name, version, self._malformed(call))

    def list_connectors(self) -> list[protocol.Registration]:
        """GET orgs/{org}/connector: every connector of the org (SDK and Connector Builder).

        Strict: one malformed entry fails the whole list, because skipping it could hide
        the caller's own connector and lead to a second registration (see `find`).
        """
        items, bad = self._list_items()
        return replies.every_registration(items, bad, self._keyless)

    def find(self, name: str, version: str | None = None) -> list[protocol.Registration]:
        """The org's registrations with this name (and version, when given), as `protocol.identity` compares.

        Lenient where that is safe (`replies.registrations_named`): a malformed entry of
        another connector is skipped, one that may be ours fails.
        """
        items, bad = self._list_items()
        return replies.registrations_named(items, name, version, bad, self._keyless)

    def listed(self) -> list[replies.Listed]:
        """GET orgs/{org}/connector read for ids only: works when Harmony lists no keys.

        For lookups that need no key (a registration's id, endpoint or range); strict
        otherwise, like `list_connectors`.
        """
        items, bad = self._list_items()
        return replies.listed_entries(items, bad)

    def delete_registration(self, connector_id: str) -> None:
        """DELETE orgs/{org}/connector/{id}; ConnectorInUseError while a project uses it."""
        self._delete("delete", connector_id, protocol.connector_path, "registration")

    def delete_payload(self, connector_id: str) -> None:
        """DELETE orgs/{org}/connector/{id}/sdk/delete: drop Harmony's cached adapter.json."""
        self._delete("delete_payload", connector_id, protocol.payload_path, "payload")

    def validate(self, name: str, key: str, secret: str) -> None:
        """PUT orgs/{org}/connector/validate/securityinfo; InvalidSecurityInfoError when rejected."""
        call = self._in_org(
            "validate",
            "PUT",
            protocol.validate_path,
            f"validate the key and secret of connector {name!r} in",
            body={"name": name, "key": key, "secret": secret},
            secrets=(key, secret),
        )
        self._transport.perform(call)

    # --- helpers of the calls -------------------------------------------------------------------

    def _in_org(
        self,
        name: str,
        method: str,
        path: Callable[[str], str],
        doing: str,
        *,
        about: str = "",
        body: dict[str, str] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> Call:
        """A call in the org: its id quoted into the path, and " org N" completing `doing` and `about`."""
        org = self.org_id
        named = f"org {org}"
        return Call(name, method, path(quote(org, safe="")), f"{doing} {named}", body, about + named, secrets)

    def _delete(self, name: str, connector_id: str, path: Callable[[str, str], str], part: str) -> None:
        _check_id(connector_id, "connector id")
        call = self._in_org(
            name,
            "DELETE",
            lambda org: path(org, connector_id),
            f"delete the {part} of connector {connector_id} in",
            about=f"connector {connector_id} in ",
        )
        self._transport.perform(call)

    def _list_items(self) -> tuple[list[Any], replies.Bad]:
        """The list reply's raw entries, and how to word a malformed one."""
        call = self._in_org("list", "GET", protocol.connectors_path, "list the connectors of")
        bad = self._malformed(call)
        return replies.connector_list(self._transport.perform(call), bad), bad

    def _keyless(self, entry: replies.Listed) -> ApiError:
        """One message for a registration needed with its key that Harmony lists without it."""
        return replies.KeyNotListedError(
            f"Harmony at {self.host} lists connector {entry.name!r} version {entry.version!r} "
            f"(id {entry.id}) in org {self.org_id} without its key and secret, so they cannot be "
            f"taken from the list. If harmony.lock records this registration, set {KEY_VAR} and "
            f"{SECRET_VAR} to the key and secret Harmony gave when it was registered (the "
            f"{words.KEY} and {words.SECRET} lines of the manifest built then, or your secret "
            "store): with both, a build needs no list. Without them, delete the registration "
            f"(`hatch-harmony delete --registration --id {entry.id}`) and build again to register anew.",
            operation="list",
        )

    def _malformed(self, call: Call) -> replies.Bad:
        """How to word a malformed (HTTP 200) reply of `call`: for register, outcome unknown."""

        def bad(reason: str) -> ApiError:
            return api_errors.malformed(self._transport.context(call), 200, reason)

        return bad

    def _scrubber(self, call: Call | None, *more: str) -> Scrubber:
        """The scrubber for server text about `call`: every secret the client knows at this point."""
        values = [self._credentials.password, *more, *self._transport.cookie_values()]
        if self._session is not None:
            values.append(self._session.token)
        if call is not None:
            values.extend(call.secrets)
        return Scrubber(values)


def _check_id(value: str, what: str) -> None:
    """Ids go into URL paths: only plain ones, so nothing can climb out of the org's path."""
    if not is_harmony_id(value):
        raise ConfigError(
            f"The {what} {value!r} is not a Harmony id (letters, digits, '-' or '_', such as 12345)."
        )
