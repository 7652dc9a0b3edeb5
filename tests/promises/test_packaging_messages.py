"""The packaging check's refusal names the option selecting the manifest and a fix that works, for each one.

The projects are tests/promises/test_packaging_check.py's table; each row the hook refuses is
built again here and its one message read: which option puts the manifest into the archive,
and what to change. A fix must be one that works for that option: with `ignore-vcs = true`,
hatchling disregards .gitignore, so ".gitignore" is not offered there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.promises.test_packaging_check import BUILDERS, CASES, REFUSED, Case, make_project, offline  # noqa: F401

GITIGNORE_FIX = 'Exclude it: add `build/` to .gitignore, or `exclude = ["build/harmony/MANIFEST.MF"]` under'
#: Per option: what the message must say (the option and its fix), by target.
SAYS = {
    "file selection": ("(neither .gitignore nor `exclude` leaves it out)", GITIGNORE_FIX),
    "packages": (
        "(it is under `packages` and neither .gitignore nor `exclude` leaves it out)",
        GITIGNORE_FIX,
    ),
    "only-include": ("(it is under `only-include` and neither", GITIGNORE_FIX),
    "force-include": ("(`force-include` puts it there)", "Take it (or its folder) out of `force-include`"),
    "artifacts": ("(it matches `artifacts`)", "Narrow `artifacts`"),
    "shared-data": (
        "(`shared-data` puts it there)",
        "out of `shared-data` ([tool.hatch.build.targets.wheel])",
    ),
    "ignore-vcs": (
        "(`ignore-vcs = true` makes hatchling disregard .gitignore",
        'Exclude it: `exclude = ["build/harmony/MANIFEST.MF"]` under [tool.hatch.build.targets.sdist], or '
        "remove `ignore-vcs`.",
    ),
}
#: The option each refused (case, target) is about; every other refused pair is "file selection".
OPTION = {
    ("wheel packages=[build]", "wheel"): "packages",
    ("only-include=[build/harmony]", "sdist"): "only-include",
    ("only-include=[build/harmony]", "wheel"): "only-include",
    ("force-include+gitignore, bypass-selection", "sdist"): "force-include",
    ("force-include+gitignore, bypass-selection", "wheel"): "force-include",
    ("artifacts+gitignore+package", "sdist"): "artifacts",
    ("artifacts+gitignore, bypass-selection", "sdist"): "artifacts",
    ("artifacts+gitignore, bypass-selection", "wheel"): "artifacts",
    ("sdist ignore-vcs+gitignore", "sdist"): "ignore-vcs",
    ("wheel shared-data, no gitignore", "wheel"): "shared-data",
}
REFUSED_PAIRS = [
    (case, target) for case in CASES for target in ("sdist", "wheel") if getattr(case, target) == REFUSED
]


def test_every_option_of_the_table_is_covered() -> None:
    assert set(OPTION.values()) | {"file selection"} == set(SAYS)
    assert set(OPTION) <= {(case.id, target) for case, target in REFUSED_PAIRS}


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize(("case", "target"), REFUSED_PAIRS, ids=[f"{c.id}-{t}" for c, t in REFUSED_PAIRS])
def test_the_refusal_names_the_option_and_a_fix_that_works_for_it(
    case: Case,
    target: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_project(tmp_path / "acme", case)
    monkeypatch.delenv("HATCH_BUILD_NO_HOOKS", raising=False)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        list(BUILDERS[target](str(root)).build(directory=str(root / "dist"), versions=["standard"]))
    captured = capsys.readouterr()
    (line,) = [text for text in (captured.out + captured.err).splitlines() if "would be packaged" in text]
    option = OPTION.get((case.id, target), "file selection")
    reason, fix = SAYS[option]
    if case.manifest != "build/harmony/MANIFEST.MF":  # the row with a manifest path of its own
        fix = fix.replace("build/harmony/MANIFEST.MF", case.manifest).replace("build/", "secret/")
    assert f"would be packaged into the {target}" in line
    assert reason in line and fix in line, line
