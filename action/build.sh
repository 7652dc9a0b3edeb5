#!/usr/bin/env bash
# The connector's jar: `hatch-harmony manifest --json` makes the one decision (offline, looked up, adopted,
# registered, verified) and writes the manifest, then `hatch build -t jar` packages it (no request: everything
# is at hand by then). action/report.py turns both into the step's outputs and the job summary.
set -euo pipefail
if [ -n "${INPUT_DESTINATIONS//[[:space:]]/}" ]; then
    echo "::error title=hatch-harmony::destinations: this version of the action builds only, it cannot deploy yet; remove the input"
    exit 2
fi
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
