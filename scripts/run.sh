#!/usr/bin/env bash
# The one command for a fresh machine: install, index the bundled corpus (or the paths given),
# print what the index holds, and answer a sample question. (The chat UI, app.py, is not built
# yet; when it lands this script starts it instead of the sample question.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m index build "$@"
.venv/bin/python -m index info
if [ -f app.py ]; then
  exec .venv/bin/python app.py
fi
echo
echo 'Sample question: Who denied sending troops to Russia, and what did they call the claims?'
.venv/bin/python -m assistant ask "Who denied sending troops to Russia, and what did they call the claims?"
echo
echo 'Ask your own: .venv/bin/python -m assistant ask "YOUR QUESTION"'
