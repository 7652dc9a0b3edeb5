"""The `jar` build target: options, layout, reproducible archives, Maven layouts."""
