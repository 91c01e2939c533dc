#!/usr/bin/env bash
# The one command for a fresh machine: install, index the bundled corpus, start the chat UI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m index build "$@"
exec .venv/bin/python app.py
