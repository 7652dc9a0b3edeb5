"""The Connector Manager API over HTTP: every call, typed results, bounded retries.

This is the only module that imports httpx, and nothing on the warm build path imports
it: the engine creates a client only when a registration really needs the network.
What failures mean and how they are worded lives in `api_errors`; this module decides
when a failure is final.

Where Harmony lives: `resolve_base_url` takes a region (na, emea, apac) or any URL and
adds `/jitterbit-cloud-restful-service/`, by the rule of `host` (its one owner). Plain
`http://` is refused except for loopback hosts (the emulator), certificates are always
verified, and redirects are never followed (the `authToken` header would travel to
wherever they point). Loopback and http:// hosts never go through a proxy (the login
body would reach it in clear); https hosts use HTTPS_PROXY/ALL_PROXY and NO_PROXY as
httpx reads them, through a CONNECT tunnel. Cookies are neither stored nor sent: the API
needs only the authToken header, and a session cookie would be one more secret to leak.

Bounds (`bounded`): a reply body of at most `max_reply_bytes` (16 MiB) and a whole
request within `deadline` seconds (60), whatever the pace of the bytes. Either failure
is final: a server that sent too much or too slowly would do it again.

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
`***`; a WARNING per retry. Every piece of server text that reaches a message, a log
record or a `Session` (errorMessage, errorCode, status, Location, Content-Type, an HTML
title, org names and URLs) goes through `servertext.Scrubber`: the secrets the client
knows and anything shaped like a Harmony key or token masked, one line, length-capped.
"""

from __future__ import annotations

import email.utils
import http.cookiejar
import json
import logging
import math
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from . import __version__, api_errors, protocol
from .api_errors import ApiError, Context, InsecureUrlError
from .bounded import DEADLINE_SECONDS, MAX_REPLY_BYTES, ReplyTooLarge, Watchdog, read_capped, size_text
from .errors import ConfigError
from .host import Host, HostError
from .servertext import Scrubber, redact
from .vocabulary import is_harmony_id

log = logging.getLogger("hatch_harmony.client")

#: Statuses worth repeating for a call that is safe to repeat (429 also for register).
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Failures before the request left: safe to repeat for every call.
_CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
#: Used when a login reply does not say how long the session lasts [decision]: an hour is
#: short enough to be safe, and a 401 triggers a fresh login anyway.
DEFAULT_SESSION_SECONDS = 3600


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

    The host part of the lock key (`Host.key`, as `connection.lock_host` computes it). A
    path prefix (a gateway) is kept, so two services behind one host stay apart.
    """
    return Host.parse(base_url).key


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    """One organization the account belongs to (login's `orgAttrs`); name and URL are scrubbed server text."""

    id: str
    name: str
    zone_url: str


@dataclass(frozen=True)
class Session:
    """A login: the token (never shown in repr), the default org and how long it lasts.

    `default_org_id` is None only when the reply gave none and a configured org id made it
    unnecessary. `server_url` and the orgs' text are scrubbed server text.
    """

    token: str = field(repr=False)
    default_org_id: str | None
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
        max_reply_bytes: int = MAX_REPLY_BYTES,
        deadline: float = DEADLINE_SECONDS,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        host = Host.parse(self.base_url)
        self.host = host.key
        self._loopback = host.is_loopback
        if org_id is not None:
            org_id = org_id.strip()
            _check_id(org_id, "org id")
        self._org_id = org_id
        self._credentials = credentials
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_retries = max(0, max_retries)
        self._max_retry_after = max(0.0, max_retry_after)
        self._max_reply_bytes = max_reply_bytes
        self._deadline = deadline
        self._watchdog = Watchdog()
        self._sleep = sleep
        self._clock = clock
        self._session: Session | None = None
        self._session_expires = 0.0
        self.requests_made = 0
        # One connection at a time: the client is sequential, and the watchdog cuts the one in use.
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        if transport is None and (host.is_loopback or host.scheme == "http"):
            # An explicit transport makes httpx ignore HTTP_PROXY, ALL_PROXY and the rest: the login
            # body of a loopback or plain-http host must never reach a proxy, in clear.
            transport = httpx.HTTPTransport(verify=True, limits=limits)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            verify=True,
            follow_redirects=False,
            transport=transport,
            limits=limits,
            cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
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
        """The configured org id, else the login's defaultOrgId (`_parse_session` requires it then)."""
        org = self._org_id or self.session.default_org_id
        if org is None:  # pragma: no cover - `_parse_session` refuses such a login
            raise api_errors.malformed(
                Context("login", "log in", self.host), 200, "field 'defaultOrgId' is missing"
            )
        return org

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
        """The org's registrations with this name (and version, when given), as `protocol.identity` compares.

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
                if isinstance(other, str) and not protocol.same_connector(name, None, other, None):
                    log.debug("ignoring malformed list entry %d of another connector: %s", index, exc)
                    continue
                raise self._bad_entry(call, index, exc) from None
            found.append(registration)
        return protocol.named(found, name, version, lambda r: (r.name, r.version))

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
            shown = self._scrubber(call).json(call.body)
            log.debug("request %s %s headers=%s body=%s", call.method, call.path, redact(headers), shown)
        ctx = self._context(call)
        request = self._http.build_request(
            call.method,
            call.path,
            content=content,
            headers=headers,
            extensions={"trace": self._watchdog.trace},
        )
        started = time.perf_counter()
        status = 0
        with self._watchdog.arm(self._deadline) as watch:
            try:
                response = self._http.send(request, stream=True)
                status = response.status_code
                try:
                    body = read_capped(
                        response.iter_bytes(),
                        self._max_reply_bytes,
                        declared=response.headers.get("Content-Length"),
                        expired=watch.is_expired,
                    )
                finally:
                    response.close()
            except (httpx.RequestError, ReplyTooLarge) as exc:
                raise self._failure(call, ctx, exc, status, expired=watch.expired) from exc
        if watch.expired:  # the reply ended only because the watchdog cut the connection
            raise self._failure(call, ctx, None, status, expired=True)
        self.requests_made += 1
        elapsed_ms = (time.perf_counter() - started) * 1000
        return self._reply(call, ctx, response, body, elapsed_ms, ambiguous=ambiguous)

    def _failure(
        self, call: _Call, ctx: Context, exc: Exception | None, status: int, *, expired: bool
    ) -> Exception:
        """What a failed exchange means: a _Retry if the call's rules allow one, else the final ApiError.

        Past the deadline, too large and undecodable are final: the same server would do
        it again. For register, anything after the request may have left is outcome unknown.
        """
        if isinstance(exc, _CONNECT_ERRORS) and not expired:
            # The request never left: repeating it is safe for every call, register included.
            reason = self._transport_reason(exc)
            final = api_errors.connect_failed(ctx, reason, loopback=self._loopback)
            return _Retry(reason, None, final, ambiguous=False)
        self.requests_made += not isinstance(exc, _CONNECT_ERRORS)
        if expired:
            reason = f"no complete reply within the {self._deadline:g} s deadline"
        elif isinstance(exc, ReplyTooLarge):
            limit = size_text(self._max_reply_bytes)
            return api_errors.malformed(ctx, status, f"the reply is larger than {limit}, the most one may be")
        elif isinstance(exc, httpx.DecodingError):  # a body whose content encoding is broken
            return api_errors.malformed(ctx, status, "the reply body could not be decoded")
        elif isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout)):
            reason = f"no reply within the {self._read_timeout:g} s read timeout"  # not retried: see above
        else:  # dropped connection, reset, protocol error
            shown = self._transport_reason(exc) if isinstance(exc, httpx.TransportError) else "no reply"
            reason = f"the connection dropped before the reply ({shown})"
            if call.repeatable:
                return _Retry(reason, None, api_errors.dropped(ctx, reason), ambiguous=True)
        if not call.repeatable:
            return api_errors.outcome_unknown(ctx, reason)
        return api_errors.timed_out(ctx, reason)

    def _reply(
        self,
        call: _Call,
        ctx: Context,
        response: httpx.Response,
        body: bytes,
        elapsed_ms: float,
        *,
        ambiguous: bool,
    ) -> dict[str, Any]:
        """Judge one reply, in order: retryable status, 5xx, redirect, token refused, shape, refusal."""
        status = response.status_code
        scrubber = self._scrubber(call)
        data, excerpt = _decode(body, response.headers.get("Content-Type", ""), scrubber)
        if log.isEnabledFor(logging.DEBUG):
            shown = scrubber.json(data) if excerpt is None else f"<not JSON: {excerpt}>"
            log.debug(
                "response %s %s -> %d in %.0f ms body=%s", call.method, call.path, status, elapsed_ms, shown
            )
        fields = data if isinstance(data, dict) else {}
        code = scrubber.text(_text_field(fields, "errorCode"))
        message = scrubber.text(_text_field(fields, "errorMessage"))
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
            raise api_errors.redirected(ctx, status, scrubber.text(_location(response), 120) or "elsewhere")
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
            shown = scrubber.value(flag)
            raise api_errors.malformed(ctx, status, f"field 'status' is {shown}, expected true or false")
        return fields

    # --- replies --------------------------------------------------------------------------------

    def _parse_session(self, call: _Call, data: dict[str, Any]) -> Session:
        def bad(reason: str) -> ApiError:
            return api_errors.malformed(self._context(call), 200, reason)

        token = data.get("authenticationToken")
        if (
            not isinstance(token, str)
            or not token
            or not token.isascii()  # it travels in a header: ASCII only, or httpx cannot send it
            or any(ch.isspace() or not ch.isprintable() for ch in token)
        ):
            raise bad(
                f"field 'authenticationToken' is {'missing' if token is None else 'not a usable token'}"
            )
        default_org = _id_field(data.get("defaultOrgId"))
        if default_org is None and self._org_id is None:  # with an org id configured it is never used
            raise bad("field 'defaultOrgId' is missing or not an org id")
        attrs = data.get("orgAttrs") or []
        if not isinstance(attrs, list):
            raise bad(f"field 'orgAttrs' is {_json_type(attrs)}, expected a list")
        scrubber = self._scrubber(call, token)

        def text(value: Any) -> str:
            return scrubber.text(value) or "" if isinstance(value, str) else ""

        orgs = []
        for index, attr in enumerate(attrs):
            org_id = _id_field(attr.get("orgId")) if isinstance(attr, dict) else None
            if org_id is None or not isinstance(attr, dict):
                raise bad(f"field 'orgAttrs[{index}].orgId' is missing or not an org id")
            orgs.append(Org(org_id, text(attr.get("orgName")), text(attr.get("orgZoneUrl"))))
        timeout = data.get("sessionTimeoutInSeconds", DEFAULT_SESSION_SECONDS)
        if isinstance(timeout, str) and timeout.isdigit():
            timeout = int(timeout)
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
            raise bad("field 'sessionTimeoutInSeconds' is not a positive whole number")
        return Session(token, default_org, tuple(orgs), timeout, text(data.get("serverUrl")))

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
        return (self._scrubber(None).text(str(exc)) or "").rstrip(".") or type(exc).__name__

    # --- secrets --------------------------------------------------------------------------------

    def _scrubber(self, call: _Call | None, *more: str) -> Scrubber:
        """The scrubber for server text about `call`: every secret the client knows at this point."""
        values = [self._credentials.password, *more]
        if self._session is not None:
            values.append(self._session.token)
        if call is not None:
            values.extend(call.secrets)
        return Scrubber(values)


# --- small pure helpers -----------------------------------------------------------------------


def _protocol_reason(exc: protocol.ProtocolError) -> str:
    """ProtocolError's text, naming its field when the text does not already."""
    text = str(exc)
    if exc.field and repr(exc.field) not in text:
        text = f"field {exc.field!r}: {text}"
    return text


def _check_id(value: str, what: str) -> None:
    """Ids go into URL paths: only plain ones, so nothing can climb out of the org's path."""
    if not is_harmony_id(value):
        raise ConfigError(
            f"The {what} {value!r} is not a Harmony id (letters, digits, '-' or '_', such as 12345)."
        )


def _id_field(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value)
    return text if is_harmony_id(text) else None


def _text_field(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _is_not_found(status: int, code: str | None) -> bool:
    return status == 404 or (code or "").endswith("_NOT_FOUND")


def _location(response: httpx.Response) -> str:
    """Where a redirect points, without user info or query (either could carry a secret); not yet scrubbed."""
    try:
        location = urlsplit(response.headers.get("Location", ""))
    except ValueError:  # "http://[::1": a Location nobody could follow
        return "elsewhere"
    if not location.netloc:
        return "elsewhere"
    return f"{location.scheme}://{location.netloc.rpartition('@')[2]}{location.path}"


def _decode(body: bytes, content_type: str, scrubber: Scrubber) -> tuple[Any, str | None]:
    """(JSON value or None if empty, None), or (None, a scrubbed excerpt of a non-JSON body)."""
    if not body.strip():
        return None, None
    try:
        return json.loads(body.decode("utf-8")), None
    except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting: malformed, not a crash
        return None, scrubber.excerpt(body, content_type)


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Refuses every cookie: none is stored, so none is ever sent back (or leaked by a redirect)."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False
