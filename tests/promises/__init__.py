"""Cross-cutting promises: faults, secrets, bad inputs, concurrency, the packaging check, frontends."""
