"""The bundled emulator of the Connector Manager API, over real loopback HTTP."""
