#!/usr/bin/env bash
# The connector's jar: `hatch-harmony manifest --json` makes the one decision (offline, looked up, adopted,
# registered, verified) and writes the manifest, then `hatch build -t jar` packages it (no request: everything
# is at hand by then). action/report.py turns both into the step's outputs and the job summary. With
# destinations, `hatch-harmony deploy` then copies that jar into each (a folder, or ssh:// through the runner's
# ssh and the job's HARMONY_SSH_COMMAND); a refused jar or a failed destination fails the step.
set -euo pipefail
destinations=()
# newline- or space-separated; no glob expansion (a destination is a path or an ssh:// URL, never a pattern)
read -r -d '' -a destinations <<<"${INPUT_DESTINATIONS:-}" || true
if [ -n "${INPUT_ENVIRONMENT:-}" ]; then
    export HARMONY_ENV="$INPUT_ENVIRONMENT"
fi
if [ -n "${INPUT_VERIFY:-}" ]; then
    export HARMONY_VERIFY="$INPUT_VERIFY"
fi
work="${RUNNER_TEMP:?}/hatch-harmony-$$"
mkdir -p "$work"
hatch-harmony manifest --json >"$work/manifest.json"
# verified a moment ago if asked: the build reuses that manifest without asking Harmony again
HARMONY_VERIFY=0 hatch build -t jar 2>&1 | tee "$work/build.log"
python "${GITHUB_ACTION_PATH:?}/action/report.py" "$work/manifest.json" "$work/build.log"
if [ "${#destinations[@]}" -eq 0 ]; then
    echo "deployed=" >>"${GITHUB_OUTPUT:?}"
    exit 0
fi
deploy=(hatch-harmony deploy --json)
if [ -n "${INPUT_ENVIRONMENT:-}" ]; then
    deploy+=("--env=$INPUT_ENVIRONMENT")
fi
for destination in "${destinations[@]}"; do
    deploy+=("--to=$destination") # never taken for an option, whatever it starts with
done
status=0
"${deploy[@]}" >"$work/deploy.json" || status=$?
python "${GITHUB_ACTION_PATH:?}/action/report.py" --deploy "$work/deploy.json" "$status"
exit "$status"
