"""The Connector Manager API's routes and replies, without sockets.

`route_of` maps a method and path to one of `faults.ROUTES`; `handle` checks headers and
bodies as Harmony would and turns `State` answers into the documented JSON replies
(Jitterbit's Connector Manager API documentation). The HTTP server only moves bytes.

Strictness [INF]: paths must match exactly (no doubled or trailing slash), and a PUT or POST
must say `Content-Type: application/json` (415 otherwise), so a client bug shows up here
rather than against Harmony. Bodies of GET and DELETE are ignored, because Jitterbit's
Postman collection sends `Content-Type: application/json` with an empty body on both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any, Protocol
from urllib.parse import unquote

from hatch_harmony.api.protocol import BASE_PATH, ErrorCode
from hatch_harmony.emulator.state import Refusal, State, User, org_name
from hatch_harmony.emulator.variations import SESSION_COOKIE

#: The `operation` of each reply, after the headings of the API documentation.
OPERATIONS = {
    "login": "User login",
    "register": "Register a connector",
    "list": "List registered connectors",
    "delete": "Delete a connector registration",
    "delete_payload": "Delete a connector payload",
    "validate": "Validate a connector key and secret",
    "other": "Unknown operation",
}

# (path pattern, method, route); "{org}" and "{id}" are path parameters.
_PATTERNS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("user", "login"), "PUT", "login"),
    (("orgs", "{org}", "connector"), "POST", "register"),
    (("orgs", "{org}", "connector"), "GET", "list"),
    (("orgs", "{org}", "connector", "validate", "securityinfo"), "PUT", "validate"),
    (("orgs", "{org}", "connector", "{id}"), "DELETE", "delete"),
    (("orgs", "{org}", "connector", "{id}", "sdk", "delete"), "DELETE", "delete_payload"),
)


class Headers(Protocol):
    """What `email.message.Message` (the server's request headers) offers: case-insensitive get."""

    def get(self, name: str, /) -> str | None: ...


@dataclass(frozen=True)
class Route:
    """`name` is a route of faults.ROUTES or "other"; `allowed` lists the methods of a known path."""

    name: str
    org_id: str = ""
    connector_id: str = ""
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and self.payload.get("status") is True


def route_of(method: str, path: str) -> Route:
    """Which API call a request is; query strings must already be removed from `path`."""
    if not path.startswith(BASE_PATH):
        return Route("other")
    parts = tuple(unquote(part) for part in path[len(BASE_PATH) :].split("/"))
    allowed: list[str] = []
    for pattern, pattern_method, name in _PATTERNS:
        params = _match(pattern, parts)
        if params is None:
            continue
        if pattern_method == method:
            return Route(name, params.get("org", ""), params.get("id", ""))
        allowed.append(pattern_method)
    return Route("other", allowed=tuple(allowed))


def _match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> dict[str, str] | None:
    if len(pattern) != len(parts):
        return None
    params: dict[str, str] = {}
    for expected, part in zip(pattern, parts, strict=True):
        if expected.startswith("{"):
            if not part:
                return None
            params[expected.strip("{}")] = part
        elif expected != part:
            return None
    return params


def error_reply(route: str, status: int, code: str, message: str) -> Reply:
    payload = {"status": False, "operation": OPERATIONS[route], "errorCode": code, "errorMessage": message}
    return Reply(status, payload)


def handle(
    state: State, route: Route, method: str, *, headers: Headers, body: bytes, server_url: str
) -> Reply:
    """The reply to one API request (never raises for bad input: that is an error reply)."""
    try:
        if route.name == "other":
            return _unknown(route, method)
        if method in ("PUT", "POST"):
            _check_json_content_type(headers)
        if route.name == "login":
            return _login(state, _json_object(body), server_url)
        user = state.authenticate(headers.get("authToken"), _session_cookie(headers))
        state.check_org(user, route.org_id)
        handler = _HANDLERS[route.name]
        return handler(state, user, route, body if method in ("PUT", "POST") else b"")
    except Refusal as refusal:
        return error_reply(route.name, refusal.http_status, refusal.error_code, refusal.message)


def _unknown(route: Route, method: str) -> Reply:
    if route.allowed:
        reply = error_reply(
            "other",
            405,
            ErrorCode.BAD_REQUEST,
            f"Method {method} is not allowed here; use {' or '.join(route.allowed)}.",
        )
        reply.headers["Allow"] = ", ".join(route.allowed)
        return reply
    return error_reply("other", 404, ErrorCode.BAD_REQUEST, f"No such API under {BASE_PATH}.")


def _check_json_content_type(headers: Headers) -> None:
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise Refusal(
            415, ErrorCode.BAD_REQUEST, "Send the request body with Content-Type: application/json."
        )


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refusal(400, ErrorCode.BAD_REQUEST, "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise Refusal(400, ErrorCode.BAD_REQUEST, "The request body must be a JSON object.")
    return data


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Refusal(400, ErrorCode.BAD_REQUEST, f'The field "{key}" must be a non-empty string.')
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise Refusal(400, ErrorCode.BAD_REQUEST, f'The field "{key}" must not contain control characters.')
    return value


def _session_cookie(headers: Headers) -> str | None:
    """The session cookie's value in the request's Cookie header, if any."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("Cookie") or "")
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None else None


def _login(state: State, data: dict[str, Any], server_url: str) -> Reply:
    result = state.login(_text(data, "email"), _text(data, "password"))
    org_id = result.user.org_id
    headers = {}
    if result.cookie is not None:
        headers["Set-Cookie"] = f"{SESSION_COOKIE}={result.cookie}; Path=/; HttpOnly"
    return Reply(
        200,
        {
            "status": True,
            "operation": OPERATIONS["login"],
            "authenticationToken": result.token,
            "defaultOrgId": org_id,
            "orgAttrs": [
                {"orgId": org, "orgName": org_name(org), "orgZoneUrl": server_url}
                for org in result.user.org_ids
            ],
            "sessionTimeoutInSeconds": result.timeout_seconds,
            "serverUrl": server_url,
        },
        headers,
    )


def _ok(route: str, **fields: Any) -> Reply:
    return Reply(200, {"status": True, "operation": OPERATIONS[route], **fields})


def _register(state: State, user: User, route: Route, body: bytes) -> Reply:
    data = _json_object(body)
    name, version = _text(data, "name"), _text(data, "version")
    if "/" in name or "\\" in name:
        # [DOC] connector names must not contain special characters or "/".
        raise Refusal(400, ErrorCode.BAD_REQUEST, 'The connector name must not contain "/" or "\\".')
    registration = state.register(route.org_id, name, version)
    wire = registration.to_wire()
    if not state.variations.upper_case_names:
        del wire["name"], wire["version"]  # the documented register reply carries neither
    if state.variations.register_without_id:
        del wire["id"]
    return _ok("register", **wire)


def _list(state: State, user: User, route: Route, body: bytes) -> Reply:
    hidden = ("key", "secret") if state.variations.list_without_keys else ()
    connectors = [
        {wire: value for wire, value in reg.to_wire().items() if wire not in hidden}
        for reg in state.list_registrations(route.org_id)
    ]
    return _ok("list", registeredConnectorList=connectors)


def _delete(state: State, user: User, route: Route, body: bytes) -> Reply:
    state.delete(route.org_id, route.connector_id)
    return _ok("delete")


def _delete_payload(state: State, user: User, route: Route, body: bytes) -> Reply:
    state.delete_payload(route.org_id, route.connector_id)
    return _ok("delete_payload")


def _validate(state: State, user: User, route: Route, body: bytes) -> Reply:
    data = _json_object(body)
    state.validate(route.org_id, _text(data, "name"), _text(data, "key"), _text(data, "secret"))
    return _ok("validate")


_HANDLERS: dict[str, Callable[[State, User, Route, bytes], Reply]] = {
    "register": _register,
    "list": _list,
    "delete": _delete,
    "delete_payload": _delete_payload,
    "validate": _validate,
}
