#!/usr/bin/env bash
# Fresh machine -> the main job: set up .venv, then run the demo on the embedded local models (offline).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/infscale demo "$@"
