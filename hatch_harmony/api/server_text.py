"""Server text made fit for a message or a log line: no secret in it, one line, short.

Everything a server sends is untrusted: an error message, an error code, the `status`
field, a header (Content-Type, Location), an HTML title, an org name. Any of it can echo
what the client sent (the password in a login body, the token in a header) or be 2 MB
long, and all of it can end up in an exception message, a log record or `login`'s
output. The client passes every such string through one `Scrubber` before it reaches
any of those; the rule lives here so that no call site applies a weaker one.

Pure and standard library only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "***"
#: Body fields never logged (compared case-insensitively).
SECRET_FIELDS = frozenset({"password", "key", "secret", "authenticationtoken", "authtoken", "token"})
#: The longest piece of server text in a message (an errorMessage, a code, an org name).
TEXT_LIMIT = 240
#: The longest JSON body in a DEBUG record.
LOG_BODY_LIMIT = 2000

#: Values shaped like Harmony keys/secrets (UUIDs) or tokens (long opaque strings).
# Linear-time on purpose: lookaheads inside a repeated run made a 1 MB error message take
# minutes. Runs are matched plainly; `mask_opaque` decides which of them look like secrets.
_OPAQUE = re.compile(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}|[\w+=-]{32,}", re.ASCII)
_UUID = re.compile(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}", re.ASCII)
_HAS_DIGIT = re.compile(r"\d", re.ASCII)
_HAS_LETTER = re.compile(r"[A-Za-z]", re.ASCII)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


class Scrubber:
    """Masks the secrets the client knows (password, token, a key and secret being validated).

    Known secrets go first; then anything shaped like a Harmony key, secret or token (a
    UUID, a long opaque string), since server text may echo values the client never saw.
    Shortened only after that, so no secret survives as a cut-off prefix.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({value for value in secrets if value}, key=len, reverse=True)

    def __repr__(self) -> str:
        return f"Scrubber({len(self._secrets)} secrets)"

    def mask(self, text: str) -> str:
        """`text` with every known secret and every secret-shaped run replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return mask_opaque(text)

    def text(self, text: str | None, limit: int = TEXT_LIMIT) -> str | None:
        """Server text for a message: masked, on one line, at most `limit` characters."""
        if text is None:
            return None
        # Cut before `one_line` (a per-character pass) but only after masking, so a 16 MiB
        # message costs one regex pass and no secret is ever split at the cut.
        return shorten(one_line(self.mask(text)[: 64 * limit]), limit)

    def value(self, value: Any, limit: int = 60) -> str:
        """Any JSON value a server sent, quoted as JSON, for a message saying what was wrong with it."""
        return self.text(json.dumps(value, ensure_ascii=False), limit) or ""

    def json(self, value: Any) -> str:
        """A JSON body for a DEBUG record: secret fields redacted by name, then masked like server text."""
        if value is None:
            return "-"
        return shorten(self.mask(json.dumps(redact(value), ensure_ascii=False)), LOG_BODY_LIMIT)

    def excerpt(self, body: bytes, content_type: str) -> str:
        """What a non-JSON reply is, without dumping it: its content type and an HTML title or first line.

        Never more than that (an echoing proxy could put the request, password included,
        into the body).
        """
        kind = self.text(content_type.split(";", maxsplit=1)[0].strip(), 60) or "no content type"
        text = body[:4096].decode("utf-8", errors="replace")
        title = _TITLE.search(text)
        if title:
            shown = self.text(_TAG.sub("", title.group(1)), 80)
            return f"{kind}, page title {shown!r}" if shown else kind
        if "<" in text[:200]:
            return kind
        lines = text.splitlines()
        first = self.text(lines[0], 40) if lines else ""
        return f"{kind}, starting {first!r}" if first else kind


def mask_opaque(text: str) -> str:
    """Mask UUIDs and long runs mixing letters and digits (the shapes of keys, secrets and tokens)."""

    def mask(match: re.Match[str]) -> str:
        run = match.group(0)
        if _UUID.fullmatch(run) or (_HAS_DIGIT.search(run) and _HAS_LETTER.search(run)):
            return REDACTED
        return _UUID.sub(REDACTED, run)  # a long run without digits may still hold a UUID

    return _OPAQUE.sub(mask, text)


def one_line(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_type(value: Any) -> str:
    """What kind of JSON value a server sent, for a message saying what was expected instead."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def redact(value: Any) -> Any:
    """A copy with every secret-bearing field (SECRET_FIELDS, at any depth) replaced by ***."""
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in SECRET_FIELDS else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value
