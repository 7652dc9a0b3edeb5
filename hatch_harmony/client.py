"""The Connector Manager API over HTTP: every call, typed results, honest errors.

This is the only module that imports httpx, and nothing on the warm build path imports
it: the engine creates a client only when a registration really needs the network.

Where Harmony lives: `resolve_base_url` takes a region (na, emea, apac) or any URL and
adds `/jitterbit-cloud-restful-service/`. Plain `http://` is refused except for loopback
hosts (the emulator), certificates are always verified, redirects are never followed (a
redirect would carry the `authToken` header to wherever it points).

Retries (`max_retries` bounds every row; delays use the injected `sleep`):

=======================================  ==========================  =================================
what happened                            login, list, validate,      register
                                         delete, delete payload
=======================================  ==========================  =================================
connect failed / connect timeout         retried, backoff            retried, backoff (never sent)
                                         0.5, 1, 2 s …
HTTP 429                                 retried, Retry-After        retried, Retry-After (refused
                                                                     unprocessed)
HTTP 502, 503, 504                       retried, Retry-After        RegisterOutcomeUnknownError
other 5xx                                ServerError, no retry       RegisterOutcomeUnknownError
connection dropped before the reply      retried, backoff            RegisterOutcomeUnknownError
read (or write) timeout                  TransportError, no retry    RegisterOutcomeUnknownError
reply not JSON / wrong shape             MalformedReplyError         RegisterOutcomeUnknownError
HTTP 401 / INVALID_AUTH_TOKEN            log in again once, repeat   same (a 401 was not processed)
                                         once; then
                                         AuthenticationError
=======================================  ==========================  =================================

`Retry-After` may be seconds or an HTTP date; it is capped at `max_retry_after`, and the
backoff is used when it is absent or unreadable. Read timeouts are not retried even for
safe calls [decision]: the server is slow, and repeating would multiply a 60 s wait.

A delete retried after an attempt that may have been processed (dropped connection,
502/503/504) and then answered 404 "not found" counts as done [decision]: the earlier
attempt most likely deleted it. A 404 on a first attempt, or after only connect
failures or 429s (never processed), is still a NotFoundError.

Logging (`hatch_harmony.client`): one DEBUG record per request and per response, with
the `authToken` header and the password/key/secret/token fields of bodies replaced by
`***`; WARNING for each retry. Server text that ends up in an exception (errorMessage,
an HTML title) is scrubbed of every secret the client knows and shortened.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from . import __version__, protocol
from .api_errors import (
    ApiError,
    InsecureUrlError,
    MalformedReplyError,
    RateLimitedError,
    Refusal,
    RegisterOutcomeUnknownError,
    RequestRejectedError,
    ServerError,
    TransportError,
    classify,
    is_token_refusal,
)
from .errors import ConfigError

log = logging.getLogger("hatch_harmony.client")

#: Statuses worth repeating for a call that is safe to repeat (429 also for register).
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Body fields never logged (compared case-insensitively).
SECRET_FIELDS = frozenset({"password", "key", "secret", "authenticationtoken", "authtoken", "token"})
REDACTED = "***"
#: Used when a login reply does not say how long the session lasts [decision]: short enough
#: to be safe; a 401 triggers a fresh login anyway.
DEFAULT_SESSION_SECONDS = 3600
_ID = re.compile(r"[A-Za-z0-9_-]+")
#: Values shaped like Harmony keys/secrets (UUIDs) or tokens (long opaque strings).
_OPAQUE = re.compile(
    r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}"
    r"|(?=[\w+=-]*\d)(?=[\w+=-]*[A-Za-z])[\w+=-]{32,}",
    re.ASCII,
)
_LOG_BODY_LIMIT = 2000
_EXCERPT_LIMIT = 120


# --- where Harmony lives ------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (brackets allowed): the only hosts plain http may use."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def resolve_base_url(region_or_url: str) -> str:
    """The API base URL (ending in protocol.BASE_PATH) for a region name or a URL.

    A URL may carry a path prefix (a gateway); the base path is added unless it is
    already there. User info, queries and fragments are refused, since they would be
    silently dropped or leak credentials into logs.
    """
    value = region_or_url.strip()
    regions = ", ".join(protocol.REGIONS)
    if "://" not in value:
        if value.lower() in protocol.REGIONS:
            return protocol.REGIONS[value.lower()] + protocol.BASE_PATH
        raise ConfigError(
            f"Unknown Harmony region {value!r}: use one of {regions}, or a URL such as "
            f"{protocol.REGIONS['na']} (for the emulator, e.g. http://127.0.0.1:8080)."
        )
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InsecureUrlError(f"The Harmony URL {value!r} is not an https:// URL: use https://HOST.")
    try:
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        raise ConfigError(
            f"The Harmony URL {value!r} has an invalid port: write https://HOST[:PORT]."
        ) from None
    if not host:
        raise ConfigError(f"The Harmony URL {value!r} has no host: write https://HOST[:PORT].")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            "The Harmony URL must not contain a user name or password: give the login in "
            "HARMONY_EMAIL and HARMONY_PASSWORD instead."
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"The Harmony URL {_no_secrets_url(parts)!r} must not have a query or fragment.")
    if scheme == "http" and not is_loopback(host):
        raise InsecureUrlError(
            f"The Harmony URL {value!r} uses plain http://, which would send the password and token "
            f"unencrypted: use https://{parts.netloc}{parts.path} (http:// is allowed only for "
            "localhost and 127.0.0.1, e.g. the emulator)."
        )
    shown_host = f"[{host}]" if ":" in host else host
    netloc = shown_host if port is None else f"{shown_host}:{port}"
    path = parts.path.rstrip("/")
    base = protocol.BASE_PATH.rstrip("/")
    if not path.endswith(base):
        path += base
    return f"{scheme}://{netloc}{path}/"


def _no_secrets_url(parts: Any) -> str:
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"


def host_of(base_url: str) -> str:
    """The base URL without the API base path: "https://na-east.jitterbit.com".

    Used as the host part of the lock key. A path prefix (a gateway) is kept, so two
    services behind one host stay apart, as `registration.lock_host` does.
    """
    url = base_url.rstrip("/")
    base = protocol.BASE_PATH.rstrip("/")
    if url.endswith(base):
        url = url[: -len(base)]
    return url.rstrip("/")


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    """One organization the account belongs to (login's `orgAttrs`)."""

    id: str
    name: str
    zone_url: str


@dataclass(frozen=True)
class Session:
    """A login: the token (never shown in repr), the default org and how long it lasts."""

    token: str = field(repr=False)
    default_org_id: str
    orgs: tuple[Org, ...]
    timeout_seconds: int
    server_url: str


@dataclass(frozen=True)
class Credentials:
    """The Harmony login; the password never shows in repr or str."""

    email: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class _Call:
    """One API call: what to send, how to describe it, and whether it may be repeated."""

    name: str  # login | register | list | delete | delete_payload | validate
    method: str
    path: str
    doing: str  # "register connector 'X' 1.0.0 in org 1", for messages
    body: dict[str, str] | None = field(default=None, repr=False)
    subject: str = ""  # what a 404 is about
    secrets: tuple[str, ...] = field(default=(), repr=False)  # extra values to scrub (validate's key/secret)

    @property
    def repeatable(self) -> bool:
        """Everything but register: repeating it cannot create anything twice."""
        return self.name != "register"


class _Retry(Exception):
    """Internal: an attempt failed in a way the call's rules allow to repeat after `delay`.

    `final` is raised instead once the retries are used up.
    """

    def __init__(self, reason: str, delay: float | None, final: ApiError, *, ambiguous: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay
        self.final = final
        self.ambiguous = ambiguous  # the failed attempt may have been processed


class _TokenRefused(Exception):
    """Internal: the session token was refused; `error` is raised if a fresh login does not help."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(str(error))
        self.error = error


# --- the client ---------------------------------------------------------------------------


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
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self.host = host_of(self.base_url)
        self._credentials = credentials
        if org_id is not None:
            org_id = org_id.strip()
            _check_id(org_id, "org id")
        self._org_id = org_id or None
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_retries = max(0, max_retries)
        self._max_retry_after = max(0.0, max_retry_after)
        self._sleep = sleep
        self._clock = clock
        self._session: Session | None = None
        self._session_expires = 0.0
        self.requests_made = 0
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            verify=True,
            follow_redirects=False,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": f"hatch-harmony/{__version__}"},
        )

    def __repr__(self) -> str:
        return (
            f"HarmonyClient(base_url={self.base_url!r}, email={self._credentials.email!r}, "
            f"org_id={self._org_id!r}, requests_made={self.requests_made})"
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HarmonyClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- session ----------------------------------------------------------------------------

    def login(self) -> Session:
        """Log in now (PUT user/login) and remember the session for the other calls."""
        call = _Call(
            "login",
            "PUT",
            protocol.LOGIN_PATH,
            f"log in as {self._credentials.email}",
            body={"email": self._credentials.email, "password": self._credentials.password},
        )
        data = self._perform(call)
        session = self._parse_session(call, data)
        self._session = session
        # Log in again a little before the advertised end, so a call never starts on a dying token.
        margin = min(60.0, session.timeout_seconds / 10)
        self._session_expires = self._clock() + session.timeout_seconds - margin
        return session

    @property
    def session(self) -> Session:
        """The current session; logs in on first use and again once the advertised timeout passed."""
        if self._session is None or self._clock() >= self._session_expires:
            return self.login()
        return self._session

    @property
    def org_id(self) -> str:
        """The configured org id, else the login's defaultOrgId."""
        return self._org_id or self.session.default_org_id

    # --- the API calls ------------------------------------------------------------------------

    def register(self, name: str, version: str) -> protocol.Registration:
        """POST orgs/{org}/connector. Never resent once it may have reached the server."""
        org = self.org_id
        call = _Call(
            "register",
            "POST",
            protocol.connectors_path(quote(org, safe="")),
            f"register connector {name!r} version {version!r} in org {org}",
            body={"name": name, "version": version},
            subject=f"org {org}",
        )
        data = self._perform(call)
        try:
            return protocol.Registration.from_wire(data, name=name, version=version)
        except protocol.ProtocolError as exc:
            raise self._malformed(call, 200, _protocol_reason(exc)) from None

    def list_connectors(self) -> list[protocol.Registration]:
        """GET orgs/{org}/connector: every connector of the org (SDK and Connector Builder).

        Strict: one malformed entry fails the whole list, because skipping it could hide
        the caller's own connector and lead to a second registration (see `find`).
        """
        call, items = self._list_items()
        result = []
        for index, item in enumerate(items):
            try:
                result.append(protocol.Registration.from_wire(item))
            except protocol.ProtocolError as exc:
                raise self._malformed(
                    call, 200, f"registeredConnectorList[{index}]: {_protocol_reason(exc)}"
                ) from None
        return result

    def find(self, name: str, version: str | None = None) -> list[protocol.Registration]:
        """The org's registrations with exactly this name (and version, when given).

        Lenient where it is safe [decision]: a malformed entry whose `name` is readable and
        different is skipped (another connector of the org is none of our business); a
        malformed entry that may be ours fails, so it is never mistaken for "absent".
        """
        call, items = self._list_items()
        found = []
        for index, item in enumerate(items):
            try:
                registration = protocol.Registration.from_wire(item)
            except protocol.ProtocolError as exc:
                other = item.get("name") if isinstance(item, dict) else None
                if isinstance(other, str) and other != name:
                    log.debug("ignoring malformed list entry %d of another connector: %s", index, exc)
                    continue
                raise self._malformed(
                    call, 200, f"registeredConnectorList[{index}]: {_protocol_reason(exc)}"
                ) from None
            if registration.name == name and (version is None or registration.version == version):
                found.append(registration)
        return found

    def delete_registration(self, connector_id: str) -> None:
        """DELETE orgs/{org}/connector/{id}; refused (ConnectorInUseError) while a project uses it."""
        _check_id(connector_id, "connector id")
        org = self.org_id
        self._perform(
            _Call(
                "delete",
                "DELETE",
                protocol.connector_path(quote(org, safe=""), connector_id),
                f"delete the registration of connector {connector_id} in org {org}",
                subject=f"connector {connector_id} in org {org}",
            )
        )

    def delete_payload(self, connector_id: str) -> None:
        """DELETE orgs/{org}/connector/{id}/sdk/delete: drop Harmony's cached adapter.json."""
        _check_id(connector_id, "connector id")
        org = self.org_id
        self._perform(
            _Call(
                "delete_payload",
                "DELETE",
                protocol.payload_path(quote(org, safe=""), connector_id),
                f"delete the payload of connector {connector_id} in org {org}",
                subject=f"connector {connector_id} in org {org}",
            )
        )

    def validate(self, name: str, key: str, secret: str) -> None:
        """PUT orgs/{org}/connector/validate/securityinfo; InvalidSecurityInfoError when rejected."""
        org = self.org_id
        self._perform(
            _Call(
                "validate",
                "PUT",
                protocol.validate_path(quote(org, safe="")),
                f"validate the key and secret of connector {name!r} in org {org}",
                body={"name": name, "key": key, "secret": secret},
                subject=f"org {org}",
                secrets=(key, secret),
            )
        )

    # --- one call, with its retry rules -------------------------------------------------------

    def _list_items(self) -> tuple[_Call, list[Any]]:
        org = self.org_id
        call = _Call(
            "list",
            "GET",
            protocol.connectors_path(quote(org, safe="")),
            f"list the connectors of org {org}",
            subject=f"org {org}",
        )
        data = self._perform(call)
        items = data.get("registeredConnectorList", ...)
        if items is None:
            return call, []  # [decision] null means an org without connectors; a missing key does not
        if not isinstance(items, list):
            shown = "missing" if items is ... else f"a {type(items).__name__}"
            raise self._malformed(call, 200, f"field 'registeredConnectorList' is {shown}, expected a list")
        return call, items

    def _perform(self, call: _Call) -> dict[str, Any]:
        """Send `call` until it succeeds or its rules say stop; the reply's JSON object ({} if empty)."""
        retries = 0
        relogged = False
        ambiguous = False  # an earlier attempt may have been processed
        while True:
            try:
                return self._attempt(call, ambiguous=ambiguous)
            except _Retry as retry:
                ambiguous = ambiguous or retry.ambiguous
                if retries >= self._max_retries:
                    raise retry.final from retry.__cause__
                delay = (
                    self._backoff(retries) if retry.delay is None else min(retry.delay, self._max_retry_after)
                )
                retries += 1
                log.warning(
                    "retrying %s after %s, waiting %.1f s (retry %d of %d)",
                    call.name,
                    retry.reason,
                    delay,
                    retries,
                    self._max_retries,
                )
                self._sleep(delay)
            except _TokenRefused as refused:
                if relogged:
                    raise refused.error from None
                relogged = True
                log.info("Harmony refused the session token for %s: logging in again", call.name)
                self.login()

    def _backoff(self, retries: int) -> float:
        return min(0.5 * 2.0**retries, self._max_retry_after)

    def _attempt(self, call: _Call, *, ambiguous: bool) -> dict[str, Any]:
        """One request and its reply; raises _Retry, _TokenRefused or the final ApiError."""
        headers = {"Content-Type": "application/json"}
        if call.name != "login":
            headers[protocol.AUTH_HEADER] = self.session.token
        content = json.dumps(call.body).encode() if call.body is not None else None
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "request %s %s headers=%s body=%s",
                call.method,
                call.path,
                _redact(headers),
                self._shown_json(call, call.body),
            )
        started = time.perf_counter()
        try:
            response = self._http.request(call.method, call.path, content=content, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError) as exc:
            # The request never left: repeating it is safe for every call, register included.
            reason = self._transport_reason(exc)
            raise _Retry(reason, None, self._connect_failed(call, reason), ambiguous=False) from exc
        except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
            self.requests_made += 1
            reason = f"no reply within the {self._read_timeout:g} s read timeout"
            if not call.repeatable:
                raise self._outcome_unknown(call, reason, None) from exc
            raise TransportError(
                f"Harmony at {self.host} did not answer in time: {reason} while trying to {call.doing}. "
                "Harmony may be overloaded: try again later.",
                operation=call.name,
            ) from exc
        except httpx.DecodingError as exc:  # a reply whose content encoding is broken
            self.requests_made += 1
            raise self._malformed(call, 0, "the reply body could not be decoded") from exc
        except httpx.TransportError as exc:  # dropped connection, reset, protocol error
            self.requests_made += 1
            reason = f"the connection dropped before the reply ({self._transport_reason(exc)})"
            if not call.repeatable:
                raise self._outcome_unknown(call, reason, None) from exc
            final = TransportError(
                f"Harmony at {self.host} did not answer {self._attempts()} while trying to {call.doing}: "
                f"{reason}. Check the network and proxy settings, then try again.",
                operation=call.name,
            )
            raise _Retry(reason, None, final, ambiguous=True) from exc
        self.requests_made += 1
        elapsed_ms = (time.perf_counter() - started) * 1000
        return self._reply(call, response, elapsed_ms, ambiguous=ambiguous)

    def _reply(
        self, call: _Call, response: httpx.Response, elapsed_ms: float, *, ambiguous: bool
    ) -> dict[str, Any]:
        status = response.status_code
        data, excerpt = self._decode(call, response)
        if log.isEnabledFor(logging.DEBUG):
            shown = self._shown_json(call, data) if excerpt is None else f"<not JSON: {excerpt}>"
            log.debug(
                "response %s %s -> %d in %.0f ms body=%s", call.method, call.path, status, elapsed_ms, shown
            )
        if status in RETRY_STATUSES and (call.repeatable or status == 429):
            # 429 means "refused, not processed", so even register may repeat it.
            final = self._server_error(call, status, data, excerpt)
            raise _Retry(f"HTTP {status}", self._retry_after(response), final, ambiguous=status != 429)
        if status >= 500:
            if not call.repeatable:
                said = self._said(call, data, excerpt)
                raise self._outcome_unknown(call, f"Harmony answered HTTP {status}{said}", data)
            raise self._server_error(call, status, data, excerpt)
        if 300 <= status < 400:
            raise self._redirected(call, status, response)
        fields = data if isinstance(data, dict) else {}
        code = _text_field(fields, "errorCode")
        message = self._scrub(call, _text_field(fields, "errorMessage"))
        flag = fields.get("status")
        refused = status >= 400 or flag is False or flag == "false"
        if refused and call.name != "login" and is_token_refusal(status, code):
            raise _TokenRefused(self._refusal_error(call, status, code, message))
        if excerpt is not None:
            raise self._malformed(call, status, f"the reply is not JSON ({excerpt})", url_hint=True)
        if refused:
            if ambiguous and call.name.startswith("delete") and _is_not_found(status, code):
                log.warning(
                    "%s answered 'not found' after an earlier attempt that may have been processed: "
                    "treating %s as deleted",
                    call.name,
                    call.subject,
                )
                return {}
            raise self._refusal_error(call, status, code, message)
        if data is not None and not isinstance(data, dict):
            raise self._malformed(call, status, f"expected a JSON object, got {_json_type(data)}")
        if flag not in (None, True, "true"):
            raise self._malformed(call, status, f"field 'status' is {flag!r}, expected true or false")
        return fields

    # --- replies -------------------------------------------------------------------------------

    def _decode(self, call: _Call, response: httpx.Response) -> tuple[Any, str | None]:
        """(JSON value or None if empty, None) or (None, a short sanitized excerpt of a non-JSON body)."""
        raw = response.content
        if not raw.strip():
            return None, None
        try:
            return json.loads(raw.decode("utf-8")), None
        except (UnicodeDecodeError, ValueError):
            return None, _excerpt(response, lambda text: self._scrub(call, text) or "")

    def _parse_session(self, call: _Call, data: dict[str, Any]) -> Session:
        token = data.get("authenticationToken")
        if (
            not isinstance(token, str)
            or not token
            or any(ch.isspace() or not ch.isprintable() for ch in token)
        ):
            shown = "missing" if token is None else "not a usable token"
            raise self._malformed(call, 200, f"field 'authenticationToken' is {shown}")
        default_org = _id_field(data.get("defaultOrgId"))
        if default_org is None:
            raise self._malformed(call, 200, "field 'defaultOrgId' is missing or not an org id")
        orgs = []
        attrs = data.get("orgAttrs") or []
        if not isinstance(attrs, list):
            raise self._malformed(call, 200, f"field 'orgAttrs' is {_json_type(attrs)}, expected a list")
        for index, attr in enumerate(attrs):
            org_id = _id_field(attr.get("orgId")) if isinstance(attr, dict) else None
            if org_id is None or not isinstance(attr, dict):
                raise self._malformed(
                    call, 200, f"field 'orgAttrs[{index}].orgId' is missing or not an org id"
                )
            orgs.append(Org(org_id, _plain(attr.get("orgName")), _plain(attr.get("orgZoneUrl"))))
        timeout = data.get("sessionTimeoutInSeconds")
        if timeout is None:
            seconds = DEFAULT_SESSION_SECONDS
        elif isinstance(timeout, int) and not isinstance(timeout, bool) and timeout > 0:
            seconds = timeout
        elif isinstance(timeout, str) and timeout.isdigit() and int(timeout) > 0:
            seconds = int(timeout)
        else:
            raise self._malformed(call, 200, "field 'sessionTimeoutInSeconds' is not a positive whole number")
        return Session(token, default_org, tuple(orgs), seconds, _plain(data.get("serverUrl")))

    def _retry_after(self, response: httpx.Response) -> float | None:
        """Retry-After as seconds from now (delta-seconds or an HTTP date); None when absent or unreadable."""
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            seconds = (when - datetime.now(timezone.utc)).total_seconds()
        if not math.isfinite(seconds):
            return None
        return max(0.0, seconds)

    # --- errors ---------------------------------------------------------------------------------

    def _refusal_error(self, call: _Call, status: int, code: str | None, message: str | None) -> ApiError:
        return classify(
            Refusal(
                call.name, call.doing, self.host, status, code, message, call.subject, self._credentials.email
            )
        )

    def _malformed(self, call: _Call, status: int, reason: str, *, url_hint: bool = False) -> ApiError:
        if not call.repeatable:
            return self._outcome_unknown(call, f"the reply was malformed: {reason}", None)
        hint = (
            f" Check that the Harmony URL or region is right ({self.base_url} should be the Connector "
            "Manager API)."
            if url_hint
            else " This is a Harmony or proxy problem: try again later, and report it if it persists."
        )
        return MalformedReplyError(
            f"Harmony at {self.host} sent an unexpected reply while trying to {call.doing} (HTTP {status}): "
            f"{reason}.{hint}",
            operation=call.name,
            http_status=status,
        )

    def _outcome_unknown(self, call: _Call, reason: str, data: Any) -> RegisterOutcomeUnknownError:
        fields = data if isinstance(data, dict) else {}
        return RegisterOutcomeUnknownError(
            f"Harmony at {self.host} may or may not have registered the connector: {reason} while trying "
            f"to {call.doing}. Registering is not idempotent, so the request was not sent again. Look the "
            "connector up before registering again: the next build does that (it lists the org's "
            "connectors and adopts a registration of the same name and version).",
            operation=call.name,
            error_code=_text_field(fields, "errorCode"),
            error_message=self._scrub(call, _text_field(fields, "errorMessage")),
        )

    def _server_error(self, call: _Call, status: int, data: Any, excerpt: str | None) -> ApiError:
        """The error for a 5xx or 429 that is not (or no longer) retried."""
        fields = data if isinstance(data, dict) else {}
        code = _text_field(fields, "errorCode")
        message = self._scrub(call, _text_field(fields, "errorMessage"))
        said = self._said(call, data, excerpt)
        attempts = self._attempts() if status in RETRY_STATUSES else ""
        if status == 429:
            return RateLimitedError(
                f"Harmony at {self.host} is limiting the rate of requests: it answered HTTP 429{said} "
                f"{attempts} while trying to {call.doing}. Wait a few minutes, then try again.",
                operation=call.name,
                error_code=code,
                error_message=message,
                http_status=status,
            )
        return ServerError(
            f"Harmony at {self.host} failed to {call.doing}: HTTP {status}{said}"
            f"{' ' + attempts if attempts else ''}. Harmony may be down or overloaded: try again later.",
            operation=call.name,
            error_code=code,
            error_message=message,
            http_status=status,
        )

    def _said(self, call: _Call, data: Any, excerpt: str | None) -> str:
        """What an error reply said, for a message: ", CODE: message" or " (excerpt)"; scrubbed."""
        fields = data if isinstance(data, dict) else {}
        code = _text_field(fields, "errorCode")
        message = self._scrub(call, _text_field(fields, "errorMessage"))
        said = f", {code}" if code else ""
        return said + (f": {message}" if message else f" ({excerpt})" if excerpt else "")

    def _attempts(self) -> str:
        count = self._max_retries + 1
        return f"in {count} attempts" if count > 1 else "in 1 attempt"

    def _redirected(self, call: _Call, status: int, response: httpx.Response) -> ApiError:
        location = urlsplit(response.headers.get("Location", ""))
        target = (
            f"{location.scheme}://{location.netloc.rpartition('@')[2]}{location.path}"
            if location.netloc
            else "elsewhere"
        )
        reason = f"Harmony answered HTTP {status}, a redirect to {target}"
        if not call.repeatable:
            return self._outcome_unknown(call, reason, None)
        return RequestRejectedError(
            f"{reason}, while trying to {call.doing}. Redirects are not followed (the session token "
            "must not travel to another address): configure the URL the server points to.",
            operation=call.name,
            http_status=status,
        )

    def _connect_failed(self, call: _Call, reason: str) -> TransportError:
        return TransportError(
            f"Could not connect to {self.host} to {call.doing} ({self._attempts()}): {reason}. Check the "
            "network, the proxy settings (HTTPS_PROXY) and the Harmony URL or region.",
            operation=call.name,
        )

    def _transport_reason(self, exc: httpx.TransportError) -> str:
        if isinstance(exc, httpx.ConnectTimeout):
            return f"connect timed out after {self._connect_timeout:g} s"
        if isinstance(exc, httpx.PoolTimeout):
            return "no free connection"
        text = _one_line(str(exc)) or type(exc).__name__
        return self._scrub(None, text) or type(exc).__name__

    # --- secrets --------------------------------------------------------------------------------

    def _secrets(self, call: _Call | None) -> list[str]:
        values = [self._credentials.password]
        if self._session is not None:
            values.append(self._session.token)
        if call is not None:
            values.extend(call.secrets)
        return sorted((v for v in values if v), key=len, reverse=True)

    def _scrub(self, call: _Call | None, text: str | None) -> str | None:
        """Server text fit for a message: one short line, no secret in it.

        Known secrets are replaced first; then anything shaped like a key, secret or token
        Harmony hands out (a UUID, a long opaque string) is masked too, since server text
        may echo values the client never saw. Shortened only after scrubbing, so no
        secret survives as a cut-off prefix.
        """
        if text is None:
            return None
        for secret in self._secrets(call):
            text = text.replace(secret, REDACTED)
        text = _OPAQUE.sub(REDACTED, text)
        return _shorten(_one_line(text), _EXCERPT_LIMIT * 2)

    def _shown_json(self, call: _Call, value: Any) -> str:
        """A JSON body for a DEBUG record: secret fields redacted by name, then scrubbed like server text."""
        if value is None:
            return "-"
        text = json.dumps(_redact(value), ensure_ascii=False)
        for secret in self._secrets(call):
            text = text.replace(secret, REDACTED)
        return _shorten(_OPAQUE.sub(REDACTED, text), _LOG_BODY_LIMIT)


# --- small pure helpers -------------------------------------------------------------------------


def _protocol_reason(exc: protocol.ProtocolError) -> str:
    """ProtocolError's text, naming its field when the text does not already."""
    text = str(exc)
    if exc.field and repr(exc.field) not in text:
        text = f"field {exc.field!r}: {text}"
    return text


def _check_id(value: str, what: str) -> None:
    if not _ID.fullmatch(value):
        raise ConfigError(
            f"The {what} {value!r} is not a Harmony id (letters, digits, '-' or '_', such as 12345)."
        )


def _id_field(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value)
    return text if _ID.fullmatch(text) else None


def _text_field(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None or isinstance(value, bool):
        return None
    return str(value) if isinstance(value, (str, int, float)) else None


def _plain(value: Any) -> str:
    return _one_line(value) if isinstance(value, str) else ""


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _is_not_found(status: int, code: str | None) -> bool:
    return status == 404 or (code or "").endswith("_NOT_FOUND")


def _one_line(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _excerpt(response: httpx.Response, scrub: Callable[[str], str]) -> str:
    """What a non-JSON reply is, without dumping it: content type, and an HTML title or a first line.

    Only a page title or a short first line of plain text is shown, never more (an
    echoing proxy could put the request, password included, into the body), and only
    after `scrub`.
    """
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    text = response.content[:4096].decode("utf-8", errors="replace")
    title = _TITLE.search(text)
    if title:
        shown = scrub(_TAG.sub("", title.group(1)))
        return f"{content_type}, page title {_shorten(shown, 80)!r}" if shown else content_type
    if "<" in text[:200]:
        return content_type
    lines = text.splitlines()
    first = scrub(lines[0]) if lines else ""
    return f"{content_type}, starting {_shorten(first, 40)!r}" if first else content_type


def _redact(value: Any) -> Any:
    """A copy with every secret-bearing field (SECRET_FIELDS, any depth) replaced by ***."""
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in SECRET_FIELDS else _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value
