"""Benchmarks of hatch-harmony (not part of the test suite): `python benchmarks/run.py`.

A package so that `run.py`'s sections import one another as `benchmarks.<module>` from the
repository root, the same way the scripts beside them import `hatch_harmony` and `tests`.
"""
