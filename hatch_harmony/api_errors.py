"""What a failed Connector Manager API call means, as errors a connector developer can act on.

Kept apart from `client` (and free of httpx) because the registration engine catches
these on paths that must stay cheap to import. `classify` turns one refused reply into
the matching error: the HTTP status decides first, and `errorCode`/`errorMessage` are
only hints, so an unknown code from real Harmony still lands on a sensible class.

Every message says which call failed against which host and what to do next. Messages
never carry a secret: the client scrubs server text (`errorMessage`, HTML titles) of the
password, token, key and secret it knows before it gets here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypedDict

from .errors import ConfigError, HarmonyError
from .protocol import ErrorCode

#: Where the build reads the login from (registration.EMAIL_VAR / PASSWORD_VAR); named in
#: messages so the fix is obvious.
_CREDENTIAL_VARS = "HARMONY_EMAIL / HARMONY_PASSWORD"


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
class Refusal:
    """One refused reply, with the context needed to explain it.

    `call` is the operation name (login, register, list, delete, delete_payload,
    validate); `doing` describes it for people ("register connector 'Dropbox' 1.0.0 in
    org 10001"); `subject` names what a 404 would be about ("org 10001", "connector 44").
    """

    call: str
    doing: str
    host: str
    http_status: int
    error_code: str | None
    error_message: str | None
    subject: str = ""
    email: str = ""


_TFA_HINT = re.compile(r"TFA|two[-_ ]?factor|2FA|MFA|multi[-_ ]?factor", re.IGNORECASE)
_SSO_HINT = re.compile(r"\bSSO\b|_SSO|SSO_|single[-_ ]sign[-_ ]on|\bSAML\b", re.IGNORECASE)
_IN_USE_HINT = re.compile(r"IN_USE|in use|used (?:by|in)", re.IGNORECASE)


def _detail(refusal: Refusal) -> str:
    """ "HTTP 404, ORG_NOT_FOUND: Organization 1 not found" — what Harmony said, already scrubbed."""
    parts = [f"HTTP {refusal.http_status}"]
    if refusal.error_code:
        parts.append(refusal.error_code)
    text = ", ".join(parts)
    if refusal.error_message:
        text += f": {refusal.error_message.rstrip('.')}"
    return text


class _Attrs(TypedDict):
    operation: str
    error_code: str | None
    error_message: str | None
    http_status: int


def _attrs(refusal: Refusal) -> _Attrs:
    return {
        "operation": refusal.call,
        "error_code": refusal.error_code,
        "error_message": refusal.error_message,
        "http_status": refusal.http_status,
    }


def _hints(refusal: Refusal) -> str:
    return f"{refusal.error_code or ''} {refusal.error_message or ''}"


def is_token_refusal(http_status: int, error_code: str | None) -> bool:
    """A refused session token: the client logs in again once and repeats the call."""
    return http_status == 401 or error_code == ErrorCode.INVALID_TOKEN


def classify(refusal: Refusal) -> ApiError:
    """The error for a refused reply that no retry or re-login will fix.

    Order: the call and the HTTP status decide; codes and message text refine. 5xx and
    429 are not handled here (the client owns their retry budget).
    """
    status, code = refusal.http_status, refusal.error_code or ""
    hints = _hints(refusal)
    detail = _detail(refusal)
    if refusal.call == "login":
        return _login_error(refusal, detail, hints)
    if status == 401 or code == ErrorCode.INVALID_TOKEN:
        return AuthenticationError(
            f"Harmony at {refusal.host} refused the session of {refusal.email or 'the account'} to "
            f"{refusal.doing} even after logging in again ({detail}). The account may have no access "
            "to that organization: check the configured org id and the account's role in Harmony.",
            **_attrs(refusal),
        )
    if code == ErrorCode.CONNECTOR_IN_USE or (
        refusal.call in ("delete", "delete_payload") and (status == 409 or _IN_USE_HINT.search(hints))
    ):
        part = "payload" if refusal.call == "delete_payload" else "registration"
        return ConnectorInUseError(
            f"Harmony at {refusal.host} refused to delete the {part} of {refusal.subject or 'the connector'}"
            f" because a project of the organization uses it ({detail}). Remove the connector from those "
            "projects first: both the registration and the payload can be deleted only when no project "
            "uses the connector.",
            **_attrs(refusal),
        )
    if status == 404 or code.endswith("_NOT_FOUND"):
        what = "org" if "ORG" in code else refusal.subject or "the org or connector"
        return NotFoundError(
            f"Harmony at {refusal.host} does not know {what} ({detail}) while trying to {refusal.doing}. "
            "Check the configured org id (the login's defaultOrgId is used when none is set) and the "
            "connector id (`list` shows the org's connectors).",
            **_attrs(refusal),
        )
    if refusal.call == "validate" and (code == ErrorCode.INVALID_SECURITY_INFO or 200 <= status < 300):
        # [INF] a well-formed validate that gets `status: false` with a 2xx is Harmony's "no".
        return InvalidSecurityInfoError(
            f"Harmony at {refusal.host} rejected the connector key and secret: {refusal.doing} failed "
            f"({detail}). They do not belong to a registration of that name in that org: use the key "
            "and secret Harmony returned for this connector in this org (e.g. unset "
            "HARMONY_CONNECTOR_KEY/SECRET and delete the generated manifest so they are looked up again).",
            **_attrs(refusal),
        )
    return RequestRejectedError(
        f"Harmony at {refusal.host} refused to {refusal.doing} ({detail}). Check the values sent "
        "(connector name and version, org id) against Harmony's message.",
        **_attrs(refusal),
    )


def _login_error(refusal: Refusal, detail: str, hints: str) -> ApiError:
    who = refusal.email or "the account"
    code, status = refusal.error_code or "", refusal.http_status
    if code == ErrorCode.TFA_REQUIRED or _TFA_HINT.search(hints):
        return LoginRefusedError(
            f"Harmony at {refusal.host} refused the login of {who}: the account uses two-factor "
            f"authentication, which an unattended build cannot complete ({detail}). Build with a service "
            f"account that has no two-factor authentication ({_CREDENTIAL_VARS}).",
            **_attrs(refusal),
        )
    if code == ErrorCode.SSO_REQUIRED or _SSO_HINT.search(hints):
        return LoginRefusedError(
            f"Harmony at {refusal.host} refused the login of {who}: the organization uses single sign-on "
            f"({detail}). Ask an org administrator to put a service account on the organization's "
            f'"bypass SSO" list, and build with that account ({_CREDENTIAL_VARS}).',
            **_attrs(refusal),
        )
    if status in (401, 403) or code == ErrorCode.INVALID_CREDENTIALS or 200 <= status < 300:
        return AuthenticationError(
            f"Harmony at {refusal.host} refused the login of {who}: wrong email or password ({detail}). "
            f"Check {_CREDENTIAL_VARS}, and that the account belongs to this region's Harmony.",
            **_attrs(refusal),
        )
    return RequestRejectedError(
        f"Harmony at {refusal.host} refused the login of {who} ({detail}). Check {_CREDENTIAL_VARS}.",
        **_attrs(refusal),
    )
