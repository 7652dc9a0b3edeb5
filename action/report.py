"""The action's outputs and job summary, from `hatch-harmony manifest --json` and the jar build's log.

Run by action/build.sh as `python report.py MANIFEST_JSON BUILD_LOG` in the connector project,
then, when the action was given destinations, as `python report.py --deploy DEPLOY_JSON STATUS`
with `hatch-harmony deploy --json`'s document and exit status. No input holds a key, secret,
password or token (the CLI and the hook never print one), and this script adds none: it writes
the connector's public facts (what the build did, how many requests it sent, the registration
and activity ids, the jar's name and sha256; what each destination got) to $GITHUB_OUTPUT and
$GITHUB_STEP_SUMMARY. Standard library only: it runs on the job's Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

#: The hook's status line ends with its own request count ("…; 0 requests").
HOOK_REQUESTS = re.compile(r"^harmony: .*; (\d+) requests?$", flags=re.M)


def jar_of(log: str) -> Path:
    """The jar hatch reported building (its last line naming a .jar), resolved from the project."""
    jars = [line.strip() for line in log.splitlines() if line.strip().endswith(".jar")]
    if not jars:
        raise SystemExit("hatch-harmony action: `hatch build -t jar` reported no jar")
    return Path(jars[-1]).resolve()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(manifest_json: str, build_log: str) -> None:
    manifest = json.loads(Path(manifest_json).read_text(encoding="utf-8"))
    log = Path(build_log).read_text(encoding="utf-8")
    jar = jar_of(log)
    requests = int(manifest["requests"]) + sum(int(n) for n in HOOK_REQUESTS.findall(log))
    connector = manifest["connector"]
    activities = ", ".join(f"`{name}` {value}" for name, value in manifest["activities"].items()) or "none"
    digest = sha256(jar)

    with Path(os.environ["GITHUB_OUTPUT"]).open("a", encoding="utf-8") as outputs:
        outputs.write(f"jar={jar}\nconnector-id={connector['id']}\nrequests={requests}\n")
    summary = [
        f"### hatch-harmony: {connector['name']} {connector['version']}",
        "",
        "| | |",
        "|---|---|",
        f"| what the build did | **{manifest['action']}**: {manifest['reason']} |",
        f"| requests to Harmony | {requests} |",
        f"| connector id | {connector['id']} |",
        f"| endpoint entity id | {connector['endpointEntityId']} |",
        f"| activity ids | {activities} |",
        f"| jar | `{jar.name}` |",
        f"| sha256 | `{digest}` |",
        "",
    ]
    with Path(os.environ["GITHUB_STEP_SUMMARY"]).open("a", encoding="utf-8") as out:
        out.write("\n".join(summary) + "\n")
    print(f"hatch-harmony: {jar.name} sha256 {digest}; {manifest['action']}, {requests} requests")


#: How the summary words a destination's outcome, from `hatch-harmony deploy --json`'s action and status.
OUTCOME = {("copy", "done"): "copied", ("skip", "done"): "unchanged"}


def outcome(row: dict[str, object]) -> tuple[str, str]:
    """(what happened, why) for one destination of the deploy document."""
    what = OUTCOME.get((str(row.get("action")), str(row.get("status"))), str(row.get("status")))
    return what, one_line(row.get("error") or row.get("reason") or "")


def one_line(text: object) -> str:
    """Server or file-system text as one table cell: one line, no column break."""
    return " ".join(str(text).split()).replace("|", "\\|")


def deploy_report(deploy_json: str, status: str) -> None:
    try:
        document = json.loads(Path(deploy_json).read_text(encoding="utf-8"))
    except ValueError:
        document = {"error": "`hatch-harmony deploy` printed no report (see the log above)"}
    rows = list(document.get("destinations") or [])
    # the destinations that hold the built jar now: copied there, or already there
    deployed = [str(r["destination"]) for r in rows if outcome(r)[0] in OUTCOME.values()]
    with Path(os.environ["GITHUB_OUTPUT"]).open("a", encoding="utf-8") as outputs:
        outputs.write(f"deployed={' '.join(deployed)}\n")
    jar = document.get("jar") or {}
    summary = [
        f"### hatch-harmony deploy: `{Path(str(jar['path'])).name}`" if jar else "### hatch-harmony deploy",
        "",
    ]
    if document.get("error"):
        summary += [f"**not deployed**: {one_line(document['error'])}", ""]
    if rows:
        summary += ["| destination | outcome | why |", "|---|---|---|"]
        summary += [f"| `{r['destination']}` | **{outcome(r)[0]}** | {outcome(r)[1]} |" for r in rows]
        summary.append("")
    with Path(os.environ["GITHUB_STEP_SUMMARY"]).open("a", encoding="utf-8") as out:
        out.write("\n".join(summary) + "\n")
    for row in rows:
        what, why = outcome(row)
        print(f"hatch-harmony deploy: {row['destination']}: {what} ({why})")
    if document.get("error"):
        print(f"::error title=hatch-harmony deploy::{one_line(document['error'])}")
    elif status != "0":
        print("::error title=hatch-harmony deploy::not every destination holds the jar; see the job summary")
    print(f"hatch-harmony deploy: {len(deployed)} of {len(rows)} destination(s) hold the jar")


if __name__ == "__main__":
    if sys.argv[1] == "--deploy":
        deploy_report(*sys.argv[2:4])
    else:
        main(*sys.argv[1:3])
