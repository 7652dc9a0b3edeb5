"""The Connector Manager API client (httpx.MockTransport) and the server variations it copes with."""
