"""The Connector Manager API: the host, the wire format, the client and how a call travels.

The one package that imports httpx (only `transport` does, and only when a call is made). Nothing here
reads a project file: the engine hands the client what it needs. The package's modules are imported one
by one; this file imports none of them, so the emulator can use `protocol` without paying for httpx.
"""
