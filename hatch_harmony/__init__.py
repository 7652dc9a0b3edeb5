"""hatch-harmony: register Jitterbit Harmony custom connectors and write their MANIFEST.MF at build time.

This module is imported by hatch on every build, so it imports nothing heavy (no httpx):
the network client is loaded only when a registration really needs the network.
How the package is laid out, and why: docs/architecture.md.
"""

from __future__ import annotations

__version__ = "0.1.0"
