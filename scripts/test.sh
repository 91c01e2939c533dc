#!/usr/bin/env bash
# The one command that installs everything the tests need and runs the whole suite:
# ruff, mypy, then pytest (real Chroma, real `chroma run` server, real llama.cpp server on loopback,
# the UI in Debian's headless chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
bash scripts/setup.sh test
.venv/bin/ruff check .
.venv/bin/mypy .
.venv/bin/python -m pytest "$@"
