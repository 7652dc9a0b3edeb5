"""A key or secret found only in git history: a warning, and Harmony's word on whether it still matters.

A value committed once stays readable in every clone, whatever the files hold today, and
nothing short of rewriting history removes it. If that made `doctor` fail, teams with such
a history (most connectors registered by hand had their key in the committed manifest)
could never put doctor in CI. So the line is drawn where action is possible:

* a key or secret in a file git tracks now is a failure (`local.secrets_check`): replace
  it by a placeholder before the next commit;
* one found only in history is a warning naming the commits (never the value), and doctor
  asks Harmony whether each committed key is still valid (validate: 1 request per distinct
  key, when credentials are at hand). A key Harmony no longer accepts is harmless history
  (ok); one it still accepts, or one it could not be asked about, stays a warning, with the
  honest remedy: Harmony has no key rotation, so a new key means a new registration (new
  endpoint and activity ids), and history can be rewritten with git filter-repo.

`doctor --strict` turns the warning into exit 1, for teams that want the gate anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hatch_harmony.api.errors import InvalidSecurityInfoError
from hatch_harmony.doctor.report import Check, ok, warning
from hatch_harmony.errors import HarmonyError
from hatch_harmony.guard.secret_history import committed_pairs

if TYPE_CHECKING:
    from pathlib import Path

    from hatch_harmony.api.client import HarmonyClient
    from hatch_harmony.guard.secret_history import SecretCommit, SecretScan

NAME = "secrets"
REMEDY = (
    "What it means and what to do: anyone who can read this repository, a clone or a fork can read "
    "the value. Harmony has no key rotation: a new key means a new registration, with a new endpoint id "
    "and new activity ids, so every Harmony project using the connector would have to be pointed at it. "
    "To take the value out of the history, rewrite it (`git filter-repo --replace-text`), force-push and "
    "have every clone made again; otherwise review who can read the repository. `doctor --strict` fails "
    "on this warning, plain `doctor` does not."
)
NOT_ASKED = "Harmony was not asked whether the key is still valid (doctor asks when it can log in)"


def commit_lines(commits: tuple[SecretCommit, ...]) -> list[str]:
    """One line per commit: id, date, subject (cut, values masked), paths and attributes; no value."""
    return [
        f"commit {c.short} ({c.date[:10]}, {_cut(c.subject)!r}): {', '.join(c.paths)} holds "
        f"{' and '.join(c.attributes)}"
        for c in commits
    ]


def history_warning(scan: SecretScan, verdict: str = NOT_ASKED) -> Check:
    """The warning for values found only in history; `verdict` says what Harmony said (or why not asked)."""
    what = (
        f"{len(scan.commits)} commit(s) in git history hold a key or secret (no tracked file does): {verdict}"
    )
    return warning(NAME, what, "\n".join([*commit_lines(scan.commits), REMEDY]))


def history_check(
    client: HarmonyClient, name: str, root: Path, scan: SecretScan, other_orgs: tuple[str, ...] = ()
) -> Check:
    """Ask Harmony about each distinct committed key (1 validate request each) and judge the history.

    Every key rejected: harmless history (ok). Any accepted, or one that could not be asked
    about (no secret beside it, a failed request): the warning, saying which. Validate asks
    in the client's organisation only: when the lock records the connector in `other_orgs`
    too, a rejection here proves nothing about them, and the warning stays.
    """
    accepted: list[str] = []
    unknown: list[str] = []
    rejected: list[str] = []
    for pair in committed_pairs(root, scan.commits):
        commits = ", ".join(pair.commits)
        if pair.secret is None:
            unknown.append(f"{commits} (no secret beside the key)")
            continue
        try:
            client.validate(name, pair.key, pair.secret)
        except InvalidSecurityInfoError:
            if other_orgs:
                unknown.append(
                    f"{commits} (not accepted in org {client.org_id}, but the lock also records org "
                    f"{', '.join(other_orgs)}: run doctor for that environment too)"
                )
            else:
                rejected.append(commits)
            continue
        except HarmonyError as exc:
            unknown.append(f"{commits} ({exc.message})")
            continue
        accepted.append(commits)
    if not accepted and not unknown:
        if not rejected:
            return history_warning(scan, "none of them holds a key to ask Harmony about")
        return ok(
            NAME,
            f"{len(scan.commits)} commit(s) in git history hold a key or secret that Harmony no longer "
            f"accepts for {name!r} ({', '.join(rejected)}): harmless history; no tracked file holds one",
        )
    verdicts = []
    if accepted:
        verdicts.append(f"Harmony still accepts the key of {'; '.join(accepted)} for {name!r}")
    if unknown:
        verdicts.append(f"could not ask Harmony about {'; '.join(unknown)}")
    return history_warning(scan, "; ".join(verdicts))


def _cut(subject: str, length: int = 60) -> str:
    """A commit subject cut to one short line (secret_history masked any value it quoted)."""
    return subject if len(subject) <= length else subject[: length - 1] + "…"
