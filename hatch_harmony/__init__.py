"""hatch-harmony: register Jitterbit Harmony custom connectors and write their MANIFEST.MF at build time.

This module is imported by hatch on every build, so it imports nothing heavy (no httpx):
the network client is loaded only when a registration really needs the network.
"""

from __future__ import annotations

__version__ = "0.1.0"
