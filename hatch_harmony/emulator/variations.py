"""Ways a real Harmony server may differ from the documented shapes, switched on one by one.

The emulator was written from Jitterbit's documents; a real server may, for instance,
store a connector name the way it likes. Each variation here makes the emulator behave
like such a server, so the client and the engine are tested against it before a user
meets it. The default (no variation) stays the documented behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

#: The session cookie a `session_cookie` server sets at login (a Java servlet container's name).
SESSION_COOKIE = "JSESSIONID"

#: What a `redirect_to` server answers every API request with: temporary, method and body kept.
REDIRECT_STATUS = 307


@dataclass(frozen=True)
class Variations:
    """Off by default; each field is one documented difference a real server might show."""

    #: The server stores and echoes connector names and versions upper-cased (and says so in
    #: the register reply): identity must not depend on them coming back byte for byte.
    upper_case_names: bool = False

    #: The list shows each connector without its `key` and `secret` (a server that treats them
    #: as write-once credentials): adoption cannot take them from the list.
    list_without_keys: bool = False

    #: The register reply lacks `id` (the registration is made all the same): the client must
    #: treat the outcome as unknown and find the registration by listing, never register again.
    register_without_id: bool = False

    #: The login sets a session cookie, and every later call needs it alongside the `authToken`
    #: header (a load balancer pinning a session to the node that issued the token).
    session_cookie: bool = False

    #: Where every API request is redirected (`REDIRECT_STATUS`, same path and query): a URL
    #: (`http://host:port`, another host, as a region-fronting server answers) or a path prefix
    #: (`/eu`, the same host: requests under the prefix are served, the others redirected).
    redirect_to: str = ""

    def stored(self, text: str) -> str:
        """A name or version as this server keeps it."""
        return text.upper() if self.upper_case_names else text

    def redirect(self, target: str) -> tuple[str | None, str]:
        """(the Location to answer `target` with, or None to serve it; the path to route).

        `target` is the request's path and query; the path to route has a same-host prefix removed.
        """
        if not self.redirect_to:
            return None, target
        if urlsplit(self.redirect_to).netloc:
            return self.redirect_to.rstrip("/") + target, target
        prefix = "/" + self.redirect_to.strip("/")
        if target.startswith(prefix + "/"):
            return None, target[len(prefix) :]
        return prefix + target, target
