"""The `jar` build target: its options (config), what goes into the jar (layout), reproducible zip bytes
(archive), and the hatchling builder that ties them together (builder).

hatch imports `builder` whenever it lists a project's targets; the rest is imported when a jar is built.
"""

#: The build_data keys the `harmony` hook fills for this target (the hook runs first): the generated
#: manifest's bytes and the adapter.json path. Here, below both, so neither imports the other for them.
MANIFEST_KEY = "harmony_manifest"
ADAPTER_KEY = "harmony_adapter"
#: The selected environment table (None: the base table): its jar's name carries it.
ENVIRONMENT_KEY = "harmony_environment"
