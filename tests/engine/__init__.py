"""The registration engine: decisions, ids, adoption, organisations, warm builds."""
