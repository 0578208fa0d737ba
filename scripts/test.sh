#!/usr/bin/env bash
# Run the test suite (installs what the tests need first). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
. .venv/bin/activate
exec python -m pytest -q "$@"
