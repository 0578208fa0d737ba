#!/usr/bin/env bash
# Start the product on the shipped corpus: install if needed, build the index if missing,
# serve the web page and API on http://127.0.0.1:${POLICY_SEARCH_PORT:-8000}/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
exec policy-search serve --build-if-missing --index "${POLICY_SEARCH_INDEX:-var/index}" --corpus corpus "$@"
