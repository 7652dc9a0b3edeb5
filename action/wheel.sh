#!/usr/bin/env bash
# hatch-harmony's wheel, built from the action's own checkout (the ref the workflow pinned), into a wheel folder
# that the connector's isolated build environments also look in: README's "Installing", done for the job.
set -euo pipefail
wheels="${RUNNER_TEMP:?}/hatch-harmony-wheels"
python -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$wheels" "${GITHUB_ACTION_PATH:?}"
wheel=$(ls "$wheels"/hatch_harmony-*.whl)
{
    echo "PIP_FIND_LINKS=$wheels"
    echo "UV_FIND_LINKS=$wheels"
    echo "HATCH_HARMONY_WHEEL=$wheel"
} >>"${GITHUB_ENV:?}"
echo "hatch-harmony: $(basename "$wheel")"
