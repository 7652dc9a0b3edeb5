"""Pytest fixture plugins, listed in `tests/conftest.py`'s `pytest_plugins`."""
