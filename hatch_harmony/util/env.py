"""Environment variables' values, and for yes/no variables the one rule for what they mean.

Why a module of its own: HARMONY_OFFLINE and HARMONY_VERIFY are read by the engine
(config/overlay.py), HARMONY_NO_WARM_STAMP by the warm-build shortcut (engine/warm.py), which
must stay cheap to import (standard library only, never the config package). A rule read in two
places drifts: once `HARMONY_NO_WARM_STAMP=0` turned the stamp off just as `=1` did. Both now
call `read`, and the README lists the accepted values once.

The rule: 1, true, yes, on mean yes; 0, false, no, off mean no; any case, surrounding
spaces ignored; empty counts as unset (CI systems often set a missing secret to "").
Anything else is an error naming the variable, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping

YES = ("1", "true", "yes", "on")
NO = ("0", "false", "no", "off")


class NotYesNoError(ValueError):
    """A yes/no variable holds something else; `problem` is the message without the variable's name."""

    def __init__(self, name: str, value: str) -> None:
        shown = value if len(value) <= 40 else f"{value[:30]}… ({len(value)} characters)"
        self.name = name
        self.problem = (
            f"{shown!r} is not a yes/no value; use {', '.join(YES)} (yes) or {', '.join(NO)} (no), "
            f"in any case (e.g. {name}=1), or leave it empty"
        )
        super().__init__(f"{name}: {self.problem}")


def value(env: Mapping[str, str], name: str) -> str | None:
    """Any variable's value, stripped; unset and empty are the same (CI often sets missing secrets to "")."""
    return env.get(name, "").strip() or None


def read(env: Mapping[str, str], name: str) -> bool | None:
    """True or False by the rule above; None when unset or empty; NotYesNoError for anything else."""
    text = value(env, name)
    if text is None:
        return None
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    raise NotYesNoError(name, text)
