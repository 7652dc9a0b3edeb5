"""The Connector Manager API over HTTP: every call, typed results, bounded retries.

This is the only module that imports httpx, and nothing on the warm build path imports
it: the engine creates a client only when a registration really needs the network.
What failures mean and how they are worded lives in `api_errors`; this module decides
when a failure is final.

Where Harmony lives: `resolve_base_url` takes a region (na, emea, apac) or any URL and
adds `/jitterbit-cloud-restful-service/`, by the rule of `host` (its one owner). Plain
`http://` is refused except for loopback
hosts (the emulator), certificates are always verified, and redirects are never
followed (the `authToken` header would travel to wherever they point).

Retries (`max_retries` bounds every row; delays go through the injected `sleep`):

===================================  ============================  ==============================
what happened                        login, list, validate,        register
                                     delete, delete payload
===================================  ============================  ==============================
connect failed / connect timeout     retried, backoff 0.5, 1, 2 s  retried (it was never sent)
HTTP 429                             retried after Retry-After     retried (refused unprocessed)
HTTP 502, 503, 504                   retried after Retry-After     RegisterOutcomeUnknownError
other 5xx                            ServerError, not retried      RegisterOutcomeUnknownError
connection dropped before reply      retried, backoff              RegisterOutcomeUnknownError
read (or write) timeout              TransportError, not retried   RegisterOutcomeUnknownError
reply not JSON, or wrong shape       MalformedReplyError           RegisterOutcomeUnknownError
HTTP 401 / INVALID_AUTH_TOKEN        log in again once, repeat     the same (a 401 was not
                                     once; AuthenticationError     processed)
                                     after that
===================================  ============================  ==============================

`Retry-After` may be seconds or an HTTP date; it is capped at `max_retry_after`, and the
backoff is used when it is absent or unreadable. Read timeouts are not retried even for
safe calls [decision]: the server is slow, and repeating would multiply a 60 s wait.

A delete repeated after an attempt that may have been processed (dropped connection,
502/503/504) and then answered "not found" counts as done [decision]: the earlier
attempt most likely deleted it. After only connect failures or 429s (never processed),
"not found" is still a NotFoundError.

Logging (`hatch_harmony.client`): one DEBUG record per request and per response, with
the `authToken` header and the password/key/secret/token fields of bodies replaced by
`***`; a WARNING per retry. Server text that reaches a message or a log record
(errorMessage, an HTML title) is scrubbed of the secrets the client knows and of
anything shaped like a Harmony key or token.
"""

from __future__ import annotations

import email.utils
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

from . import __version__, api_errors, protocol
from .api_errors import ApiError, Context, InsecureUrlError
from .errors import ConfigError
from .host import Host, HostError

log = logging.getLogger("hatch_harmony.client")

#: Statuses worth repeating for a call that is safe to repeat (429 also for register).
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Body fields never logged (compared case-insensitively).
SECRET_FIELDS = frozenset({"password", "key", "secret", "authenticationtoken", "authtoken", "token"})
REDACTED = "***"
#: Used when a login reply does not say how long the session lasts [decision]: an hour is
#: short enough to be safe, and a 401 triggers a fresh login anyway.
DEFAULT_SESSION_SECONDS = 3600
_ID = re.compile(r"[A-Za-z0-9_-]+")
#: Values shaped like Harmony keys/secrets (UUIDs) or tokens (long opaque strings).
# Linear-time on purpose: lookaheads inside a repeated run made a 1 MB error message take
# minutes. Runs are matched plainly; `_mask_opaque` decides which of them look like secrets.
_OPAQUE = re.compile(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}|[\w+=-]{32,}", re.ASCII)
_UUID = re.compile(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}", re.ASCII)
_HAS_DIGIT = re.compile(r"\d", re.ASCII)
_HAS_LETTER = re.compile(r"[A-Za-z]", re.ASCII)


def _mask_opaque(text: str) -> str:
    """Mask UUIDs and long runs mixing letters and digits (the shapes of keys, secrets and tokens)."""

    def mask(match: re.Match[str]) -> str:
        run = match.group(0)
        if _UUID.fullmatch(run) or (_HAS_DIGIT.search(run) and _HAS_LETTER.search(run)):
            return REDACTED
        return _UUID.sub(REDACTED, run)  # a long run without digits may still hold a UUID

    return _OPAQUE.sub(mask, text)


_LOG_BODY_LIMIT = 2000
_TEXT_LIMIT = 240


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


def host_of(base_url: str) -> str:
    """The base URL without the API base path: "https://na-east.jitterbit.com".

    The host part of the lock key (`Host.key`, as `registration.lock_host` computes it). A
    path prefix (a gateway) is kept, so two services behind one host stay apart.
    """
    return Host.parse(base_url).key


# --- results ----------------------------------------------------------------------------------


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
    """One API call: what to send, and how to describe it."""

    name: str  # login | register | list | delete | delete_payload | validate
    method: str
    path: str
    doing: str  # "register connector 'X' version '1' in org 1", for messages
    body: dict[str, str] | None = field(default=None, repr=False)
    subject: str = ""  # what a 404 is about
    secrets: tuple[str, ...] = field(default=(), repr=False)  # more values to scrub (validate's key/secret)

    @property
    def repeatable(self) -> bool:
        """Everything but register: repeating it cannot create anything twice."""
        return self.name != "register"


class _Retry(Exception):
    """An attempt failed in a way the call's rules allow to repeat; `final` is raised when they are spent."""

    def __init__(self, reason: str, delay: float | None, final: ApiError, *, ambiguous: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay  # Retry-After, or None for the backoff
        self.final = final
        self.ambiguous = ambiguous  # the failed attempt may have been processed


class _TokenRefused(Exception):
    """The session token was refused; `error` is raised if a fresh login does not help."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(str(error))
        self.error = error


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
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self.host = host_of(self.base_url)
        if org_id is not None:
            org_id = org_id.strip()
            _check_id(org_id, "org id")
        self._org_id = org_id
        self._credentials = credentials
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

    # --- session ------------------------------------------------------------------------------

    def login(self) -> Session:
        """Log in now (PUT user/login) and remember the session for the other calls."""
        call = _Call(
            "login",
            "PUT",
            protocol.LOGIN_PATH,
            f"log in as {self._credentials.email}",
            body={"email": self._credentials.email, "password": self._credentials.password},
        )
        session = self._parse_session(call, self._perform(call))
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
            raise api_errors.malformed(self._context(call), 200, _protocol_reason(exc)) from None

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
                raise self._bad_entry(call, index, exc) from None
        return result

    def find(self, name: str, version: str | None = None) -> list[protocol.Registration]:
        """The org's registrations with exactly this name (and version, when given).

        Lenient where that is safe [decision]: a malformed entry whose `name` is readable
        and different is skipped (another connector of the org is none of our business);
        a malformed entry that may be ours fails, so it is never mistaken for "absent".
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
                raise self._bad_entry(call, index, exc) from None
            if registration.name == name and (version is None or registration.version == version):
                found.append(registration)
        return found

    def delete_registration(self, connector_id: str) -> None:
        """DELETE orgs/{org}/connector/{id}; ConnectorInUseError while a project uses it."""
        self._delete("delete", connector_id, protocol.connector_path, "registration")

    def delete_payload(self, connector_id: str) -> None:
        """DELETE orgs/{org}/connector/{id}/sdk/delete: drop Harmony's cached adapter.json."""
        self._delete("delete_payload", connector_id, protocol.payload_path, "payload")

    def validate(self, name: str, key: str, secret: str) -> None:
        """PUT orgs/{org}/connector/validate/securityinfo; InvalidSecurityInfoError when rejected."""
        org = self.org_id
        call = _Call(
            "validate",
            "PUT",
            protocol.validate_path(quote(org, safe="")),
            f"validate the key and secret of connector {name!r} in org {org}",
            body={"name": name, "key": key, "secret": secret},
            subject=f"org {org}",
            secrets=(key, secret),
        )
        self._perform(call)

    # --- helpers of the calls -------------------------------------------------------------------

    def _delete(self, name: str, connector_id: str, path: Callable[[str, str], str], part: str) -> None:
        _check_id(connector_id, "connector id")
        org = self.org_id
        call = _Call(
            name,
            "DELETE",
            path(quote(org, safe=""), connector_id),
            f"delete the {part} of connector {connector_id} in org {org}",
            subject=f"connector {connector_id} in org {org}",
        )
        self._perform(call)

    def _list_items(self) -> tuple[_Call, list[Any]]:
        org = self.org_id
        call = _Call(
            "list",
            "GET",
            protocol.connectors_path(quote(org, safe="")),
            f"list the connectors of org {org}",
            subject=f"org {org}",
        )
        items = self._perform(call).get("registeredConnectorList", ...)
        if items is None:
            return call, []  # [decision] null means an org without connectors; a missing key does not
        if not isinstance(items, list):
            shown = "missing" if items is ... else _json_type(items)
            reason = f"field 'registeredConnectorList' is {shown}, expected a list"
            raise api_errors.malformed(self._context(call), 200, reason)
        return call, items

    def _bad_entry(self, call: _Call, index: int, exc: protocol.ProtocolError) -> ApiError:
        reason = f"registeredConnectorList[{index}]: {_protocol_reason(exc)}"
        return api_errors.malformed(self._context(call), 200, reason)

    def _context(self, call: _Call) -> Context:
        return Context(
            call.name,
            call.doing,
            self.host,
            call.subject,
            self._credentials.email,
            self.base_url,
            self._max_retries + 1,
        )

    # --- one call, with its retry rules ---------------------------------------------------------

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
                backoff = min(0.5 * 2.0**retries, self._max_retry_after)
                delay = backoff if retry.delay is None else min(retry.delay, self._max_retry_after)
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

    def _attempt(self, call: _Call, *, ambiguous: bool) -> dict[str, Any]:
        """One request and its reply; raises _Retry, _TokenRefused or the final ApiError."""
        headers = {"Content-Type": "application/json"}
        if call.name != "login":
            headers[protocol.AUTH_HEADER] = self.session.token
        content = json.dumps(call.body).encode() if call.body is not None else None
        if log.isEnabledFor(logging.DEBUG):
            shown = self._shown_json(call, call.body)
            log.debug("request %s %s headers=%s body=%s", call.method, call.path, _redact(headers), shown)
        ctx = self._context(call)
        started = time.perf_counter()
        try:
            response = self._http.request(call.method, call.path, content=content, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError) as exc:
            # The request never left: repeating it is safe for every call, register included.
            reason = self._transport_reason(exc)
            raise _Retry(reason, None, api_errors.connect_failed(ctx, reason), ambiguous=False) from exc
        except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
            self.requests_made += 1
            reason = f"no reply within the {self._read_timeout:g} s read timeout"
            if not call.repeatable:
                raise api_errors.outcome_unknown(ctx, reason) from exc
            raise api_errors.timed_out(ctx, reason) from exc
        except httpx.DecodingError as exc:  # a body whose content encoding is broken
            self.requests_made += 1
            raise api_errors.malformed(ctx, 0, "the reply body could not be decoded") from exc
        except httpx.TransportError as exc:  # dropped connection, reset, protocol error
            self.requests_made += 1
            reason = f"the connection dropped before the reply ({self._transport_reason(exc)})"
            if not call.repeatable:
                raise api_errors.outcome_unknown(ctx, reason) from exc
            raise _Retry(reason, None, api_errors.dropped(ctx, reason), ambiguous=True) from exc
        self.requests_made += 1
        elapsed_ms = (time.perf_counter() - started) * 1000
        return self._reply(call, ctx, response, elapsed_ms, ambiguous=ambiguous)

    def _reply(
        self, call: _Call, ctx: Context, response: httpx.Response, elapsed_ms: float, *, ambiguous: bool
    ) -> dict[str, Any]:
        """Judge one reply, in order: retryable status, 5xx, redirect, token refused, shape, refusal."""
        status = response.status_code
        data, excerpt = self._decode(call, response)
        if log.isEnabledFor(logging.DEBUG):
            shown = self._shown_json(call, data) if excerpt is None else f"<not JSON: {excerpt}>"
            log.debug(
                "response %s %s -> %d in %.0f ms body=%s", call.method, call.path, status, elapsed_ms, shown
            )
        fields = data if isinstance(data, dict) else {}
        code = _text_field(fields, "errorCode")
        message = self._scrub(call, _text_field(fields, "errorMessage"))
        said = (f", {code}" if code else "") + (
            f": {message.rstrip('.')}" if message else f" ({excerpt})" if excerpt else ""
        )
        if status in RETRY_STATUSES and (call.repeatable or status == 429):
            # 429 means "refused, not processed", so even register may repeat it.
            final = api_errors.gave_up(ctx, status, said, code, message)
            raise _Retry(f"HTTP {status}", self._retry_after(response), final, ambiguous=status != 429)
        if status >= 500:
            if not call.repeatable:
                raise api_errors.outcome_unknown(ctx, f"Harmony answered HTTP {status}{said}", code, message)
            raise api_errors.gave_up(ctx, status, said, code, message)
        if 300 <= status < 400:
            raise api_errors.redirected(ctx, status, _location(response))
        flag = fields.get("status")
        refused = status >= 400 or flag is False or flag == "false"
        if refused and call.name != "login" and api_errors.is_token_refusal(status, code):
            raise _TokenRefused(api_errors.classify(ctx, status, code, message))
        if excerpt is not None:
            raise api_errors.malformed(ctx, status, f"the reply is not JSON ({excerpt})", wrong_url=True)
        if refused:
            if ambiguous and call.name.startswith("delete") and _is_not_found(status, code):
                log.warning(
                    "%s answered 'not found' after an attempt that may have been processed: "
                    "treating %s as deleted",
                    call.name,
                    call.subject,
                )
                return {}
            raise api_errors.classify(ctx, status, code, message)
        if data is not None and not isinstance(data, dict):
            raise api_errors.malformed(ctx, status, f"expected a JSON object, got {_json_type(data)}")
        if flag not in (None, True, "true"):
            raise api_errors.malformed(ctx, status, f"field 'status' is {flag!r}, expected true or false")
        return fields

    # --- replies --------------------------------------------------------------------------------

    def _decode(self, call: _Call, response: httpx.Response) -> tuple[Any, str | None]:
        """(JSON value or None if empty, None), or (None, a scrubbed excerpt of a non-JSON body)."""
        raw = response.content
        if not raw.strip():
            return None, None
        try:
            return json.loads(raw.decode("utf-8")), None
        except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting: malformed, not a crash
            return None, _excerpt(response, lambda text: self._scrub(call, text) or "")

    def _parse_session(self, call: _Call, data: dict[str, Any]) -> Session:
        def bad(reason: str) -> ApiError:
            return api_errors.malformed(self._context(call), 200, reason)

        token = data.get("authenticationToken")
        if (
            not isinstance(token, str)
            or not token
            or any(ch.isspace() or not ch.isprintable() for ch in token)
        ):
            raise bad(
                f"field 'authenticationToken' is {'missing' if token is None else 'not a usable token'}"
            )
        default_org = _id_field(data.get("defaultOrgId"))
        if default_org is None:
            raise bad("field 'defaultOrgId' is missing or not an org id")
        attrs = data.get("orgAttrs") or []
        if not isinstance(attrs, list):
            raise bad(f"field 'orgAttrs' is {_json_type(attrs)}, expected a list")
        orgs = []
        for index, attr in enumerate(attrs):
            org_id = _id_field(attr.get("orgId")) if isinstance(attr, dict) else None
            if org_id is None or not isinstance(attr, dict):
                raise bad(f"field 'orgAttrs[{index}].orgId' is missing or not an org id")
            orgs.append(Org(org_id, _plain(attr.get("orgName")), _plain(attr.get("orgZoneUrl"))))
        timeout = data.get("sessionTimeoutInSeconds", DEFAULT_SESSION_SECONDS)
        if isinstance(timeout, str) and timeout.isdigit():
            timeout = int(timeout)
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
            raise bad("field 'sessionTimeoutInSeconds' is not a positive whole number")
        return Session(token, default_org, tuple(orgs), timeout, _plain(data.get("serverUrl")))

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
        return max(0.0, seconds) if math.isfinite(seconds) else None

    def _transport_reason(self, exc: httpx.TransportError) -> str:
        if isinstance(exc, httpx.ConnectTimeout):
            return f"connect timed out after {self._connect_timeout:g} s"
        if isinstance(exc, httpx.PoolTimeout):
            return "no free connection"
        return (self._scrub(None, str(exc)) or "").rstrip(".") or type(exc).__name__

    # --- secrets --------------------------------------------------------------------------------

    def _secrets(self, call: _Call | None) -> list[str]:
        values = [self._credentials.password]
        if self._session is not None:
            values.append(self._session.token)
        if call is not None:
            values.extend(call.secrets)
        return sorted((v for v in values if v), key=len, reverse=True)

    def _scrub(self, call: _Call | None, text: str | None) -> str | None:
        """Server text fit for a message or a log: one short line, no secret in it.

        Known secrets go first; then anything shaped like a Harmony key, secret or token
        (a UUID, a long opaque string), since server text may echo values the client
        never saw. Shortened only after that, so no secret survives as a cut-off prefix.
        """
        if text is None:
            return None
        for secret in self._secrets(call):
            text = text.replace(secret, REDACTED)
        return _shorten(_one_line(_mask_opaque(text)), _TEXT_LIMIT)

    def _shown_json(self, call: _Call, value: Any) -> str:
        """A JSON body for a DEBUG record: secret fields redacted by name, then scrubbed like server text."""
        if value is None:
            return "-"
        text = json.dumps(_redact(value), ensure_ascii=False)
        for secret in self._secrets(call):
            text = text.replace(secret, REDACTED)
        return _shorten(_mask_opaque(text), _LOG_BODY_LIMIT)


# --- small pure helpers -----------------------------------------------------------------------


def _protocol_reason(exc: protocol.ProtocolError) -> str:
    """ProtocolError's text, naming its field when the text does not already."""
    text = str(exc)
    if exc.field and repr(exc.field) not in text:
        text = f"field {exc.field!r}: {text}"
    return text


def _check_id(value: str, what: str) -> None:
    """Ids go into URL paths: only plain ones, so nothing can climb out of the org's path."""
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
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value)


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


def _location(response: httpx.Response) -> str:
    """Where a redirect points, without user info or query (either could carry a secret)."""
    location = urlsplit(response.headers.get("Location", ""))
    if not location.netloc:
        return "elsewhere"
    return f"{location.scheme}://{location.netloc.rpartition('@')[2]}{location.path}"


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _excerpt(response: httpx.Response, scrub: Callable[[str], str]) -> str:
    """What a non-JSON reply is, without dumping it: its content type and an HTML title or first line.

    Never more than that (an echoing proxy could put the request, password included,
    into the body), and only after `scrub`.
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
    """A copy with every secret-bearing field (SECRET_FIELDS, at any depth) replaced by ***."""
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in SECRET_FIELDS else _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value
