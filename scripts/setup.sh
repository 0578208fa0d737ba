#!/usr/bin/env bash
# Create .venv and install the project into it. Idempotent: re-running after a change of
# setup.cfg re-installs, otherwise it returns at once.
#   PYTHON=python3.11 scripts/setup.sh          # interpreter to build the venv with
#   scripts/setup.sh --test                     # also test dependencies (+ Debian chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
fi
. .venv/bin/activate

base=".venv/.installed-$(cat setup.cfg pyproject.toml | sha256sum | cut -c1-16)"
stamp="${base}${extras:+-test}"
if [ ! -f "$stamp" ] && [ ! -f "${base}-test" ]; then
    python -m pip install -q --upgrade pip
    # torch first, pinned: this CPU build is what the machine provides; letting
    # sentence-transformers pull plain `torch` would download a multi-GB CUDA build.
    python -c "import torch" 2>/dev/null || python -m pip install -q "torch==2.13.0"
    python -m pip install -q -e ".${extras}"
    touch "$stamp"
fi

if [ -n "$extras" ] && ! command -v chromium >/dev/null 2>&1; then
    # Browser tests drive Debian's Chromium (no browser download at test time).
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
fi
