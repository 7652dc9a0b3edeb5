"""The emulator's test controls, in-process and over HTTP under /__emulator__/."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any

import pytest

from hatch_harmony.api.protocol import (
    LOGIN_PATH,
    ErrorCode,
    connector_path,
    connectors_path,
    payload_path,
    validate_path,
)
from hatch_harmony.emulator import ROUTES, Emulator
from tests.plugins.emulator import RawApi, Response

ORG = "10001"


def control(api: RawApi, method: str, name: str, body: Any = None) -> Response:
    return api.request(method, "/__emulator__/" + name, body, raw_path=True)


def every_route(api: RawApi, token: str) -> None:
    """One request to each API route, in ROUTES order."""
    reg = api.register(token)
    api.request("GET", connectors_path(ORG), token=token)
    api.request("DELETE", connector_path(ORG, "999999"), token=token)
    api.request("DELETE", payload_path(ORG, reg["id"]), token=token)
    api.request("PUT", validate_path(ORG), {"name": "x", "key": "k", "secret": "s"}, token=token)


# --- counters ----------------------------------------------------------------------------------


def test_counts_every_route_including_failed_requests(api: RawApi, emulator: Emulator) -> None:
    assert emulator.counts() == dict.fromkeys((*ROUTES, "other"), 0)
    every_route(api, api.login())
    api.request("GET", "nothing/here")
    assert emulator.counts() == dict.fromkeys((*ROUTES, "other"), 1)
    emulator.reset_counts()
    assert set(emulator.counts().values()) == {0}


def test_controls_themselves_are_not_counted(api: RawApi, emulator: Emulator) -> None:
    control(api, "GET", "counts")
    control(api, "POST", "reset-counts")
    assert sum(emulator.counts().values()) == 0


# --- fail_next ---------------------------------------------------------------------------------


def test_fail_next_500_leaves_the_request_unprocessed(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    emulator.fail_next(1, 500, route="register")
    reply = api.request("POST", connectors_path(ORG), {"name": "A", "version": "1"}, token=token)
    assert reply.status == 500
    assert reply.json()["status"] is False and reply.json()["errorCode"] == ErrorCode.INTERNAL
    assert emulator.registrations() == []
    assert api.register(token)["status"] is True  # only the next one failed
    assert emulator.counts()["register"] == 2


def test_fail_next_503_with_retry_after_counts_down(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    emulator.fail_next(2, 503, route="list", retry_after=1.5)
    for _ in range(2):
        reply = api.request("GET", connectors_path(ORG), token=token)
        assert reply.status == 503
        assert reply.headers["Retry-After"] == "1.5"
    assert api.request("GET", connectors_path(ORG), token=token).status == 200


def test_fail_next_429_and_any_route(api: RawApi, emulator: Emulator) -> None:
    emulator.fail_next(1, 429, retry_after=2)
    reply = api.request("PUT", LOGIN_PATH, {"email": "demo@example.com", "password": "demo-password"})
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "2"
    assert reply.json()["status"] is False
    assert api.login()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><head><title>502 Bad Gateway</title></head></html>", "text/html; charset=utf-8"),
        (b'{"status": true, "registeredConnector', "application/json"),
    ],
)
def test_fail_next_with_a_raw_body(api: RawApi, emulator: Emulator, body: bytes, content_type: str) -> None:
    token = api.login()
    emulator.fail_next(1, 502, route="list", body=body)
    reply = api.request("GET", connectors_path(ORG), token=token)
    assert (reply.status, reply.body, reply.headers["Content-Type"]) == (502, body, content_type)


def test_fail_next_status_false_with_http_200(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    emulator.fail_next(1, 200, route="list")
    reply = api.request("GET", connectors_path(ORG), token=token)
    assert reply.status == 200 and reply.json()["status"] is False


def test_faults_queue_in_order_per_route(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    emulator.fail_next(1, 500, route="validate")
    emulator.fail_next(1, 503, route="list")
    emulator.fail_next(1, 504, route="list")
    assert api.request("GET", connectors_path(ORG), token=token).status == 503
    assert api.request("GET", connectors_path(ORG), token=token).status == 504
    assert api.request("GET", connectors_path(ORG), token=token).status == 200
    body = {"name": "x", "key": "k", "secret": "s"}
    assert api.request("PUT", validate_path(ORG), body, token=token).status == 500


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((0, 500), {}), ((1, 99), {}), ((1, 500), {"route": "nope"}), ((1, 503), {"retry_after": -1})],
)
def test_fail_next_rejects_nonsense(
    emulator: Emulator, args: tuple[int, int], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        emulator.fail_next(*args, **kwargs)


# --- drop, latency, in use, override -----------------------------------------------------------


def test_drop_after_register_commits_then_closes_without_reply(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    emulator.drop_after_register()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        api.request("POST", connectors_path(ORG), {"name": "Lost", "version": "1"}, token=token)
    [reg] = emulator.registrations()
    assert reg.name == "Lost"
    assert api.register(token, "Next")["status"] is True  # only once
    assert len(emulator.registrations()) == 2


def test_drop_after_register_waits_for_a_successful_register(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    emulator.drop_after_register()
    bad = api.request("POST", connectors_path(ORG), {"name": "a/b", "version": "1"}, token=token)
    assert bad.status == 400  # a refused register commits nothing, so nothing is dropped
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        api.request("POST", connectors_path(ORG), {"name": "ok", "version": "1"}, token=token)


def test_latency_delays_api_requests(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    emulator.set_latency(0.2)
    started = time.monotonic()
    assert api.request("GET", connectors_path(ORG), token=token).status == 200
    assert time.monotonic() - started >= 0.2  # a lower bound: sleeping never takes less
    emulator.set_latency(0)
    with pytest.raises(ValueError):
        emulator.set_latency(-1)


def test_hold_next_sends_the_reply_computed_before_the_others(api: RawApi, emulator: Emulator) -> None:
    """The held list reply is the state when it arrived: a register made meanwhile is not in it."""
    import threading

    token = api.login()
    emulator.hold_next("list", others=1, timeout=30)
    held: list[Response] = []
    path = connectors_path(ORG)
    first = threading.Thread(target=lambda: held.append(api.request("GET", path, token=token)))
    first.start()
    while emulator.controls.held == 0:
        time.sleep(0.005)
    api.register(token, name="Late")
    fresh = api.request("GET", connectors_path(ORG), token=token)  # the second list: releases the first
    first.join(30)
    assert [r["name"] for r in fresh.json()["registeredConnectorList"]] == ["Late"]
    assert held[0].status == 200 and held[0].json()["registeredConnectorList"] == []
    for bad in ({"others": 0}, {"timeout": 0}):
        with pytest.raises(ValueError):
            emulator.hold_next("list", **bad)
    assert control(api, "POST", "hold-next", {"route": "nope"}).status == 400
    assert control(api, "POST", "hold-next", {"route": "login", "timeout": 0.01}).status == 200


def test_set_in_use_unknown_connector_is_a_key_error(emulator: Emulator) -> None:
    with pytest.raises(KeyError):
        emulator.set_in_use("424242")


def test_override_next_changes_only_the_reply(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    emulator.override_next("register", {"key": "abc\r\nX-Injected: 1", "functionEntityEndId": None})
    reply = api.request("POST", connectors_path(ORG), {"name": "A", "version": "1"}, token=token).json()
    assert reply["key"] == "abc\r\nX-Injected: 1" and "functionEntityEndId" not in reply
    [reg] = emulator.registrations()
    assert reg.key != reply["key"] and reg.function_entity_end_id  # the state is not corrupted
    assert "\r" not in api.register(token)["key"]  # only the next reply


def test_override_next_list_items_and_types(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    api.register(token)
    emulator.override_next("list", {"registeredConnectorList": [{"id": 5, "endpointEntityId": "-1"}]})
    reply = api.request("GET", connectors_path(ORG), token=token).json()
    assert reply["registeredConnectorList"] == [{"id": 5, "endpointEntityId": "-1"}]


def test_override_waits_for_a_successful_reply(api: RawApi, emulator: Emulator) -> None:
    emulator.override_next("login", {"defaultOrgId": 10001})
    assert api.request("PUT", LOGIN_PATH, {"email": "x@example.com", "password": "y"}).status == 401
    reply = api.request("PUT", LOGIN_PATH, {"email": "demo@example.com", "password": "demo-password"})
    assert reply.json()["defaultOrgId"] == 10001


# --- over HTTP ---------------------------------------------------------------------------------


def test_http_controls_are_404_unless_enabled() -> None:
    with Emulator() as emulator:
        api = RawApi(emulator)
        for method, name in (("GET", "counts"), ("POST", "fail-next"), ("GET", "registrations")):
            assert control(api, method, name, {"status": 500}).status == 404
        assert emulator.counts()["other"] == 3
        assert api.login()  # and nothing was injected


def test_http_counts_and_reset(api: RawApi, emulator: Emulator) -> None:
    api.login()
    assert control(api, "GET", "counts").json()["counts"]["login"] == 1
    assert control(api, "POST", "reset-counts").json() == {"status": True}
    assert control(api, "GET", "counts").json()["counts"]["login"] == 0


def test_http_fail_next(api: RawApi, emulator: Emulator) -> None:
    body = {"n": 1, "status": 503, "route": "login", "retry_after": 1}
    assert control(api, "POST", "fail-next", body).status == 200
    reply = api.request("PUT", LOGIN_PATH, {"email": "demo@example.com", "password": "demo-password"})
    assert (reply.status, reply.headers["Retry-After"]) == (503, "1")
    control(api, "POST", "fail-next", {"status": 502, "body": "<html>down</html>"})
    reply = api.request("GET", connectors_path(ORG))
    assert (reply.status, reply.body) == (502, b"<html>down</html>")


def test_http_drop_after_register_and_registrations(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    assert control(api, "POST", "drop-after-register").status == 200
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        api.request("POST", connectors_path(ORG), {"name": "Lost", "version": "1"}, token=token)
    listed = control(api, "GET", "registrations?org=10001").json()
    [item] = listed["registrations"]
    [reg] = emulator.registrations()
    assert item == {**reg.to_wire(), "inUse": False, "payloadCached": False}
    assert control(api, "GET", "registrations?org=20002").json()["registrations"] == []


def test_http_in_use(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    reg = api.register(token)
    assert control(api, "POST", "in-use", {"connector_id": reg["id"], "in_use": True}).status == 200
    refused = api.request("DELETE", connector_path(ORG, reg["id"]), token=token)
    assert refused.json()["errorCode"] == ErrorCode.CONNECTOR_IN_USE
    assert control(api, "GET", "registrations").json()["registrations"][0]["inUse"] is True
    control(api, "POST", "in-use", {"connector_id": reg["id"], "in_use": False})
    assert api.request("DELETE", connector_path(ORG, reg["id"]), token=token).status == 200
    missing = control(api, "POST", "in-use", {"connector_id": "424242"})
    assert missing.status == 400 and "424242" in missing.json()["errorMessage"]


def test_http_latency_expire_tokens_and_override(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    assert control(api, "POST", "latency", {"seconds": 0.01}).status == 200
    assert emulator.controls.latency == 0.01
    assert control(api, "POST", "expire-tokens").status == 200
    assert api.request("GET", connectors_path(ORG), token=token).status == 401
    patch = {"route": "list", "patch": {"registeredConnectorList": "oops"}}
    assert control(api, "POST", "override-next", patch).status == 200
    reply = api.request("GET", connectors_path(ORG), token=api.login())
    assert reply.json()["registeredConnectorList"] == "oops"


@pytest.mark.parametrize(
    ("method", "name", "body", "status"),
    [
        ("POST", "fail-next", {"status": "500"}, 400),
        ("POST", "fail-next", {"status": 500, "route": "nope"}, 400),
        ("POST", "fail-next", b"{", 400),
        ("POST", "latency", {"seconds": "slow"}, 400),
        ("POST", "override-next", {"route": "list"}, 400),
        ("GET", "fail-next", None, 405),
        ("POST", "counts", None, 405),
        ("GET", "no-such-control", None, 404),
    ],
)
def test_http_controls_reject_bad_input(api: RawApi, method: str, name: str, body: Any, status: int) -> None:
    reply = api.request(method, "/__emulator__/" + name, body, raw_path=True)
    assert reply.status == status
    assert reply.json()["status"] is False and reply.json()["errorMessage"]
    assert json.loads(control(api, "GET", "counts").body)["status"] is True
