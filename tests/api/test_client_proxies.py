"""README, proxies: `ALL_PROXY` counts, `NO_PROXY` is honoured, `HTTP_PROXY` is never used for https.

Real sockets where the test can stay on 127.0.0.1: a proxy (`RawServer`) records the CONNECT
it is asked for and answers 502, so the https host itself is never resolved or reached. Where
the client would go straight to the host (NO_PROXY), the transport it picks for the URL is
asked instead, so no test talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import httpcore
import httpx
import pytest

from hatch_harmony.api.client import Credentials, HarmonyClient
from hatch_harmony.api.errors import TransportError
from tests.api.test_client_network import PROXY_VARIABLES, client_for
from tests.client_fakes import EMAIL, PASSWORD, RawServer

HOST = "https://harmony.example.com"
CONNECT = "CONNECT harmony.example.com:443 HTTP/1.1"


@pytest.fixture
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def login_through(url: str) -> TransportError:
    with client_for(url, max_retries=0) as client, pytest.raises(TransportError) as caught:
        client.login()
    return caught.value


def test_all_proxy_alone_carries_https_as_a_tunnel(no_proxy_settings: pytest.MonkeyPatch) -> None:
    with RawServer() as proxy:
        no_proxy_settings.setenv("ALL_PROXY", proxy.url)
        error = login_through(HOST)
    assert [r.line for r in proxy.requests] == [CONNECT]
    assert PASSWORD not in str(error) and all(PASSWORD.encode() not in r.body for r in proxy.requests)


def test_http_proxy_is_never_used_for_https(no_proxy_settings: pytest.MonkeyPatch) -> None:
    with RawServer() as http_proxy, RawServer() as https_proxy:
        no_proxy_settings.setenv("HTTP_PROXY", http_proxy.url)
        no_proxy_settings.setenv("HTTPS_PROXY", https_proxy.url)
        login_through(HOST)
    assert http_proxy.requests == []
    assert [r.line for r in https_proxy.requests] == [CONNECT]


def pool_for(url: str) -> object:
    """The connection pool the client's HTTP layer picks for `url` (a proxy's or a direct one)."""
    with HarmonyClient(url, Credentials(EMAIL, PASSWORD)) as client:
        http: httpx.Client = client._transport._http  # asked, never used to connect
        transport = http._transport_for_url(httpx.URL(url + "/x"))
        assert isinstance(transport, httpx.HTTPTransport)
        return transport._pool


def test_http_proxy_alone_leaves_https_direct(no_proxy_settings: pytest.MonkeyPatch) -> None:
    no_proxy_settings.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    assert not isinstance(pool_for(HOST), httpcore.HTTPProxy)


def test_no_proxy_sends_the_hosts_it_lists_direct(no_proxy_settings: pytest.MonkeyPatch) -> None:
    no_proxy_settings.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert isinstance(pool_for(HOST), httpcore.HTTPProxy)  # the control: proxied without NO_PROXY
    for listed in ("harmony.example.com", "example.com", ".example.com", "other.org,harmony.example.com"):
        no_proxy_settings.setenv("NO_PROXY", listed)
        assert not isinstance(pool_for(HOST), httpcore.HTTPProxy), listed
    no_proxy_settings.setenv("NO_PROXY", "other.example.org")
    assert isinstance(pool_for(HOST), httpcore.HTTPProxy)
