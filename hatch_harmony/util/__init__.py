"""Standard-library helpers every layer may use: atomic files, environment variables, JSON/TOML, git.

Nothing here knows about Harmony or connectors; importing this package costs nothing (no module is
imported eagerly), because the hook's warm path uses `files` and `env` on every build.
"""
