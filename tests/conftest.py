"""Shared fixtures. Fixture modules live in tests/plugins/ and are listed here."""

from __future__ import annotations

pytest_plugins: list[str] = ["tests.plugins.emulator", "tests.plugins.java", "tests.plugins.canary"]
