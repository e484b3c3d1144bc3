#!/usr/bin/env bash
# Fresh machine -> the tests: set up .venv and the system services the tests start (as root: from apt),
# then lint, type-check and run the whole test suite, slow end-to-end tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
export HF_HUB_OFFLINE=1
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy
exec .venv/bin/python -m pytest -q "$@"
