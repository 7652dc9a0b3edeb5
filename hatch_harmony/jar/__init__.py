"""The `jar` build target: its options (config), what goes into the jar (layout), reproducible zip bytes
(archive), and the hatchling builder that ties them together (builder).

hatch imports `builder` whenever it lists a project's targets; the rest is imported when a jar is built.
"""
