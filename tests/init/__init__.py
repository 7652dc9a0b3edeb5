"""`hatch-harmony init`: migrating existing connectors and starting new ones."""
