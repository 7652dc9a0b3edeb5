"""Ways a real Harmony server may differ from the documented shapes, switched on one by one.

The emulator was written from Jitterbit's documents; a real server may, for instance,
store a connector name the way it likes. Each variation here makes the emulator behave
like such a server, so the client and the engine are tested against it before a user
meets it. The default (no variation) stays the documented behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variations:
    """Off by default; each field is one documented difference a real server might show."""

    #: The server stores and echoes connector names and versions upper-cased (and says so in
    #: the register reply): identity must not depend on them coming back byte for byte.
    upper_case_names: bool = False

    def stored(self, text: str) -> str:
        """A name or version as this server keeps it."""
        return text.upper() if self.upper_case_names else text
