"""Where the secret may be written and what history holds it."""
