"""The registration engine: decide which row of the request table a run takes, carry it out, keep ids.

`pipeline.run_build` is its one entry for the hook and setuptools; `warm` is the shortcut the hook tries
first. This file imports nothing, so the warm path stays cheap. The request table, and how the
engine never registers a connector twice: docs/architecture.md.
"""
