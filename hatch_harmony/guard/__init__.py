"""Where the connector secret may go: written (destination), packaged (packaging), committed (secret_history).

These are the checks that keep the key and secret out of git, sdists and wheels; the engine and the
edges ask them, never the other way round.
"""
