#!/usr/bin/env bash
# Before any other step can print them: ask the runner to mask the connector key and secret and the password
# wherever they would appear in the log (the secret store masks its own values; a key or secret that reached
# the job another way, say through an output of an earlier step, is masked here too). Values are never echoed
# otherwise; `::add-mask::` lines are consumed by the runner and not shown.
set -euo pipefail
for name in HARMONY_CONNECTOR_KEY HARMONY_CONNECTOR_SECRET HARMONY_PASSWORD; do
    value="${!name:-}"
    if [ -n "$value" ]; then
        echo "::add-mask::$value"
    fi
done
