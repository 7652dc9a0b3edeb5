"""What a failed Connector Manager API call means, in errors a connector developer can act on.

Kept apart from `client` (and free of httpx) because the registration engine catches
these on paths that must stay cheap to import. All the wording lives here: `classify`
turns a refused reply into the matching error (the HTTP status decides first;
`errorCode` and `errorMessage` are hints, so an unknown code from real Harmony still
lands on a sensible class), and the other builders word the failures the client
detects itself (timeouts, dropped connections, malformed replies, exhausted retries).

Every message says which call failed against which host and what to do next. Messages
never carry a secret and never grow with the reply: the client passes every piece of
server text (errorMessage, errorCode, status, headers, HTML titles) through
`server_text.Scrubber` before it gets here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypedDict

from hatch_harmony.api.protocol import ErrorCode
from hatch_harmony.errors import ConfigError, HarmonyError
from hatch_harmony.vocabulary import EMAIL_VAR, KEY_VAR, PASSWORD_VAR, SECRET_VAR, URL_VAR

#: Where the build reads the login from (registration.EMAIL_VAR / PASSWORD_VAR); named in
#: messages so the fix is obvious.
_CREDENTIAL_VARS = f"{EMAIL_VAR} / {PASSWORD_VAR}"


class ApiError(HarmonyError):
    """A Connector Manager API call failed; the attributes say how, for callers that branch on it."""

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.error_code = error_code
        self.error_message = error_message
        self.http_status = http_status


class AuthenticationError(ApiError):
    """Bad email/password, or a session token still refused after one fresh login."""


class LoginRefusedError(AuthenticationError):
    """The account cannot log in unattended at all: two-factor authentication or SSO."""


class NotFoundError(ApiError):
    """Harmony does not know the org or the connector."""


class ConnectorInUseError(ApiError):
    """A delete was refused because a project of the org uses the connector."""


class InvalidSecurityInfoError(ApiError):
    """Validate answered "no": the key/secret pair does not belong to that connector."""


class RequestRejectedError(ApiError):
    """Any other refusal (`status: false` whatever the HTTP status, or another 4xx)."""


class ServerError(ApiError):
    """A 5xx reply, after the retries allowed for the call were used up (or none were allowed)."""


class RateLimitedError(ApiError):
    """HTTP 429 after the retries were used up."""


class MalformedReplyError(ApiError):
    """A reply that is not the documented JSON shape (HTML page, missing field, wrong type)."""


class TransportError(ApiError):
    """No usable HTTP exchange: the connection failed, dropped, or timed out."""


class RegisterOutcomeUnknownError(ApiError):
    """A register request may have created a registration, but no usable reply came back.

    Registering is not idempotent, so the client never resends it: the caller must look
    the connector up (`list`) and adopt what it finds before registering again.
    """


class InsecureUrlError(ConfigError):
    """A Harmony URL that would send the password in clear text, or is not HTTP(S) at all."""


@dataclass(frozen=True)
class Context:
    """Which call failed, so every message can say it.

    `call` is the operation name (login, register, list, delete, delete_payload,
    validate); `doing` describes it for people ("register connector 'Dropbox' version
    '1.0.0' in org 10001"); `subject` names what a 404 would be about ("connector 44 in
    org 1"); `attempts` is how many attempts the retry rules allowed.
    """

    call: str
    doing: str
    host: str
    subject: str = ""
    email: str = ""
    base_url: str = ""
    attempts: int = 1


_TFA_HINT = re.compile(r"TFA|two[-_ ]?factor|2FA|MFA|multi[-_ ]?factor", re.IGNORECASE)
_SSO_HINT = re.compile(r"\bSSO\b|_SSO|SSO_|single[-_ ]sign[-_ ]on|\bSAML\b", re.IGNORECASE)
_IN_USE_HINT = re.compile(r"IN_USE|in use|used (?:by|in)", re.IGNORECASE)


class _Attrs(TypedDict):
    operation: str
    error_code: str | None
    error_message: str | None
    http_status: int | None


def is_token_refusal(http_status: int, error_code: str | None) -> bool:
    """A refused session token: the client logs in again once and repeats the call."""
    return http_status == 401 or error_code == ErrorCode.INVALID_TOKEN


def classify(ctx: Context, http_status: int, error_code: str | None, error_message: str | None) -> ApiError:
    """The error for a refused reply (`status: false`, or a 4xx) that no retry or re-login will fix.

    The call and the HTTP status decide; codes and message text refine. `error_message`
    must already be scrubbed of secrets. 5xx and 429 are not handled here: the client
    owns their retry budget (see `gave_up`).
    """
    code = error_code or ""
    hints = f"{code} {error_message or ''}"
    attrs = _Attrs(
        operation=ctx.call, error_code=error_code, error_message=error_message, http_status=http_status
    )
    detail = f"HTTP {http_status}" + (f", {code}" if code else "")
    if error_message:
        detail += f": {error_message.rstrip('.')}"
    if ctx.call == "login":
        return _login_error(ctx, hints, detail, attrs)
    if is_token_refusal(http_status, error_code):
        return AuthenticationError(
            f"Harmony at {ctx.host} refused the session of {ctx.email or 'the account'} to {ctx.doing} "
            f"even after logging in again ({detail}). The account may have no access to that "
            "organization: check the configured org id and the account's role in Harmony.",
            **attrs,
        )
    is_delete = ctx.call in ("delete", "delete_payload")
    if code == ErrorCode.CONNECTOR_IN_USE or (
        is_delete and (http_status == 409 or _IN_USE_HINT.search(hints))
    ):
        part = "payload" if ctx.call == "delete_payload" else "registration"
        return ConnectorInUseError(
            f"Harmony at {ctx.host} refused to delete the {part} of {ctx.subject or 'the connector'} because "
            f"a project of the organization uses it ({detail}). Remove the connector from those projects "
            "first: both the registration and the payload can be deleted only when no project uses the "
            "connector.",
            **attrs,
        )
    if http_status == 404 or code.endswith("_NOT_FOUND"):
        what = "the org" if "ORG" in code else ctx.subject or "the org or connector"
        return NotFoundError(
            f"Harmony at {ctx.host} does not know {what} ({detail}) while trying to {ctx.doing}. Check the "
            "configured org id (the login's defaultOrgId is used when none is set) and the connector id "
            "(`list` shows the org's connectors).",
            **attrs,
        )
    if ctx.call == "validate" and (code == ErrorCode.INVALID_SECURITY_INFO or 200 <= http_status < 300):
        # [decision] a well-formed validate answered `status: false` with a 2xx is Harmony's "no".
        return InvalidSecurityInfoError(
            f"Harmony at {ctx.host} rejected the connector key and secret: {ctx.doing} failed ({detail}). "
            "They do not belong to a registration of that name in that org: use the key and secret "
            f"Harmony returned for this connector in this org (e.g. unset {KEY_VAR} and {SECRET_VAR} "
            "and delete the generated manifest so they are looked up again).",
            **attrs,
        )
    return RequestRejectedError(
        f"Harmony at {ctx.host} refused to {ctx.doing} ({detail}). Check the values sent (connector name "
        "and version, org id) against Harmony's message.",
        **attrs,
    )


def _login_error(ctx: Context, hints: str, detail: str, attrs: _Attrs) -> ApiError:
    who = ctx.email or "the account"
    code, status = attrs["error_code"] or "", attrs["http_status"] or 0
    if code == ErrorCode.TFA_REQUIRED or _TFA_HINT.search(hints):
        return LoginRefusedError(
            f"Harmony at {ctx.host} refused the login of {who}: the account uses two-factor "
            f"authentication, which an unattended build cannot complete ({detail}). Build with a service "
            f"account that has no two-factor authentication ({_CREDENTIAL_VARS}).",
            **attrs,
        )
    if code == ErrorCode.SSO_REQUIRED or _SSO_HINT.search(hints):
        return LoginRefusedError(
            f"Harmony at {ctx.host} refused the login of {who}: the organization uses single sign-on "
            f"({detail}). Ask an org administrator to put a service account on the organization's "
            f'"bypass SSO" list, and build with that account ({_CREDENTIAL_VARS}).',
            **attrs,
        )
    if status in (401, 403) or code == ErrorCode.INVALID_CREDENTIALS or 200 <= status < 300:
        return AuthenticationError(
            f"Harmony at {ctx.host} refused the login of {who}: wrong email or password ({detail}). "
            f"Check {_CREDENTIAL_VARS}, and that the account belongs to this region's Harmony.",
            **attrs,
        )
    return RequestRejectedError(
        f"Harmony at {ctx.host} refused the login of {who} ({detail}). Check {_CREDENTIAL_VARS}.", **attrs
    )


def outcome_unknown(
    ctx: Context, reason: str, error_code: str | None = None, error_message: str | None = None
) -> RegisterOutcomeUnknownError:
    """A register that may have been processed: never resent, the caller looks the connector up."""
    return RegisterOutcomeUnknownError(
        f"Harmony at {ctx.host} may or may not have registered the connector: {reason} while trying to "
        f"{ctx.doing}. Registering is not idempotent, so the request was not sent again. Look the "
        "connector up before registering again: the next build does that (it lists the org's connectors "
        "and adopts a registration of the same name and version).",
        operation=ctx.call,
        error_code=error_code,
        error_message=error_message,
    )


def malformed(ctx: Context, http_status: int, reason: str, *, wrong_url: bool = False) -> ApiError:
    """A reply of the wrong shape; for register that leaves the outcome unknown."""
    if ctx.call == "register":
        return outcome_unknown(ctx, f"the reply was malformed: {reason}")
    hint = (
        f"Check that the Harmony URL or region is right ({ctx.base_url or ctx.host} should be the "
        "Connector Manager API)."
        if wrong_url
        else "This is a Harmony or proxy problem: try again later, and report it if it persists."
    )
    return MalformedReplyError(
        f"Harmony at {ctx.host} sent an unexpected reply while trying to {ctx.doing} (HTTP {http_status}): "
        f"{reason}. {hint}",
        operation=ctx.call,
        http_status=http_status,
    )


def gave_up(
    ctx: Context, http_status: int, said: str, error_code: str | None, error_message: str | None
) -> ApiError:
    """A 5xx or 429 that is not (or no longer) retried; `said` is what the reply said, scrubbed."""
    attrs = _Attrs(
        operation=ctx.call, error_code=error_code, error_message=error_message, http_status=http_status
    )
    tries = _attempts(ctx) if http_status in (429, 502, 503, 504) else ""
    if http_status == 429:
        return RateLimitedError(
            f"Harmony at {ctx.host} is limiting the rate of requests: it answered HTTP 429{said} {tries} "
            f"while trying to {ctx.doing}. Wait a few minutes, then try again.",
            **attrs,
        )
    return ServerError(
        f"Harmony at {ctx.host} failed to {ctx.doing}: HTTP {http_status}{said}"
        f"{' ' + tries if tries else ''}. Harmony may be down or overloaded: try again later.",
        **attrs,
    )


def connect_failed(ctx: Context, reason: str, *, loopback: bool = False) -> TransportError:
    """No connection at all. On a loopback host (never proxied) that almost always means no emulator runs."""
    advice = (
        "Nothing listens there: is the emulator running? (`hatch-harmony emulator`) Otherwise check the "
        f"port in the Harmony URL ({URL_VAR}, `url` or --url)."
        if loopback
        else "Check the network, the proxy settings (HTTPS_PROXY) and the Harmony URL or region."
    )
    return TransportError(
        f"Could not connect to {ctx.host} to {ctx.doing} ({_attempts(ctx)}): {reason}. {advice}",
        operation=ctx.call,
    )


def timed_out(ctx: Context, reason: str) -> TransportError:
    return TransportError(
        f"Harmony at {ctx.host} did not answer in time: {reason} while trying to {ctx.doing}. Harmony may "
        "be overloaded: try again later.",
        operation=ctx.call,
    )


def dropped(ctx: Context, reason: str) -> TransportError:
    return TransportError(
        f"Harmony at {ctx.host} did not answer {_attempts(ctx)} while trying to {ctx.doing}: {reason}. "
        "Check the network and proxy settings, then try again.",
        operation=ctx.call,
    )


def redirected(ctx: Context, http_status: int, target: str) -> ApiError:
    """A 3xx the transport did not follow: to another host or scheme (the authToken header would
    travel with it), or one that would drop the method or body (transport.py decides)."""
    reason = f"Harmony answered HTTP {http_status}, a redirect to {target}"
    if ctx.call == "register":
        return outcome_unknown(ctx, reason)
    return RequestRejectedError(
        f"{reason}, while trying to {ctx.doing}. Redirects are not followed (the session token must not "
        "travel to another address): configure the URL the server points to.",
        operation=ctx.call,
        http_status=http_status,
    )


def _attempts(ctx: Context) -> str:
    return "in 1 attempt" if ctx.attempts == 1 else f"in {ctx.attempts} attempts"
