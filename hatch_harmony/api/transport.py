"""How one API call travels: the attempts, Retry-After, the one re-login, bounded replies.

`client.HarmonyClient` says what to call (a `call.Call`); this module sends it and repeats it
as the call's rule allows (`call.py`: the retry table, and "never resend a register that may
have reached the server", written there once). It decides the rows of that table before a
reply arrived (connect failed, connection dropped, timeouts); what a reply that arrived means
(its status, a refused token, its shape, a delete answered "not found" after an ambiguous
attempt) is judged by `verdict`. What failures mean and how they are worded lives in `errors`.

The connection: certificates are always verified; a redirect is followed only within the
same scheme, host and port (`verdict.Follow`, at most `MAX_REDIRECTS` per call), never to
another host (the password or `authToken` header would travel with it). Loopback and http:// hosts never
go through a proxy (the login body would reach it in clear); https hosts use
HTTPS_PROXY/ALL_PROXY and NO_PROXY as httpx reads them, through a CONNECT tunnel.

Cookies [decision]: the documented API needs only the authToken header, but a server behind
a session-pinning load balancer may need the cookie its login set. They are kept in memory
for one session (a login starts with none), sent back only to the host that set them (a
Domain attribute that would widen them is refused, a Secure one travels only over https),
never written anywhere, never logged (requests are logged from our own headers, replies by
body), and their values are masked in server text like the token (`cookie_values`).

Bounds (`limits`): a reply body of at most `max_reply_bytes` (16 MiB) and a whole
request within `deadline` seconds (60), whatever the pace of the bytes. Either failure
is final: a server that sent too much or too slowly would do it again.

`Retry-After` may be seconds or an HTTP date; it is capped at `max_retry_after`, and the
backoff (0.5, 1, 2 s ...) is used when it is absent or unreadable. Read timeouts are not
retried even for safe calls [decision]: the server is slow, and repeating would multiply a
60 s wait.

Logging (`hatch_harmony.client`): one DEBUG record per request and per response, with
the `authToken` header and the password/key/secret/token fields of bodies replaced by
`***`; a WARNING per retry.
"""

from __future__ import annotations

import http.cookiejar
import json
import logging
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from hatch_harmony import __version__
from hatch_harmony.api import errors as api_errors
from hatch_harmony.api import protocol
from hatch_harmony.api.call import Call
from hatch_harmony.api.errors import Context
from hatch_harmony.api.host import Host
from hatch_harmony.api.limits import (
    DEADLINE_SECONDS,
    MAX_REPLY_BYTES,
    ReplyTooLarge,
    Watchdog,
    read_capped,
    size_text,
)
from hatch_harmony.api.server_text import Scrubber, redact
from hatch_harmony.api.verdict import Follow, Retry, TokenRefused, judge

#: The client's one logger, whichever of its modules writes: users configure one name.
log = logging.getLogger("hatch_harmony.client")

#: Same-host redirects followed for one call before it fails (a loop is a server bug).
MAX_REDIRECTS = 3

#: Failures before the request left: safe to repeat for every call.
_CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)


@dataclass(frozen=True)
class Bounds:
    """How long and how often a call may try, and how large a reply may be (the client's keywords)."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = 3
    max_retry_after: float = 30.0
    max_reply_bytes: int = MAX_REPLY_BYTES
    deadline: float = DEADLINE_SECONDS


class Transport:
    """Sends `Call`s to one Harmony host until each succeeds or its rules say stop.

    The session stays the client's: `token()` gives the token to send (logging in when
    needed), `relogin()` logs in again after a refused token, and `scrubber(call)` masks
    every secret the client knows at that moment.
    """

    def __init__(
        self,
        host: Host,
        email: str,
        bounds: Bounds,
        *,
        http_transport: httpx.BaseTransport | None,
        sleep: Callable[[float], None],
        token: Callable[[], str],
        relogin: Callable[[], object],
        scrubber: Callable[[Call | None], Scrubber],
    ) -> None:
        self._host = host
        self._email = email
        self._bounds = bounds
        self._sleep = sleep
        self._token = token
        self._relogin = relogin
        self._scrubber = scrubber
        self._watchdog = Watchdog()
        self.requests_made = 0
        self._http = _http_client(host, bounds, http_transport)

    def close(self) -> None:
        self._http.close()

    def cookie_values(self) -> list[str]:
        """The session cookies' values: secrets, masked in server text like the token."""
        return [cookie.value for cookie in self._http.cookies.jar if cookie.value]

    def context(self, call: Call) -> Context:
        """What every message about `call` names: the call, the host, the account, the attempts allowed."""
        return Context(
            call.name,
            call.doing,
            self._host.key,
            call.subject,
            self._email,
            self._host.base_url,
            self._bounds.max_retries + 1,
        )

    def perform(self, call: Call) -> dict[str, Any]:
        """Send `call` until it succeeds or its rules say stop; the reply's JSON object ({} if empty)."""
        retries = 0
        relogged = False
        ambiguous = False  # an earlier attempt may have been processed
        url: str | None = None  # where a same-host redirect sent the call
        hops = 0
        while True:
            try:
                return self._attempt(call, ambiguous=ambiguous, url=url)
            except Follow as follow:
                hops += 1
                if hops > MAX_REDIRECTS:
                    raise api_errors.redirected(self.context(call), follow.status, "itself again") from None
                shown = self._scrubber(call).text(follow.url)
                log.info("following HTTP %d for %s to %s (same host)", follow.status, call.name, shown)
                url = follow.url
            except Retry as retry:
                ambiguous = ambiguous or retry.ambiguous
                if retries >= self._bounds.max_retries:
                    raise retry.final from retry.__cause__
                retries += 1
                self._wait(call, retry, retries)
            except TokenRefused as refused:
                if relogged:
                    raise refused.error from None
                relogged = True
                log.info("Harmony refused the session token for %s: logging in again", call.name)
                self._relogin()

    def _wait(self, call: Call, retry: Retry, retries: int) -> None:
        """Sleep before retry number `retries`: Retry-After when the server said, else the backoff; capped."""
        cap = self._bounds.max_retry_after
        backoff = min(0.5 * 2.0 ** (retries - 1), cap)
        delay = backoff if retry.delay is None else min(retry.delay, cap)
        log.warning(
            "retrying %s after %s, waiting %.1f s (retry %d of %d)",
            call.name,
            retry.reason,
            delay,
            retries,
            self._bounds.max_retries,
        )
        self._sleep(delay)

    def _attempt(self, call: Call, *, ambiguous: bool, url: str | None = None) -> dict[str, Any]:
        """One request and its reply; raises Retry, TokenRefused or the final ApiError."""
        headers = {"Content-Type": "application/json"}
        if call.name == "login":
            self._http.cookies.clear()  # a new session: the last one's cookies are stale
        else:
            headers[protocol.AUTH_HEADER] = self._token()
        content = json.dumps(call.body).encode() if call.body is not None else None
        if log.isEnabledFor(logging.DEBUG):
            shown = self._scrubber(call).json(call.body)
            where = call.path if url is None else url
            log.debug("request %s %s headers=%s body=%s", call.method, where, redact(headers), shown)
        ctx = self.context(call)
        request = self._http.build_request(
            call.method,
            call.path if url is None else url,
            content=content,
            headers=headers,
            extensions={"trace": self._watchdog.trace},
        )
        started = time.perf_counter()
        status = 0
        with self._watchdog.arm(self._bounds.deadline) as watch:
            try:
                response = self._http.send(request, stream=True)
                status = response.status_code
                try:
                    body = read_capped(
                        response.iter_bytes(),
                        self._bounds.max_reply_bytes,
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
        scrubber = self._scrubber(call)
        return judge(call, ctx, response, body, scrubber, elapsed_ms=elapsed_ms, ambiguous=ambiguous)

    def _failure(
        self, call: Call, ctx: Context, exc: Exception | None, status: int, *, expired: bool
    ) -> Exception:
        """What a failed exchange means: a Retry if the call's rules allow one, else the final ApiError.

        Past the deadline, too large and undecodable are final: the same server would do
        it again. For register, anything after the request may have left is outcome unknown.
        """
        if isinstance(exc, _CONNECT_ERRORS) and not expired:
            # The request never left: repeating it is safe for every call, register included.
            reason = self._transport_reason(exc)
            final = api_errors.connect_failed(ctx, reason, loopback=self._host.is_loopback)
            return Retry(reason, None, final, ambiguous=False)
        self.requests_made += not isinstance(exc, _CONNECT_ERRORS)
        if expired:
            reason = f"no complete reply within the {self._bounds.deadline:g} s deadline"
        elif isinstance(exc, ReplyTooLarge):
            limit = size_text(self._bounds.max_reply_bytes)
            return api_errors.malformed(ctx, status, f"the reply is larger than {limit}, the most one may be")
        elif isinstance(exc, httpx.DecodingError):  # a body whose content encoding is broken
            return api_errors.malformed(ctx, status, "the reply body could not be decoded")
        elif isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout)):
            reason = f"no reply within the {self._bounds.read_timeout:g} s read timeout"  # not retried
        else:  # dropped connection, reset, protocol error
            shown = self._transport_reason(exc) if isinstance(exc, httpx.TransportError) else "no reply"
            reason = f"the connection dropped before the reply ({shown})"
            if call.repeatable:
                return Retry(reason, None, api_errors.dropped(ctx, reason), ambiguous=True)
        if not call.repeatable:
            return api_errors.outcome_unknown(ctx, reason)
        return api_errors.timed_out(ctx, reason)

    def _transport_reason(self, exc: httpx.TransportError) -> str:
        if isinstance(exc, httpx.ConnectTimeout):
            return f"connect timed out after {self._bounds.connect_timeout:g} s"
        if isinstance(exc, httpx.PoolTimeout):
            return "no free connection"
        return (self._scrubber(None).text(str(exc)) or "").rstrip(".") or type(exc).__name__


def _http_client(host: Host, bounds: Bounds, transport: httpx.BaseTransport | None) -> httpx.Client:
    """The one connection to `host`: verified, no proxy for loopback or http, session cookies kept."""
    # One connection at a time: the client is sequential, and the watchdog cuts the one in use.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    if transport is None and (host.is_loopback or host.scheme == "http"):
        # An explicit transport makes httpx ignore HTTP_PROXY, ALL_PROXY and the rest: the login
        # body of a loopback or plain-http host must never reach a proxy, in clear.
        transport = httpx.HTTPTransport(verify=True, limits=limits)
    return httpx.Client(
        base_url=host.base_url,
        timeout=httpx.Timeout(
            connect=bounds.connect_timeout,
            read=bounds.read_timeout,
            write=bounds.read_timeout,
            pool=bounds.connect_timeout,
        ),
        verify=True,
        follow_redirects=False,
        transport=transport,
        limits=limits,
        cookies=http.cookiejar.CookieJar(policy=_SameHostCookies()),
        headers={"Accept": "application/json", "User-Agent": f"hatch-harmony/{__version__}"},
    )


class _SameHostCookies(http.cookiejar.DefaultCookiePolicy):
    """Host-only cookies: stored only without a Domain attribute, sent back only to that very host."""

    def __init__(self) -> None:
        super().__init__(rfc2965=False, strict_ns_domain=http.cookiejar.DefaultCookiePolicy.DomainStrict)

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return not cookie.domain_specified and super().set_ok(cookie, request)

    def return_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return cookie.domain == _effective_host(request) and super().return_ok(cookie, request)


def _effective_host(request: urllib.request.Request) -> str:
    """The request's host as http.cookiejar names a host-only cookie's domain (dotless: + ".local")."""
    host = (urlsplit(request.get_full_url()).hostname or "").lower()
    return host if "." in host or ":" in host else f"{host}.local"
