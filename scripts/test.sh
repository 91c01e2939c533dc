#!/usr/bin/env bash
# The one command that installs everything the tests need and runs the whole suite:
# ruff, mypy, then pytest (real Chroma, real `chroma run` server, real llama.cpp server on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check .
.venv/bin/mypy .
.venv/bin/python -m pytest "$@"
