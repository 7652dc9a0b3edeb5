"""Where the client sends requests: regions, URLs, the base path, and the refusal of plain http."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from hatch_harmony.api import protocol
from hatch_harmony.api.client import resolve_base_url
from hatch_harmony.api.errors import InsecureUrlError, RegisterOutcomeUnknownError, RequestRejectedError
from hatch_harmony.api.host import Host, HostError, is_loopback
from hatch_harmony.api.protocol import AUTH_HEADER
from hatch_harmony.api.transport import MAX_REDIRECTS
from hatch_harmony.config import load_config, url_problem
from hatch_harmony.engine.connection import lock_host
from hatch_harmony.errors import ConfigError, HarmonyError
from tests.client_fakes import (
    EMAIL,
    HOST,
    ORG,
    PASSWORD,
    TOKEN,
    FakeHarmony,
    login_reply,
    make_client,
    ok,
    registration_wire,
)

BASE = protocol.BASE_PATH


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("na", "https://na-east.jitterbit.com"),
        ("EMEA", "https://emea-west.jitterbit.com"),
        (" apac ", "https://apac-southeast.jitterbit.com"),
    ],
)
def test_region_names_map_to_the_documented_hosts(region: str, host: str) -> None:
    assert resolve_base_url(region) == host + BASE
    assert Host.parse(resolve_base_url(region)).key == host


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://harmony.example.com", "https://harmony.example.com" + BASE),
        ("https://harmony.example.com/", "https://harmony.example.com" + BASE),
        ("HTTPS://Harmony.Example.COM:8443", "https://harmony.example.com:8443" + BASE),
        ("https://gw.example.com/harmony/", "https://gw.example.com/harmony" + BASE),
        ("https://harmony.example.com/jitterbit-cloud-restful-service", "https://harmony.example.com" + BASE),
        ("https://harmony.example.com" + BASE, "https://harmony.example.com" + BASE),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080" + BASE),
        ("http://localhost:9000/", "http://localhost:9000" + BASE),
        ("http://[::1]:9000", "http://[::1]:9000" + BASE),
    ],
)
def test_urls_get_the_base_path_exactly_once(url: str, expected: str) -> None:
    assert resolve_base_url(url) == expected


def test_the_host_key_drops_only_the_api_base_path() -> None:
    assert Host.parse("https://harmony.example.com:8443" + BASE).key == "https://harmony.example.com:8443"
    assert Host.parse("https://gw.example.com/harmony" + BASE).key == "https://gw.example.com/harmony"
    assert Host.parse("http://127.0.0.1:8080" + BASE).key == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    "host",
    ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1"],
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "0.0.0.0", "example.com", "localhost.example.com", "128.0.0.1", "::2", ""]
)
def test_not_loopback_hosts(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize(
    "url", ["http://harmony.example.com", "http://10.1.2.3:8080", "http://na-east.jitterbit.com/"]
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(InsecureUrlError) as caught:
        resolve_base_url(url)
    assert isinstance(caught.value, ConfigError)
    assert caught.value.exit_code == 2
    assert "https://" in str(caught.value)
    assert "localhost" in str(caught.value)


@pytest.mark.parametrize("url", ["ftp://harmony.example.com", "file:///etc/passwd", "ws://127.0.0.1:80"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(InsecureUrlError, match="https://"):
        resolve_base_url(url)


def test_unknown_region_lists_the_regions() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_base_url("us-west")
    message = str(caught.value)
    assert "'us-west'" in message
    assert "na, emea, apac" in message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://", "with a host"),
        ("https://harmony.example.com:99999", "invalid port"),
        ("https://harmony.example.com/?token=x", "query"),
        ("https://harmony.example.com/#top", "fragment"),
    ],
)
def test_unusable_urls_are_config_errors(url: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        resolve_base_url(url)


def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_base_url(f"https://me:{PASSWORD}@harmony.example.com")
    assert PASSWORD not in str(caught.value)
    assert "HARMONY_PASSWORD" in str(caught.value)


def test_client_refuses_plain_http_before_sending_anything() -> None:
    fake = FakeHarmony()
    with pytest.raises(InsecureUrlError):
        make_client(fake, url="http://harmony.example.com")
    assert fake.requests == []


def test_client_sends_to_the_resolved_base_url_with_explicit_timeouts() -> None:
    fake = FakeHarmony(login_reply())
    with make_client(fake, url="http://127.0.0.1:8080", connect_timeout=3.0, read_timeout=7.0) as client:
        client.login()
    request = fake.requests[0]
    assert str(request.url) == "http://127.0.0.1:8080/jitterbit-cloud-restful-service/user/login"
    timeout = request.extensions["timeout"]
    assert timeout["connect"] == 3.0
    assert timeout["read"] == 7.0


def test_client_accepts_a_region_name() -> None:
    fake = FakeHarmony(login_reply())
    with make_client(fake, url="emea") as client:
        client.login()
        assert client.host == "https://emea-west.jitterbit.com"
    assert str(fake.requests[0].url) == "https://emea-west.jitterbit.com" + BASE + "user/login"


def test_a_redirect_to_another_host_is_not_followed_and_names_what_to_set() -> None:
    """The password or authToken would travel to a host nobody configured."""
    fake = FakeHarmony(
        login_reply(), httpx.Response(302, headers={"Location": "https://elsewhere.example.net/x?t=1"})
    )
    with make_client(fake) as client, pytest.raises(RequestRejectedError) as caught:
        client.list_connectors()
    assert len(fake.requests) == 2 and client.requests_made == 2
    assert {request.url.host for request in fake.requests} == {"harmony.example.com"}
    message = str(caught.value)
    for words in (
        "answered HTTP 302 to list the connectors of org 10001, pointing to another host: "
        "https://elsewhere.example.net.",
        'url = "https://elsewhere.example.net" in [tool.hatch.build.hooks.harmony]',
        "HARMONY_URL=https://elsewhere.example.net",
        "--url https://elsewhere.example.net",
    ):
        assert words in message
    assert "t=1" not in message and "region =" not in message


def test_a_login_redirected_to_a_region_host_names_the_region() -> None:
    fake = FakeHarmony(
        httpx.Response(307, headers={"Location": "https://emea-west.jitterbit.com" + BASE + "user/login"})
    )
    with make_client(fake, url="na") as client, pytest.raises(RequestRejectedError) as caught:
        client.login()
    assert len(fake.requests) == 1  # the password went to na-east only
    assert 'region = "emea" (or HARMONY_REGION=emea)' in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_a_redirect_from_https_to_http_on_the_same_host_is_another_host() -> None:
    fake = FakeHarmony(httpx.Response(308, headers={"Location": "http://harmony.example.com/x"}))
    with (
        make_client(fake) as client,
        pytest.raises(RequestRejectedError, match=r"another host: http://harmony\.example\.com\."),
    ):
        client.login()
    assert len(fake.requests) == 1


def test_a_same_host_redirect_that_keeps_the_method_is_followed() -> None:
    """A path change on the same scheme, host and port: method, body and headers go again."""
    moved = HOST + "/eu" + BASE
    base_url = HOST + BASE
    fake = FakeHarmony(
        httpx.Response(307, headers={"Location": "/eu" + BASE + "user/login"}),
        login_reply(),
        httpx.Response(308, headers={"Location": moved + f"orgs/{ORG}/connector"}),
        ok(registeredConnectorList=[]),
    )
    with make_client(fake) as client:
        assert client.list_connectors() == []
        assert client.requests_made == 4
    assert [(r.method, str(r.url)) for r in fake.requests] == [
        ("PUT", base_url + "user/login"),
        ("PUT", moved + "user/login"),
        ("GET", base_url + f"orgs/{ORG}/connector"),
        ("GET", moved + f"orgs/{ORG}/connector"),
    ]
    assert fake.requests[1].content == fake.requests[0].content  # the login body, to the same host
    assert fake.requests[3].headers[AUTH_HEADER] == TOKEN


def test_a_same_host_register_redirect_is_followed_once_and_registers_once() -> None:
    """A 3xx was not processed: sending the register again, to the same host, cannot register twice."""
    fake = FakeHarmony(
        login_reply(),
        httpx.Response(307, headers={"Location": "/eu" + BASE + f"orgs/{ORG}/connector"}),
        ok(**registration_wire()),
    )
    with make_client(fake) as client:
        assert client.register("Dropbox", "1.0.0").id == registration_wire()["id"]
    assert [r.method for r in fake.requests] == ["PUT", "POST", "POST"]


@pytest.mark.parametrize("status", [307, 308])
def test_a_register_sent_to_another_host_is_not_followed_and_names_the_host(status: int) -> None:
    """A 307/308 was not processed: the clear message, not "outcome unknown" (nothing was registered)."""
    fake = FakeHarmony(
        login_reply(),
        httpx.Response(status, headers={"Location": "https://emea-west.jitterbit.com" + BASE + "x"}),
    )
    with make_client(fake) as client, pytest.raises(RequestRejectedError) as caught:
        client.register("Dropbox", "1.0.0")
    assert not isinstance(caught.value, RegisterOutcomeUnknownError)
    assert [r.url.host for r in fake.requests] == ["harmony.example.com"] * 2
    assert "pointing to another host: https://emea-west.jitterbit.com." in str(caught.value)
    assert 'region = "emea"' in str(caught.value)


def test_a_register_answered_see_other_elsewhere_leaves_its_outcome_unknown() -> None:
    """A 303 says "done, look there": the registration may exist, so listing must settle it."""
    fake = FakeHarmony(
        login_reply(), httpx.Response(303, headers={"Location": "https://elsewhere.example.net/c/1"})
    )
    with make_client(fake) as client, pytest.raises(RegisterOutcomeUnknownError):
        client.register("Dropbox", "1.0.0")
    assert len(fake.requests) == 2


def test_a_same_host_redirect_that_would_change_a_put_into_a_get_is_not_followed() -> None:
    fake = FakeHarmony(httpx.Response(302, headers={"Location": "/elsewhere"}))
    with make_client(fake) as client, pytest.raises(HarmonyError, match="HTTP 302"):
        client.login()
    assert len(fake.requests) == 1


def test_a_same_host_redirect_loop_stops() -> None:
    loop = httpx.Response(307, headers={"Location": "/loop"})
    fake = FakeHarmony(*[loop] * 4)
    with make_client(fake) as client, pytest.raises(HarmonyError, match="HTTP 307"):
        client.login()
    assert len(fake.requests) == 1 + MAX_REDIRECTS


# --- one owner of the host rule; invalid URLs are one message, never a crash ---------

#: (URL, words of the message). Each passed validation before, then crashed inside httpx or idna.
INVALID_URLS = [
    ("https://\u2603.example.com", "ASCII"),
    ("https://b\u00fccher.example.com", "xn--"),
    ("https://harmony.example.com/a\x07b", "control characters"),
    ("https://harmony.example.com/a\x7fb", "control characters"),
    ("https://harmony.example.com/\u00e4", "ASCII"),
    ("https://ex..ample.com", "host name"),
    ("https://.example.com", "host name"),
    ("https://-bad.example.com", "host name"),
    ("https://" + "a" * 64 + ".example.com", "host name"),
    ("https://harmony.example.com:0", "invalid port"),
    ("https://999.1.2.3", "IP address"),
    ("https://[::1", "not a valid URL"),
    ("https://[fe80::1%25eth0]", "IP address"),
]


@pytest.mark.parametrize(("url", "words"), INVALID_URLS)
def test_invalid_urls_are_one_config_message_everywhere(url: str, words: str) -> None:
    problem = url_problem(url)
    assert problem is not None and words in problem
    with pytest.raises(ConfigError) as caught:
        resolve_base_url(url)
    assert words in str(caught.value)
    with pytest.raises(HostError, match=words):
        Host.parse(url)


@pytest.mark.parametrize(("url", "words"), INVALID_URLS[:6])
def test_an_invalid_url_option_is_blamed_on_the_option_without_a_traceback(
    url: str, words: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
    done = subprocess.run(
        [sys.executable, "-m", "hatch_harmony", "login", "--url", url, "--project", str(tmp_path)],
        env={**env, "HARMONY_EMAIL": EMAIL, "HARMONY_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("hatch-harmony: --url: "), done.stderr
    assert words in done.stderr


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("na", "https://na-east.jitterbit.com"),
        ("HTTPS://Harmony.Example.COM:8443/", "https://harmony.example.com:8443"),
        ("https://gw.example.com/harmony/jitterbit-cloud-restful-service/", "https://gw.example.com/harmony"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://localhost.:9000", "http://localhost.:9000"),
    ],
)
def test_one_host_gives_one_lock_key_through_every_owner(setting: str, key: str, tmp_path: Path) -> None:
    """The lock key the engine writes, the client's host and the Host value agree."""
    host = Host.from_setting(setting)
    assert host.key == key
    assert Host.parse(resolve_base_url(setting)).key == key
    assert resolve_base_url(setting) == host.base_url == key + BASE
    config = load_config({"url": setting} if "://" in setting else {"region": setting}, tmp_path, {})
    assert lock_host(config) == key


def test_the_host_module_stays_free_of_httpx() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import hatch_harmony.api.host, hatch_harmony.config"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line]
    assert "hatch_harmony.api.host" in imported
    assert not [name for name in imported if name.split(".")[0] in ("httpx", "httpcore", "idna")]
