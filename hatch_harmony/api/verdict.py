"""What one HTTP reply means for its call: the reply's JSON object, a retry, a re-login or the final error.

Apart from `transport` (which sends and repeats) so that the order in which a reply is
judged reads in one place: a retryable status, another 5xx, a redirect, a refused token,
a body that is not JSON, a refusal, then the shape. Whether a status may be repeated is
the call's rule (`call.py`, the retry table): 429 means "refused, not processed", so even
register may repeat it; 502/503/504 may have been processed, so register never does.

`Retry-After` may be seconds or an HTTP date; when it is absent or unreadable the
transport uses its backoff.

Redirects [decision]: one that stays on the same scheme, host and port (a path change) is
followed (`Follow`) when it keeps the method and body (307, 308; for GET any redirect):
the password and token go nowhere new. One to another host is never followed, since the
password or token would travel to a host nobody configured: it stops with one message
naming the host Harmony points to and the settings that would choose it
(`redirect_elsewhere`). A 307/308 was not processed, so following it is safe even for register,
and a register sent elsewhere by one gets the same message; any other redirect of register (a
303 says "done, see there") leaves its outcome unknown, resolved by listing.

A delete repeated after an attempt that may have been processed (dropped connection,
502/503/504) and then answered "not found" counts as done [decision]: the earlier
attempt most likely deleted it. After only connect failures or 429s (never processed),
"not found" is still a NotFoundError.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hatch_harmony.api import errors as api_errors
from hatch_harmony.api.errors import ApiError, Context
from hatch_harmony.api.server_text import Scrubber, json_type

if TYPE_CHECKING:  # httpx at run time only through transport, the one module that sends
    import httpx

    from hatch_harmony.api.call import Call

#: The client's one logger, whichever of its modules writes: users configure one name.
log = logging.getLogger("hatch_harmony.client")


class Retry(Exception):
    """An attempt failed in a way the call's rules allow to repeat; `final` is raised when they are spent."""

    def __init__(self, reason: str, delay: float | None, final: ApiError, *, ambiguous: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay  # Retry-After, or None for the backoff
        self.final = final
        self.ambiguous = ambiguous  # the failed attempt may have been processed


class Follow(Exception):
    """A redirect within the same scheme, host and port: send the same request to `url`."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(url)
        self.url = url
        self.status = status


class TokenRefused(Exception):
    """The session token was refused; `error` is raised if a fresh login does not help."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(str(error))
        self.error = error


def judge(
    call: Call,
    ctx: Context,
    response: httpx.Response,
    body: bytes,
    scrubber: Scrubber,
    *,
    elapsed_ms: float,
    ambiguous: bool,
) -> dict[str, Any]:
    """The reply's JSON object ({} if empty), or Retry, TokenRefused or the final ApiError raised.

    `ambiguous`: an earlier attempt of this call may have been processed.
    """
    status = response.status_code
    data, excerpt = _decode(body, response.headers.get("Content-Type", ""), scrubber)
    if log.isEnabledFor(logging.DEBUG):
        shown = scrubber.json(data) if excerpt is None else f"<not JSON: {excerpt}>"
        log.debug(
            "response %s %s -> %d in %.0f ms body=%s", call.method, call.path, status, elapsed_ms, shown
        )
    fields = data if isinstance(data, dict) else {}
    code = scrubber.text(_text_field(fields, "errorCode"))
    message = scrubber.text(_text_field(fields, "errorMessage"))
    _check_status(call, ctx, response, scrubber=scrubber, code=code, message=message, excerpt=excerpt)
    flag = fields.get("status")
    refused = status >= 400 or flag is False or flag == "false"
    if refused and call.name != "login" and api_errors.is_token_refusal(status, code):
        raise TokenRefused(api_errors.classify(ctx, status, code, message))
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
        raise api_errors.malformed(ctx, status, f"expected a JSON object, got {json_type(data)}")
    if flag not in (None, True, "true"):
        shown = scrubber.value(flag)
        raise api_errors.malformed(ctx, status, f"field 'status' is {shown}, expected true or false")
    return fields


def _check_status(
    call: Call,
    ctx: Context,
    response: httpx.Response,
    *,
    scrubber: Scrubber,
    code: str | None,
    message: str | None,
    excerpt: str | None,
) -> None:
    """The statuses judged before the body: a retryable one, another 5xx, a redirect."""
    status = response.status_code
    said = (f", {code}" if code else "") + (
        f": {message.rstrip('.')}" if message else f" ({excerpt})" if excerpt else ""
    )
    if call.may_repeat_status(status):
        final = api_errors.gave_up(ctx, status, said, code, message)
        raise Retry(f"HTTP {status}", _retry_after(response), final, ambiguous=status != 429)
    if status >= 500:
        if not call.repeatable:
            raise api_errors.outcome_unknown(ctx, f"Harmony answered HTTP {status}{said}", code, message)
        raise api_errors.gave_up(ctx, status, said, code, message)
    if 300 <= status < 400:
        target = _target(response)
        if target is not None and _origin(target) == _origin(response.request.url):
            if status in (307, 308) or (response.request.method == "GET" and status != 300):
                raise Follow(str(target), status)
        elif target is not None and (status in (307, 308) or call.name != "register"):
            raise redirect_elsewhere(ctx, status, target, scrubber)
        raise api_errors.redirected(ctx, status, scrubber.text(_location(response), 120) or "elsewhere")


def redirect_elsewhere(ctx: Context, status: int, target: httpx.URL, scrubber: Scrubber) -> ApiError:
    """A redirect to another host: never followed; one message naming it and what to set."""
    from hatch_harmony.api.host import REGIONS  # the region names and their hosts: one owner

    other = scrubber.text(f"{target.scheme}://{target.netloc.decode('ascii', 'replace')}", 120) or "?"
    region = next((name for name, url in REGIONS.items() if url == other), None)
    choose = f'region = "{region}" (or HARMONY_REGION={region})' if region else ""
    choose = f"{choose}, or " if choose else ""
    return api_errors.RequestRejectedError(
        f"Harmony at {ctx.host} answered HTTP {status} to {ctx.doing}, pointing to another host: {other}. "
        "hatch-harmony does not follow it, so the password and session token never travel to a host "
        f"you did not configure. If {other} is your organisation's Harmony, choose it: {choose}"
        f'url = "{other}" in [tool.hatch.build.hooks.harmony], HARMONY_URL={other} or --url {other}.',
        operation=ctx.call,
        http_status=status,
    )


def _target(response: httpx.Response) -> httpx.URL | None:
    """The redirect's absolute URL (a relative Location resolved against the request), or None."""
    location = response.headers.get("Location", "").strip()
    if not location:
        return None
    try:
        return response.request.url.join(location)
    except Exception:  # httpx.InvalidURL or ValueError (httpx is not imported here): nobody could follow it
        return None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port (the default one for the scheme when none is given)."""
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, port


def _retry_after(response: httpx.Response) -> float | None:
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


def _text_field(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value)


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
