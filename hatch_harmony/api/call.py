"""One API call (`Call`) and when it may be sent again: the rule "never resend a register that may have
reached the server" is written once, here.

`client.HarmonyClient` says what to call; `transport` sends it and repeats it, `verdict` judges
each reply. Both ask the call: `Call.repeatable` (every call but register: repeating it cannot
create anything twice) and `Call.may_repeat_status` (which HTTP statuses may be answered by
sending the call again). Standard library only: no httpx here.

Retries (`max_retries` bounds every row; delays go through the client's injected `sleep`):

===================================  ============================  ==============================
what happened                        login, list, validate,        register
                                     delete, delete payload
===================================  ============================  ==============================
connect failed / connect timeout     retried, backoff 0.5, 1, 2 s  retried (it was never sent)
HTTP 429                             retried after Retry-After     retried (refused unprocessed)
HTTP 502, 503, 504                   retried after Retry-After     RegisterOutcomeUnknownError
other 5xx                            ServerError, not retried      RegisterOutcomeUnknownError
connection dropped before reply      retried, backoff              RegisterOutcomeUnknownError
read (or write) timeout              TransportError, not retried   RegisterOutcomeUnknownError
reply not JSON, or wrong shape       MalformedReplyError           RegisterOutcomeUnknownError
HTTP 401 / INVALID_AUTH_TOKEN        log in again once, repeat     the same (a 401 was not
                                     once; AuthenticationError     processed)
                                     after that
===================================  ============================  ==============================

The rows before a reply arrived (connect, dropped, timeout) are `transport`'s; the rows of a
reply (statuses, a refused token, the shape) are `verdict`'s; every row asks the call above.
A register whose outcome is unknown is resolved by listing, never by sending it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Statuses worth repeating for a call that is safe to repeat (429 also for register).
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Call:
    """One API call: what to send, and how to describe it."""

    name: str  # login | register | list | delete | delete_payload | validate
    method: str
    path: str
    doing: str  # "register connector 'X' version '1' in org 1", for messages
    body: dict[str, str] | None = field(default=None, repr=False)
    subject: str = ""  # what a 404 is about
    secrets: tuple[str, ...] = field(default=(), repr=False)  # more values to scrub (validate's key/secret)

    @property
    def repeatable(self) -> bool:
        """Everything but register: repeating it cannot create anything twice."""
        return self.name != "register"

    def may_repeat_status(self, status: int) -> bool:
        """A reply with `status` may be answered by sending this call again.

        429 means "refused, not processed", so even register may repeat it; 502, 503 and 504 may
        have been processed, so only a repeatable call does.
        """
        return status in RETRY_STATUSES and (self.repeatable or status == 429)
