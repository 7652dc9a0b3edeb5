"""A catalogue of bad inputs: each gives one clear message, exits non-zero and changes no file.

Every row is a project (fresh, registered, or a fresh checkout of a registered one), one
thing wrong with it — in pyproject.toml, the environment, adapter.json, the manifest
template, harmony.lock, or a reply of the (emulated) Connector Manager API — and the
fragments its message must contain: where the problem is (file, TOML key, variable or the
server) and what to do. Each row runs the real CLI in a subprocess,
`python -m hatch_harmony manifest --project DIR`; a few also run a real
`python -m hatchling build -t jar`.

"Changes no file" is checked on the bytes and modes of the whole project tree, excluding
nothing. Projects start with the build mutex's file `.harmony.lock.lck` that any earlier
build leaves (hatch-harmony creates it when it first takes the mutex, and never deletes
it: see `files.mutex_file`), and with `dist/`, which hatchling creates before any
hook runs.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.config import load_config, read_project_table
from hatch_harmony.emulator import DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.engine.pipeline import generate
from hatch_harmony.util.files import build_mutex
from tests.plugins.emulator import harmony_env
from tests.projects import Project

NAME = "Acme Bad"
PROJECT = Project(NAME, "acme-bad")
ADAPTER = PROJECT.adapter()
TEMPLATE = b"Manifest-Version: 1.0\r\nAuthor: Acme\r\nJitterbit-Connector-Key: ****\r\n"
#: The first registration of a fresh emulator (its ids are deterministic).
FIRST_ID, FIRST_ENDPOINT, FIRST_START, FIRST_END = "4471", "2370701", "2370702", "2370800"
LISTED = {
    "id": FIRST_ID,
    "name": NAME,
    "version": "1.0.0",
    "key": "listed-key-1",
    "secret": "listed-secret-1",
    "endpointEntityId": FIRST_ENDPOINT,
    "functionEntityStartId": FIRST_START,
    "functionEntityEndId": FIRST_END,
}
HTML = b"<html><head><title>Sign in - Corporate Proxy</title></head><body><form>...</form></body></html>"

# --- how a row changes the project ------------------------------------------------------------------

Change = Callable[[Path, Emulator], "dict[str, str] | None"]


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def hook(text: str) -> Change:
    """Replace the harmony table's body."""

    def change(root: Path, emulator: Emulator) -> None:
        write(root / "pyproject.toml", PROJECT.pyproject(text))

    return change


def file(relative: str, data: bytes | str) -> Change:
    """Write one more file into the project."""

    def change(root: Path, emulator: Emulator) -> None:
        write(root / relative, data)

    return change


def pyproject(data: bytes | str) -> Change:
    def change(root: Path, emulator: Emulator) -> None:
        write(root / "pyproject.toml", data)

    return change


def variables(**values: str) -> Change:
    def change(root: Path, emulator: Emulator) -> dict[str, str]:
        return values

    return change


def adapter(data: bytes | dict[str, Any] | list[Any]) -> Change:
    def change(root: Path, emulator: Emulator) -> None:
        write(root / "adapter.json", data if isinstance(data, bytes) else json.dumps(data))

    return change


def adapter_with(**fields: Any) -> Change:
    """adapter.json with `fields` replaced (None removes one)."""
    return adapter(PROJECT.adapter(**fields))


def activities(keys: list[str]) -> Change:
    return adapter_with(activities={key: {"displayName": key} for key in keys})


def remove(relative: str) -> Change:
    def change(root: Path, emulator: Emulator) -> None:
        (root / relative).unlink()

    return change


def folder(relative: str) -> Change:
    """Put a folder where a file is expected."""

    def change(root: Path, emulator: Emulator) -> None:
        path = root / relative
        if path.is_file():
            path.unlink()
        path.mkdir(parents=True)

    return change


def template(data: bytes) -> Change:
    """A manifest template (and the option pointing at it)."""

    def change(root: Path, emulator: Emulator) -> None:
        write(root / "pyproject.toml", PROJECT.pyproject('manifest-template = "MANIFEST.MF"'))
        write(root / "MANIFEST.MF", data)

    return change


def lock_edit(old: str, new: str) -> Change:
    """Edit the lock written by the registration; the edited text must be there."""

    def change(root: Path, emulator: Emulator) -> None:
        path = root / "harmony.lock"
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in the lock:\n{text}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def lock_bytes(data: bytes) -> Change:
    def change(root: Path, emulator: Emulator) -> None:
        write(root / "harmony.lock", data)

    return change


def reply(route: str, status: int, body: bytes, n: int = 1) -> Change:
    """The next `n` requests to `route` get this reply, unprocessed by the emulator."""

    def change(root: Path, emulator: Emulator) -> None:
        emulator.fail_next(n, status, route=route, body=body)

    return change


def patched(route: str, patch: dict[str, Any]) -> Change:
    """The next successful reply of `route`, with `patch` merged in (JSON merge patch)."""

    def change(root: Path, emulator: Emulator) -> None:
        emulator.override_next(route, patch)

    return change


def listed(**fields: Any) -> Change:
    """`list` answers one registration of our connector, with `fields` changed."""
    return patched("list", {"registeredConnectorList": [{**LISTED, **fields}]})


def both(*changes: Change) -> Change:
    def change(root: Path, emulator: Emulator) -> dict[str, str]:
        extra: dict[str, str] = {}
        for one in changes:
            extra.update(one(root, emulator) or {})
        return extra

    return change


# --- the catalogue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """One bad input. `state`: fresh (nothing built), registered (lock and manifest), checkout (lock only)."""

    id: str
    change: Change
    expect: tuple[str, ...]
    code: int = 2
    state: str = "fresh"


CONFIG = "tool.hatch.build.hooks.harmony"
SERVER = "Harmony at http://127.0.0.1:"
LIST_ENTRY = "registeredConnectorList[0]"

CATALOGUE: list[Bad] = [
    # pyproject.toml and the environment
    Bad("pyproject-not-toml", hook("verify = "), ("pyproject.toml", "is not valid TOML", "line")),
    Bad(
        "pyproject-not-utf8",
        pyproject(PROJECT.pyproject().encode() + b"# \xff\n"),
        ("pyproject.toml", "UTF-8"),
    ),
    Bad(
        "pyproject-no-harmony-table",
        pyproject("[project]\nname = 'x'\n"),
        ("has no hatch-harmony table", CONFIG),
    ),
    Bad(
        "harmony-table-not-a-table",
        pyproject(
            PROJECT.pyproject().replace(
                "[tool.hatch.build.hooks.harmony]", "[tool.hatch.build.hooks]\nharmony = 'on'"
            )
        ),
        (CONFIG, "expected a table"),
    ),
    Bad("option-typo", hook('regoin = "na"'), (f"{CONFIG}.regoin", 'Did you mean "region"')),
    Bad(
        "password-in-pyproject",
        hook('password = "hunter2-in-pyproject"'),
        (f"{CONFIG}.password", "HARMONY_PASSWORD"),
    ),
    Bad(
        "connector-secret-in-attributes",
        hook('attributes = { Jitterbit-Connector-Secret = "s" }'),
        ("HARMONY_CONNECTOR_SECRET",),
    ),
    Bad("verify-not-boolean", hook('verify = "yes"'), (f"{CONFIG}.verify", "verify = true")),
    Bad("url-plain-http-remote", hook('url = "http://harmony.example.com"'), (f"{CONFIG}.url", "https://")),
    Bad(
        "url-with-user-and-password",
        hook('url = "https://me:pw@harmony.example.com"'),
        (f"{CONFIG}.url", "HARMONY_EMAIL"),
    ),
    Bad("region-unknown", hook('region = "mars"'), (f"{CONFIG}.region", '"na"')),
    Bad("org-id-integer", hook("org-id = 10001"), (f"{CONFIG}.org-id", 'org-id = "10001"')),
    Bad("lock-outside-project", hook('lock = "../harmony.lock"'), (f"{CONFIG}.lock", "inside the project")),
    Bad(
        "manifest-overwrites-template",
        hook('manifest-template = "MANIFEST.MF"\nmanifest = "MANIFEST.MF"'),
        (f"{CONFIG}.manifest", "same file as manifest-template"),
    ),
    Bad(
        "attribute-set-by-the-build",
        hook('attributes = { Jitterbit-Connector-UI = "ui.json" }'),
        (f"{CONFIG}.attributes", "ui-file"),
    ),
    Bad(
        "attribute-with-crlf-injection",
        hook('attributes = { Author = "Acme\\r\\nJitterbit-Connector-Endpoint-EntityTypeId: 1" }'),
        (f"{CONFIG}.attributes.Author", "one line"),
    ),
    Bad("ui-file-outside-the-jar", hook('ui-file = "../adapter.json"'), (f"{CONFIG}.ui-file", "plain path")),
    # found offline, before the first request
    Bad(
        "ui-file-is-the-manifest",
        hook('ui-file = "META-INF/MANIFEST.MF"'),
        (f"{CONFIG}.ui-file", "META-INF/", "adapter.json"),
    ),
    Bad("ui-file-in-meta-inf", hook('ui-file = "meta-inf/ui.json"'), (f"{CONFIG}.ui-file", "META-INF/")),
    Bad(
        "manifest-path-is-a-folder",
        both(hook('manifest = "out"'), folder("out")),
        (f"{CONFIG}.manifest", "out is a folder"),
    ),
    # the output is never an input
    Bad(
        "manifest-over-the-found-adapter",
        hook('manifest = "adapter.json"'),
        (f"{CONFIG}.manifest", "a file the build reads"),
    ),
    Bad(
        "manifest-over-pyproject",
        hook('manifest = "pyproject.toml"'),
        (f"{CONFIG}.manifest", "a file the build reads"),
    ),
    Bad(
        "environments-not-a-table",
        hook('environments = "prod"'),
        (f"{CONFIG}.environments", "environments.prod"),
    ),
    Bad("adapter-option-missing-file", hook('adapter = "ui/missing.json"'), ("ui/missing.json", "adapter")),
    Bad(
        "template-option-missing-file",
        hook('manifest-template = "META-INF/MANIFEST.MF"'),
        ("manifest-template", "does not exist"),
    ),
    Bad(
        "harmony-env-without-environments",
        variables(HARMONY_ENV="prod"),
        ("HARMONY_ENV", "environments.prod"),
    ),
    Bad(
        "harmony-url-not-http",
        variables(HARMONY_URL="ftp://harmony.example.com"),
        ("HARMONY_URL", "https://"),
    ),
    Bad(
        "harmony-offline-not-yes-no",
        variables(HARMONY_OFFLINE="maybe"),
        ("HARMONY_OFFLINE", "HARMONY_OFFLINE=1"),
    ),
    Bad(
        "connector-key-without-secret",
        variables(HARMONY_CONNECTOR_KEY="k-only"),
        ("HARMONY_CONNECTOR_KEY", "HARMONY_CONNECTOR_SECRET"),
    ),
    Bad("org-id-variable-with-a-path", variables(HARMONY_ORG_ID="../10001"), ("HARMONY_ORG_ID", "digits")),
    Bad(
        # The value is used as the manifest's key: the message must name the variable, not a template.
        "connector-key-variable-with-crlf-injection",
        variables(
            HARMONY_CONNECTOR_KEY="k\r\nJitterbit-Connector-Secret: injected", HARMONY_CONNECTOR_SECRET="s"
        ),
        ("HARMONY_CONNECTOR_KEY",),
        state="checkout",
    ),
    # adapter.json
    Bad("adapter-missing", remove("adapter.json"), ("adapter.json not found", "Create it")),
    Bad("adapter-is-a-folder", folder("adapter.json"), ("adapter.json",)),
    Bad(
        "adapter-trailing-comma",
        adapter(b'{"name": "Acme Bad", "activities": {},}'),
        ("adapter.json", "not valid JSON", "line 1"),
    ),
    Bad("adapter-not-utf8", adapter(b'{"name": "Acme \xe9", "activities": {}}'), ("adapter.json", "UTF-8")),
    Bad("adapter-empty-file", adapter(b""), ("adapter.json", "not valid JSON")),
    Bad("adapter-top-level-list", adapter([ADAPTER]), ("adapter.json", "not an object")),
    Bad(
        "adapter-nested-too-deep",
        adapter(b'{"name": "Acme Bad", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        ("adapter.json", "nested too deeply"),
    ),
    Bad("adapter-name-missing", adapter_with(name=None), ("adapter.json: `name`", "is missing")),
    Bad("adapter-name-with-slash", adapter_with(name="Acme/Bad"), ("`name`", "'/'")),
    Bad("adapter-name-number", adapter_with(name=42), ("`name`", "not a string")),
    Bad("adapter-version-number", adapter_with(version=1.0), ("`version`", "Quote it")),
    Bad("adapter-version-with-newline", adapter_with(version="1.0\n"), ("`version`", "1.0.0")),
    Bad(
        "adapter-activities-list",
        adapter_with(activities=["fetch", "put"]),
        ("`activities`", "not an object"),
    ),
    Bad(
        "adapter-activity-key-with-space",
        activities(["fetch", "put it"]),
        ("`activities.put it`", "Rename the activity"),
    ),
    Bad("adapter-activity-key-too-long", activities(["a" * 60]), ("`activities.aaaa", "at most")),
    Bad(
        "adapter-activity-keys-differ-in-case",
        activities(["fetch", "Fetch"]),
        ("`activities.Fetch`", "differ only in case"),
    ),
    Bad(
        "adapter-activity-defined-twice",
        adapter(b'{"name": "Acme Bad", "activities": {"a": {}, "a": {}}}'),
        ("`activities`", "more than once"),
    ),
    Bad("adapter-100-activities", activities([f"a{i}" for i in range(100)]), ("`activities`", "at most 99")),
    # the manifest template
    Bad(
        "template-line-without-colon",
        template(b"Manifest-Version: 1.0\nAuthor Acme\n"),
        ("MANIFEST.MF, line 2", "Name: value"),
    ),
    Bad(
        "template-nul-byte",
        template(b"Manifest-Version: 1.0\nAuthor: Ac\x00me\n"),
        ("MANIFEST.MF, line 2", "NUL"),
    ),
    Bad(
        "template-line-over-511-bytes",
        template(b"Manifest-Version: 1.0\nAuthor: " + b"a" * 600 + b"\n"),
        ("MANIFEST.MF, line 2", "continue the value"),
    ),
    Bad(
        "template-continuation-first",
        template(b" continued\nManifest-Version: 1.0\n"),
        ("MANIFEST.MF, line 1", "continuation"),
    ),
    Bad(
        "template-not-utf8",
        template(b"Manifest-Version: 1.0\nAuthor: \xff\xfe\n"),
        ("MANIFEST.MF, line 2", "UTF-8"),
    ),
    Bad(
        "template-name-in-main-section",
        template(b"Manifest-Version: 1.0\nName: foo/\n"),
        ("MANIFEST.MF, line 2", "blank line"),
    ),
    Bad(
        "template-bad-attribute-name",
        template(b"Manifest-Version: 1.0\nBad Name: x\n"),
        ("MANIFEST.MF, line 2", "attribute name"),
    ),
    Bad(
        "template-duplicate-attribute",
        template(b"Manifest-Version: 1.0\nAuthor: a\nauthor: b\n"),
        ("MANIFEST.MF, line 3", "keep one"),
    ),
    Bad(
        "template-is-a-folder",
        both(template(TEMPLATE), remove("MANIFEST.MF"), folder("MANIFEST.MF")),
        ("MANIFEST.MF", "cannot be read"),
    ),
    # harmony.lock
    Bad(
        "lock-not-toml",
        lock_edit("lock-version = 1", "lock-version = "),
        ("harmony.lock", "not valid TOML", "version control"),
        state="registered",
    ),
    Bad(
        "lock-not-utf8",
        lock_bytes(b"lock-version = 1\n# \xff\n"),
        ("harmony.lock", "UTF-8"),
        state="registered",
    ),
    Bad(
        "lock-newer-version",
        lock_edit("lock-version = 1", "lock-version = 2"),
        ("harmony.lock", "Upgrade hatch-harmony"),
        state="registered",
    ),
    Bad(
        "lock-unknown-key",
        lock_edit('name = "Acme Bad"', 'name = "Acme Bad"\ncolour = "blue"'),
        ("`colour`", "not a lock key"),
        state="registered",
    ),
    Bad(
        "lock-endpoint-id-not-a-string",
        lock_edit(f'endpoint-entity-id = "{FIRST_ENDPOINT}"', f"endpoint-entity-id = {FIRST_ENDPOINT}"),
        ("`endpoint-entity-id`", "must be a string"),
        state="registered",
    ),
    Bad(
        "lock-connector-id-with-a-path",
        lock_edit(f'connector-id = "{FIRST_ID}"', 'connector-id = "../4471"'),
        ("`connector-id`", "alphanumeric"),
        state="registered",
    ),
    Bad(
        "lock-activity-id-outside-range",
        lock_edit(f"fetch = {FIRST_START}", "fetch = 2370999"),
        ("`activities.fetch`", "outside the range"),
        state="registered",
    ),
    Bad(
        "lock-activity-ids-shared",
        lock_edit(f"put = {int(FIRST_START) + 1}", f"put = {FIRST_START}"),
        ("`activities.put`", "also the id of"),
        state="registered",
    ),
    Bad(
        "lock-range-before-endpoint",
        lock_edit(
            f'function-entity-start-id = "{FIRST_START}"', f'function-entity-start-id = "{FIRST_ENDPOINT}"'
        ),
        ("`function-entity-start-id`", "range"),
        state="registered",
    ),
    Bad("lock-is-a-folder", folder("harmony.lock"), ("harmony.lock", "cannot be read"), state="registered"),
    Bad(
        "lock-range-beyond-any-size",
        lock_edit(f'function-entity-end-id = "{FIRST_END}"', f'function-entity-end-id = "{"9" * 30}"'),
        ("harmony.lock", "`function-entity-end-id`"),
        state="registered",
    ),
    Bad(
        # Harmony lists connector 4471 with another endpoint id than the (hand-edited) lock records: the
        # lock's activity ids must not be reassigned silently ("never overwritten silently").
        "lock-endpoint-disagrees-with-harmony",
        both(
            lock_edit(f'endpoint-entity-id = "{FIRST_ENDPOINT}"', 'endpoint-entity-id = "2370700"'),
            lock_edit(f"put = {int(FIRST_START) + 1}", f"put = {int(FIRST_START) + 9}"),
        ),
        ("harmony.lock", "endpoint"),
        state="checkout",
    ),
    # replies of the Connector Manager API
    Bad(
        "login-html-page",
        reply("login", 200, HTML),
        (SERVER, "not JSON", "Sign in - Corporate Proxy", "URL or region"),
        code=1,
    ),
    Bad(
        "login-truncated-json",
        reply("login", 200, b'{"status": true, "authenticationToken": "AB'),
        (SERVER, "not JSON"),
        code=1,
    ),
    Bad(
        "login-token-not-a-string",
        patched("login", {"authenticationToken": 12345}),
        (SERVER, "authenticationToken"),
        code=1,
    ),
    Bad(
        "login-token-with-crlf-injection",
        patched("login", {"authenticationToken": "T0K\r\nX-Injected: 1"}),
        (SERVER, "authenticationToken"),
        code=1,
    ),
    Bad(
        "login-default-org-is-a-path",
        patched("login", {"defaultOrgId": "../../orgs"}),
        (SERVER, "defaultOrgId"),
        code=1,
    ),
    Bad("login-org-list-wrong-type", patched("login", {"orgAttrs": "all"}), (SERVER, "orgAttrs"), code=1),
    Bad(
        "login-two-factor",
        reply(
            "login",
            200,
            b'{"status": false, "errorCode": "VALIDATE_TFA_LOGIN_EMAIL", "errorMessage": "Enter the code"}',
        ),
        (SERVER, "two-factor", "service account"),
        code=1,
    ),
    Bad("list-html-500", reply("list", 500, HTML), (SERVER, "HTTP 500", "try again later"), code=1),
    Bad(
        "list-truncated-json",
        reply("list", 200, b'{"status": true, "registeredConnectorList": [{"id": "44'),
        (SERVER, "not JSON"),
        code=1,
    ),
    Bad("list-nested-too-deep", reply("list", 200, b"[" * 200_000), (SERVER, "list the connectors"), code=1),
    Bad("list-top-level-array", reply("list", 200, b"[1, 2, 3]"), (SERVER, "expected a JSON object"), code=1),
    Bad(
        "list-status-neither-true-nor-false",
        patched("list", {"status": "maybe"}),
        (SERVER, "'status'"),
        code=1,
    ),
    Bad(
        "list-connectors-not-a-list",
        patched("list", {"registeredConnectorList": "none"}),
        (SERVER, "registeredConnectorList"),
        code=1,
    ),
    Bad("list-redirect", reply("list", 302, b""), ("redirect", "not followed"), code=1),
    Bad(
        "list-401-twice",
        reply("list", 401, b'{"status": false, "errorCode": "INVALID_AUTH_TOKEN"}', n=2),
        (SERVER, "even after logging in again"),
        code=1,
    ),
    Bad(
        "list-huge-html-page",
        reply("list", 500, HTML[:-14] + b"x" * (8 << 20) + b"</body></html>"),
        (SERVER, "HTTP 500", "Sign in"),
        code=1,
    ),
    Bad(
        "list-huge-error-message",
        reply("list", 500, b'{"status": false, "errorMessage": "' + b"Unavailable" * 100_000 + b'"}'),
        (SERVER, "HTTP 500"),
        code=1,
    ),
    Bad(
        "list-key-crlf-injection",
        listed(key="k\r\nJitterbit-Connector-Secret: injected"),
        (SERVER, LIST_ENTRY, "'key'", "control character"),
        code=1,
    ),
    Bad(
        "list-secret-lf-injection",
        listed(secret="s\nJitterbit-Connector-Key: injected"),
        (SERVER, LIST_ENTRY, "'secret'"),
        code=1,
    ),
    Bad(
        "list-version-crlf-injection",
        listed(version="1.0.0\r\nX: y"),
        (SERVER, LIST_ENTRY, "'version'"),
        code=1,
    ),
    Bad(
        "list-endpoint-id-not-numeric",
        listed(endpointEntityId="23707O1"),
        (SERVER, LIST_ENTRY, "endpointEntityId"),
        code=1,
    ),
    Bad(
        "list-endpoint-id-negative",
        listed(endpointEntityId="-5"),
        (SERVER, LIST_ENTRY, "endpointEntityId"),
        code=1,
    ),
    Bad(
        "list-start-id-not-after-endpoint",
        listed(functionEntityStartId=FIRST_ENDPOINT),
        (SERVER, LIST_ENTRY, "range"),
        code=1,
    ),
    Bad(
        "list-end-id-before-start",
        listed(functionEntityEndId="2370700"),
        (SERVER, LIST_ENTRY, "range"),
        code=1,
    ),
    Bad(
        "list-start-id-a-list",
        listed(functionEntityStartId=[FIRST_START]),
        (SERVER, LIST_ENTRY, "functionEntityStartId"),
        code=1,
    ),
    Bad(
        "list-endpoint-id-boolean",
        listed(endpointEntityId=True),
        (SERVER, LIST_ENTRY, "endpointEntityId"),
        code=1,
    ),
    Bad("list-connector-id-with-a-path", listed(id="4471/../1"), (SERVER, LIST_ENTRY, "'id'"), code=1),
    Bad("list-secret-empty", listed(secret=""), (SERVER, LIST_ENTRY, "'secret'"), code=1),
    Bad(
        # Entity ids are Java longs, and the lock stores activity ids as TOML (64-bit) integers.
        "list-ids-beyond-64-bit",
        listed(
            endpointEntityId="1" + "0" * 25,
            functionEntityStartId="1" + "0" * 24 + "1",
            functionEntityEndId="1" + "0" * 24 + "99",
        ),
        (SERVER, LIST_ENTRY, "endpointEntityId"),
        code=1,
    ),
    Bad(
        "list-range-beyond-any-size",
        listed(functionEntityEndId="9" * 30),
        (SERVER, LIST_ENTRY, "functionEntityEndId"),
        code=1,
    ),
    Bad(
        # A masked key is no key: the message must blame the reply, and nothing may be recorded.
        "list-key-masked",
        listed(key="****"),
        (SERVER, LIST_ENTRY, "'key'"),
        code=1,
    ),
    Bad(
        "register-refused-with-http-200",
        reply(
            "register",
            200,
            b'{"status": false, "errorCode": "INVALID_REQUEST", "errorMessage": "Name taken"}',
        ),
        (SERVER, "refused to register", "Name taken"),
        code=1,
    ),
    # URLs that passed validation, then crashed inside httpx or idna
    Bad("url-non-ascii-host", hook('url = "https://\u2603.example.com"'), (f"{CONFIG}.url", "ASCII", "xn--")),
    Bad(
        "url-control-character-in-path",
        hook('url = "https://harmony.example.com/a\\u0007b"'),
        (f"{CONFIG}.url", "control characters"),
    ),
    Bad("url-empty-host-label", hook('url = "https://ex..ample.com"'), (f"{CONFIG}.url", "host name")),
    Bad(
        "harmony-url-non-ascii-host",
        variables(HARMONY_URL="https://\u2603.example.com"),
        ("HARMONY_URL", "ASCII"),
    ),
    Bad(
        "harmony-url-empty-host-label",
        variables(HARMONY_URL="https://ex..ample.com"),
        ("HARMONY_URL", "host name"),
    ),
    # server text in messages, a token no header can carry
    Bad(
        "login-status-holds-the-password",
        patched("login", {"status": DEFAULT_PASSWORD}),
        (SERVER, "'status'"),
        code=1,
    ),
    Bad(
        "list-error-code-holds-the-password",
        reply("list", 400, b'{"status": false, "errorCode": "' + DEFAULT_PASSWORD.encode() + b'"}'),
        (SERVER, "refused to list", "***"),
        code=1,
    ),
    Bad(
        "login-token-not-ascii",
        patched("login", {"authenticationToken": "t\u00f8ken"}),
        (SERVER, "authenticationToken"),
        code=1,
    ),
    # Integers beyond Python's 4300-digit conversion limit: one message, before any
    # request; the version once registered, then crashed the lock write on every build.
    Bad(
        "adapter-version-over-4300-digits",
        adapter_with(version="1." + "0" * 5000),
        ("adapter.json: `version`", "at most 64"),
    ),
    Bad(
        "adapter-integer-over-4300-digits",
        adapter(
            b'{"name": "Acme Bad", "activities": {"fetch": {}}, "endpoint": {"max": 1' + b"0" * 5000 + b"}}"
        ),
        ("adapter.json: `endpoint.max`", "5001 digits"),
    ),
    Bad(
        "lock-integer-over-4300-digits",
        lock_edit(f"fetch = {FIRST_START}", "fetch = 1" + "0" * 5000),
        ("harmony.lock", "`connector.activities.fetch`", "5001 digits", "version control"),
        state="registered",
    ),
    Bad(
        "lock-id-string-over-4300-digits",
        lock_edit(f'endpoint-entity-id = "{FIRST_ENDPOINT}"', f'endpoint-entity-id = "{"1" * 5000}"'),
        ("harmony.lock", "`endpoint-entity-id`", "below 2**63"),
        state="registered",
    ),
    # Yes/no variables: one rule for all, an unknown value names the variable.
    Bad(
        "harmony-verify-not-yes-no",
        variables(HARMONY_VERIFY="sometimes"),
        ("HARMONY_VERIFY", "1, true, yes, on", "0, false, no, off"),
    ),
    Bad(
        "harmony-no-warm-stamp-not-yes-no",
        variables(HARMONY_NO_WARM_STAMP="please"),
        ("HARMONY_NO_WARM_STAMP", "1, true, yes, on", "0, false, no, off"),
    ),
    # hatch.toml's [build] replaces pyproject's [tool.hatch.build] (hatchling's rule), hiding the hook.
    Bad(
        "hatch-toml-hides-the-hook",
        file("hatch.toml", "[build.targets.wheel]\nbypass-selection = true\n"),
        ("hatch.toml has a [build] table", f"[{CONFIG}]", "as [build.hooks.harmony]"),
    ),
    Bad(
        "hatch-toml-build-and-no-hook-anywhere",
        both(
            pyproject('[project]\nname = "acme-bad"\nversion = "0.1.0"\n'),
            file("hatch.toml", "[build.targets.wheel]\nbypass-selection = true\n"),
        ),
        ("hatch.toml has a [build] table", "add the hook to hatch.toml", "[build.hooks.harmony]"),
    ),
    # A Windows-style path names one odd file on Linux, and its .gitignore fix can never work: refused
    # on every OS, with the "/" form to write.
    Bad(
        "manifest-path-with-backslashes",
        hook("manifest = 'build\\harmony\\MANIFEST.MF'"),
        (f"{CONFIG}.manifest", "has a backslash", 'manifest = "build/harmony/MANIFEST.MF"'),
    ),
    Bad(
        "template-activity-attribute-without-key",
        template(TEMPLATE + b"Jitterbit-Activity-EntityTypeId-: 2370702\r\n"),
        ("MANIFEST.MF: the attribute Jitterbit-Activity-EntityTypeId- names no activity", "delete the line"),
    ),
    Bad(
        "adapter-path-with-a-backslash",
        hook("adapter = 'ui\\adapter.json'"),
        (f"{CONFIG}.adapter", "has a backslash", 'adapter = "ui/adapter.json"'),
    ),
]

#: Rows also run through a real `python -m hatchling build -t jar` (the build hook's path).
THROUGH_HATCHLING = (
    "option-typo",
    "connector-key-without-secret",
    "adapter-name-with-slash",
    "template-line-without-colon",
    "lock-activity-id-outside-range",
    "list-key-crlf-injection",
    "login-html-page",
    "hatch-toml-hides-the-hook",
    "hatch-toml-build-and-no-hook-anywhere",
    "manifest-path-with-backslashes",
)

# --- running a row ------------------------------------------------------------------------------------


def make_project(root: Path) -> Path:
    PROJECT.make(root, class_file=None)
    (root / "dist").mkdir()
    with build_mutex(root / "harmony.lock"):  # the mutex file every earlier build leaves
        pass
    return root


def register(root: Path, emulator: Emulator) -> None:
    env = harmony_env(emulator)
    table, table_path = read_project_table(root)
    generate(load_config(table, root, env, table_path=table_path), env)


def snapshot(root: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every file and folder below `root`: mode and bytes (None for folders). Nothing excluded."""
    tree: dict[str, tuple[int, bytes | None]] = {}
    for current, dirs, files in os.walk(root):
        for name in dirs:
            path = Path(current, name)
            tree[str(path.relative_to(root))] = (stat.S_IMODE(path.lstat().st_mode), None)
        for name in files:
            path = Path(current, name)
            tree[str(path.relative_to(root))] = (stat.S_IMODE(path.lstat().st_mode), path.read_bytes())
    return tree


def changed(
    before: dict[str, tuple[int, bytes | None]], after: dict[str, tuple[int, bytes | None]]
) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def base_env(emulator: Emulator, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_BUILD_"))}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(harmony_env(emulator))
    env.update(extra)
    return env


def prepare(case: Bad, tmp_path: Path, emulator: Emulator) -> tuple[Path, dict[str, str]]:
    root = make_project(tmp_path / "acme")
    if case.state in ("registered", "checkout"):
        register(root, emulator)
        if case.state == "checkout":
            (root / "build" / "harmony" / "MANIFEST.MF").unlink()
    emulator.reset_counts()
    extra = case.change(root, emulator) or {}
    return root, base_env(emulator, extra)


def assert_one_clear_message(case: Bad, stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert stderr.count("hatch-harmony:") == 1, stderr
    message = stderr[stderr.index("hatch-harmony:") :]
    for fragment in case.expect:
        assert fragment in message, f"{fragment!r} is not in the message:\n{message}"
    assert DEFAULT_PASSWORD not in stderr


def assert_nothing_registered(case: Bad, emulator: Emulator) -> None:
    if case.state == "fresh":
        assert emulator.registrations(DEFAULT_ORG_ID) == []
    assert emulator.counts()["register"] <= (1 if case.id.startswith("register-") else 0)


def test_the_catalogue_is_big_enough_and_its_ids_unique() -> None:
    ids = [case.id for case in CATALOGUE]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    assert set(THROUGH_HATCHLING) <= set(ids)


@pytest.mark.parametrize("case", CATALOGUE, ids=[case.id for case in CATALOGUE])
def test_bad_input_gives_one_clear_message_and_changes_no_file(
    case: Bad, tmp_path: Path, emulator: Emulator
) -> None:
    root, env = prepare(case, tmp_path, emulator)
    before = snapshot(root)
    done = subprocess.run(
        [sys.executable, "-m", "hatch_harmony", "manifest", "--project", str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # a guard against a hang on a hostile reply (seconds, not a speed check)
        check=False,
    )
    assert done.returncode == case.code, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("hatch-harmony: "), done.stderr
    assert_one_clear_message(case, done.stderr)
    assert changed(before, snapshot(root)) == []
    assert_nothing_registered(case, emulator)


@pytest.mark.parametrize("case_id", THROUGH_HATCHLING)
def test_bad_input_fails_a_real_build_the_same_way(case_id: str, tmp_path: Path, emulator: Emulator) -> None:
    [case] = [c for c in CATALOGUE if c.id == case_id]
    root, env = prepare(case, tmp_path, emulator)
    before = snapshot(root)
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == case.code, done.stderr
    assert_one_clear_message(case, done.stderr + done.stdout)
    assert changed(before, snapshot(root)) == []
    assert_nothing_registered(case, emulator)
