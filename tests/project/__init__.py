"""The connector's own files: adapter.json, harmony.lock, the Jitterbit manifest attributes."""
