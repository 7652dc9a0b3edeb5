"""The connector's own files: adapter.json, harmony.lock, and the Jitterbit attributes of its manifest.

Each module reads and writes one file kind and owns its rules; none of them talks to Harmony.
"""
