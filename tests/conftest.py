"""Shared fixtures. Fixture modules live in tests/plugins/ and are listed here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins: list[str] = ["tests.plugins.emulator", "tests.plugins.java", "tests.plugins.canary"]


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Builds under test keep their warm-build stamps (engine/warm.py) out of the user's cache."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setenv("XDG_CACHE_HOME", str(cache))
        yield cache
