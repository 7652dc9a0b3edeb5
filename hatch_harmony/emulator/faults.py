"""Request counters and injected faults: the emulator's test controls.

The project's contract counts requests (0, 2 or 3 per build: docs/architecture.md), and its hardest
rules are about failures (never resend a register that may have reached the server), so
tests need to count calls per route and to make the next calls fail in precise ways.
Nothing here is active unless a test asks for it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Request counter names, one per API call ("other" counts anything else).
ROUTES = ("login", "register", "list", "delete", "delete_payload", "validate")
COUNTED = (*ROUTES, "other")


@dataclass
class Hold:
    """The next reply of `route` waits until `others` more requests to it arrived, or `timeout` s."""

    route: str
    others: int
    timeout: float
    target: int = 0  # the route's count at which the reply goes out (set when the request is held)


@dataclass
class Fault:
    """The next `remaining` requests to `route` (any route when None) get this reply, unprocessed."""

    remaining: int
    status: int
    route: str | None
    retry_after: float | None
    body: bytes | None


def check_route(route: str | None) -> None:
    if route is not None and route not in COUNTED:
        raise ValueError(f"unknown route {route!r}; expected one of {', '.join(COUNTED)}")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge, `None` removes a key, anything else replaces."""
    if not isinstance(patch, Mapping):
        return patch
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class Controls:
    """Thread-safe; one per emulator."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._holds: list[Hold] = []
        self._held = 0
        self._counts = dict.fromkeys(COUNTED, 0)
        self._faults: list[Fault] = []
        self._drops = 0
        self._latency = 0.0
        self._overrides: dict[str, list[Mapping[str, Any]]] = {}

    # --- counters --------------------------------------------------------------------------

    def count(self, route: str) -> None:
        with self._lock:
            self._counts[route] += 1
            self._changed.notify_all()

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset_counts(self) -> None:
        with self._lock:
            self._counts = dict.fromkeys(COUNTED, 0)

    # --- faults ----------------------------------------------------------------------------

    def fail_next(
        self,
        n: int,
        status: int,
        *,
        route: str | None = None,
        retry_after: float | None = None,
        body: bytes | None = None,
    ) -> None:
        check_route(route)
        if n < 1:
            raise ValueError("n must be at least 1")
        if not 200 <= status <= 599:
            raise ValueError(f"status {status} is not an HTTP status between 200 and 599")
        if retry_after is not None and retry_after < 0:
            raise ValueError("retry_after must not be negative")
        with self._lock:
            self._faults.append(Fault(n, status, route, retry_after, body))

    def take_fault(self, route: str) -> Fault | None:
        """The fault for this request, if one is queued (consumes one of its `remaining`)."""
        with self._lock:
            for fault in self._faults:
                if fault.route is None or fault.route == route:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # --- holding a reply ---------------------------------------------------------------------

    def hold_next(self, route: str, *, others: int = 1, timeout: float = 5.0) -> None:
        """Hold the next reply of `route` (computed as usual) until `others` more requests to
        `route` have arrived, or `timeout` seconds have passed: a stale reply on purpose, for
        races (two builds that both list before either registers)."""
        check_route(route)
        if route == "other":
            raise ValueError("hold a route of the API, not 'other'")
        if others < 1:
            raise ValueError("others must be at least 1")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        with self._lock:
            self._holds.append(Hold(route, others, timeout))

    def take_hold(self, route: str) -> Hold | None:
        """The hold for this request, if one is queued (consumed); call after `count`."""
        with self._lock:
            for hold in self._holds:
                if hold.route == route:
                    self._holds.remove(hold)
                    hold.target = self._counts[route] + hold.others
                    return hold
        return None

    def wait(self, hold: Hold) -> None:
        """Block (a server thread) until the hold's requests arrived or its timeout passed."""
        with self._changed:
            self._held += 1
            self._changed.notify_all()
            try:
                self._changed.wait_for(lambda: self._counts[hold.route] >= hold.target, hold.timeout)
            finally:
                self._held -= 1

    @property
    def held(self) -> int:
        """How many replies are being held right now."""
        with self._lock:
            return self._held

    def drop_after_register(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        with self._lock:
            self._drops += n

    def take_drop(self) -> bool:
        with self._lock:
            if self._drops:
                self._drops -= 1
                return True
            return False

    @property
    def latency(self) -> float:
        with self._lock:
            return self._latency

    def set_latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency must not be negative")
        with self._lock:
            self._latency = seconds

    def override_next(self, route: str, patch: Mapping[str, Any]) -> None:
        check_route(route)
        if not isinstance(patch, Mapping):
            raise ValueError("patch must be a JSON object")
        with self._lock:
            self._overrides.setdefault(route, []).append(patch)

    def take_override(self, route: str) -> Mapping[str, Any] | None:
        with self._lock:
            queue = self._overrides.get(route)
            return queue.pop(0) if queue else None
