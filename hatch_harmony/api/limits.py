"""Replies bounded in size and in time: a cap on each body, a deadline on each whole request.

httpx bounds single socket operations (a connect, one read), never a whole exchange. A
reply that trickles one byte a second never trips a 60 s read timeout and is accepted
after minutes; a body that never ends grows memory until the machine gives out (4 GB in
16 s on loopback). Here each request gets both bounds:

* size: the body is read in chunks and dropped as soon as it passes `MAX_REPLY_BYTES`
  (a declared Content-Length above it is refused before reading). Real replies are a few
  KiB: a list of 1000 connectors is about 300 KiB, so 16 MiB only ever stops a broken or
  hostile server.
* time: a `Watchdog` shuts the connection down when the deadline passes, so a read
  blocked on a trickling server returns at once, however the bytes are spread over
  headers and body.

Standard library only: the client hands the watchdog to httpcore as its `trace`
extension, which reports every connection (and TLS layer) it opens.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

#: The largest reply body read (decoded), in bytes: far above any real Connector Manager reply.
MAX_REPLY_BYTES = 16 * 1024 * 1024
#: The most one request may take, from connecting to the last byte of the reply, in seconds.
DEADLINE_SECONDS = 60.0


class ReplyTooLarge(Exception):
    """The reply body passed the cap; reading stopped there."""


def size_text(size: int) -> str:
    """16 MiB, 64 KiB or 100 bytes: a limit as people read it."""
    for unit, factor in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def read_capped(
    chunks: Iterable[bytes], limit: int, *, declared: str | None, expired: Callable[[], bool]
) -> bytes:
    """The body from `chunks`, at most `limit` bytes; stops early once `expired()` says the deadline passed.

    `declared` is the Content-Length header: a reply announcing more than the cap is
    refused unread. The check after each chunk keeps memory within `limit` plus one chunk.
    """
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise ReplyTooLarge
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise ReplyTooLarge
        if expired():
            break  # the caller reports the deadline; what arrived so far is not a reply
    return bytes(body)


class Watchdog:
    """Cuts the connection of a request still running when its deadline passes.

    `trace` is httpcore's trace extension: it sees each connection and TLS layer as it is
    opened and keeps the newest socket (the client keeps one connection at a time, so
    that is the one in use). `arm` runs one request under a deadline; when it passes, the
    socket is shut down (not closed: httpcore still owns it), every blocked read returns,
    and `expired` tells the caller why the request failed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._armed = False
        self.expired = False

    def __repr__(self) -> str:
        return f"Watchdog(armed={self._armed}, expired={self.expired})"

    def is_expired(self) -> bool:
        return self.expired

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if not event.endswith(("connect_tcp.complete", "start_tls.complete")):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        with self._lock:
            self._socket = sock if isinstance(sock, socket.socket) else None
            if self.expired:
                self._cut()  # the deadline passed while this connection was being opened

    @contextlib.contextmanager
    def arm(self, seconds: float) -> Iterator[Watchdog]:
        """Run the body of the `with` under a deadline of `seconds`."""
        timer = threading.Timer(seconds, self._fire)
        timer.daemon = True
        with self._lock:
            self.expired = False
            self._armed = True
        timer.start()
        try:
            yield self
        finally:
            timer.cancel()
            with self._lock:
                self._armed = False

    def _fire(self) -> None:
        with self._lock:
            if self._armed:
                self.expired = True
                self._cut()

    def _cut(self) -> None:
        if self._socket is None:
            return
        # The plain socket's shutdown, also for a TLS socket: SSLSocket.shutdown would tear
        # its TLS state down under the reading thread's feet.
        with contextlib.suppress(OSError, ValueError):
            socket.socket.shutdown(self._socket, socket.SHUT_RDWR)
