"""The `hatch-harmony` command."""
