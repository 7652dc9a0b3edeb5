"""The environment overlay: HARMONY_* variables over the options of pyproject.toml.

Why variables win over the file: they are how CI and a developer's shell pick an
environment, a host or an org without editing a committed file. A variable is checked by
the same rule as the option it overrides (the helpers of `options.py`, which ask host.py
and vocabulary.py), and reported under its own name, so the user knows which of the two to
fix. Unset and empty are the same, and yes/no values follow the one rule of util/env.py
(which the warm-build shortcut follows too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hatch_harmony.api.host import REGIONS
from hatch_harmony.config.options import host_url, org_id, region_name
from hatch_harmony.config.problems import Problems
from hatch_harmony.util import env as yes_no
from hatch_harmony.vocabulary import (
    ENV_VAR,
    NO_WARM_STAMP_VAR,
    OFFLINE_VAR,
    ORG_ID_VAR,
    REGION_VAR,
    URL_VAR,
    VERIFY_VAR,
)


def selected_environment(environment: str | None, env: Mapping[str, str]) -> tuple[str | None, str, str]:
    """The environment to use, what selected it, and how to select none: --env wins over HARMONY_ENV."""
    if environment:
        return environment, "--env", "drop --env"
    return yes_no.value(env, ENV_VAR), ENV_VAR, f"unset {ENV_VAR}"


def apply_env(
    options: dict[str, Any], env: Mapping[str, str], problems: Problems
) -> tuple[dict[str, Any], bool]:
    """The options with the variables applied, and whether HARMONY_OFFLINE is on.

    HARMONY_NO_WARM_STAMP is checked here too, although only the warm path reads it: that
    path steps aside on a bad value, so the build is where the user hears about it.
    """
    result = dict(options)
    _apply_host(result, env, problems)
    org = yes_no.value(env, ORG_ID_VAR)
    if org is not None and org_id(org, ORG_ID_VAR, problems) is not None:
        result["org-id"] = org
    verify = _env_bool(env, VERIFY_VAR, problems)
    if verify is not None:
        result["verify"] = verify
    offline = _env_bool(env, OFFLINE_VAR, problems)
    _env_bool(env, NO_WARM_STAMP_VAR, problems)
    return result, bool(offline)


def _apply_host(options: dict[str, Any], env: Mapping[str, str], problems: Problems) -> None:
    """HARMONY_URL or HARMONY_REGION, either replacing both `url` and `region` (they are one setting)."""
    url = yes_no.value(env, URL_VAR)
    region = yes_no.value(env, REGION_VAR)
    if url is not None and region is not None:
        problems.add(f"{URL_VAR} and {REGION_VAR}", "are both set; unset one (they name the same host)")
    elif url is not None:
        checked = host_url(url, URL_VAR, problems)
        if checked is not None:
            options.pop("region", None)
            options["url"] = checked
    elif region is not None:
        name = region_name(region)
        if name is not None:
            options.pop("url", None)
            options["region"] = name
        else:
            problems.add(
                REGION_VAR,
                f"{region!r} is not a Harmony region; use one of {', '.join(REGIONS)}, or set {URL_VAR}",
            )


def _env_bool(env: Mapping[str, str], name: str, problems: Problems) -> bool | None:
    """A yes/no variable by the one rule (util/env.py); None when unset, or wrong and reported."""
    try:
        return yes_no.read(env, name)
    except yes_no.NotYesNoError as exc:
        problems.add(name, exc.problem)
        return None
