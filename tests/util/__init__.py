"""Standard-library helpers: atomic writes and the build mutex."""
