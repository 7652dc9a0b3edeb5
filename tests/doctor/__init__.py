"""`hatch-harmony doctor` and the API contract run."""
