#!/usr/bin/env bash
# The one command for a fresh machine: install, index the bundled corpus (or the paths given),
# print what the index holds, and open the chat UI at http://127.0.0.1:7860 (Ctrl+C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m index build "$@"
.venv/bin/python -m index info
exec .venv/bin/python app.py
