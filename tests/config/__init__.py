"""The hook table and the HARMONY_* variables over it: every error at once, with its TOML path."""
