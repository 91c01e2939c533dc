#!/usr/bin/env bash
# The one command that installs everything the tests need and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install chromium; browser tests will fail" >&2
  else
    echo "warning: chromium is missing (sudo apt-get install chromium); browser tests will fail" >&2
  fi
fi
.venv/bin/ruff check .
.venv/bin/mypy .
.venv/bin/python -m pytest "$@"
